"""Shared test fixtures: the repository root on sys.path and the ../shared folder."""

import sys
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
    import os

    if os.geteuid() != 0:
        return command
    return ["runuser", "-u", "postgres", "--", *command]


@pytest.fixture(scope="session")
def postgres_url():
    """A SQLAlchemy URL of a fresh PostgreSQL cluster in a temporary folder (a unix socket
    there, a free port number), stopped and removed at the end of the session. Skips, with
    the reason, where PostgreSQL's binaries or the psycopg driver are absent."""
    import os
    import pwd
    import shutil
    import socket
    import subprocess
    import tempfile

    if not PG_BINS:
        pytest.skip(
            "PostgreSQL is absent (/usr/lib/postgresql/*/bin): apt-get install postgresql-15"
        )
    try:
        import psycopg  # noqa: F401
    except ImportError:
        pytest.skip("psycopg is not installed: pip install -r requirements.txt")
    if os.geteuid() == 0:
        try:
            user = pwd.getpwnam("postgres")
        except KeyError:
            pytest.skip("running as root and no `postgres` user to run PostgreSQL as")
    bin_dir = PG_BINS[0].parent
    folder = tempfile.mkdtemp(prefix="pytorch-live-pg-")
    if os.geteuid() == 0:
        os.chown(folder, user.pw_uid, user.pw_gid)
    data = os.path.join(folder, "data")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    subprocess.run(
        _as_postgres(
            [str(bin_dir / "initdb"), "-D", data, "-A", "trust", "-U", "live", "--no-sync"]
        ),
        check=True,
        capture_output=True,
    )
    options = f"-k {folder} -p {port} -c listen_addresses='' -c fsync=off -c max_connections=200"
    log = os.path.join(folder, "log")
    subprocess.run(
        _as_postgres(
            [str(bin_dir / "pg_ctl"), "-D", data, "-l", log, "-o", options, "-w", "start"]
        ),
        check=True,
        capture_output=True,
    )
    try:
        yield f"postgresql+psycopg://live@/postgres?host={folder}&port={port}"
    finally:
        subprocess.run(
            _as_postgres([str(bin_dir / "pg_ctl"), "-D", data, "-m", "fast", "-w", "stop"]),
            capture_output=True,
        )
        shutil.rmtree(folder, ignore_errors=True)
