"""The Class room page under AppTest: a lecturer's session and students' sessions on one store."""

import pytest
from sqlalchemy import select
from streamlit.testing.v1 import AppTest

from classroom.schema import answers
from tests.conftest import ROOT

ENTRY = str(ROOT / "streamlit_app.py")
PAGE = "app_pages/class_room.py"


pytestmark = pytest.mark.usefixtures("own_rooms")  # each test on a fresh SQLite file


def ok(at):
    assert not at.exception, [e.value for e in at.exception]
    return at


def open_page(room: str | None = None, **params: str) -> AppTest:
    at = AppTest.from_file(ENTRY, default_timeout=120)
    if room is not None:
        at.query_params["room"] = room
    for name, value in params.items():
        at.query_params[name] = value
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


def open_question(at, qid: str = "tensors.broadcast_shape") -> None:
    """The lecturer picks a question and opens it for the room."""
    at.selectbox(key="room_question").set_value(qid).run()
    at.button(key="room_open").click()
    ok(at.run())


def test_a_lecturer_opens_a_question_a_student_answers_and_sees_the_reveal():
    lecturer = open_page()
    code, key = start_room(lecturer)
    text = shown_text(lecturer)
    assert code in text and "class_room?room=" + code in text
    assert key not in text, "the lecturer's key is never on the screen"
    assert lecturer.get("image"), "the QR code of the students' link"
    open_question(lecturer)
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
    open_question(lecturer)
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


def everything_shown(at) -> str:
    """Every string the page sends: texts, alerts, code blocks, expander labels, buttons."""
    parts = [shown_text(at)]
    parts += [c.value for c in at.code] + [e.label for e in at.expander]
    parts += [b.label for b in at.button] + [str(m.value) for m in at.metric]
    return "\n".join(parts)


def test_the_lecturer_link_is_never_projected_and_gives_control_back():
    projector = open_page(present="1")
    code, key = start_room(projector)
    assert projector.session_state["presenter_mode"]
    open_question(projector)
    assert "torch.zeros(3, 1) + torch.zeros(4)" in shown_text(projector)
    assert key not in everything_shown(projector), "the key is never on the projector"
    assert not projector.code, "no lecturer link on the projector"

    desk = open_page()  # the lecturer's own screen, outside presenter mode
    own_code, own_key = start_room(desk)
    private = [e for e in desk.expander if "keep this private" in e.label]
    assert len(private) == 1
    link = private[0].code[0].value
    assert link.endswith(f"class_room?room={own_code}&key={own_key}")
    students_link = next(t.value for t in desk.text if "class_room?room=" in t.value)
    assert own_key not in students_link, "the students' link carries no key"

    # a reload: a new session with the projector's link and key takes the room back
    reloaded = open_page(room=code, key=key, present="1")
    assert reloaded.session_state["room_key"] == key
    assert any(b.label == "Reveal" for b in reloaded.button), "the lecturer's controls"
    assert key not in everything_shown(reloaded)
    assert "key" not in reloaded.query_params, "the key leaves the address bar"
    student = open_page(room=code)
    student.radio(key=next(r.key for r in student.radio)).set_value(0)
    ok(student.run())
    ok(reloaded.run())
    assert [m.value for m in reloaded.metric] == ["1", "1"]
    next(b for b in reloaded.button if b.label == "Reveal").click()
    ok(reloaded.run())
    ok(student.run())
    assert "You said (3, 4): right." in shown_text(student), "the restored control revealed"


def test_a_wrong_lecturer_key_is_refused_with_a_plain_message():
    lecturer = open_page()
    code, key = start_room(lecturer)
    open_question(lecturer)
    for forged in (key[:-1] + ("A" if key[-1] != "A" else "B"), "<b>x</b>", ""):
        visitor = open_page(room=code, key=forged)
        text = shown_text(visitor)
        assert "That lecturer link does not open this room" in text
        assert "<b>" not in text
        assert "room_key" not in visitor.session_state
        assert not any(b.label in ("Reveal", "Open it", "Close") for b in visitor.button)
        assert "torch.zeros(3, 1) + torch.zeros(4)" in text, "carries on as a student"
    other = open_page()
    _other_code, other_key = start_room(other)
    visitor = open_page(room=code, key=other_key)  # another room's key
    assert "does not open this room" in shown_text(visitor)
    assert "room_key" not in visitor.session_state
    ok(lecturer.run())
    assert any(b.label == "Reveal" for b in lecturer.button), "the real lecturer keeps control"
