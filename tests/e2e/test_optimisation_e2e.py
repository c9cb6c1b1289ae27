"""Gradient descent and loss functions pages in a real browser: charts draw and redraw."""

from pathlib import Path

import pytest

from tests.e2e.conftest import no_error_on_screen, screenshot, settle

pytestmark = pytest.mark.e2e

CHART = '[data-testid="stVegaLiteChart"]'


def _slider_right(page, label: str, presses: int) -> None:
    thumb = page.locator('[data-testid="stSlider"]').filter(has_text=label).get_by_role("slider")
    thumb.focus()
    for _ in range(presses):
        thumb.press("ArrowRight")


def test_gradient_descent_page(server, page):
    page.goto(f"{server}/{Path('pages/gradient_descent.py').stem}")
    settle(page, timeout=120)
    no_error_on_screen(page)
    assert page.locator(CHART).count() >= 2
    assert page.get_by_text("Rosenbrock: paths up to step 300").count() >= 1
    screenshot(page, "gradient_descent-1-start")

    # Scrub back to step 200: the map's title follows the scrubber.
    thumb = page.locator('[data-testid="stSlider"]').filter(has_text="Scrub").get_by_role("slider")
    thumb.focus()
    for _ in range(10):
        thumb.press("PageDown")
    settle(page)
    assert page.get_by_text("Rosenbrock: paths up to step").count() >= 1
    assert page.get_by_text("paths up to step 300").count() == 0

    # A learning rate far too large: divergence is reported in words, the charts stay.
    _slider_right(page, "Learning rate", 8)
    settle(page)
    no_error_on_screen(page)
    assert page.get_by_text("diverged at step").count() >= 1
    assert page.locator(CHART).count() >= 2
    screenshot(page, "gradient_descent-2-diverged")

    # The Li et al. slice behind its button.
    page.get_by_role("button", name="Compute the landscape slice").click()
    settle(page, timeout=180)
    no_error_on_screen(page)
    assert page.get_by_text("Loss around the trained weights").count() >= 1
    page.get_by_text("A real network's landscape").scroll_into_view_if_needed()
    screenshot(page, "gradient_descent-3-li-slice")


def test_loss_functions_page(server, page):
    page.goto(f"{server}/{Path('pages/loss_functions.py').stem}")
    settle(page, timeout=120)
    no_error_on_screen(page)
    assert page.locator(CHART).count() >= 3
    screenshot(page, "loss_functions-1-start")
    _slider_right(page, "Outlier", 10)
    settle(page)
    no_error_on_screen(page)
    screenshot(page, "loss_functions-2-outlier-moved")
