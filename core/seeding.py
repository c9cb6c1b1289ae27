"""Seeding torch's global random generator when many students share one process.

The slides' code calls `torch.manual_seed(seed)` and then builds a model; on a server each
visitor's session does that in its own thread, so the global generator is taken under one
lock and restored afterwards: one student's seed never leaks into another's weights.
"""

import threading
from collections.abc import Iterator
from contextlib import contextmanager

import torch

_LOCK = threading.Lock()


@contextmanager
def seeded(seed: int) -> Iterator[None]:
    """Run a block with torch's global RNG seeded to `seed`, then restore its state."""
    with _LOCK, torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        yield
