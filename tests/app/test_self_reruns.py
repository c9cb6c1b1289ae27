"""The reruns the app asks for itself (a live run's next chunk, a pushed class-room view) claim
no message as cached in the browser.

Streamlit sends a large message as a reference when the rerun request says the browser holds
it. The browser's own requests say what it holds now; a request the server makes for it can
only repeat what it held at its last click, and by then it may have aged those out (its cache
counts fragment runs). The server then sent a reference the browser no longer had: "Cached
ForwardMsg MISS", the page greyed and stuck. Seen in bench/memory.py's tours, on Live training.
"""

from types import SimpleNamespace

from streamlit.proto.ClientState_pb2 import ClientState

from app_pages import heavy, push


def test_a_live_runs_next_chunk_claims_nothing_cached(monkeypatch):
    asked = []
    ctx = SimpleNamespace(
        script_requests=SimpleNamespace(request_rerun=asked.append),
        query_string="tab=CNN",
        page_script_hash="page",
        cached_message_hashes=frozenset({"a chart sent three runs ago"}),
        context_info=None,
    )
    monkeypatch.setattr(heavy, "get_script_run_ctx", lambda: ctx)
    monkeypatch.setattr(heavy.ThreadState, "get", lambda: SimpleNamespace(fragment_id="live"))
    heavy.next_chunk()
    (rerun,) = asked
    assert rerun.fragment_id_queue == ["live"] and rerun.query_string == "tab=CNN"
    assert rerun.cached_message_hashes == frozenset()


def test_a_pushed_view_claims_nothing_cached(monkeypatch):
    last = ClientState(query_string="room=ABCD", fragment_id="")
    last.cached_message_hashes.append("the histogram as the student last saw it")
    asked = []
    session = SimpleNamespace(
        _client_state=last,
        request_rerun=asked.append,  # what the event loop calls, with the state
        _event_loop=SimpleNamespace(call_soon_threadsafe=lambda rerun, state: rerun(state)),
    )
    monkeypatch.setattr(push, "_session", lambda session_id: session)
    assert push.rerun_fragment("a student", "room view")
    (state,) = asked
    assert state.fragment_id == "room view" and state.query_string == "room=ABCD"
    assert list(state.cached_message_hashes) == []
    assert list(last.cached_message_hashes), "the session's own record is left as it was"
