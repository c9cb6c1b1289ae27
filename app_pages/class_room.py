"""Class room: the lecturer asks a chapter's question, every student answers, the class sees.

The lecturer starts a room: the projector shows its join code and a QR code of the students'
link (never the lecturer's key: this session holds it, and a private lecturer link outside
presenter mode gives it back after a reload). Students join by the link or the typed code. A
student's view of the room is a fragment that tells the process's `Watch` what it drew; when the
room changes (a question opened, a reveal, the room closed) the watch has the server rerun just
that fragment (`push`), so 200 students cost nothing while nothing changes and one fragment run
each when it does. All state lives in the `classroom` store (SQLite or PostgreSQL).
"""

import contextlib
import io
import secrets

import segno
import streamlit as st

from app_pages import i18n, push, ui
from app_pages.i18n import _
from app_pages.outline import CHAPTERS, ROOT
from app_pages.predict import shown
from classroom import RoomError, Snapshots, Store, database_url, make_engine, normalise_code
from classroom.chart import answers_chart
from classroom.store import Result, RoomState
from classroom.watch import Watch, refused
from core.questions import Question, all_questions, by_id

# A student's view is pushed a rerun when its room changes (at once for a lecturer on this
# server, within WATCH_SECONDS for one on another); it redraws itself every FALLBACK_SECONDS
# besides (presence, and a push that went astray), or every POLL_SECONDS where pushing is not
# possible. Each redraw is one fragment run of a few ms reading the shared snapshot.
POLL_SECONDS = 1.5  # a student's view redraws this often when the server cannot push
FALLBACK_SECONDS = 5.0  # and this often when it can
WATCH_SECONDS = 0.5  # the process looks at each watched room this often (one shared read)
PROJECTOR_SECONDS = 0.5  # the projector's histogram redraws this often (an answer shows in 1 s)
STATE_CACHE_SECONDS = 0.2  # the lecturer's reads of the room's state share one per process
SNAPSHOT_SECONDS = 0.5  # the students' polls share one read of the room per process this long


@st.cache_resource(show_spinner=False)
def _store() -> Store:
    """The process's one store (and engine): created at the first visit, schema migrated."""
    return Store(make_engine(database_url()), cache_seconds=STATE_CACHE_SECONDS)


@st.cache_resource(show_spinner=False)
def _snapshots() -> Snapshots:
    """The process's shared snapshots of its rooms: every student session polls these."""
    return Snapshots(_store(), seconds=SNAPSHOT_SECONDS)


@st.cache_resource(show_spinner=False)
def _watch() -> Watch:
    """The process's watch over its rooms: it reruns a student's view when the room changes."""
    return Watch(_snapshots(), seconds=WATCH_SECONDS).start()


def _session() -> str:
    if "room_session" not in st.session_state:
        st.session_state.room_session = secrets.token_urlsafe(18)
    return st.session_state.room_session


def _students_link(code: str) -> str:
    url = st.context.url or ""
    base = url.split("?")[0].rstrip("/") if url else ""
    if not base.endswith("/class_room"):
        base = base.rsplit("/", 1)[0] + "/class_room" if base else "/class_room"
    return f"{base}?room={code}"


def _lecturer_link(code: str, key: str) -> str:
    """The students' link plus the lecturer's key: it gives control back after a reload."""
    return f"{_students_link(code)}&key={key}"


def _restore_lecturer() -> None:
    """A lecturer link (?room=CODE&key=...) opened: this session takes the room's control back.

    The key leaves the address bar at once (whether it was right or not); a wrong one gets a
    plain sentence and the page carries on as a student's."""
    key = st.query_params.get("key")
    if key is None:
        return
    del st.query_params["key"]
    try:
        code = normalise_code(st.query_params.get("room"))
    except RoomError:
        code = None
    if code is not None and _store().is_lecturer(code, key):
        st.session_state.room_code, st.session_state.room_key = code, key
        del st.query_params["room"]  # the lecturer's page, not a student's
        return
    st.warning(
        _(
            "That lecturer link does not open this room (the key is wrong or the room has "
            "closed). You can join as a student, or start a new room."
        )
    )


