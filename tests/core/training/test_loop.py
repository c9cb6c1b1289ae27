"""core.training.loop: the one training loop, its phases, and a Run's lifecycle.

The loop is driven through small real examples: one step equals SGD by hand, the phases run
in the lecture's order, a blown-up learning rate stops cleanly, and a Run's status walks
ready -> running <-> paused -> finished or diverged, pausing and resuming losing nothing.
"""

import math

import numpy as np
import pytest
import torch

from core.i18n import catalogue
from core.training import RegressionConfig, SoftmaxConfig, ToyConfig, datasets, make_run, make_task
from core.training.loop import (
    CPU_BUDGET_SECONDS,
    PHASE_LINE,
    PHASES,
    SCAFFOLD,
    Progress,
    Run,
    Status,
    scaffold_at,
    train,
)

pytestmark = pytest.mark.usefixtures("one_torch_thread")

REGRESSION = RegressionConfig(epochs=2, n=200)
MOONS = ToyConfig(dataset="moons", epochs=15, n=200)
SOFTMAX = SoftmaxConfig(epochs=2)


def test_one_step_is_plain_sgd():
    """The loop's first step equals w <- w - lr * dL/dw with the gradient derived by hand."""
    cfg = RegressionConfig(lr=0.1, batch_size=1000, n=1000)
    task = make_task(cfg)
    net = task.model
    w0, b0 = net.weight.detach().clone(), net.bias.detach().clone()
    x, y = datasets.synthetic_linear(n=1000, noise=cfg.noise, seed=cfg.seed)
    residual = x @ w0.T + b0 - y  # (n, 1); MSE = mean(residual^2)
    grad_w = 2 * (residual * x).mean(0, keepdim=True)
    grad_b = 2 * residual.mean(0)
    ev = next(e for e in train(task, 1) if e.phase == "step")
    assert ev.step == 1
    torch.testing.assert_close(net.weight.detach(), w0 - 0.1 * grad_w, rtol=1e-5, atol=1e-6)
    torch.testing.assert_close(net.bias.detach(), b0 - 0.1 * grad_b, rtol=1e-5, atol=1e-6)


def test_phases_run_in_the_lecture_order_with_real_effects():
    task = make_task(RegressionConfig(epochs=1, n=40, batch_size=20))
    net = task.model
    seen = []
    for ev in train(task, 1, phases=True):
        seen.append(ev.phase)
        if ev.phase == "zero_grad":
            assert net.weight.grad is None or not net.weight.grad.any()
        if ev.phase == "backward":
            assert net.weight.grad is not None and net.weight.grad.abs().sum() > 0
            before = net.weight.detach().clone()
        if ev.phase == "step":
            assert not torch.equal(before, net.weight.detach())
    assert seen == [*PHASES, *PHASES, "epoch"]


def test_nan_stops_the_run_and_keeps_the_last_good_snapshot():
    run = make_run(ToyConfig(lr=10.0, optimizer="SGD", epochs=30, n=200, activation="ReLU"))
    events = list(run)
    assert run.status == "diverged" and events[-1].phase == "diverged"
    assert "learning rate" in run.message
    assert run.say() == run.message  # English by default
    said = run.say(catalogue("zh").gettext)  # the same message, with its numbers, in Chinese
    assert "学习率" in said and f"第 {events[-1].epoch + 1} 轮" in said, said
    assert list(run) == []  # a diverged run yields nothing more
    snap = run.snapshot
    assert np.isfinite(snap["confidence"]).all()
    assert all(math.isfinite(v) for row in run.epoch_log for v in row.values())


def test_regression_blows_up_with_a_huge_learning_rate():
    run = make_run(RegressionConfig(lr=10.0, epochs=3))
    list(run)
    assert run.status == "diverged"
    assert all(math.isfinite(loss) for _, loss in run.steps)
    assert all(math.isfinite(v) for t in run.tracked for v in t.values())


def test_pause_and_resume_loses_nothing():
    cfg = MOONS
    whole = make_run(cfg)
    list(whole)
    paused = make_run(cfg)
    while not paused.done:
        paused.advance(7)  # stop and go, 7 events at a time
    assert paused.steps == whole.steps
    assert paused.epoch_log == whole.epoch_log


def test_set_lr_reaches_the_optimiser():
    run = make_run(REGRESSION)
    run.set_lr(0.5)
    assert [g["lr"] for g in run.task.optimizer.param_groups] == [0.5]
    assert run.config.lr == 0.5


def test_fraction_grows_to_one():
    run = make_run(SOFTMAX)
    fractions = [ev.fraction for ev in run]
    assert fractions == sorted(fractions)
    assert fractions[-1] == 1.0
    assert Progress("step", 0, 4, 5, 10, 5).fraction == pytest.approx(0.125)


def test_scaffold_marks_the_running_line():
    lines = SCAFFOLD.splitlines()
    for phase, i in PHASE_LINE.items():
        marked = scaffold_at(phase).splitlines()
        assert marked[i].startswith(lines[i]) and f"# <-- {phase}" in marked[i]
        assert sum("# <--" in m for m in marked) == 1
    assert scaffold_at(None) == SCAFFOLD.rstrip("\n")
    assert "optimizer.zero_grad()" in lines[PHASE_LINE["zero_grad"]]
    assert "loss.backward()" in lines[PHASE_LINE["backward"]]
    assert "optimizer.step()" in lines[PHASE_LINE["step"]]


