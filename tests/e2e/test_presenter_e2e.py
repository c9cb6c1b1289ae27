"""Presenter mode in a real browser at projector resolution (1280 x 720)."""

import pytest

from tests.e2e.conftest import no_error_on_screen, screenshot, settle

pytestmark = pytest.mark.e2e

FONT_SIZE = "() => parseFloat(getComputedStyle(document.documentElement).fontSize)"
VISIBLE_EXPANDERS = """() => [...document.querySelectorAll('[data-testid="stExpander"]')]
                          .filter(e => e.offsetParent !== null).length"""


def test_presenter_link_gives_large_type_and_folds_explanations(server, projector):
    projector.goto(f"{server}/gradient_descent")
    settle(projector, timeout=120)
    normal_font = projector.evaluate(FONT_SIZE)
    assert projector.evaluate(VISIBLE_EXPANDERS) >= 1, "the page has code expanders"
    sidebar_width = projector.locator('[data-testid="stSidebar"]').bounding_box()["width"]

    projector.goto(f"{server}/gradient_descent?present=1")
    settle(projector, timeout=120)
    no_error_on_screen(projector)
    assert projector.evaluate(FONT_SIZE) > normal_font
    assert projector.evaluate(VISIBLE_EXPANDERS) == 0, "explanations are folded away"
    box = projector.locator('[data-testid="stSidebar"]').bounding_box()
    assert sidebar_width > 200 and (box is None or box["width"] < 50 or box["x"] < -100)
    assert projector.locator('[data-testid="stVegaLiteChart"]').count() >= 1
    screenshot(projector, "presenter-gradient_descent-1280x720")
