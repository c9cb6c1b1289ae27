"""Matches between policies, batched in the fast game: win/draw/loss tables and recorded games.

A policy is anything with `name`, `deterministic` and `act(env, obs, player, rng, prev=None)
-> (n, 2)`: random, still, the scripted expert, or a behaviour-cloned network. With the fixed
reset two deterministic policies always play the same game, so matches also run from
randomised openings: both players act uniformly at random for the first 0-10 steps.
A two-frame network also reads `prev`, the previous views, kept by frames.LastViews.
"""

from __future__ import annotations

import itertools
import time
import weakref
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from core.cancel import ShouldStop, check
from core.wrestling.bc import BCPolicy
from core.wrestling.env import WrestlingEnv
from core.wrestling.expert import expert_action, random_actions
from core.wrestling.frames import LastViews
from core.wrestling.rules import MAX_STEPS

# Matches' cost on one core (python bench/bc.py --costs, 40 and 400 games): a game's step costs
# about this much for the game and the usual opponents, plus the agent's own forward pass per
# view (measured on the agent's network itself: `view_seconds`); games last this many steps
# on average. The table of a large student network (32-64-64) is twice the shipped one's.
GAME_STEP_SECONDS = 58e-6
AGENT_STEP_SECONDS = 9e-6  # the scripted expert's (or any non-network agent's) share
MEAN_GAME_STEPS = 138
# The most games a table plays at once: a finished game's place goes to the next in line, so a
# table's memory (views, the networks' activations) is that of this many games, whatever n_games.
GAMES_AT_ONCE = 1024
_VIEW_SECONDS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


@dataclass
class Random:
    """Uniform random actions."""

    name: str = "random"
    deterministic: bool = False

    def act(self, env, obs, player, rng, prev=None):
        return random_actions(rng, len(obs))


@dataclass
class Still:
    """Stands still: force 0, turn 0."""

    name: str = "still"
    deterministic: bool = True

    def act(self, env, obs, player, rng, prev=None):
        return np.zeros((len(obs), 2))


@dataclass
class Expert:
    """The scripted expert (reads the true state)."""

    name: str = "expert"
    deterministic: bool = True

    def act(self, env, obs, player, rng, prev=None):
        return expert_action(env.pos, env.vel, env.theta, player)


@dataclass
class Cloned:
    """A behaviour-cloned network; sees only its own 40 x 40 view."""

    policy: BCPolicy
    name: str = "BC"
    deterministic: bool = True

    def act(self, env, obs, player, rng, prev=None):
        return self.policy.act(obs[:, player], player, None if prev is None else prev[:, player])


def frames(policy) -> int:
    """How many views `policy` reads: 2 for a two-frame network, else 1."""
    return policy.policy.frames if isinstance(policy, Cloned) else 1


def last_views(n_games: int, *policies) -> LastViews | None:
    """A memory of the last views if one of `policies` reads two frames, else None."""
    return LastViews(n_games) if any(frames(p) > 1 for p in policies) else None


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
    memory = last_views(n_games, p0, p1)
    for t in range(MAX_STEPS):
        prev = memory.previous(obs, t, np.flatnonzero(~done)) if memory else None
        a = np.stack([p0.act(env, obs, 0, rng, prev), p1.act(env, obs, 1, rng, prev)], axis=1)
        rand = t < k
        if memory:
            memory.remember(obs, t, np.flatnonzero(~rand))
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
    order: int = 0  # its place in the table (pairings finish in another order)

    @property
    def games(self) -> int:
        return self.wins + self.draws + self.losses


def act_rows(
    policy, env, obs, rows: np.ndarray, players: np.ndarray, rng, prev: np.ndarray | None = None
) -> np.ndarray:
    """`policy`'s actions (len(rows), 2) in the env's rows `rows`, playing players[j] in each.

    prev: the previous views (n, 2, 40, 40) of every row (frames.LastViews), for two frames.
    """
    if isinstance(policy, Random):
        return random_actions(rng, len(rows))
    if isinstance(policy, Still):
        return np.zeros((len(rows), 2))
    if isinstance(policy, Cloned):
        before = None if prev is None else prev[rows, players]
        return policy.policy.act(obs[rows, players], players, before)
    if isinstance(policy, Expert):
        return expert_rows(env, rows, players)
    out = np.zeros((len(rows), 2))
    for p in (0, 1):
        m = players == p
        if m.any():  # any other policy is asked for every row, as that player
            out[m] = policy.act(env, obs, p, rng, prev)[rows[m]]
    return out


