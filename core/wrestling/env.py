"""Batched, exact NumPy re-implementation of Jidi's olympics-wrestling game.

``WrestlingEnv(n_envs)`` steps ``n_envs`` independent matches at once. Every arithmetic step follows
the original engine (olympics_engine ``core.py`` / ``scenario/wrestling.py``) in the same order
(Python's ``x ** 2`` included), so positions, velocities, headings and energies agree to the last
bit and the 40 x 40 observations agree cell for cell with recordings of the original.

Conventions (all arrays are indexed ``[env, player, ...]``):
    pos (n, 2, 2) centre (x, y) in screen pixels, y down; vel (n, 2, 2) px per simulated second;
    theta (n, 2) heading in degrees, never wrapped; energy (n, 2) in [-1, 1000], -1 = fatigued;
    steps (n,) steps taken; out (n, 2) agent has left the ring; done (n,); winner (n,).
Actions are (n, 2, 2) = [force, turn] per player, force in [-100, 200], turn in [-30, 30] degrees.
Out-of-range actions are clipped (default) or, with ``strict=True``, raise ``ValueError`` as the
original's asserts do (only for agents that are not fatigued, like the original).

``info["winner"]`` is 0 or 1 for the winning player, -1 for a draw (both out in the same step or
the 500-step limit), and -2 for an environment whose episode is still running.

How the views are made fast: each disc or ring crosses a row of the view in one or two intervals
of columns, kept as 40-bit row masks and expanded with byte lookup tables; the grey lines are
drawn by the original's DDA (its set-ordered end points included); rows where a boundary falls
within rounding distance of a cell centre are redone cell by cell (``observe_dense`` is the plain
cell-by-cell twin used in tests). The paint order is rearranged without changing the result:
rings and self first, then the lines from a per-player cell table (so they never need to read the
view back to spare self), then the opponent over its own rows only. Batches are processed in
blocks so NumPy's temporaries stay in cache; a single environment uses a plain-Python path, where
NumPy's per-call cost would dominate. ``step()`` recycles its observation arrays once the caller
has let go of them, as fresh multi-megabyte arrays every step cost page faults.
"""

from __future__ import annotations

import math
import sys
from dataclasses import dataclass

import numpy as np

# World and rules (scenario.json "wrestling" + core.py defaults).
TAU = 0.1
SPEED_CAP = 100.0
MAX_STEPS = 500
RADIUS = 20.0
ENERGY_CAP = 1000.0
ENERGY_RECOVER = 200.0
FORCE_RANGE = (-100.0, 200.0)
TURN_RANGE = (-30.0, 30.0)
RING_CENTRE = (300.0, 350.0)
RING_RADIUS = 200.0
INNER_RADIUS = 50.0
LINES = (((140.0, 350.0), (460.0, 350.0)), ((300.0, 190.0), (300.0, 510.0)))
START_POS = ((300.0, 200.0), (300.0, 500.0))
START_THETA = (90.0, -90.0)

# Observation: 200 px square seen in 5 px cells, 40 px of it behind the agent.
VISIBILITY = 200.0
CELL = 5.0
OBS_SIZE = 40
VIEW_BACK = VISIBILITY * 0.2  # 40.0
EMPTY, RING, LINE, BLUE, LIGHT_RED = 0, 1, 4, 8, 10
PLAYER_COLOURS = (LIGHT_RED, BLUE)  # player 0 is "light red", player 1 "blue"

# Cell centres in the agent's frame: x forward (row 0 far ahead), y to the left (column 0).
_ROW_X = VISIBILITY - CELL * np.arange(OBS_SIZE) - CELL / 2 - VIEW_BACK
_COL_Y = VISIBILITY / 2 - CELL * np.arange(OBS_SIZE) - CELL / 2
_SELF_MASK = np.sqrt(_ROW_X[:, None] ** 2 + _COL_Y[None, :] ** 2) <= RADIUS

# Culling radii, written as the original computes them.
_VIEW_R = VISIBILITY * np.sqrt(2) / 2
_CULL_OFFSET = VISIBILITY / 2 - VIEW_BACK / 2  # 80 px ahead: the original's "view centre"
_ARC_CULL_GREEN = VISIBILITY / 2 * 1.415 + RING_RADIUS
_ARC_CULL_GREY = VISIBILITY / 2 * 1.415 + INNER_RADIUS
_AGENT_CULL = VISIBILITY * 1.415 / 2 + RADIUS

# The view rectangle in the rotated frame: its four sides, in the original's order.
_BOUNDS = (
    ((-VIEW_BACK, -VISIBILITY / 2), (-VIEW_BACK, VISIBILITY / 2)),
    ((-VIEW_BACK, VISIBILITY / 2), (VISIBILITY - VIEW_BACK, VISIBILITY / 2)),
    ((VISIBILITY - VIEW_BACK, VISIBILITY / 2), (VISIBILITY - VIEW_BACK, -VISIBILITY / 2)),
    ((VISIBILITY - VIEW_BACK, -VISIBILITY / 2), (-VIEW_BACK, -VISIBILITY / 2)),
)
_DDA_MAX = 60  # a segment inside the 40 x 40 view never needs more than 57 samples


def _sq(x):
    """x ** 2 exactly as Python computes it for a float (libm pow, not x * x)."""
    return np.float_power(x, 2.0)


# --- CPython's hash of a (float, float) tuple and 2-element set order --------------------------
# The original draws a line between the two points where it crosses the view's border, taken
# from ``list(set(points))``: the drawing direction (and so a few cells) depends on that order.
_U = np.uint64
_MOD61 = _U((1 << 61) - 1)
_XX1, _XX2, _XX5 = _U(11400714785074694791), _U(14029467366897019727), _U(2870177450012600261)
_XX_LEN2 = _U(2 ^ (2870177450012600261 ^ 3527539))


def _float_hash(v: np.ndarray) -> np.ndarray:
    """CPython's hash(float) for finite values, as uint64 bit patterns."""
    mant, expo = np.frexp(np.abs(v))
    m = (mant * 2.0**53).astype(np.uint64)
    r = ((expo.astype(np.int64) - 53) % 61).astype(np.uint64)
    x = ((m << r) & _MOD61) | (m >> (_U(61) - r))
    neg = v < 0
    x = np.where(neg, _U(0) - x, x)
    return np.where(x == _U(2**64 - 1), _U(2**64 - 2), x)


