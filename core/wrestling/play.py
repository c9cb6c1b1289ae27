"""Matches between policies, batched in the fast game: win/draw/loss tables and recorded games.

A policy is anything with `name`, `deterministic` and `act(env, obs, player, rng) -> (n, 2)`:
random, still, the scripted expert, or a behaviour-cloned network. With the fixed reset two
deterministic policies always play the same game, so matches also run from randomised
openings: both players act uniformly at random for the first 0-10 steps.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from core.wrestling.bc import BCPolicy
from core.wrestling.env import WrestlingEnv
from core.wrestling.expert import expert_action, random_actions
from core.wrestling.rules import MAX_STEPS


@dataclass
class Random:
    """Uniform random actions."""

    name: str = "random"
    deterministic: bool = False

    def act(self, env, obs, player, rng):
        return random_actions(rng, len(obs))


@dataclass
class Still:
    """Stands still: force 0, turn 0."""

    name: str = "still"
    deterministic: bool = True

    def act(self, env, obs, player, rng):
        return np.zeros((len(obs), 2))


@dataclass
class Expert:
    """The scripted expert (reads the true state)."""

    name: str = "expert"
    deterministic: bool = True

    def act(self, env, obs, player, rng):
        return expert_action(env.pos, env.vel, env.theta, player)


@dataclass
class Cloned:
    """A behaviour-cloned network; sees only its own 40 x 40 view."""

    policy: BCPolicy
    name: str = "BC"
    deterministic: bool = True

    def act(self, env, obs, player, rng):
        return self.policy.act(obs[:, player], player)


def play_games(
    p0, p1, n_games: int, seed: int = 0, opening: int = 0
) -> tuple[np.ndarray, np.ndarray]:
    """Play n_games at once; returns (winner (n,), length (n,)); opening: up to that many random steps."""
    rng = np.random.default_rng(seed)
    env = WrestlingEnv(n_games)
    obs = env.reset()
    k = rng.integers(0, opening + 1, n_games) if opening else np.zeros(n_games, int)
    winner = np.full(n_games, -1)
    length = np.full(n_games, MAX_STEPS)
    done = np.zeros(n_games, bool)
    for t in range(MAX_STEPS):
        a = np.stack([p0.act(env, obs, 0, rng), p1.act(env, obs, 1, rng)], axis=1)
        rand = t < k
        if rand.any():
            a[rand] = random_actions(rng, 2 * int(rand.sum())).reshape(-1, 2, 2)
        obs, _, d, info = env.step(a, reuse=True)  # the policies are done with the last views
        new = np.asarray(d, bool) & ~done
        winner[new] = np.asarray(info["winner"])[new]
        length[new] = t + 1
        done |= new
        if done.all():
            break
    return winner, length


@dataclass
class Pairing:
    """One row of the table: our agent on `side` against `opponent`."""

    agent: str
    opponent: str
    side: int
    opening: str
    wins: int
    draws: int
    losses: int
    mean_length: float

    @property
    def games(self) -> int:
        return self.wins + self.draws + self.losses


def evaluate(
    agent, opponents: list, n_games: int = 200, seed: int = 0, openings: tuple[int, ...] = (0, 10)
) -> Iterator[Pairing]:
    """Agent vs each opponent, on each side, from each opening; yields one Pairing at a time."""
    for opp in opponents:
        for opening in openings:
            one = opening == 0 and agent.deterministic and opp.deterministic
            n = 1 if one else n_games
            for side in (0, 1):
                pair = (agent, opp) if side == 0 else (opp, agent)
                winner, length = play_games(*pair, n, seed=seed + side, opening=opening)
                yield Pairing(
                    agent.name,
                    opp.name,
                    side,
                    "fixed start" if opening == 0 else f"random 0-{opening} steps",
                    int((winner == side).sum()),
                    int((winner == -1).sum()),
                    int((winner == 1 - side).sum()),
                    float(length.mean()),
                )


def table(pairings: list[Pairing]) -> pd.DataFrame:
    """The win/draw/loss table, one row per pairing, with counts and a win rate."""
    rows = [
        {
            "agent": p.agent,
            "opponent": p.opponent,
            "agent plays": f"player {p.side}",
            "opening": p.opening,
            "games": p.games,
            "wins": p.wins,
            "draws": p.draws,
            "losses": p.losses,
            "win %": round(100.0 * p.wins / max(1, p.games), 1),
            "mean length": round(p.mean_length, 1),
        }
        for p in pairings
    ]
    return pd.DataFrame(rows)


@dataclass
class Match:
    """One recorded game: the state before each step, both views, the actions taken."""

    pos: np.ndarray  # (T+1, 2, 2)
    vel: np.ndarray  # (T+1, 2, 2)
    theta: np.ndarray  # (T+1, 2)
    energy: np.ndarray  # (T+1, 2)
    obs: np.ndarray  # (T+1, 2, 40, 40)
    actions: np.ndarray  # (T, 2, 2)
    winner: int
    names: tuple[str, str] = field(default=("player 0", "player 1"))

    @property
    def length(self) -> int:
        return len(self.actions)


def start_match(names: tuple[str, str] = ("player 0", "player 1")) -> Match:
    """The reset state as a Match of no steps: what a game looks like before it begins."""
    env = WrestlingEnv(1)
    obs = env.reset()
    state = {k: np.array(getattr(env, k)[:1], dtype=np.float64) for k in ("pos", "vel", "theta")}
    energy = np.array(env.energy[:1], dtype=np.float64)
    return Match(
        **state,
        energy=energy,
        obs=np.array(obs[:1]),
        actions=np.zeros((0, 2, 2)),
        winner=-1,
        names=names,
    )


def record_match(p0, p1, seed: int = 0, opening: int = 0) -> Match:
    """Play one game and keep every state, view and action (for the animation)."""
    rng = np.random.default_rng(seed)
    env = WrestlingEnv(1)
    obs = env.reset()
    k = int(rng.integers(0, opening + 1)) if opening else 0
    keep = {"pos": [], "vel": [], "theta": [], "energy": [], "obs": [], "actions": []}

    def snap():
        for name in ("pos", "vel", "theta", "energy"):
            keep[name].append(np.array(getattr(env, name)[0], dtype=np.float64))
        keep["obs"].append(np.array(obs[0]))

    snap()
    winner = -1
    for t in range(MAX_STEPS):
        a = np.stack([p0.act(env, obs, 0, rng), p1.act(env, obs, 1, rng)], axis=1)
        if t < k:
            a = random_actions(rng, 2).reshape(1, 2, 2)
        keep["actions"].append(a[0].astype(np.float64))
        obs, _, d, info = env.step(a)
        snap()
        if bool(np.asarray(d)[0]):
            winner = int(np.asarray(info["winner"])[0])
            break
    arrays = {k2: np.stack(v) for k2, v in keep.items()}
    return Match(**arrays, winner=winner, names=(p0.name, p1.name))
