"""One admission gate for heavy work, so that a whole class can share one server.

Training a model, collecting data or playing matches keeps a core busy for seconds. A class
of thirty pressing Start at once must not make every run thirty times slower, or starve the
server of the time it needs to answer everyone's clicks. So every heavy action asks the gate:

- at most `capacity()` heavy runs at once: the CPUs this process may really use;
- one ticket per session, and per *visitor* (see `Visitor`) at most one running and one
  waiting, whatever the number of tabs they open;
- the line is served round-robin across visitors: whoever was served longest ago goes first;
- a ticket lives here, in the server's registry keyed by session id, never in a session's
  state: leaving it touches nothing of Streamlit's, so it works while a script is being
  stopped, and the session's end leaves every ticket it held (`leave_session`);
- a watchdog: a ticket whose holder shows no progress for `stale_seconds` (its own `lease`
  where it has one) is reclaimed, and the ticket says so (`reason`), so the run can tell the
  student. Progress is a `progress()` call or CPU time spent by the thread that holds it.

    ticket = GATE.enter(session_id, Visitor("10.0.0.7"))   # raises AlreadyRunning, LineFull
    try:
        while not ticket.wait(0.25):       # a page redraws "waiting: 2 ahead of you" here
            ...
        for step in work:
            if ticket.cancelled: break     # the session went away, or the slot was reclaimed
            ticket.progress()
    finally:
        ticket.leave()                     # a finished, failed or cancelled run frees its slot
"""

import ipaddress
import itertools
import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from core.budget import RUN_CPU_SECONDS  # noqa: F401  (re-exported: defined where core/ reads it)
from core.i18n import N_, Translate, untranslated

ENV_CAPACITY = "PYTORCH_LIVE_HEAVY_RUNS"  # overrides the CPU count the gate admits
ENV_STALE = "PYTORCH_LIVE_STALE_SECONDS"  # the watchdog's N (default 30 s)
ENV_SHARED = "PYTORCH_LIVE_SHARED_ADDRESSES"  # addresses/networks many visitors share (a lab)
ENV_SHARED_AFTER = "PYTORCH_LIVE_SHARED_AFTER"  # this many browsers on one address: shared
ENV_PER_ADDRESS = "PYTORCH_LIVE_PER_ADDRESS"  # tickets one shared address may hold at once
STALE_SECONDS = 30.0
SHARED_AFTER = 3
PER_ADDRESS = 40  # a lab of forty behind one address; an operator may set more or fewer


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


def _number(environ, name: str, default: float) -> float:
    try:
        value = float(environ.get(name, ""))
    except ValueError:
        return default
    return value if value > 0 else default


@dataclass(frozen=True)
class Visitor:
    """Who is asking, as far as the server can tell: the client's address and, where the
    browser sent one, a cookie that is the same in all its tabs (the browser)."""

    address: str = "unknown"
    browser: str = ""


@dataclass(frozen=True)
class Fairness:
    """How tickets are counted per visitor; every field can be set from the environment."""

    shared: tuple = ()  # networks (ipaddress) whose visitors are told apart per session
    shared_after: int = SHARED_AFTER  # browsers seen on one address that make it shared
    per_address: int = PER_ADDRESS  # tickets (running + waiting) a shared address may hold

    @classmethod
    def from_env(cls, environ: dict | None = None) -> "Fairness":
        """The settings in `environ` (os.environ by default); bad values keep the defaults."""
        environ = os.environ if environ is None else environ
        nets = []
        for part in environ.get(ENV_SHARED, "").replace(" ", "").split(","):
            try:
                nets.append(ipaddress.ip_network(part, strict=False))
            except ValueError:
                continue
        return cls(
            tuple(nets),
            int(_number(environ, ENV_SHARED_AFTER, SHARED_AFTER)),
            int(_number(environ, ENV_PER_ADDRESS, PER_ADDRESS)),
        )

    def configured_shared(self, address: str) -> bool:
        """True if the operator named `address` (or its network) as shared by many visitors."""
        try:
            ip = ipaddress.ip_address(address)
        except ValueError:
            return False
        return any(ip in net for net in self.shared)


class Refused(RuntimeError):
    """A place at the gate refused: the reason as an English template (marked for the
    catalogues) and its values, so the page can show it in the visitor's language."""

    def __init__(self, template: str, **values: object) -> None:
        super().__init__(template.format(**values))
        self.template = template
        self.values = values

    def text(self, gettext: Translate = untranslated) -> str:
        """The reason, put through `gettext` (English by default)."""
        return gettext(self.template).format(**self.values)


