"""Heavy work through the server's one admission gate, with the line shown to the student.

Two ways in for work done inside one script run; the slot is held at most until it ends:

    if st.button("Train") and heavy.wait_turn("train the policy"):
        train()                       # the slot is held until this run of the page ends

    with heavy.turn("train the model") as go:   # or only for the block
        if go:
            train()

A one-off action's loops are told to stop by `stopper()` (core/cancel.py's flag, polled per
batch or step): Streamlit's Stop or another click, the gate taking the slot back, or the run's
CPU budget. The page catches `Cancelled` and calls `say_stopped`.

and one for a live run that goes on over many short fragment runs (app_pages/trainer.py):
`live_turn` takes or keeps a leased slot, `end_live` gives it back when the run pauses,
resets or ends. The tickets live in the gate's registry (runtime/admission.py), keyed by the
session's id, never in `st.session_state`: giving one back touches nothing of Streamlit's, so
it works while Streamlit stops a script (a closed tab, a reload, navigation, the Stop button
raise StopException on any session-state access). Three nets catch a run that ends without a
click: the `finally` of the run itself, the entry script's `release()` after every page run,
and the session's end (app_pages/session.py calls `on_session_end`); the gate's watchdog
reclaims whatever still slips through.

A student who waits sees their place in line and can leave it with any click.

The visitor (whom fairness counts) is the connection's address and the browser's XSRF cookie
(one per browser, the same in all its tabs). Behind a reverse proxy every visitor has the
proxy's address: set PYTORCH_LIVE_FORWARDED_HOPS to the number of proxies in front of the
server, and the address is read from X-Forwarded-For, that many entries from its right end
(the ones the proxies appended; the left ones are the client's to forge).
"""

import hashlib
import os
import threading
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager

import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx
from streamlit.runtime.scriptrunner_utils.script_requests import RerunData, ScriptRequestType
from streamlit.runtime.scriptrunner_utils.script_run_context import ThreadState

from app_pages.i18n import _, ngettext, translator
from core.budget import RUN_CPU_SECONDS, over_budget
from core.cancel import Cancelled, Stopper
from core.i18n import N_
from runtime.admission import GATE, AlreadyRunning, LineFull, Ticket, Visitor
from runtime.memory import release_free_memory

POLL_SECONDS = 0.25
LIVE_LEASE_SECONDS = 4.0  # a live run renews its slot at every redraw; gone for 4 s, it is freed
ENV_FORWARDED_HOPS = "PYTORCH_LIVE_FORWARDED_HOPS"
BROWSER_COOKIE = "_streamlit_xsrf"  # Streamlit sets it once per browser (XSRF protection on)
_PAGE_RUNS: dict[str, object] = {}  # session id -> a mark of its current full page run
_PAGE_RUNS_LOCK = threading.Lock()


def session_id() -> str:
    """This script run's session id (what the gate's registry is keyed by)."""
    ctx = get_script_run_ctx()
    return ctx.session_id if ctx else "no-session"


def forwarded_address(header: str, hops: int) -> str | None:
    """The client's address in an X-Forwarded-For `header` behind `hops` trusted proxies."""
    parts = [p.strip() for p in header.split(",") if p.strip()]
    return parts[-hops] if 0 < hops <= len(parts) else None


def _visitor() -> Visitor:
    """Who this session is, as far as fairness goes (see the module's docstring)."""
    try:
        address = st.context.ip_address
        address = address if isinstance(address, str) else "127.0.0.1"
        raw = os.environ.get(ENV_FORWARDED_HOPS, "").strip()
        if raw.isdigit() and int(raw) > 0:
            address = (
                forwarded_address(st.context.headers.get("X-Forwarded-For", ""), int(raw))
                or address
            )
        cookie = st.context.cookies.get(BROWSER_COOKIE)
        cookie = cookie if isinstance(cookie, str) else ""
    except Exception:  # noqa: BLE001 - no connection (a test's script run): one anonymous visitor
        address, cookie = "127.0.0.1", ""
    browser = hashlib.sha256(cookie.encode()).hexdigest()[:16] if cookie else ""
    return Visitor(address, browser)


# The phrases pages pass as `what` (`heavy.turn("train the model")`), marked here so that the shell's
# catalogue holds them; the waiting line translates them. A page with a new phrase adds it here
# (a phrase no catalogue holds is shown in English).
ACTIONS = (
    N_("train the model"),
    N_("train the policy"),
    N_("play"),
    N_("play the matches"),
    N_("collect the data"),
    N_("compute the slice"),
    N_("run DAgger"),
    N_("play the DAgger policy"),
    N_("map where the policies go"),
)


def _line(what: str, ahead: int) -> str:
    running, _waiting = GATE.counts()
    if ahead == 0:
        place = _("you are next")
    else:
        place = ngettext("{n} ahead of you", "{n} ahead of you", ahead).format(n=ahead)
    going = ngettext(
        "{n} heavy run going on this server", "{n} heavy runs going on this server", running
    ).format(n=running)
    return _(
        "**Waiting for a free slot to {what}**: {going}, {place}. Any click leaves the line."
    ).format(what=_(what), going=going, place=place)


