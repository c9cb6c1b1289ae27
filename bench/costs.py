"""What each heavy button costs: CPU seconds of one core, run as the page runs it.

Run by hand: `python bench/costs.py [--only live|slice|dagger]`. The pages quote these figures
in their buttons' help, so a student knows what a click will cost before making it; on a
shared server every second is multiplied by the queue. Behaviour cloning's own buttons
(collect, train, matches, play) are timed by `python bench/bc.py --costs`.

Each figure is the working thread's CPU time with one torch thread (`time.thread_time`), so it
moves little with the machine's load (printed); drawing the charts comes on top.
"""

import argparse
import os
import sys
import time
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from core.training import EXAMPLES, make_run  # noqa: E402
from runtime.threads import torch_threads  # noqa: E402
from tests.e2e.conftest import page_constant  # noqa: E402


def cpu(fn) -> float:
    """CPU seconds of this thread spent in fn(), with one torch thread."""
    with torch_threads(1):
        start = time.thread_time()
        fn()
        return time.thread_time() - start


def live() -> None:
    """Live training: each example's Start with its defaults, to the end of the run."""
    for name, example in EXAMPLES.items():
        run = make_run(example.config())
        seconds = cpu(lambda run=run: [None for _ in run])
        print(
            f"  Live training, {name:10s} Start (defaults): {seconds:5.1f} s "
            f"(the run counts {run.cpu_seconds:.1f} s; status {run.status})"
        )


def slice_() -> None:
    """Gradient descent: the Li et al. landscape slice at the page's defaults."""
    from core.landscapes import network_slice

    seconds = cpu(lambda: [None for _ in network_slice.li_slice()])
    print(f"  Gradient descent, Compute the landscape slice (defaults): {seconds:5.1f} s")


def dagger_() -> None:
    """The DAgger tab: the visitation maps for one opponent, one DAgger iteration."""
    from core.wrestling import dagger, expert, export

    games = page_constant("dagger_tab", "VISIT_GAMES")
    bc = export.shipped_policy()
    course = dagger.course_policy()
    for name, opponent in dagger.standard_opponents(course).items():
        seconds = cpu(
            lambda o=opponent: [dagger.visitation(p, "x", o, games, seed=0) for p in (None, bc)]
        )
        print(f"  DAgger, Map where the expert and the clone go, vs {name}: {seconds:5.1f} s")
        seconds = cpu(lambda o=opponent: dagger.visitation(bc, "x", o, games, seed=0))
        print(f"  DAgger, Add the DAgger policy to the maps, vs {name}: {seconds:5.1f} s")
    data = expert.collect(dagger.LESSON_PAIRS, seed=0)
    for iterations in (1, 3):
        config = replace(dagger.LESSON, iterations=iterations)
        opponents = dagger.standard_opponents(course)
        seconds = cpu(lambda c=config, o=opponents: list(dagger.dagger(bc, data, c, o)))
        print(
            f"  DAgger, Run DAgger ({iterations} iteration(s), the tab's budget): {seconds:5.1f} s"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", choices=["live", "slice", "dagger"])
    args = parser.parse_args()
    print("CPU seconds of one core; load average {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))
    # the first optimiser of a process imports torch._dynamo: paid here, not by the first figure
    import torch

    torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=0.1)
    for name, fn in (("live", live), ("slice", slice_), ("dagger", dagger_)):
        if args.only in (None, name):
            fn()
    print("load average {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))


if __name__ == "__main__":
    main()