class AlreadyRunning(Refused):
    """This session, or this visitor in another tab, already has its heavy runs going."""


class LineFull(Refused):
    """The visitor's address holds as many places as it may (a shared address's cap)."""


class Ticket:
    """One session's place at the gate: waiting, then admitted, then left."""

    def __init__(self, gate: "Gate", session: str, key: str, address: str, lease: float | None):
        self._gate = gate
        self.session = session
        self.key = key  # the fairness key: the visitor (or the session on a shared address)
        self.address = address
        self.lease = lease  # seconds without progress after which the slot is reclaimed
        self.admitted = False
        self.left = False
        self.reason = ""  # why the gate ended it ("" when its holder left)
        self.touched = time.monotonic()
        self.thread = threading.get_native_id()  # whose CPU time counts as progress
        self.cpu = _thread_cpu(self.thread)
        self.tag: object = None  # the holder's own mark (heavy: the page run that renewed it)
        self.owner = ""  # what holds it, for the holder's own use (heavy: the live example)

    @property
    def ahead(self) -> int:
        """How many waiting runs stand before this one (0 once admitted or next in line)."""
        return self._gate._ahead(self)

    @property
    def cancelled(self) -> bool:
        """True once the gate took the ticket away (session ended, slot reclaimed)."""
        return self.left and bool(self.reason)

    def wait(self, timeout: float | None = None) -> bool:
        """Block up to `timeout` seconds for admission; True once admitted."""
        return self._gate._wait(self, timeout)

    def progress(self) -> None:
        """Tell the watchdog this run is alive and moving."""
        self.touched = time.monotonic()

    def hold_here(self) -> None:
        """Make the calling thread the ticket's holder (a run continued by another thread)."""
        self.thread = threading.get_native_id()
        self.cpu = _thread_cpu(self.thread)
        self.progress()

    def leave(self) -> None:
        """Leave the line, or free the slot if admitted. Safe to call more than once."""
        self._gate._leave(self, "")

    def __enter__(self) -> "Ticket":
        return self

    def __exit__(self, *exc) -> None:
        self.leave()


def _thread_cpu(native_id: int) -> float | None:
    """CPU ticks a thread of this process has used (None where /proc cannot say)."""
    try:
        fields = Path(f"/proc/self/task/{native_id}/stat").read_text().rsplit(")", 1)[1].split()
        return float(fields[11]) + float(fields[12])  # utime + stime
    except (OSError, IndexError, ValueError):
        return None


