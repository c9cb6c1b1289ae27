"""The training loop in slow motion: one batch at a time, one phase at a time, bugs included.

`SlowLoop` owns one visitor's tiny run (nn.Linear(2, 1) on eight points, plain SGD) and a
generator that stops after every phase of the slide's scaffold, recording a `Snapshot`: the
parameters, their .grad, the loss, the scaffold line that just ran. Four toggles plant the
classic bugs, each with its visible consequence:

- forget zero_grad: .grad accumulates; it equals the sum of the batches' own gradients;
- forget backward: .grad stays None and step() moves nothing;
- step before backward: step() runs on a .grad that zero_grad just cleared (None): nothing moves;
- evaluate without torch.no_grad(): the test output has requires_grad and a grad_fn (a graph).

`code(bugs)` is the runnable scaffold for a setting; the tests run it and compare its final
parameters with the stepper's, so the picture and the shown code cannot drift apart.
"""

from collections.abc import Iterator
from dataclasses import dataclass, field

import torch
from torch import nn

from core.seeding import seeded

EPOCHS = 2
N_SAMPLES = 8
BATCH_SIZES = (2, 4, 8)
LRS = (0.01, 0.03, 0.1, 0.3)
PARAM_NAMES = ("weight[0]", "weight[1]", "bias")

WORDS = {
    "zero_grad": "clear the old gradients (set .grad to None)",
    "forward": "run the model on the batch",
    "loss": "measure how wrong the output is",
    "backward": "autograd fills every parameter's .grad",
    "step": "the optimiser moves each parameter against its .grad",
    "evaluate": "the epoch ended: predict on the test points",
}


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
x_test = torch.randn(4, 2)
loader = DataLoader(TensorDataset(X, Y), batch_size={batch_size})
"""

_LOOP = {
    "model": "model = nn.Linear(2, 1)",
    "loss_fn": "loss_fn = nn.MSELoss()",
    "optimizer": "optimizer = torch.optim.SGD(model.parameters(), lr={lr})",
    "blank": "",
    "epochs": "for epoch in range({epochs}):",
    "batches": "    for x, y in loader:",
    "zero_grad": "        optimizer.zero_grad()",
    "forward": "        out = model(x)",
    "loss": "        loss = loss_fn(out, y)",
    "backward": "        loss.backward()",
    "step": "        optimizer.step()",
    "no_grad": "    with torch.no_grad():",
    "evaluate": "        test_out = model(x_test)",
    "print": "    print(test_out.requires_grad, test_out.grad_fn)",
}


def scaffold(bugs: Bugs, lr: float = 0.1) -> list[tuple[str, str]]:
    """The slide's scaffold as (line id, text), bugs planted; a forgotten line is commented out."""
    order = phase_order(Bugs(step_before_backward=bugs.step_before_backward))  # all five
    forgotten = {"zero_grad": bugs.forget_zero_grad, "backward": bugs.forget_backward}
    lines = [(k, _LOOP[k].format(lr=lr, epochs=EPOCHS)) for k in _LOOP if k not in WORDS]
    head, tail = lines[:6], lines[6:]  # up to `for x, y in loader:`, then no_grad and print
    body = [
        (f"forgot {p}", _comment(_LOOP[p])) if forgotten.get(p) else (p, _LOOP[p]) for p in order
    ]
    if bugs.eval_without_no_grad:
        evaluate = [("evaluate", "    test_out = model(x_test)   # no torch.no_grad()")]
    else:
        evaluate = [tail[0], ("evaluate", _LOOP["evaluate"])]
    return head + body + evaluate + tail[1:]


def _comment(line: str) -> str:
    """A forgotten line, still on screen where it belonged: commented out."""
    text = line.lstrip()
    return line[: len(line) - len(text)] + "# " + text + "   (forgotten)"


def code(cfg: LoopConfig) -> str:
    """The runnable scaffold for a setting: setup, then the loop as the page highlights it."""
    setup = _SETUP.format(seed=cfg.seed, n=N_SAMPLES, batch_size=cfg.batch_size)
    return setup + "\n" + "\n".join(text for _, text in scaffold(cfg.bugs, cfg.lr)) + "\n"


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
    eval_requires_grad: bool | None = None  # at "evaluate": does test_out carry a graph?
    eval_grad_fn: str | None = None
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
            self.x_test = torch.randn(4, 2)
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
                        note = "" if moved else ".grad is None: step() had nothing to apply"
                    yield self._snap(
                        phase, epoch, batch, step,
                        batch_grad=own, grad_sum=grad_sum,
                        loss=None if loss is None else loss.item(),
                        out_shape=None if out is None else tuple(out.shape),
                        note=note,
                    )  # fmt: skip
            if cfg.bugs.eval_without_no_grad:
                test_out = m(self.x_test)
            else:
                with torch.no_grad():
                    test_out = m(self.x_test)
            yield self._snap(
                "evaluate", epoch, batch, step, grad_sum=grad_sum,
                out_shape=tuple(test_out.shape),
                eval_requires_grad=test_out.requires_grad,
                eval_grad_fn=None if test_out.grad_fn is None else test_out.grad_fn.name(),
            )  # fmt: skip
