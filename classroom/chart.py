"""The class's answers as a bar chart: counts only, the right bar marked once revealed."""

import altair as alt
import pandas as pd

from classroom.store import Result
from core.i18n import Translate, untranslated

LINE = 28  # a bar's label wraps at this width (Latin characters; a CJK character is two)
BLUE, GREEN, GREY = "#0072B2", "#009E73", "#BBBBBB"  # Okabe-Ito: answers, the truth, others


def _width(text: str) -> int:
    return sum(2 if ord(c) > 0x2E80 else 1 for c in text)  # a CJK character is two wide


def _lines(label: str, width: int = LINE) -> str:
    """The label broken into lines of at most `width` (a CJK character counts two), at spaces
    where it has them, between any two characters where it has none."""
    lines, line = [], ""
    for word in label.replace(" ", " \0").split("\0"):
        pieces = [word] if _width(word) <= width else list(word)
        for piece in pieces:
            if line and _width((line + piece).rstrip()) > width:
                lines.append(line.rstrip())
                line = ""
            line += piece
    lines.append(line.rstrip())
    return "\n".join(lines)


def answers_chart(
    result: Result, mark_right: bool = False, height: int = 260, gettext: Translate = untranslated
) -> alt.Chart:
    """Bars of how many answered each choice (or number bin); the true bars green if asked."""
    _ = gettext
    # a choice's text (its code marks dropped: an axis draws no Markdown), in lines short
    # enough to read under its bar; a number stays itself
    labels = [_lines(_(label).replace("`", "")) for label in result.labels]
    frame = pd.DataFrame(
        {
            "answer": labels,
            "students": result.counts,
            "order": range(len(labels)),
            "right": result.right,
        }
    )
    colour = (
        alt.condition("datum.right", alt.value(GREEN), alt.value(GREY))
        if mark_right
        else alt.value(BLUE)
    )
    x = alt.X(
        "answer:N",
        sort=labels,
        title=None,
        axis=alt.Axis(labelAngle=0, labelLimit=0, labelExpr="split(datum.label, '\\n')"),
    )
    y = alt.Y("students:Q", title=_("students"), axis=alt.Axis(tickMinStep=1))
    top = max([1, *result.counts])
    bars = alt.Chart(frame).mark_bar().encode(x=x, y=y.scale(domain=[0, top * 1.15]), color=colour)
    labels = bars.mark_text(dy=-12, fontSize=18).encode(text="students:Q", color=alt.value("#111"))
    return (bars + labels).properties(
        height=height,
        width="container",
        title=(_("1 answer") if result.total == 1 else _("{n} answers")).format(n=result.total),
    )
