"""The class's answers as a bar chart: counts only, the right bar marked once revealed."""

import altair as alt
import pandas as pd

from classroom.store import Result
from core.i18n import Translate, untranslated

BLUE, GREEN, GREY = "#0072B2", "#009E73", "#BBBBBB"  # Okabe-Ito: answers, the truth, others


def answers_chart(
    result: Result, mark_right: bool = False, height: int = 260, gettext: Translate = untranslated
) -> alt.Chart:
    """Bars of how many answered each choice (or number bin); the true bars green if asked."""
    _ = gettext
    labels = [_(label) for label in result.labels]  # a choice's text; a number stays itself
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
    x = alt.X("answer:N", sort=labels, title=None, axis=alt.Axis(labelAngle=0))
    y = alt.Y("students:Q", title=_("students"), axis=alt.Axis(tickMinStep=1))
    top = max([1, *result.counts])
    bars = alt.Chart(frame).mark_bar().encode(x=x, y=y.scale(domain=[0, top * 1.15]), color=colour)
    labels = bars.mark_text(dy=-12, fontSize=18).encode(text="students:Q", color=alt.value("#111"))
    return (bars + labels).properties(
        height=height,
        width="container",
        title=(_("1 answer") if result.total == 1 else _("{n} answers")).format(n=result.total),
    )
