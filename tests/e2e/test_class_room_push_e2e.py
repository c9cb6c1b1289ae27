"""A class-room change reaches a student's page without the page asking for it (a real server).

The student here is a Streamlit session over a websocket that sends one request (its page's
first run) and then only listens: it runs no fragment timer, so every later run it receives is
one the server pushed. The lecturer acts through the store, as a lecturer on another server
would: the server's watch notices the room changed and reruns the student's view.
"""

import asyncio
import os
from concurrent.futures import ThreadPoolExecutor

import pytest
import websockets
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

from classroom import Store, make_engine
from tests.e2e.conftest import start_server

pytestmark = pytest.mark.e2e

QUESTION = "tensors.broadcast_shape"


def _texts(msg: ForwardMsg) -> list[str]:
    if msg.WhichOneof("type") != "delta" or msg.delta.WhichOneof("type") != "new_element":
        return []
    element = msg.delta.new_element
    kind = element.WhichOneof("type")
    return [getattr(element, kind).body] if kind in ("markdown", "text", "alert") else []


async def _listen(url: str, code: str, act, timeout: float = 60.0) -> dict:
    """One page run asked for; then `act()` runs and the pushed runs are read until the reveal."""
    seen = {"finished": 0, "pushed_texts": [], "errors": []}
    back = BackMsg()
    back.rerun_script.query_string = f"room={code}"
    back.rerun_script.page_name = "class_room"
    ws_url = url.replace("http://", "ws://") + "/_stcore/stream"
    async with websockets.connect(ws_url, subprotocols=["streamlit"], origin=url) as ws:
        await ws.send(back.SerializeToString())
        acted = False
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while loop.time() < deadline:
            try:
                raw = await asyncio.wait_for(ws.recv(), timeout=0.5)
            except TimeoutError:
                continue
            msg = ForwardMsg()
            msg.ParseFromString(raw)
            kind = msg.WhichOneof("type")
            if kind == "delta" and msg.delta.new_element.WhichOneof("type") == "exception":
                seen["errors"].append(msg.delta.new_element.exception.message)
            if acted:
                seen["pushed_texts"] += _texts(msg)
                if any(t.startswith("Answer: (3, 4)") for t in seen["pushed_texts"]):
                    return seen
            if kind == "script_finished":
                seen["finished"] += 1
                if not acted and seen["finished"] >= 1:
                    await asyncio.to_thread(act)
                    acted = True
    return seen


def test_a_reveal_made_elsewhere_is_pushed_to_a_student_who_never_asks_again(tmp_path):
    path = tmp_path / "rooms.sqlite3"
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTORCH_LIVE_DB")}
    env["PYTORCH_LIVE_DB_PATH"] = str(path)
    store = Store(make_engine(f"sqlite+pysqlite:///{path}"))
    code, key = store.create_room()
    opened = store.open_question(code, key, QUESTION)
    with start_server(env=env) as (url, _proc):
        # a thread of its own: after Playwright's sync API this thread has a loop running
        with ThreadPoolExecutor(1) as pool:
            listening = _listen(url, code, lambda: store.reveal(code, key, opened))
            seen = pool.submit(asyncio.run, listening).result()
    assert not seen["errors"]
    assert any(t.startswith("Answer: (3, 4)") for t in seen["pushed_texts"]), seen
    assert seen["finished"] >= 1
