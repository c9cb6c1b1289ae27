"""A big class in one room: N students join, answer one question, and see the reveal.

    python bench/class_room.py --students 200 [--runs sqlite:1,postgresql:1,postgresql:2]
                               [--browsers 2] [--window 8] [--seed 0]

For each run (a database and a number of app servers on it), the servers run under
bench/timed_server.py, so every script run is timed on the server's own clock. The lecturer is
a real Chromium at 1280 x 720 on the first server: it starts a room and opens the Tensors
question. Then the students come: `--browsers` of them are real Chromium tabs, the rest are
Streamlit sessions over websockets (the browser's own protocol: a page run, then the page's
fragment rerun `interval` s after the last run finished and any run the server pushes taken in
between, the answer sent as the radio's widget state in the radio's own fragment, the page's
script hash sent back), spread over the servers in turn. Every student joins within 3 s and answers at a random moment of the next
`--window` seconds; once every answer has had its reply (or a minute has passed), the lecturer
waits a quiet stretch (only polls run: the CPU of one poll is read there) and reveals.

Figures, per run and then on one last line:
- lost: answers a student's page confirmed ("Your answer: ..." in a reply) that the database does
  not hold, plus answers that never got a reply; both printed (must be 0). The database's count
  per choice is checked against the students' picks, so none is counted twice either;
- answer -> histogram: from an answer's commit (the database's timestamp, written by the
  server that took it) to the end of the first lecturer's run that read it (goal p95 <= 1 s);
- reveal -> student: from the reveal's commit to the end of the run that sent each websocket
  student the answer (goal p95 <= 2 s), and to the moment that client read it (the bench's
  clients share the cores, so this is later); the browsers' own figures apart (client clock);
- server CPU (seconds of CPU over the class's wall time, all servers) and peak RSS (the
  largest server; goal <= 1 GB for 200 sessions).
The bench itself (websocket clients, browsers) shares this machine's cores with the servers;
each run's line ends with the 1-minute load average. `--poll-cost N` only times N redraws of one
student's view (its fragment's own timer; and N full page runs) on SQLite, on the server's CPU
clock.
"""

import argparse
import asyncio
import contextlib
import os
import random
import re
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import websockets  # noqa: E402
from sqlalchemy import select, text  # noqa: E402
from streamlit.proto.BackMsg_pb2 import BackMsg  # noqa: E402
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg  # noqa: E402

from bench.timed_server import server_log  # noqa: E402
from classroom import make_engine  # noqa: E402
from classroom.schema import answers, metadata, opened  # noqa: E402
from tests.conftest import postgres_cluster  # noqa: E402
from tests.e2e.conftest import CHROMIUM, CHROMIUM_FLAGS, start_server  # noqa: E402

PAGE = "class_room"
CHOICES = ["(3, 4)", "(3, 1)", "(4, 3)"]
REVEALED = "Answer: (3, 4)"
BENCH_NICE = 10  # the bench's own CPU priority below the servers' (0: equal)
JOIN_SECONDS = 3.0  # the students arrive over this long
STEADY_SECONDS = 6.0  # the quiet stretch before the reveal in which one poll's cost is read
OFFSET = time.time() - time.monotonic()  # wall clock -> monotonic, the same on this machine


def pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def _texts(msg: ForwardMsg) -> list[str]:
    """The visible strings of a delta (markdown, text, alerts): where a reveal shows."""
    if msg.WhichOneof("type") != "delta" or msg.delta.WhichOneof("type") != "new_element":
        return []
    element = msg.delta.new_element
    kind = element.WhichOneof("type")
    if kind in ("markdown", "text", "alert"):
        return [getattr(element, kind).body]
    return []


