"""A class on one server: N students follow a lesson script at once, in Chromium.

    python bench/classroom.py [--students 10] [--seed 0] [--reading 0.5 2]

Every student (a browser context of one Chromium, driven concurrently) opens Home, then each
chapter in the lecture's order by its link in the sidebar; on each page they move a slider,
on Autograd they type a program, and on Live training they press Start on the default run and wait for it to finish.
Students start a little apart, as a class does.

One student goes through the lesson alone first: how long each change takes a browser that
has the machine to itself.

Prints:
- where the CPU went over the lesson: the machine's busy share, the server's part of it (the
  rest is the browsers and the bench driving them);
- widget changes (a slider moved, a program run): p50 / p95 latency from the change to the
  page settling (no running indicator, no stale element) after the script run the change
  asked for (a change that asked for none is listed apart), the figure the target is for, and
  the server's share of it: from the rerun asked for to the script run finished, on the
  server's own clock (the server runs under bench/timed_server.py) and, for comparison, as
  read off each student's websocket (which a browser busy drawing delays);
- an estimate for students on their own laptops: each change's server share in the class
  plus its drawing time with one student alone; pages opened from the sidebar apart, and
  every kind by page;
- training runs: how many waited in the server's admission line, and for how long in all;
- the health endpoint's p50 / p99 while the class works;
- the server's peak RSS, and its RSS 10 s after the last tab closed against the warm figure.

The browsers run at a lower CPU priority (`--browser-nice 10`; 0 for equal): they stand for
the students' laptops, and here share the server's cores.

Targets on a quiet 2-core machine with 10 students: light p95 <= 1.5 s while heavy runs are
queued, health p99 < 1 s, peak RSS < 1 GB, memory back within 100 MB of warm at the end.
"""

import argparse
import asyncio
import os
import random
import statistics
import sys
import tempfile
import threading
import time
import urllib.request
from collections import Counter
from pathlib import Path
from typing import NamedTuple

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from streamlit.proto.BackMsg_pb2 import BackMsg  # noqa: E402
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg  # noqa: E402

from app_pages.outline import chapters  # noqa: E402
from bench.memory import rss_mb  # noqa: E402
from bench.timed_server import server_log, server_seconds  # noqa: E402
from tests.e2e.conftest import CHROMIUM, CHROMIUM_FLAGS, start_server  # noqa: E402

BUSY = """() => !!document.querySelector('[data-testid="stStatusWidgetRunningIcon"]')
               || !!document.querySelector('[data-stale="true"]')
               || !!document.querySelector('[data-testid="stSkeleton"]')"""
WAITING_TEXT = "Waiting for a free slot"


async def settled(page, timeout: float = 300.0) -> float:
    """Wait until the page has been quiet for 0.3 s; return when it went quiet (monotonic)."""
    deadline = time.monotonic() + timeout
    await asyncio.sleep(0.15)  # let the click reach the server and the indicator appear
    # a page just opened is quiet before its script has drawn anything: wait for its title
    await page.wait_for_selector('[data-testid="stMain"] h1', timeout=timeout * 1000)
    quiet_since = None
    while time.monotonic() < deadline:
        if await page.evaluate(BUSY):
            quiet_since = None
        elif quiet_since is None:
            quiet_since = time.monotonic()
        elif time.monotonic() - quiet_since > 0.3:
            return quiet_since
        await asyncio.sleep(0.05)
    raise TimeoutError("the page kept running")


async def nudge_first_slider(page) -> bool:
    """Press → on the first slider of the page; False where it has none."""
    sliders = page.locator(
        '[data-testid="stMain"] [data-testid="stSlider"] input[type="range"]:visible'
    )
    if await sliders.count() == 0:
        return False
    await sliders.first.focus()
    await sliders.first.press("ArrowRight")
    return True


