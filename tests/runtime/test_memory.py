"""runtime.memory: freed heap memory goes back to the OS where glibc is the C library."""

import platform
from pathlib import Path

import numpy as np
import pytest

from runtime.memory import release_free_memory


def _rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise KeyError("VmRSS")


@pytest.mark.skipif(
    platform.system() != "Linux" or platform.libc_ver()[0] != "glibc", reason="glibc only"
)
def test_freed_heap_goes_back_to_the_os():
    # 200 MB in 8 KB arrays: small enough to live on the heap, not in their own mappings;
    # keep every 50th alive so the heap's top stays in use and free() alone cannot shrink it
    chunks = [np.ones(1024, dtype=np.float64) for _ in range(25_600)]
    keep = chunks[::50]
    before = _rss_mb()
    del chunks
    assert release_free_memory() is True
    assert before - _rss_mb() > 100, "most of the 200 MB freed is handed back"
    assert len(keep) == 512
