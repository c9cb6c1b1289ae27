"""`styled`: projector fonts, and room above a title that Streamlit's zero padding does not give."""

import altair as alt
import numpy as np
import pandas as pd

from core.charts import (
    LABEL_FONT_SIZE,
    TITLE_FONT_SIZE,
    TOP_PADDING,
    _title_px,
    styled,
    title_text,
    wrapped_title,
)
from core.charts.wrestling import distance_chart


def _chart():
    return alt.Chart(pd.DataFrame({"x": [1, 2]}), title="A title").mark_point().encode(x="x:Q")


def test_every_styled_chart_gets_room_above_and_projector_fonts():
    for chart in (_chart(), alt.layer(_chart(), _chart()), alt.concat(_chart(), _chart())):
        spec = styled(chart).to_dict()
        assert spec["padding"]["top"] == TOP_PADDING >= 8
        assert spec["config"]["title"]["fontSize"] == TITLE_FONT_SIZE
        assert spec["config"]["axis"]["labelFontSize"] == LABEL_FONT_SIZE


def test_a_chart_that_sets_its_own_padding_keeps_it():
    own = {"top": 24, "left": 5, "right": 5, "bottom": 5}
    assert styled(_chart().properties(padding=own)).to_dict()["padding"] == own
    rng = np.random.default_rng(0)  # the distance chart: its title sits higher, it needs 16
    assert distance_chart(rng.uniform(0, 600, (20, 2)), np.arange(20)).to_dict()["padding"] == own


LONG = "Parameters and their gradients, step by step (dashed: before the step)"


def test_a_long_title_wraps_to_the_width_the_chart_is_drawn_at():
    spec = styled(_chart().properties(title=LONG)).to_dict()
    expr = spec["title"]["text"]["expr"]
    assert title_text(spec["title"]) == LONG  # the widest charts: one line, the whole title
    # at each width of the ladder the lines fit that width, and read as the whole title
    for narrow in (240, 400, 640):
        lines = wrapped_title(LONG, narrow)
        assert len(lines) > 1 and " ".join(lines) == LONG
        assert all(_title_px(line) <= narrow for line in lines)
        assert str(lines).replace("'", '"') in expr
    assert styled(_chart()).to_dict()["title"] == "A title"  # a short one stays as it is
    concat = styled(alt.concat(_chart(), _chart()).properties(title=LONG)).to_dict()
    assert concat["title"] == LONG  # a side-by-side chart has no single width to wrap to


def test_chinese_titles_break_between_characters():
    text = "决策区域与数据，一步一步地看参数和梯度的变化过程"
    lines = wrapped_title(text, 240)
    assert "".join(lines) == text and [len(line) for line in lines] == [11, 11, 2]
