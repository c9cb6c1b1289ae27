"""The admission gate: at most `limit` heavy runs at once, one per session, first come first served."""

import os
import threading

import pytest

from runtime.admission import AlreadyRunning, Gate, capacity


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