class Wire:
    """One student's websocket, read as the browser sees it: when a rerun was asked for, and
    when the server said its script run finished (the events bench/timed_server.py logs on
    the server's side). A browser busy drawing sees them late."""

    def __init__(self, page):
        self.events: list[tuple[float, str]] = []  # (monotonic s, "asked" | "finished")
        self.session = ""  # the server's id for this student (in every new_session message)
        page.on("websocket", self._watch)

    def _watch(self, ws) -> None:
        ws.on("framesent", self._sent)
        ws.on("framereceived", self._received)

    def _sent(self, payload) -> None:
        if isinstance(payload, bytes):
            msg = BackMsg()
            msg.ParseFromString(payload)
            if msg.WhichOneof("type") == "rerun_script":
                self.events.append((time.monotonic(), "asked"))

    def _received(self, payload) -> None:
        if isinstance(payload, bytes):
            msg = ForwardMsg()
            msg.ParseFromString(payload)
            if msg.WhichOneof("type") == "script_finished":
                self.events.append((time.monotonic(), "finished"))
            elif msg.WhichOneof("type") == "new_session":
                self.session = msg.new_session.initialize.session_id

    async def script_done(self, since: float, timeout: float = 300.0, ask_within: float = 3.0):
        """Wait for the script run a change at `since` asked for to finish; False where the
        change asked for none within `ask_within` s (a no-op: a slider already at its end)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.server_seconds(since) is not None:
                return True
            asked = any(what == "asked" and t >= since for t, what in self.events)
            if not asked and time.monotonic() - since > ask_within:
                return False
            await asyncio.sleep(0.05)
        raise TimeoutError("the script run did not finish")

    def server_seconds(self, since: float) -> float | None:
        """From the first rerun asked for after `since` to the last run finished since."""
        return server_seconds(self.events, since, time.monotonic())


async def open_by_sidebar(page, chapter) -> None:
    """Click the chapter's link in the sidebar, as a student does; return once its title shows."""
    await page.locator(f'[data-testid="stSidebarNav"] a[href$="/{chapter.url_path}"]').click()
    await page.wait_for_function(
        "t => document.querySelector('[data-testid=\"stMain\"] h1')?.innerText.startsWith(t)",
        arg=chapter.title.split()[0],
    )


def niced_chromium(nice: int) -> str:
    """A Chromium launcher at a lower CPU priority (the path of a small script), or Chromium.

    The browsers stand for the students' own laptops; here they share the server's two
    cores, and at the same priority their rendering would be counted as the server's delay.
    """
    if nice <= 0:
        return CHROMIUM
    script = Path(tempfile.mkdtemp()) / "chromium"
    script.write_text(f'#!/bin/sh\nexec nice -n {nice} {CHROMIUM} "$@"\n')
    script.chmod(0o755)
    return str(script)


class Change(NamedTuple):
    """One timed change: what, page settled after (s), the server's share read off the
    browser's websocket (s), the student's session, and when it began and settled."""

    what: str
    settled: float
    wire: float | None
    session: str
    start: float
    end: float


async def student(
    i: int,
    browser,
    url: str,
    light: list,
    heavy: list,
    skipped: list,
    rng: random.Random,
    wait: bool = True,
    reading: tuple[float, float] = (0.5, 2.0),
):
    """One student's lesson: every chapter, a slider on each, a program, a training run."""
    if wait:
        await asyncio.sleep(rng.uniform(0, 3))
    context = await browser.new_context(viewport={"width": 1280, "height": 720})
    page = await context.new_page()
    page.set_default_timeout(300_000)
    wire = Wire(page)

    def note(what: str, start: float, settled_at: float) -> None:
        light.append(
            Change(
                what,
                settled_at - start,
                wire.server_seconds(start),
                wire.session,
                start,
                settled_at,
            )
        )

    async def changed(what: str, start: float) -> None:
        """A widget change: timed to the page quiet after the script run it asked for."""
        if await wire.script_done(start):
            note(what, start, await settled(page))
        else:
            skipped.append(what)

    try:
        start = time.monotonic()
        await page.goto(url)
        note("open Home", start, await settled(page))
        for chapter in chapters():
            start = time.monotonic()
            await open_by_sidebar(page, chapter)
            note(f"open {chapter.url_path}", start, await settled(page))
            await asyncio.sleep(rng.uniform(*reading))  # reading the page
            start = time.monotonic()
            if await nudge_first_slider(page):
                await changed(f"slider {chapter.url_path}", start)
            if chapter.url_path == "autograd_graph":
                box = page.locator("textarea").first
                if await box.count():
                    await box.fill(f"a = x * y\nb = sin(a) + {i}\nr = b * b")
                    start = time.monotonic()
                    await box.press("Control+Enter")
                    await changed("type a program", start)
            if chapter.url_path == "live_training":
                await page.get_by_role("button", name="Start").first.click()
                waited_from, waited = None, 0.0
                deadline = time.monotonic() + 600
                while time.monotonic() < deadline:
                    if await page.get_by_text("Finished:").count():
                        break
                    waiting = await page.get_by_text(WAITING_TEXT).count() > 0
                    if waiting and waited_from is None:
                        waited_from = time.monotonic()
                    if not waiting and waited_from is not None:
                        waited += time.monotonic() - waited_from
                        waited_from = None
                    await asyncio.sleep(0.1)
                heavy.append(waited)  # in all, over the run (slow motion waits between steps)
                await settled(page)
    finally:
        await context.close()


