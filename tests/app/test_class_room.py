"""The Class room page under AppTest: a lecturer's session and students' sessions on one store."""

import pytest
import streamlit as st
from sqlalchemy import select
from streamlit.testing.v1 import AppTest

from classroom.schema import answers
from tests.conftest import ROOT

ENTRY = str(ROOT / "streamlit_app.py")
PAGE = "app_pages/class_room.py"


@pytest.fixture(autouse=True)
def own_database(tmp_path, monkeypatch):
    """Each test on a fresh SQLite file (the page's store is per process: cleared around)."""
    monkeypatch.setenv("PYTORCH_LIVE_DB_PATH", str(tmp_path / "rooms.sqlite3"))
    monkeypatch.delenv("PYTORCH_LIVE_DB_URL", raising=False)
    st.cache_resource.clear()
    yield
    st.cache_resource.clear()


def ok(at):
    assert not at.exception, [e.value for e in at.exception]
    return at


def open_page(room: str | None = None) -> AppTest:
    at = AppTest.from_file(ENTRY, default_timeout=120)
    if room is not None:
        at.query_params["room"] = room
    ok(at.run())
    return ok(at.switch_page(PAGE).run())


def shown_text(at) -> str:
    """Every text, markdown, alert and caption on the page, joined."""
    parts = [
        e.value
        for kind in ("markdown", "text", "caption", "warning", "info", "success")
        for e in at.get(kind)
    ]
    return "\n".join(str(p) for p in parts)


def start_room(at) -> tuple[str, str]:
    next(b for b in at.button if b.label == "Start a class room").click()
    ok(at.run())
    return at.session_state["room_code"], at.session_state["room_key"]


def test_a_lecturer_opens_a_question_a_student_answers_and_sees_the_reveal():
    lecturer = open_page()
    code, key = start_room(lecturer)
    text = shown_text(lecturer)
    assert code in text and "class_room?room=" + code in text
    assert key not in text, "the lecturer's key is never on the screen"
    assert lecturer.get("image"), "the QR code of the students' link"
    lecturer.selectbox(key="room_question").set_value("tensors.broadcast_shape").run()
    lecturer.button(key="room_open").click()
    ok(lecturer.run())
    assert "torch.zeros(3, 1) + torch.zeros(4)" in shown_text(lecturer)

    student = open_page(room=code.lower())
    assert "torch.zeros(3, 1) + torch.zeros(4)" in shown_text(student)
    assert not student.get("vega_lite_chart"), "no class answers before the reveal"
    assert not any(b.label == "Reveal" for b in student.button), "students cannot reveal"
    student.radio(key=next(r.key for r in student.radio)).set_value(2)  # "(4, 3)": wrong
    ok(student.run())
    assert "Your answer: (4, 3)" in shown_text(student)

    ok(lecturer.run())
    assert [m.value for m in lecturer.metric] == ["1", "1"]  # one in the room, one answered
    next(b for b in lecturer.button if b.label == "Reveal").click()
    ok(lecturer.run())

    ok(student.run())
    text = shown_text(student)
    assert "Answer: (3, 4)" in text and "stretches" in text
    assert "You said (4, 3): not it." in text
    assert student.get("vega_lite_chart"), "after the reveal the class's counts show"


def test_a_forged_link_gets_a_plain_message_and_the_join_form():
    student = open_page(room="<img src=x onerror=alert(1)>")
    assert "not a room code" in shown_text(student)
    assert "<img" not in shown_text(student)
    student = open_page(room="ABCDEF")
    assert "no open room" in shown_text(student)


def test_a_typed_unknown_code_changes_nothing(tmp_path):
    student = open_page()
    student.text_input[0].input("**ZZZZZZ**")
    next(b for b in student.button if b.label == "Join").click()
    ok(student.run())
    assert "not a room code" in shown_text(student)
    assert "ZZZZZZ" not in shown_text(student), "typed text is never shown back"
    from classroom import make_engine

    engine = make_engine(f"sqlite+pysqlite:///{tmp_path / 'rooms.sqlite3'}")
    with engine.connect() as conn:
        assert conn.execute(select(answers)).all() == []


def test_the_lecturer_goes_back_to_an_earlier_question_and_closes_the_room():
    lecturer = open_page()
    code, _key = start_room(lecturer)
    lecturer.selectbox(key="room_question").set_value("tensors.broadcast_shape").run()
    lecturer.button(key="room_open").click()
    ok(lecturer.run())
    student = open_page(room=code)
    student.radio(key=next(r.key for r in student.radio)).set_value(1)
    ok(student.run())
    next(b for b in lecturer.button if b.label == "Reveal").click()
    ok(lecturer.run())
    lecturer.button(key="room_open").click()  # the same question again: a second round
    ok(lecturer.run())
    assert [m.value for m in lecturer.metric] == ["1", "0"], "the new round starts empty"
    history = lecturer.selectbox(key="room_back")
    assert len(history.options) == 2
    history.select_index(0)
    lecturer.button(key="room_show").click()
    ok(lecturer.run())
    assert [m.value for m in lecturer.metric] == ["1", "1"], "the first round's one answer"
    assert "Answer: (3, 4)" in shown_text(lecturer), "shown as revealed"
    ok(student.run())
    assert "You said (3, 1): not it." in shown_text(student)
    lecturer.button(key="room_close").click()
    ok(lecturer.run())
    assert any(b.label == "Start a class room" for b in lecturer.button)
    ok(student.run())
    assert "no open room" in shown_text(student)
