"""Ranks (scalar to 4-d) and the ways to create a tensor."""

from __future__ import annotations

import numpy as np
import torch

from core.i18n import N_, Translate, untranslated
from core.tensors.common import (
    Shown,
    check_shape,
    print_text,
    seeded,
    shape_args,
    shape_text,
)

# ----------------------------------------------------------------------------- ranks

RANK_CODE = """import torch
x = {make}
print(x)
print(x.shape, x.ndim, x.dtype)
"""

RANK_NAMES = {
    0: N_("scalar"),
    1: N_("vector"),
    2: N_("matrix"),
    3: N_("3-d tensor"),
    4: N_("4-d tensor"),
}


def ranks(shape: tuple[int, ...], gettext: Translate = untranslated) -> Shown:
    """A scalar, vector, matrix or n-d tensor of the given shape, filled 0, 1, 2, ..."""
    _ = gettext
    shape = check_shape(shape)
    if not shape:
        x = torch.tensor(7)
        make = "torch.tensor(7)"
    else:
        x = torch.arange(int(np.prod(shape))).reshape(shape)
        make = f"torch.arange({x.numel()}).reshape({shape_args(shape)})"
    code = RANK_CODE.format(make=make)
    return Shown(
        code=code,
        printed=print_text(x, f"{x.shape} {x.ndim} {x.dtype}"),
        headline=f"x = {make}",
        tensors={"x": x},
        notes=[
            _("a {kind}: {ndim} dims, shape {shape}, {n} numbers").format(
                kind=_(RANK_NAMES[x.ndim]), ndim=x.ndim, shape=shape_text(x.shape), n=x.numel()
            )
        ],
    )


# ----------------------------------------------------------------------------- creation

CREATE_CODE = """import torch
{seed}x = {call}
print(x)
"""

CREATORS = ("zeros", "ones", "eye", "full", "rand", "randn", "randint", "arange", "randperm")
RANDOM_CREATORS = {"rand", "randn", "randint", "randperm"}


def create(
    kind: str,
    shape: tuple[int, ...] = (2, 3),
    seed: int = 0,
    value: float = 7.0,
    low: int = 0,
    high: int = 10,
    start: int = 0,
    end: int = 6,
    step: int = 1,
    n: int = 5,
    gettext: Translate = untranslated,
) -> Shown:
    """Make a tensor with one of torch's creation functions (random ones seeded)."""
    _ = gettext
    if kind not in CREATORS:
        raise ValueError(_("unknown creation function {kind}").format(kind=repr(kind)))
    g = seeded(seed)
    if kind in ("zeros", "ones", "rand", "randn", "full", "randint"):
        shape = check_shape(shape, max_dims=3)
    if kind == "zeros":
        x, call = torch.zeros(shape), f"torch.zeros({shape_args(shape)})"
    elif kind == "ones":
        x, call = torch.ones(shape), f"torch.ones({shape_args(shape)})"
    elif kind == "rand":
        x, call = torch.rand(shape, generator=g), f"torch.rand({shape_args(shape)})"
    elif kind == "randn":
        x, call = torch.randn(shape, generator=g), f"torch.randn({shape_args(shape)})"
    elif kind == "full":
        value = float(value)
        x, call = torch.full(shape, value), f"torch.full({shape_text(shape)}, {value!r})"
    elif kind == "randint":
        if low >= high:
            raise ValueError(
                _("randint needs low < high, got low={low}, high={high}").format(low=low, high=high)
            )
        x = torch.randint(int(low), int(high), shape, generator=g)
        call = f"torch.randint({int(low)}, {int(high)}, {shape_text(shape)})"
    elif kind == "eye":
        rows, cols = check_shape(shape[:2] if len(shape) >= 2 else (shape[0], shape[0]))
        x, call = torch.eye(rows, cols), f"torch.eye({rows}, {cols})"
    elif kind == "arange":
        if step == 0:
            raise ValueError(_("arange needs a non-zero step"))
        count = len(range(int(start), int(end), int(step)))
        if count < 1 or count > 24:
            raise ValueError(
                _("arange({start}, {end}, {step}) gives {count} numbers; keep it 1 to 24").format(
                    start=start, end=end, step=step, count=count
                )
            )
        x, call = (
            torch.arange(int(start), int(end), int(step)),
            f"torch.arange({start}, {end}, {step})",
        )
    else:  # randperm
        if not 1 <= n <= 24:
            raise ValueError(_("randperm needs 1 <= n <= 24"))
        x, call = torch.randperm(int(n), generator=g), f"torch.randperm({int(n)})"
    seed_line = f"torch.manual_seed({int(seed)})\n" if kind in RANDOM_CREATORS else ""
    return Shown(
        code=CREATE_CODE.format(seed=seed_line, call=call),
        printed=print_text(x),
        headline=f"x = {call}",
        tensors={"x": x},
        notes=[_("shape {shape}, dtype {dtype}").format(shape=shape_text(x.shape), dtype=x.dtype)],
    )
