"""Live training redraws: three a second on a quiet server, fewer as runs crowd its cores;
only what changed is sent, and a chart's spec stays put so the browser only swaps its data."""

import json

import pytest

from app_pages import trainer, ui
from core.charts import training as charts


def test_redraws_slow_down_only_when_runs_outnumber_the_cores():
    assert trainer.redraw_seconds(1, 2) == trainer.REDRAW_SECONDS
    assert trainer.redraw_seconds(2, 2) == trainer.REDRAW_SECONDS
    assert trainer.redraw_seconds(4, 2) == pytest.approx(2 * trainer.REDRAW_SECONDS)
    assert trainer.redraw_seconds(3, 1) == pytest.approx(3 * trainer.REDRAW_SECONDS)
    assert trainer.redraw_seconds(10, 2) == trainer.REDRAW_MAX_SECONDS  # a class of ten
    assert trainer.redraw_seconds(0, 0) == trainer.REDRAW_SECONDS  # no cores known: as one


def test_a_live_loop_is_counted_while_it_runs_even_when_it_fails():
    before = trainer._LIVE["loops"]
    with trainer._counted():
        with trainer._counted():
            assert trainer._LIVE["loops"] == before + 2
    assert trainer._LIVE["loops"] == before
    with pytest.raises(RuntimeError), trainer._counted():
        raise RuntimeError("a run that stops half-way")
    assert trainer._LIVE["loops"] == before


class Box:
    """Stands for an `st.empty()`: ui.shows only needs an object it can hold weakly."""


def test_a_box_is_redrawn_only_when_what_it_shows_changes():
    a, b = Box(), Box()
    assert not ui.shows(a, ("epoch", 1))  # first time: draw it
    assert ui.shows(a, ("epoch", 1))  # the same again: skip
    assert not ui.shows(b, ("epoch", 1))  # another box keeps its own record
    assert not ui.shows(a, ("epoch", 2))  # new content: draw it
    assert not ui.shows(a, ("epoch", 1))  # and back again is a change too
    assert ui.shows(a, ("epoch", 1))


def _steps(n: int) -> list[dict]:
    return [{"step": i, "w1": 0.1 * i, "w2": -0.2 * i, "b": 0.05 * i} for i in range(1, n + 1)]


TRUTH, START = {"w1": 2.0, "w2": -3.4, "b": 4.2}, {"w1": 0.0, "w2": 0.0, "b": 0.0}
LIVE_CHARTS = {
    "parameters": lambda n: charts.parameter_chart(_steps(n), TRUTH, START),
    "step loss": lambda n: charts.step_loss_chart([(t["step"], t["b"]) for t in _steps(n)]),
    "history": lambda n: charts.history_chart(
        [{"epoch": e, "train loss": 1 / e, "test loss": 2 / e} for e in range(1, n + 1)],
        "loss",
        "Loss",
        40,
    ),
}


@pytest.mark.parametrize("name", list(LIVE_CHARTS))
def test_a_live_chart_keeps_its_spec_as_the_run_grows(name):
    """The browser rebuilds a chart whose spec changed and only swaps the data of one whose
    spec stayed: a growing run changes the data and nothing else."""
    early, late = (ui.named_by_place(ui.vega_lite_spec(LIVE_CHARTS[name](n))) for n in (3, 30))
    assert {k: v for k, v in early.items() if k != "datasets"} == {
        k: v for k, v in late.items() if k != "datasets"
    }
    assert list(early["datasets"]) == list(late["datasets"])
    assert all(n.startswith(ui.PREFIX) for n in early["datasets"])
    assert not any(n.startswith(("data_", "source_")) for n in early["datasets"])  # Vega-Lite's
    assert early["datasets"] != late["datasets"]  # the data did change
    # every dataset the spec names is sent, and every one sent is named in the spec
    named = set(json.dumps({k: v for k, v in early.items() if k != "datasets"}).split('"'))
    assert set(early["datasets"]) <= named


def test_naming_by_place_changes_the_names_and_nothing_else():
    spec = ui.vega_lite_spec(LIVE_CHARTS["parameters"](5))
    renamed = ui.named_by_place(spec)
    old_to_new = dict(zip(spec["datasets"], renamed["datasets"], strict=True))
    assert len(old_to_new) == 2  # the learned lines and the dashed truth
    for old, new in old_to_new.items():
        assert renamed["datasets"][new] == spec["datasets"][old]
    body = json.dumps({k: v for k, v in renamed.items() if k != "datasets"}, sort_keys=True)
    for old, new in old_to_new.items():
        body = body.replace(f'"{new}"', f'"{old}"')
    assert json.loads(body) == {k: v for k, v in spec.items() if k != "datasets"}
