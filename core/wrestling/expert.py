"""A scripted expert that reads the true state (positions, velocities, headings), batched.

Plan: stay near the middle, line up on the centre side of the opponent, then charge so the
impact pushes it outwards. Every step the expert picks a desired velocity, turns it into a
desired acceleration, and chooses the turn in [-30, 30] and the force along the new heading
that come closest to it. Force is capped so that |force| x speed stays under 10,000 (energy
then never falls) except for the final shove in contact range; a velocity limit near the
edge keeps the expert inside.
"""

from __future__ import annotations

import numpy as np

from core.cancel import ShouldStop, check
from core.wrestling.data import FORCE_RANGE, TURN_RANGE, Dataset, normalise_colours

CENTRE = np.array([300.0, 350.0])
TAU = 0.1
MAX_SPEED = 100.0
TURNS = np.linspace(-30.0, 30.0, 13)


def _unit(v: np.ndarray) -> np.ndarray:
    return v / np.maximum(np.linalg.norm(v, axis=-1, keepdims=True), 1e-9)


def force_cap(speed: np.ndarray) -> np.ndarray:
    """Largest force F with F x (speed after the step) <= 10,000, i.e. no energy loss."""
    s = np.asarray(speed, dtype=np.float64)
    f = (-s + np.sqrt(s * s + 4000.0)) / (2 * TAU)  # 0.1 F^2 + s F - 10000 = 0
    return np.clip(f, 0.0, 200.0)


def steer(
    accel: np.ndarray, theta: np.ndarray, f_max: np.ndarray, face: np.ndarray | None = None
) -> np.ndarray:
    """Best [force, turn] (n, 2) to realise `accel` (n, 2); ties go to facing `face`."""
    h = np.deg2rad(theta[:, None] + TURNS[None, :])  # (n, 13)
    u = np.stack([np.cos(h), np.sin(h)], axis=-1)  # (n, 13, 2)
    f = np.clip((accel[:, None, :] * u).sum(-1), -100.0, f_max[:, None])
    err = ((accel[:, None, :] - f[..., None] * u) ** 2).sum(-1)
    if face is not None:  # prefer looking where we want to look (keeps the opponent in view)
        err = err + 400.0 * (1.0 - (u * face[:, None, :]).sum(-1))
    best = np.argmin(err, axis=1)
    rows = np.arange(len(best))
    return np.stack([f[rows, best], TURNS[best]], axis=1)


def expert_action(
    pos: np.ndarray,
    vel: np.ndarray,
    theta: np.ndarray,
    me: int = 0,
    charge_speed: float = 100.0,
    safe_radius: float = 150.0,
) -> np.ndarray:
    """Actions (n, 2) [force, turn] for player `me` from the states pos/vel (n,2,2), theta (n,2)."""
    op = 1 - me
    p, v, q, w = pos[:, me], vel[:, me], pos[:, op], vel[:, op]
    th = theta[:, me]
    gap = q - p
    dist = np.linalg.norm(gap, axis=-1)
    lead = np.clip(dist / 150.0, 0.0, 0.6)[:, None]
    target = q + w * lead  # where the opponent will be
    r_q = target - CENTRE
    d_q = np.linalg.norm(r_q, axis=-1)
    out_q = np.where(d_q[:, None] > 1.0, r_q / np.maximum(d_q, 1e-9)[:, None], _unit(gap))
    to_t = _unit(target - p)
    lined_up = ((to_t * out_q).sum(-1) > 0.5) | (d_q < 50.0)
    # a staging point between the centre and the opponent, 70 px short of it
    stage = CENTRE + out_q * np.maximum(d_q - 70.0, 0.0)[:, None]
    to_s = stage - p
    d_s = np.linalg.norm(to_s, axis=-1)
    v_stage = _unit(to_s) * np.minimum(60.0, 2.0 * d_s)[:, None]
    v_des = np.where(lined_up[:, None], to_t * charge_speed, v_stage)
    # near the edge: no outward speed beyond what can still be braked before the edge
    r_p = p - CENTRE
    d_p = np.linalg.norm(r_p, axis=-1)
    n_p = _unit(r_p)
    room = np.maximum(safe_radius - d_p, 0.0)
    allowed = np.sqrt(2.0 * 80.0 * room)
    radial = (v_des * n_p).sum(-1)
    v_des = v_des - n_p * np.maximum(radial - allowed, 0.0)[:, None]
    accel = (v_des - v) / TAU * 0.5
    speed = np.linalg.norm(v, axis=-1)
    f_max = force_cap(speed)
    shove = lined_up & (dist < 60.0)
    f_max = np.where(shove, 200.0, f_max)
    face = np.where(lined_up[:, None], to_t, _unit(gap))
    return steer(accel, th, f_max, face)


