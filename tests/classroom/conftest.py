"""Class-room stores on SQLite (always) and PostgreSQL (where its binaries are installed)."""

import pytest
from sqlalchemy import text

import classroom.store
from classroom import Store, make_engine
from classroom.schema import metadata
from core.questions import Question, by_id

# test-only questions, one of each kind, beside the real ones
GUESS = Question(
    id="testing.guess",
    chapter="testing",
    prompt="How many?",
    kind="number",
    explanation="Seven, by construction.",
    compute=lambda: 7,
    tolerance=0.5,
    low=0,
    high=9,
)
PICK = Question(
    id="testing.pick",
    chapter="testing",
    prompt="Which one?",
    kind="choice",
    choices=("a", "b", "c", "d"),
    explanation="The second.",
    compute=lambda: 1,
)
EXTRA = {q.id: q for q in (GUESS, PICK)}


class Clock:
    """A clock the test moves by hand."""

    def __init__(self, t: float = 1_000_000.0) -> None:
        self.t = t

    def __call__(self) -> float:
        return self.t


@pytest.fixture(autouse=True)
def test_questions(monkeypatch):
    def lookup(question_id):
        return EXTRA.get(question_id) or by_id(question_id)

    monkeypatch.setattr(classroom.store, "by_id", lookup)


@pytest.fixture(params=["sqlite", "postgresql"])
def engine(request, tmp_path):
    if request.param == "sqlite":
        eng = make_engine(f"sqlite+pysqlite:///{tmp_path / 'rooms.sqlite3'}")
    else:
        eng = make_engine(request.getfixturevalue("postgres_url"))
        with eng.begin() as conn:  # each test starts from an empty database
            metadata.drop_all(conn)
            conn.execute(text("DROP TABLE IF EXISTS classroom_meta"))
    yield eng
    eng.dispose()


@pytest.fixture()
def clock():
    return Clock()


@pytest.fixture()
def store(engine, clock):
    return Store(engine, clock=clock)
