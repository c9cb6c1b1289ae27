"""Gradient descent and loss functions pages in a real browser: charts draw and redraw."""

from pathlib import Path

import pytest

from tests.e2e.conftest import no_error_on_screen, screenshot, settle

pytestmark = pytest.mark.e2e

CHART = '[data-testid="stVegaLiteChart"]'


def _tex(page) -> list[str]:
    """The TeX source of every formula on screen (KaTeX keeps it in an annotation)."""
    return page.locator("annotation").all_text_contents()


def _slider_right(page, label: str, presses: int) -> None:
    thumb = page.locator('[data-testid="stSlider"]').filter(has_text=label).get_by_role("slider")
    thumb.focus()
    for _ in range(presses):
        thumb.press("ArrowRight")


def test_gradient_descent_page(server, page):
    page.goto(f"{server}/{Path('app_pages/gradient_descent.py').stem}")
    page.wait_for_selector(CHART, timeout=120_000)
    settle(page, timeout=120)
    no_error_on_screen(page)
    assert page.locator(CHART).count() >= 2
    assert any("t = 299" in tex for tex in _tex(page))  # the last step's update rule
    screenshot(page, "gradient_descent-1-start")
    before = page.locator(CHART).first.screenshot()

    # Scrub back: the map redraws and the update rule shows the earlier step's numbers.
    thumb = page.locator('[data-testid="stSlider"]').filter(has_text="Scrub").get_by_role("slider")
    thumb.focus()
    for _ in range(20):
        thumb.press("ArrowLeft")
    settle(page)
    no_error_on_screen(page)
    assert any("t = 280" in tex for tex in _tex(page)), _tex(page)
    assert page.locator(CHART).first.screenshot() != before

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
    page.goto(f"{server}/{Path('app_pages/loss_functions.py').stem}?predict=0")
    page.wait_for_selector(CHART, timeout=120_000)
    settle(page, timeout=120)
    no_error_on_screen(page)
    assert page.locator(CHART).count() >= 2  # the regression tab: the losses and their slopes
    screenshot(page, "loss_functions-1-start")
    page.get_by_role("tab", name="One outlier").click()
    page.wait_for_selector(CHART, timeout=120_000)
    settle(page)
    outlier = page.locator(CHART).last
    outlier.scroll_into_view_if_needed()
    before = outlier.screenshot()
    _slider_right(page, "Outlier position y", 30)
    settle(page)
    no_error_on_screen(page)
    assert page.locator(CHART).last.screenshot() != before
    screenshot(page, "loss_functions-2-outlier-moved")


def test_a_click_on_the_map_starts_the_paths_there(server, page):
    page.goto(f"{server}/{Path('app_pages/gradient_descent.py').stem}?fn=rosenbrock")
    page.wait_for_selector(CHART, timeout=120_000)
    settle(page, timeout=120)
    start_x = page.get_by_label("Start x")
    start_y = page.get_by_label("Start y")
    assert (float(start_x.input_value()), float(start_y.input_value())) == (-1.2, 1.0)
    plot = page.locator(CHART).first.locator("canvas, svg").first
    box = plot.bounding_box()
    # the map's plot area is the upper part of the chart, right of the y axis: aim at the
    # middle of its right half and low in it (Rosenbrock's window: x in [-2, 2], y in [-1, 3])
    plot.click(position={"x": box["width"] * 0.75, "y": box["height"] * 0.45})
    settle(page, timeout=120)
    no_error_on_screen(page)
    x, y = float(start_x.input_value()), float(start_y.input_value())
    assert 0.0 < x <= 2.0 and -1.0 <= y < 1.0, (x, y)
    assert page.get_by_text("paths up to step").count() >= 1
