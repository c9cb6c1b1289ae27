"""Page settings as URL query parameters: parse, validate, encode.

A lecturer bookmarks a setup ("Adam vs SGD on Rosenbrock, lr 0.01") as a link. Every value read
from a link is checked against the widget's own bounds; a bad one falls back to the default with
a note saying why, never an error.
"""

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Param:
    """One shareable setting: its widget key (also its URL name), default and bounds."""

    key: str
    default: Any
    low: float | None = None
    high: float | None = None
    options: tuple | None = None  # for a choice; for a multi-choice, the allowed items
    multi: bool = False  # a list of options, comma-separated in the URL

    def parse(self, raw: str) -> Any:
        """The value a URL string stands for, or ValueError saying why it is refused."""
        raw = raw.strip()
        if self.multi:
            items = [item for item in raw.split(",") if item]
            bad = [item for item in items if item not in self.options]
            if bad:
                raise ValueError(f"unknown choice {bad[0]!r}")
            return items
        if self.options is not None:
            for option in self.options:
                if str(option) == raw:
                    return option
            raise ValueError(f"{raw!r} is not one of {', '.join(map(str, self.options))}")
        if isinstance(self.default, bool):
            if raw.lower() in ("1", "true", "yes", "on"):
                return True
            if raw.lower() in ("0", "false", "no", "off"):
                return False
            raise ValueError(f"{raw!r} is not true or false")
        try:
            value = int(raw) if isinstance(self.default, int) else float(raw)
        except ValueError:
            raise ValueError(f"{raw!r} is not a number") from None
        if not math.isfinite(value):
            raise ValueError(f"{raw!r} is not a finite number")
        if self.low is not None and value < self.low or self.high is not None and value > self.high:
            raise ValueError(f"{raw} is outside [{self.low}, {self.high}]")
        return value

    def encode(self, value: Any) -> str:
        """The URL string for a value."""
        if self.multi:
            return ",".join(map(str, value))
        if isinstance(value, bool):
            return "1" if value else "0"
        if isinstance(value, float):
            return f"{value:.6g}"
        return str(value)


def from_query(
    params: Sequence[Param], query: Mapping[str, str]
) -> tuple[dict[str, Any], list[str]]:
    """Values for the params a query names, and a note for each one refused."""
    values, notes = {}, []
    for param in params:
        if param.key not in query:
            continue
        try:
            values[param.key] = param.parse(str(query[param.key]))
        except ValueError as err:
            notes.append(f"`{param.key}` from the link was ignored ({err}); using the default.")
    return values, notes


def to_query(params: Sequence[Param], values: Mapping[str, Any]) -> dict[str, str]:
    """The query parameters that describe the given values."""
    return {p.key: p.encode(values[p.key]) for p in params if p.key in values}
