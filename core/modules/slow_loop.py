"""The training loop in slow motion: one batch at a time, one phase at a time, bugs included.

`SlowLoop` owns one visitor's tiny run (nn.Linear(2, 1) on eight points, plain SGD) and a
generator that stops after every phase of the slide's scaffold, recording a `Snapshot`: the
parameters, their .grad, the loss, the scaffold line that just ran. Four toggles plant the
classic bugs, each with its visible consequence:

- forget zero_grad: .grad accumulates; it equals the sum of the batches' own gradients;
- forget backward: .grad stays None and step() moves nothing;
- step before backward: step() runs on a .grad that zero_grad just cleared (None): nothing moves;
- evaluate without torch.no_grad(): the dev output has requires_grad and a grad_fn (a graph).

Like the lecture's loop, each epoch switches the model to `train()` before its batches and to
`eval()` before it measures the loss on a held-out dev split. `code(cfg)` is the runnable
scaffold for a setting; the tests run it alone and compare what it prints (each epoch's dev
loss, the final full-data MSE) and its final parameters with the stepper's, so the picture and
the shown code cannot drift apart. `zero_grad_outcome(cfg)` runs the loop with and without
`zero_grad()` at the student's settings: the numbers the page states about that bug.
"""

import math
from collections.abc import Iterator
from dataclasses import dataclass, field

import torch
from torch import nn

from core.i18n import N_, Translate, untranslated
from core.seeding import seeded

EPOCHS = 2
N_SAMPLES = 8
BATCH_SIZES = (2, 4, 8)
LRS = (0.01, 0.03, 0.1, 0.3)
PARAM_NAMES = ("weight[0]", "weight[1]", "bias")

WORDS = {
    "zero_grad": N_("clear the old gradients (set .grad to None)"),
    "forward": N_("run the model on the batch"),
    "loss": N_("measure how wrong the output is"),
    "backward": N_("autograd fills every parameter's .grad"),
    "step": N_("the optimiser moves each parameter against its .grad"),
    "evaluate": N_("the epoch ended: measure the loss on the dev split"),
}


NOTHING_TO_APPLY = N_(".grad is None: step() had nothing to apply")  # a Snapshot's note


@dataclass(frozen=True)
class Bugs:
    """The classic mistakes, each one a toggle."""

    forget_zero_grad: bool = False
    forget_backward: bool = False
    step_before_backward: bool = False
    eval_without_no_grad: bool = False


@dataclass(frozen=True)
class LoopConfig:
    """One slow-motion run: learning rate, batch size, seed and the bugs planted."""

    lr: float = 0.1
    batch_size: int = 4
    seed: int = 0
    bugs: Bugs = field(default_factory=Bugs)


def phase_order(bugs: Bugs) -> list[str]:
    """The phases one batch runs through, with the bugs planted."""
    order = ["zero_grad", "forward", "loss", "backward", "step"]
    if bugs.step_before_backward:
        order[3], order[4] = "step", "backward"
    if bugs.forget_zero_grad:
        order.remove("zero_grad")
    if bugs.forget_backward:
        order.remove("backward")
    return order


_SETUP = """\
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed({seed})
X = torch.randn({n}, 2)
Y = X @ torch.tensor([[2.0], [-3.0]]) + 1.0   # the truth: w = (2, -3), b = 1
x_dev = torch.randn(4, 2)                     # a dev split, never trained on
y_dev = x_dev @ torch.tensor([[2.0], [-3.0]]) + 1.0
loader = DataLoader(TensorDataset(X, Y), batch_size={batch_size})
"""

_LOOP = {
    "model": "model = nn.Linear(2, 1)",
    "loss_fn": "loss_fn = nn.MSELoss()",
    "optimizer": "optimizer = torch.optim.SGD(model.parameters(), lr={lr})",
    "blank": "",
    "epochs": "for epoch in range({epochs}):",
    "train": "    model.train()",
    "batches": "    for x, y in loader:",
    "zero_grad": "        optimizer.zero_grad()",
    "forward": "        out = model(x)",
    "loss": "        loss = loss_fn(out, y)",
    "backward": "        loss.backward()",
    "step": "        optimizer.step()",
    "eval": "    model.eval()",
    "no_grad": "    with torch.no_grad():",
    "evaluate": "        dev_out = model(x_dev)",
    "dev_loss": "        dev_loss = loss_fn(dev_out, y_dev)",
    "print": '    print(f"dev loss {{dev_loss:.4f}}", dev_out.requires_grad)',
}
_END = """\
with torch.no_grad():
    print(f"full-data MSE {{loss_fn(model(X), Y).item():.4f}}")
"""


