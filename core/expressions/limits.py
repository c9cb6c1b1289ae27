"""The language's limits, and the one error it raises."""

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


class ExpressionError(ValueError):
    """A program the language refuses, with a readable message and its (line, column)."""

    def __init__(self, message: str, line: int = 1, column: int = 1):
        self.message = message
        self.line = line
        self.column = column
        super().__init__(f"line {line}, column {column}: {message}")
