"""Rooms, questions opened in them, answers: every read and write a page makes.

The lecturer's key is shown once, to the session that started the room, and stored hashed;
every lecturer action checks it. Students are known by an opaque session token. Every refusal
raises RoomError with a sentence to show as plain text, and changes nothing.
"""

import hashlib
import hmac
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import Engine, delete, func, insert, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError

from classroom import histogram
from classroom.schema import answers, members, migrate, opened, rooms
from core.i18n import N_, Translate, untranslated
from core.questions import Question, by_id

ROOM_HOURS = 12
MAX_OPEN_ROOMS = 20  # rooms open at once on one database
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read off a projector
CODE_LENGTH = 6
WRITES_PER_SECOND = 2.0  # each session's steady rate of joins and answers
WRITE_BURST = 5  # and how many it may make at once
HERE_SECONDS = 30.0  # a student polled this recently counts as in the room
SEEN_EVERY = 10.0  # a student's presence is written at most this often
MAX_SESSION = 64


class RoomError(ValueError):
    """A request the room refuses; its text is a plain sentence for the person who made it."""

    def __init__(self, message: str, **values: object) -> None:
        super().__init__(message.format(**values))
        self.message, self.values = message, values

    def said(self, gettext: Translate = untranslated) -> str:
        """The sentence in the reader's language (`gettext`), its values filled in."""
        return gettext(self.message).format(**self.values)


@dataclass(frozen=True)
class RoomState:
    """What a student's page needs: the room and the question now open, if any."""

    code: str
    expires_at: float
    opened_id: int | None = None
    question_id: str | None = None
    revealed: bool = False


@dataclass(frozen=True)
class Result:
    """How the class answered one opened question: counts only."""

    opened_id: int
    question_id: str
    labels: list[str]
    counts: list[int]
    revealed: bool
    right: list[bool]  # which bars hold the true answer (for the lecturer, or after the reveal)

    @property
    def total(self) -> int:
        return sum(self.counts)


def normalise_code(text: object) -> str:
    """A typed room code made canonical (upper case, no spaces or dashes); RoomError if it cannot be one."""
    if not isinstance(text, str) or len(text) > 32:
        raise RoomError(N_("That is not a room code: it has six letters and digits."))
    code = text.strip().upper().replace(" ", "").replace("-", "")
    if len(code) != CODE_LENGTH or any(c not in CODE_ALPHABET for c in code):
        raise RoomError(N_("That is not a room code: it has six letters and digits."))
    return code


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


class _Limiter:
    """A token bucket per session: a few writes a second, a short burst."""

    def __init__(self, rate: float, burst: int, clock: Callable[[], float]) -> None:
        self.rate, self.burst, self.clock = rate, burst, clock
        self.buckets: dict[str, tuple[float, float]] = {}
        self.lock = threading.Lock()

    def take(self, session: str) -> bool:
        now = self.clock()
        with self.lock:
            tokens, at = self.buckets.get(session, (float(self.burst), now))
            tokens = min(self.burst, tokens + (now - at) * self.rate)
            if len(self.buckets) > 50_000:  # bounded: forget the long-idle
                self.buckets = {s: v for s, v in self.buckets.items() if now - v[1] < 60}
            if tokens < 1:
                self.buckets[session] = (tokens, now)
                return False
            self.buckets[session] = (tokens - 1, now)
            return True


