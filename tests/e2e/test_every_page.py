"""Every page in a real browser: renders its visuals, shows no error, gets a screenshot."""

import pytest

from app_pages.outline import chapters
from tests.e2e.conftest import no_error_on_screen, screenshot, settle

pytestmark = pytest.mark.e2e

VISUALS = (
    '[data-testid="stVegaLiteChart"], [data-testid="stGraphVizChart"], '
    '[data-testid="stImage"], [data-testid="stDataFrame"], [data-testid="stTable"]'
)


def test_home(server, page):
    page.goto(server)
    settle(page)
    no_error_on_screen(page)
    assert page.locator("h1").first.inner_text().startswith("PyTorch, live")
    for chapter in chapters():
        assert page.get_by_role("link", name=chapter.title).count() >= 1
    screenshot(page, "00-home")


DRAWN_CHARTS = """() => Array.from(document.querySelectorAll('[data-testid="stVegaLiteChart"]'))
    .map(e => e.querySelector('canvas, svg') ? e.getBoundingClientRect().height : 0)"""


@pytest.mark.parametrize("chapter", chapters(), ids=lambda c: c.url_path)
def test_page_renders_visuals(server, page, chapter):
    errors = []  # the browser's uncaught exceptions: a chart Vega refused ends up here
    page.on("pageerror", lambda err: errors.append(str(err)))
    page.goto(f"{server}/{chapter.url_path}")
    settle(page, timeout=90)
    screenshot(page, chapter.url_path)
    no_error_on_screen(page)
    assert page.get_by_text("Presenter mode").count() >= 1, "the shell's sidebar is there"
    assert page.locator(VISUALS).count() >= 1, "a page shows at least one chart, graph or image"
    heights = page.evaluate(DRAWN_CHARTS)
    assert all(h > 50 for h in heights), f"every chart drawn, {heights} px high"
    assert not errors, errors