@st.cache_data(max_entries=32, show_spinner=False)
def _qr_png(link: str) -> bytes:
    buffer = io.BytesIO()
    segno.make(link, error="m").save(buffer, kind="png", scale=10, border=2)
    return buffer.getvalue()


def _label(question: Question, value: float) -> str:
    if question.kind == "choice":
        return question.choices[int(value)]
    return f"{value:g}"


def _chapter(name: str) -> str:
    """A chapter's title in the reader's language (its page name when it has none)."""
    titles = {c.url_path: c.title for c in CHAPTERS}
    return _(titles[name]) if name in titles else name


def _sentences(*said: str) -> str:
    """Sentences in a row: a space between them in English, none after Chinese 。"""
    return ("" if i18n.language() == "zh" else " ").join(said)


def _answer_text(question: Question, truth: float | None = None) -> str:
    """The reveal: the true answer, then the (translated) question's explanation."""
    truth = question.answer() if truth is None else truth
    answer = _("Answer: {answer}.").format(answer=_label(question, truth))
    return _sentences(answer, question.explanation)


def _demo_link(question: Question) -> None:
    page = ROOT / "app_pages" / f"{question.chapter}.py"
    if not page.is_file():
        return
    params = {k: v for k, v in question.setting.items() if isinstance(v, str | int | float)}
    st.page_link(
        f"app_pages/{question.chapter}.py",
        label=_("See it in the demo"),
        icon=":material/play_circle:",
        query_params=params or None,
    )


def _chart(result: Result, mark_right: bool) -> None:
    """The class's bars, the spec built once per process for the same counts (many pollers)."""
    inputs = ("class_room", result.opened_id, tuple(result.counts), mark_right)
    gettext = i18n.translator()
    ui.chart(
        inputs,
        lambda: answers_chart(result, mark_right=mark_right, gettext=gettext),
        width="stretch",
    )


def _mine(store: Store, opened_id: int, session: str) -> float | None:
    """This session's answer: remembered when sent, read from the store only once."""
    key = f"sent-{opened_id}"
    if key not in st.session_state:
        st.session_state[key] = store.my_answer(opened_id, session)
    return st.session_state[key]


# ---------------------------------------------------------------------------- lecturer


def _start_room() -> None:
    try:
        code, key = _store().create_room()
    except RoomError as e:
        st.session_state.room_message = e.said(i18n.translator())
        return
    st.session_state.room_code, st.session_state.room_key = code, key


def _lecturer_act(action: str, code: str, key: str, *args) -> None:
    """A lecturer's button: the store's method by name; a refusal becomes a plain message."""
    try:
        getattr(_store(), action)(code, key, *args)
    except RoomError as e:
        st.session_state.room_message = e.said(i18n.translator())
    _snapshots().forget(code)  # the next read is fresh, and it is read now:
    _watch().poke(code)  # this process's students are pushed the change at once


@st.fragment(run_every=PROJECTOR_SECONDS)
def _projector(code: str, key: str) -> None:
    store = _store()
    try:
        state = store.state(code)
        here = store.here(code)
    except RoomError as e:
        st.warning(e.said(i18n.translator()))
        return
    if state.opened_id is None:
        st.metric(_("In the room"), here)
        st.info(_("Open a question: the students see it at once."))
        return
    question = shown(by_id(state.question_id))
    result = store.result(code, state.opened_id, key)
    st.markdown(f"#### {question.prompt}")
    _chart(result, mark_right=state.revealed)
    left, right = st.columns(2)
    left.metric(_("In the room"), here)
    right.metric(_("Answered"), result.total)
    if state.revealed:
        st.success(_answer_text(question))


