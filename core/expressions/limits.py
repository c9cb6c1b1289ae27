"""The language's limits, and the one error it raises."""

import math

MAX_PROGRAM_CHARS = 2_000
MAX_NODES = 600
MAX_DEPTH = 40
MAX_STATEMENTS = 40
MAX_EXPONENT = 10
MAX_NUMEL = 100_000  # elements in any one tensor
MAX_PROGRAM_NUMEL = 2_000_000  # elements in all the tensors a program makes, together
MAX_VALUE_CHARS = 4_000
MAX_BLOCK_DEPTH = 3  # if/for blocks inside one another
MAX_RANGE = 20  # the largest k in for i in range(k)
MAX_EXECUTED = 200  # statements, and operations, a run may execute with its loops unrolled
MAX_DIMS = 4  # dimensions of any one tensor


def extent(shape: tuple[int, ...]) -> int:
    """How many rows anything printing or drawing a tensor of this shape walks: the product of
    its sizes with a 0 counted as 1, so (1_000_000, 0) has no elements but an extent of 1e6."""
    total = 1
    for size in shape:
        total *= max(int(size), 1)
    return total


def shape_problem(shape: tuple[int, ...]) -> str | None:
    """Why a tensor of this shape is too big for the language (its dimensions, and the
    element budget counting empty dimensions as 1), or None when it fits."""
    if len(shape) > MAX_DIMS:
        return f"it has {len(shape)} dimensions; the limit is {MAX_DIMS}"
    span = extent(shape)
    if span > MAX_NUMEL:
        kind = "elements" if span == math.prod(shape) else "elements, empty sizes counted as 1"
        return f"it would have {span:,} {kind}; the limit is {MAX_NUMEL:,}"
    return None


class ExpressionError(ValueError):
    """A program the language refuses, with a readable message and its (line, column)."""

    def __init__(self, message: str, line: int = 1, column: int = 1):
        self.message = message
        self.line = line
        self.column = column
        super().__init__(f"line {line}, column {column}: {message}")
