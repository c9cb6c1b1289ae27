"""The lecture's training loop, once, as a generator of progress events.

    for epoch in range(epochs):
        for x, y in batches:
            optimizer.zero_grad()      # zero_grad
            out = model(x)             # forward
            loss = loss_fn(out, y)     # loss
            loss.backward()            # backward
            optimizer.step()           # step

Every example (regression, classification, RNN, CNN), the tests and the benchmarks drive this
same `train` generator; stopping early is just leaving the loop. A `Task` says what the loop
trains; a `Run` keeps a task, its generator, its `Status` and the history of one visitor's
training, and owns the run's lifecycle (start, pause, reset, one phase, finished, diverged).
"""

import math
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, fields, replace
from enum import StrEnum
from typing import Any

import torch
from torch import nn

from core.budget import RUN_CPU_SECONDS
from core.i18n import N_, Translate, untranslated

PHASES = ("zero_grad", "forward", "loss", "backward", "step")

SCAFFOLD = """\
torch.manual_seed(seed)
model = Net()
loss_fn = nn.MSELoss()  # or nn.CrossEntropyLoss()
optimizer = torch.optim.SGD(model.parameters(), lr=lr)

for epoch in range(epochs):
    for x, y in train_loader:
        optimizer.zero_grad()
        out = model(x)
        loss = loss_fn(out, y)
        loss.backward()
        optimizer.step()
    evaluate(model, test_loader)
"""

# The scaffold line (0-based) each phase executes, so a page can point at it.
PHASE_LINE = {
    "zero_grad": 7,
    "forward": 8,
    "loss": 9,
    "backward": 10,
    "step": 11,
    "epoch": 12,
}


PHASE_WORDS = {  # English; a page translates them where it shows them
    "zero_grad": N_("clear the old gradients"),
    "forward": N_("run the model on the batch"),
    "loss": N_("measure how wrong the output is"),
    "backward": N_("autograd computes every gradient"),
    "step": N_("the optimiser moves the parameters"),
    "epoch": N_("an epoch ended: evaluate on the test set"),
    "diverged": N_("the loss blew up: training stopped"),
}
# Why a run stopped, as templates filled in by name (a page shows them in the visitor's language)
LOSS_BLEW_UP = N_(
    "The loss became {value} at epoch {epoch}, step {step}: the learning rate is too large for "
    "this model. Training stopped; the charts show the last good state. Lower the learning rate "
    "and Reset."
)
METRICS_BLEW_UP = N_(
    "The metrics became infinite or NaN after epoch {epoch}: the learning rate is too large. "
    "Training stopped; the charts show the last good state. Lower the learning rate and Reset."
)
OUT_OF_TIME = N_(
    "This run used its share of the server's computing time ({seconds:.0f} s of one core) and "
    "stopped here; the charts show where it got to. Fewer epochs or a larger batch finish sooner."
)


def scaffold_at(phase: str | None) -> str:
    """The scaffold with an arrow comment on the line `phase` executes (no arrow for None)."""
    lines = SCAFFOLD.splitlines()
    if phase in PHASE_LINE:
        i = PHASE_LINE[phase]
        lines[i] = f"{lines[i]:<34s}# <-- {phase}: {PHASE_WORDS[phase]}"
    return "\n".join(lines)


@dataclass
class Task:
    """What the loop trains: a model, its optimiser and loss, batches and an evaluation."""

    model: nn.Module
    optimizer: torch.optim.Optimizer
    loss_fn: Callable[[torch.Tensor, torch.Tensor], torch.Tensor]
    batches: Callable[[int], Iterable[tuple[torch.Tensor, torch.Tensor]]]  # epoch -> batches
    n_batches: int  # batches per epoch
    evaluate: Callable[[], dict[str, float]]  # metrics at the end of an epoch
    forward: Callable[[torch.Tensor], torch.Tensor] | None = None  # default: model(x)
    track: Callable[[], dict[str, float]] | None = None  # cheap values after every step
    snapshot: Callable[[], Any] | None = None  # what a chart needs, at the end of an epoch


