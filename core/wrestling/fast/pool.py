"""Observation arrays for WrestlingEnv.step, each written again only once nobody else holds it.

A fresh multi-megabyte array every step costs page faults and heap trimming (about a tenth of a
step at 1,024 environments), so step() recycles its output arrays. An array the caller still
holds (or any view of it, or a tensor made from it) has a reference beyond the pool's, so it is
never written again; this reads CPython's reference count (sys.getrefcount). Tested by
test_returned_observations_are_never_overwritten.
"""

from __future__ import annotations

import sys

import numpy as np


class ObsBuffers:
    """Observation arrays for step(), each reused only once nothing outside this pool holds it."""

    def __init__(self, shape: tuple, size: int = 4):
        self.shape, self.size, self.pool = shape, size, []

    def take(self, like: np.ndarray | None = None) -> np.ndarray:
        """A free buffer (new if none is free), filled with a copy of like if given."""
        buf = None
        for b in self.pool:
            # References: the pool's list, the loop variable and getrefcount's own argument.
            if sys.getrefcount(b) <= 3:
                buf = b
                break
        if buf is None:
            buf = np.empty(self.shape, np.uint8)
            self.pool = [*self.pool[-(self.size - 1) :], buf]
        if like is not None:
            np.copyto(buf, like)
        return buf
