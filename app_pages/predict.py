"""Predict, then see: a page asks its question before it draws the demo that answers it.

A page wraps the one call that draws the answering element:

    if predict.ask("modules.dropout_values"):
        draw_masks()

With predict-first on (the default) and the page at the question's setting, `ask` draws the
question and returns False until the student answers or picks "Just show me": the answering
element is then not sent to the browser at all. Afterwards it draws their answer, the true one
(computed by core.questions), right or wrong and the explanation, and returns True.

When the page is at another setting, the question does not apply to what is on screen: `ask`
offers a button that puts the demo at the question's setting and returns True (the student's
own exploration stays visible). Answers and the chapter's score live in this session only.

A question's texts are English in core.questions (marked for the catalogue); `shown(q)` is
the question in the reader's language, for this page and any other that shows questions.
"""

from collections.abc import Callable

import streamlit as st

from app_pages.i18n import _, ngettext, pgettext, translator
from core.questions import Question, by_id, for_chapter

SWITCH = "predict_first"  # the sidebar toggle's key
QUERY = "predict"  # ?predict=0 in a link: predict-first off
ANSWERS = "_predict_answers"  # {question id: {"answer": value or None (just shown), "right"}}
SKIPPED = None
SHORT_CHOICE = 14  # choices no longer than this (characters) sit side by side


def on() -> bool:
    """True when predict-first is on (the default; a link with ?predict=0 turns it off)."""
    if SWITCH not in st.session_state:
        st.session_state[SWITCH] = st.query_params.get(QUERY) != "0"
    return bool(st.session_state[SWITCH])


def switch() -> None:
    """The sidebar's predict-first toggle; its state goes into the address bar."""
    on()
    st.toggle(
        _("Predict first"),
        key=SWITCH,
        help=_("Each demo asks you to predict its outcome before it shows it. Off: just explore."),
    )
    if on():
        if QUERY in st.query_params:
            del st.query_params[QUERY]
    else:
        st.query_params[QUERY] = "0"


def link() -> dict[str, str]:
    """The query parameters predict-first adds to a page's shareable link."""
    return {} if on() else {QUERY: "0"}


def shown(q: Question) -> Question:
    """The question with its prompt, choices and explanation in the reader's language (its id,
    setting and computed answer are the original's)."""
    return q.translated(translator())


def answers() -> dict:
    """This session's answers by question id."""
    return st.session_state.setdefault(ANSWERS, {})


def progress(chapter: str) -> tuple[int, int, int]:
    """(answered, right, questions) for a chapter in this session ("just show me" counts as
    seen, not answered)."""
    qs = for_chapter(chapter)
    mine = [answers().get(q.id) for q in qs]
    given = [a for a in mine if a is not None and a["answer"] is not SKIPPED]
    return len(given), sum(a["right"] for a in given), len(qs)


def _input_key(q: Question) -> str:
    return f"predict_in_{q.id}"


def _check(q: Question) -> None:
    value = st.session_state.get(_input_key(q))
    if value is None or not q.valid(value):
        st.session_state[f"predict_empty_{q.id}"] = True
        return
    answers()[q.id] = {"answer": value, "right": q.is_right(value)}


def _show_me(questions: list[Question]) -> None:
    for q in questions:
        answers().setdefault(q.id, {"answer": SKIPPED, "right": False})


def _apply(q: Question, apply: Callable[[dict], None] | None) -> None:
    for key, value in q.setting.items():
        st.session_state[key] = list(value) if isinstance(value, list) else value
    if apply is not None:
        apply(q.setting)


def _presenting() -> bool:
    return bool(st.session_state.get("presenter_mode"))


def _prompt(q: Question, lead: str, large: bool = True) -> None:
    if large and _presenting():  # the back row reads it: a heading, not body text
        st.markdown(f"### {lead} {q.prompt}")
    else:
        st.markdown(f"**{lead}** {q.prompt}")


def _score(chapter: str) -> None:
    given, right, total = progress(chapter)
    st.caption(
        _("This chapter: {given} of {total} predictions made, {right} right.").format(
            given=given, total=total, right=right
        )
    )


