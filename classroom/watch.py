"""Who in this process is looking at which room, told the moment what they see has changed.

Two hundred students asking "anything new?" every second and a half keep one server busy doing
nothing. Instead each student's page registers here what it drew (the room's `Snapshot.version`)
and how to redraw it (`notify`, a callable the page gives). One thread per process reads each
watched room's shared snapshot every `seconds` (or at once when `poke`d: the lecturer acted in
this process) and notifies every watcher whose drawn version differs. A watcher whose `notify`
says it is gone (False) is dropped; one not heard from for `stale` seconds too.
"""

import threading
import time
from collections.abc import Callable

from classroom.snapshot import Snapshots
from classroom.store import RoomError

CHECK_SECONDS = 0.5  # a change made on another server is noticed within this
STALE_SECONDS = 60.0  # a page that has not redrawn for this long is forgotten
MAX_WATCHERS = 5000  # watchers kept at once per process (the oldest go first)

Notify = Callable[[], bool]  # ask the page to redraw; False when it is gone


def refused(error: RoomError) -> tuple:
    """The version of a room a page cannot show (closed, or no such room): the refusal."""
    return ("refused", error.message)


def version(snapshots: Snapshots, code: str) -> tuple:
    """What a student's page shows of the room now (a refusal's sentence for a closed room)."""
    try:
        return snapshots.get(code).version
    except RoomError as e:
        return refused(e)


class Watch:
    """The watched rooms of one process; thread-safe. `start()` runs the checking thread."""

    def __init__(
        self,
        snapshots: Snapshots,
        seconds: float = CHECK_SECONDS,
        stale: float = STALE_SECONDS,
        clock: Callable[[], float] = time.monotonic,
        max_watchers: int = MAX_WATCHERS,
    ) -> None:
        self.snapshots, self.seconds, self.stale, self.clock = snapshots, seconds, stale, clock
        self.max_watchers = max_watchers
        self.notified = 0  # how many redraws were asked for (for tests and the bench)
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None
        # room code -> watcher key -> (version drawn, when registered, notify)
        self._rooms: dict[str, dict[str, tuple[tuple, float, Notify]]] = {}

    def drew(self, code: str, key: str, drawn: tuple, notify: Notify) -> None:
        """A page (`key`: its session) drew version `drawn` of room `code`; `notify` redraws it."""
        with self._lock:
            for room in self._rooms.values():  # a page watches one room at a time
                room.pop(key, None)
            if sum(len(r) for r in self._rooms.values()) >= self.max_watchers:
                self._drop_oldest()
            self._rooms.setdefault(code, {})[key] = (drawn, self.clock(), notify)

    def _drop_oldest(self) -> None:
        oldest = min(
            ((at, code, key) for code, r in self._rooms.items() for key, (_, at, _) in r.items()),
            default=None,
        )
        if oldest is not None:
            del self._rooms[oldest[1]][oldest[2]]

    def poke(self, code: str) -> None:
        """The room changed here: check it now rather than at the next tick."""
        self._wake.set()

    def check(self) -> int:
        """One pass over the watched rooms: notify every page that drew another version."""
        now = self.clock()
        with self._lock:
            for code in [c for c, r in self._rooms.items() if not r]:
                del self._rooms[code]
            codes = list(self._rooms)
        told = 0
        for code in codes:
            current = version(self.snapshots, code)
            with self._lock:
                room = self._rooms.get(code, {})
                behind = {k: w for k, w in room.items() if w[0] != current}
                for key, (_, at, notify) in behind.items():
                    room[key] = (current, at, notify)  # told once; its redraw registers again
                for key in [k for k, w in room.items() if now - w[1] > self.stale]:
                    del room[key]
            for key, (_, _, notify) in behind.items():
                told += 1
                if not _safe(notify):
                    with self._lock:
                        self._rooms.get(code, {}).pop(key, None)
        self.notified += told
        return told

    def watching(self, code: str) -> int:
        """How many pages of this process watch room `code`."""
        with self._lock:
            return len(self._rooms.get(code, {}))

    def start(self) -> "Watch":
        """Run `check` in a daemon thread every `seconds`, or at once after a `poke`."""
        with self._lock:
            if self._thread is None:
                self._thread = threading.Thread(target=self._loop, name="room-watch", daemon=True)
                self._thread.start()
        return self

    def _loop(self) -> None:
        while True:
            self._wake.wait(self.seconds)
            self._wake.clear()
            self.check()


def _safe(notify: Notify) -> bool:
    """A page's notify; one that fails counts as gone (the thread must outlive it)."""
    try:
        return bool(notify())
    except Exception:  # noqa: BLE001 (a vanished session's internals: drop that watcher)
        return False
