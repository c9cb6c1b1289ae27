"""Questions a chapter asks before it shows: "predict, then see".

A question is data: the demo setting it is about, a prompt, its kind (one of 2-5 choices, or
a number with a tolerance), a short explanation, and a function that computes the true answer
by running the same core code the page shows. Nothing here knows there is a screen or a class
room; pages ask and reveal, the class-room storage records answers by question id.

Each chapter's questions live in a module of this package named after the chapter's page
(`tensors`, `autograd_graph`, ...), as a list `QUESTIONS`. `python -m core.questions` prints
every question with its computed answer, one JSON object a line.

The texts (prompt, choices, explanation) are English literals marked `N_("...")` for the
catalogues; a page shows `question.translated(gettext)`, a copy in the reader's language whose
answer is the original's (computed once, shared). Choices that are code, such as "(3, 4)",
are left unmarked and come back unchanged.
"""

import importlib
import math
import pkgutil
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from functools import cache, partial
from typing import Literal

from core.i18n import Translate, untranslated

Kind = Literal["choice", "number"]
MAX_CHOICES = 5


@dataclass(frozen=True)
class Question:
    """One prediction a student makes before a demo shows its outcome."""

    id: str  # "<chapter>.<name>", unique, stable: answers are stored under it
    chapter: str  # the page's url path, e.g. "modules"
    prompt: str
    kind: Kind
    explanation: str
    compute: Callable[[], int | float] = field(repr=False, compare=False)
    # index of the true choice for "choice"; the true number for "number"
    choices: tuple[str, ...] = ()  # "choice" only: 2 to 5 of them
    tolerance: float = 0.0  # "number" only: an answer within this of the truth is right
    low: float = -1e9  # "number" only: the range an answer may take
    high: float = 1e9
    setting: dict = field(default_factory=dict, compare=False)  # the demo setting asked about
    # the computation behind `compute`, taking a setting: `at()` asks the same at another one
    solve: Callable[[dict], int | float] | None = field(default=None, repr=False, compare=False)

    def __post_init__(self) -> None:
        if "." not in self.id or not self.id.startswith(self.chapter + "."):
            raise ValueError(f"question id {self.id!r} must start with {self.chapter!r}.")
        if self.kind == "choice" and not 2 <= len(self.choices) <= MAX_CHOICES:
            raise ValueError(f"{self.id}: a choice question has 2 to {MAX_CHOICES} choices")
        if self.kind == "number" and (self.choices or not self.low < self.high):
            raise ValueError(f"{self.id}: a number question has no choices and low < high")

    def answer(self) -> int | float:
        """The true answer, computed (and kept: the computation is deterministic)."""
        return _answer(self.id, _frozen(self.setting), self.compute)

    def translated(self, gettext: Translate = untranslated) -> "Question":
        """The same question with its prompt, choices and explanation put through `gettext`."""
        return replace(
            self,
            prompt=gettext(self.prompt),
            choices=tuple(gettext(c) for c in self.choices),
            explanation=gettext(self.explanation),
        )

    def at(self, setting: dict) -> "Question":
        """The same question asked at another demo setting (its answer computed there)."""
        if self.solve is None:
            raise ValueError(f"{self.id} has no solve(setting) to ask it elsewhere")
        merged = {**self.setting, **setting}
        return replace(self, setting=merged, compute=partial(self.solve, merged))

    def applies_to(self, state: Mapping) -> bool:
        """True when `state` (a page's settings by key) is at this question's setting."""
        return all(key in state and same(state[key], want) for key, want in self.setting.items())

    def shown(self, value: int | float) -> str:
        """An answer as the reveal writes it: the choice's text, or the number."""
        if self.kind == "choice":
            return self.choices[int(value)] if 0 <= int(value) < len(self.choices) else "?"
        return f"{float(value):.4g}"

    def valid(self, response: object) -> bool:
        """True when `response` is an answer this question accepts (not necessarily right)."""
        if self.kind == "choice":
            return type(response) is int and 0 <= response < len(self.choices)
        if isinstance(response, bool) or not isinstance(response, int | float):
            return False
        return math.isfinite(response) and self.low <= response <= self.high

    def is_right(self, response: int | float) -> bool:
        """True when a valid `response` matches the computed answer."""
        if not self.valid(response):
            return False
        truth = self.answer()
        if self.kind == "choice":
            return response == truth
        return abs(float(response) - float(truth)) <= self.tolerance


def asked(solve: Callable[[dict], int | float], setting: dict, **fields) -> Question:
    """A Question whose answer is `solve(setting)`: the setting is data, the answer follows it."""
    return Question(compute=partial(solve, setting), setting=setting, solve=solve, **fields)


def same(have: object, want: object) -> bool:
    """A setting's value and a page's: floats to 1e-9, lists as sets, tuples as tuples."""
    if isinstance(want, list):
        return isinstance(have, list | tuple) and sorted(map(str, have)) == sorted(map(str, want))
    if isinstance(want, tuple):
        return isinstance(have, list | tuple) and tuple(have) == want
    if isinstance(want, bool) or isinstance(have, bool):
        return bool(have) == want if isinstance(have, bool | int) else False
    if isinstance(want, int | float) and isinstance(have, int | float):
        return math.isclose(float(have), float(want), rel_tol=1e-9, abs_tol=1e-9)
    return have == want


def _frozen(value: object) -> object:
    """A hashable copy of a setting (dicts, lists and tuples nested)."""
    if isinstance(value, dict):
        return tuple(sorted((k, _frozen(v)) for k, v in value.items()))
    if isinstance(value, list | tuple):
        return tuple(_frozen(v) for v in value)
    return value


_ANSWERS: dict[tuple[str, object], int | float] = {}


def _answer(question_id: str, setting: object, compute: Callable[[], int | float]) -> int | float:
    # keyed by id and setting: a translated copy shares its original's answer, an `at()` copy
    # (another setting) has its own
    key = (question_id, setting)
    if key not in _ANSWERS:
        _ANSWERS[key] = compute()
    return _ANSWERS[key]


@cache
def all_questions() -> tuple[Question, ...]:
    """Every chapter's questions, in module order, ids unique."""
    found: list[Question] = []
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        if info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{__name__}.{info.name}")
        found.extend(getattr(module, "QUESTIONS", ()))
    ids = [q.id for q in found]
    if len(ids) != len(set(ids)):
        raise ValueError("question ids must be unique")
    return tuple(found)


def by_id(question_id: str) -> Question | None:
    """The question with this id, or None (an unknown or forged id)."""
    return next((q for q in all_questions() if q.id == question_id), None)


def for_chapter(chapter: str) -> list[Question]:
    """The questions a chapter (page url path) asks, in order."""
    return [q for q in all_questions() if q.chapter == chapter]