def _lecturer(code: str, key: str) -> None:
    order = [c.url_path for c in CHAPTERS]  # the questions in the lecture's order
    questions = sorted(all_questions(), key=lambda q: order.index(q.chapter))
    history = _store().history(code, key)
    join, live = st.columns([1, 2.2], gap="large")
    link = _students_link(code)
    with join:
        st.markdown(_("Join at the link or with the code"))
        st.markdown(
            f"<div style='font-size:2.6rem;font-weight:700;letter-spacing:0.12em;"
            f"white-space:nowrap;line-height:1.1'>{code}</div>",
            unsafe_allow_html=True,  # `code` is drawn from CODE_ALPHABET by the store, never typed
        )
        st.image(_qr_png(link), width=210)
        st.text(link)
        # outside the polling fragment: a click is a full run that a redraw cannot swallow
        state = _store().state(code)
        if state.opened_id is not None and not state.revealed:
            st.button(
                _("Reveal"),
                type="primary",
                key=f"reveal-{state.opened_id}",
                on_click=_lecturer_act,
                args=("reveal", code, key, state.opened_id),
            )
    with live:
        _projector(code, key)
    # the controls under the picture: the projector shows the room first
    pick, open_, back, show, close = st.columns([4, 1.4, 3, 1.2, 1.2], vertical_alignment="bottom")
    asked = {q.id: f"{_chapter(q.chapter)}: {shown(q).prompt}" for q in questions}
    chosen = pick.selectbox(
        _("Question"),
        [q.id for q in questions],
        format_func=asked.__getitem__,  # made in this run: the reader's language
        key="room_question",
    )
    open_.button(
        _("Open it"),
        type="primary",
        key="room_open",
        on_click=_lecturer_act,
        args=("open_question", code, key, chosen),
    )
    if history:
        earlier = back.selectbox(
            _("Go back to"),
            [h[0] for h in history],
            index=len(history) - 1,
            format_func=lambda i: (
                f"{[h[0] for h in history].index(i) + 1}. "
                + next(h[1] for h in history if h[0] == i)
            ),
            key="room_back",
        )
        show.button(
            _("Show"), key="room_show", on_click=_lecturer_act, args=("show", code, key, earlier)
        )
    close.button(_("Close"), key="room_close", on_click=_lecturer_act, args=("close", code, key))
    # the key is never projected: the link shows only outside presenter mode, folded away
    if ui.presenter_mode():
        st.caption(
            _(
                "Your lecturer link (control after a reload) is under the room outside "
                "presenter mode."
            )
        )
    else:
        with st.expander(_("Lecturer link: keep this private")):
            st.caption(
                _sentences(
                    _(
                        "Opening this link gives control of the room back after a reload or on "
                        "another device."
                    ),
                    _("Anyone holding it can run the room: do not project or share it."),
                )
            )
            st.code(_lecturer_link(code, key), language=None, wrap_lines=True)
    if st.session_state.get("room_message"):
        st.warning(st.session_state.pop("room_message"))


# ---------------------------------------------------------------------------- students


def _answer_widget(store: Store, state: RoomState, question: Question, session: str) -> None:
    widget_key = f"answer-{state.opened_id}"

    def send() -> None:
        value = st.session_state.get(widget_key)
        if value is None:
            return
        try:
            store.answer(state.code, session, state.opened_id, value)
            st.session_state.room_note = None
            st.session_state[f"sent-{state.opened_id}"] = value
        except RoomError as e:
            st.session_state.room_note = e.said(i18n.translator())

    if question.kind == "choice":
        st.radio(
            _("Your answer"),
            range(len(question.choices)),
            format_func=lambda i: question.choices[i],
            index=None,
            key=widget_key,
            on_change=send,
        )
    else:
        st.number_input(
            _("Your answer ({low} to {high})").format(
                low=f"{question.low:g}", high=f"{question.high:g}"
            ),
            min_value=float(question.low),
            max_value=float(question.high),
            value=None,
            key=widget_key,
            on_change=send,
        )
    if st.session_state.get("room_note"):
        st.warning(st.session_state.room_note)
    mine = _mine(store, state.opened_id, session)
    if mine is not None:
        st.markdown(  # the choice is Markdown, as the radio draws it
            _sentences(
                _("Your answer: {answer}.").format(answer=_label(question, mine)),
                _("You can change it until the reveal."),
            )
        )


