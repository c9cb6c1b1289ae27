"""Altair chart builders, one module per topic: data in, alt.Chart out.

The palette is Okabe-Ito (colour-blind safe) and each concept keeps one colour on every page.
"""

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

TITLE_FONT_SIZE = 20
LABEL_FONT_SIZE = 16


TOP_PADDING = 8  # px above a chart: Streamlit draws charts with no padding, and a title's
# glyph boxes reach 4-6 px above the point Vega places it, past the chart's own box


def styled(chart: alt.Chart) -> alt.Chart:
    """Projector-friendly fonts on any chart, with room above its title (unless it sets its own)."""
    if getattr(chart, "padding", alt.Undefined) is alt.Undefined:
        chart = chart.properties(padding={"top": TOP_PADDING, "left": 0, "right": 0, "bottom": 0})
    return (
        chart.configure_title(
            fontSize=TITLE_FONT_SIZE,
            subtitleFontSize=LABEL_FONT_SIZE,
            anchor="start",
            color=TEXT,
            subtitleColor=TEXT,
        )
        .configure_axis(
            labelFontSize=LABEL_FONT_SIZE,
            titleFontSize=LABEL_FONT_SIZE,
            labelColor=TEXT,
            titleColor=TEXT,
            domainColor=NEUTRAL,
            tickColor=NEUTRAL,
            gridColor=GRID,
        )
        .configure_legend(
            labelFontSize=LABEL_FONT_SIZE,
            titleFontSize=LABEL_FONT_SIZE,
            labelColor=TEXT,
            titleColor=TEXT,
            labelLimit=0,
        )
    )
