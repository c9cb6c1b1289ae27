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


def test_a_slow_motion_run_lends_its_slot_to_others_while_it_pauses():
    at = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=300).run()
    at.switch_page("app_pages/live_training.py").run()
    assert at.toggle(key="regression_slow").value, "slow motion is the regression's default"
    others = [GATE.enter(f"other student {i}") for i in range(GATE.limit - 1)]  # one slot left
    let_in = []

    def neighbour():
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and GATE.counts()[0] < GATE.limit:
            time.sleep(0.01)  # until the slow-motion run holds the last slot
        ticket = GATE.enter("neighbour")
        # the run takes at least 6 s of pauses: holding the slot through them, it would
        # keep the neighbour out for all of that
        let_in.append(ticket.wait(3))
        time.sleep(0.05)  # the neighbour's short computation
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
    assert let_in == [True], "the neighbour got the slot during a pause"
    assert at.session_state["live_training_regression"].status == "finished"
    assert GATE.counts() == (0, 0)
