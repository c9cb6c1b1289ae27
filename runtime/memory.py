"""Keep a long-running server's memory in check on glibc (Linux)."""

import ctypes
import ctypes.util
import os
from functools import cache

M_ARENA_MAX = -8  # glibc's mallopt parameter
ARENAS = 2  # malloc arenas for the whole process (glibc's default: 8 per core)
ONEDNN_CACHE = 64  # oneDNN kernels kept (its default, 1024, keeps one per batch shape seen)


@cache
def _libc():
    name = ctypes.util.find_library("c")
    try:
        return ctypes.CDLL(name) if name else None
    except OSError:
        return None


def release_free_memory() -> bool:
    """Hand freed heap memory back to the OS (glibc's malloc_trim); True where it did.

    A server keeps what a training run or a match freed unless told otherwise, so every
    visitor's heavy action would raise the floor for everyone after. Costs a few milliseconds.
    """
    libc = _libc()
    if libc is None or not hasattr(libc, "malloc_trim"):
        return False
    return bool(libc.malloc_trim(0))


def limit_allocator() -> None:
    """Cap what a long-running server keeps of freed memory, before torch is first imported.

    Each of Streamlit's script threads would otherwise get a malloc arena of its own that keeps
    its freed pages, and oneDNN keeps a compiled kernel and its buffers for every batch shape a
    network has seen. Settings already in the environment win (`MALLOC_ARENA_MAX`,
    `ONEDNN_PRIMITIVE_CACHE_CAPACITY`).
    """
    os.environ.setdefault("ONEDNN_PRIMITIVE_CACHE_CAPACITY", str(ONEDNN_CACHE))
    libc = _libc()
    if "MALLOC_ARENA_MAX" not in os.environ and libc is not None and hasattr(libc, "mallopt"):
        libc.mallopt(M_ARENA_MAX, ARENAS)
