"""URL settings: good values round-trip, bad ones fall back with a reason."""

import pytest

from core.shareable import Param, from_query, to_query

LR = Param("lr", 0.01, low=1e-4, high=1.0)
STEPS = Param("steps", 100, low=1, high=500)
FN = Param("fn", "Rosenbrock", options=("Rosenbrock", "Himmelblau"))
OPT = Param("opt", ["SGD"], options=("SGD", "Adam", "RMSprop"), multi=True)
NOISE = Param("noise", False)
ALL = [LR, STEPS, FN, OPT, NOISE]


def test_round_trip():
    values = {"lr": 0.003, "steps": 250, "fn": "Himmelblau", "opt": ["SGD", "Adam"], "noise": True}
    query = to_query(ALL, values)
    assert query == {
        "lr": "0.003",
        "steps": "250",
        "fn": "Himmelblau",
        "opt": "SGD,Adam",
        "noise": "1",
    }
    parsed, notes = from_query(ALL, query)
    assert parsed == values and notes == []


@pytest.mark.parametrize(
    "key,raw,reason",
    [
        ("lr", "abc", "not a number"),
        ("lr", "nan", "not a finite number"),
        ("lr", "5", "outside"),
        ("steps", "0", "outside"),
        ("steps", "2.5", "not a number"),
        ("fn", "Beale", "not one of"),
        ("opt", "SGD,Lion", "unknown choice"),
        ("noise", "maybe", "not true or false"),
    ],
)
def test_bad_values_are_ignored_with_a_note(key, raw, reason):
    parsed, notes = from_query(ALL, {key: raw})
    assert key not in parsed
    assert len(notes) == 1 and reason in notes[0] and f"`{key}`" in notes[0]


def test_unknown_keys_are_left_alone():
    parsed, notes = from_query(ALL, {"present": "1", "lr": "0.5"})
    assert parsed == {"lr": 0.5} and notes == []
