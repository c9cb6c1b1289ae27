"""DAgger (Ross, Gordon & Bagnell, 2011): behaviour cloning's distribution shift, and its fix.

A cloned policy makes small mistakes, which take it to states the expert never visited, where
it knows even less what to do: the errors compound. DAgger lets the learner play, asks the
expert what it would have done in every state the learner visited, adds those pairs to the data
and retrains. Our expert reads the true state, which the fast game has: the learner plays in
a batched WrestlingEnv and the expert labels the env's state.

    for event in dagger(policy, data, DaggerConfig(iterations=3)):
        print(event.iteration, event.phase, event.data_size, event.win_rates)

Each iteration is lesson-sized: a few hundred games (mixed opponents, randomised openings, both
sides), a bounded data set (a uniform sample of every pair seen so far, at most `max_pairs`),
a few warm-started epochs, then win rates against random, still, the course's BC and the expert.
"""

from __future__ import annotations

import copy
import time
from collections.abc import Iterator
from dataclasses import dataclass, field, replace

import numpy as np
import torch
from torch import nn

from core.budget import torch_threads
from core.cancel import ShouldStop, check
from core.wrestling import play
from core.wrestling.bc import Arch, BCPolicy, data_counts, from_counts, scale_actions
from core.wrestling.data import Dataset, normalise_colours
from core.wrestling.env import WrestlingEnv
from core.wrestling.expert import expert_action, random_actions
from core.wrestling.frames import LastViews
from core.wrestling.rules import MAX_STEPS, RING_CENTRE, RING_RADIUS

OPPONENTS = ("random", "still", "course", "expert")
LAST_STEPS = 5  # the states "just before it left the ring": this many steps before a loss


@dataclass(frozen=True)
class DaggerConfig:
    """Hyperparameters of one DAgger run (defaults: a few seconds an iteration on one core)."""

    iterations: int = 4
    games: int = 160  # rollout games per iteration, spread over the opponents and both sides
    opponents: tuple[str, ...] = OPPONENTS  # who the learner meets in the rollouts
    opening: int = 10  # both players act at random for the first 0-`opening` steps
    max_steps: int = 200  # a rollout game is cut after this many steps (its states are kept)
    beta: float = 0.0  # the expert acts instead of the learner with probability beta...
    beta_decay: float = 0.5  # ...times this per iteration (beta_i = beta * decay^(i-1))
    max_pairs: int = 20_000  # the aggregated data: a uniform sample of all pairs, at most this
    epochs: int = 2  # warm-started epochs over the aggregated data per iteration
    lr: float = 1e-3
    batch_size: int = 256
    eval_games: int = 32  # evaluation games per opponent and side
    seed: int = 0
    # The labelling expert's charge speed and safe radius (expert.expert_action): a gentler
    # expert is easier to copy from a view that shows no speed, and still wins every game.
    charge_speed: float = 100.0
    safe_radius: float = 150.0


# The offline settings (bench/dagger.py): bigger than the page's lesson-sized runs.
PRETRAIN = dict(games=256, max_pairs=30_000, epochs=2, eval_games=50)
# The shipped DAgger policy's run (scripts/pretrain_policy.py --dagger; minutes of one core).
# The DAgger tab's live run, sized to a lesson (bench/costs.py: about 1.5 s + 5.2 s an iteration
# of one core); the page sets iterations and beta. It starts from the shipped BC and that many
# fresh expert pairs.
LESSON = DaggerConfig(games=128, eval_games=16, max_pairs=20_000, epochs=2)
LESSON_PAIRS = 10_000

SHIPPED = DaggerConfig(
    iterations=14,
    games=512,
    opponents=("random", "still", "course"),  # not the expert: games it cannot win teach little
    max_pairs=100_000,
    epochs=3,
    lr=5e-4,
    eval_games=200,  # the validation games that pick the iteration to ship
)
# Its network sees the previous view too: the expert brakes by its speed, which one view hides.
SHIPPED_ARCH = Arch(frames=2)