def expert_rows(env, rows: np.ndarray, players: np.ndarray, teacher: dict | None = None):
    """The expert's actions (len(rows), 2) as players[j] in env row rows[j].

    teacher: keyword arguments of expert_action (DAgger's labelling expert may be gentler).
    """
    out = np.zeros((len(rows), 2))
    for p in (0, 1):
        m = players == p
        if m.any():
            r = rows[m]
            out[m] = expert_action(env.pos[r], env.vel[r], env.theta[r], p, **(teacher or {}))
    return out


def _specs(agent, opponents: list, n_games: int, openings: tuple[int, ...]) -> list[tuple]:
    """(opponent index, opening, side, games) of every pairing a table plays."""
    specs = []
    for j, opp in enumerate(opponents):
        for opening in openings:
            one = opening == 0 and agent.deterministic and opp.deterministic
            specs += [(j, opening, side, 1 if one else n_games) for side in (0, 1)]
    return specs


def view_seconds(policy, rows: int = 256) -> float:
    """CPU seconds `policy` takes per view, measured once on its own network (0 without one).

    Measure with one torch thread, as the matches run: more threads spend CPU on waiting."""
    if not isinstance(policy, Cloned):
        return 0.0
    net = policy.policy.net
    if net not in _VIEW_SECONDS:
        views = np.random.default_rng(0).integers(0, 11, (rows, 40, 40)).astype(np.int8)
        policy.policy.act(views[:8], 0, views[:8] if policy.policy.frames > 1 else None)  # warm
        started = time.thread_time()
        policy.policy.act(views, 0, views if policy.policy.frames > 1 else None)
        _VIEW_SECONDS[net] = (time.thread_time() - started) / rows
    return _VIEW_SECONDS[net]


def estimate_seconds(
    agent, opponents: list, n_games: int, openings: tuple[int, ...] = (0, 10)
) -> float:
    """About how many CPU seconds `evaluate` takes: the games, their usual length, and the
    agent's network's own cost per view (a large network costs more per game)."""
    games = sum(n for *_, n in _specs(agent, opponents, n_games, openings))
    per_step = GAME_STEP_SECONDS + (view_seconds(agent) or AGENT_STEP_SECONDS)
    return games * MEAN_GAME_STEPS * per_step


