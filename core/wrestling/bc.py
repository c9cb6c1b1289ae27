"""Behaviour cloning: a small CNN from the 40 x 40 view to [force, turn], trained by regression.

The view is encoded as four one-hot channels (self, opponent, ring, lines), averaged over 2 x 2
blocks (20 x 20); targets are scaled to [-1, 1] and the network ends in tanh, so its actions
always lie inside the game's ranges. Training is a generator of progress events with a
validation split by whole episodes. With Arch(frames=2) the network also sees the player's
previous view (four more channels; frames.py has the rule for a game's first step): one view
shows no speed, two consecutive ones do.

Speed (10,000 pairs in about 3 s of one core; 10-13 s before pooling): the 2 x 2 average
leaves every conv a quarter of the positions (the discs are 8 cells wide, the lines still show
as shares), and the hidden layer of 256 costs little on the 3 x 3 map that remains; the data
are encoded once, as uint8 counts in channels-last order, so a batch is one conversion to
float; batches of 256, a one-cycle learning-rate schedule so 8 epochs suffice, and one torch
thread while training (a network this small runs slower on two threads of a busy machine than
on one). Measured with bench/bc.py --before.
"""

from __future__ import annotations

import io
import time
from collections.abc import Iterator
from contextlib import nullcontext
from dataclasses import asdict, dataclass, field

import numpy as np
import torch
from torch import nn

from core.budget import torch_threads
from core.cancel import ShouldStop, check
from core.wrestling.data import (
    FORCE_RANGE,
    LINES,
    OPPONENT,
    RING,
    SELF,
    TURN_RANGE,
    Dataset,
    normalise_colours,
    split_by_episode,
)

CHANNELS = (SELF, OPPONENT, RING, LINES)
PLAYER_1_CHANNELS = (OPPONENT, SELF, RING, LINES)  # the same meanings in player 1's raw view
_LOW = torch.tensor([FORCE_RANGE[0], TURN_RANGE[0]])
_HIGH = torch.tensor([FORCE_RANGE[1], TURN_RANGE[1]])
CENTRE = (_HIGH + _LOW) / 2  # force 50, turn 0
HALF = (_HIGH - _LOW) / 2  # force 150, turn 30


@dataclass(frozen=True)
class Arch:
    """Architecture knobs: conv widths (each conv halves the grid) and the hidden layer."""

    convs: tuple[int, ...] = (16, 32, 32)
    hidden: int = 256
    pool: int = 2  # the view is averaged over pool x pool blocks first: 40 x 40 -> 20 x 20
    frames: int = 1  # 2: the previous view's channels follow the current view's (speed shows)


@dataclass(frozen=True)
class TrainConfig:
    """Hyperparameters of one behaviour-cloning run."""

    lr: float = 3e-3  # the peak learning rate when `one_cycle` is on
    epochs: int = 8
    batch_size: int = 256
    arch: Arch = field(default_factory=Arch)
    one_cycle: bool = True  # warm up to lr, then anneal to ~0 over the run (OneCycleLR)
    val_fraction: float = 0.1
    seed: int = 0
    threads: int | None = 1  # torch threads while training (None: leave the setting alone)


def encode(obs: np.ndarray | torch.Tensor, pool: int = 1) -> torch.Tensor:
    """Views (N, 40, 40), self = 10 -> float (N, 4, 40/pool, 40/pool): self/opp/ring/lines.

    Each cell is the share of its pool x pool block with that meaning (pool 1: one-hot).
    """
    t = torch.as_tensor(np.asarray(obs))
    x = torch.stack([t == v for v in CHANNELS], dim=1).float()
    return nn.functional.avg_pool2d(x, pool) if pool > 1 else x


def scale_actions(actions: np.ndarray | torch.Tensor) -> torch.Tensor:
    """Game actions [force, turn] -> targets in [-1, 1]."""
    return (torch.as_tensor(np.asarray(actions), dtype=torch.float32) - CENTRE) / HALF


def unscale_actions(y: torch.Tensor) -> torch.Tensor:
    """Network outputs in [-1, 1] -> game actions [force, turn]."""
    return y * HALF + CENTRE


