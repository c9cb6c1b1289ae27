"""A tensor drawn as a labelled heat-grid: values in the cells, dims named, shape in the title.

0-d: one cell; 1-d: one row; 2-d: rows x columns; 3-d: a row of matrices; 4-d: a grid of them.
Cells given by a highlight mask get a thick purple outline.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import altair as alt
import numpy as np
import pandas as pd
import torch
from torch import Tensor

from core.charts import HIGHLIGHT, LABEL_FONT_SIZE, VALUE, styled
from core.i18n import Translate, untranslated

# the lowest value (often a zero) still visibly tinted on a projector, never white
BLUES = ["#d0e1f2", "#a9cce6", "#6baed6", "#2171b5", VALUE]


def _text(v: float, integer: bool) -> str:
    if not math.isfinite(v):
        return "nan" if math.isnan(v) else ("inf" if v > 0 else "-inf")
    if integer:
        return str(int(v))
    return f"{v:.2f}".rstrip("0").rstrip(".") if abs(v) < 1000 else f"{v:.3g}"


def grid_frame(
    t: Tensor, mask: Tensor | None = None, labels: np.ndarray | None = None
) -> pd.DataFrame:
    """One row per cell: its index along each dim, value, text, whether highlighted."""
    t = t.detach().cpu()
    integer = not (t.is_floating_point() or t.is_complex())
    values = t.to(torch.float64).numpy().reshape(t.shape) if t.ndim else t.to(torch.float64).numpy()
    m = None if mask is None else mask.cpu().bool().numpy().reshape(t.shape)
    rows = []
    for idx in np.ndindex(*t.shape) if t.ndim else [()]:
        v = float(values[idx])
        full = (0, 0, 0, 0)[: 4 - len(idx)] + tuple(idx)  # pad on the left to 4 dims
        rows.append(
            {
                "frow": full[0],
                "fcol": full[1],
                "row": full[2],
                "col": full[3],
                "value": v,
                "text": str(labels[idx]) if labels is not None else _text(v, integer),
                "hl": bool(m[idx]) if m is not None else False,
                "where": "[" + ", ".join(str(i) for i in idx) + "]",
            }
        )
    df = pd.DataFrame(rows)
    finite = df["value"][np.isfinite(df["value"])]
    lo, hi = (float(finite.min()), float(finite.max())) if len(finite) else (0.0, 1.0)
    span = hi - lo
    df["shade"] = ((df["value"].clip(lo, hi) - lo) / span).fillna(0.0) if span > 0 else 0.35
    df["dark"] = df["shade"] > 0.55
    return df


def _axis_titles(ndim: int, gettext: Translate = untranslated) -> tuple[str | None, str | None]:
    """(row title, column title) for the innermost matrix of an ndim tensor."""
    _ = gettext
    if ndim == 0:
        return None, _("a scalar: no dims")
    if ndim == 1:
        return None, _("dim {d}").format(d=0)
    return _("dim {d} (rows)").format(d=ndim - 2), _("dim {d} (columns)").format(d=ndim - 1)


FACET_SPACING = 16
AXIS_PX = 70  # room for the row axis: its title and tick labels


def _panels(shape: tuple[int, ...]) -> int:
    """How many matrices sit side by side: dim 0 of a 3-d tensor, dim 1 of a 4-d one."""
    return shape[0] if len(shape) == 3 else (shape[1] if len(shape) == 4 else 1)


def auto_cell(t: Tensor, budget: int = 640) -> int:
    """A cell size (px) that fits the tensor's columns into about `budget` pixels."""
    cols = (t.shape[-1] if t.ndim else 1) * _panels(tuple(t.shape))
    return int(max(30, min(58, (budget - AXIS_PX) // max(1, cols))))


def grid_width(t: Tensor, name: str, cell: int) -> int:
    """Roughly how many pixels wide tensor_grid draws this tensor (title included)."""
    shape = tuple(t.shape)
    panels = _panels(shape)
    body = panels * (shape[-1] if shape else 1) * cell + (panels - 1) * FACET_SPACING + AXIS_PX
    wide = sum(ord(ch) >= 0x2E80 for ch in name)  # a Chinese character is about twice as wide
    return int(max(body, 11 * (len(name) + wide) + 10))


def _empty(
    shape: tuple[int, ...], name: str, cell: int, gettext: Translate = untranslated
) -> alt.Chart:
    """A tensor with no cells (a slice that picks nothing): its name, shape and a word."""
    _ = gettext
    words = pd.DataFrame({"text": [_("empty: no cells")]})
    title = alt.TitleParams(
        name, subtitle=_("shape {shape}").format(shape=shape), fontSize=20, subtitleFontSize=LABEL_FONT_SIZE,
        subtitlePadding=6,
    )  # fmt: skip
    return (
        alt.Chart(words)
        .mark_text(fontSize=LABEL_FONT_SIZE, align="left", color="black")
        .encode(text="text:N")
        .properties(title=title, width=max(4 * cell, 160), height=cell)
    )


def _grid(
    t: Tensor,
    name: str = "x",
    mask: Tensor | None = None,
    labels: np.ndarray | None = None,
    subtitle: str | None = None,
    cell: int | None = None,
    gettext: Translate = untranslated,
) -> alt.Chart:
    """The unconfigured heat-grid chart of one tensor (see tensor_grid)."""
    _ = gettext
    if t.ndim > 4:
        raise ValueError(f"can draw up to 4 dims, got {t.ndim}")
    if t.numel() == 0:
        return _empty(tuple(t.shape), name, cell or 40, gettext)
    df = grid_frame(t, mask, labels)
    shape = tuple(t.shape)
    multiline = labels is not None and any("\n" in str(s) for s in df["text"])
    if cell is None:
        cell = auto_cell(t)
    height = int(cell * (1.35 if multiline else 1))
    longest = max(len(line) for s in df["text"] for line in str(s).split("\n"))
    font = int(max(10, min(LABEL_FONT_SIZE + 2, cell * 1.6 / max(2, longest))))
    row_title, col_title = _axis_titles(t.ndim, gettext)

    x = alt.X("col:O", title=col_title, axis=alt.Axis(labelAngle=0, orient="top"))
    y = alt.Y("row:O", title=row_title)
    if t.ndim == 0:
        x = alt.X("col:O", title=col_title, axis=alt.Axis(labels=False, ticks=False, orient="top"))
    if t.ndim <= 1:
        y = alt.Y("row:O", title=None, axis=None)

    base = alt.Chart().encode(x=x, y=y)
    lo, hi = float(df["value"].min()), float(df["value"].max())
    domain = [lo, hi] if hi > lo and math.isfinite(lo) and math.isfinite(hi) else [lo - 1, lo + 1]
    if not all(math.isfinite(d) for d in domain):
        domain = [0, 1]
    rect = base.mark_rect(stroke="white", strokeWidth=1).encode(
        color=alt.Color("value:Q", scale=alt.Scale(range=BLUES, domain=domain), legend=None),
        tooltip=[
            alt.Tooltip("where:N", title=_("index")),
            alt.Tooltip("text:N", title=_("value")),
        ],
    )
    outline = (
        base.mark_rect(fillOpacity=0, stroke=HIGHLIGHT, strokeWidth=5)
        .encode()
        .transform_filter(alt.datum.hl)
    )
    text = base.mark_text(fontSize=font, fontWeight="bold", lineBreak="\n").encode(
        text="text:N",
        color=alt.condition(alt.datum.dark, alt.value("white"), alt.value("black")),
    )
    layers = [rect, outline, text] if df["hl"].any() else [rect, text]
    shape_text = _("shape {shape}").format(shape=shape if t.ndim != 1 else f"({shape[0]},)")
    title = alt.TitleParams(
        name,
        subtitle=f"{shape_text} · {subtitle}" if subtitle else shape_text,
        fontSize=20,
        subtitleFontSize=LABEL_FONT_SIZE,
        subtitlePadding=6,
        anchor="start",
    )
    size = {"width": alt.Step(cell), "height": alt.Step(height)}
    header = {"labelFontSize": LABEL_FONT_SIZE, "titleFontSize": LABEL_FONT_SIZE}
    dim0, dim1 = _("dim {d}").format(d=0), _("dim {d}").format(d=1)
    if t.ndim <= 2:
        chart = alt.layer(*layers, data=df).properties(title=title, **size)
    elif t.ndim == 3:
        chart = (
            alt.layer(*layers, data=df)
            .properties(**size)
            .facet(
                column=alt.Column("fcol:O", header=alt.Header(title=dim0, **header)),
                spacing=FACET_SPACING,
            )
            .properties(title=title)
        )
    else:
        chart = (
            alt.layer(*layers, data=df)
            .properties(**size)
            .facet(
                row=alt.Row("frow:O", header=alt.Header(title=dim0, **header)),
                column=alt.Column("fcol:O", header=alt.Header(title=dim1, **header)),
                spacing=FACET_SPACING,
            )
            .properties(title=title)
        )
    return chart


def tensor_grid(
    t: Tensor,
    name: str = "x",
    mask: Tensor | None = None,
    labels: np.ndarray | None = None,
    subtitle: str | None = None,
    cell: int | None = None,
    gettext: Translate = untranslated,
) -> alt.Chart:
    """An Altair heat-grid of a tensor (up to 4-d) with values in the cells and the shape in the title."""
    return styled(_grid(t, name, mask, labels, subtitle, cell, gettext))


@dataclass
class Grid:
    """One tensor to draw among several: name, optional highlight mask and cell labels."""

    tensor: Tensor
    name: str
    mask: Tensor | None = None
    labels: np.ndarray | None = None


def _content(a) -> tuple | None:
    """dtype, shape and every value's bytes of a tensor or array (any dtype, bfloat16 too)."""
    if a is None:
        return None
    if isinstance(a, Tensor):
        raw = a.detach().cpu().contiguous().flatten().view(torch.uint8).numpy().tobytes()
        return str(a.dtype), tuple(a.shape), raw
    arr = np.asarray(a)
    return str(arr.dtype), arr.shape, repr(arr.tolist()) if arr.dtype == object else arr.tobytes()


def grids_key(grids: list[Grid]) -> tuple:
    """Everything `tensor_grids` draws from, as plain hashable values (a cache key)."""
    return tuple((g.name, _content(g.tensor), _content(g.mask), _content(g.labels)) for g in grids)


def tensor_grids(
    grids: list[Grid], budget: int = 600, max_cell: int = 50, gettext: Translate = untranslated
) -> alt.Chart:
    """Several tensor grids in one chart, packed left to right into rows about `budget` px wide."""
    if not grids:
        raise ValueError("nothing to draw")
    cells = [
        max(64, auto_cell(g.tensor, budget))
        if g.labels is not None
        else min(max_cell, auto_cell(g.tensor, budget))
        for g in grids
    ]
    widths = [grid_width(g.tensor, g.name, c) for g, c in zip(grids, cells, strict=True)]
    rows: list[list[int]] = [[]]
    for i, w in enumerate(widths):
        if rows[-1] and sum(widths[j] for j in rows[-1]) + w > budget:
            rows.append([])
        rows[-1].append(i)
    drawn = [
        _grid(g.tensor, g.name, g.mask, g.labels, cell=c, gettext=gettext)
        for g, c in zip(grids, cells, strict=True)
    ]
    lines = [
        alt.hconcat(*(drawn[i] for i in row), spacing=28).resolve_scale(color="independent")
        if len(row) > 1
        else drawn[row[0]]
        for row in rows
    ]
    chart = (
        alt.vconcat(*lines, spacing=24).resolve_scale(color="independent")
        if len(lines) > 1
        else lines[0]
    )
    return styled(chart)
