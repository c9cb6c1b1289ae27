"""Indexing and slicing, cat and stack, gather."""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import torch

from core.i18n import Translate, untranslated
from core.tensors.common import (
    MAX_SIZE,
    Shown,
    cells_mask,
    check_shape,
    print_text,
    seeded,
    shape_args,
    shape_text,
)

# ----------------------------------------------------------------------------- indexing

INDEX_CODE = """import torch
x = torch.arange({n}).reshape({shape})
y = x[{key}]
print(y)
print(y.shape)
"""

_INT = re.compile(r"[+-]?\d{1,3}")
IndexKey = tuple


def _int(text: str, what: str, gettext: Translate = untranslated) -> int:
    if not _INT.fullmatch(text):
        raise ValueError(
            gettext("{what}: expected a whole number like 2 or -1, got {text}").format(
                what=what, text=repr(text)
            )
        )
    return int(text)


def parse_index(text: str, gettext: Translate = untranslated) -> IndexKey:
    """Read an index like `1:3, ::2`, `-1`, `..., 0`, `None` or `[0, 2]` without eval."""
    _ = gettext
    text = text.strip()
    if len(text) > 60:
        raise ValueError(_("the index is too long (60 characters at most)"))
    if text.startswith("x[") and text.endswith("]"):
        text = text[2:-1].strip()
    if not text:
        raise ValueError(_("type an index, for example 1:3, ::2"))
    parts, depth, cur = [], 0, ""
    for ch in text:
        if ch == "[":
            depth += 1
            if depth > 1:
                raise ValueError(_("lists inside lists are not supported"))
        elif ch == "]":
            depth -= 1
            if depth < 0:
                raise ValueError(_("a ']' has no matching '['"))
        if ch == "," and depth == 0:
            parts.append(cur)
            cur = ""
        else:
            cur += ch
    if depth:
        raise ValueError(_("a '[' is never closed"))
    parts.append(cur)
    key: list = []
    for raw in parts:
        p = raw.strip()
        if not p:
            raise ValueError(_("an entry between commas is empty"))
        if p == "...":
            if any(k is Ellipsis for k in key):
                raise ValueError(_("'...' may appear only once"))
            key.append(Ellipsis)
        elif p == "None":
            key.append(None)
        elif p.startswith("[") and p.endswith("]"):
            items = [s.strip() for s in p[1:-1].split(",")]
            if not items or items == [""] or len(items) > MAX_SIZE:
                raise ValueError(
                    _("a list index needs 1 to {n} numbers, like [0, 2]").format(n=MAX_SIZE)
                )
            key.append([_int(s, _("list entry"), gettext) for s in items])
        elif ":" in p:
            pieces = [s.strip() for s in p.split(":")]
            if len(pieces) > 3:
                raise ValueError(
                    _("{slice}: a slice has at most two colons (start:stop:step)").format(
                        slice=repr(p)
                    )
                )
            what = _("slice {slice}").format(slice=repr(p))
            nums = [None if s == "" else _int(s, what, gettext) for s in pieces]
            start, stop = nums[0], nums[1]
            step = nums[2] if len(nums) == 3 else None
            if step == 0:
                raise ValueError(_("a slice step cannot be zero"))
            if step is not None and step < 0:
                raise ValueError(_("PyTorch slices need a positive step (torch.flip reverses)"))
            key.append(slice(start, stop, step))
        else:
            key.append(
                _int(
                    p,
                    _(
                        "expected a number, a slice like 1:3 or ::2, '...', None or a list "
                        "like [0, 2];"
                    ),
                    gettext,
                )
            )
    return tuple(key)


def format_index(key: IndexKey) -> str:
    """The canonical text of a parsed index, as it would be written inside x[...]."""

    def one(k: object) -> str:
        if k is Ellipsis:
            return "..."
        if k is None:
            return "None"
        if isinstance(k, slice):
            s = (
                ("" if k.start is None else str(k.start))
                + ":"
                + ("" if k.stop is None else str(k.stop))
            )
            return s + (f":{k.step}" if k.step is not None else "")
        if isinstance(k, list):
            return "[" + ", ".join(str(v) for v in k) + "]"
        return str(k)

    return ", ".join(one(k) for k in key)


def index(
    shape: tuple[int, ...] = (4, 5), text: str = "1:3, ::2", gettext: Translate = untranslated
) -> Shown:
    """x[text] with the chosen cells of x highlighted; bad indices raise a readable ValueError."""
    _ = gettext
    shape = check_shape(shape, max_dims=3)
    key = parse_index(text, gettext)
    x = torch.arange(int(np.prod(shape))).reshape(shape)
    try:
        y = x[key]
    except (IndexError, RuntimeError, TypeError) as err:
        raise ValueError(
            _("x[{key}] does not work on shape {shape}: {error}").format(
                key=format_index(key), shape=shape_text(shape), error=err
            )
        ) from None
    mask = cells_mask(x.shape, y)  # x holds 0..n-1, so y's values are the flat positions
    k = format_index(key)
    return Shown(
        code=INDEX_CODE.format(n=x.numel(), shape=shape_args(shape), key=k),
        printed=print_text(y, y.shape),
        headline=f"y = x[{k}]",
        tensors={"x": x, f"y = x[{k}]": y},
        masks={"x": mask},
        notes=[
            _("{picked} of {n} cells selected; result shape {shape}").format(
                picked=int(mask.sum()), n=x.numel(), shape=shape_text(y.shape)
            ),
            _("Basic slicing returns a view (shares memory); list indices return a copy.")
            if not any(isinstance(k_, list) for k_ in key)
            else _("A list index is 'advanced indexing': the result is a copy."),
        ],
    )


