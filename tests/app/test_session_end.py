"""A session that ends gives back what it kept: its state is dropped, memory trimmed."""

import gc

import pytest
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


# --------------------------------------------------- a departed student's dataset (issue 30)


class _Browser:
    """The server's side of one browser tab: it only collects what the server sends."""

    def __init__(self):
        self.messages = []

    def write_forward_msg(self, msg) -> None:
        self.messages.append(msg)


def _elements(messages):
    """Every element the server has sent to the tab, in order."""
    for m in messages:
        if m.HasField("delta") and m.delta.HasField("new_element"):
            yield m.delta.new_element


def _element_id(messages, kind: str) -> str:
    """The id of the page's first element of this kind; failing, what the page did show."""
    shown = []
    for element in _elements(messages):
        if element.WhichOneof("type") == kind:
            return getattr(element, kind).id
        if element.WhichOneof("type") == "exception":
            shown.append(f"exception: {element.exception.message}")
        else:
            shown.append(element.WhichOneof("type"))
    pages = [m.page_info_changed for m in messages if m.HasField("page_info_changed")]
    raise AssertionError(f"no {kind} on the page; it showed {shown} (pages {pages})")


def _button_ids(messages) -> dict[str, str]:
    return {
        e.button.id: e.button.label for e in _elements(messages) if e.WhichOneof("type") == "button"
    }


async def _until_idle(session, browser, timeout: float = 300.0) -> None:
    """Wait for the run just asked for to finish: one more script_finished message than before.

    (Waiting for the session's state to read "not running" raced on a busy machine: the run had
    not even started when the state was first read.)"""
    import asyncio
    import time

    def finished() -> int:
        return sum(1 for m in browser.messages if m.HasField("script_finished"))

    before = finished()
    deadline = time.monotonic() + timeout
    while finished() == before or session._state.name != "APP_NOT_RUNNING":
        assert time.monotonic() < deadline, "the script run did not finish"
        await asyncio.sleep(0.1)


def _twelve_pairs() -> bytes:
    import numpy as np

    from core.wrestling import data

    rng = np.random.default_rng(0)
    obs = rng.choice(np.array(data.CELL_VALUES, np.uint8), size=(12, 40, 40))
    actions = np.tile([[50.0, 10.0]], (12, 1))
    return data.save_zip(data.Dataset(obs, actions, np.arange(12)))


@pytest.mark.slow  # seconds of the fast loop; the whole suite runs it
def test_a_departed_students_dataset_is_collectable():
    """A real Streamlit runtime in this process: a student collects the expert's 10,000 pairs on
    the Behaviour cloning page (after uploading a zip of its own), then the tab closes. Nothing may keep the dataset: not the
    session's state, not the widgets' metadata (whose callbacks hold the page's last-run
    namespace, where the page's `d` is the dataset), not the session kept for a reconnect."""
    import asyncio
    import weakref

    from streamlit.proto.BackMsg_pb2 import BackMsg
    from streamlit.runtime import Runtime, RuntimeConfig
    from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage
    from streamlit.runtime.memory_uploaded_file_manager import MemoryUploadedFileManager
    from streamlit.runtime.uploaded_file_manager import UploadedFileRec

    from runtime import warmup
    from tests.conftest import ROOT

    async def lesson() -> None:
        config = RuntimeConfig(
            script_path=str(ROOT / "streamlit_app.py"),
            media_file_storage=MemoryMediaFileStorage("/media"),
            uploaded_file_manager=MemoryUploadedFileManager("/_stcore/upload_file"),
        )
        rt = Runtime(config)
        try:
            await rt.start()
            browser = _Browser()
            sid = rt.connect_session(client=browser, user_info={})
            session = rt._session_mgr.get_active_session_info(sid).session

            def rerun(clicked: str | None = None) -> None:
                msg = BackMsg()
                msg.rerun_script.page_name = "behaviour_cloning"
                if clicked:
                    widget = msg.rerun_script.widget_states.widgets.add()
                    widget.id, widget.trigger_value = clicked, True
                rt.handle_backmsg(sid, msg)

            rerun()
            await _until_idle(session, browser)
            thread = warmup.start()  # its gc.freeze() would keep whatever exists at that moment
            if thread is not None:
                thread.join()
            # first an upload: once read, its bytes are not kept beside the dataset
            uploader = _element_id(browser.messages, "file_uploader")
            raw = _twelve_pairs()
            rt.uploaded_file_mgr.add_file(
                sid, UploadedFileRec("upload-1", "mine.zip", "application/zip", raw)
            )
            msg = BackMsg()
            msg.rerun_script.page_name = "behaviour_cloning"
            widget = msg.rerun_script.widget_states.widgets.add()
            widget.id = uploader
            info = widget.file_uploader_state_value.uploaded_file_info.add()
            info.name, info.size, info.file_id = "mine.zip", len(raw), "upload-1"
            rt.handle_backmsg(sid, msg)
            await _until_idle(session, browser)
            assert len(session.session_state["bc_data"]) == 12
            assert rt.uploaded_file_mgr.get_files(sid, ["upload-1"]) == []
            # then the expert's 10,000 pairs
            buttons = _button_ids(browser.messages)
            collect = next((i for i, label in buttons.items() if "Collect" in label), None)
            assert collect, f"no Collect button among {sorted(buttons.values())}"
            rerun(collect)
            await _until_idle(session, browser)
            dataset = session.session_state["bc_data"]
            assert len(dataset) == 10_000
            ref = weakref.ref(dataset)
            del dataset, session
            rt.disconnect_session(sid)  # the tab closes
            await asyncio.sleep(1.0)
            gc.collect()
            assert ref() is None, "a departed student's dataset is still reachable"
            assert rt._session_mgr._session_storage.get(sid) is None  # no AppSession kept
            assert rt.uploaded_file_mgr.get_files(sid, []) == []
        finally:
            rt.stop()
            await asyncio.sleep(0.2)
            Runtime._instance = None

    asyncio.run(lesson())
