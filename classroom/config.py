"""Where the class rooms live: a PostgreSQL URL when one is set, else a local SQLite file."""

import os
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
URL_ENV = "PYTORCH_LIVE_DB_URL"  # e.g. postgresql+psycopg://user:pw@host/db
PATH_ENV = "PYTORCH_LIVE_DB_PATH"  # the SQLite file when no URL is set
DEFAULT_PATH = ROOT / "build" / "classroom.sqlite3"
SECRETS = ROOT / ".streamlit" / "secrets.toml"  # [classroom] db_url = "postgresql+psycopg://..."


def _secrets_url(path: Path) -> str | None:
    if not path.is_file():
        return None
    with path.open("rb") as f:
        data = tomllib.load(f)
    url = data.get("classroom", {}).get("db_url") or data.get("PYTORCH_LIVE_DB_URL")
    return str(url) if url else None


def database_url(environ: dict | None = None, secrets: Path = SECRETS) -> str:
    """The database URL: env PYTORCH_LIVE_DB_URL, else secrets.toml, else a SQLite file."""
    env = os.environ if environ is None else environ
    url = env.get(URL_ENV) or _secrets_url(secrets)
    if url:
        return url
    path = Path(env.get(PATH_ENV) or DEFAULT_PATH)
    path.parent.mkdir(parents=True, exist_ok=True)
    return f"sqlite+pysqlite:///{path}"
