"""A visitor's session and its end: what the server gives back when a tab closes.

Streamlit keeps a disconnected session's state for a while in case the browser comes back,
and frees it only lazily, so after a class closes its laptops the models they trained would
stay in memory. When a session's websocket goes away, Streamlit stops its script and
releases its session-scoped resources; the hook below rides on that: it gives back the
session's heavy-work slot or place in line (a closed tab mid-run), drops everything the session kept (a returning tab starts afresh, its settings restored from the link) and hands
the freed memory back to the operating system.
"""

import gc
from contextlib import nullcontext

import streamlit as st
from streamlit import runtime
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


def drop_widgets(state) -> None:
    """Clear what `forget` leaves in a session's state: its widgets' values and metadata, whose
    callbacks and format functions are the page's own functions, so they keep the page's last
    run namespace (a student's dataset with it) for as long as anything holds the session."""
    inner = getattr(state, "_state", None)
    if inner is None:
        return
    with getattr(state, "_lock", nullcontext()):
        inner.clear()
        metadata = getattr(getattr(inner, "_new_widget_state", None), "widget_metadata", None)
        if metadata is not None:
            metadata.clear()


def _on_session_end(handle) -> None:
    if handle is None:
        return
    session, state = handle
    heavy.on_session_end(session)  # first: its slot or place goes to the next in line at once
    drop_widgets(state)
    forget(state)


@st.cache_resource(scope="session", on_release=_on_session_end, show_spinner=False)
def _session_state_handle():
    ctx = get_script_run_ctx()
    return (ctx.session_id, ctx.session_state) if ctx else None


def release_stores(session_id: str | None) -> None:
    """What Streamlit itself keeps of a departed session, beyond its state: its uploads, its
    downloads (stored files and deferred callables, which hold the page's last-run namespace),
    and the AppSession, kept two minutes for a reconnect that would find its state gone anyway.

    The session is marked not resumable, so the disconnect in progress shuts it down (Streamlit
    then drops its files, its media references and its deferred downloads, and keeps no
    AppSession); its uploads are removed here as well, in case it was already stored.
    """
    if session_id is None or not runtime.exists():
        return
    rt = runtime.get_instance()
    rt.mark_session_nonresumable(session_id)
    rt.uploaded_file_mgr.remove_session_files(session_id)


@st.cache_resource(scope="session", on_release=release_stores, show_spinner=False)
def _session_id_handle() -> str | None:
    ctx = get_script_run_ctx()
    return ctx.session_id if ctx else None


def drop_upload(upload) -> None:
    """Let go of an upload once its data are read: Streamlit would keep its bytes for the rest of
    the session beside the dataset made from them (the widget then shows no file)."""
    ctx = get_script_run_ctx()
    if upload is None or ctx is None or not runtime.exists():
        return
    remove = getattr(runtime.get_instance().uploaded_file_mgr, "remove_file", None)
    if remove is not None:
        remove(ctx.session_id, upload.file_id)


def give_back_on_end() -> None:
    """Arrange (once per session) for its state to be dropped when the session ends."""
    _session_state_handle()
    _session_id_handle()
