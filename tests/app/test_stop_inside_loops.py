"""Stop acts inside a heavy action's loop, not at the page's next redraw: Streamlit's Stop and
the gate taking the slot back end a long behaviour-cloning training within one batch, free
the slot, keep no policy of it, and say so (at once, or on the next page run after Stop)."""

import threading
import time

import pytest
from streamlit.runtime.scriptrunner_utils.script_run_context import SCRIPT_RUN_CONTEXT_ATTR_NAME
from streamlit.testing.v1 import AppTest

from runtime.admission import GATE
from tests.conftest import ROOT

pytestmark = pytest.mark.slow  # each trains for a moment in another thread's company


def _ready_to_train() -> AppTest:
    """The BC page with the expert's data collected and 40 epochs set (a long run)."""
    at = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=300).run()
    at.switch_page("app_pages/behaviour_cloning.py").run()
    at.button(key="bc_collect").click().run()
    assert not at.exception, [e.value for e in at.exception]
    at.slider(key="bc_epochs").set_value(40).run()
    return at


def _once_training(act) -> tuple[threading.Thread, dict]:
    """Call act(session) from another thread once a run holds the slot and has trained a
    moment; `seen` gets when."""
    seen: dict = {}

    def later():
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and not GATE.sessions()[0]:
            time.sleep(0.01)
        time.sleep(1.0)  # inside bc.train's loop by now (40 epochs take many seconds)
        seen["at"] = time.monotonic()
        act(GATE.sessions()[0][0])

    thread = threading.Thread(target=later, daemon=True)
    thread.start()
    return thread, seen


def _streamlit_stop(session: str) -> None:
    """What Streamlit's Stop button does: a stop request to the session's script runner."""
    for thread in threading.enumerate():
        ctx = getattr(thread, SCRIPT_RUN_CONTEXT_ATTR_NAME, None)
        if ctx is not None and ctx.session_id == session:
            ctx.script_requests.request_stop()
            return
    raise AssertionError("no script thread of that session")


def _stopped_mid_run(at: AppTest, seen: dict) -> float:
    """Seconds from the stop to the run's end; the run kept no policy and freed its slot."""
    ended = time.monotonic()
    assert "at" in seen, "the run ended before it was stopped"
    assert not at.exception, [e.value for e in at.exception]
    assert "bc_policy" not in at.session_state, "no policy of a stopped run"
    assert len(at.session_state["bc_history"]) < 40, "it stopped mid-run"
    assert GATE.counts() == (0, 0), "the slot was given back"
    return ended - seen["at"]


def test_streamlit_stop_ends_the_training_inside_its_loop_and_says_so_next_run():
    at = _ready_to_train()
    thread, seen = _once_training(_streamlit_stop)
    at.button(key="bc_train").click().run()
    thread.join(10)
    took = _stopped_mid_run(at, seen)
    print(f"ended {took:.2f} s after Stop (wall clock, on a loaded machine)")
    assert took < 10, "within a batch or so, not after the 40 epochs"
    at.run()  # the next page run: the note that could not be shown during Stop
    assert any("Stopped" in t.value and "Stop was pressed" in t.value for t in at.toast)
    at.run()
    assert not at.toast, "the note is shown once"


def test_the_gate_taking_the_slot_back_ends_the_training_and_the_page_says_why():
    at = _ready_to_train()
    thread, seen = _once_training(lambda s: GATE.leave_session(s, "reclaimed by the test"))
    at.button(key="bc_train").click().run()
    thread.join(10)
    took = _stopped_mid_run(at, seen)
    print(f"ended {took:.2f} s after the reclaim (wall clock, on a loaded machine)")
    said = " ".join(i.value for i in at.info)
    assert "Stopped" in said and "next in line" in said and "policy trained before" in said


def test_the_gate_taking_the_slot_back_ends_the_matches_and_keeps_the_pairings_over():
    at = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=300).run()
    at.switch_page("app_pages/behaviour_cloning.py").run()
    at.slider(key="bc_match_games").set_value(400).run()  # a table of about a minute
    thread, seen = _once_training(lambda s: GATE.leave_session(s, "reclaimed by the test"))
    at.button(key="bc_play_matches").click().run()
    thread.join(10)
    took = time.monotonic() - seen["at"]
    print(f"matches ended {took:.2f} s after the reclaim (wall clock, on a loaded machine)")
    assert not at.exception, [e.value for e in at.exception]
    assert GATE.counts() == (0, 0), "the slot was given back"
    said = " ".join(i.value for i in at.info)
    assert "Stopped" in said and "next in line" in said and "pairings that were over" in said
    assert not any("share of the server" in w.value for w in at.warning), "not the budget's cap"
    table = at.session_state["bc_table"] if "bc_table" in at.session_state else None
    assert table is None or len(table) < 4 * 7, "it stopped before every pairing was over"
