"""The trainer every Live training tab shares: settings, buttons, progress, the scaffold, the loop.

Not a page (`live_training.py` imports it). A tab hands it a config and a `draw(run, boxes)`
that fills the tab's chart slots; the trainer draws the common settings, Start / Pause /
Reset / One phase, the progress bar and the training-loop scaffold with the running line
marked, and streams the run in `live_chunk` (one redraw of training per fragment run, so clicks
act between chunks). The run's lifecycle lives in core (`Run`).
"""

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from html import escape

import streamlit as st
from streamlit.runtime.scriptrunner_utils.exceptions import RerunException

from app_pages import heavy, ui
from app_pages.i18n import _, translator
from core.charts import HIGHLIGHT
from core.charts import training as charts
from core.i18n import N_
from core.ladder import log_ladder, nearest_rung
from core.optimisers import NAMES as OPTIMIZERS
from core.shareable import Param
from core.training import TrainConfig, make_run
from core.training.loop import CPU_BUDGET_SECONDS, PHASE_LINE, PHASE_WORDS, SCAFFOLD, Run, Status
from runtime.admission import GATE
from runtime.threads import torch_threads

# 1e-4 ... 10 on a 1-2-3-5 ladder: evenly spaced on a log scale, round numbers to read aloud
LR_OPTIONS = log_ladder(-4, 1, (1, 2, 3, 5))
BATCH_OPTIONS = [1, 2, 4, 8, 10, 16, 32, 64, 128, 256]
REDRAW_SECONDS = 0.3  # at most about three redraws a second: the browser keeps up...
REDRAW_MAX_SECONDS = 1.5  # ...and slower when the server's runs outnumber its cores
_LIVE = {"loops": 0}  # live loops going on in this process (all sessions)
_LIVE_LOCK = threading.Lock()


def redraw_seconds(loops: int, cpus: int) -> float:
    """Seconds between a live run's redraws: REDRAW_SECONDS while every run has a core, longer
    as runs crowd the server (a redraw builds charts under Python's one lock, which the whole
    class's clicks wait for), at most REDRAW_MAX_SECONDS."""
    return min(REDRAW_MAX_SECONDS, REDRAW_SECONDS * max(1.0, loops / max(1, cpus)))


@contextmanager
def _counted() -> Iterator[None]:
    with _LIVE_LOCK:
        _LIVE["loops"] += 1
    try:
        yield
    finally:
        with _LIVE_LOCK:
            _LIVE["loops"] -= 1


def controls(
    prefix: str, default: TrainConfig, max_epochs: int, extra: tuple[Param, ...] = ()
) -> tuple[list[Param], dict]:
    """The five common settings' widgets; returns all the tab's settings and the five values.

    Every setting, the tab's own `extra` ones too, is seeded from the link once per visit.
    """
    params = [
        Param(f"{prefix}_lr", nearest_rung(LR_OPTIONS, default.lr), LR_OPTIONS[0], LR_OPTIONS[-1]),
        Param(f"{prefix}_epochs", default.epochs, 1, max_epochs),
        Param(f"{prefix}_batch", default.batch_size, options=tuple(BATCH_OPTIONS)),
        Param(f"{prefix}_opt", default.optimizer, options=tuple(OPTIMIZERS)),
        Param(f"{prefix}_seed", default.seed, 0, 9999),
        *extra,
    ]
    ui.load_settings(params)
    # a link's learning rate lands on the nearest rung of the slider's log ladder
    st.session_state[f"{prefix}_lr"] = nearest_rung(LR_OPTIONS, st.session_state[f"{prefix}_lr"])
    c = st.columns([3, 2, 2, 2, 1])
    values = dict(
        lr=c[0].select_slider(
            _("Learning rate (log scale)"),
            LR_OPTIONS,
            key=f"{prefix}_lr",
            help=_("Applied at once, even mid-run. Too large and the loss blows up."),
        ),
        epochs=c[1].slider(_("Epochs"), 1, max_epochs, key=f"{prefix}_epochs"),
        batch_size=c[2].select_slider(_("Batch size"), BATCH_OPTIONS, key=f"{prefix}_batch"),
        optimizer=c[3].selectbox(_("Optimiser"), OPTIMIZERS, key=f"{prefix}_opt"),
        seed=int(c[4].number_input(_("Seed"), 0, 9999, key=f"{prefix}_seed")),
    )
    return params, values


def scaffold_html(phase: str | None) -> str:
    """The training loop as HTML, the line running now highlighted in place (every line escaped).

    Long lines wrap inside the column (a hanging indent keeps them readable): nothing runs off
    to the right, and the highlight is where the eye already is, not a comment at a line's end.
    """
    running = PHASE_LINE.get(phase) if phase else None
    rows = []
    for i, line in enumerate(SCAFFOLD.splitlines()):
        indent = len(line) - len(line.lstrip(" "))
        style = f"padding-left:{indent + 2}ch; text-indent:-2ch; min-height:1.45em;"
        if i == running:
            style += (
                f"background:{HIGHLIGHT}33; border-left:0.3rem solid {HIGHLIGHT}; font-weight:700;"
            )
        else:
            style += "border-left:0.3rem solid transparent;"
        rows.append(f'<div style="{style}">{escape(line.strip())}</div>')
    return (
        '<div class="training-loop" style="font-family:\'Source Code Pro\', monospace; '
        "font-size:0.8rem; line-height:1.45; white-space:pre-wrap; overflow-wrap:anywhere; "
        'background:#F0F2F6; border-radius:0.5rem; padding:0.6rem 0.4rem;">'
        + "".join(rows)
        + "</div>"
    )


