"""The admission gate: at most `limit` heavy runs at once, one per session, first come first served."""

import os
import threading
import time

import pytest

from core.i18n import catalogue
from runtime.admission import (
    ENV_PER_ADDRESS,
    ENV_SHARED,
    AlreadyRunning,
    Fairness,
    Gate,
    LineFull,
    Visitor,
    capacity,
)


def test_admits_up_to_the_limit_then_queues_in_order():
    gate = Gate(2)
    a, b, c, d = (gate.enter(s) for s in "abcd")
    assert (a.admitted, b.admitted, c.admitted, d.admitted) == (True, True, False, False)
    assert (c.ahead, d.ahead) == (0, 1)
    assert gate.counts() == (2, 2)
    a.leave()
    assert c.admitted and not d.admitted and d.ahead == 0
    c.leave()
    assert d.admitted
    assert gate.counts() == (2, 0)


def test_one_run_per_session_and_the_slot_comes_back():
    gate = Gate(4)
    with gate.enter("alice"):
        with pytest.raises(AlreadyRunning, match="one at a time"):
            gate.enter("alice")
        assert gate.enter("bob").admitted
    assert gate.enter("alice").admitted  # left on exit, so alice may start again


def test_leaving_the_line_lets_the_next_one_move_up():
    gate = Gate(1)
    gate.enter("a")
    b, c = gate.enter("b"), gate.enter("c")
    b.leave()  # a student who presses Cancel while waiting
    b.leave()  # twice is harmless
    assert c.ahead == 0 and not c.admitted
    assert gate.counts() == (1, 1)


def test_a_waiting_thread_is_woken_when_a_slot_frees():
    gate = Gate(1)
    first = gate.enter("first")
    second = gate.enter("second")
    assert not second.wait(0.01)
    admitted = []
    waiter = threading.Thread(target=lambda: admitted.append(second.wait(10)))
    waiter.start()
    first.leave()
    waiter.join(10)
    assert admitted == [True]


