"""URL settings: good values round-trip, bad ones fall back with a reason."""

import pytest

from core.i18n import catalogue
from core.shareable import (
    MAX_QUERY_CHARS,
    MAX_QUOTED_CHARS,
    Param,
    from_query,
    inert,
    literal,
    to_query,
    visible,
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
    assert len(notes) == 1 and "` bogus `" in notes[0] and "left out" in notes[0]
    parsed, notes = from_query(ALL, {"opt": "SGD,[Log in](http://host/phish)"})
    assert parsed == {"opt": ["SGD"]}
    outside, spans = code_spans(notes[0])  # the user's text, as the note quotes it
    assert spans == ["opt", "[Log in](http://host/phish)"]
    assert set(unescaped_specials(outside)) <= {"(", ")"}  # the note's own brackets only


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


def code_spans(markdown: str) -> tuple[str, list[str]]:
    """The Markdown outside its code spans, and each code span's text (CommonMark's rule: a run
    of n backticks opens a span that the next run of exactly n closes; one space is stripped
    from each side when both sides have one)."""
    outside, spans, i = [], [], 0
    while i < len(markdown):
        if markdown[i] == "\\":
            outside.append(markdown[i : i + 2])
            i += 2
            continue
        if markdown[i] != "`":
            outside.append(markdown[i])
            i += 1
            continue
        n = len(markdown[i:]) - len(markdown[i:].lstrip("`"))
        fence, j = "`" * n, i + n
        while True:
            k = markdown.find(fence, j)
            if k < 0:
                raise AssertionError(f"an unclosed code span at {i}: {markdown!r}")
            if markdown[k + n : k + n + 1] != "`" and markdown[k - 1] != "`":
                break
            j = k + len(markdown[k:]) - len(markdown[k:].lstrip("`"))
        text = markdown[i + n : k]
        if len(text) >= 2 and text[0] == text[-1] == " " and text.strip():
            text = text[1:-1]
        spans.append(text)
        i = k + n
    return "".join(outside), spans


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
    outside, spans = code_spans(note)  # the value, quoted only inside a code span
    assert spans[0] == param.key and spans[1] == INJECTION[:MAX_QUOTED_CHARS] + "…"
    assert set(unescaped_specials(outside)) <= {"(", ")"}  # the note's own brackets only
    assert "http" not in outside and "](" not in outside and "![" not in outside
    assert len(note) < 200


LINKS = [
    "http://127.0.0.1:9/login",
    "https://evil.example/a?b=c",
    "www.example.com",
    "admin@example.com",
    "mailto:admin@example.com",
    "<http://host/x>",
    "xn--80ak6aa92e.com/ login",
]


@pytest.mark.parametrize("value", LINKS)
@pytest.mark.parametrize("param", ALL + [REG], ids=lambda p: p.key)
def test_a_refused_url_www_or_email_value_is_quoted_as_inert_text(param, value):
    # escaping alone once let Streamlit autolink a refused http://, www. or e-mail value
    _, notes = from_query([param], {param.key: value})
    outside, spans = code_spans(notes[0])
    assert value in spans, notes[0]  # shown exactly, and only inside a code span
    assert not any(part in outside for part in ("http", "www", "@", "://")), outside


INVISIBLES = (
    "\u202e\u202d\u2066\u2067\u2068\u2069\u200b\u200c\u200d\u200e\u200f\u2060\ufeff\u00ad\u061c"
)


def test_invisible_characters_in_a_link_value_are_written_out():
    # a right-to-left override makes "1.5\u202egnp.exe" read as "1.5exe.png"
    value = "1.5\u202egnp.exe\u200b"
    _, notes = from_query([LR], {"lr": value})
    (note,) = notes
    assert not any(ch in note for ch in INVISIBLES)
    assert "1.5[U+202E]gnp.exe[U+200B]" in code_spans(note)[1]
    for ch in INVISIBLES:
        shown = visible(f"a{ch}b")
        assert shown == f"a[U+{ord(ch):04X}]b" and ch not in literal(f"a{ch}b"), repr(ch)
        assert ch not in inert(f"a{ch}b")
    assert visible("a\tb\n\u2028c") == "a b c" and visible("学习率 0.01") == "学习率 0.01"


def test_inert_holds_any_backticks_and_shortens():
    for text in ("`", "a``b", "``` x", "ends with `"):
        assert code_spans(inert(text)) == ("", [text]), inert(text)
    shown = inert("x" * 100)
    assert code_spans(shown)[1] == ["x" * MAX_QUOTED_CHARS + "…"]


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


def test_notes_come_in_the_visitors_language_with_the_value_escaped():
    lr = Param("lr", 0.1, low=0.001, high=1.0)
    opt = Param("opt", ["SGD"], options=("SGD", "Adam"), multi=True)
    query = {"lr": "5", "opt": "Adam,Ad*m"}
    values, notes = from_query([lr, opt], query, catalogue("zh").gettext)
    assert values == {"opt": ["Adam"]}
    assert notes == [
        "链接中的 `lr` 被忽略了（` 5 ` 超出了 [0.001, 1.0]）；改用默认值。",
        "链接中的 `opt` 只用了一部分（未知选项 ` Ad*m ` 已略去）；其余保持不变。",
    ]
    assert from_query([lr], query)[1] == [
        "`lr` from the link was ignored (` 5 ` is outside [0.001, 1.0]); using the default."
    ]
