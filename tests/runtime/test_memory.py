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


ARENAS_AFTER_THREADS = """
import ctypes, threading, sys
sys.path.insert(0, {root!r})
if {limit}:
    from runtime.memory import limit_allocator
    limit_allocator()
barrier = threading.Barrier(8)
def work():
    barrier.wait()  # all at once: glibc gives a contended thread an arena of its own
    for _ in range(2000):
        b = bytearray(4096)
threads = [threading.Thread(target=work) for _ in range(8)]
[t.start() for t in threads]
[t.join() for t in threads]
ctypes.CDLL(None).malloc_stats()
"""


@pytest.mark.skipif(
    platform.system() != "Linux" or platform.libc_ver()[0] != "glibc", reason="glibc only"
)
def test_the_server_keeps_two_malloc_arenas_however_many_threads_allocate():
    import os
    import subprocess
    import sys

    from tests.conftest import ROOT

    env = {k: v for k, v in os.environ.items() if k != "MALLOC_ARENA_MAX"}

    def arenas(limit: bool) -> int:
        code = ARENAS_AFTER_THREADS.format(root=str(ROOT), limit=limit)
        out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
        return out.stderr.count("Arena ")

    assert arenas(limit=True) <= 2
    assert arenas(limit=False) > 2, "without the cap, contended threads get arenas of their own"
