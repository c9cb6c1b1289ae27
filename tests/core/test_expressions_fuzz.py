"""Fuzzing the expression language: thousands of generated programs, only ExpressionError escapes.

Two generators: raw text (anything a student could paste) and token soup built from the
language's own pieces plus hostile ones, which reaches the parser's deeper paths. A program
either evaluates to tensors or is refused with ExpressionError; nothing else, and no hang
(hypothesis' deadline is the bound).
"""

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
