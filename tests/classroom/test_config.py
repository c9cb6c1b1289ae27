"""Which database the class rooms use: a URL from the environment or secrets, else SQLite."""

from classroom.config import database_url


def test_sqlite_file_by_default_at_a_configurable_path(tmp_path):
    path = tmp_path / "sub" / "rooms.sqlite3"
    assert database_url({"PYTORCH_LIVE_DB_PATH": str(path)}, tmp_path / "none.toml") == (
        f"sqlite+pysqlite:///{path}"
    )
    assert path.parent.is_dir()


def test_a_url_from_the_environment_wins_over_secrets(tmp_path):
    secrets = tmp_path / "secrets.toml"
    secrets.write_text('[classroom]\ndb_url = "postgresql+psycopg://a@h/db"\n')
    assert database_url({}, secrets) == "postgresql+psycopg://a@h/db"
    env = {"PYTORCH_LIVE_DB_URL": "postgresql+psycopg://b@h/db"}
    assert database_url(env, secrets) == "postgresql+psycopg://b@h/db"