def _question(q: Question):
    """The question's prompt, input and check button; returns the button's row."""
    q = shown(q)
    _prompt(q, _("Predict first:"))
    key = _input_key(q)
    if q.kind == "choice":
        st.radio(
            _("Your prediction"),
            list(range(len(q.choices))),
            format_func=lambda i: q.choices[i],
            index=None,
            key=key,
            horizontal=max(map(len, q.choices)) <= SHORT_CHOICE,  # one row: the slide's room
        )
    else:
        st.number_input(
            _("Your prediction"), min_value=q.low, max_value=q.high, value=None, key=key,
            format="%g",
        )  # fmt: skip
    if st.session_state.pop(f"predict_empty_{q.id}", False):
        st.warning(_("Pick an answer first, or press *Just show me*."), icon=":material/touch_app:")
    row = st.container(horizontal=True)  # the buttons side by side: less height on 720 px
    row.button(
        _("Check my prediction"),
        key=f"predict_check_{q.id}",
        type="primary",
        on_click=_check,
        args=(q,),
    )
    return row


def _reveal(q: Question, compact: bool = False):
    """The question answered: the true answer and why. `compact` (presenter mode): the
    verdict and the answer on one line, the rest behind a button, so the demo below stays the
    first picture of the slide (then the row is returned: more may join it)."""
    mine = answers()[q.id]
    q = shown(q)
    truth = q.answer()
    lead = _("You predicted first:") if mine["answer"] is not SKIPPED else _("The question:")
    verdict = ""
    if mine["answer"] is not SKIPPED:
        verdict = _("**Right.**") if mine["right"] else _("**Not this time.**")
    line = _("The answer, computed by the demo below: **{answer}**").format(answer=q.shown(truth))
    if verdict:  # two sentences side by side: a space between them in English, none in Chinese
        line = pgettext("verdict, then the answer", "{verdict} {answer}").format(
            verdict=verdict, answer=line
        )
    if compact:
        row = st.container(horizontal=True, vertical_alignment="center")
        row.markdown(line, width="content")
        with row.popover(_("The question and why"), icon=":material/help:"):
            _prompt(q, lead, large=False)
            if verdict:
                st.markdown(_("Your answer: {answer}").format(answer=q.shown(mine["answer"])))
            st.markdown(q.explanation)
            _score(q.chapter)
        return row
    _prompt(q, lead, large=False)  # read already: the demo below gets the room
    if verdict:
        st.markdown(_("Your answer: {answer}").format(answer=q.shown(mine["answer"])))
    st.markdown(line)
    st.markdown(q.explanation)


def revealed(*ids: str) -> bool:
    """True when the demo these questions guard may be shown: `ask`'s answer, nothing drawn
    (for a second element that gives the answer away, drawn apart from the first)."""
    questions = [q for q in map(by_id, ids) if q is not None]
    if not on():
        return True
    return all(q.id in answers() for q in questions if q.applies_to(st.session_state))


def ask(*ids: str, apply: Callable[[dict], None] | None = None) -> bool:
    """Draw the questions about the demo that follows; True when the demo may be drawn.

    `apply(setting)`: what else the page must do to reach a question's setting (after its
    keys are written into the session state), e.g. recompute a program from its sliders.
    """
    questions = [q for q in map(by_id, ids) if q is not None]
    if not questions or not on():
        return True
    here = [q for q in questions if q.applies_to(st.session_state)]
    pending = [q for q in here if q.id not in answers()]
    later = [q for q in questions if q.id not in answers() and q not in here]
    if not here and not later:
        return True  # every question of this demo is answered: just the demo
    compact = _presenting() and not pending  # a slide: the demo, not the reveal, comes first
    box = f"predict_box_{questions[0].id.replace('.', '_')}"
    with st.container(border=bool(here) and not compact, key=box):
        line = st  # where a row of buttons goes: the last reveal's row when compact
        for q in here:
            if q.id in answers():
                line = _reveal(q, compact) or st
        row = None
        for q in pending:
            row = _question(q)
        if pending:
            row.button(
                _("Just show me"),
                key=f"predict_skip_{pending[0].id}",
                on_click=_show_me,
                args=(pending,),
            )
        elif later:  # one line: the demo on screen stays the first picture (presenter mode)
            n = len(later)
            label = ngettext(
                "Predict first: {n} question on another setting of this demo",
                "Predict first: {n} questions on other settings of this demo",
                n,
            ).format(n=n)
            if line is not st:  # beside a compact reveal: short, so the row stays one line
                label = ngettext("{n} more question", "{n} more questions", n).format(n=n)
            with line.popover(label, icon=":material/quiz:"):
                for nxt in later:
                    st.markdown(_("**Predict:** {prompt}").format(prompt=shown(nxt).prompt))
                    st.button(
                        _("Set the demo to this question's setting"),
                        key=f"predict_set_{nxt.id}",
                        icon=":material/tune:",
                        on_click=_apply,
                        args=(nxt, apply),
                    )
        if not (compact and any(q.id in answers() for q in here)):  # else in its popover
            _score(questions[0].chapter)
    return not pending
