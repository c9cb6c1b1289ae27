"""The admission gate in a real browser, at capacity 1: whatever way a run ends without a click
(a closed tab, a reload, navigation, Streamlit's Stop) or with one (Pause), its slot is free
for a fresh session long before the watchdog (30 s) would have reclaimed it; Pause and the
learning-rate slider act on a running live tab within one redraw."""

import os
from pathlib import Path

import pytest

from tests.e2e.conftest import no_error_on_screen, screenshot, settle, start_server

pytestmark = pytest.mark.e2e

LIVE = Path("app_pages/live_training.py").stem
BC = Path("app_pages/behaviour_cloning.py").stem
# well under the watchdog's 30 s: a slot freed by then was freed by the path under test
ADMITTED_WITHIN_MS = 12_000


@pytest.fixture(scope="module")
def one_slot(sync_playwright_api):
    """A server whose gate admits one heavy run at a time."""
    env = {**os.environ, "PYTORCH_LIVE_HEAVY_RUNS": "1"}
    with start_server(env=env) as (url, _proc):
        yield url


@pytest.fixture()
def tab(browser):
    """A factory of fresh browser contexts (each its own session), closed at the end."""
    contexts = []

    def make():
        context = browser.new_context(viewport={"width": 1280, "height": 720})
        contexts.append(context)
        pg = context.new_page()
        pg.set_default_timeout(120_000)
        return pg

    yield make
    for c in contexts:
        c.close()


def _long_live_run(pg, url) -> None:
    """An RNN over 100 epochs: far longer than this test, training (so holding the slot)."""
    pg.goto(f"{url}/{LIVE}?tab=RNN&rnn_epochs=100")
    settle(pg, timeout=120)
    pg.get_by_role("tab", name="RNN").click()
    pg.get_by_role("button", name="Start").click()
    pg.get_by_text("Running: epoch").first.wait_for()


def _ready_newcomer(pg, url) -> None:
    """A fresh session on a long run too, ready to press Start."""
    pg.goto(f"{url}/{LIVE}?tab=RNN&rnn_epochs=100")
    settle(pg, timeout=120)
    pg.get_by_role("tab", name="RNN").click()
    pg.get_by_role("button", name="Start").wait_for()


def _admitted(pg) -> None:
    """The newcomer presses Start and trains: its progress line shows a step."""
    pg.get_by_role("button", name="Start").click()
    pg.get_by_text("Running: epoch").first.wait_for(timeout=ADMITTED_WITHIN_MS)


def test_a_closed_tab_frees_its_live_slot(one_slot, tab):
    holder, newcomer = tab(), tab()
    _long_live_run(holder, one_slot)
    _ready_newcomer(newcomer, one_slot)
    holder.context.close()
    _admitted(newcomer)
    no_error_on_screen(newcomer)


def test_a_reload_frees_its_live_slot(one_slot, tab):
    holder, newcomer = tab(), tab()
    _long_live_run(holder, one_slot)
    _ready_newcomer(newcomer, one_slot)
    holder.reload()
    _admitted(newcomer)


def test_navigating_away_frees_its_live_slot(one_slot, tab):
    holder, newcomer = tab(), tab()
    _long_live_run(holder, one_slot)
    _ready_newcomer(newcomer, one_slot)
    holder.get_by_role("link", name="Tensors").first.click()
    _admitted(newcomer)


def test_pause_acts_mid_run_and_frees_the_slot_then_resume_queues(one_slot, tab):
    holder, newcomer = tab(), tab()
    _long_live_run(holder, one_slot)
    _ready_newcomer(newcomer, one_slot)
    holder.get_by_role("button", name="Pause").click()
    holder.get_by_text("Paused: epoch").first.wait_for(timeout=15_000)  # long before the run ends
    _admitted(newcomer)
    holder.get_by_role("button", name="Resume").click()  # the newcomer trains: in line
    holder.get_by_text("Waiting for a free slot").first.wait_for()
    screenshot(holder, "gate-resume-waits-in-line")
    holder.get_by_role("button", name="Reset").click()  # any click leaves the line
    holder.get_by_text("Ready: press").first.wait_for(timeout=5_000)
    assert holder.get_by_text("Waiting for a free slot").count() == 0


def test_the_learning_rate_slider_acts_mid_run(one_slot, tab):
    holder = tab()
    _long_live_run(holder, one_slot)
    slider = holder.get_by_role("slider").first  # the RNN tab's learning rate
    holder.get_by_text("Learning rate (log scale)").first.wait_for()
    before = holder.url
    slider.focus()
    holder.keyboard.press("ArrowRight")
    # the tab reran mid-run: it published the new rate to the address bar and still runs
    holder.wait_for_function(f"() => window.location.href !== {before!r}", timeout=5_000)
    assert "rnn_lr" in holder.url
    assert holder.get_by_text("Running: epoch").count() >= 1
    holder.get_by_role("button", name="Pause").click()
    holder.get_by_text("Paused: epoch").first.wait_for(timeout=15_000)


def test_streamlit_stop_frees_the_slot(one_slot, tab):
    holder, newcomer = tab(), tab()
    _long_live_run(holder, one_slot)
    _ready_newcomer(newcomer, one_slot)
    holder.locator('[data-testid="stStatusWidget"] button', has_text="Stop").click()
    _admitted(newcomer)


def test_a_closed_tab_frees_a_one_off_slot_before_the_watchdog(one_slot, tab):
    holder, newcomer = tab(), tab()
    holder.goto(f"{one_slot}/{BC}?bc_match_games=400")
    settle(holder, timeout=120)
    holder.get_by_role("tab", name="Matches").click()
    holder.get_by_role("button", name="Play the matches").click()
    holder.get_by_text("pairings over").first.wait_for()
    _ready_newcomer(newcomer, one_slot)
    holder.context.close()
    _admitted(newcomer)
