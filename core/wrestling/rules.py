"""The rules of Olympics Wrestling, to read top to bottom: the world, one step, who wins, the view.

This is Jidi's "olympics-wrestling" game (jidiai/olympics_engine) written with NumPy, so that many
matches run side by side. Every formula follows the original in the same order (Python's ``x ** 2``
included), so states agree with recordings of the original to the last bit and views cell for cell
(tests/core/wrestling/test_env.py). ``WrestlingEnv`` in env.py plays matches with these rules; its
views come from the fast engine in fast/, which is tested equal to ``observe_dense`` below.

Arrays are indexed ``[env, player, ...]``: pos (n, 2, 2) centres (x, y) in screen pixels, y down;
vel (n, 2, 2) px per simulated second; theta (n, 2) headings in degrees, never wrapped; energy
(n, 2) in [-1, 1000], -1 = fatigued. An action is [force, turn] per player: (n, 2, 2).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

# --- the world (scenario.json "wrestling" and the engine's defaults) -----------------------------
TAU = 0.1  # simulated seconds per step
SPEED_CAP = 100.0  # px/s, so at most 10 px a step
MAX_STEPS = 500
RADIUS = 20.0  # both agents; mass 1, so acceleration = force
ENERGY_CAP = 1000.0
ENERGY_RECOVER = 200.0  # energy regained per second when not straining
FORCE_RANGE = (-100.0, 200.0)
TURN_RANGE = (-30.0, 30.0)  # degrees per step
RING_CENTRE = (300.0, 350.0)
RING_RADIUS = 200.0  # leave it (come within RADIUS of this circle) and you lose
INNER_RADIUS = 50.0  # a grey circle: decoration, nothing in the arena is solid
LINES = (((140.0, 350.0), (460.0, 350.0)), ((300.0, 190.0), (300.0, 510.0)))  # grey, decoration
START_POS = ((300.0, 200.0), (300.0, 500.0))
START_THETA = (90.0, -90.0)  # facing each other (y points down)

# --- the view: a 200 px square ahead of the agent, seen in 5 px cells, 40 px of it behind ---------
VISIBILITY = 200.0
CELL = 5.0
OBS_SIZE = 40
VIEW_BACK = VISIBILITY * 0.2  # 40.0
EMPTY, RING, LINE, BLUE, LIGHT_RED = 0, 1, 4, 8, 10  # cell values
PLAYER_COLOURS = (LIGHT_RED, BLUE)  # player 0 is "light red", player 1 "blue"

# Cell centres in the agent's frame: x forward (row 0 far ahead), y to the left (column 0).
ROW_X = VISIBILITY - CELL * np.arange(OBS_SIZE) - CELL / 2 - VIEW_BACK
COL_Y = VISIBILITY / 2 - CELL * np.arange(OBS_SIZE) - CELL / 2
SELF_MASK = np.sqrt(ROW_X[:, None] ** 2 + COL_Y[None, :] ** 2) <= RADIUS  # rows 28-35, cols 16-23

# What is drawn at all: distances from the point 80 px ahead, written as the original computes them.
CULL_OFFSET = VISIBILITY / 2 - VIEW_BACK / 2  # 80 px ahead: the original's "view centre"
VIEW_R = VISIBILITY * math.sqrt(2) / 2
ARC_CULL_GREEN = VISIBILITY / 2 * 1.415 + RING_RADIUS
ARC_CULL_GREY = VISIBILITY / 2 * 1.415 + INNER_RADIUS
AGENT_CULL = VISIBILITY * 1.415 / 2 + RADIUS

# The view's border in the agent's frame (x forward, y right): its four sides, in the original's order.
VIEW_BORDER = (
    ((-VIEW_BACK, -VISIBILITY / 2), (-VIEW_BACK, VISIBILITY / 2)),
    ((-VIEW_BACK, VISIBILITY / 2), (VISIBILITY - VIEW_BACK, VISIBILITY / 2)),
    ((VISIBILITY - VIEW_BACK, VISIBILITY / 2), (VISIBILITY - VIEW_BACK, -VISIBILITY / 2)),
    ((VISIBILITY - VIEW_BACK, -VISIBILITY / 2), (-VIEW_BACK, -VISIBILITY / 2)),
)


def squared(x: np.ndarray) -> np.ndarray:
    """x ** 2 exactly as Python computes it for a float (libm pow, not x * x)."""
    return np.float_power(x, 2.0)


# --- the state --------------------------------------------------------------------------------
@dataclass
class WrestlingState:
    """The state of n matches, one row per match.

    steps (n,) steps taken; out (n, 2) agent has left the ring; done (n,) match over; winner (n,)
    0 or 1, -1 for a draw, -2 while the match runs.
    """

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
        """The state of a subset of matches (index with an int, slice, mask or list)."""
        if isinstance(index, int | np.integer):
            index = [int(index)]
        return WrestlingState(**{k: np.array(v[index]) for k, v in self.__dict__.items()})


def initial_state(n_envs: int = 1) -> WrestlingState:
    """The reset state of n_envs matches (the same every time: no random start)."""
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


# --- one step -----------------------------------------------------------------------------------
def advance(state: WrestlingState, actions: np.ndarray) -> tuple[WrestlingState, np.ndarray]:
    """One step of running matches with in-range actions (n, 2, 2): (new state, reward (n, 2))."""
    force, turn = actions[..., 0], actions[..., 1]
    # 1. Turn, then push along the new heading. A fatigued agent does neither.
    tired = state.energy < 0
    theta = np.where(tired, state.theta, state.theta + turn)
    ang = theta / 180 * np.pi
    acc = np.empty(state.pos.shape)
    acc[..., 0] = force * np.cos(ang)
    acc[..., 1] = force * np.sin(ang)
    acc[tired] = 0.0

    # 2. Move for TAU seconds, bouncing off each other at the exact moment of contact.
    pos, vel = state.pos.copy(), state.vel.copy()
    _collide_and_move(pos, vel, acc)

    # 3. Speed cap.
    speed = np.sqrt(squared(vel[..., 0]) + squared(vel[..., 1]))
    fast = speed > SPEED_CAP
    if fast.any():
        vel[fast] *= (SPEED_CAP / speed[fast])[:, None]

    # 4. Out: the centre within RADIUS of the ring's circle (180 px or more from its centre).
    dist = np.sqrt(squared(pos[..., 0] - RING_CENTRE[0]) + squared(pos[..., 1] - RING_CENTRE[1]))
    out = state.out | (np.abs(dist - RING_RADIUS) <= RADIUS)

    # 5. Count the step; reward and winner.
    steps = state.steps + 1
    reward, done, winner = outcome(out, steps)

    # 6. Energy, last: it only matters from the next step on. Straining (|F| |v| > 10,000) costs.
    fmag = np.sqrt(squared(acc[..., 0]) + squared(acc[..., 1]))
    vmag = np.sqrt(squared(vel[..., 0]) + squared(vel[..., 1]))
    energy = state.energy - (fmag * vmag / 50 - ENERGY_RECOVER) * TAU
    energy = np.where(energy < 0, -1.0, np.minimum(energy, ENERGY_CAP))
    energy = np.where(tired, -1.0, energy)  # fatigue lasts to the end of the match
    return WrestlingState(pos, vel, theta, energy, steps, out, done, winner), reward


def _collide_and_move(pos: np.ndarray, vel: np.ndarray, acc: np.ndarray, max_events: int = 16):
    """Move pos and vel (in place) over one step: contacts at their exact time, then the rest.

    Each round finds, per match, when the two discs would touch within the time left (the
    relative motion's closest approach); those that do move to that instant and exchange velocity
    along the line between the centres (equal masses, elastic). The rest of the step is plain
    motion: pos += v * t first, then v += a * TAU (semi-implicit, as the original).
    """
    m = pos.shape[0]
    rem = np.full(m, TAU)
    live = np.arange(m)
    for _ in range(max_events):
        p, v = pos[live], vel[live]
        rpx, rpy = p[:, 0, 0] - p[:, 1, 0], p[:, 0, 1] - p[:, 1, 1]
        rvx, rvy = v[:, 0, 0] - v[:, 1, 0], v[:, 0, 1] - v[:, 1, 1]
        vv = squared(rvx) + squared(rvy)
        with np.errstate(divide="ignore", invalid="ignore"):
            k = (rpx * rvx + rpy * rvy) / vv
            ll = (squared(rpx) + squared(rpy) - (2 * RADIUS) * (2 * RADIUS)) / vv
            disc = squared(k) - ll
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


def outcome(out: np.ndarray, steps: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Reward (n, 2), done (n,) and winner (n,) from who is out (n, 2) after steps (n,).

    A match ends as soon as anyone is out, or after MAX_STEPS. The reward is 1 for the player who
    stayed in when the other left; both out at once, or the time limit, is a draw (winner -1).
    """
    reward = np.empty(out.shape)
    reward[:, 0] = out[:, 1] & ~out[:, 0]
    reward[:, 1] = out[:, 0] & ~out[:, 1]
    done = out.any(1) | (steps >= MAX_STEPS)
    winner = np.where(done, np.where(reward[:, 0] > 0, 0, np.where(reward[:, 1] > 0, 1, -1)), -2)
    return reward, done, winner


# --- what a player sees -------------------------------------------------------------------------
def observe_dense(pos: np.ndarray, theta: np.ndarray) -> np.ndarray:
    """Both players' views, cell by cell as the original paints them: (m, 2, 40, 40) uint8.

    Slow and plain: the fast views (fast/views.py) are tested equal to these.
    """
    views = np.zeros((pos.shape[0], 2, OBS_SIZE, OBS_SIZE), np.uint8)
    for e in range(pos.shape[0]):
        for p in (0, 1):
            me, other, heading = pos[e, p].tolist(), pos[e, 1 - p].tolist(), float(theta[e, p])
            views[e, p] = _view(me, other, heading, PLAYER_COLOURS[p], PLAYER_COLOURS[1 - p])
    return views


def _view(me: list, other: list, heading: float, my_colour: int, other_colour: int) -> np.ndarray:
    """One player's 40 x 40 view: lines, then rings on empty cells, then the two agents."""
    (ax, ay), (bx, by) = me, other
    rad = heading * math.pi / 180
    c, s = math.cos(rad), math.sin(rad)
    rad_neg = -heading * math.pi / 180
    cn, sn = math.cos(rad_neg), math.sin(rad_neg)
    # The arena's centre and the opponent relative to the agent (the original's y-up frame), and
    # which of them are near enough to the view's centre to be drawn at all.
    ocx, ocy = c * CULL_OFFSET + s * 0.0, -s * CULL_OFFSET + c * 0.0
    arc_x, arc_y = RING_CENTRE[0] - ax, -RING_CENTRE[1] + ay
    opp_x, opp_y = bx - ax, -by + ay
    arc_d = math.sqrt((arc_x - ocx) ** 2 + (arc_y - ocy) ** 2)
    see_green, see_grey = arc_d <= ARC_CULL_GREEN, arc_d <= ARC_CULL_GREY
    see_opp = math.sqrt((ocx - opp_x) ** 2 + (ocy - opp_y) ** 2) <= AGENT_CULL
    # Rotated into the view's frame (x forward, y left): every cell's distance to them.
    d_arc = _cell_distances(cn * arc_x + sn * arc_y, -sn * arc_x + cn * arc_y)
    d_opp = _cell_distances(cn * opp_x + sn * opp_y, -sn * opp_x + cn * opp_y)

    view = np.zeros((OBS_SIZE, OBS_SIZE), np.uint8)
    for cell, value in zip(*line_cells(ax, ay, c, s), strict=True):
        view.flat[cell] = value
    if see_green:  # the ring, then the inner circle, on cells nothing else took
        view[(view == EMPTY) & _near_circle(d_arc, RING_RADIUS)] = RING
    if see_grey:
        view[(view == EMPTY) & _near_circle(d_arc, INNER_RADIUS)] = LINE
    opp = (d_opp <= RADIUS) & see_opp
    # The original repaints the agent's own disc after the opponent's whenever it drew an arc after
    # it, so with an arc in view (nearly always) self lies on top; otherwise the opponent does.
    if see_green or see_grey:
        view[opp] = other_colour
        view[SELF_MASK] = my_colour
    else:
        view[SELF_MASK] = my_colour
        view[opp] = other_colour
    return view


def _near_circle(d: np.ndarray, r: float) -> np.ndarray:
    """Cells whose centre lies within half a cell of a circle of radius r (d: distances to its centre)."""
    return (d >= r - CELL / 2) & (d <= r + CELL / 2)


def _cell_distances(cx: float, cy: float) -> np.ndarray:
    """(40, 40) distances from every cell centre to (cx, cy) in the view's frame."""
    return np.sqrt(squared(ROW_X - cx)[:, None] + squared(COL_Y - cy)[None, :])


def line_cells(ax: float, ay: float, c: float, s: float) -> tuple[list[int], list[int]]:
    """The grey lines' cells in one view, in drawing order: (cells as row * 40 + col, values).

    The agent stands at (ax, ay) with heading (cos, sin) = (c, s). A line's cells get 4; a line
    that only touches the view's border marks one cell, with 1.
    """
    cells: list[int] = []
    values: list[int] = []
    px, py = ax + CULL_OFFSET * c, ay + CULL_OFFSET * s  # the view's centre
    for (l1x, l1y), (l2x, l2y) in LINES:
        # Skip a line whose closest point (Cramer's rule) is too far from the view's centre.
        a1, b1 = l2y - l1y, l1x - l2x
        c1 = (l2y - l1y) * l1x + (l1x - l2x) * l1y
        c2 = -b1 * px + a1 * py
        det = a1 * a1 + b1 * b1
        qx, qy = (a1 * c1 - b1 * c2) / det, (a1 * c2 + b1 * c1) / det
        if math.sqrt((qx - px) ** 2 + (qy - py) ** 2) > VIEW_R:
            continue
        # Its ends in the agent's frame (x forward, y to the right) and where it crosses the
        # view's border; the original keeps the crossings in a set, whose order decides which end
        # the line is drawn from (and so, by rounding, a few cells).
        ends = []
        for ex, ey in ((l1x, l1y), (l2x, l2y)):
            dx, dy = ex - ax, ey - ay
            ends.append((dx * c + dy * s, dx * -s + dy * c))
        (p0x, p0y), (p1x, p1y) = ends
        svx, svy = p1x - p0x, p1y - p0y
        hits = []
        for (bx, by), (ex, ey) in VIEW_BORDER:
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
        # DDA in cell units (x from the back edge, y from the left edge): one sample per step
        # along the longer axis, each marking the cell it falls in. The samples lie on a segment
        # inside the view, within [-0.5, 39.5] on both axes, so every cell is one of the view's.
        x1, y1 = (draw[0][0] + VIEW_BACK) / CELL, (draw[0][1] + VISIBILITY / 2) / CELL
        steps = 0.0
        if len(draw) == 2:
            ddx = (draw[1][0] + VIEW_BACK) / CELL - x1
            ddy = (draw[1][1] + VISIBILITY / 2) / CELL - y1
            steps = abs(ddx) if abs(ddx) > abs(ddy) else abs(ddy)
        x, y = x1 - 0.5, y1 - 0.5
        if steps == 0:  # a single point, marked with value 1
            n, step_x, step_y, value = 1, 0.0, 0.0, RING
        else:
            n, step_x, step_y, value = int(steps + 1), ddx / steps, ddy / steps, LINE
        for _ in range(n):
            cells.append((OBS_SIZE - 1 - int(x)) * OBS_SIZE + int(y))  # int() truncates, as there
            x += step_x
            y += step_y
        values += [value] * n
    return cells, values