# ----------------------------------------------------------------------------- the lifecycle
def test_a_run_is_ready_then_running_then_finished():
    run = make_run(REGRESSION)
    assert run.status is Status.READY and run.status == "ready" and not run.done
    run.start()
    assert run.status is Status.RUNNING and run.last is None  # starting trains nothing yet
    list(run)
    assert run.status is Status.FINISHED and run.done and run.fraction == 1.0
    with pytest.raises(AttributeError):
        run.status = Status.RUNNING  # only the methods move it


def _key(ev: Progress) -> tuple:
    return ev.phase, ev.epoch, ev.batch, ev.step, ev.loss


def test_pause_then_resume_continues_from_the_same_step():
    whole = [_key(ev) for ev in make_run(MOONS)]
    run = make_run(MOONS)
    run.start()
    run.advance(23)
    run.pause()
    assert run.status is Status.PAUSED
    where = run.last
    run.pause()  # pausing twice changes nothing
    run.start()  # the page's Resume
    assert run.status is Status.RUNNING and run.last is where
    assert _key(where) == whole[22] and _key(run.advance(1)) == whole[23]
    rest = [_key(ev) for ev in run]
    assert whole == [*whole[:24], *rest]


def test_pause_only_stops_a_running_run():
    run = make_run(REGRESSION)
    run.pause()
    assert run.status is Status.READY
    list(run)
    run.pause()
    assert run.status is Status.FINISHED


def test_reset_gives_a_fresh_run_with_the_same_config():
    run = make_run(REGRESSION)
    run.start()
    list(run)
    first, config = run.steps, run.config
    run.reset()
    assert run.status is Status.READY and run.config == config
    assert run.last is None and run.steps == [] and run.epoch_log == [] and run.fraction == 0.0
    list(run)
    assert run.steps == first  # the same seed replays the same curve


def test_starting_a_finished_run_starts_over():
    run = make_run(REGRESSION)
    list(run)
    run.start()
    assert run.status is Status.RUNNING and run.steps == []
    list(run)
    assert run.status is Status.FINISHED


def test_a_diverged_run_cannot_be_resumed():
    run = make_run(RegressionConfig(lr=10.0, epochs=3))
    run.start()
    list(run)
    assert run.status is Status.DIVERGED and "learning rate" in run.message
    steps = list(run.steps)
    assert list(run) == [] and run.advance(5) is run.last  # nothing more comes out
    run.pause()
    assert run.status is Status.DIVERGED and run.steps == steps
    run.start()  # Start after a blow-up: a fresh run, not the blown-up one continued
    assert run.status is Status.RUNNING and run.steps == [] and run.message == ""
    assert all(torch.isfinite(p).all() for p in run.task.model.parameters())


def test_one_phase_walks_the_loop_and_pauses():
    run = make_run(REGRESSION)
    seen = [run.one_phase().phase for _ in range(len(PHASES) + 1)]
    assert seen == [*PHASES, "zero_grad"]
    assert run.status is Status.PAUSED and run.last.step == 1
    run.start()
    list(run)
    assert run.status is Status.FINISHED
    assert run.one_phase().phase == "zero_grad"  # a done run starts over
    assert run.status is Status.PAUSED and run.steps == []


def test_adopt_takes_a_new_lr_live_and_refuses_anything_else():
    run = make_run(REGRESSION)
    run.one_phase()
    assert run.adopt(RegressionConfig(epochs=2, n=200, lr=0.1))
    assert run.config.lr == 0.1 and run.task.optimizer.param_groups[0]["lr"] == 0.1
    assert run.status is Status.PAUSED and run.last.phase == "zero_grad"  # not restarted
    assert not run.adopt(RegressionConfig(epochs=2, n=200, lr=0.1, batch_size=32))
    assert not run.adopt(RegressionConfig(epochs=3, n=200, lr=0.1))
    assert run.config == RegressionConfig(epochs=2, n=200, lr=0.1)


def test_a_run_stops_when_it_has_used_its_cpu_budget():
    cfg = ToyConfig(epochs=200, batch_size=1)  # far more work than the budget allows
    run = Run(cfg, make_task, cpu_budget=0.3)
    run.start()
    events = list(run)
    assert run.status is Status.STOPPED and run.done
    assert "computing time" in run.message
    assert "单核 0 秒" in run.say(catalogue("zh").gettext)  # the budget, in Chinese
    assert 0.3 < run.cpu_seconds < 3.0, run.cpu_seconds
    assert events and events[-1].epoch < cfg.epochs - 1  # ended early, mid-run
    assert list(run) == []  # a stopped run trains no further
    run.start()  # starting again starts over, fresh
    assert run.status is Status.RUNNING and run.last is None and run.cpu_seconds == 0.0


def test_a_run_within_its_budget_finishes_and_counts_its_time():
    run = make_run(RegressionConfig(epochs=1))
    run.start()
    list(run)
    assert run.status is Status.FINISHED
    assert 0.0 < run.cpu_seconds < CPU_BUDGET_SECONDS
