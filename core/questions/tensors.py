"""The Tensors chapter's questions: broadcasting's result shape, view on a transposed tensor.

A setting names the page's own widget keys (the topic and the shape sliders), so the page can
put the demo exactly where the question is; the answers run core.tensors, which the page draws.
"""

from core import tensors as T
from core.i18n import N_
from core.questions import asked

BROADCAST_CHOICES = ("(3, 4)", "(3, 1)", "(4, 3)", N_("an error: the shapes do not match"))


def shape_of(setting: dict, prefix: str) -> tuple[int, ...]:
    """The shape the page's shape sliders `prefix` hold in `setting` (tensors.shape_input)."""
    nd = setting[f"{prefix}_nd"]
    return tuple(setting[f"{prefix}_{nd}d_{d}"] for d in range(nd))


def _broadcast_shape(setting: dict) -> int:
    result = T.broadcast(shape_of(setting, "bc_a"), shape_of(setting, "bc_b")).result_shape
    if result is None:
        return len(BROADCAST_CHOICES) - 1
    text = str(tuple(result))
    return BROADCAST_CHOICES.index(text) if text in BROADCAST_CHOICES else -1  # -1: none of them


def _view_fails(setting: dict) -> int:
    shape = (setting["view_rows"], setting["view_cols"])
    n = shape[0] * shape[1]
    new = tuple(setting.get(f"view_new_{n}", (n,)))  # the page's default: flatten
    shown = T.view_vs_reshape(shape, new, setting["view_t"])
    return 1 if shown.error else 0


QUESTIONS = [
    asked(
        _broadcast_shape,
        {
            "topic": "broadcasting",
            "bc_a_nd": 2,
            "bc_a_2d_0": 3,
            "bc_a_2d_1": 1,
            "bc_b_nd": 1,
            "bc_b_1d_0": 4,
        },  # fmt: skip
        id="tensors.broadcast_shape",
        chapter="tensors",
        prompt=N_("What is the shape of `torch.zeros(3, 1) + torch.zeros(4)`?"),
        kind="choice",
        choices=BROADCAST_CHOICES,
        explanation=(
            N_(
                "Shapes are lined up from the right: (3, 1) and (4,) become (3, 1) and (1, 4); "
                "each dimension of size 1 stretches to the other's size, giving (3, 4)."
            )
        ),
    ),
    asked(
        _view_fails,
        {"topic": "view", "view_rows": 2, "view_cols": 3, "view_t": True, "view_new_6": (6,)},
        id="tensors.view_transposed",
        chapter="tensors",
        prompt=N_("`x = torch.arange(6).view(2, 3).t()`: what does `x.view(6)` do?"),
        kind="choice",
        choices=(N_("returns the six numbers, flattened"), N_("raises an error")),
        explanation=(
            N_(
                "After `.t()` the rows of x are not next to each other in memory (x is not "
                "contiguous), and `view` never copies, so it cannot flatten them: RuntimeError. "
                "`reshape` copies when it must. With one dimension of size 1 (x of shape 1 × 3) "
                "the transpose moves nothing and `view` works."
            )
        ),
    ),
]