def scaffold(bugs: Bugs, lr: float = 0.1) -> list[tuple[str, str]]:
    """The slide's scaffold as (line id, text), bugs planted; a forgotten line is commented out."""
    order = phase_order(Bugs(step_before_backward=bugs.step_before_backward))  # all five
    forgotten = {"zero_grad": bugs.forget_zero_grad, "backward": bugs.forget_backward}

    def line(key: str) -> tuple[str, str]:
        return key, _LOOP[key].format(lr=lr, epochs=EPOCHS)

    head = [line(k) for k in ("model", "loss_fn", "optimizer", "blank", "epochs", "train")]
    body = [
        (f"forgot {p}", _comment(_LOOP[p])) if forgotten.get(p) else (p, _LOOP[p]) for p in order
    ]
    if bugs.eval_without_no_grad:
        evaluate = [
            ("evaluate", "    dev_out = model(x_dev)   # no torch.no_grad()"),
            ("dev_loss", "    dev_loss = loss_fn(dev_out, y_dev)"),
        ]
    else:
        evaluate = [line("no_grad"), line("evaluate"), line("dev_loss")]
    return head + [line("batches")] + body + [line("eval")] + evaluate + [line("print")]


def _comment(line: str) -> str:
    """A forgotten line, still on screen where it belonged: commented out."""
    text = line.lstrip()
    return line[: len(line) - len(text)] + "# " + text + "   (forgotten)"


def code(cfg: LoopConfig) -> str:
    """The runnable scaffold for a setting: setup, then the loop as the page highlights it."""
    setup = _SETUP.format(seed=cfg.seed, n=N_SAMPLES, batch_size=cfg.batch_size)
    loop = "\n".join(text for _, text in scaffold(cfg.bugs, cfg.lr))
    return setup + "\n" + loop + "\n" + _END.format()


def printed(run: "SlowLoop") -> list[str]:
    """What `code(run.cfg)` prints, computed by the stepper: each epoch's dev line, then the MSE."""
    lines = [
        f"dev loss {s.dev_loss:.4f} {s.eval_requires_grad}"
        for s in run.history
        if s.phase == "evaluate"
    ]
    return lines + ([f"full-data MSE {run.full_mse():.4f}"] if run.done else [])


def finished(cfg: LoopConfig) -> "SlowLoop":
    """A run of `cfg` taken to its end."""
    run = SlowLoop(cfg)
    while not run.done:
        run.advance()
    return run


@dataclass(frozen=True)
class ZeroGradOutcome:
    """Full-data MSE after the whole run, with and without zero_grad(), at one setting."""

    correct: float
    forgot: float
    start: float  # the untrained model's MSE

    def words(self, gettext: Translate = untranslated) -> str:
        """What these numbers say, in a sentence the page can show."""
        _ = gettext
        if not math.isfinite(self.forgot) or self.forgot > 10 * self.start:
            return _("without zero_grad() the growing steps overshoot and the run diverges")
        if self.forgot < self.correct:
            return _(
                "here the bigger steps happened to land lower: forgetting zero_grad() is not a "
                "slower route to the same place, it is a different update rule"
            )
        return _("without zero_grad() the run ends worse")


def zero_grad_outcome(cfg: LoopConfig) -> ZeroGradOutcome:
    """Run `cfg`'s loop to the end with zero_grad() and without it (no other bug planted)."""
    runs = {
        forgot: finished(
            LoopConfig(cfg.lr, cfg.batch_size, cfg.seed, Bugs(forget_zero_grad=forgot))
        )
        for forgot in (False, True)
    }
    start = SlowLoop(LoopConfig(cfg.lr, cfg.batch_size, cfg.seed)).full_mse()
    return ZeroGradOutcome(runs[False].full_mse(), runs[True].full_mse(), start)


@dataclass(frozen=True)
class Snapshot:
    """The run just after one phase: where it is, and every number the page shows."""

    phase: str  # a phase of WORDS, or "start"
    epoch: int
    batch: int  # 0-based batch within the epoch
    step: int  # optimiser steps taken so far
    params: dict[str, float]  # PARAM_NAMES -> value
    grads: dict[str, float] | None  # PARAM_NAMES -> .grad, None while .grad is None
    batch_grad: dict[str, float] | None  # this batch's own gradient, computed apart
    grad_sum: dict[str, float] | None  # sum of the batches' own gradients since zero_grad
    loss: float | None  # this batch's loss, once computed
    out_shape: tuple[int, ...] | None
    eval_requires_grad: bool | None = None  # at "evaluate": does dev_out carry a graph?
    eval_grad_fn: str | None = None
    dev_loss: float | None = None  # at "evaluate": the loss on the dev split
    note: str = ""


def _flat(weight: torch.Tensor | None, bias: torch.Tensor | None) -> dict[str, float] | None:
    if weight is None or bias is None:
        return None
    values = [*weight.detach().flatten().tolist(), *bias.detach().flatten().tolist()]
    return dict(zip(PARAM_NAMES, values, strict=True))


def _add(a: dict[str, float] | None, b: dict[str, float]) -> dict[str, float]:
    return dict(b) if a is None else {k: a[k] + b[k] for k in b}