def _follow(code: str, drawn: tuple) -> None:
    """Tell the process's watch what this view drew, so a change reruns just this view."""
    where = push.here()
    if where is not None:
        _watch().drew(code, where[0], drawn, lambda: push.rerun_fragment(*where))


@st.fragment
def _answer_box(store: Store, state: RoomState, question: Question, session: str) -> None:
    """The radio (or number) and "Your answer": an answer reruns only this box."""
    _answer_widget(store, state, question, session)


def _student(code: str) -> None:
    """A student's view of the room: a fragment the server reruns when the room changes (and
    that redraws itself every FALLBACK_SECONDS), or every POLL_SECONDS where it cannot push."""
    seconds = FALLBACK_SECONDS if push.available() else POLL_SECONDS
    st.fragment(run_every=seconds)(_view)(code)


def _view(code: str) -> None:
    """The room as this student sees it; registers what it drew with the process's watch."""
    store, session = _store(), _session()
    with contextlib.suppress(RoomError):  # a closed room: the snapshot below says so
        store.seen(code, session)
    try:
        snapshot = _snapshots().get(code)
    except RoomError as e:
        _follow(code, refused(e))
        st.warning(e.said(i18n.translator()))
        return
    _follow(code, snapshot.version)
    state = snapshot.state
    if state.opened_id is None:
        st.info(
            _sentences(_("You are in."), _("The question appears here when the lecturer opens it."))
        )
        return
    question = shown(by_id(state.question_id))
    st.markdown(f"#### {question.prompt}")
    if not state.revealed:
        _answer_box(store, state, question, session)
        return
    truth = question.answer()
    mine = _mine(store, state.opened_id, session)
    st.success(_answer_text(question, truth))
    if mine is not None:
        right = question.is_right(int(mine) if question.kind == "choice" else mine)
        said = _("You said {answer}: right.") if right else _("You said {answer}: not it.")
        st.markdown(said.format(answer=_label(question, mine)))
    if snapshot.result is not None:
        _chart(snapshot.result, mark_right=True)
    _demo_link(question)


def _join_form() -> None:
    with st.form("room_join", border=False):
        typed = st.text_input(
            _("Room code"), max_chars=12, placeholder=_("e.g. {code}").format(code="K7P2QX")
        )
        joined = st.form_submit_button(_("Join"))
    if joined:
        try:
            state = _store().join(typed, _session())
        except RoomError as e:
            st.warning(
                e.said(i18n.translator())
            )  # our own sentence; the typed text is never echoed
            return
        st.query_params["room"] = state.code
        st.rerun()


# ---------------------------------------------------------------------------- the page

st.title(_("Class room"))
store = _store()
_restore_lecturer()
code, key = st.session_state.get("room_code"), st.session_state.get("room_key")
if code and key and store.is_lecturer(code, key):
    _lecturer(code, key)
elif "room" in st.query_params:
    try:
        room = normalise_code(st.query_params["room"])
        if st.session_state.get("room_joined") != room:  # one join (a write) per session
            store.join(room, _session())
            st.session_state.room_joined = room
    except RoomError as e:
        st.warning(e.said(i18n.translator()))
        _join_form()
    else:
        st.text(_("Room {code}").format(code=room))
        _student(room)
else:
    student_side, lecturer_side = st.columns(2, gap="large")
    with student_side:
        st.subheader(_("Join the class"))
        _join_form()
    with lecturer_side:
        st.subheader(_("Lecturer"))
        ui.explain(
            _(
                "Start a room for this lecture: the projector shows its code and a QR code; "
                "only this browser tab can open questions and reveal answers."
            )
        )
        st.button(_("Start a class room"), type="primary", key="room_start", on_click=_start_room)
        if st.session_state.get("room_message"):
            st.warning(st.session_state.pop("room_message"))
