"""Fuzzing the expression language: thousands of generated programs, only ExpressionError escapes.

Two generators: raw text (anything a student could paste) and token soup built from the
language's own pieces plus hostile ones, which reaches the parser's deeper paths. A program
either evaluates to tensors or is refused with ExpressionError; nothing else, and no hang
(hypothesis' deadline is the bound).
"""

import re
from dataclasses import dataclass

import pytest
import torch
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.expressions import ExpressionError, evaluate

pytestmark = pytest.mark.slow  # thousands of generated programs

VARIABLES = {
    "a": torch.tensor(2.0, requires_grad=True),
    "b": torch.tensor([1.0, -1.3], requires_grad=True),
    "M": torch.ones(3, 3),
    "x": 0.5,
}

TOKENS = [
    "a",
    "b",
    "M",
    "x",
    "y",
    "r",
    "=",
    "+",
    "-",
    "*",
    "/",
    "**",
    "@",
    "(",
    ")",
    ",",
    ";",
    "\n",
    "1",
    "0",
    "2.5",
    "1e308",
    "9",
    "-1",
    "sin",
    "cos",
    "exp",
    "log",
    "tanh",
    "sigmoid",
    "relu",
    "sum",
    "mean",
    "sqrt",
    "abs",
    "__import__",
    "'os'",
    ".",
    "__class__",
    "[",
    "]",
    "lambda",
    ":",
    "for",
    "in",
    "if",
    "else",
    "import",
    "def",
    "{",
    "}",
    "**9",
    "open",
    "__",
    "not",
    "and",
    "or",
    "==",
    "<",
    "%",
    "//",
    "~",
    "^",
    "&",
    "|",
    "...",
    "\\",
    "#",
    '"',
    "`",
    "@=",
]

FUZZ = settings(
    max_examples=1500,
    deadline=5000,
    suppress_health_check=[HealthCheck.too_slow],
    database=None,
    derandomize=True,
)


def _run(program: str) -> None:
    try:
        result = evaluate(program, VARIABLES)
    except ExpressionError as err:
        assert str(err), "a refusal always says why"
        return
    assert isinstance(result, dict)
    for value in result.values():
        assert isinstance(value, torch.Tensor)


@FUZZ
@given(st.text(max_size=200))
def test_random_text_only_raises_expression_error(program):
    _run(program)


@FUZZ
@given(st.lists(st.sampled_from(TOKENS), max_size=40).map(" ".join))
def test_token_soup_only_raises_expression_error(program):
    _run(program)


@FUZZ
@given(
    st.lists(st.sampled_from(TOKENS[:40]), min_size=1, max_size=30).map(
        lambda t: "r = " + " ".join(t)
    )
)
def test_assignments_from_language_pieces_only_raise_expression_error(program):
    _run(program)


# ------------------------------------------- programs with if/elif/else and for i in range(k)
# Generating nested blocks is slower than running them, so these draw fewer examples.

CONTROL_FUZZ = settings(FUZZ, max_examples=300)


@dataclass(frozen=True)
class _Pieces:
    atoms: tuple[str, ...]
    functions: tuple[str, ...]
    operators: tuple[str, ...]
    comparisons: tuple[str, ...]
    indents: tuple[str, ...]
    ranges: tuple[str, ...]
    max_depth: int


# anything, sound or not: bad names, unknown functions, `is`/`in`, tabs, uneven steps, huge ranges
HOSTILE_PIECES = _Pieces(
    ("a", "b", "x", "i", "j", "y", "1", "2.5", "-1", "0", "M"),
    ("sin", "exp", "tanh", "sum", "mean", "relu", "myexp", "range", "foo"),
    ("+", "-", "*", "/", "@", "**2"),
    ("<", ">", "<=", ">=", "==", "!=", "<>", "is", "in", "and"),
    ("    ", "    ", "  ", " ", "\t", "  \t", "   "),
    ("0", "1", "3", "20", "21", "n", "2.0", "10**9", "-1"),
    5,
)
# only the language: every program is accepted unless a budget says no
SOUND_PIECES = _Pieces(
    ("a", "x", "y", "1", "2.5", "0.5"),
    ("sin", "tanh", "sum", "relu", "sigmoid"),
    ("+", "-", "*"),
    ("<", ">", "<=", ">=", "==", "!="),
    ("    ",),
    ("0", "1", "2", "3"),
    3,
)


@st.composite
def _expressions(draw, pieces: _Pieces, depth: int = 0) -> str:
    if depth >= 2 or draw(st.booleans()):
        return draw(st.sampled_from(pieces.atoms))
    left = draw(_expressions(pieces, depth + 1))
    kind = draw(st.sampled_from(["binop", "call"]))
    if kind == "call":
        return f"{draw(st.sampled_from(pieces.functions))}({left})"
    op = draw(st.sampled_from(pieces.operators))
    if op == "**2":
        return f"({left}) ** 2"
    return f"({left} {op} {draw(_expressions(pieces, depth + 1))})"


