"""Projector-grade layout, measured: every page and tab in five windows, after the heavy actions.

Windows: 1280 x 720 with the sidebar open (the projector), 1280 x 720 in presenter mode
(sidebar folded), 1920 x 1080 with the sidebar open, 800 x 600 with the sidebar open (an old
projector, the narrowest content beside a sidebar) and a phone, 390 x 844, whose sidebar folds
away as a phone's does (issue 22). Side-by-side columns stack below 1000 px (`app_pages/ui.py`);
a box that scrolls sideways does so on purpose (a natural-size graph, a fixed-width chart) and
only what it shows is measured. For every visible leaf element of
the main area, its drawn parts (canvas, svg, img, formula, table, text) stay inside its own box
and reach into no other element's box; no text is cut, with an ellipsis or by its column,
also inside charts and data grids (the text their canvases draw is recorded as it is drawn);
chart text does not run into chart text and is at least 12 px (16 px in presenter mode).

The slide rule (issue 22), in presenter mode at 1280 x 720 with the page scrolled to the top
after the view's own action: at least half of the view's main picture (its largest
canvas/svg/img, or any at least half that size) is on the first screen. At 1920 x 1080 the
first picture starts within the first screen.

One test per page (parametrised: a page of another branch plugs in with a `Case`), one session
per page or view: the heavy actions (training, data, matches, a play) run once, then the same
session is measured in each window; a view of a cheap page (its link names the view) is loaded
once, in the first window, and resized to the others (presenter mode switched on with the
sidebar toggle, last, so the trained models stay). A resize is what a lecturer does when the
laptop meets the projector; loads in presenter mode itself are test_layout_zh's and
test_layout_questions'. Until the first measurement the text font (Source Sans) is held back, as
on a slow link: Vega measures chart text when it draws and keeps those numbers, so every chart
drawn before the font arrives must fit with the fallback's wider letters too.
Screenshots, in presenter mode and of every view with a finding (every view and window with
LAYOUT_SCREENSHOTS=all): build/screenshots/layout-<window>-<page>-<view>.png;
the findings: build/layout-report-<page>.json.
"""

import json
import os
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urlencode

import pytest

from core.i18n import SOURCE, Translate, catalogue, untranslated
from tests.conftest import ROOT
from tests.e2e.conftest import no_error_on_screen, page_constant, screenshot, settle
from tests.e2e.geometry import CANVAS_TEXT, measure, slide

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

PRESETS = page_constant("autograd_graph", "LABELS")
LIVE_TABS = page_constant("live_training", "TABS")
TOPICS = page_constant("tensors", "TOPICS")
MODULE_TABS = page_constant("modules", "TABS")
LOSS_TABS = page_constant("loss_functions", "TABS")
BC_TABS = ["The game", "Expert & data", "Train", "Matches", "Play", "Export", "DAgger"]
SLIDE_SHARE = 0.5  # of the main picture on the first projected screen


@dataclass(frozen=True)
class Window:
    """A browser window the app is measured in."""

    name: str
    width: int
    height: int
    presenter: bool
    sidebar: bool = True  # the sidebar open beside the page (presenter mode folds it anyway)

    @property
    def min_font(self) -> float:
        return 16.0 if self.presenter else 12.0


NORMAL = Window("1280x720", 1280, 720, False)
SMALL = Window("800x600", 800, 600, False)
PHONE = Window("phone-390x844", 390, 844, False, sidebar=False)
WIDE = Window("1920x1080", 1920, 1080, False)
PRESENTER = Window("present-1280x720", 1280, 720, True, sidebar=False)
ALL_WINDOWS = [NORMAL, SMALL, PHONE, WIDE, PRESENTER]  # presenter mode, switched on, stays: last
# LAYOUT_WINDOWS=present-1280x720 (names, comma-separated) measures only those: a quick loop
WINDOWS = [w for w in ALL_WINDOWS if w.name in os.environ.get("LAYOUT_WINDOWS", w.name).split(",")]
if not WINDOWS:  # a typo (or an empty value) would otherwise measure nothing and pass
    raise ValueError(f"LAYOUT_WINDOWS names none of {', '.join(w.name for w in ALL_WINDOWS)}")


