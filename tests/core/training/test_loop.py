"""core.training.loop and the six examples: tiny-budget dry runs of the real loop.

Each example runs for a small budget through the one generic `train` generator; the tests
check that the loss falls, the metrics are sane, the phases run in the lecture's order, a
blown-up learning rate stops cleanly, a seed replays the same numbers and pausing loses nothing.
"""

import math

import numpy as np
import pytest
import torch

from core.training import (
    CNNConfig,
    CurveConfig,
    RegressionConfig,
    RNNConfig,
    SoftmaxConfig,
    ToyConfig,
    datasets,
    make_run,
    make_task,
)
from core.training.cnn import feature_maps
from core.training.loop import PHASE_LINE, PHASES, SCAFFOLD, Progress, scaffold_at, train

pytestmark = pytest.mark.usefixtures("one_torch_thread")


# tiny budgets: a few epochs, small data, enough to see learning
TINY = {
    "regression": RegressionConfig(epochs=2, n=200),
    "curve": CurveConfig(epochs=25, n=100, width=16),
    "moons": ToyConfig(dataset="moons", epochs=15, n=200),
    "blobs": ToyConfig(dataset="blobs", epochs=10, n=150),
    "softmax": SoftmaxConfig(epochs=2),
    "rnn": RNNConfig(epochs=3, windows=10, hidden=16),
    "lstm": RNNConfig(kind="LSTM", epochs=3, windows=10, hidden=16),
    "cnn": CNNConfig(epochs=3, channels=8, lr=0.01),
}


def _losses(cfg) -> list[float]:
    run = make_run(cfg)
    return [ev.loss for ev in run if ev.phase == "step"]


@pytest.mark.parametrize("name", TINY)
def test_dry_run_learns(name):
    cfg = TINY[name]
    run = make_run(cfg)
    events = list(run)
    steps = [e for e in events if e.phase == "step"]
    epochs = [e for e in events if e.phase == "epoch"]
    assert run.status == "finished" and run.fraction == 1.0
    assert len(epochs) == cfg.epochs
    assert len(steps) == cfg.epochs * run.task.n_batches
    k = max(3, len(steps) // 10)
    first = np.mean([e.loss for e in steps[:k]])
    last = np.mean([e.loss for e in steps[-k:]])
    assert last < 0.7 * first, (first, last)
    assert epochs[-1].loss < epochs[0].loss or cfg.epochs == 1
    metrics = run.epoch_log[-1]
    assert all(math.isfinite(v) for v in metrics.values())
    for key, value in metrics.items():
        if "accuracy" in key:
            assert 0.0 <= value <= 1.0
    if "test accuracy" in metrics:  # well above chance
        n_classes = 3 if getattr(cfg, "dataset", "") == "blobs" else 2 if name == "moons" else 10
        assert metrics["test accuracy"] > 1.5 / n_classes


def test_regression_metrics_match_the_model():
    run = make_run(RegressionConfig(epochs=3))
    list(run)
    w = run.task.model.weight.detach()[0]
    b = run.task.model.bias.item()
    log = run.epoch_log[-1]
    assert log["w error"] == pytest.approx((w - torch.tensor(datasets.TRUE_W)).norm().item())
    assert log["b error"] == pytest.approx(abs(b - datasets.TRUE_B))
    assert log["w error"] < 0.05 and log["b error"] < 0.05  # the lecture's result
    assert run.tracked[-1] == {"step": run.last.step, "w1": w[0].item(), "w2": w[1].item(), "b": b}


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


@pytest.mark.parametrize("name", ["regression", "moons", "rnn", "cnn"])
def test_same_seed_same_losses(name):
    cfg = TINY[name]
    a, b = _losses(cfg), _losses(cfg)
    assert a == b and len(a) > 0
    other = _losses(type(cfg)(**{**cfg.__dict__, "seed": 1}))
    assert other != a


def test_pause_and_resume_loses_nothing():
    cfg = TINY["moons"]
    whole = make_run(cfg)
    list(whole)
    paused = make_run(cfg)
    while not paused.done:
        paused.advance(7)  # stop and go, 7 events at a time
    assert paused.steps == whole.steps
    assert paused.epoch_log == whole.epoch_log


def test_set_lr_reaches_the_optimiser():
    run = make_run(TINY["regression"])
    run.set_lr(0.5)
    assert [g["lr"] for g in run.task.optimizer.param_groups] == [0.5]


def test_fraction_grows_to_one():
    run = make_run(TINY["softmax"])
    fractions = [ev.fraction for ev in run]
    assert fractions == sorted(fractions)
    assert fractions[-1] == 1.0
    assert Progress("step", 0, 4, 5, 10, 5).fraction == pytest.approx(0.125)


def test_rnn_state_is_carried_and_detached():
    """Several windows each backpropagate on their own (detached) yet see the carried state."""
    task = make_task(RNNConfig(hidden=8, windows=4))
    windows = list(task.batches(0))
    outs = []
    for x, y in windows[:3]:
        out = task.forward(x)
        task.loss_fn(out, y).backward()  # would fail on a second pass through an old graph
        outs.append(out.detach())
    fresh, _ = task.model(windows[2][0])  # the same window from a zero state
    assert not torch.allclose(fresh, outs[2])


def test_cnn_snapshot_is_consistent():
    run = make_run(TINY["cnn"])
    list(run)
    snap = run.snapshot
    data = datasets.digits(0)
    assert snap["confusion"].sum() == len(data.y_test)
    acc = np.trace(snap["confusion"]) / snap["confusion"].sum()
    assert acc == pytest.approx(run.epoch_log[-1]["test accuracy"], abs=1e-6)
    np.testing.assert_array_equal(snap["confusion"].sum(1), np.bincount(data.y_test, minlength=10))
    maps = feature_maps(snap, data.x_test[0])
    with torch.no_grad():
        expected = run.task.model.features(data.x_test[:1])[0].numpy()
    np.testing.assert_allclose(maps, expected, atol=1e-6)


def test_toy_snapshot_matches_the_model():
    run = make_run(TINY["blobs"])
    list(run)
    snap = run.snapshot
    grid = torch.from_numpy(np.stack([snap["x"], snap["y"]], 1))
    with torch.no_grad():
        prob = torch.softmax(run.task.model(grid), 1)
    np.testing.assert_array_equal(snap["class"], prob.argmax(1).numpy())
    np.testing.assert_allclose(snap["confidence"], prob.max(1).values.numpy(), rtol=1e-6)
    assert set(np.unique(snap["class"])) <= {0, 1, 2}


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
