"""Class rooms: the state a lecture hall shares (rooms, questions opened, answers).

Plain Python over SQLAlchemy 2, no Streamlit: SQLite in a local file by default, PostgreSQL
when a URL is set (see `config`). Pages hold one `Store` per process and call its methods;
every refusal is a `RoomError` whose text is a plain sentence to show as it is.
"""

from classroom.config import database_url
from classroom.engine import make_engine
from classroom.snapshot import Snapshot, Snapshots
from classroom.store import (
    MAX_OPEN_ROOMS,
    ROOM_HOURS,
    Result,
    RoomError,
    RoomState,
    Store,
    normalise_code,
)

__all__ = [
    "MAX_OPEN_ROOMS",
    "ROOM_HOURS",
    "Result",
    "RoomError",
    "RoomState",
    "Snapshot",
    "Snapshots",
    "Store",
    "database_url",
    "make_engine",
    "normalise_code",
]
