"""Batched, exact NumPy re-implementation of Jidi's olympics-wrestling game.

``WrestlingEnv(n_envs)`` steps ``n_envs`` independent matches at once. Every arithmetic step follows
the original engine (olympics_engine ``core.py`` / ``scenario/wrestling.py``) in the same order,
so positions, velocities, headings and energies agree to the last bits and the 40 x 40
observations agree cell for cell with recordings of the original.

Conventions (all arrays are indexed ``[env, player, ...]``):
    pos (n, 2, 2) centre (x, y) in screen pixels, y down; vel (n, 2, 2) px per simulated second;
    theta (n, 2) heading in degrees, never wrapped; energy (n, 2) in [-1, 1000], -1 = fatigued;
    steps (n,) steps taken; out (n, 2) agent has left the ring; done (n,); winner (n,).
Actions are (n, 2, 2) = [force, turn] per player, force in [-100, 200], turn in [-30, 30] degrees.
Out-of-range actions are clipped (default) or, with ``strict=True``, raise ``ValueError`` as the
original's asserts do (only for agents that are not fatigued, like the original).

``info["winner"]`` is 0 or 1 for the winning player, -1 for a draw (both out in the same step or
the 500-step limit), and -2 for an environment whose episode is still running.
"""

from __future__ import annotations

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
def _line_pixels(ax, ay, c, s, line):
    """Cells the original's DDA marks for one grey line: flat cell index (M, K) and value (M, K)."""
    (l1x, l1y), (l2x, l2y) = line
    # Cull by the distance from the line to a point 80 px ahead (closest_point / Cramer's rule).
    px = ax + _CULL_OFFSET * c
    py = ay + _CULL_OFFSET * s
    a1, b1 = l2y - l1y, l1x - l2x
    c1 = (l2y - l1y) * l1x + (l1x - l2x) * l1y
    c2 = -b1 * px + a1 * py
    det = a1 * a1 + b1 * b1
    qx = (a1 * c1 - b1 * c2) / det
    qy = (a1 * c2 + b1 * c1) / det
    considered = np.sqrt((qx - px) ** 2 + (qy - py) ** 2) <= _VIEW_R

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


def observe(pos: np.ndarray, theta: np.ndarray) -> np.ndarray:
    """Both players' 40 x 40 views for states pos (m, 2, 2), theta (m, 2): (m, 2, 40, 40) uint8."""
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
    arc_d = np.sqrt((arc_x - ocx) ** 2 + (arc_y - ocy) ** 2)
    see_green = arc_d <= _ARC_CULL_GREEN
    see_grey = arc_d <= _ARC_CULL_GREY
    see_opp = np.sqrt((ocx - opp_x) ** 2 + (ocy - opp_y) ** 2) <= _AGENT_CULL
    # Rotate into the view frame (x forward, y left).
    arc_rx, arc_ry = cn * arc_x + sn * arc_y, -sn * arc_x + cn * arc_y
    opp_rx, opp_ry = cn * opp_x + sn * opp_y, -sn * opp_x + cn * opp_y

    # Rings (only on empty cells) and the opponent's disc, distance tests per cell.
    d_arc = np.sqrt(
        ((_ROW_X[None, :] - arc_rx[:, None]) ** 2)[:, :, None]
        + ((_COL_Y[None, :] - arc_ry[:, None]) ** 2)[:, None, :]
    )
    d_opp = np.sqrt(
        ((_ROW_X[None, :] - opp_rx[:, None]) ** 2)[:, :, None]
        + ((_COL_Y[None, :] - opp_ry[:, None]) ** 2)[:, None, :]
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
        vv = rvx**2 + rvy**2
        with np.errstate(divide="ignore", invalid="ignore"):
            k = (rpx * rvx + rpy * rvy) / vv
            ll = (rpx**2 + rpy**2 - (2 * RADIUS) ** 2) / vv
            disc = k**2 - ll
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
            self._obs = observe(self.pos, self.theta)
        else:
            mask = np.asarray(mask, bool)
            self._reset_rows(np.flatnonzero(mask))
        return self._obs.copy()

    def _reset_rows(self, rows: np.ndarray) -> None:
        if rows.size == 0:
            return
        st = initial_state(rows.size)
        for name in ("pos", "vel", "theta", "energy", "steps", "out", "done", "winner"):
            getattr(self, name)[rows] = getattr(st, name)
        self._obs[rows] = _RESET_OBS

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
        """Advance every running match by one step; returns (obs, reward, done, info)."""
        active = ~self.done
        a = self._check_actions(actions, active)
        rows = np.flatnonzero(active)
        all_rows = rows.size == self.n_envs
        sel = slice(None) if all_rows else rows

        pos, vel = self.pos[sel].copy(), self.vel[sel].copy()
        theta, energy = self.theta[sel].copy(), self.energy[sel].copy()
        force, turn = a[sel, :, 0], a[sel, :, 1]
        tired = energy < 0
        theta = np.where(tired, theta, theta + turn)
        ang = theta / 180 * np.pi
        acc = np.stack([force * np.cos(ang), force * np.sin(ang)], axis=-1)
        acc[tired] = 0.0

        _collide_and_move(pos, vel, acc)
        speed = np.sqrt(vel[..., 0] ** 2 + vel[..., 1] ** 2)
        fast = speed > SPEED_CAP
        if fast.any():
            factor = np.where(fast, SPEED_CAP / np.where(fast, speed, 1.0), 1.0)
            vel = np.where(fast[..., None], vel * factor[..., None], vel)
        dist = np.sqrt((pos[..., 0] - RING_CENTRE[0]) ** 2 + (pos[..., 1] - RING_CENTRE[1]) ** 2)
        out = self.out[sel] | (np.abs(dist - RING_RADIUS) <= RADIUS)
        steps = self.steps[sel] + 1
        reward = np.zeros((rows.size, 2))
        reward[:, 0] = out[:, 1] & ~out[:, 0]
        reward[:, 1] = out[:, 0] & ~out[:, 1]
        obs = observe(pos, theta)
        done = out.any(1) | (steps >= MAX_STEPS)
        winner = np.where(
            done, np.where(reward[:, 0] > 0, 0, np.where(reward[:, 1] > 0, 1, -1)), -2
        )

        # Energy last: it only matters from the next step on.
        fmag = np.sqrt(acc[..., 0] ** 2 + acc[..., 1] ** 2)
        vmag = np.sqrt(vel[..., 0] ** 2 + vel[..., 1] ** 2)
        new_e = energy - (fmag * vmag / 50 - ENERGY_RECOVER) * TAU
        new_e = np.where(new_e < 0, -1.0, np.minimum(new_e, ENERGY_CAP))
        energy = np.where(tired, -1.0, new_e)

        self.pos[sel], self.vel[sel], self.theta[sel], self.energy[sel] = pos, vel, theta, energy
        self.steps[sel], self.out[sel], self.done[sel], self.winner[sel] = steps, out, done, winner
        self._obs[sel] = obs

        full_reward = np.zeros((self.n_envs, 2))
        full_reward[sel] = reward
        done_now = self.done.copy()
        info = {
            "winner": self.winner.copy(),
            "length": self.steps.copy(),
            "final_obs": self._obs.copy(),
            "active": active,
        }
        if self.auto_reset and done_now.any():
            self._reset_rows(np.flatnonzero(done_now))
        return self._obs.copy(), full_reward, done_now, info


_RESET_OBS = observe(initial_state(1).pos, initial_state(1).theta)[0]
