"""Shared links opened cold in a real browser: the setup appears, and moving a widget rewrites
the address bar so it can be bookmarked again."""

import time
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest

from tests.e2e.conftest import no_error_on_screen, screenshot, settle

pytestmark = pytest.mark.e2e

CHART = '[data-testid="stVegaLiteChart"]'


def _query(page) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlparse(page.url).query).items()}


def _wait_query(page, key: str, value: str, timeout: float = 30.0) -> None:
    deadline = time.time() + timeout
    while time.time() < deadline:
        if _query(page).get(key) == value:
            return
        time.sleep(0.2)
    raise AssertionError(f"the link never showed {key}={value}: {page.url}")


def _selected(box) -> str:
    """What a selectbox shows: its text and, where it is an editable combobox, its input."""
    inputs = box.locator("input")
    typed = inputs.first.input_value() if inputs.count() else ""
    return f"{box.inner_text()} {typed} {inputs.first.get_attribute('aria-label') or ''}"


def test_gradient_descent_link_opened_cold(server, page):
    stem = Path("app_pages/gradient_descent.py").stem
    page.goto(f"{server}/{stem}?fn=Himmelblau&opt=Adam,SGD&lr=0.01")
    page.wait_for_selector(CHART, timeout=120_000)
    settle(page, timeout=120)
    no_error_on_screen(page)
    landscape = page.locator('[data-testid="stSelectbox"]').filter(has_text="Landscape")
    assert "Himmelblau" in _selected(landscape)
    chosen = page.locator('[data-testid="stMultiSelect"]').filter(has_text="Optimisers")
    assert chosen.get_by_text("Adam", exact=True).count() == 1
    assert chosen.get_by_text("SGD", exact=True).count() == 1
    assert chosen.get_by_text("RMSprop", exact=True).count() == 0
    lr = page.locator('[data-testid="stSlider"]').filter(has_text="Learning rate")
    assert lr.get_by_role("slider").get_attribute("aria-valuetext") == "0.01"
    # the address bar now spells out the whole setup, names in their canonical form
    _wait_query(page, "fn", "himmelblau")
    assert _query(page)["opt"] == "Adam,SGD" and _query(page)["lr"] == "0.01"
    screenshot(page, "shareable-1-gradient-descent-link")

    # a widget moved by hand rewrites the link
    thumb = page.locator('[data-testid="stSlider"]').filter(has_text="Steps").get_by_role("slider")
    thumb.focus()
    thumb.press("ArrowLeft")
    settle(page)
    _wait_query(page, "steps", "290")
    no_error_on_screen(page)


def test_bad_link_shows_a_note_not_an_error(server, page):
    stem = Path("app_pages/gradient_descent.py").stem
    page.goto(f"{server}/{stem}?fn=Nope&lr=abc&steps=99999")
    page.wait_for_selector(CHART, timeout=120_000)
    settle(page, timeout=120)
    no_error_on_screen(page)
    assert page.get_by_text("from the link was ignored").count() == 3
    landscape = page.locator('[data-testid="stSelectbox"]').filter(has_text="Landscape")
    assert "Himmelblau" in _selected(landscape)
    _wait_query(page, "fn", "himmelblau")
    screenshot(page, "shareable-2-bad-link")


def test_live_training_link_opens_the_tab_and_its_settings(server, page):
    stem = Path("app_pages/live_training.py").stem
    page.goto(f"{server}/{stem}?tab=RNN&rnn_kind=LSTM&rnn_lr=0.003")
    page.get_by_role("button", name="Start").wait_for(timeout=120_000)
    settle(page, timeout=120)
    no_error_on_screen(page)
    assert page.get_by_role("tab", name="RNN").get_attribute("aria-selected") == "true"
    lr = page.locator('[data-testid="stSlider"]').filter(has_text="Learning rate")
    assert lr.get_by_role("slider").get_attribute("aria-valuetext") == "0.003"
    # a change inside the tab (a fragment rerun) still rewrites the link
    thumb = lr.get_by_role("slider")
    thumb.focus()
    thumb.press("ArrowRight")
    settle(page)
    _wait_query(page, "rnn_lr", "0.005")
    assert _query(page)["tab"] == "RNN" and _query(page)["rnn_kind"] == "LSTM"
    no_error_on_screen(page)
    screenshot(page, "shareable-3-live-training-link")


def test_a_refused_link_value_is_inert_text_in_the_browser(server, projector):
    # issues 29 and 30: a refused URL, www. name or e-mail address in a link was a live link in
    # the note, and right-to-left overrides and zero-width spaces reached the page's text
    stem = Path("app_pages/loss_functions.py").stem
    query = "delta=http://127.0.0.1:9/login&k=www.example.com&ox=admin@example.com"
    query += "&oy=1%E2%80%AE0%E2%80%8B&present=1"
    projector.goto(f"{server}/{stem}?{query}")
    settle(projector, timeout=120)
    no_error_on_screen(projector)
    notes = projector.locator('[data-testid="stAlertContentInfo"]').filter(
        has_text="from the link was ignored"
    )
    assert notes.count() == 4
    assert notes.locator("a").count() == 0  # not one live link among the notes
    text = " ".join(notes.all_inner_texts())
    for shown in ("http://127.0.0.1:9/login", "www.example.com", "admin@example.com"):
        assert shown in text, text
    assert "1[U+202E]0[U+200B]" in text
    html = "".join(notes.nth(i).inner_html() for i in range(notes.count()))
    assert not any(ch in html for ch in "\u202e\u200b"), html  # (KaTeX's own are elsewhere)
    screenshot(projector, "shareable-3-inert-link-values")