# Open findings in the narrow windows (issue 22), seen and not yet fixed: written to the report
# as "open", not failed, so the projector windows stay strict meanwhile. (window, page, kind,
# the element's name starts with). Pages not listed had no run in these windows yet.
OPEN = [
    *[(w.name, "gradient_descent", "spill", e) for w in (SMALL, PHONE)
      for e in ('stFullScreenFrame "Himmelblau', 'stMultiSelect "Optimisers"')],  # wide legend
    *[(w.name, "live_training", "spill", 'stFullScreenFrame "The RNN reads')
      for w in (SMALL, PHONE)],  # the RNN chart's legend at 330 px
    # Modules at 330 px: bottom legends run past their chart, a table's "None" into its "–"
    *[(w.name, "modules", k, 'stFullScreenFrame "') for w in (SMALL, PHONE)
      for k in ("spill", "crowded")],
    # inline code 6-7 px past its column (overflow-wrap on the code did not cure it)
    (PHONE.name, "autograd_graph", "spill", 'stHeading "Compare to'),
    *[(w.name, "autograd_graph", "spill", 'stMarkdown "The same backward') for w in (SMALL, PHONE)],
    # Behaviour cloning at 330 px: the loss chart's bottom legend, and a long import line in
    # DAgger's code
    *[(w.name, "behaviour_cloning", "spill", 'stFullScreenFrame "Loss (dashed')
      for w in (SMALL, PHONE)],
    *[(w.name, "behaviour_cloning", "spill", 'stCode "from core.wrestling import')
      for w in (SMALL, PHONE)],
]  # fmt: skip


def is_open(problem: dict) -> bool:
    """Whether a problem is one of the `OPEN` findings."""
    return any(
        (problem["window"], problem["page"], problem["kind"]) == (w, page, kind)
        and problem["element"].startswith(element)
        for w, page, kind, element in OPEN
    )


class Findings:
    """Problems and slide figures of one page, collected over its views and windows."""

    def __init__(self) -> None:
        self.problems: list[dict] = []
        self.open: list[dict] = []  # problems that are `OPEN` findings
        self.slides: list[dict] = []
        self.seconds: Counter = Counter()  # window name (or "drive") -> seconds spent in it

    def check(self, pg, window: Window, page: str, view: str) -> None:
        release_font(pg)
        pg.mouse.move(window.width - 5, window.height - 5)  # no tooltip left over the page
        settle(pg, 180, quiet=0.3)  # the page settled before (loaded, resized or a tab shown)
        no_error_on_screen(pg)
        before = len(self.problems)
        m = measure(pg, window.min_font)
        where = {"window": window.name, "page": page, "view": view}
        self.problems += [{**where, **p} for p in m["problems"]]
        if window.presenter:
            self.slide_rule(pg, where)
        top = m["firstVisual"]
        if window is WIDE and top is not None and top >= window.height:
            self.problems.append(
                {**where, "kind": "picture below the fold", "element": "first visual",
                 "px": round(top), "detail": f"first picture starts at {top:.0f} px >= {window.height}"}
            )  # fmt: skip
        found = len(self.problems) > before
        if window.presenter or found or os.environ.get("LAYOUT_SCREENSHOTS") == "all":
            name = f"layout-{window.name}-{page}-{view}".replace(" ", "_").replace("&", "and")
            screenshot(pg, name)

    def slide_rule(self, pg, where: dict) -> None:
        s = slide(pg)
        self.slides.append({**where, **s})
        if s["share"] is not None and s["share"] < SLIDE_SHARE:
            self.problems.append(
                {**where, "kind": "not a slide", "element": s["picture"], "px": round(s["top"]),
                 "detail": f"{s['share']:.0%} of the main picture on the first screen "
                           f"(it starts at {s['top']:.0f} px, {s['height']:.0f} px tall)"}
            )  # fmt: skip

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

    def verdict(self, page: str, lang: str = SOURCE) -> None:
        self.open += [p for p in self.problems if is_open(p)]
        self.problems = [p for p in self.problems if not is_open(p)]
        suffix = "" if lang == SOURCE else f"-{lang}"
        report = ROOT / "build" / f"layout-report-{page}{suffix}.json"
        report.parent.mkdir(exist_ok=True)
        report.write_text(
            json.dumps({"problems": self.problems, "open": self.open, "slides": self.slides,
                        "seconds": {k: round(v, 1) for k, v in self.seconds.items()}},
                       indent=1, ensure_ascii=False)
        )  # fmt: skip
        print(page, "seconds:", ", ".join(f"{k} {v:.0f}" for k, v in self.seconds.items()))
        assert not self.problems, f"{len(self.problems)} layout problems\n{self.summary()}"


