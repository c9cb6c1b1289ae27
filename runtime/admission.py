"""One admission gate for heavy work, so that a whole class can share one server.

Training a model, collecting data or playing matches keeps a core busy for seconds. A class
of thirty pressing Start at once must not make every run thirty times slower, or starve the
server of the time it needs to answer everyone's clicks. So every heavy action asks the gate:

- at most one heavy run per session (a second tab of the same visitor waits its turn too:
  each tab is its own session, so the cap on runs at once covers it);
- at most `capacity()` heavy runs at once: the CPUs this process may really use;
- the rest wait in line, first come first served, and can see their place and leave the line.

    ticket = GATE.enter(session_id)        # raises AlreadyRunning if this session has one
    try:
        while not ticket.wait(0.25):       # a page redraws "waiting: 2 ahead of you" here
            ...
        train()
    finally:
        ticket.leave()                     # a finished, failed or cancelled run frees its slot
"""

import os
import threading
from collections.abc import Callable
from pathlib import Path

from core.budget import RUN_CPU_SECONDS  # noqa: F401  (re-exported: defined where core/ reads it)

ENV_CAPACITY = "PYTORCH_LIVE_HEAVY_RUNS"  # overrides the CPU count the gate admits


def _cgroup_cpus(root: Path = Path("/sys/fs/cgroup")) -> float | None:
    """The CPU quota of this process's cgroup (v2 cpu.max or v1 cfs quota), None if unlimited."""
    try:
        quota, period = (root / "cpu.max").read_text().split()[:2]
        return None if quota == "max" else int(quota) / int(period)
    except (OSError, ValueError):
        pass
    try:
        quota = int((root / "cpu" / "cpu.cfs_quota_us").read_text())
        period = int((root / "cpu" / "cpu.cfs_period_us").read_text())
        return None if quota <= 0 else quota / period
    except (OSError, ValueError):
        return None


def capacity(environ: dict | None = None, cgroup_root: Path = Path("/sys/fs/cgroup")) -> int:
    """How many heavy runs may go at once: the environment override, else the usable CPUs.

    Containers (Streamlit Community Cloud's among them) report the host's cores to
    os.cpu_count(); the cgroup quota says what this process may really use, and the
    affinity mask which cores it may run on. At least one.
    """
    environ = os.environ if environ is None else environ
    raw = environ.get(ENV_CAPACITY, "").strip()
    if raw.isdigit() and int(raw) > 0:
        return int(raw)
    try:
        cpus = float(len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        cpus = float(os.cpu_count() or 1)
    quota = _cgroup_cpus(cgroup_root)
    if quota is not None:
        cpus = min(cpus, quota)
    return max(1, int(cpus))


class AlreadyRunning(RuntimeError):
    """This session already has a heavy run going or waiting."""


class Ticket:
    """One session's place at the gate: waiting, then admitted, then left."""

    def __init__(self, gate: "Gate", session: str):
        self._gate = gate
        self.session = session
        self.admitted = False
        self.left = False

    @property
    def ahead(self) -> int:
        """How many waiting runs stand before this one (0 once admitted or next in line)."""
        return self._gate._ahead(self)

    def wait(self, timeout: float | None = None) -> bool:
        """Block up to `timeout` seconds for admission; True once admitted."""
        return self._gate._wait(self, timeout)

    def leave(self) -> None:
        """Leave the line, or free the slot if admitted. Safe to call more than once."""
        self._gate._leave(self)

    def __enter__(self) -> "Ticket":
        return self

    def __exit__(self, *exc) -> None:
        self.leave()


class Gate:
    """A first-come, first-served gate admitting at most `limit` runs, one per session."""

    def __init__(self, limit: int | Callable[[], int] = capacity):
        self._limit = limit
        self._cond = threading.Condition()
        self._running: list[Ticket] = []
        self._waiting: list[Ticket] = []

    @property
    def limit(self) -> int:
        """Runs admitted at once."""
        return self._limit() if callable(self._limit) else self._limit

    def enter(self, session: str) -> Ticket:
        """A ticket for `session`: admitted at once if a slot is free, else in line."""
        with self._cond:
            if any(t.session == session for t in self._running + self._waiting):
                raise AlreadyRunning(
                    "You already have a heavy run going or waiting (perhaps in another tab): "
                    "one at a time, so that everyone in the class gets a turn."
                )
            ticket = Ticket(self, session)
            self._waiting.append(ticket)
            self._admit()
            return ticket

    def counts(self) -> tuple[int, int]:
        """(running, waiting) right now."""
        with self._cond:
            return len(self._running), len(self._waiting)

    def _admit(self) -> None:
        while self._waiting and len(self._running) < self.limit:
            ticket = self._waiting.pop(0)
            ticket.admitted = True
            self._running.append(ticket)
        self._cond.notify_all()

    def _ahead(self, ticket: Ticket) -> int:
        with self._cond:
            return self._waiting.index(ticket) if ticket in self._waiting else 0

    def _wait(self, ticket: Ticket, timeout: float | None) -> bool:
        with self._cond:
            self._cond.wait_for(lambda: ticket.admitted or ticket.left, timeout)
            return ticket.admitted and not ticket.left

    def _leave(self, ticket: Ticket) -> None:
        with self._cond:
            if ticket.left:
                return
            ticket.left = True
            if ticket in self._running:
                self._running.remove(ticket)
            if ticket in self._waiting:
                self._waiting.remove(ticket)
            self._admit()


GATE = Gate()  # the process's one gate: every session of this server shares it
