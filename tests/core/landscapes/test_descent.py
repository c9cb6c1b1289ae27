"""torch.optim trajectories: fed the right gradient, equal to the hand-written rules, reaching
the minima, diverging honestly."""

import numpy as np
import pytest
import torch

from core import optimisers
from core.landscapes import descent, functions


def test_trajectories_are_fed_the_autograd_gradient():
    land = functions.landscape("himmelblau")
    runs = descent.run_optimisers(land, optimisers.NAMES, 0.01, 40, start=(-1.0, 0.5))
    for tr in runs.values():
        p = torch.tensor(tr.xy[:-1], requires_grad=True)
        (auto,) = torch.autograd.grad(land.fn(p[:, 0], p[:, 1]).sum(), p)
        np.testing.assert_allclose(tr.grad, auto.numpy(), rtol=1e-12, atol=1e-9)
        xy = torch.tensor(tr.xy)
        np.testing.assert_allclose(tr.loss, land.fn(xy[:, 0], xy[:, 1]).numpy(), rtol=1e-12)


def test_first_sgd_steps_equal_the_hand_written_rule():
    kappa, lr = 5.0, 0.1
    land = functions.landscape("quadratic", kappa)
    theta = np.array([-2.5, 2.0])
    tr = descent.run_optimisers(land, ["SGD"], lr, 5, start=tuple(theta))["SGD"]
    for t in range(5):
        grad = np.array([theta[0], kappa * theta[1]])  # gradient of (x² + κ y²) / 2
        theta = theta - lr * grad
        np.testing.assert_allclose(tr.xy[t + 1], theta, atol=1e-6)


def test_first_momentum_steps_equal_the_hand_written_rule():
    kappa, lr, beta = 10.0, 0.05, 0.8
    land = functions.landscape("quadratic", kappa)
    theta, v = np.array([-2.5, 2.0]), np.zeros(2)
    runs = descent.run_optimisers(land, ["Momentum", "Nesterov"], lr, 6, beta, tuple(theta))
    nes_theta, nes_v = theta.copy(), np.zeros(2)
    for t in range(6):
        g = np.array([theta[0], kappa * theta[1]])
        v = beta * v + g
        theta = theta - lr * v
        np.testing.assert_allclose(runs["Momentum"].xy[t + 1], theta, atol=1e-6)
        g = np.array([nes_theta[0], kappa * nes_theta[1]])
        nes_v = beta * nes_v + g
        nes_theta = nes_theta - lr * (g + beta * nes_v)
        np.testing.assert_allclose(runs["Nesterov"].xy[t + 1], nes_theta, atol=1e-6)


@pytest.mark.parametrize("name", optimisers.NAMES)
def test_update_by_hand_reproduces_torch_optim_every_step(name):
    land = functions.landscape("himmelblau")
    tr = descent.run_optimisers(land, [name], 0.01, 40, 0.85, (0.5, -1.0), noise=1.0)[name]
    for t in range(40):
        q = descent.update_by_hand(name, tr, t, 0.01, 0.85)
        np.testing.assert_allclose(q["theta_next"], tr.xy[t + 1], atol=1e-9)
    assert r"\theta_{t+1}" in descent.update_latex(name, tr, 7, 0.01, 0.85)


def test_optimisers_share_nothing():
    """Running several optimisers together gives each the path it would have alone."""
    land = functions.landscape("rosenbrock")
    together = descent.run_optimisers(land, optimisers.NAMES, 1e-3, 50)
    for name in optimisers.NAMES:
        alone = descent.run_optimisers(land, [name], 1e-3, 50)[name]
        np.testing.assert_allclose(together[name].xy, alone.xy, atol=1e-12)


# Sensible settings per optimiser: (lr, steps) reaching the minimum.
ROSENBROCK = {
    "SGD": (1.5e-3, 30000),
    "Momentum": (1e-3, 4000),
    "Nesterov": (1e-3, 4000),
    "Adam": (2e-2, 4000),
    "RMSprop": (1e-3, 8000),
    "Adagrad": (0.3, 8000),
}


@pytest.mark.slow
@pytest.mark.parametrize("name", optimisers.NAMES)
def test_every_optimiser_reaches_rosenbrock_minimum(name):
    lr, steps = ROSENBROCK[name]
    land = functions.landscape("rosenbrock")
    tr = descent.run_optimisers(land, [name], lr, steps, 0.9, (-1.2, 1.0))[name]
    assert tr.diverged_at is None
    np.testing.assert_allclose(tr.xy[-1], [1.0, 1.0], atol=2e-2)


@pytest.mark.slow
@pytest.mark.parametrize("name", optimisers.NAMES)
def test_every_optimiser_reaches_a_himmelblau_minimum(name):
    lr = {"Adagrad": 0.5, "Adam": 0.05, "RMSprop": 0.01}.get(name, 0.01)
    land = functions.landscape("himmelblau")
    tr = descent.run_optimisers(land, [name], lr, 2000, 0.9, (0.0, 0.0))[name]
    _, dist = functions.nearest_minimum(land, tr.xy[-1])
    assert tr.diverged_at is None
    assert dist < 1e-2
    assert tr.loss[-1] < 1e-3


def test_divergence_is_detected_and_reported():
    land = functions.landscape("quadratic", 10.0)
    # SGD on curvature 10 is unstable for lr > 2/10: the y coordinate grows by |1 - 10 lr|.
    runs = descent.run_optimisers(land, ["SGD", "Adam"], 0.5, 2000)
    sgd = runs["SGD"]
    assert sgd.diverged_at is not None
    assert np.isfinite(sgd.xy).all() and np.isfinite(sgd.loss).all()
    assert len(sgd.xy) == sgd.diverged_at
    # |y| grows by a factor 4 each step from 2: it passes 1e6 after about 10 steps.
    assert 8 <= sgd.diverged_at <= 12
    assert f"SGD diverged at step {sgd.diverged_at}" in sgd.message()
    assert runs["Adam"].diverged_at is None  # Adam's step is bounded by lr


def test_overflow_to_inf_is_divergence():
    land = functions.landscape("beale")
    tr = descent.run_optimisers(land, ["Momentum"], 0.5, 300, 0.99, (4.0, 4.0))["Momentum"]
    assert tr.diverged_at is not None
    assert np.isfinite(tr.loss).all()


def test_gradient_noise_is_seeded_and_changes_the_path():
    land = functions.landscape("saddle")
    plain = descent.run_optimisers(land, ["SGD"], 0.05, 200, start=(-1.8, 0.0))["SGD"]
    noisy = descent.run_optimisers(land, ["SGD"], 0.05, 200, start=(-1.8, 0.0), noise=0.5)["SGD"]
    again = descent.run_optimisers(land, ["SGD"], 0.05, 200, start=(-1.8, 0.0), noise=0.5)["SGD"]
    assert abs(plain.xy[-1, 1]) < 1e-12  # stuck on the saddle's ridge y = 0
    assert abs(abs(noisy.xy[-1, 1]) - 1.0) < 0.2  # noise knocks it into a minimum y = ±1
    np.testing.assert_array_equal(noisy.xy, again.xy)


def test_shown_code_runs(capsys):
    exec(compile(descent.CODE_OPTIMISER, "<shown code>", "exec"), {})
    assert capsys.readouterr().out.strip()
