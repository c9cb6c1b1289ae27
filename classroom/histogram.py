"""How a class answered, as counts only: one bar per choice, or bins over a number's range."""

import math

from core.questions import Question

MAX_BINS = 10
WIDE = 1e6  # a number question whose range is wider than this is binned over the answers given


def _edges(question: Question, values: list[float]) -> list[float]:
    low, high = question.low, question.high
    if high - low > WIDE:
        low, high = (min(values), max(values)) if values else (0.0, 1.0)
    if high <= low:
        low, high = low - 0.5, high + 0.5
    if float(low).is_integer() and float(high).is_integer() and high - low < MAX_BINS:
        low, high = low - 0.5, high + 0.5  # one bar per whole number
        n = int(high - low)
    else:
        n = MAX_BINS
    step = (high - low) / n
    return [low + i * step for i in range(n + 1)]


def _label(a: float, b: float) -> str:
    if math.isclose(b - a, 1.0) and float(a + 0.5).is_integer():
        return f"{a + 0.5:g}"
    return f"{a:.3g} ~ {b:.3g}"  # a range that reads in both languages


def counts(question: Question, values: list[float]) -> tuple[list[str], list[int]]:
    """Labels and counts: per choice (in order) or per bin of a number question's range."""
    if question.kind == "choice":
        tally = [0] * len(question.choices)
        for v in values:
            tally[int(v)] += 1
        return list(question.choices), tally
    edges = _edges(question, values)
    tally = [0] * (len(edges) - 1)
    for v in values:
        i = int((v - edges[0]) / (edges[-1] - edges[0]) * len(tally))
        tally[min(max(i, 0), len(tally) - 1)] += 1
    return [_label(a, b) for a, b in zip(edges, edges[1:], strict=False)], tally


def right_bars(question: Question, values: list[float]) -> list[bool]:
    """Which bars of `counts(question, values)` hold the true answer (choice or bin)."""
    truth = question.answer()
    if question.kind == "choice":
        return [i == truth for i in range(len(question.choices))]
    edges = _edges(question, values)
    return [
        a <= truth < b or (i == len(edges) - 2 and truth == b)
        for i, (a, b) in enumerate(zip(edges, edges[1:], strict=False))
    ]
