"""The class-room store on SQLite and PostgreSQL: rooms, answers, counts, and every refusal."""

import math
import threading

import pytest
from sqlalchemy import select, update

from classroom import ROOM_HOURS, RoomError, Store, normalise_code
from classroom.schema import VERSION, answers, rooms, schema_meta
from tests.classroom.conftest import GUESS, PICK

REAL = "tensors.broadcast_shape"  # a real chapter question: (3, 4), (3, 1), (4, 3), an error


def student(n: int) -> str:
    return f"session-{n:04d}"


def room_with(store, question_id=PICK.id):
    code, key = store.create_room()
    opened = store.open_question(code, key, question_id)
    return code, key, opened


def answer_count(store) -> int:
    with store.engine.connect() as conn:
        return len(conn.execute(select(answers)).all())


def test_a_room_counts_its_answers_and_a_change_replaces(store, clock):
    code, key, opened = room_with(store, REAL)
    for n in range(5):
        store.join(code, student(n))
        store.answer(code, student(n), opened, n % 2)  # three say (3, 4), two (3, 1)
        clock.t += 1
    result = store.result(code, opened, key)
    assert result.labels[:3] == ["(3, 4)", "(3, 1)", "(4, 3)"] and len(result.labels) == 4
    assert result.counts == [3, 2, 0, 0]
    store.answer(code, student(0), opened, 2)  # a change of mind replaces, never adds
    assert store.result(code, opened, key).counts == [2, 2, 1, 0]
    assert store.my_answer(opened, student(0)) == 2
    assert store.here(code) == 5
    assert answer_count(store) == 5


def test_codes_are_short_typed_loosely_and_the_key_is_stored_hashed(store):
    code, key = store.create_room()
    assert len(code) == 6
    assert normalise_code(f"  {code[:3].lower()}-{code[3:]} ") == code
    with store.engine.connect() as conn:
        stored = conn.execute(select(rooms.c.key_hash)).scalar_one()
    assert key not in stored and len(stored) == 64


def test_number_answers_fall_into_bins_over_the_range(store):
    code, key, opened = room_with(store, GUESS.id)
    for n, value in enumerate([7, 7, 6.9, 0, 9, 3.2]):
        store.answer(code, student(n), opened, value)
    result = store.result(code, opened, key)
    assert result.labels == [str(i) for i in range(10)]  # one bar per whole number 0..9
    assert result.counts == [1, 0, 0, 1, 0, 0, 0, 3, 0, 1]


@pytest.mark.parametrize("typed", ["", "ABC", "ABCDEFG", "ABCD0O", "<b>X</b>", None, 123456])
def test_a_forged_code_is_refused_plainly(store, typed):
    with pytest.raises(RoomError, match="not a room code"):
        store.join(typed, student(1))


def test_an_unknown_expired_or_closed_room_is_refused_and_nothing_changes(store, clock):
    code, key, opened = room_with(store)
    unknown = "ABCDEF" if code != "ABCDEF" else "ABCDEG"
    with pytest.raises(RoomError, match="no open room"):
        store.join(unknown, student(1))
    with pytest.raises(RoomError, match="no open room"):
        store.answer(unknown, student(1), opened, 1)
    other_code, other_key = store.create_room()
    store.close(other_code, other_key)
    with pytest.raises(RoomError, match="no open room"):
        store.join(other_code, student(2))
    clock.t += ROOM_HOURS * 3600 + 1
    with pytest.raises(RoomError, match="no open room"):
        store.answer(code, student(3), opened, 1)
    assert answer_count(store) == 0


def test_another_rooms_question_id_is_refused_and_both_rooms_stay_as_they_were(store):
    code_a, key_a, opened_a = room_with(store)
    code_b, key_b, opened_b = room_with(store)
    store.answer(code_a, student(1), opened_a, 1)
    for forged in (opened_b, opened_b + 1000, "1", 1.0, None):
        with pytest.raises(RoomError, match="not open in this room"):
            store.answer(code_a, student(2), forged, 1)
    with pytest.raises(RoomError, match="not open in this room"):
        store.reveal(code_a, key_a, opened_b)
    with pytest.raises(RoomError, match="not open in this room"):
        store.result(code_a, opened_b, key_a)
    assert store.result(code_a, opened_a, key_a).counts == [0, 1, 0, 0]
    assert store.result(code_b, opened_b, key_b).counts == [0, 0, 0, 0]


@pytest.mark.parametrize(
    ("question", "response"),
    [
        (PICK, 4),
        (PICK, -1),
        (PICK, True),
        (PICK, 1.0),
        (PICK, "1"),
        (PICK, None),
        (GUESS, 9.5),
        (GUESS, -0.1),
        (GUESS, math.nan),
        (GUESS, math.inf),
        (GUESS, "7"),
        (GUESS, False),
    ],
)
def test_an_out_of_range_answer_is_refused_and_nothing_changes(store, question, response):
    code, key, opened = room_with(store, question.id)
    store.answer(code, student(1), opened, 1)
    with pytest.raises(RoomError, match="Pick one of the choices|Give a number from 0 to 9"):
        store.answer(code, student(1), opened, response)
    assert store.my_answer(opened, student(1)) == 1
    assert store.result(code, opened, key).total == 1