class PolicyNet(nn.Module):
    """One-hot view -> convs (stride 2) -> hidden -> tanh outputs in [-1, 1]."""

    def __init__(self, arch: Arch = Arch()):
        super().__init__()
        if arch.frames not in (1, 2):
            raise ValueError(f"frames must be 1 or 2, not {arch.frames}")
        layers: list[nn.Module] = []
        c_in, size = len(CHANNELS) * arch.frames, 40 // arch.pool
        for c_out in arch.convs:
            layers += [nn.Conv2d(c_in, c_out, 3, stride=2, padding=1), nn.ReLU()]
            c_in, size = c_out, (size + 1) // 2
        self.features = nn.Sequential(*layers, nn.Flatten())
        self.head = nn.Sequential(
            nn.Linear(c_in * size * size, arch.hidden), nn.ReLU(), nn.Linear(arch.hidden, 2)
        )
        self.arch = arch

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.tanh(self.head(self.features(x)))


@dataclass
class BCPolicy:
    """A trained network as a policy: views of either player in, game actions out."""

    net: PolicyNet

    @property
    def frames(self) -> int:
        """How many views the network sees: 1, or 2 (the current and the previous one)."""
        return self.net.arch.frames

    @torch.no_grad()
    def act(
        self, obs: np.ndarray, player: int | np.ndarray = 0, prev: np.ndarray | None = None
    ) -> np.ndarray:
        """Actions (N, 2) float64 for raw views (N, 40, 40) of `player` (colours normalised).

        prev: the previous views (N, 40, 40), read by a two-frame network (None: obs itself).
        """
        self.net.eval()
        pool, frames = self.net.arch.pool, self.net.arch.frames
        if np.ndim(player) == 0:  # one side for every row: swap the colours' channels, not cells
            channels = CHANNELS if int(player) == 0 else PLAYER_1_CHANNELS
            x = stacked_counts(obs, prev, pool, frames, channels)
        else:
            before = None if prev is None else normalise_colours(prev, player)
            x = stacked_counts(normalise_colours(obs, player), before, pool, frames)
        x = from_counts(x, pool)
        n, rows = len(x), batch_rows(len(x))
        if rows > n:  # zero rows to a batch size seen before: see batch_rows
            x = torch.cat([x, x.new_zeros((rows - n, *x.shape[1:]))])
        return unscale_actions(self.net(x)[:n]).double().numpy()