# ----------------------------------------------------------------------------- cat and stack

CAT_CODE = """import torch
a = torch.arange({na}).reshape({sa})
b = torch.arange(100, {nb}).reshape({sb})
c = torch.{op}([a, b], dim={dim})
print(c.shape)
print(c)
"""


def cat_stack(
    op: str = "cat",
    shape: tuple[int, int] = (2, 3),
    dim: int = 0,
    b_size: int | None = None,
    gettext: Translate = untranslated,
) -> Shown:
    """torch.cat joins along an existing dim; torch.stack adds a new one. Cells from b are outlined."""
    _ = gettext
    if op not in ("cat", "stack"):
        raise ValueError(_("unknown operation {op}").format(op=repr(op)))
    shape = check_shape(shape, max_dims=2)
    ndim_out = len(shape) + (op == "stack")
    if not -ndim_out <= dim < ndim_out:
        raise ValueError(
            _("dim {dim} is out of range for {op} of {ndim}-d tensors").format(
                dim=dim, op=op, ndim=len(shape)
            )
        )
    sb = list(shape)
    if op == "cat" and b_size is not None:
        sb[dim] = int(b_size)
    sb = check_shape(tuple(sb))
    a = torch.arange(int(np.prod(shape))).reshape(shape)
    b = torch.arange(100, 100 + int(np.prod(sb))).reshape(sb)
    c = torch.cat([a, b], dim=dim) if op == "cat" else torch.stack([a, b], dim=dim)
    if op == "cat":
        note = _("cat {a} and {b} along dim {dim} → {c}").format(
            a=shape_text(a.shape), b=shape_text(b.shape), dim=dim, c=shape_text(c.shape)
        )
    else:
        note = _("stack two {a} along a new dim {dim} → {c}").format(
            a=shape_text(a.shape), dim=dim, c=shape_text(c.shape)
        )
    return Shown(
        code=CAT_CODE.format(
            na=a.numel(),
            sa=shape_args(shape),
            nb=100 + b.numel(),
            sb=shape_args(sb),
            op=op,
            dim=dim,
        ),
        printed=print_text(c.shape, c),
        headline=f"c = torch.{op}([a, b], dim={dim})",
        tensors={"a": a, "b": b, f"c = torch.{op}([a, b], dim={dim})": c},
        masks={
            "b": torch.ones(b.shape, dtype=torch.bool),
            f"c = torch.{op}([a, b], dim={dim})": c >= 100,
        },
        notes=[note, _("Outlined: the cells that came from b.")],
    )


# ----------------------------------------------------------------------------- gather

GATHER_CODE = """import torch
x = torch.arange({n}).reshape({shape}) * 10
index = torch.tensor({index})
y = torch.gather(x, {dim}, index)
print(y)
"""


@dataclass
class Gathered:
    """torch.gather's result and, for every output cell, the source cell it was read from."""

    shown: Shown
    sources: list[tuple[tuple[int, ...], tuple[int, ...]]]  # (output cell, source cell)


def gather(
    shape: tuple[int, int] = (3, 4),
    dim: int = 1,
    picks: int = 2,
    seed: int = 0,
    gettext: Translate = untranslated,
) -> Gathered:
    """y[i][j] = x[index[i][j]][j] (dim 0) or x[i][index[i][j]] (dim 1), with a seeded index."""
    _ = gettext
    shape = check_shape(shape, max_dims=2)
    if len(shape) != 2 or dim not in (0, 1):
        raise ValueError(_("gather here works on a matrix with dim 0 or 1"))
    x = torch.arange(int(np.prod(shape))).reshape(shape) * 10
    ishape = list(shape)
    ishape[dim] = int(picks)
    ishape = check_shape(tuple(ishape))
    idx = torch.randint(0, shape[dim], ishape, generator=seeded(seed))
    y = torch.gather(x, dim, idx)
    sources = []
    labels = np.empty(y.shape, dtype=object)
    for out in np.ndindex(*y.shape):
        src = list(out)
        src[dim] = int(idx[out])
        sources.append((out, tuple(src)))
        labels[out] = f"{int(y[out])}\n←({src[0]},{src[1]})"
    picked = torch.tensor([s[0] * shape[1] + s[1] for _cell, s in sources])
    rule = "x[index[i][j]][j]" if dim == 0 else "x[i][index[i][j]]"
    shown = Shown(
        code=GATHER_CODE.format(n=x.numel(), shape=shape_args(shape), index=idx.tolist(), dim=dim),
        printed=print_text(y),
        headline=f"y = torch.gather(x, {dim}, index)",
        tensors={"x": x, "index": idx, f"y = torch.gather(x, {dim}, index)": y},
        masks={"x": cells_mask(x.shape, picked)},
        labels={f"y = torch.gather(x, {dim}, index)": labels},
        notes=[
            (
                _("y[i][j] = {rule}: index says which row to read; y has index's shape {shape}")
                if dim == 0
                else _(
                    "y[i][j] = {rule}: index says which column to read; y has index's shape {shape}"
                )
            ).format(rule=rule, shape=shape_text(idx.shape)),
            _("Each cell of y shows its value and ← the (row, column) of x it came from."),
        ],
    )
    return Gathered(shown, sources)
