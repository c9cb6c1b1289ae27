"""Cold start: how soon a fresh server process is ready for a class.

Run by hand: `python bench/coldstart.py [--runs N] [--read S] [--no-compare]`. Community Cloud puts idle
apps to sleep, so the lecturer's first click in front of the class often lands on a fresh
process. For each of N fresh processes (2 by default) it prints, in seconds:

- process start -> the health endpoint answers;
- process start -> the first page (Home) interactive in Chromium: its title shown and no
  script running (tests/e2e/conftest.py's settle());
- then each chapter's first visit in that process, as a visitor makes it: a click on its link
  in the sidebar, until the page is interactive; `--read S` waits S seconds on Home first, as
  a visitor reading it would;
- then each chapter again by the sidebar (no target): what a visit costs once the process is
  warm, so the first visit's extra is the cold start's share;
- then each chapter by a direct link (no target): a full page load, which also has the
  browser fetch and start the app's JavaScript (about 1 s of the 2-core machine the browser
  shares with the server here; a student's laptop pays it on its own CPU).

Targets: first page interactive within 5 s of process start; every page's first visit within
2 s. Then the same with the torch warm-up turned off (PYTORCH_LIVE_NO_WARMUP=1), for
comparison. Figures, not asserts: on a shared machine they move with the load (printed).
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from app_pages.outline import HOME, chapters  # noqa: E402
from tests.e2e.conftest import (  # noqa: E402
    CHROMIUM,
    CHROMIUM_FLAGS,
    settle,
    start_server,
)

FIRST_PAGE_TARGET_S = 5.0
PAGE_TARGET_S = 2.0
HEALTH = "health endpoint answers"
FIRST = "first page interactive"
AGAIN = ", again"
LINKED = ", direct link"


def one_cold_start(browser, warmup: bool, read: float) -> dict[str, float]:
    """Seconds for each figure, in one fresh server process."""
    env = {k: v for k, v in os.environ.items() if k != "PYTORCH_LIVE_NO_WARMUP"}
    if not warmup:
        env["PYTORCH_LIVE_NO_WARMUP"] = "1"
    figures = {}
    started = time.time()
    with start_server(env=env, poll=0.05) as (url, _proc):  # returns once health answers
        figures[HEALTH] = time.time() - started
        context = browser.new_context(viewport={"width": 1400, "height": 1000})
        page = context.new_page()
        page.set_default_timeout(120_000)
        page.goto(url)
        figures[FIRST] = settle(page, timeout=120) - started
        time.sleep(read)
        for again in ("", AGAIN):
            for chapter in chapters():
                figures[chapter.title + again] = visit_by_sidebar(page, chapter)
        for chapter in chapters():
            begun = time.time()
            page.goto(f"{url}/{chapter.url_path}")
            figures[chapter.title + LINKED] = settle(page, timeout=120) - begun
        context.close()
    return figures


def visit_by_sidebar(page, chapter) -> float:
    """Seconds from a click on the chapter's sidebar link to the page interactive."""
    link = page.locator(f'[data-testid="stSidebarNav"] a[href$="/{chapter.url_path}"]')
    begun = time.time()
    link.click()
    page.wait_for_function(  # the new page's title, not the old page still settling
        "t => document.querySelector('[data-testid=\"stMain\"] h1')?.innerText.startsWith(t)",
        arg=chapter.title.split()[0],
        timeout=120_000,
    )
    return settle(page, timeout=120) - begun


def target(name: str) -> float | None:
    if name == HEALTH or name.endswith((AGAIN, LINKED)):
        return None
    return FIRST_PAGE_TARGET_S if name == FIRST else PAGE_TARGET_S


def report(label: str, runs: list[dict[str, float]]) -> None:
    heads = "".join(f"{f'run {i + 1}':>8s}" for i in range(len(runs)))
    print(f"\n{label}")
    print(f"{'figure (s)':40s}{heads}{'worst':>8s}  target  worst/target")
    for name in runs[0]:
        times = [r[name] for r in runs]
        worst = max(times)
        line = f"{name:40s}{''.join(f'{t:8.2f}' for t in times)}{worst:8.2f}"
        goal = target(name)
        if goal is not None:
            verdict = "ok" if worst <= goal else "SLOW"
            line += f"  {goal:4.1f} s  {worst / goal:5.2f}x  {verdict}"
        print(line)
    for again, label in (("", "first visit"), (AGAIN, "visit again"), (LINKED, "direct link")):
        pages = [r[c.title + again] for r in runs for c in chapters()]
        print(f"{'median chapter ' + label:40s}{statistics.median(pages):8.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=2, help="fresh processes per setting")
    parser.add_argument(
        "--no-compare", action="store_true", help="skip the runs with the warm-up turned off"
    )
    parser.add_argument("--read", type=float, default=0.0, help="seconds spent on Home first")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    settings = [("warm-up on (as deployed)", True)]
    if not args.no_compare:
        settings.append(("warm-up off (PYTORCH_LIVE_NO_WARMUP=1)", False))
    print(
        f"{args.runs} fresh server process(es) per setting; pages: {HOME.title}, then "
        f"{', '.join(c.title for c in chapters())}; {os.cpu_count()} cores, "
        f"{args.read:g} s on Home; load average {os.getloadavg()[0]:.1f} at the start"
    )
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        for label, warmup in settings:
            runs = [one_cold_start(browser, warmup, args.read) for _ in range(args.runs)]
            report(label, runs)
        browser.close()
    print(f"\nload average {os.getloadavg()[0]:.1f} at the end")


if __name__ == "__main__":
    main()
