"""The order of a two-point Python set, for thousands of point pairs at once.

The original draws a grey line between the two points where it crosses the view's border, taken
from ``list(set(points))``, so the drawing direction (and, by rounding, a few cells) depends on the
order CPython's set gives two (float, float) tuples. rules.line_cells simply builds that set; the
batched line drawer (lines.py) cannot, so it recomputes CPython's hash of a float (the value
modulo the Mersenne prime 2**61 - 1), of a 2-tuple (xxHash-based, CPython >= 3.8) and the slot
probing of an 8-slot table. Exact: test_set_order_matches_python compares it with Python's own
set on 3,000 pairs (integer-valued and equal coordinates included).
"""

from __future__ import annotations

import numpy as np

_U = np.uint64
_MOD61 = _U((1 << 61) - 1)
_XX1, _XX2, _XX5 = _U(11400714785074694791), _U(14029467366897019727), _U(2870177450012600261)
_XX_LEN2 = _U(2 ^ (2870177450012600261 ^ 3527539))


def float_hash(v: np.ndarray) -> np.ndarray:
    """CPython's hash(float) for finite values, as uint64 bit patterns."""
    mant, expo = np.frexp(np.abs(v))
    m = (mant * 2.0**53).astype(np.uint64)
    r = ((expo.astype(np.int64) - 53) % 61).astype(np.uint64)
    x = ((m << r) & _MOD61) | (m >> (_U(61) - r))
    neg = v < 0
    x = np.where(neg, _U(0) - x, x)
    return np.where(x == _U(2**64 - 1), _U(2**64 - 2), x)


def pair_hash(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """CPython's (>= 3.8) hash of the tuple (a, b), as uint64 bit patterns."""
    acc = np.full(a.shape, _XX5, dtype=np.uint64)
    for lane in (float_hash(a), float_hash(b)):
        acc = acc + lane * _XX2
        acc = (acc << _U(31)) | (acc >> _U(33))
        acc = acc * _XX1
    acc = acc + _XX_LEN2
    return np.where(acc == _U(2**64 - 1), _U(1546275796), acc)


def set_order_swapped(h_first: np.ndarray, h_second: np.ndarray) -> np.ndarray:
    """True where list({p, q}) (p inserted first) lists q before p, given the two hashes."""
    mask = _U(7)
    home = h_first & mask
    slot = h_second & mask
    perturb = h_second.copy()
    for _ in range(16):
        clash = slot == home
        if not clash.any():
            break
        perturb = np.where(clash, perturb >> _U(5), perturb)
        slot = np.where(clash, (slot * _U(5) + _U(1) + perturb) & mask, slot)
    return slot < home
