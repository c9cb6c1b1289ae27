"""Indexing and slicing, cat and stack, gather."""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import torch

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


def _int(text: str, what: str) -> int:
    if not _INT.fullmatch(text):
        raise ValueError(f"{what}: expected a whole number like 2 or -1, got {text!r}")
    return int(text)


def parse_index(text: str) -> IndexKey:
    """Read an index like `1:3, ::2`, `-1`, `..., 0`, `None` or `[0, 2]` without eval."""
    text = text.strip()
    if len(text) > 60:
        raise ValueError("the index is too long (60 characters at most)")
    if text.startswith("x[") and text.endswith("]"):
        text = text[2:-1].strip()
    if not text:
        raise ValueError("type an index, for example 1:3, ::2")
    parts, depth, cur = [], 0, ""
    for ch in text:
        if ch == "[":
            depth += 1
            if depth > 1:
                raise ValueError("lists inside lists are not supported")
        elif ch == "]":
            depth -= 1
            if depth < 0:
                raise ValueError("a ']' has no matching '['")
        if ch == "," and depth == 0:
            parts.append(cur)
            cur = ""
        else:
            cur += ch
    if depth:
        raise ValueError("a '[' is never closed")
    parts.append(cur)
    key: list = []
    for raw in parts:
        p = raw.strip()
        if not p:
            raise ValueError("an entry between commas is empty")
        if p == "...":
            if any(k is Ellipsis for k in key):
                raise ValueError("'...' may appear only once")
            key.append(Ellipsis)
        elif p == "None":
            key.append(None)
        elif p.startswith("[") and p.endswith("]"):
            items = [s.strip() for s in p[1:-1].split(",")]
            if not items or items == [""] or len(items) > MAX_SIZE:
                raise ValueError(f"a list index needs 1 to {MAX_SIZE} numbers, like [0, 2]")
            key.append([_int(s, "list entry") for s in items])
        elif ":" in p:
            pieces = [s.strip() for s in p.split(":")]
            if len(pieces) > 3:
                raise ValueError(f"{p!r}: a slice has at most two colons (start:stop:step)")
            nums = [None if s == "" else _int(s, f"slice {p!r}") for s in pieces]
            start, stop = nums[0], nums[1]
            step = nums[2] if len(nums) == 3 else None
            if step == 0:
                raise ValueError("a slice step cannot be zero")
            if step is not None and step < 0:
                raise ValueError("PyTorch slices need a positive step (torch.flip reverses)")
            key.append(slice(start, stop, step))
        else:
            key.append(
                _int(
                    p,
                    "expected a number, a slice like 1:3 or ::2, '...', None or a list like [0, 2];",
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


def index(shape: tuple[int, ...] = (4, 5), text: str = "1:3, ::2") -> Shown:
    """x[text] with the chosen cells of x highlighted; bad indices raise a readable ValueError."""
    shape = check_shape(shape, max_dims=3)
    key = parse_index(text)
    x = torch.arange(int(np.prod(shape))).reshape(shape)
    try:
        y = x[key]
    except (IndexError, RuntimeError, TypeError) as err:
        raise ValueError(
            f"x[{format_index(key)}] does not work on shape {shape_text(shape)}: {err}"
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
            f"{int(mask.sum())} of {x.numel()} cells selected; result shape {shape_text(y.shape)}",
            "Basic slicing returns a view (shares memory); list indices return a copy."
            if not any(isinstance(k_, list) for k_ in key)
            else "A list index is 'advanced indexing': the result is a copy.",
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
    op: str = "cat", shape: tuple[int, int] = (2, 3), dim: int = 0, b_size: int | None = None
) -> Shown:
    """torch.cat joins along an existing dim; torch.stack adds a new one. Cells from b are outlined."""
    if op not in ("cat", "stack"):
        raise ValueError(f"unknown operation {op!r}")
    shape = check_shape(shape, max_dims=2)
    ndim_out = len(shape) + (op == "stack")
    if not -ndim_out <= dim < ndim_out:
        raise ValueError(f"dim {dim} is out of range for {op} of {len(shape)}-d tensors")
    sb = list(shape)
    if op == "cat" and b_size is not None:
        sb[dim] = int(b_size)
    sb = check_shape(tuple(sb))
    a = torch.arange(int(np.prod(shape))).reshape(shape)
    b = torch.arange(100, 100 + int(np.prod(sb))).reshape(sb)
    c = torch.cat([a, b], dim=dim) if op == "cat" else torch.stack([a, b], dim=dim)
    if op == "cat":
        note = f"cat {shape_text(a.shape)} and {shape_text(b.shape)} along dim {dim} → {shape_text(c.shape)}"
    else:
        note = f"stack two {shape_text(a.shape)} along a new dim {dim} → {shape_text(c.shape)}"
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
        notes=[note, "Outlined: the cells that came from b."],
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
    shape: tuple[int, int] = (3, 4), dim: int = 1, picks: int = 2, seed: int = 0
) -> Gathered:
    """y[i][j] = x[index[i][j]][j] (dim 0) or x[i][index[i][j]] (dim 1), with a seeded index."""
    shape = check_shape(shape, max_dims=2)
    if len(shape) != 2 or dim not in (0, 1):
        raise ValueError("gather here works on a matrix with dim 0 or 1")
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
    picked = torch.tensor([s[0] * shape[1] + s[1] for _, s in sources])
    rule = "x[index[i][j]][j]" if dim == 0 else "x[i][index[i][j]]"
    shown = Shown(
        code=GATHER_CODE.format(n=x.numel(), shape=shape_args(shape), index=idx.tolist(), dim=dim),
        printed=print_text(y),
        headline=f"y = torch.gather(x, {dim}, index)",
        tensors={"x": x, "index": idx, f"y = torch.gather(x, {dim}, index)": y},
        masks={"x": cells_mask(x.shape, picked)},
        labels={f"y = torch.gather(x, {dim}, index)": labels},
        notes=[
            f"y[i][j] = {rule}: index says which {'row' if dim == 0 else 'column'} to read; "
            f"y has index's shape {shape_text(idx.shape)}",
            "Each cell of y shows its value and ← the (row, column) of x it came from.",
        ],
    )
    return Gathered(shown, sources)