def evaluate(
    agent,
    opponents: list,
    n_games: int = 200,
    seed: int = 0,
    openings: tuple[int, ...] = (0, 10),
    budget: float | None = None,
    clock: Callable[[], float] = time.thread_time,
    at_once: int = GAMES_AT_ONCE,
    should_stop: ShouldStop | None = None,
) -> Iterator[Pairing]:
    """Agent vs each opponent, on each side, from each opening; yields one Pairing at a time.

    The games play in one batched game of at most `at_once` places (one step of the agent's
    network for all of them): a game that ends hands its place to the next game in line, so
    the memory a table holds does not grow with `n_games`. Each pairing is yielded as soon as
    its games are over. Two deterministic policies from the fixed start play one game, the only
    one there is. `budget`: seconds of `clock` (this thread's CPU time) after which the table
    stops where it is, whatever the networks' size; fewer pairings than
    `len(opponents) * 2 * len(openings)` then come out. `should_stop` is polled before every
    step (Cancelled ends the table; the pairings already yielded stay whole).
    """
    started = clock()
    specs = _specs(agent, opponents, n_games, openings)
    of = np.repeat(np.arange(len(specs)), [n for *_, n in specs])  # game -> its pairing
    opp_of = np.array([specs[i][0] for i in of])
    side = np.array([specs[i][2] for i in of])
    alone = np.array([specs[i][3] == 1 for i in of])  # the one game of a deterministic pair
    rng = np.random.default_rng(seed)
    k = rng.integers(0, np.array([specs[i][1] for i in of]) + 1)  # random steps at the start
    places = min(len(of), max(1, int(at_once)))
    env = WrestlingEnv(places)
    obs = env.reset()
    game = np.arange(places)  # place -> the game it plays
    began = np.zeros(places, int)  # place -> the step its game began at
    queued = places  # the next game in line
    winner = np.full(len(of), -1)
    length = np.full(len(of), MAX_STEPS)
    left = np.bincount(of, minlength=len(specs))  # games still running per pairing
    memory = last_views(places, agent, *opponents)
    for t in itertools.count():
        check(should_stop)
        rows = np.flatnonzero(~env.done)
        g, age = game[rows], t - began[rows]
        prev = memory.previous(obs, t, rows) if memory else None
        acts = np.zeros((places, 2, 2))
        me = side[g]
        solo = alone[game]
        acts[rows, me] = _act(agent, env, obs, rows, me, rng, solo, prev)
        for j, opp in enumerate(opponents):
            m = opp_of[g] == j
            if m.any():
                other = 1 - me[m]
                acts[rows[m], other] = _act(opp, env, obs, rows[m], other, rng, solo, prev)
        rand = rows[age < k[g]]
        acts[rand] = random_actions(rng, 2 * len(rand)).reshape(-1, 2, 2)
        if memory:
            memory.remember(obs, t, rows[age >= k[g]])
        obs, _, done, info = env.step(acts, reuse=True)  # the policies are done with the views
        active = np.asarray(info["active"], bool)
        new = active & (np.asarray(done, bool) | (t + 1 - began == MAX_STEPS))  # draws end too
        winner[game[new]] = np.asarray(info["winner"])[new]
        length[game[new]] = t + 1 - began[new]
        finished = np.bincount(of[game[new]], minlength=len(specs))
        for i in np.flatnonzero((finished > 0) & (left == finished)):
            yield _pairing(agent, opponents, specs, i, winner[of == i], length[of == i])
        left -= finished
        if not left.any():
            break
        if budget is not None and clock() - started > budget:
            return  # the cap: the pairings still playing are not reported
        free = np.flatnonzero(new)[: len(of) - queued]  # places the next games in line take
        if free.size:
            game[free] = np.arange(queued, queued + free.size)
            began[free] = t + 1
            queued += free.size
            obs = env.reset(np.isin(np.arange(places), free), reuse=True)
            if memory:
                memory.forget(free)


def _act(policy, env, obs, rows, players, rng, alone, prev=None) -> np.ndarray:
    """act_rows, with the rows marked `alone` asked one at a time.

    A network's output moves in the last float digits with the batch's size, and a game
    amplifies that: the one game of a deterministic pair is played as record_match plays it
    (a batch of one), so the table and the Play tab show the same game.
    """
    out = np.zeros((len(rows), 2))
    solo = alone[rows]
    if (~solo).any():
        out[~solo] = act_rows(policy, env, obs, rows[~solo], players[~solo], rng, prev)
    for i in np.flatnonzero(solo):
        out[i] = act_rows(policy, env, obs, rows[i : i + 1], players[i : i + 1], rng, prev)[0]
    return out


def _pairing(agent, opponents, specs, i, winner, length) -> Pairing:
    j, opening, side, _ = specs[i]
    return Pairing(
        agent.name,
        opponents[j].name,
        side,
        "fixed start" if opening == 0 else f"random 0-{opening} steps",
        int((winner == side).sum()),
        int((winner == -1).sum()),
        int((winner == 1 - side).sum()),
        float(length.mean()),
        order=i,
    )


def table(pairings: list[Pairing]) -> pd.DataFrame:
    """The win/draw/loss table, one row per pairing in the order played, with a win rate."""
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
        for p in sorted(pairings, key=lambda p: p.order)
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
    memory = last_views(1, p0, p1)
    for t in range(MAX_STEPS):
        prev = memory.previous(obs, t, np.arange(1)) if memory else None
        a = np.stack([p0.act(env, obs, 0, rng, prev), p1.act(env, obs, 1, rng, prev)], axis=1)
        if t < k:
            a = random_actions(rng, 2).reshape(1, 2, 2)
        elif memory:
            memory.remember(obs, t, np.arange(1))
        keep["actions"].append(a[0].astype(np.float64))
        obs, _, d, info = env.step(a)
        snap()
        if bool(np.asarray(d)[0]):
            winner = int(np.asarray(info["winner"])[0])
            break
    arrays = {k2: np.stack(v) for k2, v in keep.items()}
    return Match(**arrays, winner=winner, names=(p0.name, p1.name))
