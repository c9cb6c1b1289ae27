"""The server asks a page to rerun one of its fragments: a change pushed, not polled for.

Streamlit has no public call for this; it does it itself (a rerun after a source file changed)
by handing a session the last client state it ran with. `rerun_fragment` does the same with a
fragment id, on the session's event loop, so the page redraws that fragment as if its own timer
had fired. Everything here reads Streamlit's internals defensively: when they are not there
(AppTest, another Streamlit), `here()` is None and pages keep polling at their own pace.
"""

import contextlib

from streamlit.proto.ClientState_pb2 import ClientState
from streamlit.runtime import Runtime
from streamlit.runtime.scriptrunner_utils.script_run_context import (
    ThreadState,
    get_script_run_ctx,
)


def available() -> bool:
    """True when this run's session can be pushed to (a real server, internals as expected)."""
    with contextlib.suppress(Exception):
        ctx = get_script_run_ctx(suppress_warning=True)
        return ctx is not None and Runtime.exists() and _session(ctx.session_id) is not None
    return False


def here() -> tuple[str, str] | None:
    """(session id, fragment id) of the fragment running now; None if a push cannot reach it."""
    with contextlib.suppress(Exception):
        fragment_id = ThreadState.get().fragment_id
        if fragment_id and available():
            return get_script_run_ctx().session_id, fragment_id
    return None


def _session(session_id: str):
    info = Runtime.instance()._session_mgr.get_active_session_info(session_id)
    if info is None:
        return None
    session = info.session
    if not hasattr(session, "_client_state") or not hasattr(session, "_event_loop"):
        return None
    return session


def rerun_fragment(session_id: str, fragment_id: str) -> bool:
    """Ask a session to rerun one fragment now (from any thread); False when it is gone."""
    try:
        session = _session(session_id)
        if session is None:
            return False
        state = ClientState()
        state.CopyFrom(session._client_state)  # its address and page, as its last run had
        state.fragment_id, state.is_auto_rerun = fragment_id, True
        state.ClearField("cached_message_hashes")  # stale since that run (see heavy.next_chunk)
        session._event_loop.call_soon_threadsafe(session.request_rerun, state)
        return True
    except Exception:  # noqa: BLE001 (a session closing under us, or internals moved)
        return False
