"""Landscapes: test functions, torch.optim trajectories vs hand-written rules, Li et al. slice."""

import numpy as np
import pytest
import torch

from core import landscapes as ls


@pytest.mark.parametrize("key", ls.KEYS)
def test_known_minima_are_minima(key):
    land = ls.landscape(key, kappa=10.0)
    for mx, my in land.minima:
        p = torch.tensor([mx, my], dtype=torch.float64, requires_grad=True)
        value = land.fn(p[0], p[1])
        (grad,) = torch.autograd.grad(value, p)
        assert value.item() == pytest.approx(land.f_min, abs=1e-4)
        assert grad.norm().item() < 5e-3  # minima are tabulated to 4-6 digits
    # and nothing on a fine grid over the window is lower than the known minimum
    grid = ls.evaluate_grid(land, 301)
    assert grid.z.min() >= land.f_min - 1e-9


@pytest.mark.parametrize("key", ls.KEYS)
@pytest.mark.parametrize("kappa", [1.0, 10.0, 100.0])
def test_hand_derived_gradient_equals_autograd(key, kappa):
    land = ls.landscape(key, kappa)
    x0, x1, y0, y1 = land.window
    gen = torch.Generator().manual_seed(1)
    u = torch.rand(2, 500, generator=gen, dtype=torch.float64)
    x = (x0 + (x1 - x0) * u[0]).requires_grad_()
    y = (y0 + (y1 - y0) * u[1]).requires_grad_()
    auto_x, auto_y = torch.autograd.grad(land.fn(x, y).sum(), (x, y))
    hand_x, hand_y = land.grad(x.detach(), y.detach())
    torch.testing.assert_close(hand_x, auto_x, rtol=1e-12, atol=1e-9)
    torch.testing.assert_close(hand_y, auto_y, rtol=1e-12, atol=1e-9)


def test_trajectories_are_fed_the_autograd_gradient():
    land = ls.landscape("himmelblau")
    runs = ls.run_optimisers(land, ls.OPTIMISERS, 0.01, 40, start=(-1.0, 0.5))
    for tr in runs.values():
        p = torch.tensor(tr.xy[:-1], requires_grad=True)
        (auto,) = torch.autograd.grad(land.fn(p[:, 0], p[:, 1]).sum(), p)
        np.testing.assert_allclose(tr.grad, auto.numpy(), rtol=1e-12, atol=1e-9)
        xy = torch.tensor(tr.xy)
        np.testing.assert_allclose(tr.loss, land.fn(xy[:, 0], xy[:, 1]).numpy(), rtol=1e-12)


def test_grid_matches_pointwise_evaluation():
    land = ls.landscape("beale")
    grid = ls.evaluate_grid(land, 200)
    for i, j in [(0, 0), (17, 150), (199, 3), (100, 100)]:
        x, y = torch.tensor(grid.xs[j]), torch.tensor(grid.ys[i])
        assert grid.z[i, j] == pytest.approx(land.fn(x, y).item(), rel=1e-12)


def test_himmelblau_values_by_hand():
    land = ls.landscape("himmelblau")
    # f(0, 0) = 121 + 49; f(1, 1) = 81 + 25
    assert land.fn(torch.tensor(0.0), torch.tensor(0.0)).item() == pytest.approx(170.0)
    assert land.fn(torch.tensor(1.0), torch.tensor(1.0)).item() == pytest.approx(106.0)


def test_first_sgd_steps_equal_the_hand_written_rule():
    kappa, lr = 5.0, 0.1
    land = ls.landscape("quadratic", kappa)
    theta = np.array([-2.5, 2.0])
    tr = ls.run_optimisers(land, ["SGD"], lr, 5, start=tuple(theta))["SGD"]
    for t in range(5):
        grad = np.array([theta[0], kappa * theta[1]])  # gradient of (x² + κ y²) / 2
        theta = theta - lr * grad
        np.testing.assert_allclose(tr.xy[t + 1], theta, atol=1e-6)


def test_first_momentum_steps_equal_the_hand_written_rule():
    kappa, lr, beta = 10.0, 0.05, 0.8
    land = ls.landscape("quadratic", kappa)
    theta, v = np.array([-2.5, 2.0]), np.zeros(2)
    runs = ls.run_optimisers(land, ["Momentum", "Nesterov"], lr, 6, beta, tuple(theta))
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


@pytest.mark.parametrize("name", ls.OPTIMISERS)
def test_update_by_hand_reproduces_torch_optim_every_step(name):
    land = ls.landscape("himmelblau")
    tr = ls.run_optimisers(land, [name], 0.01, 40, 0.85, (0.5, -1.0), noise=1.0)[name]
    for t in range(40):
        q = ls.update_by_hand(name, tr, t, 0.01, 0.85)
        np.testing.assert_allclose(q["theta_next"], tr.xy[t + 1], atol=1e-9)
    assert r"\theta_{t+1}" in ls.update_latex(name, tr, 7, 0.01, 0.85)


def test_optimisers_share_nothing():
    """Running several optimisers together gives each the path it would have alone."""
    land = ls.landscape("rosenbrock")
    together = ls.run_optimisers(land, ls.OPTIMISERS, 1e-3, 50)
    for name in ls.OPTIMISERS:
        alone = ls.run_optimisers(land, [name], 1e-3, 50)[name]
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


