"""Page settings as URL query parameters: parse, validate, encode.

A lecturer bookmarks a setup ("Adam vs SGD on Rosenbrock, lr 0.01") as a link. Every value read
from a link is checked against the widget's own bounds; a bad one falls back to the default with
a note saying why, never an error.

A link is anyone's text. Its values are bounded before they are parsed (``MAX_QUERY_CHARS``; a
multi-choice is deduplicated, so it never holds more items than it has options), and the notes
quote a refused value only through :func:`inert`: shortened, its invisible characters written
out, inside a code span, so a link cannot put an image, a link (not even an autolinked URL,
``www.`` name or e-mail address) or markup on the page.
"""

import math
import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from core.i18n import Translate, untranslated

MAX_QUERY_CHARS = 200  # a link value longer than this (or than all of a multi's options) is refused
MAX_QUOTED_CHARS = 40  # a refused value is quoted back at most this long, then an ellipsis
# ASCII punctuation that Markdown, GitHub-flavoured Markdown or Streamlit's Markdown give a meaning
# (emphasis, code, links, images, autolinks, HTML, entities, math, tables, colour directives)
_MARKDOWN_SPECIALS = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~:$&=^@])")
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]+")
# Unicode categories that draw nothing yet change how text reads: format characters (right-to-
# left overrides and isolates, zero-width spaces and joiners, soft hyphens, byte-order marks),
# private-use, surrogates and unassigned code points. Shown as [U+202E], never passed on.
_INVISIBLE = frozenset(("Cf", "Co", "Cs", "Cn"))


def visible(text: str) -> str:
    """One line with nothing hidden: control characters and line breaks become a space, and
    every invisible character (a right-to-left override, a zero-width space) is written out
    as its code point, e.g. ``[U+202E]``, so a note reads as what it says."""
    text = _CONTROL.sub(" ", str(text))
    if text.isascii():
        return text
    return "".join(
        f"[U+{ord(ch):04X}]" if unicodedata.category(ch) in _INVISIBLE else ch for ch in text
    )


def _shorten(text: str, limit: int) -> str:
    text = str(text)
    return visible(text[:limit]) + ("…" if len(text) > limit else "")


def literal(text: str, limit: int = MAX_QUOTED_CHARS) -> str:
    """User text made safe to show in Markdown: one line, at most `limit` characters (then an
    ellipsis), invisible characters written out (:func:`visible`), every Markdown/HTML special
    escaped with a backslash so it shows as itself."""
    return _MARKDOWN_SPECIALS.sub(r"\\\1", _shorten(text, limit))


def inert(text: str, limit: int = MAX_QUOTED_CHARS) -> str:
    """User text as a Markdown code span: shown exactly as typed (shortened, invisible characters
    written out) and never a link. Escaping alone is not enough for that: Streamlit's Markdown
    turns ``http://...``, ``www....`` and e-mail addresses in plain text into live links even
    when every special character is escaped; text inside a code span is never linked."""
    text = _shorten(text, limit)
    fence = "`" * (max((len(run) for run in re.findall(r"`+", text)), default=0) + 1)
    return f"{fence} {text} {fence}"


@dataclass(frozen=True)
class Param:
    """One shareable setting: its widget key (also its URL name), default and bounds."""

    key: str
    default: Any
    low: float | None = None
    high: float | None = None
    options: tuple | None = None  # for a choice; for a multi-choice, the allowed items
    multi: bool = False  # a list of options, comma-separated in the URL

    @property
    def max_chars(self) -> int:
        """The longest URL string parsed for this setting (a multi's options all fit)."""
        if self.multi and self.options:
            return max(MAX_QUERY_CHARS, len(",".join(map(str, self.options))))
        return MAX_QUERY_CHARS

    def parse(self, raw: str, gettext: Translate = untranslated) -> Any:
        """The value a URL string stands for, or ValueError saying why it is refused.

        The error's message is Markdown, put through `gettext`: it quotes the value only
        through :func:`inert`.
        """
        _ = gettext
        raw = str(raw)
        if len(raw) > self.max_chars:
            raise ValueError(
                _("the value is {length} characters long; the limit is {limit}").format(
                    length=f"{len(raw):,}", limit=f"{self.max_chars:,}"
                )
            )
        raw = raw.strip()
        quoted = inert(raw)
        if self.multi:
            items = list(dict.fromkeys(item.strip() for item in raw.split(",") if item.strip()))
            good = [item for item in items if item in self.options]  # distinct, so never more
            bad = [item for item in items if item not in self.options]
            if bad and good:
                raise PartlyKept(
                    good, _("unknown choice {value} left out").format(value=inert(bad[0]))
                )
            if bad:
                raise ValueError(_("unknown choice {value}").format(value=inert(bad[0])))
            return good
        if self.options is not None:
            for option in self.options:
                if str(option) == raw:
                    return option
            raise ValueError(
                _("{value} is not one of {options}").format(
                    value=quoted, options=", ".join(map(str, self.options))
                )
            )
        if isinstance(self.default, bool):
            if raw.lower() in ("1", "true", "yes", "on"):
                return True
            if raw.lower() in ("0", "false", "no", "off"):
                return False
            raise ValueError(_("{value} is not true or false").format(value=quoted))
        try:
            value = int(raw) if isinstance(self.default, int) else float(raw)
        except ValueError:
            raise ValueError(_("{value} is not a number").format(value=quoted)) from None
        if not math.isfinite(value):
            raise ValueError(_("{value} is not a finite number").format(value=quoted))
        if self.low is not None and value < self.low or self.high is not None and value > self.high:
            raise ValueError(
                _("{value} is outside [{low}, {high}]").format(
                    value=quoted, low=self.low, high=self.high
                )
            )
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


class PartlyKept(ValueError):
    """A multi-choice value with some unknown items: the known ones are kept, the rest noted."""

    def __init__(self, kept: list, message: str):
        super().__init__(message)
        self.kept = kept


def from_query(
    params: Sequence[Param], query: Mapping[str, str], gettext: Translate = untranslated
) -> tuple[dict[str, Any], list[str]]:
    """Values for the params a query names, and a note (Markdown, user text escaped, put
    through `gettext`) for each one refused."""
    _ = gettext
    values, notes = {}, []
    for param in params:
        if param.key not in query:
            continue
        try:
            values[param.key] = param.parse(str(query[param.key]), gettext)
        except PartlyKept as err:
            values[param.key] = err.kept
            note = _("`{key}` from the link was partly used ({reason}); the rest kept.")
            notes.append(note.format(key=param.key, reason=err))
        except ValueError as err:
            note = _("`{key}` from the link was ignored ({reason}); using the default.")
            notes.append(note.format(key=param.key, reason=err))
    return values, notes


def to_query(params: Sequence[Param], values: Mapping[str, Any]) -> dict[str, str]:
    """The query parameters that describe the given values."""
    return {p.key: p.encode(values[p.key]) for p in params if p.key in values}
