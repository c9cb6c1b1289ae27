"""Browser tests: the real server on a free loopback port, driven by Debian's Chromium.

They skip, with the reason, where Chromium or Playwright is absent; CI installs both.
Screenshots go to build/screenshots/ (printed at the end of the run) for a person to look at.
"""

import ast
import os
import shutil
import time
from pathlib import Path

import pytest

from scripts import app_server
from tests.conftest import ROOT

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOTS = ROOT / "build" / "screenshots"


def page_constant(page: str, name: str):
    """A literal constant of a page file (e.g. its tab names), read without running the page.

    A page is a Streamlit script: importing it would run it, outside Streamlit, at collection.
    Texts marked for the catalogue, N_("..."), count as the literals they mark.
    """
    tree = ast.parse((ROOT / "app_pages" / f"{page}.py").read_text())
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == name for t in node.targets
        ):
            return ast.literal_eval(_UnmarkN().visit(node.value))
    raise KeyError(f"app_pages/{page}.py has no literal {name}")


class _UnmarkN(ast.NodeTransformer):
    """N_("text") -> "text": the marker returns its argument unchanged."""

    def visit_Call(self, node: ast.Call) -> ast.AST:  # noqa: N802 (ast's visitor name)
        if isinstance(node.func, ast.Name) and node.func.id == "N_" and len(node.args) == 1:
            return self.visit(node.args[0])
        return self.generic_visit(node)


@pytest.fixture(scope="session")
def sync_playwright_api():
    if not Path(CHROMIUM).exists() and not shutil.which("chromium"):
        pytest.skip(f"Chromium not found at {CHROMIUM}: apt-get install -y chromium")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.skip("playwright is not installed: pip install -r requirements-dev.txt")
    return sync_playwright


start_server = app_server.start  # (base URL, process) of a fresh server, stopped after


@pytest.fixture(scope="session")
def server(sync_playwright_api):
    """The app's base URL, served for the whole test session."""
    with start_server() as (url, _proc):
        yield url


@pytest.fixture(scope="session")
def browser(sync_playwright_api):
    with sync_playwright_api() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        yield b
        b.close()


@pytest.fixture()
def page(browser):
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    pg = context.new_page()
    pg.set_default_timeout(60_000)
    yield pg
    context.close()


@pytest.fixture()
def projector(browser):
    """A page in a 1280 x 720 window: the projector's size."""
    context = browser.new_context(viewport={"width": 1280, "height": 720})
    pg = context.new_page()
    pg.set_default_timeout(90_000)
    yield pg
    context.close()


def settle(pg, timeout: float = 60.0, quiet: float = 0.8) -> float:
    """Wait until the app has finished its current script run (no 'Running' status, no stale
    elements) and stayed so for `quiet` seconds: after a click the run may take a moment to
    start; a page already settled, then only resized or measured, needs a shorter wait.

    Returns the time.time() at which it went quiet (bench/coldstart.py times pages by it).
    """
    # a page's first run may still be importing torch: wait for its title before watching
    pg.wait_for_selector('[data-testid="stMain"] h1', timeout=timeout * 1000)
    deadline = time.time() + timeout
    quiet_since = None
    while time.time() < deadline:
        busy = pg.evaluate(
            """() => !!document.querySelector('[data-testid="stStatusWidgetRunningIcon"]')
                   || !!document.querySelector('[data-stale="true"]')
                   || !!document.querySelector('[data-testid="stSkeleton"]')"""
        )
        if busy:
            quiet_since = None
        elif quiet_since is None:
            quiet_since = time.time()
        elif time.time() - quiet_since > quiet:
            return quiet_since
        time.sleep(0.1)
    raise AssertionError(f"the app kept running for more than {timeout} s")


def no_error_on_screen(pg) -> None:
    """Fail if Streamlit shows an exception box or an error alert."""
    exc = pg.locator('[data-testid="stException"]')
    assert exc.count() == 0, exc.first.inner_text()
    err = pg.locator('[data-testid="stAlertContentError"]')
    assert err.count() == 0, err.first.inner_text()


def screenshot(pg, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    # Streamlit scrolls inside its own container, so a "full page" shot would stop at the
    # viewport: grow the viewport to the content's height for the shot, then put it back.
    size = pg.viewport_size
    height = pg.evaluate(
        """() => { const m = document.querySelector('[data-testid="stMain"]');
                   return m ? m.scrollHeight : document.body.scrollHeight; }"""
    )
    pg.set_viewport_size({"width": size["width"], "height": max(size["height"], min(height, 6000))})
    pg.wait_for_timeout(300)
    pg.screenshot(path=str(path))
    pg.set_viewport_size(size)
    return path


def pytest_terminal_summary(terminalreporter):
    if SCREENSHOTS.is_dir() and any(SCREENSHOTS.iterdir()):
        terminalreporter.write_line(f"browser screenshots: {SCREENSHOTS}")