@dataclass(frozen=True)
class Progress:
    """One event of the loop: where it is, the last loss, metrics and an optional snapshot."""

    phase: str  # one of PHASES, "epoch" (an epoch ended) or "diverged"
    epoch: int  # 0-based epoch being trained (or just finished, for "epoch")
    epochs: int
    batch: int  # batches done in this epoch
    batches: int  # batches per epoch
    step: int  # optimiser steps done in total
    loss: float | None = None  # the batch loss (phases loss..step), mean train loss at "epoch"
    metrics: dict[str, float] = field(default_factory=dict)
    snapshot: Any = None
    message: str = ""  # why the run ended, in English (`template` filled with `args`)
    template: str = ""
    args: dict[str, Any] = field(default_factory=dict)

    @property
    def fraction(self) -> float:
        """How much of the whole run is done, in [0, 1]."""
        return min(1.0, (self.epoch + self.batch / max(self.batches, 1)) / max(self.epochs, 1))


def _finite(values: dict[str, float]) -> bool:
    return all(math.isfinite(v) for v in values.values())


def _say(template: str, **args: Any) -> dict[str, Any]:
    """A Progress's message fields: the English text, its template and its values."""
    return dict(message=template.format(**args), template=template, args=args)


def train(task: Task, epochs: int, phases: bool = False) -> Iterator[Progress]:
    """Train `task` for `epochs`, yielding after every step (every phase if `phases`) and epoch.

    A non-finite loss or metric ends the run with a "diverged" event and a plain message; the
    model is then not stepped again, so the last snapshot yielded stays the last good one.
    """
    step = 0
    forward = task.forward or task.model
    for epoch in range(epochs):
        task.model.train()
        total, count = 0.0, 0
        for batch, (x, y) in enumerate(task.batches(epoch)):
            here = dict(epoch=epoch, epochs=epochs, batches=task.n_batches)
            task.optimizer.zero_grad()
            if phases:
                yield Progress("zero_grad", batch=batch, step=step, **here)
            out = forward(x)
            if phases:
                yield Progress("forward", batch=batch, step=step, **here)
            loss = task.loss_fn(out, y)
            value = loss.item()
            if not math.isfinite(value):
                yield Progress(
                    "diverged",
                    batch=batch,
                    step=step,
                    loss=value,
                    **_say(LOSS_BLEW_UP, value=value, epoch=epoch + 1, step=step + 1),
                    **here,
                )
                return
            if phases:
                yield Progress("loss", batch=batch, step=step, loss=value, **here)
            loss.backward()
            if phases:
                yield Progress("backward", batch=batch, step=step, loss=value, **here)
            task.optimizer.step()
            step += 1
            total, count = total + value, count + 1
            tracked = task.track() if task.track else {}
            yield Progress("step", batch=batch + 1, step=step, loss=value, metrics=tracked, **here)
        task.model.eval()
        with torch.no_grad():
            metrics = task.evaluate()
            # what the epoch's closing event says, whether it ends the run or not
            end = dict(
                epoch=epoch,
                epochs=epochs,
                batch=task.n_batches,
                batches=task.n_batches,
                step=step,
                metrics=metrics,
            )
            if not _finite(metrics):
                yield Progress(
                    "diverged",
                    **_say(METRICS_BLEW_UP, epoch=epoch + 1),
                    **end,
                )
                return
            snap = task.snapshot() if task.snapshot else None
        yield Progress("epoch", loss=total / max(count, 1), snapshot=snap, **end)


class Status(StrEnum):
    """Where a run is in its life: ready -> running <-> paused -> finished or diverged."""

    READY = "ready"  # built, not trained yet
    RUNNING = "running"  # a page is (or should be) iterating it
    PAUSED = "paused"  # stopped mid-run; starting again continues from the same event
    FINISHED = "finished"  # every epoch done
    DIVERGED = "diverged"  # the loss or a metric became inf or NaN; cannot be resumed
    STOPPED = "stopped"  # used up its share of the server's computing time


CPU_BUDGET_SECONDS = RUN_CPU_SECONDS  # one run's worst case on a server shared by a class


LIVE_SETTINGS = ("lr",)  # settings a live run takes on at once; any other change needs a new run


