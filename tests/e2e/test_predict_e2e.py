"""Predict, then see, in Chromium: the answering chart is not in the page until the student
answers; question screens in presenter mode at 1280 x 720 are saved for a person to look at."""

from urllib.parse import quote

import pytest

from tests.e2e.conftest import no_error_on_screen, screenshot, settle

pytestmark = pytest.mark.e2e

CHART = '[data-testid="stVegaLiteChart"]'
GRAPH = '[data-testid="stGraphVizChart"]'
BOX = '[class*="st-key-predict_box_"]'


def test_broadcasting_waits_for_the_prediction(server, page):
    page.goto(server)  # Home first: a fresh server's first direct hit bypasses st.navigation
    settle(page)
    page.goto(f"{server}/tensors?topic=broadcasting")
    page.wait_for_selector(BOX, timeout=90_000)
    settle(page, timeout=90)
    no_error_on_screen(page)
    assert page.locator(CHART).count() == 0
    html = page.content()
    assert "torch.Size([3, 4])" not in html and "stretched to (3, 4)" not in html  # not sent
    screenshot(page, "predict-01-broadcasting-asked")

    page.get_by_text("(3, 4)", exact=True).click()
    page.get_by_role("button", name="Check my prediction").click()
    page.wait_for_selector(CHART, timeout=60_000)
    settle(page)
    no_error_on_screen(page)
    assert page.get_by_text("Right.").count() >= 1
    assert "torch.Size([3, 4])" in page.content()
    assert page.get_by_text("This chapter: 1 of 2 predictions made, 1 right.").count() == 1
    screenshot(page, "predict-02-broadcasting-revealed")


LINKS = {  # a question's screen, opened by a shareable link (predict-first is on by default)
    "tensors": "tensors?topic=broadcasting",
    "gradient_descent": "gradient_descent?fn=rosenbrock&lr=0.002&x0=-1.2&y0=1",
    "modules": "modules?mod_tab="
    + quote("The loop, slow")
    + "&loop_zero=1&loop_lr=0.01&loop_batch=2",
    "loss_functions": "loss_functions?loss_tab="
    + quote("Softmax & cross-entropy")
    + "&k=3&z0=0&z1=0&z2=0",
    "live_training": "live_training?tab=Regression&reg_batch=256",
    "behaviour_cloning": "behaviour_cloning?bc_play_opponent=still&bc_play_side=1",
    "autograd_graph": "autograd_graph?preset=dynamic",  # x = 1: the offer to set x = -1
}
TABS = {"behaviour_cloning": "Play"}  # the question sits in a tab


@pytest.mark.parametrize("chapter", list(LINKS))
def test_question_screens_in_presenter_mode(server, projector, chapter):
    projector.goto(server)
    settle(projector, timeout=120)
    projector.goto(f"{server}/{LINKS[chapter]}&present=1")
    if chapter in TABS:
        projector.get_by_role("tab", name=TABS[chapter]).wait_for(timeout=120_000)
        projector.get_by_role("tab", name=TABS[chapter]).click()
    box = projector.locator(BOX).first
    box.wait_for(timeout=120_000)
    settle(projector, timeout=120)
    no_error_on_screen(projector)
    if chapter == "autograd_graph":  # not at the question's x: the student is offered it
        assert projector.locator(GRAPH).count() >= 1  # meanwhile their own graph is shown
        projector.get_by_text("Predict first: 2 questions on other settings").click()
        projector.get_by_role(
            "button", name="Set the demo to this question's setting"
        ).first.click()
        settle(projector, timeout=120)
        assert projector.locator(GRAPH).count() == 0
    assert projector.get_by_role("button", name="Check my prediction").count() >= 1
    box.scroll_into_view_if_needed()
    heading = box.locator("h3").first  # the question, as a heading for the back row
    assert heading.is_visible()
    size = heading.evaluate("e => parseFloat(getComputedStyle(e).fontSize)")
    assert size >= 24, size
    width = projector.evaluate("() => document.documentElement.scrollWidth")
    assert width <= 1280, width  # nothing wider than the window
    screenshot(projector, f"predict-presenter-{chapter}-1280x720")
