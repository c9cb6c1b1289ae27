"""Fairness at the admission gate: one visitor hammering from 15 tabs against 5 honest ones.

    python bench/fairness.py               # today's gate (runtime/admission.py)
    python bench/fairness.py --gate old    # the gate of commit 9f8e430, for the before figures

The gate itself, with threads standing for sessions (a server with twenty browsers does not
fit a shared two-core machine): 15 sessions of one visitor (one address, one browser cookie)
press a heavy button, re-press the moment a run ends or is refused, and two of them close
their tab mid-run (the session's end: `leave_session`, as app_pages/session.py does; the old
gate's release raised StopException then, issue 30, so a departed run never left). Five
honest visitors, each on their own address, press once; one of them runs in slow motion:
300 steps with a 20 ms pause after each (the regression's 6 s of pacing). A run is `--run`
seconds of holding the slot (sleeping, calling progress(): the gate's behaviour, not the
CPU, is measured). Capacity 2.

Prints each honest visitor's wait for admission (goal: all within 60 s), the slots held by
departed sessions at the end (goal 0) and the paced run's progress (goal: its 300 steps in
its own time plus the runs ahead of it).
"""

import argparse
import importlib.util
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
OLD_COMMIT = "9f8e430"


def load_gate(which: str):
    """The admission module: today's, or the one of OLD_COMMIT (read from git)."""
    if which == "new":
        from runtime import admission

        return admission
    source = subprocess.run(
        ["git", "show", f"{OLD_COMMIT}:runtime/admission.py"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    path = Path(tempfile.mkdtemp()) / "old_admission.py"
    path.write_text(source)
    spec = importlib.util.spec_from_file_location("old_admission", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class Bench:
    def __init__(self, mod, run_seconds: float, horizon: float):
        self.mod, self.old = mod, not hasattr(mod, "Visitor")
        self.gate = mod.Gate(2)
        self.run_seconds, self.horizon = run_seconds, horizon
        self.t0 = time.monotonic()
        self.stop = threading.Event()
        self.departed: set[str] = set()
        self.waits: dict[str, float | None] = {}
        self.pace: dict[str, float] = {"steps": 0}
        self.hog_runs = 0
        self.lock = threading.Lock()

    def now(self) -> float:
        return time.monotonic() - self.t0

    def enter(self, session: str, address: str, browser: str = ""):
        if self.old:
            return self.gate.enter(session)
        return self.gate.enter(session, self.mod.Visitor(address, browser))

    def hold(self, ticket, seconds: float) -> bool:
        end = time.monotonic() + seconds
        while time.monotonic() < end and not self.stop.is_set():
            if getattr(ticket, "left", False):
                return False
            if hasattr(ticket, "progress"):
                ticket.progress()
            time.sleep(max(0.0, min(0.05, end - time.monotonic())))
        return True

    def hog(self, i: int, departs_at: float | None) -> None:
        session = f"hog tab {i}"
        while not self.stop.is_set():
            try:
                ticket = self.enter(session, "10.0.0.66", "the hog's browser")
            except RuntimeError:  # AlreadyRunning, LineFull: re-press a moment later
                time.sleep(0.2)
                continue
            while not ticket.wait(0.25):
                if self.stop.is_set():
                    ticket.leave()
                    return
            if departs_at is not None and self.now() >= departs_at:
                self.departed.add(session)  # the tab closes mid-run: this thread is gone
                if not self.old:
                    time.sleep(0.5)  # Streamlit notices the websocket closed...
                    self.gate.leave_session(session)  # ...and the session's end hook runs
                return
            self.hold(ticket, self.run_seconds)
            ticket.leave()
            with self.lock:
                self.hog_runs += 1

    def honest(self, i: int) -> None:
        session, pressed = f"honest {i}", self.now()
        ticket = self.enter(session, f"10.0.1.{i}")
        while not ticket.wait(0.25):
            if self.stop.is_set():
                self.waits[session] = None
                ticket.leave()
                return
        self.waits[session] = self.now() - pressed
        self.hold(ticket, self.run_seconds)
        ticket.leave()

    def paced(self) -> None:
        session, pressed = "honest paced", self.now()
        ticket = self.enter(session, "10.0.1.99")
        first = True
        for _step in range(300):
            while not ticket.wait(0.25):
                if self.stop.is_set():
                    ticket.leave()
                    return
            if first:
                self.waits[session] = self.now() - pressed
                first = False
            time.sleep(0.001)  # one step's computation
            self.pace["steps"] += 1
            if self.old:  # the old heavy.step_aside: give the slot back, pause, queue again
                ticket.leave()
                time.sleep(0.02)
                while True:
                    try:
                        ticket = self.enter(session, "10.0.1.99")
                        break
                    except RuntimeError:
                        time.sleep(0.02)
            else:  # today: the paced run keeps its slot over its short pause
                self.hold(ticket, 0.02)
        self.pace["finished_at"] = self.now() - pressed
        ticket.leave()

    def run(self) -> None:
        threads = [
            threading.Thread(target=self.hog, args=(i, 5.0 if i < 2 else None), daemon=True)
            for i in range(15)
        ]
        for t in threads:
            t.start()
        time.sleep(1.0)  # the hog is in first
        honest = [threading.Thread(target=self.honest, args=(i,), daemon=True) for i in range(4)]
        honest.append(threading.Thread(target=self.paced, daemon=True))
        for t in honest:
            t.start()
        for t in honest:
            t.join(max(0.0, self.horizon - self.now()))
        time.sleep(1.0)  # let departed sessions' ends land
        running, waiting = self.gate.sessions() if not self.old else self._old_sessions()
        held = [s for s in running + waiting if s in self.departed]
        self.stop.set()
        self.report(held)

    def _old_sessions(self):
        with self.gate._cond:
            return [t.session for t in self.gate._running], [t.session for t in self.gate._waiting]

    def report(self, held: list[str]) -> None:
        print(
            f"gate: {'old (' + OLD_COMMIT + ')' if self.old else 'today'}; capacity 2; "
            f"a run holds its slot {self.run_seconds:.0f} s; horizon {self.horizon:.0f} s"
        )
        for name in ["honest 0", "honest 1", "honest 2", "honest 3", "honest paced"]:
            wait = self.waits.get(name)
            shown = "not admitted" if wait is None else f"admitted after {wait:5.1f} s"
            print(f"  {name:13s} {shown}")
        admitted = [w for w in self.waits.values() if w is not None]
        worst = max(admitted) if len(admitted) == 5 else float("inf")
        print(f"  every honest visitor admitted within 60 s: {worst <= 60} (worst {worst:.1f} s)")
        print(f"  slots or places held by departed sessions: {len(held)} {held}")
        done = self.pace.get("finished_at")
        print(
            f"  paced run: {self.pace['steps']} / 300 steps"
            + (f", finished {done:.1f} s after its press" if done else " (not finished)")
        )
        print(f"  the hog's runs completed meanwhile: {self.hog_runs}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--gate", choices=("new", "old"), default="new")
    ap.add_argument("--run", type=float, default=3.0, help="seconds one run holds its slot")
    ap.add_argument("--horizon", type=float, default=120.0, help="seconds before giving up")
    args = ap.parse_args()
    Bench(load_gate(args.gate), args.run, args.horizon).run()


if __name__ == "__main__":
    main()