@st.composite
def _blocks(draw, pieces: _Pieces, depth: int = 0) -> list[str]:
    """Lines of a block at ``depth``: assignments, ifs (elif, else) and for loops."""
    lines: list[str] = []
    for _ in range(draw(st.integers(1, 3))):
        kinds = ["assign", "if", "for"] if depth < pieces.max_depth else ["assign"]
        kind = draw(st.sampled_from(kinds))
        name = draw(st.sampled_from(["y", "r", "i"] if pieces is HOSTILE_PIECES else ["y", "r"]))
        if kind == "assign":
            lines.append(f"{name} = {draw(_expressions(pieces))}")
            continue
        unit = draw(st.sampled_from(pieces.indents))
        inner = [unit + line for line in draw(_blocks(pieces, depth + 1))]
        if kind == "for":
            k = draw(st.sampled_from(pieces.ranges))
            lines += [f"for i in range({k}):", *inner]
            if pieces is HOSTILE_PIECES and draw(st.integers(0, 9)) == 0:
                lines += ["else:", unit + "r = x"]
            continue
        left, right = draw(_expressions(pieces)), draw(_expressions(pieces))
        cmp = draw(st.sampled_from(pieces.comparisons))
        lines += [f"if sum({left}) {cmp} sum({right}):", *inner]
        for _ in range(draw(st.integers(0, 2))):
            lines += [f"elif sum({draw(_expressions(pieces))}) > 0:", unit + f"{name} = y"]
        if draw(st.booleans()):
            lines += ["else:", *[unit + line for line in draw(_blocks(pieces, depth + 1))]]
    return lines


@CONTROL_FUZZ
@given(_blocks(HOSTILE_PIECES))
def test_programs_with_if_and_for_only_raise_expression_error(lines):
    _run("\n".join(lines))


@CONTROL_FUZZ
@given(
    _blocks(HOSTILE_PIECES),
    st.sampled_from(["break", "continue", "pass", "while 1 > 0:", "  r = a", "\tr = a"]),
)
def test_control_flow_with_a_foreign_line_only_raises_expression_error(lines, extra):
    position = len(lines) // 2
    _run("\n".join([*lines[:position], extra, *lines[position:]]))


TWIN = {"sin": torch.sin, "tanh": torch.tanh, "sum": torch.sum, "relu": torch.relu}
TWIN["sigmoid"] = torch.sigmoid


def _twin(program: str, a: torch.Tensor, y: torch.Tensor) -> dict:
    """The same program run by Python itself on torch tensors: the plain twin. Only our own
    generated text from SOUND_PIECES (numbers turned to tensors first), never a user's."""
    namespace = {**TWIN, "a": a, "x": torch.tensor(0.5), "y": y}
    text = re.sub(r"(?<![\w.])(\d+\.?\d*)", r"T(\1)", program).replace("range(T(", "range(int(")
    exec(text, {"T": _T, **namespace}, namespace)
    return namespace


def _T(number: float) -> torch.Tensor:
    return torch.tensor(float(number))


@CONTROL_FUZZ
@given(_blocks(SOUND_PIECES))
def test_sound_programs_with_if_and_for_match_python_running_them(lines):
    program = "\n".join(lines) + "\nout = sum(a * y)"
    a = torch.tensor([0.3, -1.2], requires_grad=True)
    y = torch.tensor([1.5, 0.25], requires_grad=True)
    try:
        out = evaluate(program, {"a": a, "x": 0.5, "y": y})["out"]
    except ExpressionError as err:  # only a budget may refuse a sound program
        assert "limit" in err.message, (program, err.message)
        return
    a2, y2 = (t.detach().clone().requires_grad_(True) for t in (a, y))
    twin = _twin(program, a2, y2)["out"]
    torch.testing.assert_close(out, twin, equal_nan=True)
    out.backward()
    twin.backward()
    for mine, theirs in ((a.grad, a2.grad), (y.grad, y2.grad)):
        if mine is None or theirs is None:
            assert mine is None and theirs is None
        else:
            torch.testing.assert_close(mine, theirs, equal_nan=True)


def test_the_sound_generator_mostly_makes_accepted_programs_with_blocks():
    """So the twin test above compares real runs, not refusals."""
    accepted = []

    @settings(CONTROL_FUZZ, max_examples=100)
    @given(_blocks(SOUND_PIECES))
    def count(lines):
        program = "\n".join(lines)
        try:
            evaluate(program, {"a": torch.ones(2), "x": 0.5, "y": torch.ones(2)})
        except ExpressionError:
            return
        accepted.append(("for " in program, "if " in program))

    count()
    assert len(accepted) >= 50
    assert sum(f for f, _ in accepted) >= 20 and sum(i for _, i in accepted) >= 20
