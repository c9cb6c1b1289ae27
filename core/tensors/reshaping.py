"""Transpose, view vs reshape, squeeze/unsqueeze, expand vs repeat: which share memory."""

from __future__ import annotations

import numpy as np
import torch

from core.i18n import N_, Translate, untranslated
from core.tensors.common import (
    MAX_DIMS,
    Shown,
    check_shape,
    memory_facts,
    print_text,
    shape_args,
    shape_text,
    shares_memory,
)

# ----------------------------------------------------------------------------- transpose

TRANSPOSE_CODE = """import torch
x = torch.arange({n}).reshape({shape})
y = x.transpose({d0}, {d1})
print(y)
print(y.shape, y.stride(), y.is_contiguous())
"""


def transpose(
    shape: tuple[int, ...] = (2, 3),
    d0: int = 0,
    d1: int = 1,
    pick: tuple = (),
    gettext: Translate = untranslated,
) -> Shown:
    """Swap two dims; no copy is made, only the strides change. `pick` follows one cell."""
    _ = gettext
    shape = check_shape(shape, max_dims=3)
    x = torch.arange(int(np.prod(shape))).reshape(shape)
    for d in (d0, d1):
        if not -x.ndim <= d < x.ndim:
            raise ValueError(
                _("dim {dim} is out of range for a {ndim}-d tensor").format(dim=d, ndim=x.ndim)
            )
    y = x.transpose(d0, d1)
    masks = {}
    notes = [f"{shape_text(x.shape)} → transpose({d0}, {d1}) → {shape_text(y.shape)}"]
    if pick:
        pick = tuple(int(p) for p in pick)
        moved = list(pick)
        moved[d0], moved[d1] = moved[d1], moved[d0]
        mx, my = torch.zeros(x.shape, dtype=torch.bool), torch.zeros(y.shape, dtype=torch.bool)
        mx[pick], my[tuple(moved)] = True, True
        masks = {"x": mx, "y": my}
        notes.append(
            _("x[{i}] = {value} is y[{j}]").format(
                i=shape_args(pick), value=x[pick].item(), j=shape_args(tuple(moved))
            )
        )
    return Shown(
        code=TRANSPOSE_CODE.format(n=x.numel(), shape=shape_args(shape), d0=d0, d1=d1),
        printed=print_text(y, f"{y.shape} {y.stride()} {y.is_contiguous()}"),
        headline=f"y = x.transpose({d0}, {d1})",
        tensors={"x": x, "y": y},
        masks=masks,
        facts=memory_facts({"x": x, "y": y}, "x", gettext),
        notes=notes,
    )


# ----------------------------------------------------------------------------- view vs reshape

VIEW_CODE = """import torch
x = torch.arange({n}).reshape({shape}){t}
print(x.is_contiguous())
try:
    v = x.view({new})
    print(v)
except RuntimeError as e:
    print("view failed:", e)
r = x.reshape({new})
print(r)
print(r.data_ptr() == x.data_ptr())
"""

VIEW_HINT = N_(
    "view never copies: it re-reads the same memory with new strides, so the new shape must "
    "fit x's strides. Splitting a dim always works. Merging old dims into one new dim works "
    "only where they lie back to back in memory (stride[i] = stride[i+1] × size[i+1]); dims of "
    "size 1 do not count, as their stride is never used. So after a transpose, flattening with "
    "view refuses when x has at least 2 rows and 2 columns, while reshape quietly makes a copy; "
    "with 1 row or 1 column, view works."
)


def _chunk_ends(size: tuple[int, ...], stride: tuple[int, ...]) -> list[int]:
    """Running cell counts where x's memory stops being back to back (size-1 dims dropped)."""
    dims = [(n, st) for n, st in zip(size, stride, strict=True) if n != 1]
    ends, count = [], 1
    for i, (n, _) in enumerate(dims):
        count *= n
        if i + 1 == len(dims) or dims[i][1] != dims[i + 1][1] * dims[i + 1][0]:
            ends.append(count)
    return ends


def view_fits(size: tuple[int, ...], stride: tuple[int, ...], new: tuple[int, ...]) -> bool:
    """VIEW_HINT's rule: can a tensor of this size and stride be viewed as `new` without a copy?

    Cut x's dims (size 1 dropped) where stride[i] != stride[i+1] * size[i+1]; each cut's
    running cell count must also be a running cell count of the new shape.
    """
    if int(np.prod(size)) != int(np.prod(new)):
        return False
    counts, running = {1}, 1
    for n in new:
        running *= n
        counts.add(running)
    return all(end in counts for end in _chunk_ends(size, stride))


