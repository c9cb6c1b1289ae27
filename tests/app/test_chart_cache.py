"""ui.chart: a chart's spec made once per set of inputs, exactly what st.altair_chart sends."""

import json

import pandas as pd
import pytest
import torch
from streamlit.elements.vega_charts import _convert_altair_to_vega_lite_spec
from streamlit.testing.v1 import AppTest

from app_pages import ui
from core import losses
from core.charts import landscapes, styled, title_text
from core.charts import losses as loss_charts
from core.charts.tensors import Grid, tensor_grids
from core.landscapes import descent, functions
from tests.conftest import ROOT


def _charts():
    land = functions.landscape("rosenbrock")
    runs = descent.run_optimisers(land, ("SGD", "Adam"), 0.002, 60, 0.9, land.start, 0.0)
    curves = losses.loss_curves(("MSE", "Huber"), delta=1.0)
    grids = [Grid(torch.arange(6.0).reshape(2, 3), "a"), Grid(torch.ones(3, 2), "b")]
    return {
        "map with a click selection": styled(
            landscapes.landscape_chart(land, "data:,", runs, 60, land.start)
        ),
        "loss curves": styled(loss_charts.curves_chart(curves, "loss", "r", "Loss")),
        "tensor grids side by side": tensor_grids(grids, budget=620),
    }


def test_the_spec_is_what_streamlit_would_send():
    for name, chart in _charts().items():
        ours, theirs = ui.vega_lite_spec(chart), _convert_altair_to_vega_lite_spec(chart)
        assert ours == theirs, name
        assert ours["datasets"] and all(isinstance(b, bytes) for b in ours["datasets"].values())


def test_one_build_per_set_of_inputs_and_each_caller_gets_its_own_copy():
    built = []

    def build(v):
        built.append(v)
        df = pd.DataFrame({"x": [0, 1], "y": [v, v + 1]})
        return loss_charts.alt.Chart(df).mark_line().encode(x="x:Q", y="y:Q")

    first = ui._chart_spec(("cache test", 1.5), True, lambda: build(1.5))
    again = ui._chart_spec(("cache test", 1.5), True, lambda: build(1.5))
    other = ui._chart_spec(("cache test", 2.5), True, lambda: build(2.5))
    assert built == [1.5, 2.5]
    assert first == again and first is not again  # a caller may change its copy freely
    assert first["datasets"] != other["datasets"]
    assert first["config"]["axis"]["labelFontSize"] == 16  # styled for the projector


def _map(at) -> tuple[dict, list[bytes]]:
    """The map's spec and its data, as the page sent them."""
    chart = next(c for c in at.get("vega_lite_chart") if "paths up to" in c.proto.spec)
    return json.loads(chart.proto.spec), [d.data.data for d in chart.proto.datasets]


def test_the_map_follows_every_setting_it_depends_on():
    at = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=180).run()
    at.switch_page("app_pages/gradient_descent.py").run()
    assert title_text(_map(at)[0]["title"]) == "Himmelblau: paths up to step 300"
    before = _map(at)
    at.slider(key="gd_step").set_value(120).run()
    assert title_text(_map(at)[0]["title"]) == "Himmelblau: paths up to step 120"
    at.slider(key="gd_step").set_value(300).run()
    assert _map(at) == before  # back to the same inputs: the same chart
    at.select_slider(key="lr").set_value(0.005).run()
    assert _map(at)[1] != before[1]  # new paths
    moved = _map(at)
    at.number_input(key="x0").set_value(0.5).run()
    assert not at.exception
    assert _map(at)[1] != moved[1]  # a new start: new paths and a new start marker


@pytest.mark.parametrize(
    "page",
    [
        "tensors",
        "modules",
        "gradient_descent",
        "loss_functions",
        "live_training",
        "behaviour_cloning",
    ],
)
def test_every_chart_a_page_draws_is_valid_vega_lite(page, monkeypatch):
    """The pages skip Altair's schema check at run time; here every chart is checked."""
    monkeypatch.setattr(ui, "VALIDATE_CHARTS", True)
    ui._chart_spec.clear()  # build every cached chart again, checked
    at = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=180).run()
    at.switch_page(f"app_pages/{page}.py").run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.get("vega_lite_chart")
