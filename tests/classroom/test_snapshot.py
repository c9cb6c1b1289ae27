"""One shared snapshot per room per process: read from the store at most every half second."""

import threading

import pytest

from classroom import RoomError, Snapshots
from tests.classroom.conftest import PICK, Clock


@pytest.fixture()
def ticks():
    return Clock(0.0)


@pytest.fixture()
def snapshots(store, ticks):
    return Snapshots(store, seconds=0.5, clock=ticks)


def test_many_polls_in_half_a_second_read_the_store_once(store, snapshots, ticks):
    code, key = store.create_room()
    for _ in range(200):  # a class's polls within one period
        assert snapshots.get(code).state.opened_id is None
        ticks.t += 0.002
    assert snapshots.reads == 1
    opened = store.open_question(code, key, PICK.id)  # on another server: no forget() here
    assert snapshots.get(code).state.opened_id is None, "still the copy of 0.4 s ago"
    ticks.t += 0.2
    now = snapshots.get(code)
    assert now.state.opened_id == opened and now.state.question_id == PICK.id
    assert snapshots.reads == 2


def test_the_counts_are_in_the_snapshot_only_after_the_reveal(store, snapshots, ticks, clock):
    code, key = store.create_room()
    opened = store.open_question(code, key, PICK.id)
    for n, choice in enumerate([1, 1, 0, 3, 1]):
        store.answer(code, f"session-{n:04d}", opened, choice)
        clock.t += 1
    before = snapshots.get(code)
    assert before.result is None, "no counts before the reveal"
    store.reveal(code, key, opened)
    snapshots.forget(code)  # the lecturer acted in this process
    after = snapshots.get(code)
    assert after.state.revealed
    assert after.result.counts == [1, 3, 0, 1]
    assert after.version != before.version
    ticks.t += 0.1
    assert snapshots.get(code).version == after.version, "nothing changed, nothing new"


def test_a_wrong_code_is_refused_and_the_refusal_is_shared_too(store, snapshots, ticks):
    for _ in range(3):
        with pytest.raises(RoomError, match="no open room"):
            snapshots.get("ABCDEF")
    assert snapshots.reads == 1
    with pytest.raises(RoomError, match="not a room code"):
        snapshots.get("<script>")
    assert snapshots.reads == 1, "a code that cannot be one never reaches the store"


def test_a_closed_room_is_seen_closed_within_the_period(store, snapshots, ticks):
    code, key = store.create_room()
    snapshots.get(code)
    store.close(code, key)
    ticks.t += 0.6
    with pytest.raises(RoomError, match="no open room"):
        snapshots.get(code)


def test_threads_polling_at_once_share_one_read(store, ticks):
    code, key = store.create_room()
    opened = store.open_question(code, key, PICK.id)
    snapshots = Snapshots(store, seconds=60.0, clock=ticks)
    seen, start = [], threading.Barrier(16)

    def poll() -> None:
        start.wait()
        for _ in range(20):
            seen.append(snapshots.get(code).state.opened_id)

    threads = [threading.Thread(target=poll) for _ in range(16)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert seen == [opened] * 320
    assert snapshots.reads == 1


def test_the_rooms_remembered_are_bounded(store, ticks):
    snapshots = Snapshots(store, seconds=60.0, clock=ticks, max_rooms=4)
    codes = [store.create_room()[0] for _ in range(6)]
    for code in codes:
        snapshots.get(code)
    assert len(snapshots._rooms) <= 4
    assert snapshots.get(codes[-1]).state.code == codes[-1]
