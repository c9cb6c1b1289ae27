"""The Tensors page in Chromium: grids render, a widget change redraws them, screenshots saved."""

from pathlib import Path

import pytest

from tests.e2e.conftest import no_error_on_screen, screenshot, settle

pytestmark = pytest.mark.e2e

URL = Path("app_pages/tensors.py").stem
CHART = '[data-testid="stVegaLiteChart"]'


def _chart_titles(page) -> list[str]:
    """The text Vega draws in every chart (titles include the shapes)."""
    return page.locator(CHART).evaluate_all(
        "els => els.map(e => Array.from(e.querySelectorAll('text')).map(t => t.textContent).join('|'))"
    )


def _choose(page, label: str, option: str) -> None:
    box = page.locator('[data-testid="stSelectbox"]').filter(has_text=label).first
    box.click()
    page.get_by_role("option", name=option, exact=True).click()
    settle(page)


def test_tensors_page_redraws_on_widget_change(server, page):
    page.set_viewport_size({"width": 1400, "height": 2200})  # the main area scrolls: show it all
    # Home first: on a fresh server Streamlit's first direct hit on /tensors bypasses st.navigation.
    page.goto(server)
    settle(page)
    page.goto(f"{server}/{URL}?predict=0")  # the demos themselves (test_predict_e2e asks first)
    page.wait_for_selector(CHART, timeout=90_000)
    settle(page, timeout=90)
    no_error_on_screen(page)
    assert page.locator(CHART).count() >= 1
    before = _chart_titles(page)
    assert any("shape (2, 3)" in t for t in before), before
    screenshot(page, "tensors-01-ranks")

    # Move the size of dim 0 from 2 to 3 with the keyboard: the grid is redrawn as (3, 3).
    slider = page.locator('[data-testid="stSlider"]').filter(has_text="size of dim 0").first
    slider.get_by_role("slider").focus()
    page.keyboard.press("ArrowRight")
    settle(page)
    no_error_on_screen(page)
    after = _chart_titles(page)
    assert any("shape (3, 3)" in t for t in after), after
    assert after != before

    # The broadcasting topic: tables, stretched grids and the printed result.
    _choose(page, "Topic", "Broadcasting")
    no_error_on_screen(page)
    titles = _chart_titles(page)
    assert any("a stretched to (3, 4)" in t for t in titles), titles
    screenshot(page, "tensors-02-broadcasting")

    _choose(page, "Topic", "expand vs repeat (memory sharing)")
    no_error_on_screen(page)
    titles = _chart_titles(page)
    assert any("e = x.expand(...)" in t and "r = x.repeat(...)" in t for t in titles), titles
    screenshot(page, "tensors-03-expand")
