"""The lecture's tensor section as data to display: each operation returns a `Shown`.

A `Shown` holds the exact code (a module-level template filled with validated numbers), the
text that code prints, the tensors to draw, highlight masks and per-cell labels. Tests run
the code and compare what it prints with `Shown.printed`. Nothing here imports streamlit.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np
import torch
from torch import Tensor

MAX_DIMS = 4
MAX_SIZE = 6
MAX_CELLS = 144


@dataclass
class Shown:
    """One view of an operation: code, printed result, tensors to draw and their highlights."""

    code: str
    printed: str
    headline: str
    tensors: dict[str, Tensor]
    masks: dict[str, Tensor] = field(default_factory=dict)
    labels: dict[str, np.ndarray] = field(default_factory=dict)
    facts: list[dict] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    error: str | None = None


# ----------------------------------------------------------------------------- helpers


def _check_shape(shape: tuple[int, ...], max_dims: int = MAX_DIMS) -> tuple[int, ...]:
    shape = tuple(int(s) for s in shape)
    if len(shape) > max_dims:
        raise ValueError(f"at most {max_dims} dims, got {len(shape)}")
    if any(s < 1 or s > MAX_SIZE for s in shape):
        raise ValueError(f"every size must be between 1 and {MAX_SIZE}, got {shape}")
    if int(np.prod(shape)) > MAX_CELLS:
        raise ValueError(f"at most {MAX_CELLS} cells, got {int(np.prod(shape))}")
    return shape


def _args(shape: tuple[int, ...]) -> str:
    """`2, 3` for reshape(2, 3)."""
    return ", ".join(str(s) for s in shape)


def _tup(shape: tuple[int, ...]) -> str:
    """`(2, 3)` or `(2,)` or `()`."""
    shape = tuple(shape)
    return f"({shape[0]},)" if len(shape) == 1 else f"({_args(shape)})"


def _printed(*objs: object) -> str:
    """What successive print(obj) calls write, without the final newline."""
    return "\n".join(str(o) for o in objs)


def _gen(seed: int) -> torch.Generator:
    """A private generator that draws exactly what torch.manual_seed(seed) would."""
    return torch.Generator().manual_seed(int(seed))


def shares_memory(a: Tensor, b: Tensor) -> bool:
    """True when two tensors live in the same storage (writing into one may change the other)."""
    return a.untyped_storage().data_ptr() == b.untyped_storage().data_ptr()


def memory_facts(tensors: dict[str, Tensor], base: str) -> list[dict]:
    """Shape, stride, contiguity, data_ptr and whether each tensor shares memory with `base`."""
    ref = tensors[base]
    return [
        {
            "tensor": name,
            "shape": _tup(t.shape),
            "stride": _tup(t.stride()),
            "is_contiguous": t.is_contiguous(),
            "data_ptr": hex(t.data_ptr()),
            f"shares memory with {base}": shares_memory(t, ref),
        }
        for name, t in tensors.items()
    ]


def _cells_mask(shape: tuple[int, ...], picked: Tensor) -> Tensor:
    """Boolean mask of `shape` that is True at the flat positions listed in `picked`."""
    mask = torch.zeros(int(np.prod(shape)) if shape else 1, dtype=torch.bool)
    mask[picked.flatten()] = True
    return mask.reshape(shape)


# ----------------------------------------------------------------------------- ranks

RANK_CODE = """import torch
x = {make}
print(x)
print(x.shape, x.ndim, x.dtype)
"""

RANK_NAMES = {0: "scalar", 1: "vector", 2: "matrix", 3: "3-d tensor", 4: "4-d tensor"}


def ranks(shape: tuple[int, ...]) -> Shown:
    """A scalar, vector, matrix or n-d tensor of the given shape, filled 0, 1, 2, ..."""
    shape = _check_shape(shape)
    if not shape:
        x = torch.tensor(7)
        make = "torch.tensor(7)"
    else:
        x = torch.arange(int(np.prod(shape))).reshape(shape)
        make = f"torch.arange({x.numel()}).reshape({_args(shape)})"
    code = RANK_CODE.format(make=make)
    return Shown(
        code=code,
        printed=_printed(x, f"{x.shape} {x.ndim} {x.dtype}"),
        headline=f"x = {make}",
        tensors={"x": x},
        notes=[
            f"a {RANK_NAMES[x.ndim]}: {x.ndim} dims, shape {_tup(x.shape)}, {x.numel()} numbers"
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
) -> Shown:
    """Make a tensor with one of torch's creation functions (random ones seeded)."""
    if kind not in CREATORS:
        raise ValueError(f"unknown creation function {kind!r}")
    g = _gen(seed)
    if kind in ("zeros", "ones", "rand", "randn", "full", "randint"):
        shape = _check_shape(shape, max_dims=3)
    if kind == "zeros":
        x, call = torch.zeros(shape), f"torch.zeros({_args(shape)})"
    elif kind == "ones":
        x, call = torch.ones(shape), f"torch.ones({_args(shape)})"
    elif kind == "rand":
        x, call = torch.rand(shape, generator=g), f"torch.rand({_args(shape)})"
    elif kind == "randn":
        x, call = torch.randn(shape, generator=g), f"torch.randn({_args(shape)})"
    elif kind == "full":
        value = float(value)
        x, call = torch.full(shape, value), f"torch.full({_tup(shape)}, {value!r})"
    elif kind == "randint":
        if low >= high:
            raise ValueError(f"randint needs low < high, got low={low}, high={high}")
        x = torch.randint(int(low), int(high), shape, generator=g)
        call = f"torch.randint({int(low)}, {int(high)}, {_tup(shape)})"
    elif kind == "eye":
        rows, cols = _check_shape(shape[:2] if len(shape) >= 2 else (shape[0], shape[0]))
        x, call = torch.eye(rows, cols), f"torch.eye({rows}, {cols})"
    elif kind == "arange":
        if step == 0:
            raise ValueError("arange needs a non-zero step")
        count = len(range(int(start), int(end), int(step)))
        if count < 1 or count > 24:
            raise ValueError(
                f"arange({start}, {end}, {step}) gives {count} numbers; keep it 1 to 24"
            )
        x, call = (
            torch.arange(int(start), int(end), int(step)),
            f"torch.arange({start}, {end}, {step})",
        )
    else:  # randperm
        if not 1 <= n <= 24:
            raise ValueError("randperm needs 1 <= n <= 24")
        x, call = torch.randperm(int(n), generator=g), f"torch.randperm({int(n)})"
    seed_line = f"torch.manual_seed({int(seed)})\n" if kind in RANDOM_CREATORS else ""
    return Shown(
        code=CREATE_CODE.format(seed=seed_line, call=call),
        printed=_printed(x),
        headline=f"x = {call}",
        tensors={"x": x},
        notes=[f"shape {_tup(x.shape)}, dtype {x.dtype}"],
    )


