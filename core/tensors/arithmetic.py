"""Element-wise arithmetic, the products (*, @, mm, matmul, dot) and reductions."""

from __future__ import annotations

import numpy as np
import torch
from torch import Tensor

from core.i18n import Translate, untranslated
from core.tensors.common import (
    Shown,
    cells_mask,
    check_shape,
    print_text,
    seeded,
    shape_args,
    shape_text,
)

# ----------------------------------------------------------------------------- arithmetic

ELEMENTWISE_CODE = """import torch
a = torch.arange(1., {n1}).reshape({shape})
b = torch.tensor({b})
c = a {op} b
print(c)
"""

ELEMENTWISE_OPS = ("+", "-", "*", "/", "**")


def elementwise(
    op: str, shape: tuple[int, ...] = (2, 3), seed: int = 0, gettext: Translate = untranslated
) -> Shown:
    """a (op) b cell by cell: both tensors have the same shape."""
    _ = gettext
    if op not in ELEMENTWISE_OPS:
        raise ValueError(_("unknown operator {op}").format(op=repr(op)))
    shape = check_shape(shape, max_dims=3)
    n = int(np.prod(shape))
    a = torch.arange(1.0, n + 1).reshape(shape)
    b = torch.randint(0, 4, shape, generator=seeded(seed)).float()
    c = {"+": a + b, "-": a - b, "*": a * b, "/": a / b, "**": a**b}[op]
    notes = [
        _("{a} {op} {b} → {c}: cell by cell").format(
            a=shape_text(a.shape), op=op, b=shape_text(b.shape), c=shape_text(c.shape)
        )
    ]
    if not torch.isfinite(c).all():
        notes.append(_("Some cells are inf or nan: dividing by 0 gives inf in floating point."))
    return Shown(
        code=ELEMENTWISE_CODE.format(n1=f"{n + 1}.", shape=shape_args(shape), b=b.tolist(), op=op),
        printed=print_text(c),
        headline=f"c = a {op} b",
        tensors={"a": a, "b": b, f"c = a {op} b": c},
        notes=notes,
    )


PRODUCT_CODE = {
    "dot": """import torch
a = torch.arange(1., {n1})
b = torch.tensor({b})
print(a * b)
c = torch.dot(a, b)
print(c)
""",
    "outer": """import torch
a = torch.arange(1., {n1})
b = torch.tensor({b})
c = torch.outer(a, b)
print(c)
""",
    "mm": """import torch
a = torch.arange(1., {n1}).reshape({sa})
b = torch.tensor({b})
c = torch.mm(a, b)
print(c)
""",
    "@": """import torch
a = torch.arange(1., {n1}).reshape({sa})
b = torch.tensor({b})
c = a @ b
print(c.shape)
print(c)
""",
}
PRODUCTS = tuple(PRODUCT_CODE)


