"""Peak resident memory of one Streamlit server process after a visitor uses every page.

Run by hand: `python bench/memory.py`. Starts the real server, opens every page in Chromium,
runs each page's default heavy actions (every button whose label starts a training run, a
collection, a match or a computation), and prints the server's peak RSS (VmHWM) per page against
Community Cloud's smallest tier (700 MB). Then the tab closes and it prints how much of that
the server gives back (target: within 100 MB of the warm figure, every page visited once); more
visitors do it all again in turn (`--visitors`, 10 by default), which tells what stays per
visitor from what a process pays once (code and kernels the heavy actions load): the last must
leave the server within 10 MB of where the first left it.
"""

import re
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from app_pages.outline import chapters  # noqa: E402
from tests.e2e.conftest import CHROMIUM, CHROMIUM_FLAGS, settle, start_server  # noqa: E402

LIMIT_MB = 700
AFTER_MB = 100  # what may stay over the warm figure once every visitor has left
GROWTH_MB = 10  # what may stay per visitor: the last leaves within this of the first
HEAVY = re.compile(r"^(Start|Train|Collect|Play|Run|Compute|Evaluate)", re.IGNORECASE)


def rss_mb(pid: int, field: str) -> float:
    """VmRSS or VmHWM of a process, in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    raise KeyError(field)


def split_mb(pid: int) -> str:
    """RSS split: anonymous memory (the heap, tensors: what the process holds) against file
    pages (libtorch's and the other libraries' code touched so far: clean, shared with every
    process mapping them, dropped by the kernel under pressure)."""
    return f"anon {rss_mb(pid, 'RssAnon'):.0f} MB, file {rss_mb(pid, 'RssFile'):.0f} MB"


def click_heavy_buttons(page, timeout: float) -> list[str]:
    """Click each visible heavy-action button once, letting each run finish."""
    clicked = []
    buttons = page.locator(
        '[data-testid="stButton"] button, [data-testid="stFormSubmitButton"] button'
    )
    for i in range(buttons.count()):
        button = buttons.nth(i)
        label = button.inner_text().strip().split("\n")[-1].strip()  # drop the icon's name
        if HEAVY.match(label) and button.is_visible() and button.is_enabled():
            button.click()
            settle(page, timeout=timeout)
            clicked.append(label)
    return clicked


def visit_everything(browser, url: str, proc, warm: float) -> float:
    """One visitor: every page and tab, every heavy action; then the tab closes."""
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    for chapter in chapters():
        page.goto(f"{url}/{chapter.url_path}")
        settle(page, timeout=120)
        tabs = page.get_by_role("tab")
        actions = click_heavy_buttons(page, timeout=300)
        for t in range(tabs.count()):
            tabs.nth(t).click()
            settle(page, timeout=120)
            actions += click_heavy_buttons(page, timeout=300)
        time.sleep(0.5)
        print(
            f"{chapter.title:40s} {rss_mb(proc.pid, 'VmRSS'):8.0f} "
            f"{rss_mb(proc.pid, 'VmHWM'):8.0f}  {', '.join(actions) or '-'}"
        )
    page.close()  # the visitor's tab closes: the session ends
    closed = time.monotonic()
    for wait in (2, 10):
        time.sleep(max(0.0, closed + wait - time.monotonic()))
        now = rss_mb(proc.pid, "VmRSS")
        print(
            f"{wait:2d} s after the tab closed: RSS {now:.0f} MB, {now - warm:+.0f} MB on warm"
            f" ({split_mb(proc.pid)})"
        )
    return now


def main() -> None:
    import argparse

    from playwright.sync_api import sync_playwright

    parser = argparse.ArgumentParser(description="a visitor's tour, then more in turn")
    parser.add_argument("--visitors", type=int, default=10, help="visitors in turn (goal: 10)")
    visitors = parser.parse_args().visitors

    with start_server() as (url, proc), sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.goto(url)
        settle(page)
        print(f"{'after':40s} {'RSS MB':>8s} {'peak MB':>8s}  actions")
        print(
            f"{'start (Home)':40s} {rss_mb(proc.pid, 'VmRSS'):8.0f} {rss_mb(proc.pid, 'VmHWM'):8.0f}"
        )
        for chapter in chapters():  # every page once, no heavy action: the warm baseline
            page.goto(f"{url}/{chapter.url_path}")
            settle(page, timeout=120)
        page.close()
        warm = rss_mb(proc.pid, "VmRSS")
        print(
            f"{'warm (every page visited)':40s} {warm:8.0f} {rss_mb(proc.pid, 'VmHWM'):8.0f}"
            f"  ({split_mb(proc.pid)})"
        )
        left = []  # RSS 10 s after each visitor left: what stays per visitor, not per process
        for visitor in range(1, visitors + 1):
            print(f"-- visitor {visitor}")
            left.append(visit_everything(browser, url, proc, warm))
        peak = rss_mb(proc.pid, "VmHWM")
        print(f"\npeak RSS {peak:.0f} MB; limit {LIMIT_MB} MB; ratio {peak / LIMIT_MB:.2f}")
        print(
            f"after the last visitor left: {left[-1] - warm:+.0f} MB on warm (goal within "
            f"{AFTER_MB} MB); the last left {left[-1] - left[0]:+.0f} MB from where the first "
            f"left it (goal within {GROWTH_MB} MB over {visitors} visitors)"
        )
        browser.close()


if __name__ == "__main__":
    main()