def _current_run(name: str, cfg: TrainConfig) -> Run:
    """This visitor's run of example `name`, fresh when a setting other than the lr changed."""
    key = f"live_training_{name}"
    run = st.session_state.get(key)
    if run is None or not run.adopt(cfg):
        run = make_run(cfg)
        st.session_state[key] = run
    return run


# a run's status as the progress bar names it (English values; shown translated)
STATUS_WORDS = {
    Status.READY: N_("Ready"),
    Status.RUNNING: N_("Running"),
    Status.PAUSED: N_("Paused"),
    Status.FINISHED: N_("Finished"),
    Status.DIVERGED: N_("Diverged"),
    Status.STOPPED: N_("Stopped"),
}


def _status_line(run: Run) -> str:
    if run.last is None:
        return _("Ready: press **Start** (a run stops after {seconds:.0f} s of computing).").format(
            seconds=CPU_BUDGET_SECONDS
        )
    ev = run.last
    where = _("epoch {epoch} / {epochs}, step {step}").format(
        epoch=min(ev.epoch + 1, ev.epochs), epochs=ev.epochs, step=ev.step
    )
    if run.status is Status.FINISHED:
        return _("Finished: {where}, in {seconds:.1f} s of one core.").format(
            where=where, seconds=run.cpu_seconds
        )
    return _("{status}: {where}, phase **{phase}**.").format(
        status=_(STATUS_WORDS[run.status]), where=where, phase=ev.phase
    )


def trainer(
    name: str,
    cfg: TrainConfig,
    draw: Callable[[Run, dict], None],
    slots: list[str | tuple[str, ...]],
    pace_seconds: float = 0.0,
) -> None:
    """Buttons, progress, the scaffold with its phase, and the live loop for one example.

    `slots`: the names of the tab's chart boxes, top to bottom in the picture's column (a
    tuple: those boxes side by side); "metrics" goes beside the picture, with the progress."""
    run = _current_run(name, cfg)
    # The picture first: the tab's charts start right under its settings; the buttons,
    # progress, numbers and the loop sit beside them.
    left, right = st.columns([3, 2], gap="medium")
    b = right.container(horizontal=True, vertical_alignment="center")
    # no help tooltip on Start: the pointer rests on it while a run plays, and the tooltip
    # stayed open over the settings
    start = b.button(
        _("Resume") if run.status is Status.PAUSED else _("Start"),
        key=f"{name}_start",
        type="primary",
        icon=":material/play_arrow:",
    )
    pause = b.button(_("Pause"), key=f"{name}_pause", icon=":material/pause:")
    reset = b.button(_("Reset"), key=f"{name}_reset", icon=":material/restart_alt:")
    one = b.button(
        _("One phase"),
        key=f"{name}_phase",
        icon=":material/skip_next:",
        help=_(
            "Advance the loop by one phase: `zero_grad`, `forward`, `loss`, `backward`, `step`."
        ),
    )
    slow = b.toggle(
        _("Slow motion"),
        value=pace_seconds > 0,
        key=f"{name}_slow",
        help=_("Stretch a quick run over a few seconds so a class can follow it."),
        disabled=pace_seconds <= 0,
    )
    if reset:
        run.reset()
    if start:
        run.start()
    if pause and run.status is Status.RUNNING:
        run.pause()
        heavy.next_chunk()  # one more redraw, after this one, so that the button says Resume
    if one:
        with torch_threads(1):
            run.one_phase()

    with left:
        boxes = {}
        for s in slots:  # a tuple of slots: side by side, so more of the picture is in view
            if isinstance(s, tuple):
                for name, col in zip(s, st.columns(len(s)), strict=True):
                    boxes[name] = col.empty()
            elif s != "metrics":
                boxes[s] = st.empty()
    with right:
        progress = st.empty()
        status = st.empty()
        if "metrics" in slots:
            boxes["metrics"] = st.empty()
        st.markdown(_("**The training loop** (the line running now is highlighted)"))
        code_box = st.empty()
        words = st.empty()

    queued = run.status is Status.RUNNING and heavy.in_line(name)

    def refresh() -> None:
        """Redraw what changed since the last redraw (a box that shows the same is skipped)."""
        progress.progress(run.fraction, text=_status_line(run))
        if not ui.shows(status, (run.status, run.say(translator()))):
            if run.status is Status.DIVERGED:
                status.warning(run.say(translator()), icon=":material/warning:")
            elif run.status is Status.STOPPED:
                status.info(run.say(translator()), icon=":material/timer:")
            elif queued:
                pass  # the place in line goes there (live_chunk), without a blank in between
            else:
                status.empty()
        phase = run.last.phase if run.last else None
        if not ui.shows(code_box, phase):
            code_box.html(scaffold_html(phase))
            said = _(PHASE_WORDS[phase]) if phase in PHASE_WORDS else ""
            words.markdown(
                _("**{phase}**: {words}").format(phase=escape(phase), words=said) if phase else ""
            )
        draw(run, boxes)

    refresh()
    note = _GATE_NOTES.get((heavy.session_id(), name))
    if note and run.status is Status.PAUSED:
        status.info(
            _("Paused: {reason}. Press Resume to queue again.").format(reason=_(note)),
            icon=":material/hourglass_disabled:",
        )
    if run.status is Status.RUNNING:
        total_steps = max(1, cfg.epochs * run.task.n_batches)
        live_chunk(name, run, refresh, status, pace_seconds / total_steps if slow else 0.0)
    else:
        heavy.end_live(name)  # paused, reset or done: the slot goes to the next in line


