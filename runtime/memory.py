"""Keep a long-running server's memory in check on glibc (Linux)."""

import ctypes
import ctypes.util
from functools import cache


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
