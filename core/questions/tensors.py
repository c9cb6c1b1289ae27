"""The Tensors chapter's questions."""

import torch

from core.questions import Question


def _broadcast_rows() -> int:
    shape = (torch.zeros(3, 1) + torch.zeros(4)).shape
    return [(3, 4), (3, 1), (4, 3)].index(tuple(shape))


QUESTIONS = [
    Question(
        id="tensors.broadcast_shape",
        chapter="tensors",
        prompt="What is the shape of `torch.zeros(3, 1) + torch.zeros(4)`?",
        kind="choice",
        choices=("(3, 4)", "(3, 1)", "(4, 3)"),
        explanation=(
            "Shapes are lined up from the right: (3, 1) and (4,) become (3, 1) and (1, 4); "
            "each dimension of size 1 stretches to the other's size, giving (3, 4)."
        ),
        compute=_broadcast_rows,
        setting={"topic": "broadcasting", "a": (3, 1), "b": (4,)},
    ),
]
