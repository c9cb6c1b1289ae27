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
