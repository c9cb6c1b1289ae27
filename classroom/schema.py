"""The tables, and the schema version kept in the database beside them."""

from sqlalchemy import (
    Column,
    Engine,
    Float,
    ForeignKey,
    Integer,
    MetaData,
    String,
    Table,
    UniqueConstraint,
    insert,
    select,
)
from sqlalchemy.exc import IntegrityError, OperationalError, ProgrammingError

VERSION = 1  # bump with a migration in `migrate` when a table changes

metadata = MetaData()

schema_meta = Table(
    "classroom_meta",
    metadata,
    Column("key", String(32), primary_key=True),
    Column("value", String(64), nullable=False),
)

rooms = Table(
    "classroom_rooms",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("code", String(8), nullable=False, unique=True),
    Column("key_hash", String(64), nullable=False),  # sha256 of the lecturer's key
    Column("created_at", Float, nullable=False),
    Column("expires_at", Float, nullable=False, index=True),
    Column("current_id", Integer, nullable=True),  # the room question students see
)

opened = Table(
    "classroom_opened",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("room_id", Integer, ForeignKey(rooms.c.id, ondelete="CASCADE"), nullable=False),
    Column("question_id", String(80), nullable=False),
    Column("opened_at", Float, nullable=False),
    Column("revealed_at", Float, nullable=True),
)

members = Table(
    "classroom_members",
    metadata,
    Column("room_id", Integer, ForeignKey(rooms.c.id, ondelete="CASCADE"), primary_key=True),
    Column("session", String(64), primary_key=True),
    Column("seen_at", Float, nullable=False),
)

answers = Table(
    "classroom_answers",
    metadata,
    Column("opened_id", Integer, ForeignKey(opened.c.id, ondelete="CASCADE"), nullable=False),
    Column("session", String(64), nullable=False),
    Column("value", Float, nullable=False),  # a choice's index, or the number
    Column("at", Float, nullable=False),
    UniqueConstraint("opened_id", "session", name="classroom_one_answer"),
)


def migrate(engine: Engine) -> int:
    """Create the tables if absent and record the version; refuse a newer schema."""
    try:
        metadata.create_all(engine)
    except (IntegrityError, OperationalError, ProgrammingError):
        metadata.create_all(engine)  # another process created them at the same moment
    try:
        with engine.begin() as conn:
            conn.execute(insert(schema_meta).values(key="version", value=str(VERSION)))
    except IntegrityError:
        pass  # recorded before (or by another process just now)
    with engine.begin() as conn:
        found = conn.execute(
            select(schema_meta.c.value).where(schema_meta.c.key == "version")
        ).scalar()
        if int(found) > VERSION:
            raise RuntimeError(
                f"the class-room database has schema {found}; this app knows {VERSION}"
            )
    return int(found)