class SlowLoop:
    """One visitor's slow-motion run: a generator of Snapshots, one per phase, and its history.

    The page calls `advance()` (one phase), `to_batch_end()` and `reset()`, and reads
    `history`, `last` and `done`; everything that happens between phases happens here.
    """

    def __init__(self, cfg: LoopConfig):
        self.cfg = cfg
        self.reset()

    def reset(self) -> None:
        """A fresh, untrained run of the same config."""
        cfg = self.cfg
        with seeded(cfg.seed):
            self.X = torch.randn(N_SAMPLES, 2)
            self.Y = self.X @ torch.tensor([[2.0], [-3.0]]) + 1.0
            self.x_dev = torch.randn(4, 2)
            self.y_dev = self.x_dev @ torch.tensor([[2.0], [-3.0]]) + 1.0
            self.model = nn.Linear(2, 1)
        self.loss_fn = nn.MSELoss()
        self.optimizer = torch.optim.SGD(self.model.parameters(), lr=cfg.lr)
        self.history: list[Snapshot] = [self._snap("start", 0, 0, 0)]
        self._events = self._run()
        self.done = False

    @property
    def last(self) -> Snapshot:
        """The latest snapshot (the untrained model before any phase)."""
        return self.history[-1]

    def full_mse(self) -> float:
        """The model's MSE on all the training data, as it stands now."""
        with torch.no_grad():
            return self.loss_fn(self.model(self.X), self.Y).item()

    @property
    def total_phases(self) -> int:
        """How many phases the whole run has, with this config's bugs."""
        batches = -(-N_SAMPLES // self.cfg.batch_size)
        return EPOCHS * (batches * len(phase_order(self.cfg.bugs)) + 1)

    def advance(self) -> Snapshot:
        """Run one phase and return its snapshot (the last one again once done)."""
        ev = next(self._events, None)
        if ev is None:
            self.done = True
            return self.last
        self.history.append(ev)
        if len(self.history) - 1 == self.total_phases:
            self.done = True
        return ev

    def to_batch_end(self) -> Snapshot:
        """Run phases up to the end of the current batch (or the epoch's evaluation)."""
        order = phase_order(self.cfg.bugs)
        ev = self.advance()
        while not self.done and ev.phase not in (order[-1], "evaluate"):
            ev = self.advance()
        return ev

    def _snap(self, phase: str, epoch: int, batch: int, step: int, **extra) -> Snapshot:
        m = self.model
        return Snapshot(
            phase, epoch, batch, step,
            params=_flat(m.weight, m.bias),
            grads=_flat(m.weight.grad, m.bias.grad),
            batch_grad=extra.pop("batch_grad", None),
            grad_sum=extra.pop("grad_sum", None),
            loss=extra.pop("loss", None),
            out_shape=extra.pop("out_shape", None),
            **extra,
        )  # fmt: skip

    def _run(self) -> Iterator[Snapshot]:
        cfg, m, opt = self.cfg, self.model, self.optimizer
        order = phase_order(cfg.bugs)
        step, grad_sum = 0, None
        for epoch in range(EPOCHS):
            m.train()
            for batch, i in enumerate(range(0, N_SAMPLES, cfg.batch_size)):
                x, y = self.X[i : i + cfg.batch_size], self.Y[i : i + cfg.batch_size]
                out = loss = own = None
                for phase in order:
                    note = ""
                    if phase == "zero_grad":
                        opt.zero_grad()
                        grad_sum = None
                    elif phase == "forward":
                        out = m(x)
                    elif phase == "loss":
                        loss = self.loss_fn(out, y)
                        # this batch's gradient alone, at the parameters the forward pass saw
                        own = _flat(
                            *torch.autograd.grad(loss, (m.weight, m.bias), retain_graph=True)
                        )
                    elif phase == "backward":
                        loss.backward()
                        grad_sum = _add(grad_sum, own)
                    elif phase == "step":
                        moved = m.weight.grad is not None
                        opt.step()
                        step += 1
                        note = "" if moved else NOTHING_TO_APPLY
                    yield self._snap(
                        phase, epoch, batch, step,
                        batch_grad=own, grad_sum=grad_sum,
                        loss=None if loss is None else loss.item(),
                        out_shape=None if out is None else tuple(out.shape),
                        note=note,
                    )  # fmt: skip
            m.eval()
            if cfg.bugs.eval_without_no_grad:
                dev_out = m(self.x_dev)
                dev_loss = self.loss_fn(dev_out, self.y_dev)
            else:
                with torch.no_grad():
                    dev_out = m(self.x_dev)
                    dev_loss = self.loss_fn(dev_out, self.y_dev)
            yield self._snap(
                "evaluate", epoch, batch, step, grad_sum=grad_sum,
                out_shape=tuple(dev_out.shape),
                eval_requires_grad=dev_out.requires_grad,
                eval_grad_fn=None if dev_out.grad_fn is None else dev_out.grad_fn.name(),
                dev_loss=dev_loss.item(),
            )  # fmt: skip