class Gate:
    """Admits at most `limit` runs, one per session and visitor, round-robin across visitors."""

    def __init__(
        self,
        limit: int | Callable[[], int] = capacity,
        fairness: Fairness | None = None,
        stale_seconds: float | None = None,
    ):
        self._limit = limit
        self.fairness = fairness or Fairness.from_env()
        self.stale_seconds = stale_seconds or _number(os.environ, ENV_STALE, STALE_SECONDS)
        self._cond = threading.Condition()
        self._running: list[Ticket] = []
        self._waiting: list[Ticket] = []  # in arrival order
        self._served: dict[str, int] = {}  # fairness key -> when it was last admitted
        self._clock = itertools.count(1)
        self._browsers: dict[str, dict[str, float]] = {}  # address -> browser -> last seen
        self._reaped_at = 0.0

    @property
    def limit(self) -> int:
        """Runs admitted at once."""
        return self._limit() if callable(self._limit) else self._limit

    # ------------------------------------------------------------------ entering and leaving
    def enter(
        self, session: str, visitor: Visitor | None = None, lease: float | None = None
    ) -> Ticket:
        """A ticket for `session`: admitted at once if a slot is free and it is its turn, else
        in line. `lease`: seconds without progress after which it is reclaimed (default N)."""
        visitor = visitor or Visitor(f"session:{session}")
        with self._cond:
            self._reap()
            held = self._running + self._waiting
            if any(t.session == session for t in held):
                raise AlreadyRunning(
                    N_(
                        "You already have a heavy run going or waiting: one at a time, so that "
                        "everyone in the class gets a turn."
                    )
                )
            key = self._key(session, visitor)
            mine = [t for t in held if t.key == key]
            if any(not t.admitted for t in mine) or len(mine) >= 2:
                raise AlreadyRunning(
                    N_(
                        "You already have a heavy run going and another waiting (perhaps in "
                        "other tabs): one of each at a time, so that everyone in the class gets "
                        "a turn."
                    )
                )
            if key != visitor.address and self._shared(visitor):
                same = sum(t.address == visitor.address for t in held)
                if same >= self.fairness.per_address:
                    raise LineFull(
                        N_(
                            "Your network already has {same} heavy runs going or waiting, as "
                            "many as it may: try again in a moment."
                        ),
                        same=same,
                    )
            ticket = Ticket(self, session, key, visitor.address, lease)
            self._waiting.append(ticket)
            self._admit()
            return ticket

    def leave_session(self, session: str, reason: str = "the session ended") -> int:
        """Leave every ticket `session` holds (its end: a closed tab); how many there were."""
        with self._cond:
            mine = [t for t in self._running + self._waiting if t.session == session]
            for t in mine:
                self._leave_locked(t, reason)
            return len(mine)

    def ticket_of(self, session: str) -> Ticket | None:
        """The ticket `session` holds right now, if any."""
        with self._cond:
            self._reap()
            return next((t for t in self._running + self._waiting if t.session == session), None)

    def counts(self) -> tuple[int, int]:
        """(running, waiting) right now."""
        with self._cond:
            self._reap()
            return len(self._running), len(self._waiting)

    def sessions(self) -> tuple[list[str], list[str]]:
        """The sessions (running, waiting) right now: what a bench checks for departed ones."""
        with self._cond:
            return [t.session for t in self._running], [t.session for t in self._waiting]

    # ------------------------------------------------------------------ fairness
    def _shared(self, visitor: Visitor) -> bool:
        if self.fairness.configured_shared(visitor.address):
            return True
        seen = self._browsers.get(visitor.address, {})
        return len(seen) >= self.fairness.shared_after

    def _key(self, session: str, visitor: Visitor) -> str:
        now = time.monotonic()
        if visitor.browser:
            seen = self._browsers.setdefault(visitor.address, {})
            seen[visitor.browser] = now
            for browser, when in list(seen.items()):
                if now - when > 3600:  # an hour unseen: that browser has gone home
                    del seen[browser]
        if self._shared(visitor):
            return f"{visitor.address}/{visitor.browser or 'session:' + session}"
        return visitor.address

    def _admit(self) -> None:
        while len(self._running) < self.limit:
            busy = {t.key for t in self._running}
            ready = [t for t in self._waiting if t.key not in busy]
            if not ready:
                break
            # round-robin: the visitor served longest ago (or never) first, then arrival order
            ticket = min(ready, key=lambda t: self._served.get(t.key, 0))
            self._waiting.remove(ticket)
            ticket.admitted = True
            ticket.progress()
            self._served[ticket.key] = next(self._clock)
            self._running.append(ticket)
        self._cond.notify_all()

    def _ahead(self, ticket: Ticket) -> int:
        with self._cond:
            if ticket not in self._waiting:
                return 0
            order = sorted(self._waiting, key=lambda t: self._served.get(t.key, 0))
            return order.index(ticket)

    # ------------------------------------------------------------------ waiting and the watchdog
    def _wait(self, ticket: Ticket, timeout: float | None) -> bool:
        with self._cond:
            end = None if timeout is None else time.monotonic() + timeout
            while not (ticket.admitted or ticket.left):
                ticket.progress()  # a ticket whose holder is polling is alive
                self._reap()  # those who wait run the watchdog, in slices of a quarter second
                left = 0.25 if end is None else min(0.25, end - time.monotonic())
                if left <= 0:
                    break
                self._cond.wait(left)
            return ticket.admitted and not ticket.left

    def _reap(self) -> None:
        """The watchdog: reclaim what no living run is using (called under the lock)."""
        now = time.monotonic()
        if now - self._reaped_at < 0.2:
            return
        self._reaped_at = now
        for t in self._running + self._waiting:
            cpu = _thread_cpu(t.thread) if t.lease is None else None  # a lease needs progress()
            if cpu is not None and cpu != t.cpu:
                t.cpu, t.touched = cpu, now  # the holder's thread is computing
            limit = t.lease if t.lease is not None else self.stale_seconds
            if now - t.touched > limit:
                self._leave_locked(
                    t, f"no progress for {limit:g} s: the slot went to the next in line"
                )

    def _leave(self, ticket: Ticket, reason: str) -> None:
        with self._cond:
            self._leave_locked(ticket, reason)

    def _leave_locked(self, ticket: Ticket, reason: str) -> None:
        if ticket.left:
            return
        ticket.left, ticket.reason = True, reason
        if ticket in self._running:
            self._running.remove(ticket)
        if ticket in self._waiting:
            self._waiting.remove(ticket)
        self._admit()


GATE = Gate()  # the process's one gate: every session of this server shares it