def _pair_hash(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """CPython's (>= 3.8) xxHash-based hash of the tuple (a, b), as uint64 bit patterns."""
    acc = np.full(a.shape, _XX5, dtype=np.uint64)
    for lane in (_float_hash(a), _float_hash(b)):
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


# --- observation -------------------------------------------------------------------------------
def _near_view(l1x, l1y, l2x, l2y, ax, ay, c, s):
    """Whether a line passes within view range of the point 80 px ahead of the agent.

    The original culls lines this way: the closest point of the line (Cramer's rule), then its
    distance to that point. Shared by the single-view and the batched paths.
    """
    px = ax + _CULL_OFFSET * c
    py = ay + _CULL_OFFSET * s
    a1, b1 = l2y - l1y, l1x - l2x
    c1 = (l2y - l1y) * l1x + (l1x - l2x) * l1y
    c2 = -b1 * px + a1 * py
    det = a1 * a1 + b1 * b1
    qx = (a1 * c1 - b1 * c2) / det
    qy = (a1 * c2 + b1 * c1) / det
    return np.sqrt(_sq(qx - px) + _sq(qy - py)) <= _VIEW_R


def _line_pixels(ax, ay, c, s, line):
    """Cells the original's DDA marks for one grey line: flat cell index (M, K) and value (M, K)."""
    (l1x, l1y), (l2x, l2y) = line
    considered = _near_view(l1x, l1y, l2x, l2y, ax, ay, c, s)

    # Endpoints in the agent's frame (x forward, y to the right).
    ends = []
    for ex, ey in line:
        dx, dy = ex - ax, ey - ay
        ends.append((dx * c + dy * s, dx * -s + dy * c))
    (p0x, p0y), (p1x, p1y) = ends
    svx, svy = p1x - p0x, p1y - p0y

    hits_x, hits_y, hits_ok = [], [], []
    with np.errstate(divide="ignore", invalid="ignore"):
        for (bx, by), (ex, ey) in _BOUNDS:
            rx, ry = ex - bx, ey - by
            rs = rx * svy - ry * svx
            qpx, qpy = p0x - bx, p0y - by
            t = (qpx * svy - qpy * svx) / rs
            u = (qpx * ry - qpy * rx) / rs
            ok = (rs != 0) & (t >= 0) & (t <= 1) & (u >= 0) & (u <= 1)
            hits_x.append(bx + t * rx)
            hits_y.append(by + t * ry)
            hits_ok.append(ok)
    hx, hy, hok = np.stack(hits_x, 1), np.stack(hits_y, 1), np.stack(hits_ok, 1)
    # Keep first occurrences of distinct points (the original de-duplicates with a set).
    first = hok.copy()
    for k in range(1, 4):
        for j in range(k):
            first[:, k] &= ~(hok[:, j] & (hx[:, j] == hx[:, k]) & (hy[:, j] == hy[:, k]))
    n_hits = first.sum(1)
    order = np.argsort(~first, axis=1, kind="stable")  # distinct hits first, in border order
    rows = np.arange(len(ax))
    ix0, iy0 = hx[rows, order[:, 0]], hy[rows, order[:, 0]]
    ix1, iy1 = hx[rows, order[:, 1]], hy[rows, order[:, 1]]

    in0 = (p0x + VIEW_BACK > 0) & (p0x + VIEW_BACK < VISIBILITY) & (np.abs(p0y) < VISIBILITY / 2)
    in1 = (p1x + VIEW_BACK > 0) & (p1x + VIEW_BACK < VISIBILITY) & (np.abs(p1y) < VISIBILITY / 2)

    # Start/end of the drawn segment.
    one = n_hits == 1
    two = n_hits == 2
    swap = np.zeros(len(ax), bool)
    if two.any():
        sel = np.flatnonzero(two)
        swap[sel] = set_order_swapped(
            _pair_hash(ix0[sel], iy0[sel]), _pair_hash(ix1[sel], iy1[sel])
        )
    sx = np.where(two & swap, ix1, ix0)
    sy = np.where(two & swap, iy1, iy0)
    tx = np.where(two & swap, ix0, np.where(two, ix1, np.where(in0, p0x, p1x)))
    ty = np.where(two & swap, iy0, np.where(two, iy1, np.where(in0, p0y, p1y)))
    none_hit = n_hits == 0
    sx = np.where(none_hit, p0x, sx)
    sy = np.where(none_hit, p0y, sy)
    segment = considered & (two | (one & (in0 | in1)) | (none_hit & in0 & in1))
    single = considered & one & ~in0 & ~in1

    # DDA in cell units.
    x1 = (sx + VIEW_BACK) / CELL
    y1 = (sy + VISIBILITY / 2) / CELL
    x2 = (tx + VIEW_BACK) / CELL
    y2 = (ty + VISIBILITY / 2) / CELL
    ddx, ddy = x2 - x1, y2 - y1
    steps = np.where(np.abs(ddx) > np.abs(ddy), np.abs(ddx), np.abs(ddy))
    single |= segment & (steps == 0)
    segment &= steps != 0
    safe = np.where(segment, steps, 1.0)
    inc = np.empty((len(ax), _DDA_MAX, 2))
    inc[:, 0, 0] = x1 - 0.5
    inc[:, 0, 1] = y1 - 0.5
    inc[:, 1:, 0] = (ddx / safe)[:, None]
    inc[:, 1:, 1] = (ddy / safe)[:, None]
    pts = np.add.accumulate(inc, axis=1)  # sequential, like x += delta_x
    n_pts = np.where(segment, np.trunc(np.where(segment, steps, 0) + 1), 0)
    n_pts = np.where(single, 1, n_pts)
    cell_r = OBS_SIZE - 1 - np.trunc(pts[..., 0])
    cell_c = np.trunc(pts[..., 1])
    ok = np.arange(_DDA_MAX)[None, :] < n_pts[:, None]
    ok &= (cell_r >= 0) & (cell_r < OBS_SIZE) & (cell_c >= 0) & (cell_c < OBS_SIZE)
    flat = np.where(ok, cell_r * OBS_SIZE + cell_c, -1).astype(np.int64)
    value = np.where(single[:, None], RING, LINE).astype(np.uint8)
    return flat, np.broadcast_to(value, flat.shape)


def observe_dense(pos: np.ndarray, theta: np.ndarray) -> np.ndarray:
    """Slow, plain twin of observe(): every cell tested like the original (used to check it)."""
    m = pos.shape[0]
    ax, ay = pos[..., 0].reshape(-1), pos[..., 1].reshape(-1)  # (m*2,) players
    bx, by = pos[:, ::-1, 0].reshape(-1), pos[:, ::-1, 1].reshape(-1)  # their opponents
    th = theta.reshape(-1).astype(np.float64)
    rad = th * np.pi / 180
    c, s = np.cos(rad), np.sin(rad)
    rad_neg = -th * np.pi / 180
    cn, sn = np.cos(rad_neg), np.sin(rad_neg)
    n = m * 2

    # Cull points and relative vectors, in the original's y-up frame.
    ocx = c * _CULL_OFFSET + s * 0.0
    ocy = -s * _CULL_OFFSET + c * 0.0
    arc_x, arc_y = RING_CENTRE[0] - ax, -RING_CENTRE[1] + ay
    opp_x, opp_y = bx - ax, -by + ay
    arc_d = np.sqrt(_sq(arc_x - ocx) + _sq(arc_y - ocy))
    see_green = arc_d <= _ARC_CULL_GREEN
    see_grey = arc_d <= _ARC_CULL_GREY
    see_opp = np.sqrt(_sq(ocx - opp_x) + _sq(ocy - opp_y)) <= _AGENT_CULL
    # Rotate into the view frame (x forward, y left).
    arc_rx, arc_ry = cn * arc_x + sn * arc_y, -sn * arc_x + cn * arc_y
    opp_rx, opp_ry = cn * opp_x + sn * opp_y, -sn * opp_x + cn * opp_y

    # Rings (only on empty cells) and the opponent's disc, distance tests per cell.
    d_arc = np.sqrt(
        (_sq((_ROW_X[None, :] - arc_rx[:, None])))[:, :, None]
        + (_sq(_COL_Y[None, :] - arc_ry[:, None]))[:, None, :]
    )
    d_opp = np.sqrt(
        (_sq((_ROW_X[None, :] - opp_rx[:, None])))[:, :, None]
        + (_sq(_COL_Y[None, :] - opp_ry[:, None]))[:, None, :]
    )
    green = (d_arc >= RING_RADIUS - CELL / 2) & (d_arc <= RING_RADIUS + CELL / 2)
    green &= see_green[:, None, None]
    grey = (d_arc >= INNER_RADIUS - CELL / 2) & (d_arc <= INNER_RADIUS + CELL / 2)
    grey &= see_grey[:, None, None]
    opp = (d_opp <= RADIUS) & see_opp[:, None, None]

    # Lines first (the original's DDA), then agents, then rings on what is still empty.
    flat = np.zeros(n * OBS_SIZE * OBS_SIZE + 1, np.uint8)
    base = (np.arange(n) * OBS_SIZE * OBS_SIZE)[:, None]
    for line in LINES:
        cells, value = _line_pixels(ax, ay, c, s, line)
        idx = np.where(cells >= 0, cells + base, flat.size - 1)
        flat[idx.ravel()] = value.ravel()
    obs = flat[:-1].reshape(n, OBS_SIZE, OBS_SIZE)
    colours = np.tile(np.array(PLAYER_COLOURS, np.uint8), m)
    opp_colours = np.tile(np.array(PLAYER_COLOURS[::-1], np.uint8), m)
    obs = np.where(green & (obs == 0), np.uint8(RING), obs)
    obs = np.where(grey & (obs == 0), np.uint8(LINE), obs)
    # Self is repainted after the opponent whenever an arc was drawn after it (almost always).
    self_top = (see_green | see_grey)[:, None, None]
    obs = np.where(_SELF_MASK & ~(opp & ~self_top), colours[:, None, None], obs)
    obs = np.where(opp & ~(_SELF_MASK & self_top), opp_colours[:, None, None], obs)
    return obs.reshape(m, 2, OBS_SIZE, OBS_SIZE)


# --- fast observation: per-row column intervals as bit masks -----------------------------------
# Each disc or ring crosses a row of the view in one interval of columns (two for a ring). Rows are
# kept as 40-bit masks (uint64), found from the circle's chord; where a chord end falls within
# rounding distance of a cell centre, that row is recomputed cell by cell with the original's
# formula, so the result stays exact. Masks are expanded to cell values with byte lookup tables.
_ONE = np.uint64(1)
_SELF_BITS = np.packbits(
    np.concatenate([_SELF_MASK, np.zeros((OBS_SIZE, 64 - OBS_SIZE), bool)], 1), 1, "little"
).view(np.uint64)[:, 0]
_AMBIGUOUS = 1e-7  # in cells
_BYTE_BITS = np.unpackbits(np.arange(256, dtype=np.uint8)[:, None], axis=1, bitorder="little")
_LUT = {
    v: (_BYTE_BITS * np.uint8(v)).view(np.uint64)[:, 0] for v in (RING, LINE, BLUE, LIGHT_RED, 255)
}  # 255: the mask of a byte's cells, to clear them
_ROW_X0, _COL_Y0 = float(_ROW_X[0]), float(_COL_Y[0])  # 157.5, 97.5
_STRIP = -_COL_Y[-1]  # 97.5: cell centres span [-97.5, 97.5] across the view
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
# Block sizes (measured): bigger blocks mean fewer NumPy calls, smaller ones cache-resident arrays
# and fewer fresh pages per step (big temporaries make glibc hand memory back and fault it in again).
SUPER_BLOCK = 2048  # environments per pass for per-view work (trig, line segments)
BLOCK = 512  # environments per pass for per-row and per-cell work


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

    dx = _ROW_X[row] - cxw
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
        d = np.sqrt(_sq(dx[sel][:, None]) + _sq(_COL_Y[None, :] - cyw[sel][:, None]))
        inside = (d <= np.broadcast_to(r_out_w, near.shape)[sel][:, None]) & (
            d >= np.broadcast_to(r_in_w, near.shape)[sel][:, None]
        )
        packed = np.zeros((len(sel), 8), np.uint8)
        packed[:, :5] = np.packbits(inside, axis=1, bitorder="little")
        bits[sel] = packed.view(np.uint64)[:, 0]
    out.reshape(-1)[np.asarray(slots)[which] * OBS_SIZE + row] = bits


# The three round things of a view: (ring, inner circle, opponent) as (inner, outer) radii.
_BANDS = (
    (RING_RADIUS - CELL / 2, RING_RADIUS + CELL / 2),
    (INNER_RADIUS - CELL / 2, INNER_RADIUS + CELL / 2),
    (-1.0, RADIUS),
)


def _round_things(n: int, seen: np.ndarray, cx: np.ndarray, cy: np.ndarray) -> np.ndarray:
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


def _geometry(pos: np.ndarray, theta: np.ndarray) -> dict:
    """Per view (player-major within each env): trig, rotated ring centre and opponent, culls."""
    ax, ay = pos[..., 0].reshape(-1), pos[..., 1].reshape(-1)
    bx, by = pos[:, ::-1, 0].reshape(-1), pos[:, ::-1, 1].reshape(-1)
    th = theta.reshape(-1).astype(np.float64)
    rad = th * np.pi / 180
    c, s = np.cos(rad), np.sin(rad)
    rad_neg = -th * np.pi / 180
    cn, sn = np.cos(rad_neg), np.sin(rad_neg)
    ocx = c * _CULL_OFFSET + s * 0.0
    ocy = -s * _CULL_OFFSET + c * 0.0
    arc_x, arc_y = RING_CENTRE[0] - ax, -RING_CENTRE[1] + ay
    opp_x, opp_y = bx - ax, -by + ay
    arc_d = np.sqrt(_sq(arc_x - ocx) + _sq(arc_y - ocy))
    return {
        "ax": ax,
        "ay": ay,
        "c": c,
        "s": s,
        "arc_rx": cn * arc_x + sn * arc_y,
        "arc_ry": -sn * arc_x + cn * arc_y,
        "opp_rx": cn * opp_x + sn * opp_y,
        "opp_ry": -sn * opp_x + cn * opp_y,
        "see_green": arc_d <= _ARC_CULL_GREEN,
        "see_grey": arc_d <= _ARC_CULL_GREY,
        "see_opp": np.sqrt(_sq(ocx - opp_x) + _sq(ocy - opp_y)) <= _AGENT_CULL,
    }


def observe(pos: np.ndarray, theta: np.ndarray) -> np.ndarray:
    """Both players' 40 x 40 views for states pos (m, 2, 2), theta (m, 2): (m, 2, 40, 40) uint8."""
    if pos.shape[0] == 1:
        return _observe_one(pos, theta)
    return _observe_into(np.empty((pos.shape[0], 2, OBS_SIZE, OBS_SIZE), np.uint8), pos, theta)


def _observe_into(out: np.ndarray, pos: np.ndarray, theta: np.ndarray) -> np.ndarray:
    """observe() written into out (m, 2, 40, 40) uint8, C-contiguous; returns out."""
    m = pos.shape[0]
    flat = out.reshape(-1)
    for i in range(0, m, SUPER_BLOCK):  # per-view scalars: few, long NumPy calls
        g = _geometry(pos[i : i + SUPER_BLOCK], theta[i : i + SUPER_BLOCK])
        seg = _line_segments(g["ax"], g["ay"], g["c"], g["s"])
        for j in range(0, len(g["ax"]) // 2, BLOCK):  # per-row and per-cell work: small arrays
            views = slice(2 * j, 2 * (j + BLOCK))
            part = {k: v[views] for k, v in g.items()}
            _observe_block(
                part,
                tuple(a[:, views] for a in seg),
                flat,
                2 * (i + j),
                pos[i + j : i + j + BLOCK],
                theta[i + j : i + j + BLOCK],
            )
    return out


def _observe_block(g: dict, seg: tuple, flat: np.ndarray, first: int, pos, theta) -> None:
    n = len(g["ax"])
    seen = np.stack([g["see_green"], g["see_grey"], g["see_opp"]])
    cx = np.stack([g["arc_rx"], g["arc_rx"], g["opp_rx"]])
    cy = np.stack([g["arc_ry"], g["arc_ry"], g["opp_ry"]])
    green, grey, opp = _round_things(n, seen, cx, cy)
    _compose(flat, first, green, grey)
    _draw_lines(flat, first, seg)
    _paint_opponent(flat, first, opp, g["see_green"] | g["see_grey"], pos, theta)


def _words(flat: np.ndarray, first: int, n: int) -> np.ndarray:
    """Views first..first+n of the flat buffer as (n, 40 rows, 5) uint64 words of 8 cells."""
    return flat[first * 1600 : (first + n) * 1600].reshape(n, OBS_SIZE, 5 * 8).view(np.uint64)


def _compose(flat, first, green, grey) -> None:
    """Write views first.. from the ring row masks, and each agent itself (lines and opponent after).

    The original's paint order is lines, agents, then rings only on cells nothing else took: here
    rings go first (never over self), lines next (never over self, see _draw_lines), and the
    opponent last, masking whatever is under it (see _paint_opponent).
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


def _paint_opponent(flat, first, opp, self_top, pos, theta) -> None:
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


_LINE_ENDS = np.array(LINES)  # (line, end, xy)
_DDA_SAMPLES = OBS_SIZE + 1  # a segment inside the 40 x 40 view spans at most 40 cells


def _line_segments(ax, ay, c, s):
    """The segment the original's DDA draws for each grey line and view, in cell units.

    Arrays are (2 lines, M views): start x, y (minus 0.5, as the DDA starts), increments, the
    number of samples, and the value drawn: 4, or 1 where the original marks a single point.
    """
    (l1x, l2x), (l1y, l2y) = (_LINE_ENDS[:, :, 0].T[..., None], _LINE_ENDS[:, :, 1].T[..., None])
    considered = _near_view(l1x, l1y, l2x, l2y, ax, ay, c, s)

    # Endpoints in the agent's frame (x forward, y to the right).
    d0x, d0y, d1x, d1y = l1x - ax, l1y - ay, l2x - ax, l2y - ay
    p0x, p0y = d0x * c + d0y * s, d0x * -s + d0y * c
    p1x, p1y = d1x * c + d1y * s, d1x * -s + d1y * c
    svx, svy = p1x - p0x, p1y - p0y

    # Crossings with the four sides of the view (line_intersect), then the set's de-duplication.
    hx, hy, hit = [], [], []
    for (bx, by), (ex, ey) in _BOUNDS:
        rx, ry = ex - bx, ey - by
        rs = rx * svy - ry * svx
        ok = rs != 0
        rs = np.where(ok, rs, 1.0)
        qpx, qpy = p0x - bx, p0y - by
        t = (qpx * svy - qpy * svx) / rs
        u = (qpx * ry - qpy * rx) / rs
        hit.append(ok & (t >= 0) & (t <= 1) & (u >= 0) & (u <= 1))
        hx.append(bx + t * rx)
        hy.append(by + t * ry)
    new = [hit[0]]
    for k in range(1, 4):
        dup = np.zeros_like(hit[k])
        for j in range(k):
            dup |= hit[j] & (hx[j] == hx[k]) & (hy[j] == hy[k])
        new.append(hit[k] & ~dup)
    n_hits = new[0] + new[1] * 1 + new[2] * 1 + new[3] * 1
    # First and second distinct crossing, in the order of the sides.
    ix0 = np.where(new[0], hx[0], np.where(new[1], hx[1], np.where(new[2], hx[2], hx[3])))
    iy0 = np.where(new[0], hy[0], np.where(new[1], hy[1], np.where(new[2], hy[2], hy[3])))
    before2 = new[0] * 1 + new[1]
    sec1 = new[1] & new[0]
    sec2 = new[2] & (before2 == 1)
    ix1 = np.where(sec1, hx[1], np.where(sec2, hx[2], hx[3]))
    iy1 = np.where(sec1, hy[1], np.where(sec2, hy[2], hy[3]))

    in0 = (p0x + VIEW_BACK > 0) & (p0x + VIEW_BACK < VISIBILITY) & (np.abs(p0y) < VISIBILITY / 2)
    in1 = (p1x + VIEW_BACK > 0) & (p1x + VIEW_BACK < VISIBILITY) & (np.abs(p1y) < VISIBILITY / 2)
    one, two, none_hit = n_hits == 1, n_hits == 2, n_hits == 0
    swap = np.zeros(two.shape, bool)
    if two.any():
        w = np.nonzero(two)
        swap[w] = set_order_swapped(_pair_hash(ix0[w], iy0[w]), _pair_hash(ix1[w], iy1[w]))
    sx = np.where(none_hit, p0x, np.where(swap, ix1, ix0))
    sy = np.where(none_hit, p0y, np.where(swap, iy1, iy0))
    tx = np.where(two, np.where(swap, ix0, ix1), np.where(in0, p0x, p1x))
    ty = np.where(two, np.where(swap, iy0, iy1), np.where(in0, p0y, p1y))
    segment = considered & (two | (one & (in0 | in1)) | (none_hit & in0 & in1))
    single = considered & one & ~in0 & ~in1

    # DDA set-up in cell units, as the original: x forward from the back edge, y from the left.
    x1 = (sx + VIEW_BACK) / CELL
    y1 = (sy + VISIBILITY / 2) / CELL
    ddx = (tx + VIEW_BACK) / CELL - x1
    ddy = (ty + VISIBILITY / 2) / CELL - y1
    steps = np.where(np.abs(ddx) > np.abs(ddy), np.abs(ddx), np.abs(ddy))
    single |= segment & (steps == 0)
    segment &= steps != 0
    safe = np.where(segment, steps, 1.0)
    n_pts = np.where(segment, np.trunc(np.where(segment, steps, 0.0) + 1), single * 1.0)
    value = np.where(single, RING, LINE).astype(np.uint8)
    return x1 - 0.5, y1 - 0.5, ddx / safe, ddy / safe, n_pts.astype(np.int64), value


# What a line sample paints, by [single point?, player, cell]: the line's value, except on the
# agent's own disc (already painted, it stays). The opponent is painted after the lines.
_LINE_PAINT = np.empty((2, 2, OBS_SIZE * OBS_SIZE), np.uint8)
_LINE_PAINT[0], _LINE_PAINT[1] = LINE, RING
_LINE_PAINT[:, 0, _SELF_MASK.ravel()] = PLAYER_COLOURS[0]
_LINE_PAINT[:, 1, _SELF_MASK.ravel()] = PLAYER_COLOURS[1]
_LINE_PAINT = _LINE_PAINT.reshape(2, -1)


def _paint_samples(flat, x, y, view, table) -> None:
    """Paint DDA samples (x, y in cells, any shape) of views (broadcast) with a _LINE_PAINT row."""
    r = x.astype(np.int32)  # truncation towards zero, like int()
    c = y.astype(np.int32)
    np.clip(r, 0, OBS_SIZE - 1, out=r)
    np.clip(c, 0, OBS_SIZE - 1, out=c)
    r *= -OBS_SIZE
    r += c
    key = (view % 2) * (OBS_SIZE * OBS_SIZE) + (OBS_SIZE - 1) * OBS_SIZE + r  # player, cell
    flat[key + (view // 2) * (2 * OBS_SIZE * OBS_SIZE)] = table[key]


def _draw_lines(flat: np.ndarray, offset: int, seg: tuple, chunk: int = 512) -> None:
    """Run the DDA for every (line, view) and paint its cells into flat, except over self.

    flat is the whole output buffer, offset the block's first view. Both lines paint the same
    value, so their order only matters for single points (value 1): line 0's go first, line 1's
    last, like the original. Views go in small chunks so the (samples x lines) temporaries stay in
    cache; a segment's increments are zero past its last sample, so its extra samples repeat its
    last cell instead of needing a mask.
    """
    n_views = seg[0].shape[1]
    for v0 in range(0, n_views, chunk):
        x0, y0, dx, dy, n_pts, value = (a[:, v0 : v0 + chunk].reshape(-1) for a in seg)
        views = offset + v0 + np.arange(x0.size) % (x0.size // 2)
        single = value == RING
        points = [np.flatnonzero(single[: x0.size // 2]), np.flatnonzero(single[x0.size // 2 :])]
        points[1] += x0.size // 2
        if points[0].size:
            _paint_samples(flat, x0[points[0]], y0[points[0]], views[points[0]], _LINE_PAINT[1])
        lines = np.flatnonzero(~single & (n_pts > 0))
        if lines.size:
            k = int(n_pts[lines].max())
            n = lines.size
            xy = np.empty((k, 2 * n))  # per sample: x of every segment, then y
            xy[0, :n], xy[0, n:] = x0[lines], y0[lines]
            live = np.arange(1, k)[:, None] < n_pts[lines]
            np.multiply(live, dx[lines], out=xy[1:, :n])
            np.multiply(live, dy[lines], out=xy[1:, n:])
            for i in range(1, k):  # sequential sums, like x += delta_x (vectorised across lines)
                np.add(xy[i - 1], xy[i], out=xy[i])
            _paint_samples(flat, xy[:, :n], xy[:, n:], views[lines], _LINE_PAINT[0])
        if points[1].size:
            _paint_samples(flat, x0[points[1]], y0[points[1]], views[points[1]], _LINE_PAINT[1])


# --- one environment in plain Python: NumPy's per-call overhead dominates at n_envs = 1 ---------
# The same rules and the same exact-observation method as above, with Python floats (whose x ** 2
# and math.cos are what the original used) and Python's own set for the line's drawing order.
def _lines_py(ax: float, ay: float, c: float, s: float) -> tuple[list[int], list[int]]:
    """Cells (row * 40 + col) the original's DDA marks for the grey lines, in order, and values."""
    cells: list[int] = []
    values: list[int] = []
    px, py = ax + _CULL_OFFSET * c, ay + _CULL_OFFSET * s
    for (l1x, l1y), (l2x, l2y) in LINES:
        a1, b1 = l2y - l1y, l1x - l2x
        c1 = (l2y - l1y) * l1x + (l1x - l2x) * l1y
        c2 = -b1 * px + a1 * py
        det = a1 * a1 + b1 * b1
        qx, qy = (a1 * c1 - b1 * c2) / det, (a1 * c2 + b1 * c1) / det
        if math.sqrt((qx - px) ** 2 + (qy - py) ** 2) > _VIEW_R:
            continue
        ends = []
        for ex, ey in ((l1x, l1y), (l2x, l2y)):
            dx, dy = ex - ax, ey - ay
            ends.append((dx * c + dy * s, dx * -s + dy * c))
        (p0x, p0y), (p1x, p1y) = ends
        svx, svy = p1x - p0x, p1y - p0y
        hits = []
        for (bx, by), (ex, ey) in _BOUNDS:
            rx, ry = ex - bx, ey - by
            rs = rx * svy - ry * svx
            if rs == 0:
                continue
            qpx, qpy = p0x - bx, p0y - by
            t = (qpx * svy - qpy * svx) / rs
            u = (qpx * ry - qpy * rx) / rs
            if 0 <= t <= 1 and 0 <= u <= 1:
                hits.append((bx + t * rx, by + t * ry))
        hits = list(set(hits))
        inside = [0 < x + VIEW_BACK < VISIBILITY and abs(y) < VISIBILITY / 2 for x, y in ends]
        if len(hits) == 0:
            draw = ends if all(inside) else []
        elif len(hits) == 1:
            draw = hits + [e for e, ok in zip(ends, inside, strict=True) if ok][:1]
        elif len(hits) == 2:
            draw = hits
        else:
            draw = []
        if not draw:
            continue
        x1, y1 = (draw[0][0] + VIEW_BACK) / CELL, (draw[0][1] + VISIBILITY / 2) / CELL
        steps = 0.0
        if len(draw) == 2:
            ddx = (draw[1][0] + VIEW_BACK) / CELL - x1
            ddy = (draw[1][1] + VISIBILITY / 2) / CELL - y1
            steps = abs(ddx) if abs(ddx) > abs(ddy) else abs(ddy)
        x, y = x1 - 0.5, y1 - 0.5
        if steps == 0:  # the original marks a single point, with value 1
            cells.append((OBS_SIZE - 1 - int(x)) * OBS_SIZE + int(y))
            values.append(RING)
            continue
        step_x, step_y = float(ddx / steps), float(ddy / steps)
        n = int(steps + 1)
        for _ in range(n):
            cells.append((OBS_SIZE - 1 - int(x)) * OBS_SIZE + int(y))
            x += step_x
            y += step_y
        values += [LINE] * n
    return cells, values


def _observe_one(pos: np.ndarray, theta: np.ndarray) -> np.ndarray:
    """observe() for a single environment (1, 2, 2), (1, 2) -> (1, 2, 40, 40)."""
    me_xy = pos[0].tolist()
    thetas = theta[0].tolist()
    seen = np.zeros((3, 2), bool)
    centres = np.zeros((2, 3, 2))
    line_idx: list[int] = []
    line_val: list[int] = []
    for v in (0, 1):
        (ax, ay), (bx, by) = me_xy[v], me_xy[1 - v]
        th = float(thetas[v])
        rad = th * math.pi / 180
        c, s = math.cos(rad), math.sin(rad)
        rad_neg = -th * math.pi / 180
        cn, sn = math.cos(rad_neg), math.sin(rad_neg)
        ocx, ocy = c * _CULL_OFFSET + s * 0.0, -s * _CULL_OFFSET + c * 0.0
        arc_x, arc_y = RING_CENTRE[0] - ax, -RING_CENTRE[1] + ay
        opp_x, opp_y = bx - ax, -by + ay
        arc_d = math.sqrt((arc_x - ocx) ** 2 + (arc_y - ocy) ** 2)
        seen[0, v] = arc_d <= _ARC_CULL_GREEN
        seen[1, v] = arc_d <= _ARC_CULL_GREY
        seen[2, v] = math.sqrt((ocx - opp_x) ** 2 + (ocy - opp_y) ** 2) <= _AGENT_CULL
        centres[:, 0, v] = centres[:, 1, v] = (cn * arc_x + sn * arc_y, -sn * arc_x + cn * arc_y)
        centres[:, 2, v] = (cn * opp_x + sn * opp_y, -sn * opp_x + cn * opp_y)
        cells, values = _lines_py(ax, ay, c, s)
        line_idx += [v * OBS_SIZE * OBS_SIZE + k for k in cells]
        line_val += values
    green, grey, opp = _round_things(2, seen, centres[0], centres[1])
    flat = np.empty(2 * OBS_SIZE * OBS_SIZE, np.uint8)
    _compose(flat, 0, green, grey)
    if line_idx:
        idx = np.array(line_idx)
        old = flat[idx]
        flat[idx] = np.where(old < BLUE, np.array(line_val, np.uint8), old)
    _paint_opponent(flat, 0, opp, seen[0] | seen[1], pos, theta)
    return flat.reshape(1, 2, OBS_SIZE, OBS_SIZE)


def _advance_one(pos, vel, theta, energy, out, steps, actions):
    """_advance() for a single environment, with Python floats."""
    (p0, p1), (v0, v1) = pos[0].tolist(), vel[0].tolist()
    th, en, act = theta[0].tolist(), energy[0].tolist(), actions[0].tolist()
    acc = [[0.0, 0.0], [0.0, 0.0]]
    for i in (0, 1):
        if en[i] >= 0:  # a fatigued agent neither pushes nor turns
            th[i] = th[i] + act[i][1]
            ang = th[i] / 180 * math.pi
            acc[i] = [act[i][0] * math.cos(ang), act[i][0] * math.sin(ang)]
    rem = TAU
    for _ in range(16):  # contacts, earliest first
        rpx, rpy = p0[0] - p1[0], p0[1] - p1[1]
        rvx, rvy = v0[0] - v1[0], v0[1] - v1[1]
        vv = rvx**2 + rvy**2
        if vv == 0:
            break
        k = (rpx * rvx + rpy * rvy) / vv
        disc = k**2 - (rpx**2 + rpy**2 - (2 * RADIUS) * (2 * RADIUS)) / vv
        if disc < 0:
            break
        t = -k - math.sqrt(disc)
        if not 0 <= t < rem:
            break
        p0 = [p0[0] + v0[0] * t, p0[1] + v0[1] * t]
        p1 = [p1[0] + v1[0] * t, p1[1] + v1[1] * t]
        nx, ny = p0[0] - p1[0], p0[1] - p1[1]
        b = (nx * (v0[0] - v1[0]) + ny * (v0[1] - v1[1])) / (nx * nx + ny * ny)
        v0 = [v0[0] - b * nx, v0[1] - b * ny]
        v1 = [v1[0] + b * nx, v1[1] + b * ny]
        rem = rem - t
    new_p, new_v = [], []
    for p, v, a in ((p0, v0, acc[0]), (p1, v1, acc[1])):
        p = [p[0] + v[0] * rem, p[1] + v[1] * rem]
        v = [v[0] + a[0] * TAU, v[1] + a[1] * TAU]
        speed = math.sqrt(v[0] ** 2 + v[1] ** 2)
        if speed > SPEED_CAP:
            f = SPEED_CAP / speed
            v = [v[0] * f, v[1] * f]
        new_p.append(p)
        new_v.append(v)
    was_out = out[0].tolist()
    now_out = []
    for i in (0, 1):
        d = math.sqrt((new_p[i][0] - RING_CENTRE[0]) ** 2 + (new_p[i][1] - RING_CENTRE[1]) ** 2)
        now_out.append(was_out[i] or abs(d - RING_RADIUS) <= RADIUS)
    n_steps = int(steps[0]) + 1
    reward = [float(now_out[1] and not now_out[0]), float(now_out[0] and not now_out[1])]
    pos_a, theta_a = np.array([new_p]), np.array([th], np.float64)
    obs = _observe_one(pos_a, theta_a)
    done = now_out[0] or now_out[1] or n_steps >= MAX_STEPS
    winner = (0 if reward[0] > 0 else 1 if reward[1] > 0 else -1) if done else -2
    new_e = []
    for i in (0, 1):
        if en[i] < 0:
            new_e.append(-1.0)
            continue
        f = math.sqrt(acc[i][0] ** 2 + acc[i][1] ** 2)
        sp = math.sqrt(new_v[i][0] ** 2 + new_v[i][1] ** 2)
        e = en[i] - (f * sp / 50 - ENERGY_RECOVER) * TAU
        new_e.append(-1.0 if e < 0 else min(e, ENERGY_CAP))
    return (
        pos_a,
        np.array([new_v]),
        theta_a,
        np.array([new_e]),
        np.array([now_out]),
        np.array([n_steps], np.int64),
        np.array([reward]),
        np.array([done]),
        np.array([winner], np.int64),
        obs,
    )


# --- physics -----------------------------------------------------------------------------------
def _collide_and_move(pos: np.ndarray, vel: np.ndarray, acc: np.ndarray, max_events: int = 16):
    """One step of event-driven motion, in place: contacts at their exact time, then the rest."""
    m = pos.shape[0]
    rem = np.full(m, TAU)
    live = np.arange(m)
    for _ in range(max_events):
        p, v = pos[live], vel[live]
        rpx, rpy = p[:, 0, 0] - p[:, 1, 0], p[:, 0, 1] - p[:, 1, 1]
        rvx, rvy = v[:, 0, 0] - v[:, 1, 0], v[:, 0, 1] - v[:, 1, 1]
        vv = _sq(rvx) + _sq(rvy)
        with np.errstate(divide="ignore", invalid="ignore"):
            k = (rpx * rvx + rpy * rvy) / vv
            ll = (_sq(rpx) + _sq(rpy) - (2 * RADIUS) * (2 * RADIUS)) / vv
            disc = _sq(k) - ll
            t = -k - np.sqrt(disc)
        hit = (vv != 0) & (disc >= 0) & (t >= 0) & (t < rem[live])
        if not hit.any():
            break
        live, t, p, v = live[hit], t[hit], p[hit], v[hit]
        pc = p + v * t[:, None, None]
        nx, ny = pc[:, 0, 0] - pc[:, 1, 0], pc[:, 0, 1] - pc[:, 1, 1]
        vdx, vdy = v[:, 0, 0] - v[:, 1, 0], v[:, 0, 1] - v[:, 1, 1]
        b = (nx * vdx + ny * vdy) / (nx * nx + ny * ny)
        bn = np.stack([b * nx, b * ny], axis=1)
        v[:, 0] = v[:, 0] - bn
        v[:, 1] = v[:, 1] + bn
        pos[live] = pc
        vel[live] = v
        rem[live] = rem[live] - t
    pos += vel * rem[:, None, None]
    vel += acc * TAU


@dataclass
class WrestlingState:
    """A copy of the batched game state (one row per environment)."""

    pos: np.ndarray
    vel: np.ndarray
    theta: np.ndarray
    energy: np.ndarray
    steps: np.ndarray
    out: np.ndarray
    done: np.ndarray
    winner: np.ndarray

    def copy(self) -> WrestlingState:
        """A deep copy."""
        return WrestlingState(**{k: v.copy() for k, v in self.__dict__.items()})

    def __getitem__(self, index) -> WrestlingState:
        """The state of a subset of environments (index with an int, slice, mask or list)."""
        if isinstance(index, int | np.integer):
            index = [int(index)]
        return WrestlingState(**{k: np.array(v[index]) for k, v in self.__dict__.items()})


def initial_state(n_envs: int = 1) -> WrestlingState:
    """The deterministic reset state of n_envs matches."""
    return WrestlingState(
        pos=np.tile(np.array(START_POS), (n_envs, 1, 1)),
        vel=np.zeros((n_envs, 2, 2)),
        theta=np.tile(np.array(START_THETA), (n_envs, 1)),
        energy=np.full((n_envs, 2), ENERGY_CAP),
        steps=np.zeros(n_envs, np.int64),
        out=np.zeros((n_envs, 2), bool),
        done=np.zeros(n_envs, bool),
        winner=np.full(n_envs, -2, np.int64),
    )


class _ObsBuffers:
    """Observation arrays for step(), each reused only once nothing outside this pool holds it.

    A fresh multi-megabyte array every step costs page faults and heap trimming (about a tenth of
    a step at 1024 environments). An array the caller still holds (or any view of it, or a tensor
    made from it) has a reference beyond the pool's, so it is never written again.
    """

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


class WrestlingEnv:
    """n_envs wrestling matches stepped together; see the module docstring for the conventions."""

    def __init__(self, n_envs: int = 1, auto_reset: bool = False, strict: bool = False):
        if n_envs < 1:
            raise ValueError("n_envs must be at least 1")
        self.n_envs = int(n_envs)
        self.auto_reset = bool(auto_reset)
        self.strict = bool(strict)
        self._set(initial_state(self.n_envs))
        self._obs = observe(self.pos, self.theta)
        self._buffers = _ObsBuffers((self.n_envs, 2, OBS_SIZE, OBS_SIZE))

    # state -------------------------------------------------------------------------------------
    def _set(self, st: WrestlingState) -> None:
        self.pos, self.vel, self.theta = st.pos, st.vel, st.theta
        self.energy, self.steps, self.out = st.energy, st.steps, st.out
        self.done, self.winner = st.done, st.winner

    @property
    def fatigued(self) -> np.ndarray:
        """(n, 2) agents out of energy: no force, no turning, for the rest of the episode."""
        return self.energy < 0

    @property
    def obs(self) -> np.ndarray:
        """The current observation (n, 2, 40, 40) uint8 (a copy)."""
        return self._obs.copy()

    def get_state(self) -> WrestlingState:
        """A snapshot (copy) of the whole batch, e.g. for rendering or to restore later."""
        return WrestlingState(
            self.pos,
            self.vel,
            self.theta,
            self.energy,
            self.steps,
            self.out,
            self.done,
            self.winner,
        ).copy()

    def set_state(self, state: WrestlingState, mask: np.ndarray | None = None) -> np.ndarray:
        """Load a state (whole batch, or only rows where mask is True); returns the observation."""
        if mask is None:
            if state.pos.shape[0] != self.n_envs:
                raise ValueError("state has a different number of environments")
            self._set(state.copy())
        else:
            mask = np.asarray(mask, bool)
            for name in ("pos", "vel", "theta", "energy", "steps", "out", "done", "winner"):
                src = getattr(state, name)
                getattr(self, name)[mask] = src if src.shape[0] == mask.sum() else src[mask]
        self._obs = observe(self.pos, self.theta)
        return self._obs.copy()

    def reset(self, mask: np.ndarray | None = None) -> np.ndarray:
        """Reset every environment (or those where mask is True); returns obs (n, 2, 40, 40)."""
        if mask is None:
            self._set(initial_state(self.n_envs))
            self._obs = np.broadcast_to(_RESET_OBS, (self.n_envs, 2, OBS_SIZE, OBS_SIZE)).copy()
        else:
            rows = np.flatnonzero(np.asarray(mask, bool))
            self._reset_state(rows)
            self._obs = self._obs.copy()
            self._obs[rows] = _RESET_OBS
        return self._obs

    def _reset_state(self, rows: np.ndarray) -> None:
        st = initial_state(rows.size)
        for name in ("pos", "vel", "theta", "energy", "steps", "out", "done", "winner"):
            getattr(self, name)[rows] = getattr(st, name)

    # actions -----------------------------------------------------------------------------------
    def _check_actions(self, actions, active: np.ndarray) -> np.ndarray:
        a = np.asarray(actions, dtype=np.float64)
        if a.shape == (2, 2) and self.n_envs == 1:
            a = a[None]
        if a.shape != (self.n_envs, 2, 2):
            raise ValueError(f"actions must have shape ({self.n_envs}, 2, 2), got {a.shape}")
        lo = np.array([FORCE_RANGE[0], TURN_RANGE[0]])
        hi = np.array([FORCE_RANGE[1], TURN_RANGE[1]])
        bad = ~((a >= lo) & (a <= hi))  # NaN counts as out of range
        if bad.any():
            if self.strict:
                checked = bad & active[:, None, None] & ~self.fatigued[..., None]
                if checked.any():
                    raise ValueError(
                        "actions out of range: force must lie in [-100, 200], turn in [-30, 30]"
                    )
            a = np.clip(np.nan_to_num(a, nan=0.0), lo, hi)
        return a

    # step --------------------------------------------------------------------------------------
    def step(self, actions) -> tuple[np.ndarray, np.ndarray, np.ndarray, dict]:
        """Advance every running match by one step; returns (obs, reward, done, info).

        obs (n, 2, 40, 40) uint8, reward (n, 2), done (n,) bool; info: "winner" (n,) (0, 1, -1 for
        a draw, -2 while running), "length" (n,) steps of the episode, "final_obs" (n, 2, 40, 40)
        the observation this step produced (before any auto-reset), "active" (n,) bool: which
        environments were stepped (finished ones are frozen until reset without auto_reset).
        The env never writes into a returned array while anything still refers to it (a name, a
        view, a tensor); only arrays the caller has let go of are reused for later steps.
        """
        active = ~self.done
        a = self._check_actions(actions, active)
        if active.all():
            new = _advance(
                self.pos, self.vel, self.theta, self.energy, self.out, self.steps, a, self._buffers
            )
            self.pos, self.vel, self.theta, self.energy, self.out, self.steps = new[:6]
            reward, self.done, self.winner, obs = new[6:]
        else:
            rows = np.flatnonzero(active)
            new = _advance(
                self.pos[rows],
                self.vel[rows],
                self.theta[rows],
                self.energy[rows],
                self.out[rows],
                self.steps[rows],
                a[rows],
            )
            for name, value in zip(_STATE_FIELDS, new[:6], strict=False):
                getattr(self, name)[rows] = value
            part_reward, self.done[rows], self.winner[rows], part_obs = new[6:]
            reward = np.zeros((self.n_envs, 2))
            reward[rows] = part_reward
            obs = self._buffers.take(self._obs)
            obs[rows] = part_obs
        done = self.done.copy()
        info = {"winner": self.winner.copy(), "length": self.steps.copy(), "final_obs": obs}
        info["active"] = active
        if self.auto_reset and done.any():
            finished = np.flatnonzero(done)
            obs = self._buffers.take(obs)
            obs[finished] = _RESET_OBS
            self._reset_state(finished)
        self._obs = obs
        return obs, reward, done, info


_STATE_FIELDS = ("pos", "vel", "theta", "energy", "out", "steps")


def _advance(pos, vel, theta, energy, out, steps, actions, buffers=None):
    """One step of the rules for running matches; returns the new state, reward, done, winner, obs.

    The observation goes into a buffer from buffers (an _ObsBuffers) when given, else a new array.
    """
    if pos.shape[0] == 1:
        return _advance_one(pos, vel, theta, energy, out, steps, actions)
    pos, vel = pos.copy(), vel.copy()
    force, turn = actions[..., 0], actions[..., 1]
    tired = energy < 0  # fatigued: no force and no turning
    theta = np.where(tired, theta, theta + turn)
    ang = theta / 180 * np.pi
    acc = np.empty(pos.shape)
    acc[..., 0] = force * np.cos(ang)
    acc[..., 1] = force * np.sin(ang)
    acc[tired] = 0.0

    _collide_and_move(pos, vel, acc)
    speed = np.sqrt(_sq(vel[..., 0]) + _sq(vel[..., 1]))
    fast = speed > SPEED_CAP
    if fast.any():
        vel[fast] *= (SPEED_CAP / speed[fast])[:, None]
    dist = np.sqrt(_sq(pos[..., 0] - RING_CENTRE[0]) + _sq(pos[..., 1] - RING_CENTRE[1]))
    out = out | (np.abs(dist - RING_RADIUS) <= RADIUS)
    steps = steps + 1
    reward = np.empty(out.shape)
    reward[:, 0] = out[:, 1] & ~out[:, 0]
    reward[:, 1] = out[:, 0] & ~out[:, 1]
    obs = observe(pos, theta) if buffers is None else _observe_into(buffers.take(), pos, theta)
    done = out.any(1) | (steps >= MAX_STEPS)
    winner = np.where(done, np.where(reward[:, 0] > 0, 0, np.where(reward[:, 1] > 0, 1, -1)), -2)

    # Energy last: it only matters from the next step on.
    fmag = np.sqrt(_sq(acc[..., 0]) + _sq(acc[..., 1]))
    vmag = np.sqrt(_sq(vel[..., 0]) + _sq(vel[..., 1]))
    new_e = energy - (fmag * vmag / 50 - ENERGY_RECOVER) * TAU
    new_e = np.where(new_e < 0, -1.0, np.minimum(new_e, ENERGY_CAP))
    energy = np.where(tired, -1.0, new_e)
    return pos, vel, theta, energy, out, steps, reward, done, winner, obs


_RESET_OBS = observe(initial_state(1).pos, initial_state(1).theta)[0]