def batch_rows(n: int) -> int:
    """The batch size a policy's forward pass of n views runs at: n up to 16, else n rounded up
    to a power of two up to 64, then to a multiple of 64.

    The CPU backend (oneDNN) keeps a compiled kernel, with buffers, for every batch shape it
    meets, for the process's life: a table's changing batch sizes left hundreds of megabytes
    in a server. Few shapes keep that bounded, for at most 63 wasted rows a call.
    """
    if n <= 16:
        return n
    if n <= 64:
        return 1 << (n - 1).bit_length()
    return -(-n // 64) * 64


@dataclass
class TrainEvent:
    """Progress of a training run: one per epoch (the last one carries the policy)."""

    epoch: int
    epochs: int
    train_loss: float
    val_loss: float
    val_baseline: float  # the loss of always predicting the training mean
    seconds: float
    policy: BCPolicy | None = None
    cpu_seconds: float = 0.0  # CPU time of the training thread (`seconds` is wall clock)


def block_counts(views: np.ndarray, pool: int, channels: tuple = CHANNELS) -> torch.Tensor:
    """Views encoded as uint8 counts (N, S, S, 4), channels last: 16 MB for 10,000 views.

    A count is how many cells of a pool x pool block carry the channel's meaning, that is
    encode()'s share times pool * pool; integers instead of floats keep the data 4x smaller,
    and adding them in NumPy is many times faster than avg_pool2d on one-hot floats.
    """
    v = np.asarray(views)
    n, s = len(v), v.shape[-1] // pool
    out = np.empty((n, s, s, len(channels)), np.uint8)
    for k, value in enumerate(channels):
        hit = (v == value).view(np.uint8)  # bool -> 0/1 without a copy
        out[..., k] = sum(hit[:, i::pool, j::pool] for i in range(pool) for j in range(pool))
    return torch.from_numpy(out)


def stacked_counts(
    views: np.ndarray,
    prev: np.ndarray | None,
    pool: int,
    frames: int,
    channels: tuple = CHANNELS,
) -> torch.Tensor:
    """block_counts of the views, then (frames=2) of the previous views (None: the views)."""
    x = block_counts(views, pool, channels)
    if frames == 1:
        return x
    before = x if prev is None else block_counts(prev, pool, channels)
    return torch.cat([x, before], dim=-1)


def data_counts(
    data: Dataset, arch: Arch, should_stop: ShouldStop | None = None, chunk: int = 4096
) -> torch.Tensor:
    """A data set's views as the network's input counts; frames=2 needs data.prev.

    Encoded `chunk` views at a time (20,000 views take about 0.2 s of one core), polling
    should_stop (core/cancel.py) before each chunk.
    """
    if arch.frames > 1 and data.prev is None:
        raise ValueError("a two-frame network needs the previous views (Dataset.prev)")
    out = None
    for i in range(0, len(data.obs), chunk):
        check(should_stop)
        prev = None if data.prev is None else data.prev[i : i + chunk]
        part = stacked_counts(data.obs[i : i + chunk], prev, arch.pool, arch.frames)
        if out is None:
            out = torch.empty((len(data.obs), *part.shape[1:]), dtype=part.dtype)
        out[i : i + len(part)] = part
    return out if out is not None else stacked_counts(data.obs, data.prev, arch.pool, arch.frames)


def from_counts(counts: torch.Tensor, pool: int) -> torch.Tensor:
    """Counts (B, S, S, C) -> encode()'s floats (B, C, S, S), in the channels-last layout."""
    return counts.float().mul_(1.0 / pool**2).permute(0, 3, 1, 2)


def _loss(net: nn.Module, x: torch.Tensor, y: torch.Tensor, pool: int, batch: int = 1024) -> float:
    net.eval()
    with torch.no_grad():
        total = sum(
            nn.functional.mse_loss(
                net(from_counts(x[i : i + batch], pool)), y[i : i + batch], reduction="sum"
            ).item()
            for i in range(0, len(x), batch)
        )
    return total / max(1, y.numel())


def train(
    data: Dataset, config: TrainConfig = TrainConfig(), should_stop: ShouldStop | None = None
) -> Iterator[TrainEvent]:
    """Train a PolicyNet on `data`; yields a TrainEvent after each epoch (MSE on scaled targets).

    `seconds` (wall clock) and `cpu_seconds` (this thread's CPU time: all of it with one torch
    thread) count training only (encoding the data and epochs), not the consumer's time between
    events. should_stop (core/cancel.py) is polled before every batch: once it says stop,
    Cancelled is raised (the epochs already yielded stay as they were; no policy comes out).
    """
    start, cpu_start = time.perf_counter(), time.thread_time()
    torch.manual_seed(config.seed)
    tr, va = split_by_episode(data, config.val_fraction, config.seed)
    # Encoded once, kept as small integers (16 MB for 10,000 at pool 2; the floats would be
    # 64 MB, and 256 MB unpooled), turned into floats a batch at a time.
    pool = config.arch.pool
    x_all, y_all = data_counts(data, config.arch, should_stop), scale_actions(data.actions)
    x_tr, y_tr, x_va, y_va = x_all[tr], y_all[tr], x_all[va], y_all[va]
    baseline = nn.functional.mse_loss(y_tr.mean(0).expand_as(y_va), y_va).item()
    net = PolicyNet(config.arch).to(memory_format=torch.channels_last)
    opt = torch.optim.Adam(net.parameters(), lr=config.lr)
    batches = -(-len(x_tr) // config.batch_size)
    sched = (
        torch.optim.lr_scheduler.OneCycleLR(opt, config.lr, total_steps=config.epochs * batches)
        if config.one_cycle
        else None
    )
    gen = torch.Generator().manual_seed(config.seed)
    spent, cpu = time.perf_counter() - start, time.thread_time() - cpu_start
    for epoch in range(1, config.epochs + 1):
        t0, cpu0 = time.perf_counter(), time.thread_time()
        with torch_threads(config.threads) if config.threads else nullcontext():
            net.train()
            order = torch.randperm(len(x_tr), generator=gen)
            total = 0.0
            for i in range(0, len(order), config.batch_size):
                check(should_stop)
                b = order[i : i + config.batch_size]
                loss = nn.functional.mse_loss(net(from_counts(x_tr[b], pool)), y_tr[b])
                opt.zero_grad()
                loss.backward()
                opt.step()
                if sched is not None:
                    sched.step()
                total += loss.item() * len(b)
            val = _loss(net, x_va, y_va, pool) if len(va) else float("nan")
        spent, cpu = spent + time.perf_counter() - t0, cpu + time.thread_time() - cpu0
        if epoch == config.epochs:
            net = net.to(memory_format=torch.contiguous_format)
        yield TrainEvent(
            epoch,
            config.epochs,
            total / len(order),
            val,
            baseline,
            spent,
            BCPolicy(net) if epoch == config.epochs else None,
            cpu,
        )


def train_policy(data: Dataset, config: TrainConfig = TrainConfig()) -> BCPolicy:
    """Run training to the end and return the policy."""
    policy = None
    for event in train(data, config):
        policy = event.policy or policy
    assert policy is not None
    return policy


def save_weights(policy: BCPolicy) -> bytes:
    """The policy as bytes: torch.save of {'state_dict', 'convs', 'hidden', 'pool'} (tensors, ints).

    A two-frame network adds 'frames': 2; a one-frame file is byte for byte what it always was.
    """
    buf = io.BytesIO()
    arch = asdict(policy.net.arch)
    blob = {
        "state_dict": policy.net.state_dict(),
        "convs": list(arch["convs"]),
        "hidden": arch["hidden"],
        "pool": arch["pool"],
    }
    if arch["frames"] != 1:
        blob["frames"] = arch["frames"]
    torch.save(blob, buf)
    return buf.getvalue()


def load_weights(raw: bytes) -> BCPolicy:
    """Inverse of save_weights, with torch.load(weights_only=True); no 'pool' or 'frames': 1."""
    blob = torch.load(io.BytesIO(raw), weights_only=True, map_location="cpu")
    convs, hidden = tuple(int(c) for c in blob["convs"]), int(blob["hidden"])
    arch = Arch(convs, hidden, int(blob.get("pool", 1)), int(blob.get("frames", 1)))
    net = PolicyNet(arch)
    net.load_state_dict(blob["state_dict"])
    net.eval()
    return BCPolicy(net)


TRAIN_SNIPPET = """
import torch
from torch import nn

one_hot = torch.zeros(256, 4, 40, 40)  # views: self, opponent, ring, lines
x = nn.functional.avg_pool2d(one_hot, 2)  # 2 x 2 blocks -> 20 x 20: convs cost a quarter
y = torch.rand(256, 2) * 2 - 1        # [force, turn] scaled to [-1, 1]
net = nn.Sequential(
    nn.Conv2d(4, 16, 3, stride=2, padding=1), nn.ReLU(),   # 20 -> 10
    nn.Conv2d(16, 32, 3, stride=2, padding=1), nn.ReLU(),  # 10 -> 5
    nn.Conv2d(32, 32, 3, stride=2, padding=1), nn.ReLU(),  # 5 -> 3
    nn.Flatten(), nn.Linear(32 * 3 * 3, 256), nn.ReLU(),
    nn.Linear(256, 2), nn.Tanh(),                          # bounded outputs
)
optimizer = torch.optim.Adam(net.parameters(), lr=3e-3)
epochs = 3                            # one batch per epoch here; 10,000 pairs make 36
schedule = torch.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=3e-3, total_steps=epochs)
for epoch in range(epochs):
    loss = nn.functional.mse_loss(net(x), y)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    schedule.step()                   # warm up, then anneal the learning rate
with torch.no_grad():                 # playing: no graph needed
    force, turn = (net(x[:1]) * torch.tensor([150., 30.]) + torch.tensor([50., 0.]))[0]
"""
