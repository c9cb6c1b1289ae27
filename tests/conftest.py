"""Shared test fixtures: the repository root on sys.path and the ../shared folder."""

import contextlib
import os
import pwd
import shutil
import socket
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"

if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    """../shared beside the checkout (CI lays it there); tests that need it skip without it."""
    if not SHARED.is_dir():
        pytest.skip(f"{SHARED} is absent: the reference data lives beside the checkout")
    return SHARED


@pytest.fixture()
def one_torch_thread():
    """Train the tiny test models on one thread (fastest, and steady on a busy machine)."""
    from runtime.threads import torch_threads

    with torch_threads(1):
        yield


# -- a throwaway PostgreSQL cluster (the class-room tests) --------------------------------

PG_BINS = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"), reverse=True)


def _as_postgres(command: list[str]) -> list[str]:
    """PostgreSQL refuses to run as root: as root, run it as the `postgres` user."""
    if os.geteuid() != 0:
        return command
    return ["runuser", "-u", "postgres", "--", *command]


class PostgresAbsent(RuntimeError):
    """PostgreSQL cannot be started here; the text says why."""


@contextlib.contextmanager
def postgres_cluster():
    """A SQLAlchemy URL of a fresh PostgreSQL cluster in a temporary folder (a unix socket
    there, a free port number), stopped and removed on leaving. Raises PostgresAbsent where
    PostgreSQL's binaries, the psycopg driver or (as root) a `postgres` user are missing."""
    if not PG_BINS:
        raise PostgresAbsent(
            "PostgreSQL is absent (/usr/lib/postgresql/*/bin): apt-get install postgresql-15"
        )
    try:
        import psycopg  # noqa: F401
    except ImportError as e:
        raise PostgresAbsent("psycopg is not installed: pip install -r requirements.txt") from e
    user = None
    if os.geteuid() == 0:
        try:
            user = pwd.getpwnam("postgres")
        except KeyError as e:
            raise PostgresAbsent("running as root and no `postgres` user to run it as") from e
    bin_dir = PG_BINS[0].parent
    folder = tempfile.mkdtemp(prefix="pytorch-live-pg-")
    try:
        if user is not None:
            os.chown(folder, user.pw_uid, user.pw_gid)
        data = os.path.join(folder, "data")
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        initdb = [str(bin_dir / "initdb"), "-D", data, "-A", "trust", "-U", "live", "--no-sync"]
        subprocess.run(_as_postgres(initdb), check=True, capture_output=True)
        options = f"-k {folder} -p {port} -c listen_addresses='' -c max_connections=300"
        log = os.path.join(folder, "log")
        pg_ctl = str(bin_dir / "pg_ctl")
        start = [pg_ctl, "-D", data, "-l", log, "-o", options, "-w", "start"]
        subprocess.run(_as_postgres(start), check=True, capture_output=True)
        try:
            yield f"postgresql+psycopg://live@/postgres?host={folder}&port={port}"
        finally:
            stop = [pg_ctl, "-D", data, "-m", "fast", "-w", "stop"]
            subprocess.run(_as_postgres(stop), capture_output=True)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="session")
def postgres_url():
    """A throwaway PostgreSQL cluster's URL for the test session (see `postgres_cluster`);
    skips, with the reason, where PostgreSQL cannot be started."""
    try:
        with postgres_cluster() as url:
            yield url
    except PostgresAbsent as e:
        pytest.skip(str(e))


@pytest.fixture
def own_rooms(tmp_path, monkeypatch):
    """A fresh SQLite file for the class room (its store is per process: cleared around)."""
    import streamlit as st

    monkeypatch.setenv("PYTORCH_LIVE_DB_PATH", str(tmp_path / "rooms.sqlite3"))
    monkeypatch.delenv("PYTORCH_LIVE_DB_URL", raising=False)
    st.cache_resource.clear()
    yield
    st.cache_resource.clear()
