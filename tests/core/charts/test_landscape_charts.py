"""The gradient-descent loss chart keeps its plot's height (a squashed log axis crowds its labels)."""

from core.charts import landscapes as gd_charts
from core.charts import styled
from core.landscapes import descent, functions


def test_the_loss_charts_height_is_its_plots_and_only_its_width_fits_the_column():
    land = functions.landscape("himmelblau")
    runs = descent.run_optimisers(land, ("SGD", "Adam"), 0.01, 50, 0.9, (0.0, 0.0), 0.0)
    spec = styled(gd_charts.loss_chart(runs, land.f_min, 10, height=240)).to_dict()
    # Streamlit's default fits title and axes into the height too: the plot was squashed flat
    assert spec["autosize"] == {"type": "fit-x", "contains": "padding"}
    assert spec["height"] == 240
    gaps = [row["gap"] for data in spec["datasets"].values() for row in data if "gap" in row]
    assert min(gaps) >= 1e-12 and max(gaps) > 1  # the log axis spans many decades
