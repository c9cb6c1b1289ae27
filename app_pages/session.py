"""A visitor's session and its end: what the server gives back when a tab closes.

Streamlit keeps a disconnected session's state for a while in case the browser comes back,
and frees it only lazily, so after a class closes its laptops the models they trained would
stay in memory. When a session's websocket goes away, Streamlit stops its script and
releases its session-scoped resources; the hook below rides on that: it gives back the
session's heavy-work slot or place in line (a closed tab mid-run), drops everything the session kept (a returning tab starts afresh, its settings restored from the link) and hands
the freed memory back to the operating system.
"""

import gc

import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

from app_pages import heavy
from runtime.memory import release_free_memory


def forget(state) -> int:
    """Drop every key of a session's state, collect and trim; returns how many keys went."""
    keys = list(state.filtered_state)
    for key in keys:
        try:
            del state[key]
        except KeyError:
            pass
    gc.collect()
    release_free_memory()
    return len(keys)


def _on_session_end(handle) -> None:
    if handle is None:
        return
    session, state = handle
    heavy.on_session_end(session)  # first: its slot or place goes to the next in line at once
    forget(state)


@st.cache_resource(scope="session", on_release=_on_session_end, show_spinner=False)
def _session_state_handle():
    ctx = get_script_run_ctx()
    return (ctx.session_id, ctx.session_state) if ctx else None


def give_back_on_end() -> None:
    """Arrange (once per session) for its state to be dropped when the session ends."""
    _session_state_handle()