def _enter(box, lease: float | None = None) -> Ticket | None:
    try:
        ticket = GATE.enter(session_id(), _visitor(), lease)
    except (AlreadyRunning, LineFull) as err:
        box.warning(err.text(translator()), icon=":material/hourglass_top:")
        return None
    with _PAGE_RUNS_LOCK:
        ticket.tag = _PAGE_RUNS.get(ticket.session)
    return ticket


def wait_turn(what: str, box=None) -> bool:
    """Wait in line for a heavy-work slot, shown in `box` (a placeholder); True once in.

    The slot is held until `release()` (at the latest, the end of this script run). False,
    with a note, where this visitor already holds as many places as they may.
    """
    release()  # a ticket left from an earlier run of this session is stale by now
    box = box if box is not None else st.empty()
    ticket = _enter(box)
    if ticket is None:
        return False
    shown = False
    while not ticket.wait(POLL_SECONDS):
        if ticket.left:  # the session ended or the watchdog took the place
            return False
        box.info(_line(what, ticket.ahead), icon=":material/hourglass_top:")
        shown = True
    if shown:
        box.empty()
    return True


def live_turn(owner: str, what: str, box, patience: float) -> tuple[Ticket | None, bool]:
    """The slot of this session's live run `owner`: kept from the last redraw, or asked for
    now. Returns (the ticket, once admitted, else None; whether it still stands in line),
    having waited up to `patience` seconds here, its place shown in `box`.

    The ticket is leased: a run that stops renewing it (`ticket.progress()`) for
    LIVE_LEASE_SECONDS loses it, so a run whose redraws stopped (a closed tab, Stop) frees
    the slot even where no code of ours runs again.
    """
    session = session_id()
    ticket = GATE.ticket_of(session)
    if ticket is not None and ticket.lease is None:
        ticket.leave()  # a one-off action's slot from an earlier run: not this run's
        ticket = None
    if ticket is not None and ticket.owner != owner:
        box.warning(
            _(
                "Another live run of yours is going in another tab of this page: pause it "
                "first (one run at a time, so that everyone in the class gets a turn)."
            ),
            icon=":material/hourglass_top:",
        )
        return None, False
    if ticket is None:
        ticket = _enter(box, LIVE_LEASE_SECONDS)
        if ticket is None:
            return None, False
        ticket.owner = owner
    with _PAGE_RUNS_LOCK:
        ticket.tag = _PAGE_RUNS.get(session)  # renewed in this page run
    ticket.hold_here()
    if ticket.wait(0.0):
        return ticket, False
    box.info(_line(what, ticket.ahead), icon=":material/hourglass_top:")  # shown at once
    if ticket.wait(patience):
        box.empty()
        return ticket, False
    return None, not ticket.left


def in_line(owner: str) -> bool:
    """True while this session's live run `owner` stands in line (not yet admitted)."""
    ticket = GATE.ticket_of(session_id())
    return ticket is not None and ticket.owner == owner and not ticket.admitted


def end_live(owner: str) -> None:
    """Give back the slot or place of this session's live run `owner` (a pause, a reset,
    the end); a one-off action's slot and other runs' are left alone."""
    ticket = GATE.ticket_of(session_id())
    if ticket is not None and ticket.lease is not None and ticket.owner == owner:
        ticket.leave()


def next_chunk() -> None:
    """Ask Streamlit to run the calling fragment again once this script run is over.

    Like a click inside the fragment (which queues its fragment's rerun without cutting the
    running one short), so a click that came meanwhile is handled in that same next run:
    that is what lets Pause or a slider act between two chunks of a live run. Outside a
    fragment, or without a script run (a bench), nothing happens.
    """
    ctx = get_script_run_ctx()
    fragment_id = ThreadState.get().fragment_id
    if ctx is None or ctx.script_requests is None or not fragment_id:
        return
    ctx.script_requests.request_rerun(
        RerunData(
            query_string=ctx.query_string,
            page_script_hash=ctx.page_script_hash,
            fragment_id_queue=[fragment_id],
            # nothing claimed cached: the browser's cache has aged since its last request (it
            # counts fragment runs too), and a stale claim makes the server send a reference
            # the browser no longer holds ("Cached ForwardMsg MISS": the page stops, greyed)
            cached_message_hashes=frozenset(),
            context_info=ctx.context_info,
        )
    )


def begin_page_run() -> None:
    """Mark the start of a full page run (the entry script calls it before the page)."""
    with _PAGE_RUNS_LOCK:
        _PAGE_RUNS[session_id()] = object()


