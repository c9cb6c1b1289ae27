"""Torch's thread count for a block of work."""

from collections.abc import Iterator
from contextlib import contextmanager

import torch


@contextmanager
def torch_threads(n: int) -> Iterator[None]:
    """Run a block with `n` intra-op threads, then restore the previous count.

    The lecture's models are tiny: one thread trains them fastest, and most of all on a
    busy 2-core machine, where two threads per run fight each other for the cores.
    """
    before = torch.get_num_threads()
    torch.set_num_threads(n)
    try:
        yield
    finally:
        torch.set_num_threads(before)
