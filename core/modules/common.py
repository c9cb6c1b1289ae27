"""What the module chapter's examples share: seeding torch's global RNG safely, error text."""

import re
from collections.abc import Iterator
from contextlib import contextmanager

import torch

# The one lock around torch's global RNG, shared with the live-training examples: many
# students' sessions run in one process, and the slides' code seeds the global RNG.
from core.training.common import _SEED_LOCK

_ANSI = re.compile(r"\x1b\[[0-9;]*m")


@contextmanager
def seeded(seed: int) -> Iterator[None]:
    """Run a block with torch's global RNG seeded, as the shown code does, then restore it."""
    with _SEED_LOCK, torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        yield


def error_text(err: BaseException) -> str:
    """PyTorch's own message for an error, without terminal colour codes."""
    return _ANSI.sub("", str(err)).strip()
