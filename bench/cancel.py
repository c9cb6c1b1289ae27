"""How soon each heavy loop ends after it is told to stop (core/cancel.py).

Run by hand: `python bench/cancel.py`. For each loop, as the page runs it (one torch thread):
the longest stretch of work between two polls of its flag (wall clock and this thread's CPU
time), and, with the flag flipped at a poll half-way through a run, how long after that poll
the loop had raised Cancelled. The flip lands at a poll, so the second figure is the cost of
unwinding; the first bounds how long a flip that lands between polls waits for its poll.
Each loop runs once unmeasured first: a process's first training spends about 1.5 s of CPU in
torch's one-time set-up inside its first batch, where no poll can reach (the server's warm-up,
runtime/warmup.py, pays it at start).
Wall-clock figures move with the machine's load (printed).
"""

import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from core.budget import torch_threads  # noqa: E402
from core.cancel import Cancelled, Stopper  # noqa: E402


class Timed(Stopper):
    """A Stopper that records when it was polled, and flips at poll `at` (None: never)."""

    def __init__(self, at: int | None = None):
        super().__init__()
        self.at, self.wall, self.cpu = at, [], []
        self.checks.append(("bench", lambda: self.at is not None and self.polls >= self.at))

    def __call__(self) -> bool:
        self.wall.append(time.perf_counter())
        self.cpu.append(time.thread_time())
        return super().__call__()


def gaps(times: list[float]) -> float:
    return max((b - a for a, b in zip(times, times[1:], strict=False)), default=0.0)


def measure(name: str, run) -> None:
    """run(should_stop) does the whole work; print the longest gap and the time to stop."""
    with torch_threads(1):
        run(None)  # warm: a process's first training pays torch's one-time set-up (~1.5 s)
        full = Timed()
        run(full)
        stop = Timed(at=max(1, full.polls // 2))
        try:
            run(stop)
            ended = None
        except Cancelled:
            ended = time.perf_counter() - stop.wall[-1]
    print(
        f"{name:34s} polls {full.polls:6d}  longest gap {1000 * gaps(full.wall):7.1f} ms wall"
        f" {1000 * gaps(full.cpu):7.1f} ms cpu  ended {1000 * (ended or float('nan')):6.2f} ms"
        " after the flip"
    )


def main() -> None:
    from core.landscapes import network_slice
    from core.wrestling import bc, dagger, expert, export

    print(f"load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores")
    measure("expert.collect(10,000)", lambda s: expert.collect(10_000, seed=0, should_stop=s))
    data = expert.collect(10_000, seed=0)
    measure("bc.train (defaults, 8 epochs)", lambda s: list(bc.train(data, should_stop=s)))
    big = bc.TrainConfig(epochs=2, batch_size=512, arch=bc.Arch((32, 64, 64), 256))
    measure("bc.train (large, batch 512)", lambda s: list(bc.train(data, big, s)))
    measure(
        "li_slice (resolution 51)",
        lambda s: list(network_slice.li_slice(resolution=51, span=1.0, should_stop=s)),
    )
    from app_pages.dagger_tab import BUDGET  # the page's run, 2 iterations

    policy = bc.load_weights(export.SHIPPED_WEIGHTS.read_bytes())
    opponents = dagger.standard_opponents(dagger.course_policy())
    config = BUDGET.__class__(**{**BUDGET.__dict__, "iterations": 2})
    measure(
        "dagger (the page's, 2 iterations)",
        lambda s: list(dagger.dagger(policy, data, config, opponents, s)),
    )


if __name__ == "__main__":
    main()
