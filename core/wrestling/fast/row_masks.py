"""Discs and rings in the view as per-row intervals of columns, kept as 40-bit masks.

A circle's band (the ring, the inner circle) or a disc (an agent) crosses a row of the 40 x 40 view
in at most two intervals of columns, found from the circle's chord at the row's centre line. A row
is kept as a uint64 with one bit per column and turned into 40 cell values with byte lookup
tables, eight cells at a time. Exact: where a chord end falls within rounding distance (1e-7
cells) of a cell centre, that row is redone cell by cell with the original's distance test, so the
masks equal rules.observe_dense's cells (tests: test_fast_views_equal_cell_by_cell_views and its
neighbours in tests/core/wrestling/test_env.py).

The paint order differs from the original's without changing the result: rings and the agent's
own disc first, lines next (never over self, see lines.py), then the opponent over its own rows.
"""

from __future__ import annotations

import numpy as np

from core.wrestling.rules import (
    BLUE,
    CELL,
    COL_Y,
    INNER_RADIUS,
    LIGHT_RED,
    LINE,
    OBS_SIZE,
    RADIUS,
    RING,
    RING_RADIUS,
    ROW_X,
    SELF_MASK,
    observe_dense,
    squared,
)

_SELF_BITS = np.packbits(
    np.concatenate([SELF_MASK, np.zeros((OBS_SIZE, 64 - OBS_SIZE), bool)], 1), 1, "little"
).view(np.uint64)[:, 0]
_AMBIGUOUS = 1e-7  # in cells
_BYTE_BITS = np.unpackbits(np.arange(256, dtype=np.uint8)[:, None], axis=1, bitorder="little")
_LUT = {
    v: (_BYTE_BITS * np.uint8(v)).view(np.uint64)[:, 0] for v in (RING, LINE, BLUE, LIGHT_RED, 255)
}  # 255: the mask of a byte's cells, to clear them
_ROW_X0, _COL_Y0 = float(ROW_X[0]), float(COL_Y[0])  # 157.5, 97.5
_STRIP = -COL_Y[-1]  # 97.5: cell centres span [-97.5, 97.5] across the view
# _INTERVAL[(lo + 1) * 42 + hi + 1]: mask of columns lo..hi, for lo, hi in -1..40 (empty if hi < lo).
_lo, _hi = np.meshgrid(np.arange(-1, OBS_SIZE + 1), np.arange(-1, OBS_SIZE + 1), indexing="ij")
_cols = np.arange(OBS_SIZE)
_INTERVAL = (
    np.packbits(
        np.concatenate(
            [
                (_cols >= _lo[..., None]) & (_cols <= _hi[..., None]),
                np.zeros((*_lo.shape, 64 - OBS_SIZE), bool),
            ],
            -1,
        ),
        -1,
        "little",
    )
    .view(np.uint64)[..., 0]
    .ravel()
)
_LUT_RINGS = _LUT[RING][np.arange(65536) % 256] | _LUT[LINE][np.arange(65536) // 256]
_LUT_AGENT = np.zeros(11 * 256, np.uint64)
_LUT_AGENT[BLUE * 256 : BLUE * 256 + 256] = _LUT[BLUE]
_LUT_AGENT[LIGHT_RED * 256 : LIGHT_RED * 256 + 256] = _LUT[LIGHT_RED]
_SELF_ROWS = slice(int(np.flatnonzero(_SELF_BITS)[0]), int(np.flatnonzero(_SELF_BITS)[-1]) + 1)
_SELF_WORDS = {
    v: _LUT[v][_SELF_BITS[_SELF_ROWS].view(np.uint8).reshape(-1, 8)[:, :5]]
    for v in (BLUE, LIGHT_RED)
}
# The three round things of a view: (ring, inner circle, opponent) as (inner, outer) radii.
_BANDS = (
    (RING_RADIUS - CELL / 2, RING_RADIUS + CELL / 2),
    (INNER_RADIUS - CELL / 2, INNER_RADIUS + CELL / 2),
    (-1.0, RADIUS),
)


def _annulus_bits(out: np.ndarray, slots, cx, cy, r_in, r_out) -> None:
    """Set the row masks of the cells at r_in <= distance <= r_out from (cx, cy) into out.

    out is (n_slots, 40) uint64, zeroed; one item per entry of slots (the mask it fills), with its
    centre and radii (scalars, or one per item); r_in None or < 0 means a full disc. Rows where a
    chord end falls within rounding distance of a cell centre are recomputed cell by cell with
    the original's formula, so the masks are exact.
    """
    if len(slots) == 0:
        return
    # Rows that can hold such cells inside the column strip: two ranges around the centre row.
    acy = np.abs(cy)
    reach = r_out * r_out - np.where(acy <= _STRIP, 0.0, (acy - _STRIP) ** 2)
    d_max = np.sqrt(np.maximum(reach, 0.0)) / CELL
    disc = r_in is None
    if disc:
        r_in = -1.0
    d_min = np.sqrt(np.maximum(r_in * np.abs(r_in) - (acy + _STRIP) ** 2, 0.0)) / CELL
    centre = (_ROW_X0 - cx) / CELL
    a_lo = np.floor(centre - d_max - 1e-6)
    a_hi = np.ceil(centre - d_min + 1e-6)
    b_lo = np.floor(centre + d_min - 1e-6)
    b_hi = np.ceil(centre + d_max + 1e-6)
    merged = a_hi >= b_lo - 1
    a_hi = np.where(merged, b_hi, a_hi)
    b_lo = np.where(merged, OBS_SIZE, b_lo)
    lo = np.clip(np.concatenate([a_lo, b_lo]), 0, OBS_SIZE)
    hi = np.clip(np.concatenate([a_hi, b_hi]), -1, OBS_SIZE - 1)
    ok = np.concatenate([reach, reach]) >= 0
    n_rows = np.where(ok, np.maximum(hi - lo + 1, 0), 0).astype(np.int64)
    total = int(n_rows.sum())
    if total == 0:
        return
    which = np.repeat(np.concatenate([np.arange(len(slots))] * 2), n_rows)
    start = np.repeat(lo.astype(np.int64) - (np.cumsum(n_rows) - n_rows), n_rows)
    row = start + np.arange(total)
    cxw, cyw = cx[which], cy[which]
    r_out_w = r_out if np.ndim(r_out) == 0 else r_out[which]
    r_in_w = r_in if np.ndim(r_in) == 0 else r_in[which]

    dx = ROW_X[row] - cxw
    a = dx * dx
    u = (_COL_Y0 - cyw) / CELL
    # Both chords (outer, inner) at once, shape (2, rows). A row that misses a circle gets a
    # negative half-width, so its interval is empty; rows where that is in doubt are redone below.
    squares = [r_out_w * r_out_w] + ([] if disc else [r_in_w * np.abs(r_in_w)])
    h = np.empty((len(squares), total))
    for k, r2 in enumerate(squares):
        np.subtract(r2, a, out=h[k])
    w = np.sqrt(np.abs(h))
    np.copysign(w, h, out=w)
    w *= 1 / CELL
    lo_end = u - w
    hi_end = np.add(u, w, out=w)
    col_lo = np.ceil(lo_end)
    col_hi = np.floor(hi_end)
    lo_end -= col_lo  # in (-1, 0]
    hi_end -= col_hi  # in [0, 1)
    ends = np.abs(lo_end + 0.5, out=lo_end) > 0.5 - _AMBIGUOUS  # an end near a cell centre
    ends |= np.abs(hi_end - 0.5, out=hi_end) > 0.5 - _AMBIGUOUS
    ends |= np.abs(h) < 1e-6
    near = ends.any(0)
    np.clip(col_lo, -1, OBS_SIZE, out=col_lo)
    np.clip(col_hi, -1, OBS_SIZE, out=col_hi)
    col_lo += 1
    col_lo *= OBS_SIZE + 2
    col_lo += col_hi
    col_lo += 1
    chords = _INTERVAL[col_lo.astype(np.intp)]
    bits = chords[0] if disc else chords[0] & ~chords[1]
    if near.any():
        sel = np.flatnonzero(near)
        d = np.sqrt(squared(dx[sel][:, None]) + squared(COL_Y[None, :] - cyw[sel][:, None]))
        inside = (d <= np.broadcast_to(r_out_w, near.shape)[sel][:, None]) & (
            d >= np.broadcast_to(r_in_w, near.shape)[sel][:, None]
        )
        packed = np.zeros((len(sel), 8), np.uint8)
        packed[:, :5] = np.packbits(inside, axis=1, bitorder="little")
        bits[sel] = packed.view(np.uint64)[:, 0]
    out.reshape(-1)[np.asarray(slots)[which] * OBS_SIZE + row] = bits


def round_things(n: int, seen: np.ndarray, cx: np.ndarray, cy: np.ndarray) -> np.ndarray:
    """(3, n, 40) row masks of the ring, inner circle and opponent; seen, cx, cy are (3, n).

    Few views: one pass for all three (fewer NumPy calls); many: one pass each (smaller arrays).
    """
    radii = np.array(_BANDS)
    groups = [np.arange(3)] if n <= 32 else [[0], [1], [2]]
    masks = np.zeros((3, n, OBS_SIZE), np.uint64)
    for objs in groups:
        obj, view = np.nonzero(seen[objs])
        obj = np.asarray(objs)[obj]
        slots = (obj - objs[0]) * n + view
        if len(objs) == 1:
            r_in, r_out = _BANDS[objs[0]]
            r_in = None if r_in < 0 else r_in
        else:
            r_in, r_out = radii[obj, 0], radii[obj, 1]
        part = masks[objs[0] : objs[0] + len(objs)].reshape(-1, OBS_SIZE)
        _annulus_bits(part, slots, cx[obj, view], cy[obj, view], r_in, r_out)
    return masks


def _words(flat: np.ndarray, first: int, n: int) -> np.ndarray:
    """Views first..first+n of the flat buffer as (n, 40 rows, 5) uint64 words of 8 cells."""
    return flat[first * 1600 : (first + n) * 1600].reshape(n, OBS_SIZE, 5 * 8).view(np.uint64)


def compose(flat: np.ndarray, first: int, green: np.ndarray, grey: np.ndarray) -> None:
    """Write views first.. from the ring row masks, and each agent itself (lines and opponent after).

    The original's paint order is lines, agents, then rings only on cells nothing else took: here
    rings go first (never over self), lines next (never over self, see lines.draw_lines), and the
    opponent last, masking whatever is under it (see paint_opponent).
    """
    n = green.shape[0]
    green &= ~_SELF_BITS
    grey &= ~_SELF_BITS
    words = _words(flat, first, n)
    # Per byte of 8 cells: its green bits, and its grey bits above them (contiguous, then cut).
    pair = np.left_shift(grey.view(np.uint8), 8, dtype=np.uint16)
    pair |= green.view(np.uint8)
    words[...] = _LUT_RINGS[pair.reshape(n, OBS_SIZE, 8)[..., :5]]
    words[0::2, _SELF_ROWS] |= _SELF_WORDS[LIGHT_RED]
    words[1::2, _SELF_ROWS] |= _SELF_WORDS[BLUE]


def paint_opponent(
    flat: np.ndarray,
    first: int,
    opp: np.ndarray,
    self_top: np.ndarray,
    pos: np.ndarray,
    theta: np.ndarray,
) -> None:
    """Paint the opponent's disc over views first.. (only its rows), replacing what is there.

    Self is repainted after the opponent whenever an arc was drawn after it (almost always), so the
    opponent never covers self then; in the rare other case the view is redone cell by cell.
    """
    view, row = np.nonzero(opp)
    if view.size == 0:
        return
    bits = opp[view, row]
    on_self = np.flatnonzero(bits & _SELF_BITS[row])
    bits[on_self] &= ~_SELF_BITS[row[on_self]]
    over = np.unique(view[on_self[~self_top[view[on_self]]]])  # views to redo (rare)
    words = _words(flat, first, opp.shape[0])
    colour = np.where(view % 2 == 0, BLUE, LIGHT_RED).astype(np.intp)[:, None]
    cells = _bytes(bits)
    old = words[view, row]
    old &= ~_LUT[255][cells]
    words[view, row] = old | _LUT_AGENT[colour * 256 + cells]
    if over.size:
        views = observe_dense(pos[over // 2], theta[over // 2])[np.arange(over.size), over % 2]
        words[over] = views.reshape(-1, OBS_SIZE, 5 * 8).view(np.uint64)


def _bytes(bits: np.ndarray) -> np.ndarray:
    """(n, 40) uint64 row masks -> (n, 40, 5) bytes of 8 cells each."""
    return bits.view(np.uint8).reshape(*bits.shape, 8)[..., :5]
