"""What one run may cost on a shared server: its CPU share and its torch thread count.

Computation in core/ needs both numbers, so they live here; the server layer (runtime/)
imports them from here, never the other way round.
"""

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

RUN_CPU_SECONDS = 60.0  # one heavy run's share of the server: about a minute of one core


@contextmanager
def torch_threads(n: int) -> Iterator[None]:
    """Run a block with `n` intra-op threads, then restore the previous count.

    The lecture's models are tiny: one thread trains them fastest, and most of all on a
    busy 2-core machine, where two threads per run fight each other for the cores.
    """
    import torch  # here, not at the top: the server imports this module before torch is warm

    before = torch.get_num_threads()
    torch.set_num_threads(n)
    try:
        yield
    finally:
        torch.set_num_threads(before)


def over_budget(
    seconds: float, clock: Callable[[], float] = time.thread_time
) -> Callable[[], bool]:
    """A should_stop (core/cancel.py) that is True once `clock` (by default the calling thread's
    CPU time) has advanced more than `seconds` since this call."""
    start = clock()
    return lambda: clock() - start > seconds