@dataclass
class Rollout:
    """Every state the learner visited (after the opening), with the expert's label for it."""

    obs: np.ndarray  # (N, 40, 40) uint8, the learner's views, colours normalised (self = 10)
    labels: np.ndarray  # (N, 2) the expert's action in that state, for the learner's side
    taken: np.ndarray  # (N, 2) the action the learner's side actually took
    pos: np.ndarray  # (N, 2, 2) both players' positions (the true state...)
    vel: np.ndarray  # (N, 2, 2)
    theta: np.ndarray  # (N, 2)
    energy: np.ndarray  # (N,) the learner's energy
    side: np.ndarray  # (N,) which player the learner was
    game: np.ndarray  # (N,) game index
    step: np.ndarray  # (N,) step of the game
    winner: np.ndarray  # (games,) 0, 1, -1 draw or time limit (also when cut at max_steps)
    sides: np.ndarray  # (games,) the learner's side per game
    opponent: np.ndarray  # (games,) index into the opponents' names
    names: tuple[str, ...] = ()
    lost_out: np.ndarray = field(default_factory=lambda: np.zeros(0, bool))  # (N,) last steps
    prev: np.ndarray | None = None  # (N, 40, 40) uint8 the previous views, for a two-frame learner

    def __len__(self) -> int:
        return len(self.energy)

    @property
    def own_pos(self) -> np.ndarray:
        """(N, 2) where the learner's centre was."""
        return self.pos[np.arange(len(self)), self.side]


def standard_opponents(course: BCPolicy | None = None) -> dict:
    """The opponents by name: random, still, the course-data BC (if given) and the expert."""
    opps = {"random": play.Random(), "still": play.Still()}
    if course is not None:
        opps["course"] = play.Cloned(course, "BC-course")
    opps["expert"] = play.Expert()
    return opps


def course_policy() -> BCPolicy | None:
    """The course-data BC shipped in assets/, or None where it is absent."""
    from core.wrestling import export
    from core.wrestling.bc import load_weights

    path = export.COURSE_WEIGHTS
    return load_weights(path.read_bytes()) if path.is_file() else None