class Run:
    """One visitor's training run: the task, its live generator, its status and its history.

    Iterating a Run advances the generator and records every event; pausing is simply not
    iterating, and starting again continues from exactly where it stopped. A page only calls
    `start`, `pause`, `reset`, `one_phase` and `adopt`, and reads `status`; the finished and
    diverged transitions happen here, as the events arrive.
    """

    def __init__(
        self, config: Any, build: Callable[[Any], Task], cpu_budget: float = CPU_BUDGET_SECONDS
    ):
        self.config = config
        self._build = build
        self.cpu_budget = cpu_budget  # CPU seconds this run may spend training, in all
        self.reset()

    def reset(self) -> None:
        """A fresh, untrained run of the same config (same seed: the same curves again)."""
        self.task = self._build(self.config)
        self.epochs = self.config.epochs
        self._events = train(self.task, self.epochs, phases=True)
        self.last: Progress | None = None
        self.steps: list[tuple[int, float]] = []  # (step, batch loss)
        self.tracked: list[dict[str, float]] = []  # per step: {"step": .., tracked values}
        self.epoch_log: list[dict[str, float]] = []  # per epoch: {"epoch", "train loss", metrics}
        self.snapshot: Any = self.task.snapshot() if self.task.snapshot else None
        self._status = Status.READY
        self.message = ""  # why the run ended, in English; `say` gives it in another language
        self._template, self._args = "", {}
        self.cpu_seconds = 0.0  # CPU time spent in the training loop so far (this thread's)

    @property
    def status(self) -> Status:
        """Where the run is in its life (read-only: the methods move it)."""
        return self._status

    @property
    def done(self) -> bool:
        """True once the run has finished, diverged or used up its computing budget."""
        return self._status in (Status.FINISHED, Status.DIVERGED, Status.STOPPED)

    @property
    def fraction(self) -> float:
        """How much of the run is done, in [0, 1]."""
        if self._status is Status.FINISHED:
            return 1.0
        return self.last.fraction if self.last else 0.0

    def start(self) -> None:
        """Run on from where it stands (a resume when paused); a done run starts over, fresh."""
        if self.done:
            self.reset()
        self._status = Status.RUNNING

    def pause(self) -> None:
        """Stop a running run where it is; any other status is left as it is."""
        if self._status is Status.RUNNING:
            self._status = Status.PAUSED

    def one_phase(self) -> Progress | None:
        """Take one phase of the loop (zero_grad, forward, ...) and pause there, unless done."""
        if self.done:
            self.reset()
        ev = self.advance(1)
        if not self.done:
            self._status = Status.PAUSED
        return ev

    def adopt(self, config: Any) -> bool:
        """Take on `config` if only live settings differ (the lr, at once); False if it cannot."""
        if _fixed(config) != _fixed(self.config):
            return False
        if config.lr != self.config.lr:
            self.set_lr(config.lr)
        return True

    def set_lr(self, lr: float) -> None:
        """Change the learning rate of the live optimiser (takes effect at the next step)."""
        for group in self.task.optimizer.param_groups:
            group["lr"] = lr
        self.config = replace(self.config, lr=lr)

    def _finish(self) -> None:
        self._status = Status.FINISHED

    def _diverge(self, ev: Progress) -> None:
        self._status, self.message = Status.DIVERGED, ev.message
        self._template, self._args = ev.template, ev.args

    def say(self, gettext: Translate = untranslated) -> str:
        """Why the run ended (`message`) in the language of `gettext`; "" while it has not."""
        return gettext(self._template).format(**self._args) if self._template else self.message

    def _record(self, ev: Progress) -> None:
        self.last = ev
        if ev.phase == "step":
            self.steps.append((ev.step, ev.loss))
            if ev.metrics:
                self.tracked.append({"step": ev.step, **ev.metrics})
        elif ev.phase == "epoch":
            self.epoch_log.append({"epoch": ev.epoch + 1, "train loss": ev.loss, **ev.metrics})
            if ev.snapshot is not None:
                self.snapshot = ev.snapshot
            if ev.epoch + 1 >= ev.epochs:
                self._finish()
        elif ev.phase == "diverged":
            self._diverge(ev)

    def _stop_for_budget(self) -> None:
        self._status = Status.STOPPED
        self._template, self._args = OUT_OF_TIME, {"seconds": self.cpu_budget}
        self.message = self.say()

    def __iter__(self) -> Iterator[Progress]:
        if self.done:
            return
        while True:
            started = time.thread_time()
            ev = next(self._events, None)
            self.cpu_seconds += time.thread_time() - started
            if ev is None:
                break
            self._record(ev)
            yield ev
            if self.done:
                return
            if self.cpu_seconds > self.cpu_budget:
                self._stop_for_budget()
                return
        self._finish()

    def advance(self, n: int = 1) -> Progress | None:
        """Take up to `n` events (phases included) and return the last one."""
        it = iter(self)
        ev = None
        for _ in range(n):
            ev = next(it, None)
            if ev is None:
                break
        return self.last if ev is None else ev


def _fixed(config: Any) -> tuple:
    """A config's settings that a live run cannot change."""
    return tuple(getattr(config, f.name) for f in fields(config) if f.name not in LIVE_SETTINGS)
