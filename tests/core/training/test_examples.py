"""The six examples (core/training/<example>.py) and their registry: tiny-budget dry runs.

Each example runs for a small budget through the one training loop (CleanRL's smoke runs of
the real thing): the loss falls, the metrics are sane, a seed replays the same numbers, each
snapshot matches its model, and the code shown to students runs and reaches the lecture's
results with the same settings as the example's defaults.
"""

import contextlib
import dataclasses
import inspect
import io
import math
import re

import numpy as np
import pytest
import torch

from core import optimisers
from core.training import (
    EXAMPLES,
    CNNConfig,
    CurveConfig,
    RegressionConfig,
    RNNConfig,
    SoftmaxConfig,
    ToyConfig,
    TrainConfig,
    datasets,
    example,
    make_run,
    make_task,
)
from core.training.cnn import feature_maps

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
SHARED = [f.name for f in dataclasses.fields(TrainConfig)]


@pytest.mark.parametrize("name", list(EXAMPLES))
def test_every_config_is_a_frozen_train_config(name):
    ex = EXAMPLES[name]
    cfg = ex.config()
    assert isinstance(cfg, TrainConfig) and example(cfg) is ex
    assert [f.name for f in dataclasses.fields(cfg)][: len(SHARED)] == SHARED
    assert cfg.optimizer in optimisers.NAMES and cfg.seed == 0
    with pytest.raises(dataclasses.FrozenInstanceError):
        cfg.lr = 1.0
    assert make_task(dataclasses.replace(cfg, epochs=1)).n_batches > 0


@pytest.mark.parametrize("name", list(EXAMPLES))
def test_every_own_setting_is_explained(name):
    """CleanRL style: each setting an example adds carries a comment saying what it is."""
    config = EXAMPLES[name].config
    source = inspect.getsource(config)
    for field in dataclasses.fields(config):
        if field.name not in SHARED:
            line = next(s for s in source.splitlines() if s.strip().startswith(f"{field.name}:"))
            assert "#" in line, line
    shared = inspect.getsource(TrainConfig)
    assert all("#" in s for s in shared.splitlines() if s.strip().split(":")[0] in SHARED)


@pytest.mark.parametrize("name", list(EXAMPLES))
def test_shown_code_uses_the_default_settings(name):
    """The snippet a student reads trains with the example's default lr, epochs and optimiser."""
    cfg, code = EXAMPLES[name].config(), EXAMPLES[name].code
    assert f"torch.optim.{cfg.optimizer}(net.parameters(), lr={cfg.lr})" in code
    assert f"for epoch in range({cfg.epochs}):" in code


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


@pytest.mark.parametrize("name", ["regression", "moons", "rnn", "cnn"])
def test_same_seed_same_losses(name):
    cfg = TINY[name]
    a, b = _losses(cfg), _losses(cfg)
    assert a == b and len(a) > 0
    other = _losses(type(cfg)(**{**cfg.__dict__, "seed": 1}))
    assert other != a


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


@pytest.mark.parametrize("name", list(EXAMPLES))
def test_code_snippets_run_and_learn(name):
    """The 'Show the code' snippets are real: they run and reach the lecture's results."""
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(EXAMPLES[name].code, {"__name__": "snippet"})  # our own constant snippet
    cfg_type = EXAMPLES[name].config
    text = out.getvalue()
    numbers = [float(v) for v in re.findall(r"(?<=: )-?\d+\.\d+(?:e-?\d+)?", text)]
    if cfg_type is RegressionConfig:
        errors = [float(v) for v in re.findall(r"error: (\S+)", text)]
        assert len(errors) == 2 and max(errors) < 0.05
    elif cfg_type in (ToyConfig, CNNConfig):
        assert numbers[-1] >= 0.95
    elif cfg_type is SoftmaxConfig:
        assert numbers[-1] >= 0.9
    elif cfg_type is RNNConfig:
        assert numbers[-1] < 0.01
    elif cfg_type is CurveConfig:
        assert numbers[-1] < 0.05


@pytest.mark.parametrize("name", list(EXAMPLES))
def test_code_snippets_teach_no_legacy_habits(name):
    """No `.data` (it bypasses autograd's checks), and every evaluation runs under no_grad."""
    code = EXAMPLES[name].code
    assert re.search(r"\.data\b", code) is None
    if name != "rnn":  # rnn prints its last training batch's loss: no separate evaluation
        assert "with torch.no_grad():" in code
