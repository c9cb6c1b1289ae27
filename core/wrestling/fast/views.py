"""observe(): both players' 40 x 40 views for a batch of states, equal to rules.observe_dense.

Per view, the geometry (trig, the ring's centre and the opponent in the view's frame, what is
near enough to be drawn) comes first, for up to SUPER_BLOCK environments at a time; then, in
blocks of BLOCK environments so NumPy's temporaries stay in cache, the rings and discs as row
masks (row_masks.py) and the grey lines by a batched DDA (lines.py). A single environment takes
the plain-Python path (single.py). Exact: tests/core/wrestling/test_env.py compares these views
with observe_dense on awkward states and with every recorded view of the original engine.
"""

from __future__ import annotations

import numpy as np

from core.wrestling.fast.lines import draw_lines, line_segments
from core.wrestling.fast.row_masks import compose, paint_opponent, round_things
from core.wrestling.fast.single import observe_one
from core.wrestling.rules import (
    AGENT_CULL,
    ARC_CULL_GREEN,
    ARC_CULL_GREY,
    CULL_OFFSET,
    OBS_SIZE,
    RING_CENTRE,
    squared,
)

# Block sizes (measured): bigger blocks mean fewer NumPy calls, smaller ones cache-resident arrays
# and fewer fresh pages per step (big temporaries make glibc hand memory back and fault it in again).
SUPER_BLOCK = 2048  # environments per pass for per-view work (trig, line segments)
BLOCK = 512  # environments per pass for per-row and per-cell work


def _settle_the_allocator(size: int = 4 * 2**20) -> None:
    """Free one 4 MB block, so that glibc's malloc keeps the views' temporaries on its heap.

    glibc maps each allocation above a threshold (128 kB in a fresh process) with mmap, fresh pages
    to fault in every time, and trims its heap when twice that is free at its top. Freeing a mapped
    block raises both to its size for the rest of the process, as in any process that has once
    freed a big array. Without it, whether a fresh process stepping 256 environments faulted in
    ~500 pages a step (a quarter of its time) depended on which temporaries it happened to free
    first. Where malloc is not glibc's, this does nothing.
    """
    block = np.empty(size, np.uint8)
    del block


_settle_the_allocator()


def observe(pos: np.ndarray, theta: np.ndarray) -> np.ndarray:
    """Both players' 40 x 40 views for states pos (m, 2, 2), theta (m, 2): (m, 2, 40, 40) uint8."""
    if pos.shape[0] == 1:
        return observe_one(pos, theta)
    return observe_into(np.empty((pos.shape[0], 2, OBS_SIZE, OBS_SIZE), np.uint8), pos, theta)


def observe_into(out: np.ndarray, pos: np.ndarray, theta: np.ndarray) -> np.ndarray:
    """observe() written into out (m, 2, 40, 40) uint8, C-contiguous; returns out."""
    m = pos.shape[0]
    flat = out.reshape(-1)
    for i in range(0, m, SUPER_BLOCK):  # per-view scalars: few, long NumPy calls
        g = _geometry(pos[i : i + SUPER_BLOCK], theta[i : i + SUPER_BLOCK])
        seg = line_segments(g["ax"], g["ay"], g["c"], g["s"])
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


def _geometry(pos: np.ndarray, theta: np.ndarray) -> dict:
    """Per view (player-major within each env): trig, rotated ring centre and opponent, culls."""
    ax, ay = pos[..., 0].reshape(-1), pos[..., 1].reshape(-1)
    bx, by = pos[:, ::-1, 0].reshape(-1), pos[:, ::-1, 1].reshape(-1)
    th = theta.reshape(-1).astype(np.float64)
    rad = th * np.pi / 180
    c, s = np.cos(rad), np.sin(rad)
    rad_neg = -th * np.pi / 180
    cn, sn = np.cos(rad_neg), np.sin(rad_neg)
    ocx = c * CULL_OFFSET + s * 0.0
    ocy = -s * CULL_OFFSET + c * 0.0
    arc_x, arc_y = RING_CENTRE[0] - ax, -RING_CENTRE[1] + ay
    opp_x, opp_y = bx - ax, -by + ay
    arc_d = np.sqrt(squared(arc_x - ocx) + squared(arc_y - ocy))
    return {
        "ax": ax,
        "ay": ay,
        "c": c,
        "s": s,
        "arc_rx": cn * arc_x + sn * arc_y,
        "arc_ry": -sn * arc_x + cn * arc_y,
        "opp_rx": cn * opp_x + sn * opp_y,
        "opp_ry": -sn * opp_x + cn * opp_y,
        "see_green": arc_d <= ARC_CULL_GREEN,
        "see_grey": arc_d <= ARC_CULL_GREY,
        "see_opp": np.sqrt(squared(ocx - opp_x) + squared(ocy - opp_y)) <= AGENT_CULL,
    }


def _observe_block(g: dict, seg: tuple, flat: np.ndarray, first: int, pos, theta) -> None:
    """Paint the views of one block into flat, from view index first on."""
    n = len(g["ax"])
    seen = np.stack([g["see_green"], g["see_grey"], g["see_opp"]])
    cx = np.stack([g["arc_rx"], g["arc_rx"], g["opp_rx"]])
    cy = np.stack([g["arc_ry"], g["arc_ry"], g["opp_ry"]])
    green, grey, opp = round_things(n, seen, cx, cy)
    compose(flat, first, green, grey)
    draw_lines(flat, first, seg)
    paint_opponent(flat, first, opp, g["see_green"] | g["see_grey"], pos, theta)
