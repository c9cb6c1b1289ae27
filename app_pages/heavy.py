"""Heavy work through the server's one admission gate, with the line shown to the student.

    with heavy.turn("train the policy") as go:
        if go:
            train()

Inside the block this session holds one of the server's few heavy-work slots; outside it,
never. A student who waits sees their place in line and can leave it with any click (a click
reruns the script, which ends the wait, and the slot or the place is given back on the way
out). See runtime/admission.py for the rules of the gate.
"""

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


@contextmanager
def turn(what: str, box=None) -> Iterator[bool]:
    """Wait in line for a heavy-work slot, shown in `box` (a placeholder); yield True once in.

    Yields False, with a note, where this session already holds a slot.
    """
    box = box if box is not None else st.empty()
    try:
        ticket = GATE.enter(_session())
    except AlreadyRunning as err:
        box.warning(str(err), icon=":material/hourglass_top:")
        yield False
        return
    try:
        while not ticket.wait(POLL_SECONDS):
            box.info(_line(what, ticket.ahead), icon=":material/hourglass_top:")
        box.empty()
        yield True
    finally:
        ticket.leave()