class Student:
    """One student as a Streamlit session over a websocket, as the browser speaks to it.

    Like the browser, it asks for its polling fragment's next run `interval` seconds after the
    last one finished (a page that has not heard back does not pile requests up), and sends
    its answer at once, as the radio's widget state: the formatted choice, a `string_value`.
    """

    def __init__(self, url: str, code: str, pick: int, join_at: float, answer_at: float) -> None:
        self.url, self.code, self.pick = url, code, pick
        self.join_at, self.answer_at = join_at, answer_at
        self.session_id = ""
        self.page_hash = (
            ""  # the page's script hash, sent back with every rerun as the browser does
        )
        self.fragment: tuple[str, float] | None = None
        self.radio_id = ""
        self.radio_fragment = ""  # the fragment the radio is drawn in: an answer reruns it
        self.widgets: list = []
        self.sent_at: float | None = None
        self.replied = False  # a run finished after the answer was sent (the server's reply)
        self.confirmed = False  # a reply showed "Your answer: <this pick>"
        self.refused = ""  # a warning a reply showed instead
        self.revealed_at: float | None = None  # monotonic, when the reveal reached this client
        self.failed = ""  # an exception shown on the page
        self.error = ""

    def _rerun(self, fragment_id: str = "", auto: bool = True) -> bytes:
        back = BackMsg()
        state = back.rerun_script
        state.query_string = f"room={self.code}"
        state.page_name = PAGE
        if (
            self.page_hash
        ):  # without it a rerun the server starts itself (st.rerun) runs the main page
            state.page_script_hash = self.page_hash
        if fragment_id:
            state.fragment_id = fragment_id
            state.is_auto_rerun = auto
        for widget in self.widgets:
            state.widget_states.widgets.add().CopyFrom(widget)
        return back.SerializeToString()

    async def _until_finished(self, ws, stop: asyncio.Event, limit: float = 60.0) -> bool:
        """Read messages until the run asked for has finished (False: none within `limit`)."""
        deadline = time.monotonic() + limit
        while not stop.is_set() and time.monotonic() < deadline:
            try:
                raw = await asyncio.wait_for(ws.recv(), timeout=0.5)
            except TimeoutError:
                continue
            if self._handle(raw):
                return True
        return False

    async def run(self, stop: asyncio.Event) -> None:
        ws_url = self.url.replace("http://", "ws://") + "/_stcore/stream"
        try:
            async with websockets.connect(
                ws_url,
                subprotocols=["streamlit"],
                origin=self.url,
                max_size=2**24,
                ping_interval=None,  # a starved bench must not close its own students
            ) as ws:
                await ws.send(self._rerun())  # the page's first run
                await self._until_finished(ws, stop)
                while not stop.is_set():
                    interval = self.fragment[1] if self.fragment else 1.0
                    next_poll = time.monotonic() + interval
                    while not stop.is_set() and time.monotonic() < next_poll:
                        if (
                            self.radio_id
                            and self.sent_at is None
                            and time.monotonic() >= self.answer_at
                        ):
                            break
                        try:  # a rerun the page asked for itself (a change) arrives meanwhile
                            raw = await asyncio.wait_for(ws.recv(), timeout=0.05)
                        except TimeoutError:
                            continue
                        self._handle(raw)
                    if stop.is_set():
                        break
                    fragment_id = self.fragment[0] if self.fragment else ""
                    answering = bool(
                        self.radio_id
                        and self.sent_at is None
                        and time.monotonic() >= self.answer_at
                    )
                    if answering:  # as the browser does: the widget's own fragment reruns
                        self._choose()
                        fragment_id = self.radio_fragment
                    await ws.send(self._rerun(fragment_id, auto=not answering))
                    finished = await self._until_finished(ws, stop)
                    if answering and finished:
                        self.replied = True
        except Exception as e:  # noqa: BLE001 (reported in the figures)
            self.error = f"{type(e).__name__}: {e}"

    def _choose(self) -> None:
        from streamlit.proto.WidgetStates_pb2 import WidgetState

        widget = WidgetState(id=self.radio_id, string_value=CHOICES[self.pick])
        self.widgets = [w for w in self.widgets if w.id != self.radio_id] + [widget]
        self.sent_at = time.monotonic()

    def _handle(self, raw: bytes) -> bool:
        """Take one message in; True when it ends a run."""
        msg = ForwardMsg()
        msg.ParseFromString(raw)
        kind = msg.WhichOneof("type")
        if kind == "new_session":
            self.session_id = msg.new_session.initialize.session_id
        elif kind == "navigation" and msg.navigation.page_script_hash:
            self.page_hash = msg.navigation.page_script_hash  # the page st.navigation chose
        elif kind == "auto_rerun":
            self.fragment = (msg.auto_rerun.fragment_id, msg.auto_rerun.interval)
        elif kind == "delta" and msg.delta.WhichOneof("type") == "new_element":
            element = msg.delta.new_element
            what = element.WhichOneof("type")
            if what == "radio":
                self.radio_id = element.radio.id
                self.radio_fragment = msg.delta.fragment_id
            elif what == "exception" and not self.failed:
                self.failed = f"{element.exception.type}: {element.exception.message}"
            elif what == "alert" and self.sent_at is not None and not self.confirmed:
                if not element.alert.body.startswith("Answer:"):
                    self.refused = element.alert.body
        shown = _texts(msg)
        if self.sent_at is not None and any(
            f"Your answer: {CHOICES[self.pick]}" in t for t in shown
        ):
            self.confirmed = True
        if self.revealed_at is None and any(REVEALED in t for t in shown):
            self.revealed_at = time.monotonic()
        # a run that ends early for a rerun (a poll that saw a change) is followed by that rerun
        return (
            kind == "script_finished" and msg.script_finished != ForwardMsg.FINISHED_EARLY_FOR_RERUN
        )


