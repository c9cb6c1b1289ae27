"""A session that ends gives back what it kept: its state is dropped, memory trimmed."""

import torch
from streamlit.runtime.state import SafeSessionState, SessionState

from app_pages.session import forget


def test_forget_drops_everything_a_session_kept():
    state = SafeSessionState(SessionState(), lambda: None)
    state["live_training_cnn"] = torch.zeros(1000, 1000)
    state["bc_data"] = list(range(10))
    state["presenter_mode"] = True
    assert forget(state) == 3
    assert state.filtered_state == {}
    assert "live_training_cnn" not in state
    assert forget(state) == 0  # a second release is harmless


def test_the_session_end_gives_its_heavy_slot_to_the_next_in_line(monkeypatch):
    from app_pages.session import _on_session_end
    from runtime.admission import Gate

    gate = Gate(1)
    monkeypatch.setattr("app_pages.heavy.GATE", gate)
    held = gate.enter("a closed tab")
    waiting = gate.enter("a student in line")
    state = SafeSessionState(SessionState(), lambda: None)
    state["live_training_cnn"] = "a model"
    _on_session_end(("a closed tab", state))  # what Streamlit calls when the websocket goes
    assert held.cancelled and gate.ticket_of("a closed tab") is None
    assert waiting.admitted, "the next in line got the slot"
    assert state.filtered_state == {}