_GATE_NOTES: dict[tuple[str, str], str] = {}  # (session, example) -> why the gate paused it
# (the gate's reason, in English)


def live_chunk(
    name: str, run: Run, refresh: Callable[[], None], line_box, step_delay: float = 0.0
) -> None:
    """Train a running run for one redraw's worth of time, redraw, and ask for the next chunk.

    The one place a tab's heavy work happens, behind the server's admission gate (the wait,
    if any, shown in `line_box`). A fragment run cannot be pre-empted by a click in Streamlit
    1.67, so the run never trains longer than one redraw (`redraw_seconds`) in one fragment
    run: Pause, Reset or the learning-rate slider are handled between two chunks, within one
    redraw. The slot is a leased ticket in the gate's registry, renewed at every step; when
    the chunks stop coming (a closed tab, Stop) the lease runs out and the slot is freed. In
    slow motion the run keeps its slot over its short pauses (a paced run is a few seconds in
    all), so a busy class never sends it to the back of the line between two steps.
    """
    cpus = GATE.limit
    chunk = redraw_seconds(_LIVE["loops"], cpus)
    ticket, in_line = heavy.live_turn(name, "train the model", line_box, patience=chunk)
    if ticket is None:
        if in_line:
            heavy.next_chunk()  # ask again after this redraw (a click is handled first)
        else:
            run.pause()  # refused: this visitor's other runs hold their places
        return
    _GATE_NOTES.pop((ticket.session, name), None)
    try:
        with _counted(), torch_threads(1):
            end = time.monotonic() + chunk
            for _ev in run:
                ticket.progress()
                if ticket.left:
                    break
                if step_delay and _ev.phase == "step":
                    heavy.sleep_unless_cancelled(ticket, step_delay)
                if time.monotonic() >= end:
                    break
        if ticket.cancelled:
            run.pause()
            _GATE_NOTES[(ticket.session, name)] = ticket.reason  # shown in the visitor's language
        if run.status is not Status.RUNNING:
            heavy.end_live(name)
        refresh()
        if run.status is Status.RUNNING:
            heavy.next_chunk()
    except RerunException:  # a full rerun: the next page run renews the slot or frees it
        raise
    except BaseException:  # Stop, a closed tab, a failure: pause and free the slot at once
        ticket.leave()
        run.pause()
        raise


def shows_epoch(box, log: list[dict]) -> bool:
    """True when `box` already shows the last epoch of a run's `log`: the epoch log and the
    snapshot (what the charts of whole epochs are drawn from) change only at an epoch's end."""
    return ui.shows(box, ("epoch", len(log)))


def metric_row(box, log: list[dict], items: list[tuple[str, str, str]]) -> None:
    """(label, epoch-log key, format) as metrics that wrap to the column: last epoch's values, or –.

    The labels are English (marked N_ where defined) and shown translated."""
    if shows_epoch(box, log):
        return
    with box.container(horizontal=True, wrap=True, gap="medium"):
        for label, key, spec in items:
            st.metric(
                _(label),
                format(log[-1][key], spec) if log and key in log[-1] else "–",
                width="content",
            )


def loss_and_accuracy(box, run: Run, loss_title: str = N_("Cross-entropy loss")) -> None:
    """A classifier's train / test loss and accuracy per epoch, one above the other (once it has
    any): each takes the column's whole width, so its ticks and legend have room."""
    if not run.epoch_log or shows_epoch(box, run.epoch_log):
        return
    with box.container():
        ui.live_chart(
            st,
            charts.history_chart(
                run.epoch_log, "loss", _(loss_title), run.epochs, gettext=translator()
            ),
            width="stretch",
        )
        ui.live_chart(
            st,
            charts.history_chart(
                run.epoch_log, "accuracy", _("Accuracy"), run.epochs, gettext=translator()
            ),
            width="stretch",
        )