class Store:
    """The class rooms of one database; thread-safe, one per process."""

    def __init__(
        self,
        engine: Engine,
        clock: Callable[[], float] = time.time,
        max_open_rooms: int = MAX_OPEN_ROOMS,
        writes_per_second: float = WRITES_PER_SECOND,
        write_burst: int = WRITE_BURST,
        cache_seconds: float = 0.0,
    ) -> None:
        self.engine, self.clock, self.max_open_rooms = engine, clock, max_open_rooms
        self.schema_version = migrate(engine)
        self.limiter = _Limiter(writes_per_second, write_burst, clock)
        self.cache_seconds = cache_seconds  # a room's state may be this old (many pollers)
        self._cache: dict[str, tuple[float, RoomState]] = {}
        self._seen: dict[tuple[str, str], float] = {}
        self._lock = threading.Lock()
        self._upsert = pg_insert if engine.dialect.name == "postgresql" else sqlite_insert

    # -- the lecturer's side --------------------------------------------------------------

    def create_room(self) -> tuple[str, str]:
        """A new room: (join code, lecturer key). RoomError when the server has too many open."""
        now = self.clock()
        key = secrets.token_urlsafe(24)
        with self.engine.begin() as conn:
            conn.execute(delete(rooms).where(rooms.c.expires_at <= now))
            open_now = conn.execute(select(func.count()).select_from(rooms)).scalar_one()
            if open_now >= self.max_open_rooms:
                raise RoomError(
                    N_(
                        "This server already has {n} open rooms; "
                        "close one or wait until one expires."
                    ),
                    n=open_now,
                )
        for _ in range(10):
            code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
            try:
                with self.engine.begin() as conn:
                    conn.execute(
                        insert(rooms).values(
                            code=code,
                            key_hash=_hash(key),
                            created_at=now,
                            expires_at=now + ROOM_HOURS * 3600,
                        )
                    )
                return code, key
            except IntegrityError:
                continue  # that code is taken: draw another
        raise RoomError(N_("No free room code was found; try again."))

    def _room_row(self, conn, code: str):
        row = conn.execute(
            select(rooms).where(rooms.c.code == code, rooms.c.expires_at > self.clock())
        ).first()
        if row is None:
            raise RoomError(N_("There is no open room with that code."))
        return row

    def _lecturer_room(self, conn, code: str, key: object):
        row = self._room_row(conn, normalise_code(code))
        if not isinstance(key, str) or not hmac.compare_digest(_hash(key), row.key_hash):
            raise RoomError(N_("Only the lecturer who started this room can do that."))
        return row

    def _opened_row(self, conn, room_id: int, opened_id: object):
        if type(opened_id) is not int:
            raise RoomError(N_("That question is not open in this room."))
        row = conn.execute(
            select(opened).where(opened.c.id == opened_id, opened.c.room_id == room_id)
        ).first()
        if row is None:
            raise RoomError(N_("That question is not open in this room."))
        return row

    def open_question(self, code: str, key: str, question_id: str) -> int:
        """Open a question for the room (it becomes the one students see); its opened id."""
        if not isinstance(question_id, str) or by_id(question_id) is None:
            raise RoomError(N_("There is no such question."))
        with self.engine.begin() as conn:
            room = self._lecturer_room(conn, code, key)
            opened_id = conn.execute(
                insert(opened)
                .values(room_id=room.id, question_id=question_id, opened_at=self.clock())
                .returning(opened.c.id)
            ).scalar_one()
            conn.execute(update(rooms).where(rooms.c.id == room.id).values(current_id=opened_id))
        self._forget(room.code)
        return opened_id

    def show(self, code: str, key: str, opened_id: int) -> None:
        """Make an earlier opened question the room's current one again (its result shows)."""
        with self.engine.begin() as conn:
            room = self._lecturer_room(conn, code, key)
            self._opened_row(conn, room.id, opened_id)
            conn.execute(update(rooms).where(rooms.c.id == room.id).values(current_id=opened_id))
        self._forget(room.code)

    def reveal(self, code: str, key: str, opened_id: int) -> None:
        """Reveal an opened question's answer and the class's counts to every student."""
        with self.engine.begin() as conn:
            room = self._lecturer_room(conn, code, key)
            row = self._opened_row(conn, room.id, opened_id)
            if row.revealed_at is None:
                conn.execute(
                    update(opened).where(opened.c.id == row.id).values(revealed_at=self.clock())
                )
        self._forget(room.code)

    def close(self, code: str, key: str) -> None:
        """End the room now: students see it is closed; its data goes with the next cleanup."""
        with self.engine.begin() as conn:
            room = self._lecturer_room(conn, code, key)
            conn.execute(update(rooms).where(rooms.c.id == room.id).values(expires_at=self.clock()))
        self._forget(room.code)

    def history(self, code: str, key: str) -> list[tuple[int, str, bool]]:
        """Every question opened in the room, oldest first: (opened id, question id, revealed)."""
        with self.engine.connect() as conn:
            room = self._lecturer_room(conn, code, key)
            rows = conn.execute(
                select(opened.c.id, opened.c.question_id, opened.c.revealed_at)
                .where(opened.c.room_id == room.id)
                .order_by(opened.c.id)
            ).all()
        return [(r.id, r.question_id, r.revealed_at is not None) for r in rows]

    def is_lecturer(self, code: str, key: object) -> bool:
        """True when `key` is this room's lecturer key."""
        try:
            with self.engine.connect() as conn:
                self._lecturer_room(conn, code, key)
            return True
        except RoomError:
            return False

    # -- everyone -------------------------------------------------------------------------

    def state(self, code: str, fresh: bool = False) -> RoomState:
        """The room and its current question (cached for `cache_seconds` unless `fresh`); RoomError if none."""
        code = normalise_code(code)
        now = self.clock()
        with self._lock:
            hit = self._cache.get(code)
        if hit and not fresh and now - hit[0] < self.cache_seconds:
            return hit[1]
        with self.engine.connect() as conn:
            row = conn.execute(
                select(
                    rooms.c.code,
                    rooms.c.expires_at,
                    opened.c.id,
                    opened.c.question_id,
                    opened.c.revealed_at,
                )
                .select_from(rooms.outerjoin(opened, opened.c.id == rooms.c.current_id))
                .where(rooms.c.code == code, rooms.c.expires_at > now)
            ).first()
        if row is None:
            raise RoomError(N_("There is no open room with that code."))
        found = RoomState(row[0], row[1], row[2], row[3], row[4] is not None)
        with self._lock:
            if len(self._cache) > 1000:
                self._cache.clear()
            self._cache[code] = (now, found)
        return found

    def _forget(self, code: str) -> None:
        with self._lock:
            self._cache.pop(code, None)

    def here(self, code: str) -> int:
        """How many students are in the room (polled within the last HERE_SECONDS)."""
        with self.engine.connect() as conn:
            room = self._room_row(conn, normalise_code(code))
            return conn.execute(
                select(func.count())
                .select_from(members)
                .where(
                    members.c.room_id == room.id, members.c.seen_at > self.clock() - HERE_SECONDS
                )
            ).scalar_one()

    def result(self, code: str, opened_id: int, key: str | None = None) -> Result:
        """Counts for an opened question: the lecturer's at any time, anyone's once revealed."""
        with self.engine.connect() as conn:
            if key is None:
                room = self._room_row(conn, normalise_code(code))
            else:
                room = self._lecturer_room(conn, code, key)
            row = self._opened_row(conn, room.id, opened_id)
            if key is None and row.revealed_at is None:
                raise RoomError(N_("The class's answers show after the reveal."))
            values = (
                conn.execute(select(answers.c.value).where(answers.c.opened_id == row.id))
                .scalars()
                .all()
            )
        question = by_id(row.question_id)
        if question is None:  # a question removed from the app since it was opened
            raise RoomError(N_("That question is no longer available."))
        labels, tally = histogram.counts(question, list(values))
        right = histogram.right_bars(question, list(values))
        return Result(row.id, row.question_id, labels, tally, row.revealed_at is not None, right)

    # -- the students' side ---------------------------------------------------------------

    def _session(self, session: object) -> str:
        if not isinstance(session, str) or not 8 <= len(session) <= MAX_SESSION:
            raise RoomError(N_("This browser session is not known; reload the page."))
        return session

    def _take(self, session: str) -> None:
        if not self.limiter.take(session):
            raise RoomError(N_("Too many requests at once: wait a second and try again."))

    def join(self, code: object, session: str) -> RoomState:
        """A student enters a room by its code; RoomError for a wrong code or a flood."""
        session = self._session(session)
        self._take(session)
        found = self.state(normalise_code(code))
        self.seen(found.code, session, force=True)
        return found

    def seen(self, code: str, session: str, force: bool = False) -> None:
        """Note that a student is still in the room (written at most every SEEN_EVERY s)."""
        now = self.clock()
        with self._lock:
            last = self._seen.get((code, session), -1e18)
            if not force and now - last < SEEN_EVERY:
                return
            if len(self._seen) > 50_000:
                self._seen.clear()
            self._seen[(code, session)] = now
        with self.engine.begin() as conn:
            room = self._room_row(conn, code)
            statement = self._upsert(members).values(room_id=room.id, session=session, seen_at=now)
            conn.execute(
                statement.on_conflict_do_update(
                    index_elements=[members.c.room_id, members.c.session], set_={"seen_at": now}
                )
            )

    def answer(self, code: object, session: str, opened_id: object, response: object) -> None:
        """Record (or replace) a student's answer to the room's current, unrevealed question."""
        session = self._session(session)
        self._take(session)
        code = normalise_code(code)
        with self.engine.begin() as conn:
            room = self._room_row(conn, code)
            row = self._opened_row(conn, room.id, opened_id)
            if row.id != room.current_id:
                raise RoomError(
                    N_("That question is no longer open; answer the one on the screen.")
                )
            if row.revealed_at is not None:
                raise RoomError(N_("The answer has been revealed: answers are closed."))
            question: Question | None = by_id(row.question_id)
            if question is None or not question.valid(response):
                raise _invalid(question)
            now = self.clock()
            statement = self._upsert(answers).values(
                opened_id=row.id, session=session, value=float(response), at=now
            )
            conn.execute(
                statement.on_conflict_do_update(
                    index_elements=[answers.c.opened_id, answers.c.session],
                    set_={"value": float(response), "at": now},
                )
            )

    def my_answer(self, opened_id: int, session: str) -> float | None:
        """This session's recorded answer to an opened question, or None."""
        with self.engine.connect() as conn:
            return conn.execute(
                select(answers.c.value).where(
                    answers.c.opened_id == opened_id, answers.c.session == session
                )
            ).scalar()


def _invalid(question: Question | None) -> RoomError:
    if question is None:
        return RoomError(N_("That question is no longer available."))
    if question.kind == "choice":
        return RoomError(N_("Pick one of the choices shown."))
    low, high = f"{question.low:g}", f"{question.high:g}"
    return RoomError(N_("Give a number from {low} to {high}."), low=low, high=high)