def release() -> None:
    """Give back this session's slot or place in line, unless a live run renewed it during
    this page run (it goes on in the next redraw). Never touches `st.session_state`."""
    session = session_id()
    ticket = GATE.ticket_of(session)
    if ticket is None:
        return
    with _PAGE_RUNS_LOCK:
        renewed_now = ticket.lease is not None and ticket.tag is _PAGE_RUNS.get(session)
    if not renewed_now:
        ticket.leave()
        # a heavy action's arrays are freed by now; glibc would keep their pages for the heap
        release_free_memory()


def on_session_end(session: str) -> int:
    """Leave every ticket of an ended session (app_pages/session.py's hook); how many."""
    with _PAGE_RUNS_LOCK:
        _PAGE_RUNS.pop(session, None)
    with _NOTES_LOCK:
        _NOTES.pop(session, None)
    return GATE.leave_session(session)


@contextmanager
def turn(what: str, box=None) -> Iterator[bool]:
    """`wait_turn` for a block: yields whether the slot was won, gives it back after."""
    try:
        yield wait_turn(what, box)
    finally:
        release()


def sleep_unless_cancelled(ticket: Ticket, seconds: float) -> bool:
    """Sleep `seconds` holding the slot (a paced run's pause); False if the ticket ended."""
    end = time.monotonic() + seconds
    while not ticket.left and time.monotonic() < end:
        time.sleep(min(0.05, max(0.0, end - time.monotonic())))
        ticket.progress()
    return not ticket.left


# Why a one-off action stopped (English, shown translated; {limit}: the CPU seconds of a run)
STOP_PRESSED = N_("Stop was pressed, or the page was left")
CLICKED = N_("another click came first")
RECLAIMED = N_("the server gave the slot to the next in line")
OVER_BUDGET = N_(
    "the run used its share of the server's computing time ({limit:.0f} s of one core)"
)
_NOTES: dict[str, tuple[str, str]] = {}  # session id -> (reason, kept) of a note not shown yet
_NOTES_LOCK = threading.Lock()


def _pending(requests) -> str:
    """What Streamlit was asked to do with this script run, read without taking the request
    (as its own fast path reads it): "stop" (Stop, a closed tab), "rerun" (a click that
    restarts the page) or "" (nothing, or a fragment's rerun that waits for this run)."""
    state = getattr(requests, "_state", None)
    if state is ScriptRequestType.STOP:
        return "stop"
    if state is ScriptRequestType.RERUN:
        data = getattr(requests, "_rerun_data", None)
        if data is None or not data.fragment_id_queue or data.is_fragment_scoped_rerun:
            return "rerun"
    return ""


def stopper(budget: float | None = RUN_CPU_SECONDS) -> Stopper:
    """The should_stop of a one-off heavy action, made in the thread that runs it: Streamlit's
    Stop or another click, the gate taking this session's slot back (the watchdog, the
    session's end), or `budget` seconds of this thread's CPU time (None: no budget)."""
    ctx = get_script_run_ctx()
    requests = ctx.script_requests if ctx is not None else None
    ticket = GATE.ticket_of(session_id())
    checks = [
        (STOP_PRESSED, lambda: _pending(requests) == "stop"),
        (CLICKED, lambda: _pending(requests) == "rerun"),
        (RECLAIMED, lambda: ticket is not None and ticket.left),
    ]
    if budget is not None:
        checks.append((OVER_BUDGET, over_budget(budget)))
    return Stopper(checks)


def _stopped_text(reason: str, kept: str) -> str:
    why = _(reason).format(limit=RUN_CPU_SECONDS)
    return _("**Stopped**: {reason}. {kept}").format(reason=why, kept=_(kept))


def say_stopped(stop: Stopper, kept: str, box=None) -> None:
    """Tell the student a heavy action stopped, why, and what of it is kept (`kept`: English,
    marked N_). While Streamlit ends this run (Stop, a click) nothing can be shown: the note
    waits for the session's next page run (`show_stopped_note`)."""
    session = session_id()
    with _NOTES_LOCK:
        _NOTES[session] = (stop.reason or STOP_PRESSED, kept)
    (box if box is not None else st).info(
        _stopped_text(stop.reason or STOP_PRESSED, kept), icon=":material/stop_circle:"
    )  # raises Streamlit's StopException or RerunException while it ends this run
    with _NOTES_LOCK:
        _NOTES.pop(session, None)


def show_stopped_note() -> None:
    """Show, once, the note of a heavy action that was stopped while it could not say so."""
    with _NOTES_LOCK:
        note = _NOTES.pop(session_id(), None)
    if note is not None:
        st.toast(_stopped_text(*note), icon=":material/stop_circle:")


def until_stopped(events: Iterable, stop: Stopper, kept: str, box=None) -> Iterator:
    """The events of a heavy action's generator, polling `stop`; once its loop is stopped
    (Cancelled), `say_stopped` in `box` and end. `stop.reason` then says why."""
    try:
        yield from events
    except Cancelled:
        say_stopped(stop, kept, box)
