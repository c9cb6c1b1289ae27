"""The grey lines of the view: the original's DDA, run for thousands of views at once.

For every (line, view) pair: is the line near enough to be drawn; where does it cross the view's
border (the original's line_intersect, then its set's de-duplication and order, see set_order.py);
then the DDA from one end to the other, one sample per cell step, as sequential sums like the
original's ``x += delta_x``. Same arithmetic in the same order as rules.line_cells, so the cells
are the same; tested through the views against rules.observe_dense and the original's
recordings (tests/core/wrestling/test_env.py, e.g. test_views_where_a_line_is_a_single_point).
"""

from __future__ import annotations

import numpy as np

from core.wrestling.fast.set_order import pair_hash, set_order_swapped
from core.wrestling.rules import (
    CELL,
    CULL_OFFSET,
    LINE,
    LINES,
    OBS_SIZE,
    PLAYER_COLOURS,
    RING,
    SELF_MASK,
    VIEW_BACK,
    VIEW_BORDER,
    VIEW_R,
    VISIBILITY,
    squared,
)

_LINE_ENDS = np.array(LINES)  # (line, end, xy)


def _near_view(l1x, l1y, l2x, l2y, ax, ay, c, s):
    """Whether a line passes within view range of the point 80 px ahead of the agent.

    The original culls lines this way: the closest point of the line (Cramer's rule), then its
    distance to that point (rules.line_cells does the same for one view).
    """
    px = ax + CULL_OFFSET * c
    py = ay + CULL_OFFSET * s
    a1, b1 = l2y - l1y, l1x - l2x
    c1 = (l2y - l1y) * l1x + (l1x - l2x) * l1y
    c2 = -b1 * px + a1 * py
    det = a1 * a1 + b1 * b1
    qx = (a1 * c1 - b1 * c2) / det
    qy = (a1 * c2 + b1 * c1) / det
    return np.sqrt(squared(qx - px) + squared(qy - py)) <= VIEW_R


def line_segments(
    ax: np.ndarray, ay: np.ndarray, c: np.ndarray, s: np.ndarray
) -> tuple[np.ndarray, ...]:
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
    for (bx, by), (ex, ey) in VIEW_BORDER:
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
        swap[w] = set_order_swapped(pair_hash(ix0[w], iy0[w]), pair_hash(ix1[w], iy1[w]))
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
_LINE_PAINT[:, 0, SELF_MASK.ravel()] = PLAYER_COLOURS[0]
_LINE_PAINT[:, 1, SELF_MASK.ravel()] = PLAYER_COLOURS[1]
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


def draw_lines(flat: np.ndarray, offset: int, seg: tuple, chunk: int = 512) -> None:
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
