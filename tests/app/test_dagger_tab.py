"""The behaviour-cloning page's DAgger tab under AppTest, with a tiny budget."""

import pytest

from app_pages import dagger_tab
from core.wrestling.dagger import DaggerConfig
from tests.app.test_behaviour_cloning_page import _page  # the BC page, opened from a link


@pytest.fixture
def tiny(monkeypatch):
    """A run of a few games and small data: the real code, in seconds."""
    monkeypatch.setattr(dagger_tab, "VISIT_GAMES", 4)
    budget = DaggerConfig(games=6, eval_games=1, max_pairs=2_000, epochs=1)
    monkeypatch.setattr(dagger_tab, "BUDGET", budget)
    monkeypatch.setattr(dagger_tab, "N_PAIRS", 300)


@pytest.mark.slow  # a whole DAgger run, if a tiny one
def test_the_maps_then_a_tiny_run_then_export(tiny):
    at = _page({"dagger_opponent": "random", "dagger_iterations": "1", "dagger_beta": "1"})
    assert at.selectbox(key="dagger_opponent").value == "random"
    assert at.slider(key="dagger_iterations").value == 1
    assert at.toggle(key="dagger_beta").value is True
    assert any("reads the true state" in c.value for c in at.caption)
    no_maps = len(at.get("vega_lite_chart"))  # the maps wait for a click: they play games
    at.button(key="dagger_maps_go").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert len(at.get("vega_lite_chart")) == no_maps + 2  # the maps and the distributions
    assert [v.name for v in at.session_state["dagger_maps"]["random"]] == ["expert", "BC"]
    charts_before = len(at.get("vega_lite_chart"))
    at.button(key="dagger_run").click().run()
    assert not at.exception, [e.value for e in at.exception]
    history = at.session_state["dagger_history"]
    assert sorted({row["iteration"] for row in history}) == [0, 1]
    assert {row["opponent"] for row in history} >= {"random", "still", "expert"}
    assert at.session_state["dagger_policy"] is not None
    # the DAgger policy now joins the maps, the progress chart is drawn, Export offers it
    assert len(at.get("vega_lite_chart")) >= charts_before + 1
    assert "DAgger (trained here)" in at.radio(key="bc_export_which").options
    # the settings are in the link
    assert at.query_params["dagger_iterations"] in (["1"], "1")


def test_a_run_stops_at_its_cpu_share_inside_its_first_loop_and_keeps_nothing(tiny, monkeypatch):
    monkeypatch.setattr(dagger_tab, "RUN_CPU_SECONDS", 0.0)  # over the share at the first poll
    at = _page({"dagger_iterations": "3"})
    at.button(key="dagger_run").click().run()
    assert not at.exception, [e.value for e in at.exception]
    stopped = [i.value for i in at.info if "share of the server's computing time" in i.value]
    assert stopped and stopped[0].startswith("**Stopped**")
    assert "nothing of this one is" in stopped[0]  # stopped while collecting the expert's data
    assert at.session_state.get("dagger_history") is None  # not one of the 3 iterations ran
    assert at.session_state.get("dagger_policy") is None


@pytest.mark.slow  # the tab's default run itself: about 20 s of one core
def test_the_default_run_tells_the_lesson():
    """With the tab's defaults DAgger ends no worse than BC against still and random and
    clearly better against the course-data BC (the evaluation the tab's chart shows)."""
    from dataclasses import replace

    from core.wrestling import dagger, expert

    iterations = next(p.default for p in dagger_tab.PARAMS if p.key == "dagger_iterations")
    config = replace(dagger_tab.BUDGET, iterations=iterations)
    data = expert.collect(dagger_tab.N_PAIRS, seed=0)
    rates = [
        ev.win_rates()
        for ev in dagger.dagger(dagger_tab._bc(), data, config, dagger_tab._opponents())
        if ev.phase == "evaluate"
    ]
    bc_rates, last = rates[0], rates[-1]
    assert len(rates) == iterations + 1
    for opponent in ("still", "random"):
        assert last[opponent] >= bc_rates[opponent], (opponent, rates)
    # clearly better: at least five more wins in 32 games. The figures move with the CPU's
    # float kernels (seed 0: 59% -> 94% on one machine, 72% -> 91% on an AVX-512 one)
    assert last["course"] >= bc_rates["course"] + 5 / 32, rates
