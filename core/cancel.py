"""Telling a long loop to stop: the caller owns the flag, the loop polls it.

    def collect(n, should_stop: ShouldStop | None = None):
        for step in range(n):
            check(should_stop)        # raises Cancelled once should_stop() returns True
            ...                       # one batch or step: a small fraction of a second

A loop never knows who asks (a Stop button, the gate's watchdog, a CPU budget): the caller
passes any callable that returns True once the work should end. Loops poll it once per batch or
step and end by raising `Cancelled` before they write a result, so a stopped run leaves nothing
half-made: what a generator already yielded stays whole, and the rest is never produced.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

ShouldStop = Callable[[], bool]


class Cancelled(Exception):
    """A long loop ended early because its `should_stop` said so."""


def check(should_stop: ShouldStop | None) -> None:
    """Raise Cancelled if `should_stop` (None: never) says the work should end."""
    if should_stop is not None and should_stop():
        raise Cancelled()


@dataclass
class Stopper:
    """A should_stop made of named reasons, tested in order; it remembers the first that held.

    `checks` are (reason, test) pairs: the reason in English (marked for translation where it
    is made), the test a callable that is True once the reason holds. Once stopped, it stays
    stopped and tests nothing more. `polls` counts the calls (what tests and benches read).
    """

    checks: list[tuple[str, ShouldStop]] = field(default_factory=list)
    reason: str = ""
    polls: int = 0

    def __call__(self) -> bool:
        self.polls += 1
        if not self.reason:
            self.reason = next((why for why, test in self.checks if test()), "")
        return bool(self.reason)
