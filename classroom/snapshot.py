"""One shared view of each room per server process, for the many students polling it.

Two hundred students polling every 1.5 s would each ask the database what is open. Instead every
session of a process reads one `Snapshot` per room, refreshed from the store at most every
`seconds` (one thread reads, the others wait for it or take the fresh copy). A lecturer's action
in the same process drops the room's copy at once; one on another server shows within `seconds`.
"""

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from classroom.store import Result, RoomError, RoomState, Store, normalise_code

SNAPSHOT_SECONDS = 0.5
MAX_ROOMS = 256  # rooms (and refused codes) remembered at once per process


@dataclass(frozen=True)
class Snapshot:
    """A room as its students may see it: the state, and the counts once revealed."""

    state: RoomState
    result: Result | None = None  # only for a revealed question: counts are never shown before

    @property
    def version(self) -> tuple:
        """What a student's page shows changes exactly when this does."""
        counts = tuple(self.result.counts) if self.result else ()
        return (self.state.opened_id, self.state.revealed, counts)


class Snapshots:
    """Every room's snapshot in this process, at most `seconds` old; thread-safe."""

    def __init__(
        self,
        store: Store,
        seconds: float = SNAPSHOT_SECONDS,
        clock: Callable[[], float] = time.monotonic,
        max_rooms: int = MAX_ROOMS,
    ) -> None:
        self.store, self.seconds, self.clock, self.max_rooms = store, seconds, clock, max_rooms
        self.reads = 0  # how many times the store was asked (for tests and the bench)
        self._lock = threading.Lock()
        self._refresh = threading.Lock()  # one reader at a time: the others wait, then share
        self._rooms: dict[str, tuple[float, Snapshot | RoomError]] = {}

    def _fresh(self, code: str) -> Snapshot | RoomError | None:
        with self._lock:
            hit = self._rooms.get(code)
        if hit is not None and self.clock() - hit[0] < self.seconds:
            return hit[1]
        return None

    def get(self, code: object) -> Snapshot:
        """The room's snapshot; RoomError (a plain sentence) for a wrong or closed room."""
        code = normalise_code(code)
        found = self._fresh(code)
        if found is None:
            with self._refresh:
                found = self._fresh(code)  # another thread may have just read it
                if found is None:
                    found = self._read(code)
        if isinstance(found, RoomError):
            raise RoomError(found.message, **found.values)
        return found

    def _read(self, code: str) -> Snapshot | RoomError:
        at = self.clock()
        self.reads += 1
        try:
            state = self.store.state(code, fresh=True)
            result = None
            if state.opened_id is not None and state.revealed:
                result = self.store.result(code, state.opened_id)
            found: Snapshot | RoomError = Snapshot(state, result)
        except RoomError as e:
            found = e
        with self._lock:
            if len(self._rooms) >= self.max_rooms and code not in self._rooms:
                self._rooms.clear()
            self._rooms[code] = (at, found)
        return found

    def forget(self, code: str) -> None:
        """Drop a room's copy (the lecturer changed it here): the next poll reads it afresh."""
        with self._lock:
            self._rooms.pop(code, None)
