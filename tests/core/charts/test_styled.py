"""`styled`: projector fonts, and room above a title that Streamlit's zero padding does not give."""

import altair as alt
import numpy as np
import pandas as pd

from core.charts import LABEL_FONT_SIZE, TITLE_FONT_SIZE, TOP_PADDING, styled
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
