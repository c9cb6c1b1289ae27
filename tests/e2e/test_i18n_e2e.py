"""中文 / English in a real browser: a Chinese browser gets Chinese in a simplified-Chinese face,
the sidebar switch turns the page to English and back, and the link carries the language."""

import pytest

from tests.e2e.conftest import no_error_on_screen, screenshot, settle

pytestmark = pytest.mark.e2e


def _fonts(pg, selector: str) -> dict[str, int]:
    """The platform fonts that drew the first `selector`'s text: family -> glyphs."""
    cdp = pg.context.new_cdp_session(pg)
    cdp.send("DOM.enable")
    cdp.send("CSS.enable")
    root = cdp.send("DOM.getDocument", {"depth": -1, "pierce": True})["root"]["nodeId"]
    node = cdp.send("DOM.querySelector", {"nodeId": root, "selector": selector})["nodeId"]
    used = cdp.send("CSS.getPlatformFontsForNode", {"nodeId": node})["fonts"]
    return {f["familyName"]: f["glyphCount"] for f in used}


@pytest.fixture()
def chinese_projector(browser):
    """A Chinese browser (navigator.language zh-CN) in a 1280 x 720 window."""
    context = browser.new_context(viewport={"width": 1280, "height": 720}, locale="zh-CN")
    pg = context.new_page()
    pg.set_default_timeout(90_000)
    yield pg
    context.close()


def test_a_chinese_browser_reads_chinese_and_switches_to_english(server, chinese_projector):
    pg = chinese_projector
    pg.goto(f"{server}/")
    settle(pg)
    no_error_on_screen(pg)
    heading = pg.locator('[data-testid="stMain"] h3').first
    assert heading.inner_text().strip() == "基础"
    assert "lang=zh" in pg.url
    fonts = _fonts(pg, '[data-testid="stMain"] [data-testid="stCaptionContainer"] p')
    assert fonts.get("Noto Sans CJK SC", 0) > 10, fonts  # simplified-Chinese forms, not JP/KR
    assert not any("JP" in f or "KR" in f or "TC" in f for f in fonts), fonts
    screenshot(pg, "i18n-home-zh-1280x720")

    pg.goto(f"{server}/?present=1&lang=zh")
    settle(pg)
    screenshot(pg, "i18n-home-zh-presenter-1280x720")

    pg.goto(f"{server}/")
    settle(pg)
    pg.locator('[data-testid="stSidebar"]').get_by_text("English", exact=True).click()
    pg.wait_for_function(
        """() => [...document.querySelectorAll('[data-testid="stMain"] h3')]
                 .some(h => h.innerText.trim() === 'Basics')"""
    )
    settle(pg)
    assert "lang=en" in pg.url
    screenshot(pg, "i18n-home-en-switched-1280x720")
    pg.locator('[data-testid="stSidebar"]').get_by_text("中文", exact=True).click()
    pg.wait_for_function(
        """() => [...document.querySelectorAll('[data-testid="stMain"] h3')]
                 .some(h => h.innerText.trim() === '基础')"""
    )
    assert "lang=zh" in pg.url


def test_a_chart_page_in_chinese_keeps_its_link_and_its_charts(server, chinese_projector):
    pg = chinese_projector
    pg.goto(f"{server}/gradient_descent?lang=zh&present=1&fn=himmelblau")
    pg.wait_for_selector('[data-testid="stVegaLiteChart"]', timeout=120_000)
    settle(pg, timeout=120)
    no_error_on_screen(pg)
    assert "lang=zh" in pg.url and "fn=himmelblau" in pg.url
    screenshot(pg, "i18n-gradient_descent-zh-presenter-1280x720")