def test_many_threads_never_exceed_the_limit():
    gate, limit = Gate(3), 3
    lock, running, peak = threading.Lock(), [0], [0]

    def work(name):
        with gate.enter(name) as ticket:
            assert ticket.wait(30)
            with lock:
                running[0] += 1
                peak[0] = max(peak[0], running[0])
            for _ in range(2000):
                pass
            with lock:
                running[0] -= 1

    threads = [threading.Thread(target=work, args=(f"s{i}",)) for i in range(24)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert peak[0] <= limit and running[0] == 0 and gate.counts() == (0, 0)


def test_capacity_reads_the_override_then_the_cgroup_quota(tmp_path):
    assert capacity({"PYTORCH_LIVE_HEAVY_RUNS": "5"}, tmp_path) == 5
    v2 = tmp_path / "v2"
    v2.mkdir()
    (v2 / "cpu.max").write_text("150000 100000\n")  # 1.5 CPUs: one run at once
    assert capacity({}, v2) == 1
    v1 = tmp_path / "v1"
    (v1 / "cpu").mkdir(parents=True)
    (v1 / "cpu" / "cpu.cfs_quota_us").write_text("100000\n")
    (v1 / "cpu" / "cpu.cfs_period_us").write_text("100000\n")
    assert capacity({}, v1) == 1
    unlimited = tmp_path / "unlimited"
    unlimited.mkdir()
    (unlimited / "cpu.max").write_text("max 100000\n")
    assert capacity({"PYTORCH_LIVE_HEAVY_RUNS": "zero"}, unlimited) == len(os.sched_getaffinity(0))


# ---------------------------------------------------------------- the registry and its ends
def test_a_session_end_leaves_its_ticket_and_the_next_one_is_admitted():
    gate = Gate(1)
    held = gate.enter("closed tab")
    waiting = gate.enter("fresh student")
    assert gate.ticket_of("closed tab") is held and not waiting.admitted
    assert gate.leave_session("closed tab") == 1
    assert held.cancelled and "session ended" in held.reason
    assert waiting.admitted and gate.ticket_of("closed tab") is None
    assert gate.leave_session("closed tab") == 0  # a second end is harmless


def test_a_session_that_ends_while_waiting_leaves_the_line():
    gate = Gate(1)
    gate.enter("a")
    b, c = gate.enter("b"), gate.enter("c")
    assert c.ahead == 1
    gate.leave_session("b")
    assert b.left and c.ahead == 0 and gate.counts() == (1, 1)


def _idle_holder(gate: Gate, session: str, **kw):
    """A ticket entered from a thread that then blocks without using the CPU."""
    out, stop = [], threading.Event()

    def hold():
        out.append(gate.enter(session, **kw))
        stop.wait(30)

    thread = threading.Thread(target=hold, daemon=True)
    thread.start()
    while not out:
        time.sleep(0.01)
    return out[0], stop


def test_the_watchdog_reclaims_a_slot_whose_holder_shows_no_progress():
    gate = Gate(1, stale_seconds=0.4)
    stuck, stop = _idle_holder(gate, "stuck")
    fresh = gate.enter("fresh")
    assert stuck.admitted and not fresh.admitted
    assert fresh.wait(5), "the stuck holder's slot was reclaimed"
    assert stuck.cancelled and "no progress for 0.4 s" in stuck.reason  # what the run is told
    stop.set()


def test_progress_keeps_a_slot_and_a_lease_needs_progress_not_cpu():
    gate = Gate(2, stale_seconds=0.3)
    alive = gate.enter("alive")
    leased = gate.enter("leased", lease=0.3)  # held by this (busy) thread, never renewed
    deadline = time.monotonic() + 1.0
    while time.monotonic() < deadline:
        alive.progress()
        sum(range(20_000))  # the holder thread computes
        gate.counts()
    assert not alive.left, "progress kept it"
    assert leased.cancelled, "a lease that is not renewed runs out even while its thread computes"


def test_cpu_time_of_the_holder_thread_counts_as_progress():
    gate = Gate(1, stale_seconds=0.3)
    busy = gate.enter("busy")  # this thread computes below without calling progress()
    deadline = time.monotonic() + 1.0
    while time.monotonic() < deadline:
        sum(range(50_000))
        gate.counts()
    assert not busy.left


# ---------------------------------------------------------------- fairness per visitor
def test_one_visitor_with_many_tabs_holds_one_slot_and_one_place():
    gate = Gate(2)
    me = Visitor("10.0.0.66", "browser-of-the-mischievous")
    first, second = gate.enter("tab 1", me), gate.enter("tab 2", me)
    assert first.admitted and not second.admitted, "one running per visitor, even with a slot free"
    with pytest.raises(AlreadyRunning, match="another waiting"):
        gate.enter("tab 3", me)
    honest = gate.enter("honest", Visitor("10.0.0.7"))
    assert honest.admitted, "the free slot goes to another visitor"


def test_the_line_is_served_round_robin_across_visitors():
    gate = Gate(2)
    hog = Visitor("10.0.0.66")
    h1 = gate.enter("hog 1", hog)
    others = [gate.enter(f"student {i}", Visitor(f"10.0.1.{i}")) for i in range(4)]
    h2 = gate.enter("hog 2", hog)  # the hog's second tab stands in line too
    assert others[0].admitted and not h2.admitted
    h1.leave()  # the hog's run ends: the next turn is a visitor never served, not the hog
    assert others[1].admitted and not h2.admitted
    admitted = [others[1]]
    for t in [others[0], *others[1:]]:
        t.leave()
        admitted += [x for x in others + [h2] if x.admitted and not x.left and x not in admitted]
    assert h2.admitted and admitted[-1] is h2, "the hog's second run came after every other"


def test_a_shared_address_falls_back_to_per_session_with_a_cap():
    gate = Gate(
        2, Fairness(shared=Fairness.from_env({ENV_SHARED: "192.168.0.0/24"}).shared, per_address=3)
    )
    lab = [gate.enter(f"lab {i}", Visitor("192.168.0.9")) for i in range(3)]
    assert [t.admitted for t in lab] == [True, True, False], "each lab session is its own visitor"
    with pytest.raises(LineFull) as refused:
        gate.enter("lab 3", Visitor("192.168.0.9"))
    assert str(refused.value).startswith("Your network already has 3 heavy runs")
    zh = refused.value.text(catalogue("zh").gettext)  # the page's words, the count kept
    assert zh.startswith("你所在的网络已经有 3 个") and zh == refused.value.text(
        catalogue("zh").gettext
    )
    assert refused.value.text() == str(refused.value)
    assert gate.enter("home", Visitor("10.0.0.8")).admitted is False  # the line, not a refusal


def test_many_browsers_on_one_address_make_it_shared():
    gate = Gate(4, Fairness(shared_after=3, per_address=10))
    a = gate.enter("a", Visitor("10.9.9.9", "browser a"))
    b = gate.enter("b", Visitor("10.9.9.9", "browser b"))
    assert a.admitted and not b.admitted, "two browsers: still one visitor (one address)"
    c = gate.enter("c", Visitor("10.9.9.9", "browser c"))
    assert c.admitted, "a third browser: the address is shared, browsers count apart"
    with pytest.raises(AlreadyRunning):
        gate.enter("c2", Visitor("10.9.9.9", "browser c")) and gate.enter(
            "c3", Visitor("10.9.9.9", "browser c")
        )


def test_fairness_settings_come_from_the_environment():
    f = Fairness.from_env({ENV_SHARED: "10.1.0.0/16, 172.16.0.4, nonsense", ENV_PER_ADDRESS: "12"})
    assert f.configured_shared("10.1.200.3") and f.configured_shared("172.16.0.4")
    assert not f.configured_shared("10.2.0.1") and not f.configured_shared("unknown")
    assert f.per_address == 12 and f.shared_after == 3


def test_the_forwarded_address_is_read_only_as_far_as_the_trusted_proxies():
    from app_pages.heavy import forwarded_address

    header = "6.6.6.6, 203.0.113.5, 10.0.0.2"  # forged by the client, its real one, a proxy
    assert forwarded_address(header, 2) == "203.0.113.5"
    assert forwarded_address(header, 1) == "10.0.0.2"
    assert forwarded_address(header, 4) is None and forwarded_address("", 1) is None
