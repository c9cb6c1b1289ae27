"""One SQLAlchemy engine per process, tuned for its database."""

from sqlalchemy import Engine, create_engine, event

BUSY_TIMEOUT_MS = 5000


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")  # readers never wait for the writer
    cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")  # a writer waits, never fails
    cursor.execute("PRAGMA synchronous=NORMAL")  # durable at each checkpoint; fast commits
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def make_engine(url: str) -> Engine:
    """An engine for `url`: SQLite in WAL mode with a busy timeout, or a pooled PostgreSQL."""
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": BUSY_TIMEOUT_MS / 1000})
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(url, pool_size=5, max_overflow=10, pool_pre_ping=True)
