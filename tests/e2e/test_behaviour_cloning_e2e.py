"""Behaviour cloning in the browser: collect, train one epoch, play a match, see the animation."""

from pathlib import Path

import pytest

from tests.e2e.conftest import no_error_on_screen, screenshot, settle

pytestmark = pytest.mark.e2e


def _tab(page, name):
    page.get_by_role("tab", name=name).click()
    settle(page)


def test_train_briefly_and_watch_a_match(server, page):
    page.goto(f"{server}/{Path('app_pages/behaviour_cloning.py').stem}")
    settle(page)
    page.get_by_role("button", name="Collect 10,000 expert pairs").click()
    settle(page, 120)
    no_error_on_screen(page)
    assert page.locator('[data-testid="stVegaLiteChart"]').count() >= 1  # action histograms
    screenshot(page, "behaviour_cloning_data")

    _tab(page, "Train")
    epochs = page.get_by_role("slider", name="Epochs")
    epochs.focus()
    for _ in range(9):  # 10 -> 1 epoch
        page.keyboard.press("ArrowLeft")
    settle(page)
    page.get_by_role("button", name="Train", exact=True).click()
    settle(page, 300)
    no_error_on_screen(page)
    assert page.get_by_text("Last epoch:").count() == 1
    screenshot(page, "behaviour_cloning_train")

    _tab(page, "Play")
    page.get_by_role("button", name="Play a match").click()
    settle(page, 120)
    no_error_on_screen(page)
    images = page.locator('[data-testid="stImage"] img')
    assert images.count() >= 2  # the looping GIF and the scrubbed frame
    src = images.first.get_attribute("src") or ""
    assert src, "the animation has a source"
    screenshot(page, "behaviour_cloning_play")
