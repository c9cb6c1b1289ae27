"""A safe little language for autograd programs such as ``e = a * b; f = c * e + d * e``.

The program is parsed with :mod:`ast` and walked against a whitelist: numbers, names,
``+ - * / ** @``, unary minus, assignments and calls to a few functions, and two blocks of
bounded control flow, indented with spaces as in Python, so one program records different
graphs for different inputs (define-by-run)::

    y = x
    for i in range(3):          # k a whole number 0..20, written in the program
        y = y * w + i           # i is a plain number in the body
    if sum(y) > 0:              # one comparison (< > <= >= == !=) of single numbers
        r = y * y
    elif mean(y) == 0:
        r = y
    else:
        r = exp(y) - 1

Blocks nest at most ``MAX_BLOCK_DEPTH`` deep; with every loop unrolled and the costlier branch
of every ``if`` taken, a program runs at most ``MAX_EXECUTED`` statements and ``MAX_EXECUTED``
operations, which is checked before anything runs. Nothing is ever ``eval``-ed.

Sizes are checked before anything is computed. Each operation's result shape is worked out by
plain shape arithmetic (broadcasting, and for ``@`` the broadcast of the batch dimensions, which
may copy both operands to the full batch), so a huge tensor is refused without being built. Two
limits hold: no single tensor over ``MAX_NUMEL`` elements (``@``'s broadcast operands included),
and no more than ``MAX_PROGRAM_NUMEL`` elements over the whole program (inputs, every
intermediate, ``@``'s broadcast operands): autograd keeps most of them alive for ``backward()``,
and the backward pass makes gradients of about the same total size.

Empty tensors are no way around them: every tensor has at most ``MAX_DIMS`` dimensions, and its
*extent* (the product of its sizes with a 0 counted as 1: the rows a printout or a picture of
it walks) is held to ``MAX_NUMEL`` too, and that is what the program's budget counts. So
``randn(1000000, 0)`` is refused like ``randn(1000000, 1)``, before anything is made.
"""

from core.expressions.checks import free_names
from core.expressions.evaluator import evaluate, parse_value
from core.expressions.limits import (
    MAX_BLOCK_DEPTH,
    MAX_DEPTH,
    MAX_DIMS,
    MAX_EXECUTED,
    MAX_EXPONENT,
    MAX_NODES,
    MAX_NUMEL,
    MAX_PROGRAM_CHARS,
    MAX_PROGRAM_NUMEL,
    MAX_RANGE,
    MAX_STATEMENTS,
    MAX_VALUE_CHARS,
    ExpressionError,
    extent,
    shape_problem,
)
from core.expressions.shapes import FUNCTIONS, broadcast, matmul_shape

__all__ = [
    "FUNCTIONS",
    "MAX_BLOCK_DEPTH",
    "MAX_DEPTH",
    "MAX_DIMS",
    "MAX_EXECUTED",
    "MAX_EXPONENT",
    "MAX_NODES",
    "MAX_NUMEL",
    "MAX_PROGRAM_CHARS",
    "MAX_PROGRAM_NUMEL",
    "MAX_RANGE",
    "MAX_STATEMENTS",
    "MAX_VALUE_CHARS",
    "ExpressionError",
    "broadcast",
    "evaluate",
    "extent",
    "free_names",
    "matmul_shape",
    "parse_value",
    "shape_problem",
]
