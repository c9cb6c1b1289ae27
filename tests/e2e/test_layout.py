"""Projector-grade layout, measured: every page and tab in three windows, after the heavy actions.

Windows: 1280 x 720 with the sidebar open (the narrowest content), 1280 x 720 in presenter
mode (sidebar folded), 1920 x 1080 with the sidebar open. For every visible leaf element of
the main area, its drawn parts (canvas, svg, img, formula, table, text) stay inside its own box
and reach into no other element's box; no text is cut with an ellipsis; chart text does not
run into chart text and is at least 12 px (16 px in presenter mode). In presenter mode the
first picture starts within the first 720 px; at 1920 x 1080 within the first screen.

One session per page: the heavy actions (training, data, matches, a play) run once, then the
same session is measured in each window (presenter mode switched on with the sidebar toggle,
so the trained models stay). Until the first measurement the text font (Source Sans) is held
back, as on a slow link: Vega measures chart text when it draws and keeps those numbers, so
every chart drawn before the font arrives must fit with the fallback's wider letters too.
Screenshots: build/screenshots/layout-<window>-<page>-<view>.png;
the findings: build/layout-report.json.
"""

import json
from collections import Counter
from dataclasses import dataclass

import pytest

from tests.conftest import ROOT
from tests.e2e.conftest import no_error_on_screen, page_constant, screenshot, settle
from tests.e2e.geometry import measure

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

PRESETS = page_constant("autograd_graph", "LABELS")
LIVE_TABS = page_constant("live_training", "TABS")
TOPICS = page_constant("tensors", "TOPICS")
BC_TABS = ["The game", "Expert & data", "Train", "Matches", "Play", "Export", "DAgger"]


@dataclass(frozen=True)
class Window:
    name: str
    width: int
    height: int
    presenter: bool

    @property
    def min_font(self) -> float:
        return 16.0 if self.presenter else 12.0


NORMAL = Window("1280x720", 1280, 720, False)
WIDE = Window("1920x1080", 1920, 1080, False)
PRESENTER = Window("present-1280x720", 1280, 720, True)
WINDOWS = [NORMAL, WIDE, PRESENTER]


class Findings:
    """Problems and first-picture positions, collected over the whole run, asserted at the end."""

    def __init__(self) -> None:
        self.problems: list[dict] = []

    def check(self, pg, window: Window, page: str, view: str) -> None:
        release_font(pg)
        pg.mouse.move(window.width - 5, window.height - 5)  # no tooltip left over the page
        settle(pg, 180)
        no_error_on_screen(pg)
        m = measure(pg, window.min_font)
        where = {"window": window.name, "page": page, "view": view}
        self.problems += [{**where, **p} for p in m["problems"]]
        top = m["firstVisual"]
        limit = 720 if window.presenter else (1080 if window is WIDE else None)
        if limit is not None and top is not None and top >= limit:
            self.problems.append(
                {**where, "kind": "picture below the fold", "element": "first visual",
                 "px": round(top), "detail": f"first picture starts at {top:.0f} px >= {limit}"}
            )  # fmt: skip
        screenshot(pg, f"layout-{window.name}-{page}-{view}".replace(" ", "_").replace("&", "and"))

    def summary(self) -> str:
        counts = Counter((p["page"], p["window"]) for p in self.problems)
        kinds = Counter(p["kind"] for p in self.problems)
        lines = [f"{n:4d}  {page} @ {window}" for (page, window), n in sorted(counts.items())]
        lines.append("by kind: " + ", ".join(f"{k}: {n}" for k, n in kinds.most_common()))
        lines += [
            f"  [{p['window']}] {p['page']}/{p['view']}: {p['kind']} {p['element']}: {p['detail']}"
            for p in self.problems[:80]
        ]
        return "\n".join(lines)


@pytest.fixture(scope="module")
def findings():
    return Findings()


@pytest.fixture()
def context(browser):
    ctx = browser.new_context(viewport={"width": NORMAL.width, "height": NORMAL.height})
    yield ctx
    ctx.close()


TEXT_FONT = "**/SourceSans*.woff2"  # the app's text font; the icon and formula fonts load
_HELD: dict[int, list] = {}  # id(page) -> its text-font requests held back so far


def hold_font(pg) -> None:
    """Hold the page's text-font requests until `release_font`: the charts drawn meanwhile
    measure their text in the fallback font, as a student's do when the font comes late."""
    held = _HELD[id(pg)] = []

    def hold(route):
        if id(pg) in _HELD:
            held.append(route)
        else:
            route.continue_()

    pg.route(TEXT_FONT, hold)


def release_font(pg) -> None:
    """Let the held font requests through and wait until the font is in use."""
    held = _HELD.pop(id(pg), None)
    if held is None:
        return
    for route in held:
        route.continue_()
    pg.evaluate("() => document.fonts.ready.then(() => true)")  # `check` settles next