def product(
    kind: str,
    n: int = 2,
    k: int = 3,
    m: int = 2,
    batch: int = 2,
    pick: tuple[int, ...] = (),
    seed: int = 0,
    gettext: Translate = untranslated,
) -> Shown:
    """dot, outer, mm or batched @; `pick` chooses an output cell whose inputs get highlighted."""
    _ = gettext
    if kind not in PRODUCTS:
        raise ValueError(_("unknown product {kind}").format(kind=repr(kind)))
    for s in (n, k, m, batch):
        check_shape((s,))
    g = seeded(seed)
    if kind == "dot":
        sa, sb = (k,), (k,)
    elif kind == "outer":
        sa, sb = (n,), (m,)
    elif kind == "mm":
        sa, sb = (n, k), (k, m)
    else:
        sa, sb = (batch, n, k), (batch, k, m)
    na = int(np.prod(sa))
    a = torch.arange(1.0, na + 1).reshape(sa)
    b = torch.randint(-2, 3, sb, generator=g).float()
    code = PRODUCT_CODE[kind].format(n1=f"{na + 1}.", sa=shape_args(sa), b=b.tolist())
    masks: dict[str, Tensor] = {}
    if kind == "dot":
        c = torch.dot(a, b)
        printed = print_text(a * b, c)
        headline = "c = torch.dot(a, b)"
        tensors = {"a": a, "b": b, "a * b": a * b, "c = torch.dot(a, b)": c}
        notes = [
            _("({k},) · ({k},) → (): multiply cell by cell, then add up: {c}").format(
                k=k, c=f"{c.item():g}"
            )
        ]
        return Shown(code, printed, headline, tensors, notes=notes)
    if kind == "outer":
        c = torch.outer(a, b)
        headline = "c = torch.outer(a, b)"
        notes = [f"({n},) outer ({m},) → {shape_text(c.shape)}: c[i, j] = a[i] * b[j]"]
    elif kind == "mm":
        c = torch.mm(a, b)
        headline = "c = torch.mm(a, b)"
        notes = [
            _("{a} @ {b} → {c}: inner sizes ({k}) must match").format(
                a=shape_text(sa), b=shape_text(sb), c=shape_text(c.shape), k=k
            )
        ]
    else:
        c = a @ b
        headline = "c = a @ b"
        notes = [
            _(
                "{a} @ {b} → {c}: {batch} matrix products side by side "
                "(batch dim 0 kept, ({n}, {k}) @ ({k}, {m}) in each)"
            ).format(
                a=shape_text(sa),
                b=shape_text(sb),
                c=shape_text(c.shape),
                batch=batch,
                n=n,
                k=k,
                m=m,
            )
        ]
    printed = print_text(c.shape, c) if kind == "@" else print_text(c)
    if pick:
        pick = tuple(int(p) for p in pick)
        if len(pick) != c.ndim or any(not 0 <= p < s for p, s in zip(pick, c.shape, strict=True)):
            raise ValueError(
                _("cell {pick} is not inside the result of shape {shape}").format(
                    pick=pick, shape=shape_text(c.shape)
                )
            )
        ma, mb, mc = (torch.zeros(t.shape, dtype=torch.bool) for t in (a, b, c))
        mc[pick] = True
        if kind == "outer":
            ma[pick[0]] = True
            mb[pick[1]] = True
            notes.append(
                f"c[{pick[0]}, {pick[1]}] = a[{pick[0]}] * b[{pick[1]}] = {c[pick].item():g}"
            )
        else:
            *bi, i, j = pick
            ma[(*bi, i)] = True
            mb[(*bi, slice(None), j)] = True
            row, col = a[(*bi, i)], b[(*bi, slice(None), j)]
            terms = " + ".join(
                f"{x:g}·{y:g}" for x, y in zip(row.tolist(), col.tolist(), strict=True)
            )
            where = ", ".join(str(p) for p in pick)
            notes.append(
                _("c[{where}] = row {i} of a · column {j} of b = {terms} = {c}").format(
                    where=where, i=i, j=j, terms=terms, c=f"{c[pick].item():g}"
                )
            )
        masks = {"a": ma, "b": mb, headline: mc}
    return Shown(code, printed, headline, {"a": a, "b": b, headline: c}, masks=masks, notes=notes)


# ----------------------------------------------------------------------------- reductions

REDUCE_CODE = """import torch
torch.manual_seed({seed})
x = torch.randint(0, 10, {shape}).float()
print(x)
print({call})
"""

REDUCTIONS = ("sum", "mean", "max")


def reduce(
    op: str,
    shape: tuple[int, ...] = (2, 3),
    dim: int | None = 1,
    keepdim: bool = False,
    seed: int = 0,
    gettext: Translate = untranslated,
) -> Shown:
    """sum / mean / max over every cell or along one dim (keepdim keeps it as size 1)."""
    _ = gettext
    if op not in REDUCTIONS:
        raise ValueError(_("unknown reduction {op}").format(op=repr(op)))
    shape = check_shape(shape, max_dims=3)
    x = torch.randint(0, 10, shape, generator=seeded(seed)).float()
    if dim is not None and not -x.ndim <= dim < x.ndim:
        raise ValueError(
            _("dim {dim} is out of range for a {ndim}-d tensor").format(dim=dim, ndim=x.ndim)
        )
    masks: dict[str, Tensor] = {}
    if dim is None:
        call = f"x.{op}()"
        y = getattr(x, op)()
        result: object = y
        tensors = {"x": x, call: y}
        if op == "max":
            masks["x"] = x == y
        notes = [
            _("{shape} → {op} of all {n} cells → shape ()").format(
                shape=shape_text(x.shape), op=op, n=x.numel()
            )
        ]
    else:
        call = f"x.{op}(dim={dim}" + (", keepdim=True)" if keepdim else ")")
        result = getattr(x, op)(dim=dim, keepdim=keepdim)
        if op == "max":
            y, idx = result.values, result.indices
            tensors = {"x": x, f"{call}.values": y, f"{call}.indices": idx}
            picked = (
                torch.arange(x.numel())
                .reshape(x.shape)
                .gather(dim, idx if keepdim else idx.unsqueeze(dim))
            )
            masks["x"] = cells_mask(x.shape, picked)
        else:
            y = result
            tensors = {"x": x, call: y}
        kept = _("kept as size 1") if keepdim else _("removed")
        notes = [
            _("{before} → {op} along dim {dim} ({kept}) → {after}").format(
                before=shape_text(x.shape), op=op, dim=dim, kept=kept, after=shape_text(y.shape)
            )
        ]
    return Shown(
        code=REDUCE_CODE.format(seed=int(seed), shape=shape_text(shape), call=call),
        printed=print_text(x, result),
        headline=f"y = {call}",
        tensors=tensors,
        masks=masks,
        notes=notes,
    )