@pytest.fixture()
def context(browser):
    ctx = browser.new_context(viewport={"width": NORMAL.width, "height": NORMAL.height})
    ctx.add_init_script(CANVAS_TEXT)  # notes the text every canvas draws (grids, charts)
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


def _sidebar_open(pg, open_: bool) -> None:
    """Open or fold the sidebar with its own buttons (a click only when it is the other way).

    Streamlit may fold or open it by itself meanwhile (a window resized across its breakpoint,
    presenter mode switched on), with an animation: read its state again after every click."""
    from playwright.sync_api import Error as PlaywrightError

    sidebar = pg.locator('[data-testid="stSidebar"]')
    for _ in range(25):
        if (sidebar.get_attribute("data-collapsed") == "false") == open_:
            return
        if open_:
            button = pg.locator('[data-testid="stExpandSidebarButton"]')
        else:
            sidebar.hover()
            button = pg.locator('[data-testid="stSidebarCollapseButton"] button')
        try:
            if button.count():
                button.first.click(timeout=5_000)
        except PlaywrightError:  # gone between the look and the click: look again
            pass
        pg.wait_for_timeout(400)
    raise AssertionError(f"the sidebar would not {'open' if open_ else 'fold'}")


def _to_window(pg, window: Window, t: Translate = untranslated) -> None:
    """Resize; open or fold the sidebar as the window has it; in presenter mode switch the
    sidebar toggle on (presenter mode then folds the sidebar itself)."""
    pg.set_viewport_size({"width": window.width, "height": window.height})
    pg.wait_for_timeout(300)
    if window.presenter:
        _sidebar_open(pg, True)
        pg.locator('[data-testid="stSidebar"]').get_by_text(t("Presenter mode")).click()
        settle(pg)
        for _ in range(25):  # switching presenter mode on folds the sidebar itself (in a while)
            pg.wait_for_timeout(200)
            if pg.locator('[data-testid="stSidebar"]').get_attribute("data-collapsed") == "true":
                break
    _sidebar_open(pg, window.sidebar)
    pg.wait_for_timeout(500)  # the charts redraw at their new width
    settle(pg, quiet=0.3)


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
    settle(pg, 180, quiet=0.4)  # a tab is shown in the browser: no script run


def _in(url: str, lang: str) -> str:
    """The link in `lang` (the source language: as it is)."""
    return url if lang == SOURCE else url + ("&" if "?" in url else "?") + f"lang={lang}"


def _cheap_page(ctx, server, findings, page, queries, path=None, windows=WINDOWS, lang=SOURCE):
    """A page without heavy actions: one visit per view (the view is in the link), opened in the
    first window and then resized to each of the others, presenter mode last."""
    t = catalogue(lang).gettext
    windows = sorted(windows, key=lambda w: w.presenter)
    for view, query in queries.items():
        start = time.monotonic()
        url = _in(f"{server}/{page if path is None else path}{query}", lang)
        pg = _open(ctx, url, windows[0])
        for i, window in enumerate(windows):
            if i:
                _to_window(pg, window, t)
            findings.check(pg, window, page, view)
            findings.seconds[window.name] += time.monotonic() - start
            start = time.monotonic()
        pg.close()


def _heavy_page(ctx, server, findings, page, drive, tabs, windows=WINDOWS, lang=SOURCE) -> None:
    """A page with heavy actions: `drive` runs them once, then every tab in every window (the
    buttons, sliders and tabs found by their names in `lang`, from the app's catalogue)."""
    t = catalogue(lang).gettext
    start = time.monotonic()
    pg = _open(ctx, _in(f"{server}/{page}", lang), NORMAL)
    drive(pg, t)
    findings.seconds["drive"] += time.monotonic() - start
    for window in sorted(windows, key=lambda w: w.presenter):  # presenter mode stays on: last
        start = time.monotonic()
        _to_window(pg, window, t)
        for tab in tabs:
            if len(tabs) > 1:
                _tab(pg, t(tab))
            findings.check(pg, window, page, tab)
        findings.seconds[window.name] += time.monotonic() - start


# ------------------------------------------------------------------------------ the pages
def _nothing(pg, t: Translate) -> None:
    """A page whose views need no action before they are measured."""


