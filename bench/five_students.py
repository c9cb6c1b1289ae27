"""Five students at the Behaviour cloning page's maxima at once: the server's memory (issue 29).

    python bench/five_students.py [--students 5] [--games 400] [--root PATH]

Starts the real server (from this checkout, or from `--root`, e.g. an exported older commit to
compare) and, after a warm-up visitor has opened every page, five Chromium contexts at once:
each uploads a 20,000-pair course-format zip, prepares the download zip, trains at the slider
maxima (40 epochs, the large network, 256 hidden units, batch 32: the run's CPU share stops it
after an epoch) and plays the matches at 400 games a pairing. The students move through the
phases together; for each phase the bench prints the server's peak RSS (VmHWM, reset between
phases), then the RSS 2, 10 and 30 s after every tab closed, against the warm figure.

Goal: peak <= 1 GB in every phase, within 150 MB of warm after the students leave.
"""

import argparse
import asyncio
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.memory import rss_mb  # noqa: E402
from tests.e2e import conftest as e2e  # noqa: E402

GOAL_PEAK_MB, GOAL_AFTER_MB = 1000, 150
MAXIMA = {  # the widgets at their maxima, set through the page's shareable link
    "bc_epochs": "40",
    "bc_arch": "large (32-64-64)",
    "bc_hidden": "256",
    "bc_batch": "32",
}
BUSY = """() => !!document.querySelector('[data-testid="stStatusWidgetRunningIcon"]')
               || !!document.querySelector('[data-stale="true"]')"""


def reset_peak(pid: int) -> None:
    """Restart the process's peak RSS (VmHWM) from its current RSS (Linux)."""
    Path(f"/proc/{pid}/clear_refs").write_text("5")


def upload_zip(path: Path) -> None:
    """The largest upload the page takes: 20,000 of our expert's pairs, float64 like the course's."""
    from core.wrestling import data, expert

    path.write_bytes(data.save_zip(expert.collect(data.MAX_PAIRS, seed=1)))


async def settled(page, timeout: float) -> None:
    """Quiet (no running indicator, nothing stale) for a second."""
    await asyncio.sleep(0.3)
    deadline, quiet = time.monotonic() + timeout, None
    while time.monotonic() < deadline:
        if await page.evaluate(BUSY):
            quiet = None
        elif quiet is None:
            quiet = time.monotonic()
        elif time.monotonic() - quiet > 1.0:
            return
        await asyncio.sleep(0.2)
    raise TimeoutError("the page kept running")


async def tab(page, name: str) -> None:
    await page.get_by_role("tab", name=name).click()
    await settled(page, 60)


async def click(page, label: str, timeout: float) -> None:
    await page.get_by_role("button", name=label).first.click()
    await settled(page, timeout)


async def phase(name: str, pid: int, steps) -> None:
    """Every student runs its step at once; print the server's peak RSS over the phase."""
    reset_peak(pid)
    start = time.monotonic()
    await asyncio.gather(*steps)
    print(
        f"{name:34s} peak {rss_mb(pid, 'VmHWM'):6.0f} MB   now {rss_mb(pid, 'VmRSS'):6.0f} MB"
        f"   {time.monotonic() - start:5.0f} s",
        flush=True,
    )


async def lesson(url: str, pid: int, students: int, games: int, upload: Path) -> float:
    from playwright.async_api import async_playwright

    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=e2e.CHROMIUM, args=e2e.CHROMIUM_FLAGS)
        first = await browser.new_page()
        from app_pages.outline import chapters

        for chapter in chapters():  # the warm figure: every page once, nothing heavy
            await first.goto(f"{url}/{chapter.url_path}")
            await first.wait_for_selector('[data-testid="stMain"] h1', timeout=180_000)
            await settled(first, 180)
        await first.close()
        await asyncio.sleep(3)
        warm = rss_mb(pid, "VmRSS")
        print(f"{'warm (every page visited once)':34s} {'':12s} now {warm:6.0f} MB", flush=True)

        query = "&".join(f"{k}={v}" for k, v in (MAXIMA | {"bc_match_games": str(games)}).items())
        contexts = [await browser.new_context(viewport={"width": 1280, "height": 900})]
        contexts += [
            await browser.new_context(viewport={"width": 1280, "height": 900})
            for _ in range(students - 1)
        ]
        pages = [await c.new_page() for c in contexts]

        async def open_page(page):
            await page.goto(f"{url}/behaviour_cloning?{query}")
            await page.wait_for_selector('[data-testid="stMain"] h1', timeout=180_000)
            await settled(page, 180)

        async def send(page):
            await tab(page, "Expert & data")
            await page.get_by_role("button", name="Upload a zip").click()  # the uploader's popover
            await page.locator('[data-testid="stFileUploader"] input[type="file"]').set_input_files(
                str(upload)
            )
            await page.get_by_text("20,000 pairs").first.wait_for(timeout=300_000)
            await page.keyboard.press("Escape")  # the popover closes
            await settled(page, 300)

        await phase(f"{students} open the page", pid, [open_page(pg) for pg in pages])
        await phase(f"{students} upload 20,000 pairs", pid, [send(pg) for pg in pages])
        await phase(
            f"{students} prepare the download zip",
            pid,
            [click(pg, "Prepare the data as a zip", 600) for pg in pages],
        )

        async def train(page):
            await tab(page, "Train")
            await click(page, "Train", 1800)

        async def matches(page):
            await tab(page, "Matches")
            await click(page, "Play the matches", 3600)

        await phase(f"{students} train at the maxima", pid, [train(pg) for pg in pages])
        await phase(f"{students} play {games}-game matches", pid, [matches(pg) for pg in pages])
        for context in contexts:
            await context.close()  # every student leaves
        left = time.monotonic()
        after = warm
        for wait in (2, 10, 30):
            await asyncio.sleep(max(0.0, left + wait - time.monotonic()))
            after = rss_mb(pid, "VmRSS")
            print(
                f"{wait:2d} s after they left: RSS {after:6.0f} MB, {after - warm:+5.0f} MB on warm"
            )
        await browser.close()
        return after - warm


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=5)
    parser.add_argument("--games", type=int, default=400)
    parser.add_argument("--root", type=Path, default=ROOT, help="the checkout the server runs")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        upload = Path(tmp) / "expert_obs_actions_20000.zip"
        upload_zip(upload)
        e2e.ROOT = args.root.resolve()  # start_server runs `streamlit run` there
        with e2e.start_server() as (url, proc):
            print(
                f"server {args.root} pid {proc.pid}; upload {upload.stat().st_size / 2**20:.1f} MB"
            )
            extra = asyncio.run(lesson(url, proc.pid, args.students, args.games, upload))
            peak = rss_mb(proc.pid, "VmHWM")
    print(
        f"\ngoal: every phase's peak <= {GOAL_PEAK_MB} MB; after: {extra:+.0f} MB on warm "
        f"(goal within {GOAL_AFTER_MB} MB); last phase's peak {peak:.0f} MB"
    )


if __name__ == "__main__":
    main()
