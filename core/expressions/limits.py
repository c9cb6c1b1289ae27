"""The language's limits, and the one error it raises.

Its messages are English templates marked ``N_()`` with their values kept apart, so the page
can show them in the visitor's language: ``err.text(gettext)``; ``err.message`` is English.
"""

import math
from collections.abc import Mapping
from dataclasses import dataclass, field

from core.i18n import N_, Translate, untranslated

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


@dataclass(frozen=True)
class Message:
    """An English template (marked ``N_``) and its values, put in after translation; a value
    that is itself a Message is translated too."""

    template: str
    values: Mapping[str, object] = field(default_factory=dict)

    def text(self, gettext: Translate = untranslated) -> str:
        """The message in the language of `gettext` (English by default)."""
        values = {
            k: v.text(gettext) if isinstance(v, Message) else v for k, v in self.values.items()
        }
        return gettext(self.template).format(**values)

    def __str__(self) -> str:
        return self.text()

    def __contains__(self, part: str) -> bool:
        return part in self.text()


def shape_problem(shape: tuple[int, ...]) -> Message | None:
    """Why a tensor of this shape is too big for the language (its dimensions, and the
    element budget counting empty dimensions as 1), or None when it fits."""
    if len(shape) > MAX_DIMS:
        return Message(
            N_("it has {n} dimensions; the limit is {limit}"), {"n": len(shape), "limit": MAX_DIMS}
        )
    span = extent(shape)
    if span > MAX_NUMEL:
        values = {"n": f"{span:,}", "limit": f"{MAX_NUMEL:,}"}
        if span == math.prod(shape):
            return Message(N_("it would have {n} elements; the limit is {limit}"), values)
        return Message(
            N_("it would have {n} elements, empty sizes counted as 1; the limit is {limit}"),
            values,
        )
    return None


class ExpressionError(ValueError):
    """A program the language refuses, with a readable message and its (line, column).

    `message`: an English template marked ``N_`` whose ``{names}`` are filled from `values`
    (``err.message`` is the English text, ``err.text(gettext)`` the same in another language).
    """

    def __init__(self, message: str, line: int = 1, column: int = 1, **values: object):
        self.problem = Message(message, values)
        self.message = self.problem.text()
        self.line = line
        self.column = column
        super().__init__(f"line {line}, column {column}: {self.message}")

    def text(self, gettext: Translate = untranslated) -> str:
        """The problem (without its line and column) in the language of `gettext`."""
        return self.problem.text(gettext)