def view_note(x: torch.Tensor, new: tuple[int, ...], gettext: Translate = untranslated) -> str:
    """Why view works or refuses here, in VIEW_HINT's terms, from x's own sizes and strides."""
    _ = gettext
    size, stride = tuple(x.shape), x.stride()
    ones = [d for d, n in enumerate(size) if n == 1]
    head = _("x: size {size}, stride {stride}").format(size=shape_text(size), stride=stride)
    new_text = shape_text(new)
    if len(_chunk_ends(size, stride)) <= 1:
        if ones:
            return _(
                "{head}: all its cells lie back to back in memory (dim {d} has size 1: its "
                "stride {s} is never used), so any shape of {n} cells is a view"
            ).format(head=head, d=ones[0], s=stride[ones[0]], n=x.numel())
        return _(
            "{head}: all its cells lie back to back in memory, so any shape of {n} cells is a view"
        ).format(head=head, n=x.numel())
    if view_fits(size, stride, new):
        return _("{head}: {new} only splits or merges dims that lie back to back").format(
            head=head, new=new_text
        )
    return _("{head}: {new} would regroup dims that are not back to back in memory").format(
        head=head, new=new_text
    )


def factor_shapes(n: int, max_dims: int = 3) -> list[tuple[int, ...]]:
    """Every shape of up to max_dims dims (each size up to 24) whose sizes multiply to n."""
    out: list[tuple[int, ...]] = []

    def grow(prefix: tuple[int, ...], rest: int) -> None:
        if prefix and rest == 1:
            out.append(prefix)
        if len(prefix) == max_dims:
            return
        for s in range(1, min(rest, 24) + 1):
            if rest % s == 0 and (s > 1 or rest == 1 and not prefix):
                grow(prefix + (s,), rest // s)

    grow((), n)
    return sorted(set(out), key=lambda s: (len(s), s))


def view_vs_reshape(
    shape: tuple[int, ...] = (2, 3),
    new_shape: tuple[int, ...] = (6,),
    transposed: bool = False,
    gettext: Translate = untranslated,
) -> Shown:
    """x.view(new) next to x.reshape(new); view fails where new does not fit x's strides."""
    _ = gettext
    shape = check_shape(shape, max_dims=2)
    n = int(np.prod(shape))
    new_shape = tuple(int(s) for s in new_shape)
    if int(np.prod(new_shape)) != n:
        raise ValueError(
            _("shape {shape} does not hold {n} cells").format(shape=shape_text(new_shape), n=n)
        )
    x = torch.arange(n).reshape(shape)
    if transposed:
        if len(shape) != 2:
            raise ValueError(_("the transposed case needs a matrix"))
        x = x.t()
    tensors = {"x": x}
    error = None
    printed = [x.is_contiguous()]
    try:
        v = x.view(new_shape)
        tensors["v = x.view(...)"] = v
        printed.append(v)
    except RuntimeError as e:
        error = str(e)
        printed.append(f"view failed: {e}")
    r = x.reshape(new_shape)
    tensors["r = x.reshape(...)"] = r
    printed += [r, r.data_ptr() == x.data_ptr()]
    copied = not shares_memory(r, x)
    contiguous = _("x is contiguous") if x.is_contiguous() else _("x is not contiguous")
    made = (
        _("reshape made a copy")
        if copied
        else _("reshape returned a view of the same memory (no copy)")
    )
    notes = [
        _("{contiguous}; {reshape}").format(contiguous=contiguous, reshape=made),
        view_note(x, new_shape, gettext),
    ]
    return Shown(
        code=VIEW_CODE.format(
            n=n, shape=shape_args(shape), t=".t()" if transposed else "", new=shape_args(new_shape)
        ),
        printed=print_text(*printed),
        headline=f"x.view({shape_args(new_shape)})  vs  x.reshape({shape_args(new_shape)})",
        tensors=tensors,
        facts=memory_facts(
            {"x": x, "r": r} | ({"v": tensors["v = x.view(...)"]} if error is None else {}),
            "x",
            gettext,
        ),
        notes=notes,
        error=error,
    )


# ----------------------------------------------------------------------------- squeeze

SQUEEZE_CODE = """import torch
x = torch.arange({n}).reshape({shape})
y = {call}
print(x.shape, "->", y.shape)
print(y)
"""


def squeeze_unsqueeze(
    shape: tuple[int, ...] = (2, 1, 3),
    op: str = "squeeze",
    dim: int | None = 1,
    gettext: Translate = untranslated,
) -> Shown:
    """squeeze removes size-1 dims (all, or the one named); unsqueeze inserts one at `dim`."""
    _ = gettext
    shape = check_shape(shape, max_dims=MAX_DIMS)
    x = torch.arange(int(np.prod(shape))).reshape(shape)
    if op == "squeeze":
        if dim is not None and not -x.ndim <= dim < max(x.ndim, 1):
            raise ValueError(
                _("dim {dim} is out of range for a {ndim}-d tensor").format(dim=dim, ndim=x.ndim)
            )
        call = "x.squeeze()" if dim is None else f"x.squeeze({dim})"
        y = x.squeeze() if dim is None else x.squeeze(dim)
    elif op == "unsqueeze":
        if dim is None or not -x.ndim - 1 <= dim <= x.ndim:
            raise ValueError(
                _("unsqueeze needs a dim from {low} to {high}").format(low=-x.ndim - 1, high=x.ndim)
            )
        if x.ndim + 1 > MAX_DIMS:
            raise ValueError(_("the result would have more than {n} dims").format(n=MAX_DIMS))
        call, y = f"x.unsqueeze({dim})", x.unsqueeze(dim)
    else:
        raise ValueError(_("unknown operation {op}").format(op=repr(op)))
    note = f"{shape_text(x.shape)} → {call[2:]} → {shape_text(y.shape)}"
    if op == "squeeze" and y.shape == x.shape:
        note = _("{note}: nothing to remove (squeeze only drops dims of size 1)").format(note=note)
    return Shown(
        code=SQUEEZE_CODE.format(n=x.numel(), shape=shape_args(shape) or "()", call=call),
        printed=print_text(f"{x.shape} -> {y.shape}", y),
        headline=f"y = {call}",
        tensors={"x": x, "y": y},
        notes=[note, _("The numbers and their order never change: only the shape does.")],
    )


# ----------------------------------------------------------------------------- expand vs repeat

EXPAND_CODE = """import torch
x = torch.arange(1, {r1}).reshape({rows}, 1)
e = x.expand({rows}, {times})   # no copy: stride 0 along dim 1
r = x.repeat(1, {times})        # a real copy
try:
    {write} = {value}
except RuntimeError as err:
    print("write failed:", err)
print(x)
print(e)
print(r)
"""

WRITES = ("x[0, 0]", "e[0, 0]", "r[0, 0]", "e[0]")


def expand_vs_repeat(
    rows: int = 3,
    times: int = 4,
    write: str = "x[0, 0]",
    value: int = 100,
    gettext: Translate = untranslated,
) -> Shown:
    """expand shares x's memory (stride 0), repeat copies: write into one and see who changes."""
    _ = gettext
    check_shape((rows, times))
    if write not in WRITES:
        raise ValueError(_("unknown write {write}").format(write=repr(write)))
    x = torch.arange(1, rows + 1).reshape(rows, 1)
    e = x.expand(rows, times)
    r = x.repeat(1, times)
    before = {"x": x.clone(), "e": e.clone(), "r": r.clone()}
    target = {"x": x, "e": e, "r": r}[write[0]]
    error = None
    try:
        if write == "e[0]":
            target[0] = value
        else:
            target[0, 0] = value
    except RuntimeError as err:
        error = str(err)
    live = {"x": x, "e": e, "r": r}
    masks = {k: live[k] != before[k] for k in live}
    changed = [k for k in live if masks[k].any()]
    prints = ([f"write failed: {error}"] if error else []) + [x, e, r]
    assignment = f"{write} = {value}"
    if not changed:
        note = _("after `{assignment}`: nothing changed")
    elif error:
        note = _("after `{assignment}`: {names} changed")
    else:
        note = _("after `{assignment}`: {names} changed; the changed cells are outlined")
    notes = [note.format(assignment=assignment, names=", ".join(changed))]
    return Shown(
        code=EXPAND_CODE.format(r1=rows + 1, rows=rows, times=times, write=write, value=value),
        printed=print_text(*prints),
        headline=f"{write} = {value}",
        tensors={"x": x, "e = x.expand(...)": e, "r = x.repeat(...)": r},
        masks={"x": masks["x"], "e = x.expand(...)": masks["e"], "r = x.repeat(...)": masks["r"]},
        facts=memory_facts(live, "x", gettext),
        notes=notes,
        error=error,
    )
