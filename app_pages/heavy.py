"""Heavy work through the server's one admission gate, with the line shown to the student.

Two ways in, one rule: a slot is held at most until the page's script run ends.

    if st.button("Train") and heavy.wait_turn("train the policy"):
        train()                       # the slot is held until this run of the page ends

    with heavy.turn("train") as go:   # or only for the block
        if go:
            train()

A student who waits sees their place in line and can leave it with any click (a click
reruns the script, which ends the wait). The entry script calls `release()` in a `finally`
around every page run, so a finished, failed or interrupted run always gives its slot or
its place back. See runtime/admission.py for the rules of the gate.
"""

import time
from collections.abc import Iterator
from contextlib import contextmanager

import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

from runtime.admission import GATE, AlreadyRunning

POLL_SECONDS = 0.25


def _session() -> str:
    ctx = get_script_run_ctx()
    return ctx.session_id if ctx else "no-session"


def _line(what: str, ahead: int) -> str:
    running, _waiting = GATE.counts()
    place = "you are next" if ahead == 0 else f"{ahead} ahead of you"
    return (
        f"**Waiting for a free slot to {what}**: {running} heavy run(s) going on this server, "
        f"{place}. Any click leaves the line."
    )


_HELD = "_heavy_ticket"  # session-state key of the ticket this run holds


def wait_turn(what: str, box=None) -> bool:
    """Wait in line for a heavy-work slot, shown in `box` (a placeholder); True once in.

    The slot is held until `release()` (at the latest, the end of this script run). False,
    with a note, where this session holds a slot elsewhere (another tab of the same session).
    """
    release()  # a ticket left from an earlier run of this session is stale by now
    box = box if box is not None else st.empty()
    try:
        ticket = GATE.enter(_session())
    except AlreadyRunning as err:
        box.warning(str(err), icon=":material/hourglass_top:")
        return False
    st.session_state[_HELD] = ticket
    shown = False
    while not ticket.wait(POLL_SECONDS):
        box.info(_line(what, ticket.ahead), icon=":material/hourglass_top:")
        shown = True
    if shown:
        box.empty()
    return True


def step_aside(what: str, box, seconds: float) -> bool:
    """Give the slot back for `seconds` (a paced run's pause), then wait for it again.

    A slow-motion run spends most of its time waiting so that a class can follow it; nobody
    needs a CPU for that, so another student's run may use the slot meanwhile. True once
    back in (at once, where nobody was waiting).
    """
    release()
    time.sleep(seconds)
    return wait_turn(what, box)


def release() -> None:
    """Give back this session's slot or place in line, if it holds one."""
    ticket = st.session_state.pop(_HELD, None)
    if ticket is not None:
        ticket.leave()


@contextmanager
def turn(what: str, box=None) -> Iterator[bool]:
    """`wait_turn` for a block: yields whether the slot was won, gives it back after."""
    try:
        yield wait_turn(what, box)
    finally:
        release()
