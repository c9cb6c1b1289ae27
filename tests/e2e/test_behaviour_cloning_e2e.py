"""Behaviour cloning in the browser: the game at once, collect, train, matches, play, export, link."""

import io
import zipfile
from pathlib import Path

import pytest

from tests.e2e.conftest import no_error_on_screen, screenshot, settle

pytestmark = pytest.mark.e2e
expect = pytest.importorskip("playwright.sync_api").expect

IMAGES = '[data-testid="stImage"] img'
CHARTS = '[data-testid="stVegaLiteChart"]'


def _tab(page, name):
    page.get_by_role("tab", name=name).click()
    settle(page)


def _panel(page):
    return page.locator('[role="tabpanel"]:visible')


def _press(page, slider_name, key, times):
    slider = page.get_by_role("slider", name=slider_name)
    slider.focus()
    for _ in range(times):
        page.keyboard.press(key)
    settle(page)


def test_the_page_end_to_end(server, page):
    page.goto(f"{server}/{Path('app_pages/behaviour_cloning.py').stem}")
    settle(page, 180)  # a fresh server imports torch and the game first
    no_error_on_screen(page)
    # first look, before any button: the arena, both views and the colour legend
    assert _panel(page).locator(IMAGES).count() >= 3
    assert _panel(page).locator(CHARTS).count() >= 1
    screenshot(page, "behaviour_cloning_game")

    _tab(page, "Expert & data")
    page.get_by_role("button", name="Collect 10,000 expert pairs").click()
    settle(page, 120)
    no_error_on_screen(page)
    assert _panel(page).locator(CHARTS).count() >= 3  # histograms, positions, distance
    assert _panel(page).locator(IMAGES).count() == 4  # observations drawn large
    screenshot(page, "behaviour_cloning_data")

    _tab(page, "Train")
    _press(page, "Epochs", "ArrowLeft", 6)  # 8 -> 2 epochs
    assert "bc_epochs=2" in page.url, "the setting is in the shareable link"
    page.get_by_role("button", name="Train", exact=True).click()
    settle(page, 300)
    no_error_on_screen(page)
    assert page.get_by_text("Last epoch:").count() == 1
    assert _panel(page).locator(CHARTS).count() == 1  # the loss curves
    screenshot(page, "behaviour_cloning_train")

    _tab(page, "Matches")
    _press(page, "Games per pairing", "ArrowLeft", 4)  # 100 -> 20 games
    page.get_by_role("button", name="Play the matches").click()
    settle(page, 300)
    no_error_on_screen(page)
    assert _panel(page).locator('[data-testid="stTable"]').count() == 1  # wraps, never clips
    screenshot(page, "behaviour_cloning_matches")

    _tab(page, "Play")
    assert _panel(page).locator(IMAGES).count() == 2  # the start and the agent's view
    page.get_by_role("button", name="Play a match").click()
    settle(page, 120)
    no_error_on_screen(page)
    images = _panel(page).locator(IMAGES)
    assert images.count() == 3  # the looping GIF, the scrubbed arena, the agent's view
    gif = images.first.get_attribute("src") or ""
    assert gif, "the animation has a source"
    before = images.nth(1).get_attribute("src")
    _press(page, "Step of the match", "ArrowRight", 5)
    assert (
        page.get_by_role("slider", name="Step of the match").get_attribute("aria-valuetext") == "5"
    )
    # scrubbing redraws the arena (a new picture), whenever the busy machine gets round to it
    expect(_panel(page).locator(IMAGES).nth(1)).not_to_have_attribute("src", before, timeout=60_000)
    settle(page)
    screenshot(page, "behaviour_cloning_play")

    _tab(page, "Export")
    with page.expect_download() as info:
        page.get_by_role("button", name="Download submission.zip").click()
    raw = Path(info.value.path()).read_bytes()
    names = zipfile.ZipFile(io.BytesIO(raw)).namelist()
    assert sorted(names) == ["bc_policy.pt", "submission.py"]
    screenshot(page, "behaviour_cloning_export")
