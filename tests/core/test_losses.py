"""Losses: torch.nn classes vs hand formulas, autograd vs finite differences, fits."""

import itertools

import numpy as np
import pytest
import torch
from torch import nn

from core import losses as lf

R = torch.tensor([-2.5, -1.0, -0.3, 0.0, 0.4, 1.0, 3.0], dtype=torch.float64)


def test_regression_losses_equal_hand_formulas():
    d = 0.7
    a = R.abs()
    hand = {
        "MSE": R**2,
        "L1": a,
        "Huber": torch.where(a <= d, 0.5 * R**2, d * (a - 0.5 * d)),
        "SmoothL1": torch.where(a < d, 0.5 * R**2 / d, a - 0.5 * d),
    }
    for name, expected in hand.items():
        torch.testing.assert_close(lf.regression_loss(name, R, d), expected)
    # Huber is delta times SmoothL1 with beta = delta
    torch.testing.assert_close(
        lf.regression_loss("Huber", R, d), d * lf.regression_loss("SmoothL1", R, d)
    )


def test_regression_losses_equal_torch_nn_means():
    pred = torch.tensor([2.5, 0.0, 2.0, 8.0])
    target = torch.tensor([3.0, -0.5, 7.0, 8.5])
    r = pred - target
    assert lf.regression_loss("MSE", r).mean().item() == pytest.approx(
        nn.MSELoss()(pred, target).item()
    )
    assert lf.regression_loss("Huber", r, 1.5).mean().item() == pytest.approx(
        nn.HuberLoss(delta=1.5)(pred, target).item()
    )
    # hand: residuals -0.5, 0.5, -5, -0.5 -> MSE (0.25 * 3 + 25) / 4
    assert lf.regression_loss("MSE", r).mean().item() == pytest.approx(25.75 / 4)


def test_hinge_is_two_class_multimargin():
    f = torch.tensor([-2.0, -0.5, 0.0, 0.3, 1.0, 2.5], dtype=torch.float64)
    for label in (-1.0, 1.0):
        y = torch.full_like(f, label)
        torch.testing.assert_close(lf.hinge_via_multimargin(f, y), torch.clamp(1 - y * f, min=0))
    # by hand: f = 0.3, y = +1: logits (0, 0.3), target 1 -> max(0, 1 - 0.3 + 0) / 2 = 0.35
    one = nn.MultiMarginLoss()(torch.tensor([[0.0, 0.3]]), torch.tensor([1]))
    assert one.item() == pytest.approx(0.35)
    # HingeEmbeddingLoss is a different function: it does not give max(0, 1 - y f)
    f1 = torch.tensor([0.3])
    hel = nn.HingeEmbeddingLoss()(f1, torch.tensor([1.0])).item()
    assert hel != pytest.approx(0.7)


def test_logistic_family_is_one_curve():
    f = torch.linspace(-4, 4, 33, dtype=torch.float64)
    for label in (-1.0, 1.0):
        y = torch.full_like(f, label)
        hand = torch.log1p(torch.exp(-y * f))
        for name in ("SoftMargin", "BCE", "BCEWithLogits", "CrossEntropy"):
            torch.testing.assert_close(lf.classification_loss(name, f, y), hand)


def test_cross_entropy_by_hand():
    res = lf.softmax_cross_entropy([2.0, 1.0, -1.0], 0)
    e = np.exp([2.0, 1.0, -1.0])
    p = e / e.sum()
    assert res["loss"] == pytest.approx(-np.log(p[0]))
    np.testing.assert_allclose(res["probs"], p)
    np.testing.assert_allclose(res["grad"], p - np.array([1.0, 0, 0]), atol=1e-12)
    np.testing.assert_allclose(res["grad"], res["p_minus_onehot"], atol=1e-12)


@pytest.mark.parametrize("name", lf.REGRESSION + lf.CLASSIFICATION)
def test_gradients_match_finite_differences(name):
    curves = lf.loss_curves([name], -3, 3, 241, delta=0.8)
    x, loss, grad = curves["x"].to_numpy(), curves["loss"].to_numpy(), curves["gradient"].to_numpy()
    h = 1e-6
    # away from kinks (|r| = 0, δ; margin 1)
    kinks = np.array([0.0, 0.8, -0.8, 1.0])
    ok = np.abs(x[:, None] - kinks[None, :]).min(axis=1) > 1e-3
    xs = torch.tensor(x[ok], dtype=torch.float64)

    def value(t):
        if name in lf.REGRESSION:
            return lf.regression_loss(name, t, 0.8).numpy()
        return lf.classification_loss(name, t, torch.ones_like(t)).numpy()

    fd = (value(xs + h) - value(xs - h)) / (2 * h)
    np.testing.assert_allclose(grad[ok], fd, atol=1e-5)
    np.testing.assert_allclose(loss[ok], value(xs), atol=1e-12)


def test_mse_fit_is_least_squares_and_l1_fit_is_least_absolute():
    x, y = lf.outlier_data(10.0)
    w, b = lf.fit_line(x, y, "MSE")
    ref_w, ref_b = np.polyfit(x.numpy(), y.numpy(), 1)
    assert (w, b) == pytest.approx((ref_w, ref_b), abs=1e-3)
    # The L1 optimum of a line passes through two data points: search all pairs.
    xn, yn = x.numpy(), y.numpy()
    best = min(
        np.abs((yn[j] - yn[i]) / (xn[j] - xn[i]) * (xn - xn[i]) + yn[i] - yn).sum()
        for i, j in itertools.combinations(range(len(xn)), 2)
        if xn[i] != xn[j]
    )
    w1, b1 = lf.fit_line(x, y, "L1")
    assert np.abs(w1 * xn + b1 - yn).sum() == pytest.approx(best, abs=1e-2)
    # The outlier drags MSE's slope far more than L1's or Huber's
    wh, _ = lf.fit_line(x, y, "Huber")
    assert abs(w - 2) > 1.5 > abs(w1 - 2) and abs(wh - 2) < abs(w - 2)


def test_fitting_three_losses_in_one_loop_gives_each_fit_exactly():
    # the page fits MSE, L1 and Huber together: the same lines as three separate fits
    x, y = lf.outlier_data(-3.0, 0.6)
    together = lf.fit_lines(x, y, ("MSE", "L1", "Huber"), delta=0.7, steps=200)
    for name in ("MSE", "L1", "Huber"):
        plain = torch.zeros(2, dtype=torch.float64, requires_grad=True)
        opt = torch.optim.Adam([plain], lr=0.1)
        sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=200, eta_min=1e-5)
        for _ in range(200):
            opt.zero_grad()
            lf.regression_loss(name, plain[0] * x + plain[1] - y, 0.7).mean().backward()
            opt.step()
            sched.step()
        assert together[name] == pytest.approx(tuple(plain.tolist()), abs=1e-12), name


@pytest.mark.parametrize("code", [lf.CODE_LOSSES, lf.CODE_HINGE, lf.CODE_SOFTMAX, lf.CODE_OUTLIER])
def test_shown_code_runs(code, capsys):
    exec(compile(code, "<shown code>", "exec"), {})
    assert capsys.readouterr().out.strip()
