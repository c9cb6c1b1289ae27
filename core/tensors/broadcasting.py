"""Broadcasting: the rule, dimension by dimension, and what it makes."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
from torch import Tensor

from core.i18n import Translate, untranslated
from core.tensors.common import (
    Shown,
    check_shape,
    print_text,
    shape_args,
    shape_text,
)

# ----------------------------------------------------------------------------- broadcasting

BROADCAST_CODE = """import torch
a = torch.arange({na}).reshape({sa})
b = torch.arange({nb}).reshape({sb}) * 10
try:
    c = a + b
    print(c.shape)
    print(c)
except RuntimeError as err:
    print("cannot broadcast:", err)
"""


@dataclass
class Broadcast:
    """How two shapes line up right-aligned, the result shape or the reason it fails."""

    shown: Shown
    table: list[dict]  # one row per aligned dim, from the left
    result_shape: tuple[int, ...] | None
    stretched_a: list[int]  # result dims along which a is repeated
    stretched_b: list[int]


def broadcast_table(
    sa: tuple[int, ...], sb: tuple[int, ...], gettext: Translate = untranslated
) -> tuple[list[dict], tuple | None, str | None]:
    """Right-align two shapes and decide, dim by dim, the result size or the clash."""
    _ = gettext
    missing = _(" (missing dim counts as 1)")
    nd = max(len(sa), len(sb))
    pa, pb = (None,) * (nd - len(sa)) + tuple(sa), (None,) * (nd - len(sb)) + tuple(sb)
    rows, out, error = [], [], None
    for d, (x, y) in enumerate(zip(pa, pb, strict=True)):
        xa, yb = 1 if x is None else x, 1 if y is None else y
        if xa == yb:
            size, rule = xa, _("equal")
        elif xa == 1:
            size, rule = yb, _("a is stretched") + (missing if x is None else "")
        elif yb == 1:
            size, rule = xa, _("b is stretched") + (missing if y is None else "")
        else:
            size, rule = None, _("✗ {a} vs {b}: neither is 1").format(a=xa, b=yb)
            error = error or _(
                "Shapes {sa} and {sb} do not broadcast: lined up from the right, "
                "dim {d} (counted from the left of the result) has sizes {a} and {b}; "
                "sizes must be equal or one of them must be 1."
            ).format(sa=shape_text(sa), sb=shape_text(sb), d=d, a=xa, b=yb)
        rows.append(
            {
                _("dim"): d,
                "a": "" if x is None else str(x),
                "b": "" if y is None else str(y),
                _("result"): "✗" if size is None else str(size),
                _("rule"): rule,
            }
        )
        out.append(size)
    return rows, (None if error else tuple(out)), error


def broadcast(
    sa: tuple[int, ...] = (3, 1), sb: tuple[int, ...] = (4,), gettext: Translate = untranslated
) -> Broadcast:
    """a + b under broadcasting: the alignment, the stretched dims and the repeated cells."""
    _ = gettext
    sa, sb = check_shape(sa, max_dims=3), check_shape(sb, max_dims=3)
    a = torch.arange(int(np.prod(sa))).reshape(sa)
    b = torch.arange(int(np.prod(sb))).reshape(sb) * 10
    table, out, error = broadcast_table(sa, sb, gettext)
    code = BROADCAST_CODE.format(
        na=a.numel(), sa=shape_args(sa) or "()", nb=b.numel(), sb=shape_args(sb) or "()"
    )
    if error:
        try:
            a + b
        except RuntimeError as err:
            torch_msg = str(err)
        shown = Shown(
            code=code,
            printed=print_text(f"cannot broadcast: {torch_msg}"),
            headline="c = a + b",
            tensors={"a": a, "b": b},
            notes=[_("PyTorch says: {message}").format(message=torch_msg)],
            error=error,
        )
        return Broadcast(shown, table, None, [], [])
    c = a + b
    ea, eb = a.expand(out), b.expand(out)

    def copies(t: Tensor) -> tuple[Tensor, list[int]]:
        """Mask of cells in the expanded tensor that are repeats, and the stretched dims."""
        pad = (1,) * (len(out) - t.ndim) + tuple(t.shape)
        dims = [d for d, (s, o) in enumerate(zip(pad, out, strict=True)) if s == 1 and o > 1]
        grid = torch.zeros(out, dtype=torch.bool)
        for d in dims:
            shape = [1] * len(out)
            shape[d] = out[d]
            grid |= (torch.arange(out[d]) > 0).reshape(shape).expand(out)
        return grid, dims

    ma, da = copies(a)
    mb, db = copies(b)
    name_a = _("a stretched to {out}").format(out=shape_text(out))
    name_b = _("b stretched to {out}").format(out=shape_text(out))
    shown = Shown(
        code=code,
        printed=print_text(c.shape, c),
        headline="c = a + b",
        tensors={"a": a, "b": b, name_a: ea, name_b: eb, "c = a + b": c},
        masks={name_a: ma, name_b: mb},
        notes=[
            f"{shape_text(sa)} + {shape_text(sb)} → {shape_text(out)}",
            _(
                "Outlined cells are repeats: broadcasting reads the same memory again (stride 0), "
                "nothing is copied."
            ),
        ],
    )
    return Broadcast(shown, table, tuple(out), da, db)