def _fresh_database(url: str) -> None:
    engine = make_engine(url)
    with engine.begin() as conn:
        metadata.drop_all(conn)
        conn.execute(text("DROP TABLE IF EXISTS classroom_meta"))
    engine.dispose()


def _cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime


def _rss(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    return 0


class Sampler(threading.Thread):
    """Peak RSS and CPU seconds of the server processes (from /proc), sampled every 0.2 s."""

    def __init__(self, pids: list[int]) -> None:
        super().__init__(daemon=True)
        self.pids = pids
        self.peak = [0] * len(pids)
        self.cpu0 = [_cpu_seconds(p) for p in pids]
        self.halt = threading.Event()

    def run(self) -> None:
        while not self.halt.is_set():
            for i, p in enumerate(self.pids):
                with contextlib.suppress(OSError):
                    self.peak[i] = max(self.peak[i], _rss(p))
            time.sleep(0.2)

    def cpu_seconds(self) -> float:
        return sum(_cpu_seconds(p) - c for p, c in zip(self.pids, self.cpu0, strict=True))


async def _class(urls, url_db, logs, pids, students, browsers, window, seed) -> dict:
    from playwright.async_api import async_playwright

    rng = random.Random(seed)
    os.nice(BENCH_NICE)  # the servers are up: the bench (students' laptops) yields to them
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        projector = await browser.new_page(viewport={"width": 1280, "height": 720})
        projector.set_default_timeout(120_000)
        await projector.goto(f"{urls[0]}/{PAGE}?present=1")
        await projector.get_by_role("button", name="Start a class room").click()
        await projector.get_by_text("class_room?room=").first.wait_for()
        body = await projector.locator('[data-testid="stMain"]').inner_text()
        code = re.search(r"room=([A-Z2-9]{6})", body).group(1)
        lecturer_session = next(iter(server_log(logs[0])))  # the first session on server 1
        await projector.get_by_role("button", name="Open it").click()
        await projector.get_by_text("torch.zeros(3, 1)").first.wait_for()

        picks = [rng.choice([0, 0, 1, 2]) for _ in range(students)]
        tabs = []
        for j in range(browsers):
            tab = await browser.new_page(viewport={"width": 420, "height": 860})
            tab.set_default_timeout(120_000)
            await tab.goto(f"{urls[(j + 1) % len(urls)]}/{PAGE}?room={code}")
            tabs.append((tab, picks[students - browsers + j]))

        sampler = Sampler(pids)
        sampler.start()
        wall0 = time.monotonic()
        stop = asyncio.Event()
        clients = []
        for i in range(students - browsers):
            join = wall0 + rng.uniform(0, JOIN_SECONDS)
            answer = join + rng.uniform(0.5, window)
            clients.append(Student(urls[i % len(urls)], code, picks[i], join, answer))

        async def ws_student(student: Student) -> None:
            await asyncio.sleep(max(0.0, student.join_at - time.monotonic()))
            await student.run(stop)

        tasks = [asyncio.create_task(ws_student(s)) for s in clients]

        async def browser_answer(tab, pick) -> bool:
            """True once the tab shows its answer recorded; False if it never did in 60 s."""
            try:
                await tab.get_by_text("torch.zeros(3, 1)").first.wait_for(timeout=60_000)
                await asyncio.sleep(rng.uniform(0.5, window / 2))
                await tab.get_by_text(CHOICES[pick], exact=True).click(timeout=60_000)
                confirm = tab.get_by_text(f"Your answer: {CHOICES[pick]}").first
                await confirm.wait_for(timeout=60_000)
                return True
            except Exception:  # noqa: BLE001 (counted: an unconfirmed browser answer)
                return False

        confirmed = await asyncio.gather(*(browser_answer(t, k) for t, k in tabs))
        # the lecturer waits until every answer sent is on the page (as the count would show)
        deadline = wall0 + JOIN_SECONDS + window + 60
        while time.monotonic() < deadline and any(not c.replied for c in clients if not c.error):
            await asyncio.sleep(0.2)
        answered_in = time.monotonic() - wall0
        # a steady stretch with nothing new (all answered, no reveal yet): only polls run, so
        # the servers' CPU over it per run asked in it is the cost of one poll
        steady_cpu0, steady_t0 = sampler.cpu_seconds(), time.monotonic()
        await asyncio.sleep(STEADY_SECONDS)
        steady = (sampler.cpu_seconds() - steady_cpu0, steady_t0, time.monotonic())
        await projector.screenshot(path=str(ROOT / "build" / f"bench-class_room-{len(urls)}.png"))
        await projector.get_by_role("button", name="Reveal").click()
        engine = make_engine(url_db)  # the reveal is the moment the database records it
        reveal_clicks, clicked_at = 1, time.monotonic()
        while True:  # a click the page has not taken in 5 s is made again (at most 3 in all)
            await asyncio.sleep(0.2)
            with engine.connect() as conn:
                if conn.execute(select(opened.c.revealed_at)).scalar() is not None:
                    break
            if time.monotonic() - clicked_at > 60:
                raise RuntimeError("the lecturer's Reveal never reached the database")
            button = projector.get_by_role("button", name="Reveal")
            if time.monotonic() - clicked_at > 5 and reveal_clicks < 3 and await button.count():
                await button.click()
                reveal_clicks, clicked_at = reveal_clicks + 1, time.monotonic()
        engine.dispose()

        async def browser_reveal(tab) -> float:
            t0 = time.monotonic()
            try:
                await tab.get_by_text(REVEALED).first.wait_for(timeout=30_000)
            except Exception:  # noqa: BLE001 (shown as nan: never in 30 s)
                return float("nan")
            return time.monotonic() - t0

        browser_seen = await asyncio.gather(*(browser_reveal(t) for t, _ in tabs))
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and any(
            c.revealed_at is None for c in clients if not c.error
        ):
            await asyncio.sleep(0.2)
        await asyncio.sleep(1.0)
        stop.set()
        await asyncio.gather(*tasks)
        wall = time.monotonic() - wall0
        sampler.halt.set()
        cpu = sampler.cpu_seconds()
        await browser.close()

    engine = make_engine(url_db)
    with engine.connect() as conn:
        rows = conn.execute(select(answers.c.value, answers.c.at)).all()
        revealed_at = conn.execute(select(opened.c.revealed_at)).scalar()
    engine.dispose()
    expected = [0, 0, 0]  # answers the student's page confirmed: each must be stored once
    unsure = [0, 0, 0]  # replied to without it (a refusal shown): stored or not, both fair
    no_reply = 0  # sent, and no run finished after it: lost to the student
    for c in clients:
        if c.confirmed:
            expected[c.pick] += 1
        elif c.sent_at is not None:
            unsure[c.pick] += 1
            no_reply += not c.replied
    for (_, pick), ok in zip(tabs, confirmed, strict=True):
        (expected if ok else unsure)[pick] += 1
    stored = [0, 0, 0]
    for value, _ in rows:
        stored[int(value)] += 1
    absent = sum(max(0, e - s) for e, s in zip(expected, stored, strict=True))
    extra = sum(max(0, s - e - u) for e, s, u in zip(expected, stored, unsure, strict=True))

    runs = server_log(logs[0])[lecturer_session]
    asked = [t for t, what in runs if what == "asked"]
    finished = [t for t, what in runs if what.startswith("finished")]
    to_histogram = []
    for _, at in rows:
        at_mono = at - OFFSET
        start = next((t for t in asked if t >= at_mono), None)
        end = next((t for t in finished if start is not None and t >= start), None)
        if end is not None:
            to_histogram.append(end - at_mono)
    events = {}
    for log in logs:
        events.update(server_log(log))
    reveal_mono = revealed_at - OFFSET
    to_reveal, client_reveal = [], []  # the server's run finished; the client read it
    for c in clients:
        if c.revealed_at is None:
            continue
        done = [
            t
            for t, w in events.get(c.session_id, [])
            if w.startswith("finished") and w != f"finished {ForwardMsg.FINISHED_EARLY_FOR_RERUN}"
        ]
        before = [t for t in done if reveal_mono <= t <= c.revealed_at]
        to_reveal.append((before[0] if before else c.revealed_at) - reveal_mono)
        client_reveal.append(c.revealed_at - reveal_mono)
    errors = [c.error for c in clients if c.error]
    run_seconds = []
    for session_events in events.values():
        asked_at = None
        for t, what in session_events:
            if what == "asked":
                asked_at = t
            elif asked_at is not None and wall0 <= asked_at:
                run_seconds.append(t - asked_at)
                asked_at = None
    steady_runs = sum(
        1
        for session_events in events.values()
        for t, what in session_events
        if what == "asked" and steady[1] <= t <= steady[2]
    )
    return {
        "poll_ms": steady[0] / max(1, steady_runs) * 1000,
        "steady_runs": steady_runs,
        "students": students,
        "answered": sum(expected),
        "answered_in": answered_in,
        "unconfirmed": sum(unsure) - no_reply,
        "stored": sum(stored),
        "lost": absent + no_reply,
        "absent": absent,
        "no_reply": no_reply,
        "unsent": sum(1 for c in clients if c.sent_at is None),
        "refusals": sorted({c.refused for c in clients if c.refused and not c.confirmed})[:3],
        "failed": sorted({c.failed for c in clients if c.failed})[:3],
        "twice": extra,
        "missed_reveal": sum(1 for c in clients if c.revealed_at is None),
        "errors": errors[:3],
        "hist": to_histogram,
        "reveal": to_reveal,
        "client_reveal": client_reveal,
        "browser_reveal": browser_seen,
        "cpu": cpu,
        "wall": wall,
        "rss": max(sampler.peak),
        "reveal_clicks": reveal_clicks,
        "runs": run_seconds,
        "load": os.getloadavg()[0],  # the machine's 1-minute load as the run ends
    }


def run_one(db: str, servers: int, args, pg_url: str | None) -> dict:
    with contextlib.suppress(PermissionError):  # the servers start at the normal priority
        os.setpriority(os.PRIO_PROCESS, 0, 0)  # (undoing the last run's nice needs root)
    folder = Path(tempfile.mkdtemp(prefix="bench-class-room-"))
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTORCH_LIVE_DB")}
    if db == "postgresql":
        url = pg_url
        env["PYTORCH_LIVE_DB_URL"] = url
    else:
        path = folder / "rooms.sqlite3"
        url = f"sqlite+pysqlite:///{path}"
        env["PYTORCH_LIVE_DB_PATH"] = str(path)
    _fresh_database(url)
    logs = [folder / f"runs-{i}.tsv" for i in range(servers)]
    with contextlib.ExitStack() as stack:
        urls, pids = [], []
        for log in logs:
            server_env = {**env, "BENCH_SERVER_LOG": str(log)}
            u, proc = stack.enter_context(
                start_server(env=server_env, launcher=("bench/timed_server.py",))
            )
            urls.append(u)
            pids.append(proc.pid)
        return asyncio.run(
            _class(urls, url, logs, pids, args.students, args.browsers, args.window, args.seed)
        )


async def _poll_cost(url: str, code: str, pid: int, polls: int) -> dict[str, float]:
    """Server CPU per run for one session asking again and again (one run at a time)."""
    student = Student(url, code, 0, 0.0, 0.0)
    costs = {}
    ws_url = url.replace("http://", "ws://") + "/_stcore/stream"
    stop = asyncio.Event()
    async with websockets.connect(ws_url, subprotocols=["streamlit"], origin=url) as ws:
        await ws.send(student._rerun())
        await student._until_finished(ws, stop)
        student._choose()  # answered: the page shows the question, the radio and the answer
        await ws.send(student._rerun(student.radio_fragment, auto=False))
        await student._until_finished(ws, stop)
        for name, fragment in (("poll", student.fragment[0]), ("full run", "")):
            for _ in range(10):  # warm
                await ws.send(student._rerun(fragment))
                await student._until_finished(ws, stop)
            cpu0 = _cpu_seconds(pid)
            for _ in range(polls):
                await ws.send(student._rerun(fragment))
                await student._until_finished(ws, stop)
            costs[name] = (_cpu_seconds(pid) - cpu0) / polls
    if not student.confirmed:
        raise RuntimeError(
            "the answer was not confirmed: the poll measured is not the answered one"
        )
    return costs


def poll_cost(polls: int) -> None:
    """Print the server CPU of one student's poll (and of a full page run), on SQLite."""
    folder = Path(tempfile.mkdtemp(prefix="bench-class-room-poll-"))
    path = folder / "rooms.sqlite3"
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTORCH_LIVE_DB")}
    env["PYTORCH_LIVE_DB_PATH"] = str(path)
    from classroom import Store

    store = Store(make_engine(f"sqlite+pysqlite:///{path}"))
    code, key = store.create_room()
    store.open_question(code, key, "tensors.broadcast_shape")
    with start_server(env=env) as (url, proc):
        costs = asyncio.run(_poll_cost(url, code, proc.pid, polls))
    print(
        f"one student's view redrawn (a fragment run): {costs['poll'] * 1000:.2f} ms of CPU "
        f"(a full page run {costs['full run'] * 1000:.2f} ms), mean of {polls}, "
        f"load {os.getloadavg()[0]:.1f}"
    )


def describe(name: str, r: dict) -> str:
    return (
        f"{name}: lost {r['lost']} ({r['absent']} confirmed not stored, {r['no_reply']} no reply), "
        f"answer->histogram p50 {pct(r['hist'], 0.5):.2f} s p95 {pct(r['hist'], 0.95):.2f} s, "
        f"reveal p95 {pct(r['reveal'], 0.95):.2f} s, cpu {r['cpu']:.0f} s in {r['wall']:.0f} s "
        f"(a poll {r['poll_ms']:.1f} ms of CPU over {r['steady_runs']} quiet runs), "
        f"peak rss {r['rss'] / 2**20:.0f} MB, reveal missed by {r['missed_reveal']}, "
        f"load {r['load']:.1f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--students", type=int, default=200)
    parser.add_argument("--browsers", type=int, default=2, help="students in real Chromium tabs")
    parser.add_argument(
        "--window", type=float, default=6.0, help="seconds to answer in, after joining"
    )
    parser.add_argument("--runs", default="sqlite:1,postgresql:1,postgresql:2")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--poll-cost", type=int, default=0, help="only time N polls of one student, then stop"
    )
    args = parser.parse_args()
    if args.poll_cost:
        poll_cost(args.poll_cost)
        return
    runs = [(db, int(n)) for db, n in (r.split(":") for r in args.runs.split(","))]
    results = {}
    with contextlib.ExitStack() as stack:
        pg_url = None
        if any(db == "postgresql" for db, _ in runs):
            pg_url = stack.enter_context(postgres_cluster())
        for db, servers in runs:
            name = f"{db}/{servers} server{'s' if servers > 1 else ''}"
            r = run_one(db, servers, args, pg_url)
            results[name] = r
            print(
                f"== {name}: {r['students']} students, {r['answered']} answers confirmed "
                f"{r['answered_in']:.1f} s after the first joined, "
                f"{r['stored']} stored, lost {r['lost']} ({r['absent']} confirmed but not stored "
                f"+ {r['no_reply']} never replied to), counted twice {r['twice']}, "
                f"{r['unsent']} never sent, "
                f"reveal missed by {r['missed_reveal']} websocket students, "
                f"{r['unconfirmed']} replied to without it, {r['reveal_clicks']} reveal click(s), "
                f"load {os.getloadavg()[0]:.1f}"
                + (f", errors {r['errors']}" if r["errors"] else "")
                + (f", refusals {r['refusals']}" if r["refusals"] else "")
                + (f", page exceptions {r['failed']}" if r["failed"] else "")
            )
            print(f"   {describe(name, r)}")
            print(
                f"   reveal -> websocket student: server clock p50 {pct(r['reveal'], 0.5):.2f} s "
                f"p95 {pct(r['reveal'], 0.95):.2f} s max {max(r['reveal'], default=0):.2f} s; "
                f"as the clients read it p50 {pct(r['client_reveal'], 0.5):.2f} s "
                f"p95 {pct(r['client_reveal'], 0.95):.2f} s"
            )
            if r["browser_reveal"]:
                seen = ", ".join(f"{s:.2f}" for s in r["browser_reveal"])
                print(f"   browsers saw the reveal after {seen} s (their own clock)")
            print(
                f"   server runs (asked -> finished, queueing included): n={len(r['runs'])} "
                f"p50 {pct(r['runs'], 0.5) * 1000:.0f} ms p95 {pct(r['runs'], 0.95) * 1000:.0f} ms"
            )
            print(
                f"   answer->histogram n={len(r['hist'])} "
                f"mean {statistics.fmean(r['hist']) if r['hist'] else float('nan'):.2f} s; "
                f"reveal n={len(r['reveal'])}",
                flush=True,
            )
    lost = sum(r["lost"] + r["twice"] for r in results.values())
    print(f"lost: {lost} | " + " | ".join(describe(n, r) for n, r in results.items()))


if __name__ == "__main__":
    main()
