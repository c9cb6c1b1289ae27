"""The Modules page in a real browser at 1280 x 720, sidebar open: every tab renders, nothing
is wider than its column, the loop's Next phase marks the running line; screenshots per tab."""

import pytest

from tests.e2e.conftest import no_error_on_screen, screenshot, settle

pytestmark = pytest.mark.e2e

TABS = ["Anatomy", "Devices & dtypes", ".train() & .eval()", "Dataset & DataLoader",
        "The loop, slow", "Save & load"]  # fmt: skip

# Every chart, table and code block whose box pokes out of its column (or the main block).
OVERFLOWING = """() => {
  const out = [];
  const sel = '[data-testid="stVegaLiteChart"], [data-testid="stDataFrame"], pre';
  for (const el of document.querySelectorAll('[data-testid="stMain"] ' + sel)) {
    if (el.offsetParent === null) continue;
    const host = el.closest('[data-testid="stColumn"]')
              || el.closest('[data-testid="stMainBlockContainer"]');
    const a = el.getBoundingClientRect(), b = host.getBoundingClientRect();
    if (a.right > b.right + 2 || a.left < b.left - 2)
      out.push(`${el.dataset.testid || el.tagName}: ${Math.round(a.width)} px in ${Math.round(b.width)} px`);
  }
  return out;
}"""


def test_every_tab_fits_at_1280_with_the_sidebar_open(server, projector):
    projector.goto(f"{server}/modules?predict=0")  # the demos themselves
    settle(projector, timeout=120)
    assert projector.locator('[data-testid="stSidebar"]').bounding_box()["width"] > 200
    for i, tab in enumerate(TABS):
        projector.get_by_role("tab", name=tab).click()
        settle(projector)
        if tab == "The loop, slow":
            for _ in range(4):
                projector.get_by_role("button", name="Next phase").click()
                settle(projector)
            assert projector.get_by_text("loss.backward()").count() >= 1
        no_error_on_screen(projector)
        assert (
            projector.locator(
                '[data-testid="stVegaLiteChart"], [data-testid="stDataFrame"], [data-testid="stTable"]'
            ).count()
            >= 1
        ), tab
        assert projector.evaluate(OVERFLOWING) == [], tab
        screenshot(projector, f"modules-{i}-1280x720")