def rollout(
    policy,
    opponents: dict,
    games: int,
    seed: int = 0,
    opening: int = 10,
    beta: float = 0.0,
    max_steps: int = MAX_STEPS,
    keep_views: bool = True,
    teacher: dict | None = None,
    should_stop: ShouldStop | None = None,
) -> Rollout:
    """The learner plays `games` games at once, on both sides, opponents in turn.

    `policy` is a BCPolicy, or None for the expert itself. Each step the learner's side acts as
    the expert with probability `beta` (beta=1: the expert's own games). Both act at random for
    the first 0-`opening` steps (not recorded); every later state is recorded with the expert's
    label. keep_views=False records no views (states only: cheaper, for the visitation maps).
    teacher: keyword arguments of expert_action for the labelling expert (default: as shipped).
    A two-frame learner gets its previous views (frames.LastViews), and they are recorded too.
    should_stop (core/cancel.py) is polled every step: once it says stop, Cancelled is raised.
    """
    rng = np.random.default_rng(seed)
    names = tuple(opponents)
    opps = [opponents[n] for n in names]
    env = WrestlingEnv(games)
    obs = env.reset()
    ids = np.arange(games)
    sides = ids % 2
    opp_of = (ids // 2) % len(opps)
    k = rng.integers(0, opening + 1, games) if opening else np.zeros(games, int)
    winner = np.full(games, -1)
    keep: dict[str, list] = {n: [] for n in ("obs", "lab", "act", "pos", "vel", "th", "en")}
    keep.update(side=[], game=[], step=[], prev=[])
    two = getattr(policy, "frames", 1) > 1
    memory = LastViews(games) if two or any(play.frames(o) > 1 for o in opps) else None
    for t in range(max_steps):
        check(should_stop)
        rows = np.flatnonzero(~env.done)
        if rows.size == 0:
            break
        prev = memory.previous(obs, t, rows) if memory else None
        acts = np.zeros((games, 2, 2))
        me, other = sides[rows], 1 - sides[rows]
        labels = play.expert_rows(env, rows, me, teacher)
        mine = labels.copy()
        learner = (rng.random(rows.size) >= beta) & (policy is not None)  # same draws either way
        if learner.any():
            r = rows[learner]
            mine[learner] = policy.act(
                obs[r, sides[r]], sides[r], prev[r, sides[r]] if two else None
            )
        acts[rows, me] = mine
        for j, opp in enumerate(opps):
            m = opp_of[rows] == j
            if m.any():
                acts[rows[m], other[m]] = play.act_rows(opp, env, obs, rows[m], other[m], rng, prev)
        opening_now = t < k[rows]
        if opening_now.any():
            acts[rows[opening_now]] = random_actions(rng, 2 * int(opening_now.sum())).reshape(
                -1, 2, 2
            )
        rec = rows[~opening_now]
        if rec.size:
            s = sides[rec]
            if keep_views:
                keep["obs"].append(normalise_colours(obs[rec, s], s).astype(np.uint8))
                if two:
                    keep["prev"].append(normalise_colours(prev[rec, s], s).astype(np.uint8))
            keep["lab"].append(labels[~opening_now])
            keep["act"].append(mine[~opening_now])
            keep["pos"].append(env.pos[rec].copy())
            keep["vel"].append(env.vel[rec].copy())
            keep["th"].append(env.theta[rec].copy())
            keep["en"].append(env.energy[rec, s].copy())
            keep["side"].append(s)
            keep["game"].append(rec)
            keep["step"].append(np.full(rec.size, t))
        if memory:  # after reading prev: it is the memory's own array
            memory.remember(obs, t, rec)
        obs, _, done, info = env.step(acts)
        finished = np.asarray(info["active"]) & np.asarray(done)
        winner[finished] = np.asarray(info["winner"])[finished]

    def cat(name, shape, dtype=np.float64):
        return np.concatenate(keep[name]) if keep[name] else np.zeros((0, *shape), dtype)

    game, step = cat("game", (), np.int64), cat("step", (), np.int64)
    side = cat("side", (), np.int64)
    # the last LAST_STEPS recorded states of every game the learner lost by leaving the ring
    lost = (winner == 1 - sides) & np.asarray(env.out)[ids, sides]
    last = np.full(games, -1)
    np.maximum.at(last, game, step)
    lost_out = lost[game] & (step > last[game] - LAST_STEPS) if len(game) else np.zeros(0, bool)
    return Rollout(
        cat("obs", (40, 40), np.uint8),
        cat("lab", (2,)),
        cat("act", (2,)),
        cat("pos", (2, 2)),
        cat("vel", (2, 2)),
        cat("th", (2,)),
        cat("en", ()),
        side,
        game,
        step,
        winner,
        sides,
        opp_of,
        names,
        lost_out,
        cat("prev", (40, 40), np.uint8) if keep["prev"] else None,
    )


def label(run: Rollout, teacher: dict | None = None) -> np.ndarray:
    """The expert's action (N, 2) in each recorded state, for the learner's side."""
    out = np.zeros((len(run), 2))
    for p in (0, 1):
        m = run.side == p
        if m.any():
            out[m] = expert_action(run.pos[m], run.vel[m], run.theta[m], p, **(teacher or {}))
    return out


def win_table(run: Rollout) -> list[dict]:
    """Per opponent and side: the learner's wins, draws, losses and games."""
    rows = []
    for j, name in enumerate(run.names):
        for side in (0, 1):
            m = (run.opponent == j) & (run.sides == side)
            w = run.winner[m]
            rows.append(
                {
                    "opponent": name,
                    "side": side,
                    "wins": int((w == side).sum()),
                    "draws": int((w == -1).sum()),
                    "losses": int((w == 1 - side).sum()),
                    "games": int(m.sum()),
                }
            )
    return rows


def evaluate(
    policy,
    opponents: dict,
    games: int,
    seed: int = 0,
    opening: int = 10,
    should_stop: ShouldStop | None = None,
) -> list[dict]:
    """Win table of `policy` against each opponent, `games` games per opponent and side."""
    n = games * 2 * len(opponents)
    run = rollout(policy, opponents, n, seed, opening, keep_views=False, should_stop=should_stop)
    return win_table(run)


@dataclass
class Aggregate:
    """The aggregated data: a uniform sample of every pair seen so far (bottom-k random keys)."""

    data: Dataset
    keys: np.ndarray  # (N,) a uniform random key per pair; the smallest max_pairs are kept
    seen: int  # pairs seen in all

    def __len__(self) -> int:
        return len(self.data)


def aggregate(
    agg: Aggregate | None, new: Dataset, max_pairs: int, rng: np.random.Generator
) -> Aggregate:
    """Add `new` to the aggregated data, keeping a uniform sample of at most max_pairs pairs."""
    keys = rng.random(len(new))
    if agg is not None and len(agg):
        offset = int(agg.data.episode.max()) + 1
        new = replace(new, episode=new.episode + offset)
        data = Dataset(*(_cat(getattr(agg.data, f), getattr(new, f)) for f in _FIELDS))
        keys = np.concatenate([agg.keys, keys])
        seen = agg.seen + len(new)
    else:
        data, seen = new, len(new)
    if len(data) > max_pairs:
        keep = np.sort(np.argpartition(keys, max_pairs)[:max_pairs])
        data = Dataset(*(_take(getattr(data, f), keep) for f in _FIELDS))
        keys = keys[keep]
    return Aggregate(data, keys, seen)


_FIELDS = ("obs", "actions", "episode", "pos", "prev")  # a Dataset's, in order


def _cat(a: np.ndarray | None, b: np.ndarray | None) -> np.ndarray | None:
    """Two data sets' field end to end; an optional field (pos, prev) only if both have it."""
    return np.concatenate([a, b]) if a is not None and b is not None else None


def _take(a: np.ndarray | None, rows: np.ndarray) -> np.ndarray | None:
    return None if a is None else a[rows]


def as_dataset(run: Rollout) -> Dataset:
    """A rollout's (view, expert label) pairs as a Dataset (one episode per game and side)."""
    return Dataset(
        run.obs.astype(np.uint8, copy=False),  # the rollout's own views, not a copy of them
        run.labels.astype(np.float32),
        run.game.astype(np.int64),
        run.own_pos.copy(),
        run.prev,
    )


def finetune(
    policy: BCPolicy,
    data: Dataset,
    epochs: int = 2,
    lr: float = 1e-3,
    batch_size: int = 256,
    seed: int = 0,
    should_stop: ShouldStop | None = None,
) -> Iterator[tuple[int, float, BCPolicy | None]]:
    """Warm-started training: a copy of `policy` trained on `data`; yields (epoch, loss, policy).

    The last event carries the new policy; `policy` itself is left as it was (also when
    should_stop, polled before every batch, ends the training with Cancelled).
    """
    net = copy.deepcopy(policy.net)
    torch.manual_seed(seed)
    pool = net.arch.pool
    views = data_counts(data, net.arch, should_stop)  # encoded once, as small integers
    y = scale_actions(data.actions)
    opt = torch.optim.Adam(net.parameters(), lr=lr)
    gen = torch.Generator().manual_seed(seed)
    for epoch in range(1, epochs + 1):
        with torch_threads(1):
            net.train()
            order = torch.randperm(len(views), generator=gen)
            total = 0.0
            for i in range(0, len(order), batch_size):
                check(should_stop)
                b = order[i : i + batch_size]
                loss = nn.functional.mse_loss(net(from_counts(views[b], pool)), y[b])
                opt.zero_grad()
                loss.backward()
                opt.step()
                total += loss.item() * len(b)
        net.eval()
        yield epoch, total / max(1, len(order)), BCPolicy(net) if epoch == epochs else None


@dataclass
class DaggerEvent:
    """Progress of a DAgger run: one per phase of each iteration (iteration 0: the start)."""

    iteration: int
    iterations: int
    phase: str  # "rollout", "label", "train", "evaluate"
    beta: float
    data_size: int
    seconds: float
    results: list[dict] | None = None  # the win table, after "evaluate"
    rollout: Rollout | None = None  # after "label": the visited states and their labels
    policy: BCPolicy | None = None  # after "train" and with iteration 0's "evaluate"
    data: Dataset | None = None  # after "label": the aggregated data
    loss: float | None = None  # after "train"

    @property
    def fraction(self) -> float:
        """How far the whole run is, 0 to 1."""
        order = {"rollout": 1, "label": 2, "train": 3, "evaluate": 4}
        done = max(0, self.iteration - 1) * 4 + order[self.phase] if self.iteration else 0
        return done / (4 * max(1, self.iterations))

    def win_rates(self) -> dict[str, float]:
        """Win rate per opponent, both sides together."""
        out: dict[str, list[int]] = {}
        for r in self.results or []:
            w, g = out.setdefault(r["opponent"], [0, 0])
            out[r["opponent"]] = [w + r["wins"], g + r["games"]]
        return {k: w / max(1, g) for k, (w, g) in out.items()}


def beta_at(config: DaggerConfig, iteration: int) -> float:
    """The mixing probability of iteration `iteration` (1-based)."""
    return config.beta * config.beta_decay ** (iteration - 1)


def dagger(
    initial_policy: BCPolicy,
    data: Dataset | None,
    config: DaggerConfig = DaggerConfig(),
    opponents: dict | None = None,
    should_stop: ShouldStop | None = None,
) -> Iterator[DaggerEvent]:
    """Run DAgger from `initial_policy` and its training `data`; yields a DaggerEvent per phase.

    Iteration 0 evaluates the initial policy; iterations 1.. each roll out, label, aggregate,
    retrain (warm start) and evaluate. Stopping early is leaving the loop, or should_stop
    (core/cancel.py): polled every game step and batch, it ends the run with Cancelled; the
    events already yielded (each iteration's evaluated policy) stay whole.
    """
    start = time.perf_counter()
    rng = np.random.default_rng(config.seed)
    if opponents is None:
        opponents = standard_opponents(course_policy())
    train_opps = {n: opponents[n] for n in config.opponents if n in opponents}
    eval_opps = {n: opponents[n] for n in OPPONENTS if n in opponents}
    agg = aggregate(None, data, config.max_pairs, rng) if data is not None and len(data) else None
    policy = initial_policy

    def size() -> int:
        return len(agg) if agg is not None else 0

    def since() -> float:
        return time.perf_counter() - start

    with torch_threads(1):
        results = evaluate(
            policy, eval_opps, config.eval_games, config.seed + 99, config.opening, should_stop
        )
    yield DaggerEvent(
        0, config.iterations, "evaluate", 0.0, size(), since(), results, policy=policy
    )
    for it in range(1, config.iterations + 1):
        beta = beta_at(config, it)
        seed = config.seed + 1000 * it
        with torch_threads(1):
            teacher = {"charge_speed": config.charge_speed, "safe_radius": config.safe_radius}
            run = rollout(
                policy,
                train_opps,
                config.games,
                seed,
                config.opening,
                beta,
                config.max_steps,
                teacher=teacher,
                should_stop=should_stop,
            )
        yield DaggerEvent(it, config.iterations, "rollout", beta, size(), since(), rollout=run)
        check(should_stop)  # aggregating and encoding the data take about 0.2 s each
        agg = aggregate(agg, as_dataset(run), config.max_pairs, rng)
        yield DaggerEvent(
            it, config.iterations, "label", beta, size(), since(), rollout=run, data=agg.data
        )
        run = None  # its views are in the aggregate (or sampled away): not held while training
        losses = []
        for _epoch, epoch_loss, new in finetune(
            policy, agg.data, config.epochs, config.lr, config.batch_size, seed, should_stop
        ):
            losses.append(epoch_loss)
            policy = new or policy
        loss = losses[-1] if losses else float("nan")
        yield DaggerEvent(
            it, config.iterations, "train", beta, size(), since(), policy=policy, loss=loss
        )
        with torch_threads(1):
            results = evaluate(
                policy, eval_opps, config.eval_games, config.seed + 99, config.opening, should_stop
            )
        yield DaggerEvent(
            it, config.iterations, "evaluate", beta, size(), since(), results, policy=policy
        )


# ---------------------------------------------------------------------- distribution shift
@dataclass
class Visitation:
    """Where one policy goes: its centre's positions, distance to the edge, energy, losses."""

    name: str
    pos: np.ndarray  # (N, 2) the agent's centre, every recorded state
    edge: np.ndarray  # (N,) distance from the centre to the ring's edge (negative: outside)
    energy: np.ndarray  # (N,)
    lost_out: np.ndarray  # (N,) bool: among the last steps before it left the ring and lost
    winner: np.ndarray  # (games,)
    sides: np.ndarray  # (games,)


def visitation(
    policy, name: str, opponent, games: int = 64, seed: int = 0, opening: int = 10
) -> Visitation:
    """Roll out `policy` (None: the expert) against one opponent, both sides; states only."""
    run = rollout(policy, {"opponent": opponent}, games, seed, opening, keep_views=False)
    p = run.own_pos
    d = np.hypot(p[:, 0] - RING_CENTRE[0], p[:, 1] - RING_CENTRE[1])
    return Visitation(name, p, RING_RADIUS - d, run.energy, run.lost_out, run.winner, run.sides)


def heat_map(pos: np.ndarray, cells: int = 20) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Counts (cells, cells) of positions on a grid over the arena; returns (counts, xs, ys)."""
    lo_x, lo_y = RING_CENTRE[0] - RING_RADIUS, RING_CENTRE[1] - RING_RADIUS
    edges_x = np.linspace(lo_x, lo_x + 2 * RING_RADIUS, cells + 1)
    edges_y = np.linspace(lo_y, lo_y + 2 * RING_RADIUS, cells + 1)
    px = np.clip(pos[:, 0], edges_x[0], edges_x[-1])
    py = np.clip(pos[:, 1], edges_y[0], edges_y[-1])
    counts, _, _ = np.histogram2d(px, py, bins=(edges_x, edges_y))
    return counts, edges_x, edges_y


DAGGER_SNIPPET = """
from core.wrestling import bc, dagger, expert

data = expert.collect(n_pairs)                    # the expert's own games
policy = bc.train_policy(data)                    # behaviour cloning: the start
opponents = dagger.standard_opponents()
for i in range(1, iterations + 1):
    beta = 0.5 ** i                               # the expert acts with probability beta
    run = dagger.rollout(policy, opponents, games, seed=i, beta=beta)  # the learner plays
    labels = dagger.label(run)                    # the expert, asked in every visited true state
    data = dagger.merge(data, run.obs, labels)    # aggregate: D <- D u {(o, expert(s))}
    policy = dagger.retrain(policy, data, epochs=epochs)  # warm start: keep training the net
"""


def retrain(policy: BCPolicy, data: Dataset, epochs: int = 2, lr: float = 1e-3) -> BCPolicy:
    """finetune to the end: a copy of `policy`, trained `epochs` more epochs on `data`."""
    new = policy
    for _epoch, _loss, trained in finetune(policy, data, epochs, lr):
        new = trained or new
    return new


def merge(data: Dataset, obs: np.ndarray, labels: np.ndarray) -> Dataset:
    """data plus the pairs (obs, labels), unbounded: the shown code's one-line aggregation."""
    ep = np.full(len(obs), int(data.episode.max()) + 1 if len(data) else 0)
    return Dataset(
        np.concatenate([data.obs, obs.astype(np.uint8)]),
        np.concatenate([data.actions, labels.astype(np.float32)]),
        np.concatenate([data.episode, ep]),
    )
