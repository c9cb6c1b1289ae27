"""Regenerate the README's pictures from the running app, so they cannot drift from it.

Run: python scripts/readme_pictures.py [--out assets] [--url http://127.0.0.1:8501]

Without --url it starts the app on a free loopback port, takes each picture with Chromium
(Debian's /usr/bin/chromium, or $CHROMIUM) through Playwright, writes the PNGs to --out and
stops the app. Each picture is the page as a newcomer first sees it: its default settings,
no clicks, a 1400 x 900 window with the sidebar open.
"""

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from scripts.app_server import serve  # noqa: E402

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run"]
WINDOW = {"width": 1400, "height": 900}
# file name -> (page path, text that shows the page's picture is drawn)
PICTURES = {"screenshot.png": ("gradient_descent", "paths up to step")}


def _settle(page, timeout: float = 120.0) -> None:
    """Wait until the app has finished its script run and stayed quiet for a second."""
    busy_js = """() => !!document.querySelector('[data-testid="stStatusWidgetRunningIcon"]')
        || !!document.querySelector('[data-stale="true"]')
        || !!document.querySelector('[data-testid="stSkeleton"]')"""
    deadline, quiet = time.time() + timeout, None
    while time.time() < deadline:
        if page.evaluate(busy_js):
            quiet = None
        elif quiet is None:
            quiet = time.time()
        elif time.time() - quiet > 1.0:
            return
        time.sleep(0.2)
    raise SystemExit(f"the app kept running for more than {timeout:.0f} s")


def take(url: str, out: Path) -> list[Path]:
    """Every picture in PICTURES from the app at `url`, written to `out`."""
    from playwright.sync_api import sync_playwright

    out.mkdir(parents=True, exist_ok=True)
    written = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        try:
            for name, (path, marker) in PICTURES.items():
                page = browser.new_page(viewport=WINDOW)
                page.set_default_timeout(120_000)
                page.goto(f"{url}/{path}")
                page.get_by_text(marker).first.wait_for()
                _settle(page)
                page.evaluate("() => document.fonts.ready.then(() => true)")
                page.mouse.move(WINDOW["width"] - 5, WINDOW["height"] - 5)  # no tooltip
                page.wait_for_timeout(500)
                title = (page.get_by_text(marker).first.text_content() or "").strip()  # SVG text
                target = out / name
                page.screenshot(path=str(target))
                print(f"wrote {target}: /{path}, showing '{title}'")
                written.append(target)
                page.close()
        finally:
            browser.close()
    return written


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "assets", help="folder for the PNGs")
    parser.add_argument("--url", help="an app already running (default: start one)")
    args = parser.parse_args(argv)
    if args.url:
        take(args.url.rstrip("/"), args.out)
    else:
        with serve() as url:
            take(url, args.out)


if __name__ == "__main__":
    main()
