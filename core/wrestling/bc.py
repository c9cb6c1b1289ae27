"""Behaviour cloning: a small CNN from the 40 x 40 view to [force, turn], trained by regression.

The view is encoded as four one-hot channels (self, opponent, ring, lines); targets are scaled
to [-1, 1] and the network ends in tanh, so its actions always lie inside the game's ranges.
Training is a generator of progress events with a validation split by whole episodes.

Speed (10,000 pairs in well under 20 s on two shared cores): batches of 256, channels-last
tensors, a one-cycle learning-rate schedule so 8 epochs suffice, and one torch thread while
training (a network this small runs slower on two threads of a busy machine than on one).
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
from runtime.threads import torch_threads

CHANNELS = (SELF, OPPONENT, RING, LINES)
_LOW = torch.tensor([FORCE_RANGE[0], TURN_RANGE[0]])
_HIGH = torch.tensor([FORCE_RANGE[1], TURN_RANGE[1]])
CENTRE = (_HIGH + _LOW) / 2  # force 50, turn 0
HALF = (_HIGH - _LOW) / 2  # force 150, turn 30


@dataclass(frozen=True)
class Arch:
    """Architecture knobs: conv widths (each conv halves the grid) and the hidden layer."""

    convs: tuple[int, ...] = (16, 32, 32)
    hidden: int = 64


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


def encode(obs: np.ndarray | torch.Tensor) -> torch.Tensor:
    """Views (N, 40, 40) with self = 10 -> one-hot float (N, 4, 40, 40): self/opp/ring/lines."""
    t = torch.as_tensor(np.asarray(obs))
    return torch.stack([t == v for v in CHANNELS], dim=1).float()


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
        layers: list[nn.Module] = []
        c_in, size = len(CHANNELS), 40
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

    @torch.no_grad()
    def act(self, obs: np.ndarray, player: int | np.ndarray = 0) -> np.ndarray:
        """Actions (N, 2) float64 for raw views (N, 40, 40) of `player` (colours normalised)."""
        self.net.eval()
        x = encode(normalise_colours(obs, player))
        return unscale_actions(self.net(x)).double().numpy()


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


def _encoded_batch(views: torch.Tensor) -> torch.Tensor:
    """One mini-batch of raw views, one-hot encoded in the layout the network runs fastest on."""
    return encode(views).contiguous(memory_format=torch.channels_last)


def _loss(net: nn.Module, views: torch.Tensor, y: torch.Tensor, batch: int = 256) -> float:
    net.eval()
    with torch.no_grad():
        total = sum(
            nn.functional.mse_loss(
                net(_encoded_batch(views[i : i + batch])), y[i : i + batch], reduction="sum"
            ).item()
            for i in range(0, len(views), batch)
        )
    return total / max(1, y.numel())


def train(data: Dataset, config: TrainConfig = TrainConfig()) -> Iterator[TrainEvent]:
    """Train a PolicyNet on `data`; yields a TrainEvent after each epoch (MSE on scaled targets).

    `seconds` counts training time only (encoding the data and epochs), not the consumer's time
    between events.
    """
    start = time.perf_counter()
    torch.manual_seed(config.seed)
    tr, va = split_by_episode(data, config.val_fraction, config.seed)
    # Views stay raw uint8 (16 MB for 10,000) and are one-hot encoded a batch at a time: the
    # whole set encoded up front is 256 MB of floats, and its copies pushed a server past 1 GB.
    views, y_all = (
        torch.as_tensor(np.asarray(data.obs).astype(np.uint8)),
        scale_actions(data.actions),
    )
    x_tr, y_tr, x_va, y_va = views[tr], y_all[tr], views[va], y_all[va]
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
    spent = time.perf_counter() - start
    for epoch in range(1, config.epochs + 1):
        t0 = time.perf_counter()
        with torch_threads(config.threads) if config.threads else nullcontext():
            net.train()
            order = torch.randperm(len(x_tr), generator=gen)
            total = 0.0
            for i in range(0, len(order), config.batch_size):
                b = order[i : i + config.batch_size]
                loss = nn.functional.mse_loss(net(_encoded_batch(x_tr[b])), y_tr[b])
                opt.zero_grad()
                loss.backward()
                opt.step()
                if sched is not None:
                    sched.step()
                total += loss.item() * len(b)
            val = _loss(net, x_va, y_va) if len(va) else float("nan")
        spent += time.perf_counter() - t0
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
        )


def train_policy(data: Dataset, config: TrainConfig = TrainConfig()) -> BCPolicy:
    """Run training to the end and return the policy."""
    policy = None
    for event in train(data, config):
        policy = event.policy or policy
    assert policy is not None
    return policy


def save_weights(policy: BCPolicy) -> bytes:
    """The policy as bytes: torch.save of {'state_dict', 'convs', 'hidden'} (tensors and ints)."""
    buf = io.BytesIO()
    arch = asdict(policy.net.arch)
    torch.save(
        {
            "state_dict": policy.net.state_dict(),
            "convs": list(arch["convs"]),
            "hidden": arch["hidden"],
        },
        buf,
    )
    return buf.getvalue()


def load_weights(raw: bytes) -> BCPolicy:
    """Inverse of save_weights, with torch.load(weights_only=True)."""
    blob = torch.load(io.BytesIO(raw), weights_only=True, map_location="cpu")
    net = PolicyNet(Arch(tuple(int(c) for c in blob["convs"]), int(blob["hidden"])))
    net.load_state_dict(blob["state_dict"])
    net.eval()
    return BCPolicy(net)


TRAIN_SNIPPET = """
import torch
from torch import nn

x = torch.zeros(256, 4, 40, 40)       # one-hot views: self, opponent, ring, lines
y = torch.rand(256, 2) * 2 - 1        # [force, turn] scaled to [-1, 1]
net = nn.Sequential(
    nn.Conv2d(4, 16, 3, stride=2, padding=1), nn.ReLU(),   # 40 -> 20
    nn.Conv2d(16, 32, 3, stride=2, padding=1), nn.ReLU(),  # 20 -> 10
    nn.Conv2d(32, 32, 3, stride=2, padding=1), nn.ReLU(),  # 10 -> 5
    nn.Flatten(), nn.Linear(32 * 5 * 5, 64), nn.ReLU(),
    nn.Linear(64, 2), nn.Tanh(),                           # bounded outputs
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
