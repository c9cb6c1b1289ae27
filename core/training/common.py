"""What every example shares: the five training settings, seeded models, batches, classifiers."""

import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import torch
from torch import nn

from core import optimisers
from core.seeding import seeded
from core.training import datasets
from core.training.loop import Task


@dataclass(frozen=True, kw_only=True)
class TrainConfig:
    """The settings every example has; each example's config adds its own and sets defaults."""

    lr: float = 0.01  # learning rate: how far each optimiser step moves the parameters
    epochs: int = 10  # passes over the training data
    batch_size: int = 32  # samples per mini-batch (sequences per batch, for the RNN)
    optimizer: str = "Adam"  # one of core.optimisers.NAMES
    seed: int = 0  # seeds the data, the initial weights and the batch order


def seeded_model(seed: int, build: Callable[[], nn.Module]) -> nn.Module:
    """Build a model with torch's global RNG seeded, without disturbing other users' RNG state."""
    with seeded(seed):
        return build()


Batches = Callable[[int], Iterator[tuple[torch.Tensor, torch.Tensor]]]


def shuffled(x: torch.Tensor, y: torch.Tensor, batch_size: int, seed: int) -> tuple[Batches, int]:
    """Mini-batches in a fresh seeded order every epoch, and how many there are per epoch."""
    g = torch.Generator().manual_seed(seed)

    def batches(epoch: int):
        order = torch.randperm(len(x), generator=g)
        for i in range(0, len(x), batch_size):
            idx = order[i : i + batch_size]
            yield x[idx], y[idx]

    return batches, math.ceil(len(x) / batch_size)


def accuracy(logits: torch.Tensor, labels: torch.Tensor) -> float:
    """The fraction of rows whose largest logit is the label."""
    return (logits.argmax(1) == labels).float().mean().item()


def classifier_metrics(
    net: nn.Module, data: datasets.Split, loss_fn: nn.Module
) -> dict[str, float]:
    """Loss and accuracy of `net` on both halves of a split."""
    out_train, out_test = net(data.x_train), net(data.x_test)
    return {
        "train loss": loss_fn(out_train, data.y_train).item(),
        "test loss": loss_fn(out_test, data.y_test).item(),
        "train accuracy": accuracy(out_train, data.y_train),
        "test accuracy": accuracy(out_test, data.y_test),
    }


def classifier_task(
    cfg: TrainConfig, net: nn.Module, data: datasets.Split, snapshot: Callable[[], dict]
) -> Task:
    """Cross-entropy training of `net` on a split, metrics on both halves after each epoch."""
    loss_fn = nn.CrossEntropyLoss()
    batches, n_batches = shuffled(data.x_train, data.y_train, cfg.batch_size, cfg.seed)
    return Task(
        net,
        optimisers.make_optimiser(cfg.optimizer, net.parameters(), cfg.lr),
        loss_fn,
        batches,
        n_batches,
        lambda: classifier_metrics(net, data, loss_fn),
        snapshot=snapshot,
    )