# ----------------------------------------------------------------------------- arithmetic

ELEMENTWISE_CODE = """import torch
a = torch.arange(1., {n1}).reshape({shape})
b = torch.tensor({b})
c = a {op} b
print(c)
"""

ELEMENTWISE_OPS = ("+", "-", "*", "/", "**")


def elementwise(op: str, shape: tuple[int, ...] = (2, 3), seed: int = 0) -> Shown:
    """a (op) b cell by cell: both tensors have the same shape."""
    if op not in ELEMENTWISE_OPS:
        raise ValueError(f"unknown operator {op!r}")
    shape = _check_shape(shape, max_dims=3)
    n = int(np.prod(shape))
    a = torch.arange(1.0, n + 1).reshape(shape)
    b = torch.randint(0, 4, shape, generator=_gen(seed)).float()
    c = {"+": a + b, "-": a - b, "*": a * b, "/": a / b, "**": a**b}[op]
    notes = [f"{_tup(a.shape)} {op} {_tup(b.shape)} → {_tup(c.shape)}: cell by cell"]
    if not torch.isfinite(c).all():
        notes.append("Some cells are inf or nan: dividing by 0 gives inf in floating point.")
    return Shown(
        code=ELEMENTWISE_CODE.format(n1=f"{n + 1}.", shape=_args(shape), b=b.tolist(), op=op),
        printed=_printed(c),
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
) -> Shown:
    """dot, outer, mm or batched @; `pick` chooses an output cell whose inputs get highlighted."""
    if kind not in PRODUCTS:
        raise ValueError(f"unknown product {kind!r}")
    for s in (n, k, m, batch):
        _check_shape((s,))
    g = _gen(seed)
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
    code = PRODUCT_CODE[kind].format(n1=f"{na + 1}.", sa=_args(sa), b=b.tolist())
    masks: dict[str, Tensor] = {}
    if kind == "dot":
        c = torch.dot(a, b)
        printed = _printed(a * b, c)
        headline = "c = torch.dot(a, b)"
        tensors = {"a": a, "b": b, "a * b": a * b, "c = torch.dot(a, b)": c}
        notes = [f"({k},) · ({k},) → (): multiply cell by cell, then add up: {c.item():g}"]
        return Shown(code, printed, headline, tensors, notes=notes)
    if kind == "outer":
        c = torch.outer(a, b)
        headline = "c = torch.outer(a, b)"
        notes = [f"({n},) outer ({m},) → {_tup(c.shape)}: c[i, j] = a[i] * b[j]"]
    elif kind == "mm":
        c = torch.mm(a, b)
        headline = "c = torch.mm(a, b)"
        notes = [f"{_tup(sa)} @ {_tup(sb)} → {_tup(c.shape)}: inner sizes ({k}) must match"]
    else:
        c = a @ b
        headline = "c = a @ b"
        notes = [
            f"{_tup(sa)} @ {_tup(sb)} → {_tup(c.shape)}: {batch} matrix products side by side "
            f"(batch dim 0 kept, ({n}, {k}) @ ({k}, {m}) in each)"
        ]
    printed = _printed(c.shape, c) if kind == "@" else _printed(c)
    if pick:
        pick = tuple(int(p) for p in pick)
        if len(pick) != c.ndim or any(not 0 <= p < s for p, s in zip(pick, c.shape, strict=True)):
            raise ValueError(f"cell {pick} is not inside the result of shape {_tup(c.shape)}")
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
                f"c[{where}] = row {i} of a · column {j} of b = {terms} = {c[pick].item():g}"
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
) -> Shown:
    """sum / mean / max over every cell or along one dim (keepdim keeps it as size 1)."""
    if op not in REDUCTIONS:
        raise ValueError(f"unknown reduction {op!r}")
    shape = _check_shape(shape, max_dims=3)
    x = torch.randint(0, 10, shape, generator=_gen(seed)).float()
    if dim is not None and not -x.ndim <= dim < x.ndim:
        raise ValueError(f"dim {dim} is out of range for a {x.ndim}-d tensor")
    masks: dict[str, Tensor] = {}
    if dim is None:
        call = f"x.{op}()"
        y = getattr(x, op)()
        result: object = y
        tensors = {"x": x, call: y}
        if op == "max":
            masks["x"] = x == y
        notes = [f"{_tup(x.shape)} → {op} of all {x.numel()} cells → shape ()"]
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
            masks["x"] = _cells_mask(x.shape, picked)
        else:
            y = result
            tensors = {"x": x, call: y}
        kept = "kept as size 1" if keepdim else "removed"
        notes = [f"{_tup(x.shape)} → {op} along dim {dim} ({kept}) → {_tup(y.shape)}"]
    return Shown(
        code=REDUCE_CODE.format(seed=int(seed), shape=_tup(shape), call=call),
        printed=_printed(x, result),
        headline=f"y = {call}",
        tensors=tensors,
        masks=masks,
        notes=notes,
    )