def _gradient_descent(pg, t: Translate) -> None:
    pg.get_by_role("button", name=t("Compute the landscape slice")).click()
    settle(pg, 180)


def _live_training(pg, t: Translate) -> None:
    finished = t("Finished: {where}, in {seconds:.1f} s of one core.").split("{")[0]
    for tab in LIVE_TABS:
        _tab(pg, t(tab))
        _slider_to(pg, t("Epochs"), "Home")  # one epoch...
        _slider_to(pg, t("Epochs"), "ArrowRight")  # ...two: enough for lines on every chart
        _panel(pg).get_by_role("button", name=t("Start")).click()
        pg.get_by_text(finished).first.wait_for(timeout=180_000)
        settle(pg, 180)


def _behaviour_cloning(pg, t: Translate) -> None:
    _tab(pg, t("Expert & data"))
    pg.get_by_role("button", name=t("Collect 10,000 expert pairs")).click()
    settle(pg, 180)
    _tab(pg, t("Train"))
    _slider_to(pg, t("Epochs"), "Home")
    _slider_to(pg, t("Epochs"), "ArrowRight")
    pg.get_by_role("button", name=t("Train"), exact=True).click()
    settle(pg, 300)
    _tab(pg, t("Matches"))
    _slider_to(pg, t("Games per pairing"), "Home")
    pg.get_by_role("button", name=t("Play the matches")).click()
    settle(pg, 300)
    _tab(pg, t("Play"))
    pg.get_by_role("button", name=t("Play a match")).click()
    settle(pg, 180)
    _tab(pg, "DAgger")
    pg.get_by_role("button", name=t("Map where the expert and the clone go")).click()
    settle(pg, 300)


@dataclass(frozen=True)
class Case:
    """One page of the layout test: its views as links (a cheap page: one visit per view and
    window), or a `drive` that runs its heavy actions once and the tabs then measured."""

    page: str
    queries: dict[str, str] = field(default_factory=dict)
    drive: Callable | None = None
    tabs: tuple[str, ...] = ()
    path: str | None = None


def _links(name: str, values) -> dict[str, str]:
    """One view per value, each its own link (names such as "Save & load" quoted)."""
    return {v: "?" + urlencode({name: v}) for v in values}


# A 1-2 px cut canvas text "1" on the 2-D classification map in every window with the sidebar
# (and 1920 x 1080), not in presenter mode: known, not yet fixed.
DECISION_MAP_LABEL = pytest.mark.xfail(
    strict=False, reason="2-D classification: a 1-2 px cut label, sidebar open"
)
CASES = [
    pytest.param(Case("home", {"home": ""}, path=""), id="home"),
    pytest.param(Case("tensors", _links("topic", TOPICS)), id="tensors"),
    pytest.param(Case("autograd_graph", _links("preset", PRESETS)), id="autograd_graph"),
    # tabbed pages: one visit per page, its tabs clicked in each window (quicker than a visit
    # per tab and window)
    pytest.param(Case("modules", drive=_nothing, tabs=tuple(MODULE_TABS)), id="modules"),
    pytest.param(
        Case("loss_functions", drive=_nothing, tabs=tuple(LOSS_TABS)), id="loss_functions"
    ),
    pytest.param(
        Case("gradient_descent", drive=_gradient_descent, tabs=("after the slice",)),
        id="gradient_descent",
    ),  # fmt: skip
    pytest.param(
        Case("live_training", drive=_live_training, tabs=tuple(LIVE_TABS)),
        id="live_training",
        marks=DECISION_MAP_LABEL,
    ),  # fmt: skip
    pytest.param(
        Case("behaviour_cloning", drive=_behaviour_cloning, tabs=tuple(BC_TABS)),
        id="behaviour_cloning",
    ),  # fmt: skip
]


def check_case(server, context, case: Case, windows=WINDOWS, lang: str = SOURCE) -> None:
    """Measure one page's views in `windows` with the app in `lang`; fail on any finding."""
    findings = Findings()
    if case.drive is None:
        _cheap_page(context, server, findings, case.page, case.queries, case.path, windows, lang)
    else:
        tabs = list(case.tabs)
        _heavy_page(context, server, findings, case.page, case.drive, tabs, windows, lang)
    findings.verdict(case.page, lang)


@pytest.mark.parametrize("case", CASES)
def test_every_view_is_a_slide_and_nothing_overlaps_spills_or_is_cut(server, context, case):
    check_case(server, context, case)
