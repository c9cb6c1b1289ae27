"""core.cancel: the flag a long loop polls, its reasons, and the CPU budget as one of them."""

import pytest

from core.budget import over_budget
from core.cancel import Cancelled, Stopper, check


def flips_after(polls: int) -> Stopper:
    """A should_stop that says stop from its poll number `polls` + 1 on (what loop tests use)."""
    stop = Stopper()
    stop.checks.append(("the test's flag", lambda: stop.polls > polls))
    return stop


def test_check_raises_only_once_the_flag_says_stop():
    check(None)  # no flag: never stops
    stop = flips_after(2)
    check(stop)
    check(stop)
    with pytest.raises(Cancelled):
        check(stop)
    assert stop.polls == 3 and stop.reason == "the test's flag"


def test_the_first_reason_that_holds_is_kept_and_later_ones_are_not_asked():
    asked = []

    def test(name: str, answer: bool):
        return lambda: asked.append(name) or answer

    stop = Stopper([("a", test("a", False)), ("b", test("b", True)), ("c", test("c", True))])
    assert stop() and stop.reason == "b"
    assert stop() and stop.reason == "b"
    assert asked == ["a", "b"], "once stopped, nothing more is tested"


def test_over_budget_counts_the_given_clock_from_its_creation():
    now = [10.0]
    over = over_budget(1.5, clock=lambda: now[0])
    now[0] = 11.5
    assert not over()
    now[0] = 11.6
    assert over()
