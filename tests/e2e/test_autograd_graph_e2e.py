"""The autograd page in a real browser: the graph renders, a preset change redraws it."""

from pathlib import Path

import pytest

from tests.e2e.conftest import SCREENSHOTS, no_error_on_screen, screenshot, settle

pytestmark = pytest.mark.e2e

URL_PATH = Path("app_pages/autograd_graph.py").stem
GRAPH = '[data-testid="stGraphVizChart"]'


def _open(server, page) -> None:
    page.goto(f"{server}/{URL_PATH}")
    page.wait_for_selector(f"{GRAPH} svg", timeout=90_000)  # the first run imports torch
    settle(page, timeout=90)
    assert page.get_by_text("Presenter mode").count() >= 1, "the shell's sidebar is there"


def _shoot_graph(page, name: str) -> None:
    path = SCREENSHOTS / f"{name}-graph.png"
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.locator(GRAPH).first.screenshot(path=str(path))


def _graph_text(page) -> str:
    page.wait_for_selector(f"{GRAPH} svg", timeout=30_000)
    return page.locator(GRAPH).first.inner_text()


def _choose_preset(page, starts_with: str) -> None:
    box = page.locator('[data-testid="stSelectbox"]').first
    box.scroll_into_view_if_needed()
    page.wait_for_timeout(500)  # a scroll while the list opens would close it again
    box.get_by_role("combobox").click()
    page.wait_for_selector('[role="option"]', timeout=30_000)
    page.get_by_role("option").filter(has_text=starts_with).first.click()
    settle(page)


def test_graph_renders_and_redraws(server, page):
    _open(server, page)
    no_error_on_screen(page)
    first = _graph_text(page)
    assert "DotBackward0" in first and "MulBackward0" in first
    # the walk is progressive: at step 0 only the output knows its gradient
    assert "-0.26" not in first and "grad ?" in first and "grad 1.00" in first
    slider = page.locator('[data-testid="stSlider"] input[type="range"]').first
    slider.focus()
    for _ in range(2):
        slider.press("ArrowRight")
    settle(page)
    assert "Step 2: MulBackward0" in page.locator('[data-testid="stMain"]').inner_text()
    assert "-0.26" not in _graph_text(page)  # not reached yet
    slider.press("ArrowRight")
    settle(page)
    assert "Step 3: x (leaf)" in page.locator('[data-testid="stMain"]').inner_text()
    assert "-0.26" in _graph_text(page)  # x.grad = z ⊙ y, once the walk reaches the leaf
    screenshot(page, "autograd_graph-1-dot-product")
    _shoot_graph(page, "autograd_graph-1-dot-product")

    _choose_preset(page, "2 ·")
    no_error_on_screen(page)
    second = _graph_text(page)
    assert "AddBackward0" in second and "e = MulBackward0" in second
    assert page.locator(GRAPH).count() == 2  # the comparison graph beside it
    screenshot(page, "autograd_graph-2-shared")
    _shoot_graph(page, "autograd_graph-2-shared")

    _choose_preset(page, "5 ·")
    no_error_on_screen(page)
    third = _graph_text(page)
    assert "AddmmBackward0" in third and "MseLossBackward0" in third
    assert third != second
    screenshot(page, "autograd_graph-5-mlp")
    _shoot_graph(page, "autograd_graph-5-mlp")


def test_bad_program_shows_an_error_not_a_traceback(server, page):
    _open(server, page)
    area = page.locator('[data-testid="stTextArea"] textarea').first
    area.fill("r = x.__class__")
    area.press("Control+Enter")
    settle(page)
    error = page.locator('[data-testid="stAlertContentError"]')
    assert error.count() == 1
    assert "attributes" in error.first.inner_text()
    assert page.locator('[data-testid="stException"]').count() == 0
    screenshot(page, "autograd_graph-bad-program")