def test_a_flood_is_refused_after_a_short_burst_and_resumes_a_second_later(store, clock):
    code, key, opened = room_with(store, GUESS.id)
    for value in range(5):  # the burst
        store.answer(code, student(1), opened, value)
    with pytest.raises(RoomError, match="Too many requests"):
        store.answer(code, student(1), opened, 9)
    with pytest.raises(RoomError, match="Too many requests"):
        store.join(code, student(1))
    assert store.my_answer(opened, student(1)) == 4  # the refused write changed nothing
    store.answer(code, student(2), opened, 3)  # another student is not held back
    clock.t += 1.0  # two writes a second come back
    store.answer(code, student(1), opened, 8)
    assert store.my_answer(opened, student(1)) == 8
    assert store.result(code, opened, key).total == 2


def test_only_the_lecturers_key_opens_reveals_shows_and_closes(store):
    code, key, opened = room_with(store)
    last = "y" if key.endswith("x") else "x"  # one character off, whatever the key ends with
    for forged in ("", "guess", key[:-1] + last, None, student(1)):
        with pytest.raises(RoomError, match="Only the lecturer"):
            store.open_question(code, forged, PICK.id)
        with pytest.raises(RoomError, match="Only the lecturer"):
            store.reveal(code, forged, opened)
        with pytest.raises(RoomError, match="Only the lecturer"):
            store.show(code, forged, opened)
        with pytest.raises(RoomError, match="Only the lecturer"):
            store.close(code, forged)
        if forged is not None:  # None asks as a student: see the reveal test
            with pytest.raises(RoomError, match="Only the lecturer"):
                store.result(code, opened, forged)
        assert not store.is_lecturer(code, forged)
    assert store.is_lecturer(code, key)
    assert store.state(code).revealed is False
    with pytest.raises(RoomError, match="no such question"):
        store.open_question(code, key, "tensors.<script>")


def test_students_see_counts_only_after_the_reveal_and_then_answers_close(store):
    code, key, opened = room_with(store)
    store.answer(code, student(1), opened, 1)
    with pytest.raises(RoomError, match="after the reveal"):
        store.result(code, opened)
    store.reveal(code, key, opened)
    assert store.state(code).revealed
    assert store.result(code, opened).counts == [0, 1, 0, 0]
    with pytest.raises(RoomError, match="revealed"):
        store.answer(code, student(2), opened, 2)
    assert store.result(code, opened).total == 1


def test_the_lecturer_goes_back_to_an_earlier_question(store):
    code, key, first = room_with(store)
    store.answer(code, student(1), first, 3)
    store.reveal(code, key, first)
    second = store.open_question(code, key, GUESS.id)
    assert store.state(code).opened_id == second
    with pytest.raises(RoomError, match="no longer open"):
        store.answer(code, student(2), first, 0)
    store.show(code, key, first)
    state = store.state(code)
    assert (state.opened_id, state.question_id, state.revealed) == (first, PICK.id, True)
    assert store.history(code, key) == [(first, PICK.id, True), (second, GUESS.id, False)]
    assert store.result(code, first, key).counts == [0, 0, 0, 1]


def test_a_server_opens_at_most_its_cap_of_rooms_and_expired_ones_free_places(engine, clock):
    store = Store(engine, clock=clock, max_open_rooms=2)
    store.create_room()
    store.create_room()
    with pytest.raises(RoomError, match="already has 2 open rooms"):
        store.create_room()
    clock.t += ROOM_HOURS * 3600 + 1
    store.create_room()  # the two expired: their places are free again


def test_the_schema_is_versioned_and_a_newer_one_is_refused(engine, clock):
    store = Store(engine, clock=clock)
    assert store.schema_version == VERSION
    Store(engine, clock=clock)  # a second start-up finds it and changes nothing
    with engine.begin() as conn:
        conn.execute(update(schema_meta).values(value=str(VERSION + 1)))
    with pytest.raises(RuntimeError, match="schema"):
        Store(engine, clock=clock)


def test_a_class_answering_at_once_loses_no_answer_and_counts_none_twice(engine):
    store = Store(engine)
    code, key, opened = room_with(store, GUESS.id)
    errors = []

    def one(n):
        try:
            store.join(code, student(n))
            store.answer(code, student(n), opened, n % 10)
            store.answer(code, student(n), opened, (n + 1) % 10)  # and a change of mind
        except Exception as e:  # noqa: BLE001 (the test reports it)
            errors.append(e)

    threads = [threading.Thread(target=one, args=(n,)) for n in range(60)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    counts = store.result(code, opened, key).counts
    assert sum(counts) == 60
    assert counts == [6] * 10


def test_the_true_bar_is_known_for_choices_and_number_bins(store):
    code, key, opened = room_with(store, GUESS.id)
    store.answer(code, student(1), opened, 7.2)
    assert store.result(code, opened, key).right == [i == 7 for i in range(10)]
    code, key, opened = room_with(store, REAL)
    assert store.result(code, opened, key).right == [True, False, False, False]
