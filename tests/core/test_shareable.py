"""URL settings: good values round-trip, bad ones fall back with a reason."""

import pytest

from core.shareable import (
    MAX_QUERY_CHARS,
    MAX_QUOTED_CHARS,
    Param,
    from_query,
    literal,
    to_query,
)

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
        ("opt", "Lion,Lamb", "unknown choice"),
        ("noise", "maybe", "not true or false"),
    ],
)
def test_bad_values_are_ignored_with_a_note(key, raw, reason):
    parsed, notes = from_query(ALL, {key: raw})
    assert key not in parsed
    assert len(notes) == 1 and reason in notes[0] and f"`{key}`" in notes[0]


def test_a_multi_choice_keeps_its_known_items_and_notes_the_rest():
    parsed, notes = from_query(ALL, {"opt": "Adam,bogus,SGD,Adam"})
    assert parsed == {"opt": ["Adam", "SGD"]}
    assert len(notes) == 1 and "'bogus'" in notes[0] and "left out" in notes[0]
    parsed, notes = from_query(ALL, {"opt": "SGD,[Log in](http://host/phish)"})
    assert parsed == {"opt": ["SGD"]}
    quoted = notes[0].split("'")[1]  # the user's text, as the note quotes it
    assert unescaped_specials(quoted) == [] and "](http" not in notes[0]


def test_unknown_keys_are_left_alone():
    parsed, notes = from_query(ALL, {"present": "1", "lr": "0.5"})
    assert parsed == {"lr": 0.5} and notes == []


# ------------------------------------------------------------------ hostile links

INJECTION = "![t](http://host/x.png) [Log in again](http://host/phish)"
REG = Param("reg", ["MSE"], options=("MSE", "L1", "Huber", "SmoothL1"), multi=True)


def unescaped_specials(markdown: str) -> list[str]:
    """Characters Markdown would act on (links, images, HTML, code, emphasis, autolinks) that are
    not backslash-escaped; a backslash escapes the one character after it."""
    found, i = [], 0
    while i < len(markdown):
        if markdown[i] == "\\":
            i += 2
            continue
        if markdown[i] in "[]()!<>`*_:&$|~":
            found.append(markdown[i])
        i += 1
    return found


def test_literal_escapes_markdown_and_html_and_shortens():
    shown = literal(INJECTION)
    assert unescaped_specials(shown) == []
    assert shown.startswith(r"\!\[t\]\(http\://host/x\.png\) \[Log")
    assert shown.endswith("…") and len(shown.replace("\\", "")) == MAX_QUOTED_CHARS + 1
    assert unescaped_specials(literal("<img src=x onerror=alert(1)> `code` *em* $x$")) == []
    assert literal("a\nb\r\x00c") == "a b c"  # one line
    assert literal(r"\[") == r"\\\["  # a typed backslash cannot escape our escape
    assert literal("Himmelblau") == "Himmelblau"


@pytest.mark.parametrize("param", ALL + [REG], ids=lambda p: p.key)
def test_an_injected_value_is_quoted_escaped_and_short(param):
    parsed, notes = from_query([param], {param.key: INJECTION})
    assert param.key not in parsed and len(notes) == 1
    note = notes[0]
    assert note.startswith(f"`{param.key}` from the link was ignored (")
    quoted = note[note.index("(") + 1 : note.rindex(")")]  # the reason, with the value
    assert unescaped_specials(quoted.replace("`", "")) == []
    assert "http://" not in note and "](" not in note and "![" not in note
    assert len(note) < 200


def test_an_oversized_value_is_refused_before_parsing():
    for param in ALL + [REG]:
        parsed, notes = from_query([param], {param.key: "1" * 100_000})
        assert parsed == {} and len(notes) == 1
        assert "100,000 characters long; the limit is 200" in notes[0] and len(notes[0]) < 200
    assert MAX_QUERY_CHARS == 200
    # a value at the limit is parsed as usual
    assert from_query([STEPS], {"steps": " " * 197 + "250"}) == ({"steps": 250}, [])


def test_a_multi_choice_is_deduplicated_and_capped_at_its_options():
    parsed, notes = from_query([REG], {"reg": "MSE,MSE,L1,MSE,L1,Huber"})
    assert parsed == {"reg": ["MSE", "L1", "Huber"]} and notes == []
    every = ",".join(REG.options * 3)  # each option three times: 54 characters
    parsed, _ = from_query([REG], {"reg": every})
    assert parsed["reg"] == list(REG.options)
    # the loss-functions page's 3,000 repeats: refused by length, before any splitting
    parsed, notes = from_query([REG], {"reg": ",".join(["MSE"] * 3000)})
    assert parsed == {} and "11,999 characters" in notes[0]
    # a multi's limit always fits every option once
    many = Param("m", [], options=tuple(f"option{i:03d}" for i in range(40)), multi=True)
    assert many.max_chars == len(",".join(many.options)) > MAX_QUERY_CHARS
    assert from_query([many], {"m": ",".join(many.options)})[0]["m"] == list(many.options)
