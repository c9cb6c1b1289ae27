"""Heavy actions wait their turn at the server's one gate, then run, and give the slot back."""

import threading
import time

import pytest
from streamlit.testing.v1 import AppTest

from runtime.admission import GATE
from tests.conftest import ROOT

pytestmark = pytest.mark.slow  # each waits for another thread to free the gate


def _occupy_gate_then_free_it(seen: list) -> threading.Thread:
    """Fill every slot with other 'students', wait until the page queues, then leave."""
    others = [GATE.enter(f"other student {i}") for i in range(GATE.limit)]
    assert all(t.admitted for t in others)

    def later():
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and GATE.counts()[1] == 0:
            time.sleep(0.05)
        seen.append(GATE.counts())  # (running, waiting) while the page stood in line
        time.sleep(0.5)
        for t in others:
            t.leave()

    thread = threading.Thread(target=later, daemon=True)
    thread.start()
    return thread


def test_live_training_waits_in_line_then_trains():
    at = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=300).run()
    at.switch_page("app_pages/live_training.py").run()
    at.slider(key="reg_epochs").set_value(1).run()
    at.toggle(key="regression_slow").set_value(False).run()
    seen = []
    freer = _occupy_gate_then_free_it(seen)
    at.button(key="regression_start").click().run()
    freer.join(10)
    assert not at.exception, [e.value for e in at.exception]
    assert seen == [(GATE.limit, 1)], "the run stood in line behind the others"
    assert at.session_state["live_training_regression"].status == "finished"
    assert GATE.counts() == (0, 0), "the slot was given back"


def test_li_slice_waits_in_line_then_computes():
    at = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=300).run()
    at.switch_page("app_pages/gradient_descent.py").run()
    at.select_slider(key="li_res").set_value(11).run()
    seen = []
    freer = _occupy_gate_then_free_it(seen)
    at.button(key="li_go").click().run()
    freer.join(10)
    assert not at.exception, [e.value for e in at.exception]
    assert seen == [(GATE.limit, 1)]
    assert at.session_state["li_result"] is not None
    assert GATE.counts() == (0, 0)


def test_behaviour_cloning_collect_waits_in_line_and_the_slot_ends_with_the_run():
    at = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=300).run()
    at.switch_page("app_pages/behaviour_cloning.py").run()
    seen = []
    freer = _occupy_gate_then_free_it(seen)
    at.button(key="bc_collect").click().run()
    freer.join(10)
    assert not at.exception, [e.value for e in at.exception]
    assert seen == [(GATE.limit, 1)]
    assert len(at.session_state["bc_data"].actions) == 10_000
    # wait_turn holds the slot until the page run ends; the shell gave it back
    assert GATE.counts() == (0, 0)


def test_a_slow_motion_run_keeps_its_slot_over_its_pauses_and_gives_it_back():
    at = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=300).run()
    at.switch_page("app_pages/live_training.py").run()
    assert at.toggle(key="regression_slow").value, "slow motion is the regression's default"
    others = [GATE.enter(f"other student {i}") for i in range(GATE.limit - 1)]  # one slot left
    seen = []

    def neighbour():
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and GATE.counts()[0] < GATE.limit:
            time.sleep(0.01)  # until the slow-motion run holds the last slot
        ticket = GATE.enter("neighbour")
        # the run's pauses add up to about 6 s: it keeps its place over them (it is not sent
        # to the back of the line between two steps), and the neighbour gets the slot after
        seen.append(ticket.wait(2))
        seen.append(ticket.wait(120))
        ticket.leave()

    thread = threading.Thread(target=neighbour, daemon=True)
    thread.start()
    try:
        at.button(key="regression_start").click().run()
    finally:
        for t in others:
            t.leave()
    thread.join(10)
    assert not at.exception, [e.value for e in at.exception]
    assert seen == [False, True], "the paced run kept its slot, then gave it to the neighbour"
    assert at.session_state["live_training_regression"].status == "finished"
    assert GATE.counts() == (0, 0)


def _live_tab(tab: str) -> AppTest:
    at = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=300).run()
    at.switch_page("app_pages/live_training.py").run()
    at.session_state["tab"] = tab
    return at.run()


def _fresh_session_is_admitted() -> bool:
    """What a new student sees once a slot is free: admitted at once (capacity forced to 1)."""
    ticket = GATE.enter("a fresh student")
    try:
        return ticket.wait(5)
    finally:
        ticket.leave()


def _stopped_mid_run():
    """A page that takes a slot, then is stopped by Streamlit (a closed tab, Stop)."""
    import streamlit as st
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    from app_pages import heavy

    heavy.begin_page_run()
    try:
        if heavy.wait_turn("work"):
            get_script_run_ctx().script_requests.request_stop()
            st.session_state["touched after the stop"] = True  # raises StopException
            st.write("never shown")
    finally:
        heavy.release()  # the entry script's net: must not touch session state


def _failing_mid_run():
    from app_pages import heavy

    heavy.begin_page_run()
    try:
        if heavy.wait_turn("work"):
            raise RuntimeError("the run failed")
    finally:
        heavy.release()


@pytest.mark.parametrize("script", [_stopped_mid_run, _failing_mid_run])
def test_a_run_stopped_or_failed_mid_run_gives_its_slot_back(monkeypatch, script):
    monkeypatch.setenv("PYTORCH_LIVE_HEAVY_RUNS", "1")
    at = AppTest.from_function(script, default_timeout=60).run()
    assert "never shown" not in [m.value for m in at.markdown]
    assert GATE.counts() == (0, 0), "no slot or place left behind"
    assert _fresh_session_is_admitted()


def test_a_live_run_that_uses_up_its_budget_gives_its_slot_back(monkeypatch):
    monkeypatch.setenv("PYTORCH_LIVE_HEAVY_RUNS", "1")
    at = _live_tab("RNN")
    at.slider(key="rnn_epochs").set_value(100).run()
    at.session_state["live_training_rnn"].cpu_budget = 0.3  # a tiny share of the server
    at.button(key="rnn_start").click().run()
    assert not at.exception, [e.value for e in at.exception]
    run = at.session_state["live_training_rnn"]
    assert run.status == "stopped" and run.last.epoch < 99, "stopped at its budget, not the end"
    assert GATE.counts() == (0, 0)
    assert _fresh_session_is_admitted()


def test_a_live_run_waits_over_many_redraws_then_trains_and_gives_the_slot_back(monkeypatch):
    monkeypatch.setenv("PYTORCH_LIVE_HEAVY_RUNS", "1")
    at = _live_tab("RNN")
    blocker = GATE.enter("a student training")  # holds the one slot: the run waits in line
    places = []

    def watch_then_leave():
        deadline = time.monotonic() + 2.0  # the tab redraws a few times a second meanwhile
        while time.monotonic() < deadline:
            places.append(GATE.counts())
            time.sleep(0.1)
        blocker.leave()

    threading.Thread(target=watch_then_leave, daemon=True).start()
    try:
        at.button(key="rnn_start").click().run()
    finally:
        blocker.leave()
    assert not at.exception, [e.value for e in at.exception]
    assert (1, 1) in places, "the run stood in line (its place kept from redraw to redraw)"
    assert at.session_state["live_training_rnn"].status == "finished"
    assert GATE.counts() == (0, 0)
    at.button(key="rnn_start").click().run()  # a done run starts over, fresh
    at.button(key="rnn_reset").click().run()
    assert at.session_state["live_training_rnn"].status == "ready"
    assert GATE.counts() == (0, 0)
    assert _fresh_session_is_admitted()