EXPERT_SNIPPET = """
import numpy as np

# The expert reads the true state: positions p, q, velocities v, w, heading theta.
desired_v = 100 * (q - p) / np.linalg.norm(q - p)   # charge when lined up behind...
accel = (desired_v - v) / 0.1 * 0.5                # ...the acceleration that gets there
turns = np.linspace(-30, 30, 13)                   # try every turn
u = np.stack([np.cos(np.radians(theta + turns)), np.sin(np.radians(theta + turns))], 1)
force = np.clip(u @ accel, -100, 200)              # best force along each new heading
best = np.argmin(((accel - force[:, None] * u) ** 2).sum(1))
action = [force[best], turns[best]]
"""


OPPONENTS = ("random", "still", "expert")


def collect(
    n_pairs: int = 10_000,
    seed: int = 0,
    n_envs: int = 256,
    mix: tuple[float, float, float] = (0.6, 0.1, 0.3),
    noise: float = 0.2,
    opening: int = 10,
    previous: bool = False,
    should_stop: ShouldStop | None = None,
) -> Dataset:
    """Expert (view, action) pairs from batched matches, both sides, colours normalised.

    Opponents are drawn per episode from random / still / the expert itself (`mix`); each
    episode opens with 0-`opening` random steps by both players (not recorded). With
    probability `noise` the expert's executed action is replaced by a random one while the
    recorded label stays the expert's choice, so the data also shows how to recover.
    previous=True also keeps each pair's previous view (Dataset.prev, frames.py's rule), the
    data of a two-frame network. should_stop (core/cancel.py) is polled every step of the
    batched game: once it says stop, Cancelled is raised and nothing is returned.
    """
    from core.wrestling.env import WrestlingEnv  # the game, imported late: it builds tables
    from core.wrestling.frames import LastViews

    rng = np.random.default_rng(seed)
    env = WrestlingEnv(n_envs, auto_reset=True)
    obs = env.reset()
    rows = np.arange(n_envs)
    side = rows % 2  # the expert's side in each environment (both sides play in self-play)
    opp = np.zeros(n_envs, int)
    k = np.zeros(n_envs, int)
    episode = np.zeros(n_envs, int)
    next_episode = 0

    def new_episodes(mask: np.ndarray) -> None:
        nonlocal next_episode
        m = int(mask.sum())
        opp[mask] = rng.choice(len(OPPONENTS), size=m, p=np.asarray(mix) / np.sum(mix))
        k[mask] = rng.integers(0, opening + 1, m)
        episode[mask] = next_episode + np.arange(m)
        next_episode += m

    new_episodes(np.ones(n_envs, bool))
    got_obs, got_act, got_ep, got_pos, got_prev = [], [], [], [], []
    memory = LastViews(n_envs) if previous else None
    count = t = 0
    while count < n_pairs:
        check(should_stop)
        prev = memory.previous(obs, t, rows) if memory else None
        acts = np.zeros((n_envs, 2, 2))
        for player in (0, 1):
            acts[:, player] = expert_action(env.pos, env.vel, env.theta, player)
        labels = acts.copy()
        me = side
        other = 1 - side
        opp_act = acts[rows, other]
        opp_act = np.where((opp == 0)[:, None], random_actions(rng, n_envs), opp_act)
        opp_act = np.where((opp == 1)[:, None], 0.0, opp_act)
        acts[rows, other] = opp_act
        noisy = rng.random((n_envs, 2)) < noise
        acts = np.where(noisy[..., None], random_actions(rng, 2 * n_envs).reshape(-1, 2, 2), acts)
        opening_now = env.steps < k
        acts[opening_now] = random_actions(rng, 2 * int(opening_now.sum())).reshape(-1, 2, 2)
        record = [(me, ~opening_now), (other, ~opening_now & (opp == 2))]
        for player, mask in record:
            if mask.any():
                got_obs.append(normalise_colours(obs[rows[mask], player[mask]], player[mask]))
                if previous:
                    got_prev.append(normalise_colours(prev[rows[mask], player[mask]], player[mask]))
                got_act.append(labels[rows[mask], player[mask]])
                got_ep.append(2 * episode[mask] + (player[mask] != side[mask]))
                got_pos.append(env.pos[rows[mask], player[mask]].copy())
                count += int(mask.sum())
        if memory:  # after reading prev: it is the memory's own array
            memory.remember(obs, t, rows[~opening_now])
        obs, _, done, _ = env.step(acts, reuse=True)  # the last views are recorded (copied)
        t += 1
        if done.any():
            new_episodes(np.asarray(done, bool))
            if memory:
                memory.forget(np.flatnonzero(done))
    ep = np.concatenate(got_ep)
    order = np.argsort(ep, kind="stable")[:n_pairs]
    ep = ep[order]
    _, ep = np.unique(ep, return_inverse=True)
    return Dataset(
        np.concatenate(got_obs)[order].astype(np.uint8),
        np.concatenate(got_act)[order].astype(np.float32),
        ep.astype(np.int64),
        np.concatenate(got_pos)[order],
        np.concatenate(got_prev)[order].astype(np.uint8) if previous else None,
    )


def random_actions(rng: np.random.Generator, n: int) -> np.ndarray:
    """Uniform random [force, turn] (n, 2), as Jidi's random agent."""
    return np.stack([rng.uniform(*FORCE_RANGE, n), rng.uniform(*TURN_RANGE, n)], axis=1)
