"""The test functions: known minima are minima, hand-derived gradients equal autograd."""

import pytest
import torch

from core.landscapes import contours, functions


@pytest.mark.parametrize("key", functions.KEYS)
def test_known_minima_are_minima(key):
    land = functions.landscape(key, kappa=10.0)
    for mx, my in land.minima:
        p = torch.tensor([mx, my], dtype=torch.float64, requires_grad=True)
        value = land.fn(p[0], p[1])
        (grad,) = torch.autograd.grad(value, p)
        assert value.item() == pytest.approx(land.f_min, abs=1e-4)
        assert grad.norm().item() < 5e-3  # minima are tabulated to 4-6 digits
    # and nothing on a fine grid over the window is lower than the known minimum
    grid = contours.evaluate_grid(land, 301)
    assert grid.z.min() >= land.f_min - 1e-9


@pytest.mark.parametrize("key", functions.KEYS)
@pytest.mark.parametrize("kappa", [1.0, 10.0, 100.0])
def test_hand_derived_gradient_equals_autograd(key, kappa):
    land = functions.landscape(key, kappa)
    x0, x1, y0, y1 = land.window
    gen = torch.Generator().manual_seed(1)
    u = torch.rand(2, 500, generator=gen, dtype=torch.float64)
    x = (x0 + (x1 - x0) * u[0]).requires_grad_()
    y = (y0 + (y1 - y0) * u[1]).requires_grad_()
    auto_x, auto_y = torch.autograd.grad(land.fn(x, y).sum(), (x, y))
    hand_x, hand_y = land.grad(x.detach(), y.detach())
    torch.testing.assert_close(hand_x, auto_x, rtol=1e-12, atol=1e-9)
    torch.testing.assert_close(hand_y, auto_y, rtol=1e-12, atol=1e-9)


def test_himmelblau_values_by_hand():
    land = functions.landscape("himmelblau")
    # f(0, 0) = 121 + 49; f(1, 1) = 81 + 25
    assert land.fn(torch.tensor(0.0), torch.tensor(0.0)).item() == pytest.approx(170.0)
    assert land.fn(torch.tensor(1.0), torch.tensor(1.0)).item() == pytest.approx(106.0)
