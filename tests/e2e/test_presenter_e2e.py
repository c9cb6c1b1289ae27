"""Presenter mode and the browser's history in a real browser at projector resolution (1280 x 720)."""

from urllib.parse import urlsplit

import pytest

from tests.e2e.conftest import no_error_on_screen, screenshot, settle

pytestmark = pytest.mark.e2e

FONT_SIZE = "() => parseFloat(getComputedStyle(document.documentElement).fontSize)"
VISIBLE = """(sel) => [...document.querySelectorAll(sel)]
                        .filter(e => e.checkVisibility({checkVisibilityCSS: true})).length"""
SMALLEST_CAPTION = """() => Math.min(...[...document.querySelectorAll(
    '[data-testid="stMain"] [data-testid="stCaptionContainer"] p')]
    .map(p => parseFloat(getComputedStyle(p).fontSize)))"""
HOME_TITLE = "PyTorch, live"  # app_pages/home.py's title
EXPANDER = '[data-testid="stMain"] [data-testid="stExpander"]'


def _folded(pg) -> bool:
    box = pg.locator('[data-testid="stSidebar"]').bounding_box()
    return box is None or box["width"] < 50 or box["x"] + box["width"] < 10


def test_presenter_link_gives_large_type_and_keeps_code_and_captions(server, projector):
    projector.goto(f"{server}/tensors")
    settle(projector, timeout=120)
    normal_font = projector.evaluate(FONT_SIZE)
    expanders = projector.evaluate(VISIBLE, EXPANDER)
    assert expanders >= 1, "the page has code expanders"
    assert not _folded(projector)

    projector.goto(f"{server}/tensors?present=1")
    settle(projector, timeout=120)
    no_error_on_screen(projector)
    assert projector.evaluate(FONT_SIZE) > normal_font
    assert projector.evaluate(VISIBLE, EXPANDER) == expanders, "the code stays at hand"
    assert projector.evaluate(SMALLEST_CAPTION) >= 16, "captions readable from the back row"
    assert _folded(projector)
    screenshot(projector, "presenter-tensors-1280x720")


def test_the_presenter_toggle_folds_the_sidebar(server, projector):
    projector.goto(f"{server}/loss_functions")
    settle(projector, timeout=120)
    assert not _folded(projector)
    projector.locator('[data-testid="stSidebar"]').get_by_text("Presenter mode").click()
    settle(projector)
    projector.wait_for_timeout(1000)  # the sidebar's own slide-out
    assert _folded(projector), "switching presenter mode on folds the sidebar away"
    assert "present=1" in projector.url


def test_back_goes_back_one_page_per_press(server, projector):
    projector.goto(f"{server}/")
    settle(projector, timeout=120)
    nav = projector.locator('[data-testid="stSidebarNav"]')
    visited = []
    for title, path in [("Tensors", "/tensors"), ("Loss functions", "/loss_functions"),
                        ("Modules & the training loop", "/modules")]:  # fmt: skip
        nav.get_by_text(title, exact=True).click()
        settle(projector, timeout=120)
        assert path in projector.url  # the page wrote its settings into the link
        visited.append(path)
    for path in reversed(visited[:-1]):
        projector.go_back()
        settle(projector, timeout=120)
        assert path in projector.url, f"one press of Back goes to {path}, not {projector.url}"
    projector.go_back()
    settle(projector, timeout=120)
    # Home, whatever query its history entry carries: on a busy machine Streamlit may write the
    # first page's settings (?topic=ranks) into the entry it navigated from; Home ignores them
    assert urlsplit(projector.url).path == "/", projector.url
    assert projector.locator('[data-testid="stMain"] h1').first.inner_text() == HOME_TITLE