def _health(url: str, stop: threading.Event, out: list) -> None:
    while not stop.is_set():
        start = time.perf_counter()
        try:
            with urllib.request.urlopen(url + "/_stcore/health", timeout=10):
                out.append(time.perf_counter() - start)
        except OSError:
            out.append(float("inf"))
        time.sleep(0.25)


def _pct(values: list[float], q: int) -> float:
    if len(values) < 2:
        return values[0] if values else float("nan")
    return statistics.quantiles(values, n=100)[q - 1]


def cpu_seconds(pid: int | None = None) -> float:
    """CPU seconds used so far: by process `pid` (user + system), or by the whole machine."""
    if pid is not None:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:  # gone
            return 0.0
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    cpu = Path("/proc/stat").read_text().splitlines()[0].split()[1:9]
    busy = sum(map(int, cpu)) - int(cpu[3]) - int(cpu[4])  # all but idle and iowait
    return busy / os.sysconf("SC_CLK_TCK")


def bench_cpu_seconds(server_pid: int) -> float:
    """CPU seconds this bench has used driving the browsers: its own process and its other
    children (Playwright's driver), not the server's and not the browsers'."""
    me, total = os.getpid(), cpu_seconds(os.getpid())
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            parent = int(stat.read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        if parent == me and int(stat.parent.name) != server_pid:
            total += cpu_seconds(int(stat.parent.name))
    return total


async def lesson(
    url: str, proc, log: Path, students: int, seed: int, nice: int, reading: tuple[float, float]
) -> None:
    from playwright.async_api import async_playwright

    rng = random.Random(seed)
    light: list[Change] = []
    heavy: list[float] = []
    skipped: list[str] = []
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=niced_chromium(nice), args=CHROMIUM_FLAGS)
        warm_page = await browser.new_page()
        for chapter in chapters():  # one visit to every page: the warm baseline
            await warm_page.goto(f"{url}/{chapter.url_path}")
            await settled(warm_page)
        await warm_page.close()
        solo: list[Change] = []  # one student alone, first
        await student(-1, browser, url, solo, [], [], random.Random(rng.random()), wait=False)
        warm = rss_mb(proc.pid, "VmRSS")
        stop, health = threading.Event(), []
        probe = threading.Thread(target=_health, args=(url, stop, health), daemon=True)
        probe.start()
        began, server_cpu, machine_cpu = time.monotonic(), cpu_seconds(proc.pid), cpu_seconds()
        bench_cpu = bench_cpu_seconds(proc.pid)
        await asyncio.gather(
            *(
                student(
                    i,
                    browser,
                    url,
                    light,
                    heavy,
                    skipped,
                    random.Random(rng.random()),
                    True,
                    reading,
                )
                for i in range(students)
            )
        )
        lesson_seconds = time.monotonic() - began
        server_cpu, machine_cpu = cpu_seconds(proc.pid) - server_cpu, cpu_seconds() - machine_cpu
        bench_cpu = bench_cpu_seconds(proc.pid) - bench_cpu
        stop.set()
        probe.join(15)
        await browser.close()
    await asyncio.sleep(10)
    after = rss_mb(proc.pid, "VmRSS")
    events = server_log(log)

    def by_server(c: Change) -> float | None:
        """The change's server share on the server's own clock (bench/timed_server.py)."""
        return server_seconds(events.get(c.session, []), c.start, c.end)

    changes = [c for c in light if not c.what.startswith("open")]
    seconds = sorted(c.settled for c in changes)
    wire = sorted(c.wire for c in changes if c.wire is not None)
    server = sorted(v for v in map(by_server, changes) if v is not None)
    cores = os.cpu_count() or 1
    print(
        f"{students} students, lesson took {lesson_seconds:.0f} s, reading each page "
        f"{reading[0]:g}-{reading[1]:g} s; browsers at nice {nice} (0: the server's priority)"
    )
    print(
        f"CPU over the lesson: {machine_cpu:.0f} s of the machine's {cores * lesson_seconds:.0f} "
        f"({machine_cpu / (cores * lesson_seconds):.0%} busy): the server {server_cpu:.0f} s "
        f"({server_cpu / machine_cpu:.0%}), the bench driving the browsers {bench_cpu:.0f} s "
        f"({bench_cpu / machine_cpu:.0%}), the rest (the browsers) "
        f"{machine_cpu - server_cpu - bench_cpu:.0f} s"
    )
    print(
        f"widget changes (a slider moved, a program run): {len(seconds)}, "
        f"p50 {_pct(seconds, 50):.2f} s, "
        f"p95 {_pct(seconds, 95):.2f} s, max {seconds[-1]:.2f} s (target p95 <= 1.5 s)"
    )
    print(
        f"  of which the server (rerun asked -> script finished, on the server's clock): "
        f"p50 {_pct(server, 50):.2f} s, p95 {_pct(server, 95):.2f} s, max {server[-1]:.2f} s; "
        f"read off the browsers' websockets: p50 {_pct(wire, 50):.2f} s, p95 {_pct(wire, 95):.2f} s"
    )
    if skipped:
        counts = ", ".join(f"{k} x{n}" for k, n in sorted(Counter(skipped).items()))
        print(f"  not counted, no rerun asked for (a slider at its end): {counts}")
    # Students' laptops draw their own pages: each change's server share in the class plus
    # the time the browser took for the same change with one student alone (an estimate).
    alone = {c.what: (c.settled, by_server(c)) for c in solo if not c.what.startswith("open")}
    drawing = {n: t - v for n, (t, v) in alone.items() if v is not None}
    laptop = sorted(
        v + drawing[c.what]
        for c, v in zip(changes, map(by_server, changes), strict=True)
        if v is not None and c.what in drawing
    )
    print(
        f"  on the students' own laptops (estimate: the server's share in the class + the "
        f"browser's time for the same change, one student alone): p50 {_pct(laptop, 50):.2f} s, "
        f"p95 {_pct(laptop, 95):.2f} s (target p95 <= 1.5 s); alone, the browser took "
        + ", ".join(f"{n.split()[-1]} {t:.2f}" for n, t in sorted(drawing.items()))
    )
    print("  by kind and page: n, page settled p50 / max, server p50 / max (s, server's clock)")
    for name in sorted({c.what for c in light}):
        some = sorted(c.settled for c in light if c.what == name)
        serv = sorted(v for c in light if c.what == name and (v := by_server(c)) is not None)
        serv = serv or [float("nan")]
        print(
            f"    {name:28s} n={len(some):3d}  {_pct(some, 50):5.2f} {some[-1]:5.2f}   "
            f"{_pct(serv, 50):5.2f} {serv[-1]:5.2f}"
        )
    waited = [w for w in heavy if w > 0]
    print(
        f"training runs: {len(heavy)}; {len(waited)} waited in the admission line"
        + (f", in all p50 {_pct(waited, 50):.1f} s, max {max(waited):.1f} s" if waited else "")
    )
    finite = sorted(h for h in health if h != float("inf"))
    print(
        f"health: {len(health)} probes, {len(health) - len(finite)} unanswered, "
        f"p50 {_pct(finite, 50) * 1000:.0f} ms, p99 {_pct(finite, 99) * 1000:.0f} ms (target < 1000 ms)"
    )
    peak = rss_mb(proc.pid, "VmHWM")
    print(f"peak RSS {peak:.0f} MB (target < 1024 MB)")
    print(
        f"RSS warm {warm:.0f} MB; 10 s after the last tab closed {after:.0f} MB "
        f"({after - warm:+.0f} MB; target within 100 MB)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=10, help="10 by default, up to 30")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--reading",
        type=float,
        nargs=2,
        default=(0.5, 2.0),
        metavar=("LO", "HI"),
        help="seconds a student reads each page before moving its slider (uniform; 0.5 2 by "
        "default: a brisk class, every student on the same page within seconds)",
    )
    parser.add_argument(
        "--browser-nice",
        type=int,
        default=10,
        help="the browsers' CPU priority below the server's (0: equal); they stand for laptops",
    )
    args = parser.parse_args()
    log = Path(tempfile.mkdtemp()) / "server-runs.tsv"
    timed = ("bench/timed_server.py",)  # streamlit run, timing every rerun on the server
    env = {**os.environ, "BENCH_SERVER_LOG": str(log)}
    with start_server(env=env, launcher=timed) as (url, proc):
        students = min(max(args.students, 1), 30)
        reading = (min(args.reading), max(args.reading))
        asyncio.run(lesson(url, proc, log, students, args.seed, args.browser_nice, reading))


if __name__ == "__main__":
    main()
