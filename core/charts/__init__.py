"""Altair chart builders, one module per topic: data in, alt.Chart out.

The palette is Okabe-Ito (colour-blind safe) and each concept keeps one colour on every page.
"""

import altair as alt

from core.charts.schema_tables import reuse_schema_tables

reuse_schema_tables()  # about half the cost of building a chart, saved (see the module)

# One colour per concept, the same on every page.
VALUE = "#0072B2"  # values, data, forward pass: blue
GRADIENT = "#E69F00"  # gradients, backward pass: orange
LEAF = "#009E73"  # leaf tensors, parameters, training set: bluish green
OUTPUT = "#D55E00"  # outputs, losses, predictions: vermillion
HIGHLIGHT = "#CC79A7"  # the selected cell, the current step: reddish purple
NEUTRAL = "#999999"  # grid lines, context
SKY = "#56B4E9"
YELLOW = "#F0E442"

# For series without a concept of their own (several optimisers, several classes...).
CATEGORICAL = [VALUE, GRADIENT, LEAF, OUTPUT, HIGHLIGHT, SKY, YELLOW, "#000000"]

# Streamlit's own face first (Latin text measures as before), then Chinese faces
FONT = '"Source Sans", "Noto Sans CJK SC", "PingFang SC", "Microsoft YaHei", sans-serif'
TITLE_FONT_SIZE = 20
LABEL_FONT_SIZE = 16


_FONTS = dict(
    labelFont=FONT, titleFont=FONT, labelFontSize=LABEL_FONT_SIZE, titleFontSize=LABEL_FONT_SIZE
)

TOP_PADDING = 8  # px above a chart: Streamlit draws charts with no padding, and a title's
# glyph boxes reach 4-6 px above the point Vega places it, past the chart's own box


def styled(chart: alt.Chart) -> alt.Chart:
    """Projector-friendly fonts on any chart, with room above its title (unless it sets its own)."""
    if getattr(chart, "padding", alt.Undefined) is alt.Undefined:
        chart = chart.properties(padding={"top": TOP_PADDING, "left": 0, "right": 0, "bottom": 0})
    return (
        chart.configure_title(
            font=FONT, fontSize=TITLE_FONT_SIZE, subtitleFontSize=LABEL_FONT_SIZE, anchor="start"
        )
        .configure_axis(**_FONTS)
        .configure_legend(**_FONTS)
    )
