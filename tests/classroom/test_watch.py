"""The process's watch: a page that drew an old version of its room is told once, others never."""

import threading

import pytest

from classroom import Snapshots
from classroom.watch import Watch
from tests.classroom.conftest import PICK, Clock


class Page:
    """A student's page as the watch sees it: counts the redraws it was asked for."""

    def __init__(self, alive: bool = True) -> None:
        self.asked, self.alive = 0, alive

    def __call__(self) -> bool:
        self.asked += 1
        return self.alive


@pytest.fixture()
def ticks():
    return Clock(0.0)


@pytest.fixture()
def snapshots(store):
    return Snapshots(store, seconds=0.0)  # every check reads the store: the change is there


def test_only_the_pages_behind_the_room_are_told_and_each_once(store, snapshots, ticks):
    code, key = store.create_room()
    watch = Watch(snapshots, clock=ticks)
    pages = [Page() for _ in range(200)]
    drawn = snapshots.get(code).version
    for n, page in enumerate(pages):
        watch.drew(code, f"s{n}:f", drawn, page)
    assert watch.check() == 0 and not any(p.asked for p in pages)
    opened = store.open_question(code, key, PICK.id)
    assert watch.check() == 200 and all(p.asked == 1 for p in pages)
    assert watch.check() == 0, "told once: its redraw registers what it drew"
    now = snapshots.get(code).version
    assert now[0] == opened
    for n, page in enumerate(pages[:150]):  # 150 redrew; 50 have not yet
        watch.drew(code, f"s{n}:f", now, page)
    store.reveal(code, key, opened)
    assert watch.check() == 200
    assert [p.asked for p in pages] == [2] * 200


def test_a_gone_page_and_a_closed_room_and_a_stale_page(store, snapshots, ticks):
    code, key = store.create_room()
    watch = Watch(snapshots, clock=ticks, stale=60.0)
    gone, here, quiet = Page(alive=False), Page(), Page()
    drawn = snapshots.get(code).version
    watch.drew(code, "gone:f", drawn, gone)
    watch.drew(code, "here:f", drawn, here)
    ticks.t += 30
    watch.drew(code, "quiet:f", drawn, quiet)
    store.close(code, key)
    assert watch.check() == 3  # the closed room's refusal differs from what they drew
    assert (gone.asked, here.asked, quiet.asked) == (1, 1, 1)
    assert watch.watching(code) == 2, "the page that said it was gone is dropped"
    ticks.t += 45  # `here` drew 75 s ago, `quiet` 45 s ago
    watch.check()
    assert watch.watching(code) == 1


def test_a_page_watches_one_room_and_the_count_is_bounded(store, snapshots, ticks):
    first, _ = store.create_room()
    second, _ = store.create_room()
    watch = Watch(snapshots, clock=ticks, max_watchers=3)
    page = Page()
    watch.drew(first, "s:f", (), page)
    watch.drew(second, "s:f", (), page)
    assert (watch.watching(first), watch.watching(second)) == (0, 1)
    for n in range(5):
        ticks.t += 1
        watch.drew(first, f"other{n}:f", (), Page())
    assert watch.watching(first) + watch.watching(second) == 3


def test_a_poke_wakes_the_thread_before_its_tick(store, snapshots):
    code, key = store.create_room()
    told = threading.Event()
    watch = Watch(snapshots, seconds=30.0).start()
    watch.drew(code, "s:f", snapshots.get(code).version, lambda: told.set() or True)
    store.open_question(code, key, PICK.id)
    watch.poke(code)
    assert told.wait(5.0), "told within 5 s, not at the 30 s tick"
