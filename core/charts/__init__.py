"""Altair chart builders, one module per topic: data in, alt.Chart out.

The palette is Okabe-Ito (colour-blind safe) and each concept keeps one colour on every page.
"""

import itertools
import json
import re

import altair as alt

from core.charts.schema_tables import reuse_schema_tables

reuse_schema_tables()  # about half the cost of building a chart, saved (see the module)

# One colour per concept, the same on every page; every one is dark enough for a projector on
# white (no yellow, no light grey) and no two of them are a red-green pair.
VALUE = "#0072B2"  # values, data, forward pass: blue
GRADIENT = "#E69F00"  # gradients, backward pass: orange
LEAF = "#009E73"  # leaf tensors, parameters, training set: bluish green
OUTPUT = "#D55E00"  # outputs, losses, predictions: vermillion
HIGHLIGHT = "#CC79A7"  # the selected cell, the current step: reddish purple
NEUTRAL = "#5F5F5F"  # context marks (a flat line, an op node): a grey the back row still sees
GRID = "#C8C8C8"  # grid lines only: context, never a mark or text
TEXT = "#222222"  # chart titles, axis and legend text
BLACK = "#000000"

# For series without a concept of their own (several optimisers, several classes...): blue,
# orange and vermillion first, then black, purple and green.
CATEGORICAL = [VALUE, GRADIENT, OUTPUT, BLACK, HIGHLIGHT, LEAF]

# Streamlit's own face first (Latin text measures as before), then Chinese faces
FONT = '"Source Sans", "Noto Sans CJK SC", "PingFang SC", "Microsoft YaHei", sans-serif'
TITLE_FONT_SIZE = 20
LABEL_FONT_SIZE = 16


_FONTS = dict(
    labelFont=FONT, titleFont=FONT, labelFontSize=LABEL_FONT_SIZE, titleFontSize=LABEL_FONT_SIZE
)

TOP_PADDING = 8  # px above a chart: Streamlit draws charts with no padding, and a title's
# glyph boxes reach 4-6 px above the point Vega places it, past the chart's own box


# A title wider than its chart would end in an ellipsis (a phone, an 800 px window beside the
# sidebar): it wraps instead, into as many lines as the chart's width needs. Vega cannot wrap a
# title, so the lines are worked out here for a ladder of widths and the chart picks them by its
# own `width` (the plot's, narrower than the whole chart: the lines err on the short side).
TITLE_CHAR_PX = 12.5  # a Latin letter of the 20 px bold title in the widest fallback font
TITLE_CJK_PX = 21.0  # a Chinese character
TITLE_WIDTHS = (240, 320, 400, 480, 560, 640, 760, 880, 1000, 1200)


def _title_px(text: str) -> float:
    return sum(TITLE_CJK_PX if ord(c) >= 0x2E80 else TITLE_CHAR_PX for c in text)


def wrapped_title(text: str, px: float) -> list[str]:
    """`text` in lines of at most `px` (by `_title_px`), broken at spaces or between Chinese
    characters; a single word longer than a line keeps a line of its own."""
    tokens = re.findall(r"[\u2e80-\uffff]|[^\s\u2e80-\uffff]+|\s+", text)
    lines, line = [], ""
    for token in tokens:
        if line and not line.isspace() and _title_px((line + token).rstrip()) > px:
            lines.append(line.rstrip())
            line = "" if token.isspace() else token
        else:
            line += token
    if line.strip():
        lines.append(line.rstrip())
    return lines


def fitting_title(text: str) -> str | alt.ExprRef:
    """The title as it is when it fits the narrowest chart, else an expression of the chart's
    width that gives the title's lines at that width."""
    px = _title_px(text)
    if px <= TITLE_WIDTHS[0]:
        return text
    expr = json.dumps(text, ensure_ascii=False)  # the widest charts: one line
    for narrow, wide in reversed(list(itertools.pairwise(TITLE_WIDTHS))):
        if px > narrow:
            lines = json.dumps(wrapped_title(text, narrow), ensure_ascii=False)
            expr = f"width < {wide} ? {lines} : {expr}"
    return alt.ExprRef(expr)


def title_text(title) -> str:
    """The text of a spec's title however it is given: a string, lines, {"text": ...}, or the
    width expression `fitting_title` makes (its last branch is the whole title on one line)."""
    if isinstance(title, dict):
        title = title.get("text", "")
    if isinstance(title, dict) and "expr" in title:
        title = json.loads(re.search(r':\s*("(?:[^"\\]|\\.)*")\s*$', title["expr"]).group(1))
    if isinstance(title, list):
        title = " ".join(title)
    return title or ""


def styled(chart: alt.Chart) -> alt.Chart:
    """Projector-friendly fonts on any chart, with room above its title (unless it sets its own),
    and a long title wrapped to the chart's width (a single or layered chart's plain title)."""
    if getattr(chart, "padding", alt.Undefined) is alt.Undefined:
        chart = chart.properties(padding={"top": TOP_PADDING, "left": 0, "right": 0, "bottom": 0})
    title = getattr(chart, "title", alt.Undefined)
    if isinstance(chart, alt.Chart | alt.LayerChart) and isinstance(title, str):
        fitted = fitting_title(title)
        if not isinstance(fitted, str):
            chart = chart.properties(title=alt.TitleParams(text=fitted))
    return (
        chart.configure_title(
            font=FONT,
            fontSize=TITLE_FONT_SIZE,
            subtitleFont=FONT,
            subtitleFontSize=LABEL_FONT_SIZE,
            anchor="start",
            color=TEXT,
            subtitleColor=TEXT,
        )
        .configure_axis(
            **_FONTS,
            labelColor=TEXT,
            titleColor=TEXT,
            domainColor=NEUTRAL,
            tickColor=NEUTRAL,
            gridColor=GRID,
        )
        .configure_legend(**_FONTS, labelColor=TEXT, titleColor=TEXT, labelLimit=0)
    )