@pytest.mark.parametrize("name", ls.OPTIMISERS)
def test_every_optimiser_reaches_rosenbrock_minimum(name):
    lr, steps = ROSENBROCK[name]
    land = ls.landscape("rosenbrock")
    tr = ls.run_optimisers(land, [name], lr, steps, 0.9, (-1.2, 1.0))[name]
    assert tr.diverged_at is None
    np.testing.assert_allclose(tr.xy[-1], [1.0, 1.0], atol=2e-2)


@pytest.mark.parametrize("name", ls.OPTIMISERS)
def test_every_optimiser_reaches_a_himmelblau_minimum(name):
    lr = {"Adagrad": 0.5, "Adam": 0.05, "RMSprop": 0.01}.get(name, 0.01)
    land = ls.landscape("himmelblau")
    tr = ls.run_optimisers(land, [name], lr, 2000, 0.9, (0.0, 0.0))[name]
    _, dist = ls.nearest_minimum(land, tr.xy[-1])
    assert tr.diverged_at is None
    assert dist < 1e-2
    assert tr.loss[-1] < 1e-3


def test_divergence_is_detected_and_reported():
    land = ls.landscape("quadratic", 10.0)
    # SGD on curvature 10 is unstable for lr > 2/10: the y coordinate grows by |1 - 10 lr|.
    runs = ls.run_optimisers(land, ["SGD", "Adam"], 0.5, 2000)
    sgd = runs["SGD"]
    assert sgd.diverged_at is not None
    assert np.isfinite(sgd.xy).all() and np.isfinite(sgd.loss).all()
    assert len(sgd.xy) == sgd.diverged_at
    # |y| grows by a factor 4 each step from 2: it passes 1e6 after about 10 steps.
    assert 8 <= sgd.diverged_at <= 12
    assert f"SGD diverged at step {sgd.diverged_at}" in sgd.message()
    assert runs["Adam"].diverged_at is None  # Adam's step is bounded by lr


def test_overflow_to_inf_is_divergence():
    land = ls.landscape("beale")
    tr = ls.run_optimisers(land, ["Momentum"], 0.5, 300, 0.99, (4.0, 4.0))["Momentum"]
    assert tr.diverged_at is not None
    assert np.isfinite(tr.loss).all()


def test_gradient_noise_is_seeded_and_changes_the_path():
    land = ls.landscape("saddle")
    plain = ls.run_optimisers(land, ["SGD"], 0.05, 200, start=(-1.8, 0.0))["SGD"]
    noisy = ls.run_optimisers(land, ["SGD"], 0.05, 200, start=(-1.8, 0.0), noise=0.5)["SGD"]
    again = ls.run_optimisers(land, ["SGD"], 0.05, 200, start=(-1.8, 0.0), noise=0.5)["SGD"]
    assert abs(plain.xy[-1, 1]) < 1e-12  # stuck on the saddle's ridge y = 0
    assert abs(abs(noisy.xy[-1, 1]) - 1.0) < 0.2  # noise knocks it into a minimum y = ±1
    np.testing.assert_array_equal(noisy.xy, again.xy)


def test_contour_segments_lie_on_the_level():
    land = ls.landscape("quadratic", 4.0)
    grid = ls.evaluate_grid(land, 120)
    segs = ls.contour_segments(grid.xs, grid.ys, grid.z, [1.0])
    assert len(segs) > 50
    # points on the ellipse (x² + 4y²)/2 = 1, up to the grid's linear interpolation
    for col_x, col_y in (("x", "y"), ("x2", "y2")):
        f = 0.5 * (segs[col_x] ** 2 + 4 * segs[col_y] ** 2)
        assert np.abs(f - 1.0).max() < 0.01


def test_filter_normalisation():
    model = ls.make_mlp(hidden=8)
    weights = {k: v.detach() for k, v in model.named_parameters()}
    d = ls.filter_normalised_direction(weights, torch.Generator().manual_seed(3))
    for name, w in weights.items():
        assert d[name].shape == w.shape
        if w.dim() == 1:
            assert torch.count_nonzero(d[name]) == 0
        else:
            torch.testing.assert_close(d[name].norm(dim=1), w.norm(dim=1))
            assert not torch.allclose(d[name], w)


def test_li_slice_progress_and_result():
    events = list(ls.li_slice(resolution=7, span=1.0, epochs=60))
    assert [e.stage for e in events][-1] == "done"
    assert [e.done for e in events if e.stage == "slice"] == list(range(1, 8))
    res = events[-1].result
    assert res.loss.shape == (7, 7)
    # the centre of the slice is the trained weights: its loss is the final training loss
    model = ls.make_mlp()
    x, y = ls.toy_moons()
    assert res.loss[3, 3] == pytest.approx(res.train_loss[-1], rel=0.2)
    assert res.loss[3, 3] <= res.loss.max()
    # the 1-D line at t = 0 is the untrained model's loss
    with torch.no_grad():
        initial = torch.nn.functional.cross_entropy(model(x), y).item()
    t0 = int(np.argmin(np.abs(res.line_t)))
    assert res.line_t[t0] == pytest.approx(0.0, abs=1e-6)
    assert res.line_loss[t0] == pytest.approx(initial, rel=1e-4)


@pytest.mark.parametrize("code", [ls.CODE_OPTIMISER, ls.CODE_GRID, ls.CODE_LI])
def test_shown_code_runs(code, capsys):
    exec(compile(code, "<shown code>", "exec"), {})
    assert capsys.readouterr().out.strip()
