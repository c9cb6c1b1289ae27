"""One environment in plain Python floats, where NumPy's per-call cost would dominate a step.

``advance_one`` is rules.advance for a single match, written with Python floats and ``math``
(whose ``x ** 2``, ``math.sqrt`` and ``math.cos`` are what the original used; the tests check
that the batched NumPy path computes the same bits); ``observe_one`` is views.observe for one state: the grey
lines from rules.line_cells (Python's own set decides their direction), discs and rings from the
row masks of row_masks.py. Exact: test_batch_equals_episodes_run_one_at_a_time compares them
with the batched path, test_replay_matches_original with the original's recordings, and
test_single_env_views_equal_batched_views the views.
"""

from __future__ import annotations

import math

import numpy as np

from core.wrestling.fast.row_masks import compose, paint_opponent, round_things
from core.wrestling.rules import (
    AGENT_CULL,
    ARC_CULL_GREEN,
    ARC_CULL_GREY,
    BLUE,
    CULL_OFFSET,
    ENERGY_CAP,
    ENERGY_RECOVER,
    MAX_STEPS,
    OBS_SIZE,
    RADIUS,
    RING_CENTRE,
    RING_RADIUS,
    SPEED_CAP,
    TAU,
    WrestlingState,
    line_cells,
)


def observe_one(pos: np.ndarray, theta: np.ndarray) -> np.ndarray:
    """Both players' views for a single state pos (1, 2, 2), theta (1, 2): (1, 2, 40, 40) uint8."""
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
        ocx, ocy = c * CULL_OFFSET + s * 0.0, -s * CULL_OFFSET + c * 0.0
        arc_x, arc_y = RING_CENTRE[0] - ax, -RING_CENTRE[1] + ay
        opp_x, opp_y = bx - ax, -by + ay
        arc_d = math.sqrt((arc_x - ocx) ** 2 + (arc_y - ocy) ** 2)
        seen[0, v] = arc_d <= ARC_CULL_GREEN
        seen[1, v] = arc_d <= ARC_CULL_GREY
        seen[2, v] = math.sqrt((ocx - opp_x) ** 2 + (ocy - opp_y) ** 2) <= AGENT_CULL
        centres[:, 0, v] = centres[:, 1, v] = (cn * arc_x + sn * arc_y, -sn * arc_x + cn * arc_y)
        centres[:, 2, v] = (cn * opp_x + sn * opp_y, -sn * opp_x + cn * opp_y)
        cells, values = line_cells(ax, ay, c, s)
        line_idx += [v * OBS_SIZE * OBS_SIZE + k for k in cells]
        line_val += values
    green, grey, opp = round_things(2, seen, centres[0], centres[1])
    flat = np.empty(2 * OBS_SIZE * OBS_SIZE, np.uint8)
    compose(flat, 0, green, grey)
    if line_idx:  # lines over rings, never over the agent itself (painted by compose)
        idx = np.array(line_idx)
        old = flat[idx]
        flat[idx] = np.where(old < BLUE, np.array(line_val, np.uint8), old)
    paint_opponent(flat, 0, opp, seen[0] | seen[1], pos, theta)
    return flat.reshape(1, 2, OBS_SIZE, OBS_SIZE)


def advance_one(state: WrestlingState, actions: np.ndarray) -> tuple[WrestlingState, np.ndarray]:
    """rules.advance for a single running match (n = 1), with Python floats: (state, reward)."""
    (p0, p1), (v0, v1) = state.pos[0].tolist(), state.vel[0].tolist()
    th, en, act = state.theta[0].tolist(), state.energy[0].tolist(), actions[0].tolist()
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
    was_out = state.out[0].tolist()
    now_out = []
    for i in (0, 1):
        d = math.sqrt((new_p[i][0] - RING_CENTRE[0]) ** 2 + (new_p[i][1] - RING_CENTRE[1]) ** 2)
        now_out.append(was_out[i] or abs(d - RING_RADIUS) <= RADIUS)
    n_steps = int(state.steps[0]) + 1
    reward = [float(now_out[1] and not now_out[0]), float(now_out[0] and not now_out[1])]
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
    new = WrestlingState(
        pos=np.array([new_p]),
        vel=np.array([new_v]),
        theta=np.array([th], np.float64),
        energy=np.array([new_e]),
        steps=np.array([n_steps], np.int64),
        out=np.array([now_out]),
        done=np.array([done]),
        winner=np.array([winner], np.int64),
    )
    return new, np.array([reward])