# ----------------------------------------------------------------------------- transpose

TRANSPOSE_CODE = """import torch
x = torch.arange({n}).reshape({shape})
y = x.transpose({d0}, {d1})
print(y)
print(y.shape, y.stride(), y.is_contiguous())
"""


def transpose(shape: tuple[int, ...] = (2, 3), d0: int = 0, d1: int = 1, pick: tuple = ()) -> Shown:
    """Swap two dims; no copy is made, only the strides change. `pick` follows one cell."""
    shape = _check_shape(shape, max_dims=3)
    x = torch.arange(int(np.prod(shape))).reshape(shape)
    for d in (d0, d1):
        if not -x.ndim <= d < x.ndim:
            raise ValueError(f"dim {d} is out of range for a {x.ndim}-d tensor")
    y = x.transpose(d0, d1)
    masks = {}
    notes = [f"{_tup(x.shape)} → transpose({d0}, {d1}) → {_tup(y.shape)}"]
    if pick:
        pick = tuple(int(p) for p in pick)
        moved = list(pick)
        moved[d0], moved[d1] = moved[d1], moved[d0]
        mx, my = torch.zeros(x.shape, dtype=torch.bool), torch.zeros(y.shape, dtype=torch.bool)
        mx[pick], my[tuple(moved)] = True, True
        masks = {"x": mx, "y": my}
        notes.append(f"x[{_args(pick)}] = {x[pick].item()} is y[{_args(tuple(moved))}]")
    return Shown(
        code=TRANSPOSE_CODE.format(n=x.numel(), shape=_args(shape), d0=d0, d1=d1),
        printed=_printed(y, f"{y.shape} {y.stride()} {y.is_contiguous()}"),
        headline=f"y = x.transpose({d0}, {d1})",
        tensors={"x": x, "y": y},
        masks=masks,
        facts=memory_facts({"x": x, "y": y}, "x"),
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

VIEW_HINT = (
    "view never copies: it re-reads the same memory with new strides, so the new shape must be "
    "compatible with x's strides. Every group of old dims that view merges into one new dim "
    "must be laid out back to back in memory (stride[i] = stride[i+1] × size[i+1]); splitting "
    "a dim always works. After a transpose the two dims are not back to back, so flattening "
    "x with view (the default new shape) refuses, while reshape quietly makes a copy."
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
    shape: tuple[int, ...] = (2, 3), new_shape: tuple[int, ...] = (6,), transposed: bool = False
) -> Shown:
    """x.view(new) next to x.reshape(new); view fails where new does not fit x's strides."""
    shape = _check_shape(shape, max_dims=2)
    n = int(np.prod(shape))
    new_shape = tuple(int(s) for s in new_shape)
    if int(np.prod(new_shape)) != n:
        raise ValueError(f"shape {_tup(new_shape)} does not hold {n} cells")
    x = torch.arange(n).reshape(shape)
    if transposed:
        if len(shape) != 2:
            raise ValueError("the transposed case needs a matrix")
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
    notes = [
        f"x is {'not ' if not x.is_contiguous() else ''}contiguous; reshape "
        + ("made a copy" if copied else "returned a view of the same memory (no copy)")
    ]
    return Shown(
        code=VIEW_CODE.format(
            n=n, shape=_args(shape), t=".t()" if transposed else "", new=_args(new_shape)
        ),
        printed=_printed(*printed),
        headline=f"x.view({_args(new_shape)})  vs  x.reshape({_args(new_shape)})",
        tensors=tensors,
        facts=memory_facts(
            {"x": x, "r": r} | ({"v": tensors["v = x.view(...)"]} if error is None else {}), "x"
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
    shape: tuple[int, ...] = (2, 1, 3), op: str = "squeeze", dim: int | None = 1
) -> Shown:
    """squeeze removes size-1 dims (all, or the one named); unsqueeze inserts one at `dim`."""
    shape = _check_shape(shape, max_dims=MAX_DIMS)
    x = torch.arange(int(np.prod(shape))).reshape(shape)
    if op == "squeeze":
        if dim is not None and not -x.ndim <= dim < max(x.ndim, 1):
            raise ValueError(f"dim {dim} is out of range for a {x.ndim}-d tensor")
        call = "x.squeeze()" if dim is None else f"x.squeeze({dim})"
        y = x.squeeze() if dim is None else x.squeeze(dim)
    elif op == "unsqueeze":
        if dim is None or not -x.ndim - 1 <= dim <= x.ndim:
            raise ValueError(f"unsqueeze needs a dim from {-x.ndim - 1} to {x.ndim}")
        if x.ndim + 1 > MAX_DIMS:
            raise ValueError(f"the result would have more than {MAX_DIMS} dims")
        call, y = f"x.unsqueeze({dim})", x.unsqueeze(dim)
    else:
        raise ValueError(f"unknown operation {op!r}")
    note = f"{_tup(x.shape)} → {call[2:]} → {_tup(y.shape)}"
    if op == "squeeze" and y.shape == x.shape:
        note += ": nothing to remove (squeeze only drops dims of size 1)"
    return Shown(
        code=SQUEEZE_CODE.format(n=x.numel(), shape=_args(shape) or "()", call=call),
        printed=_printed(f"{x.shape} -> {y.shape}", y),
        headline=f"y = {call}",
        tensors={"x": x, "y": y},
        notes=[note, "The numbers and their order never change: only the shape does."],
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
    rows: int = 3, times: int = 4, write: str = "x[0, 0]", value: int = 100
) -> Shown:
    """expand shares x's memory (stride 0), repeat copies: write into one and see who changes."""
    _check_shape((rows, times))
    if write not in WRITES:
        raise ValueError(f"unknown write {write!r}")
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
    notes = [
        f"after `{write} = {value}`: "
        + (", ".join(changed) + " changed" if changed else "nothing changed")
        + ("" if error else "; the changed cells are outlined")
    ]
    return Shown(
        code=EXPAND_CODE.format(r1=rows + 1, rows=rows, times=times, write=write, value=value),
        printed=_printed(*prints),
        headline=f"{write} = {value}",
        tensors={"x": x, "e = x.expand(...)": e, "r = x.repeat(...)": r},
        masks={"x": masks["x"], "e = x.expand(...)": masks["e"], "r = x.repeat(...)": masks["r"]},
        facts=memory_facts(live, "x"),
        notes=notes,
        error=error,
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
    shape = _check_shape(shape, max_dims=3)
    key = parse_index(text)
    x = torch.arange(int(np.prod(shape))).reshape(shape)
    try:
        y = x[key]
    except (IndexError, RuntimeError, TypeError) as err:
        raise ValueError(
            f"x[{format_index(key)}] does not work on shape {_tup(shape)}: {err}"
        ) from None
    mask = _cells_mask(x.shape, y)  # x holds 0..n-1, so y's values are the flat positions
    k = format_index(key)
    return Shown(
        code=INDEX_CODE.format(n=x.numel(), shape=_args(shape), key=k),
        printed=_printed(y, y.shape),
        headline=f"y = x[{k}]",
        tensors={"x": x, f"y = x[{k}]": y},
        masks={"x": mask},
        notes=[
            f"{int(mask.sum())} of {x.numel()} cells selected; result shape {_tup(y.shape)}",
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
    shape = _check_shape(shape, max_dims=2)
    ndim_out = len(shape) + (op == "stack")
    if not -ndim_out <= dim < ndim_out:
        raise ValueError(f"dim {dim} is out of range for {op} of {len(shape)}-d tensors")
    sb = list(shape)
    if op == "cat" and b_size is not None:
        sb[dim] = int(b_size)
    sb = _check_shape(tuple(sb))
    a = torch.arange(int(np.prod(shape))).reshape(shape)
    b = torch.arange(100, 100 + int(np.prod(sb))).reshape(sb)
    c = torch.cat([a, b], dim=dim) if op == "cat" else torch.stack([a, b], dim=dim)
    if op == "cat":
        note = f"cat {_tup(a.shape)} and {_tup(b.shape)} along dim {dim} → {_tup(c.shape)}"
    else:
        note = f"stack two {_tup(a.shape)} along a new dim {dim} → {_tup(c.shape)}"
    return Shown(
        code=CAT_CODE.format(
            na=a.numel(), sa=_args(shape), nb=100 + b.numel(), sb=_args(sb), op=op, dim=dim
        ),
        printed=_printed(c.shape, c),
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
    shape = _check_shape(shape, max_dims=2)
    if len(shape) != 2 or dim not in (0, 1):
        raise ValueError("gather here works on a matrix with dim 0 or 1")
    x = torch.arange(int(np.prod(shape))).reshape(shape) * 10
    ishape = list(shape)
    ishape[dim] = int(picks)
    ishape = _check_shape(tuple(ishape))
    idx = torch.randint(0, shape[dim], ishape, generator=_gen(seed))
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
        code=GATHER_CODE.format(n=x.numel(), shape=_args(shape), index=idx.tolist(), dim=dim),
        printed=_printed(y),
        headline=f"y = torch.gather(x, {dim}, index)",
        tensors={"x": x, "index": idx, f"y = torch.gather(x, {dim}, index)": y},
        masks={"x": _cells_mask(x.shape, picked)},
        labels={f"y = torch.gather(x, {dim}, index)": labels},
        notes=[
            f"y[i][j] = {rule}: index says which {'row' if dim == 0 else 'column'} to read; "
            f"y has index's shape {_tup(idx.shape)}",
            "Each cell of y shows its value and ← the (row, column) of x it came from.",
        ],
    )
    return Gathered(shown, sources)


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
    sa: tuple[int, ...], sb: tuple[int, ...]
) -> tuple[list[dict], tuple | None, str | None]:
    """Right-align two shapes and decide, dim by dim, the result size or the clash."""
    nd = max(len(sa), len(sb))
    pa, pb = (None,) * (nd - len(sa)) + tuple(sa), (None,) * (nd - len(sb)) + tuple(sb)
    rows, out, error = [], [], None
    for d, (x, y) in enumerate(zip(pa, pb, strict=True)):
        xa, yb = 1 if x is None else x, 1 if y is None else y
        if xa == yb:
            size, rule = xa, "equal"
        elif xa == 1:
            size, rule = yb, "a is stretched" + (" (missing dim counts as 1)" if x is None else "")
        elif yb == 1:
            size, rule = xa, "b is stretched" + (" (missing dim counts as 1)" if y is None else "")
        else:
            size, rule = None, f"✗ {xa} vs {yb}: neither is 1"
            error = error or (
                f"Shapes {_tup(sa)} and {_tup(sb)} do not broadcast: lined up from the right, "
                f"dim {d} (counted from the left of the result) has sizes {xa} and {yb}; "
                "sizes must be equal or one of them must be 1."
            )
        rows.append(
            {
                "dim": d,
                "a": "" if x is None else str(x),
                "b": "" if y is None else str(y),
                "result": "✗" if size is None else str(size),
                "rule": rule,
            }
        )
        out.append(size)
    return rows, (None if error else tuple(out)), error


def broadcast(sa: tuple[int, ...] = (3, 1), sb: tuple[int, ...] = (4,)) -> Broadcast:
    """a + b under broadcasting: the alignment, the stretched dims and the repeated cells."""
    sa, sb = _check_shape(sa, max_dims=3), _check_shape(sb, max_dims=3)
    a = torch.arange(int(np.prod(sa))).reshape(sa)
    b = torch.arange(int(np.prod(sb))).reshape(sb) * 10
    table, out, error = broadcast_table(sa, sb)
    code = BROADCAST_CODE.format(
        na=a.numel(), sa=_args(sa) or "()", nb=b.numel(), sb=_args(sb) or "()"
    )
    if error:
        try:
            a + b
        except RuntimeError as err:
            torch_msg = str(err)
        shown = Shown(
            code=code,
            printed=_printed(f"cannot broadcast: {torch_msg}"),
            headline="c = a + b",
            tensors={"a": a, "b": b},
            notes=[f"PyTorch says: {torch_msg}"],
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
    name_a, name_b = "a stretched to " + _tup(out), "b stretched to " + _tup(out)
    shown = Shown(
        code=code,
        printed=_printed(c.shape, c),
        headline="c = a + b",
        tensors={"a": a, "b": b, name_a: ea, name_b: eb, "c = a + b": c},
        masks={name_a: ma, name_b: mb},
        notes=[
            f"{_tup(sa)} + {_tup(sb)} → {_tup(out)}",
            "Outlined cells are repeats: broadcasting reads the same memory again (stride 0), "
            "nothing is copied.",
        ],
    )
    return Broadcast(shown, table, tuple(out), da, db)


# ----------------------------------------------------------------------------- NumPy bridge

NUMPY_CODE = """import numpy as np
import torch
a = np.arange({n}).reshape({shape})
shared = torch.from_numpy(a)   # shares a's memory
copied = torch.tensor(a)       # copies a
a[{i}, {j}] = {value}
print(shared)
print(copied)
"""


def numpy_bridge(
    shape: tuple[int, int] = (2, 3), cell: tuple[int, int] = (0, 1), value: int = 99
) -> Shown:
    """Write into a NumPy array: torch.from_numpy sees the change, torch.tensor does not."""
    shape = _check_shape(shape, max_dims=2)
    if len(shape) != 2:
        raise ValueError("the NumPy bridge demo uses a matrix")
    i, j = int(cell[0]), int(cell[1])
    if not (0 <= i < shape[0] and 0 <= j < shape[1]):
        raise ValueError(f"cell ({i}, {j}) is outside shape {_tup(shape)}")
    a = np.arange(int(np.prod(shape))).reshape(shape)
    shared = torch.from_numpy(a)
    copied = torch.tensor(a)
    a[i, j] = value
    after = torch.tensor(a)
    mask = torch.zeros(shape, dtype=torch.bool)
    mask[i, j] = True
    return Shown(
        code=NUMPY_CODE.format(n=a.size, shape=_args(shape), i=i, j=j, value=value),
        printed=_printed(shared, copied),
        headline=f"a[{i}, {j}] = {value}",
        tensors={
            "a (NumPy array)": after,
            "shared = torch.from_numpy(a)": shared,
            "copied = torch.tensor(a)": copied,
        },
        masks={
            "a (NumPy array)": mask,
            "shared = torch.from_numpy(a)": mask,
            "copied = torch.tensor(a)": mask,
        },
        facts=[
            {
                "tensor": "shared",
                "shares memory with a": bool(np.shares_memory(shared.numpy(), a)),
                "sees the write": bool(shared[i, j] == value),
            },
            {
                "tensor": "copied",
                "shares memory with a": bool(np.shares_memory(copied.numpy(), a)),
                "sees the write": bool(copied[i, j] == value),
            },
        ],
        notes=["from_numpy (and .numpy()) share memory; torch.tensor(a) always copies."],
    )
