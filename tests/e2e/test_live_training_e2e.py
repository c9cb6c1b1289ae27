"""Live training in a real browser: a run starts, its charts move while it trains, it finishes."""

import time
from pathlib import Path

import pytest
from playwright.sync_api import Error as PlaywrightError

from tests.e2e.conftest import no_error_on_screen, screenshot, settle

pytestmark = pytest.mark.e2e

URL_PATH = Path("app_pages/live_training.py").stem
CHART = '[data-testid="stVegaLiteChart"]'


def _open(page, server) -> None:
    page.goto(f"{server}/{URL_PATH}")
    page.get_by_role("button", name="Start").wait_for(timeout=120_000)
    settle(page, timeout=120)


def _chart_png(page, index: int = 0) -> bytes:
    """The chart's picture; a live chart may be swapped for its next frame while the shot is
    taken (the element leaves the page): then the next frame is taken instead."""
    for _ in range(20):
        try:
            return page.locator(CHART).nth(index).screenshot(timeout=10_000)
        except PlaywrightError as e:
            if "not attached" not in str(e):
                raise
            time.sleep(0.05)
    raise AssertionError("the chart was replaced under every screenshot")


def _wait_finished(page, timeout: float = 120.0) -> None:
    page.get_by_text("Finished:").first.wait_for(timeout=timeout * 1000)


def _wait_chart_change(page, than: bytes, timeout: float = 60.0) -> bytes:
    """The chart's picture once it differs from `than`, taken while the run is still running."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        now = _chart_png(page)
        if now != than:
            assert page.get_by_text("Running:").count() > 0, "the change came mid-run"
            return now
        time.sleep(0.1)
    raise AssertionError(f"the chart did not change within {timeout} s")


def test_regression_run_moves_the_charts_and_finishes(server, page):
    _open(page, server)
    no_error_on_screen(page)
    assert page.get_by_role("tab", name="Regression").count() == 1
    before = _chart_png(page)
    page.get_by_role("button", name="Start").click()
    # slow motion stretches the regression over about six seconds: catch it mid-run twice
    page.get_by_text("Running:").first.wait_for(timeout=60_000)
    during_1 = _wait_chart_change(page, before)  # the chart changed once training started
    _wait_chart_change(page, during_1)  # and keeps moving while it trains
    _wait_finished(page)
    settle(page)
    no_error_on_screen(page)
    assert page.get_by_text("|w − w*|").count() >= 1
    screenshot(page, "live_training-regression-finished")


def test_classification_boundary_redraws(server, page):
    _open(page, server)
    page.get_by_role("tab", name="2-D classification").click()
    settle(page)
    page.get_by_label("Data set").first.click()
    page.get_by_role("option", name="spiral").click()
    settle(page)
    before = _chart_png(page)
    page.get_by_role("button", name="Start").click()
    _wait_finished(page)
    settle(page)
    no_error_on_screen(page)
    after = _chart_png(page)
    assert after != before, "the decision boundary was redrawn by training"
    assert page.locator(CHART).count() >= 3  # boundary, loss, accuracy
    screenshot(page, "live_training-spiral-finished")