def _open(ctx, url: str, window: Window):
    pg = ctx.new_page()
    pg.set_default_timeout(180_000)
    hold_font(pg)
    pg.set_viewport_size({"width": window.width, "height": window.height})
    link = url + ("&" if "?" in url else "?") + "present=1" if window.presenter else url
    pg.goto(link, wait_until="domcontentloaded")  # "load" would wait for the held font
    settle(pg, 180)
    return pg


def _to_window(pg, window: Window) -> None:
    """Resize; in presenter mode switch the sidebar toggle on and fold the sidebar away."""
    pg.set_viewport_size({"width": window.width, "height": window.height})
    if window.presenter:
        pg.locator('[data-testid="stSidebar"]').get_by_text("Presenter mode").click()
        settle(pg)
        pg.locator('[data-testid="stSidebar"]').hover()
        pg.locator('[data-testid="stSidebarCollapseButton"] button').click()
    pg.wait_for_timeout(500)
    settle(pg)


def _panel(pg):
    return pg.locator('[role="tabpanel"]:visible')


def _slider_to(pg, name: str, key: str, presses: int = 1) -> None:
    slider = _panel(pg).get_by_role("slider", name=name).first
    slider.focus()
    for _ in range(presses):
        pg.keyboard.press(key)
    settle(pg)


def _tab(pg, name: str) -> None:
    pg.get_by_role("tab", name=name, exact=True).click()
    settle(pg, 180)


def _cheap_page(ctx, server, findings, page: str, queries: dict[str, str], path=None) -> None:
    """A page without heavy actions: one visit per view and window (the view is in the link)."""
    for window in WINDOWS:
        for view, query in queries.items():
            pg = _open(ctx, f"{server}/{page if path is None else path}{query}", window)
            findings.check(pg, window, page, view)
            pg.close()


# ------------------------------------------------------------------------------ the pages
def test_home_and_cheap_pages(server, context, findings):
    _cheap_page(context, server, findings, "home", {"home": ""}, path="")
    _cheap_page(context, server, findings, "tensors", {t: f"?topic={t}" for t in TOPICS})
    _cheap_page(context, server, findings, "autograd_graph", {p: f"?preset={p}" for p in PRESETS})
    _cheap_page(context, server, findings, "loss_functions", {"page": ""})


def test_gradient_descent(server, context, findings):
    pg = _open(context, f"{server}/gradient_descent", NORMAL)
    pg.get_by_role("button", name="Compute the landscape slice").click()
    settle(pg, 180)
    for window in WINDOWS:
        _to_window(pg, window)
        findings.check(pg, window, "gradient_descent", "after the slice")


def test_live_training_every_tab_trained(server, context, findings):
    pg = _open(context, f"{server}/live_training", NORMAL)
    for tab in LIVE_TABS:
        _tab(pg, tab)
        _slider_to(pg, "Epochs", "Home")  # one epoch...
        _slider_to(pg, "Epochs", "ArrowRight")  # ...two: enough for lines on every chart
        _panel(pg).get_by_role("button", name="Start").click()
        pg.get_by_text("Finished:").first.wait_for(timeout=180_000)
        settle(pg, 180)
    for window in WINDOWS:
        _to_window(pg, window)
        for tab in LIVE_TABS:
            _tab(pg, tab)
            findings.check(pg, window, "live_training", tab)


def test_behaviour_cloning_after_data_training_matches_and_play(server, context, findings):
    pg = _open(context, f"{server}/behaviour_cloning", NORMAL)
    _tab(pg, "Expert & data")
    pg.get_by_role("button", name="Collect 10,000 expert pairs").click()
    settle(pg, 180)
    _tab(pg, "Train")
    _slider_to(pg, "Epochs", "Home")
    _slider_to(pg, "Epochs", "ArrowRight")
    pg.get_by_role("button", name="Train", exact=True).click()
    settle(pg, 300)
    _tab(pg, "Matches")
    _slider_to(pg, "Games per pairing", "Home")
    pg.get_by_role("button", name="Play the matches").click()
    settle(pg, 300)
    _tab(pg, "Play")
    pg.get_by_role("button", name="Play a match").click()
    settle(pg, 180)
    _tab(pg, "DAgger")
    pg.get_by_role("button", name="Map where the expert and the clone go").click()
    settle(pg, 300)
    for window in WINDOWS:
        _to_window(pg, window)
        for tab in BC_TABS:
            _tab(pg, tab)
            findings.check(pg, window, "behaviour_cloning", tab)


def test_nothing_overlaps_spills_or_hides(findings):
    """The verdict over all the pages above (run in the same module, after them)."""
    report = ROOT / "build" / "layout-report.json"
    report.parent.mkdir(exist_ok=True)
    report.write_text(json.dumps(findings.problems, indent=1, ensure_ascii=False))
    assert not findings.problems, f"{len(findings.problems)} layout problems\n{findings.summary()}"
