"""Curve fitting: an MLP bends towards a noisy 1-D wavy curve that a straight line cannot follow.

The config (the lecture's defaults), the task the one training loop runs, and the code shown
to students, side by side.
"""

from dataclasses import dataclass

import numpy as np
import torch
from torch import nn

from core import optimisers
from core.training import datasets, models
from core.training.common import TrainConfig, seeded_model, shuffled
from core.training.loop import Task


@dataclass(frozen=True, kw_only=True)
class CurveConfig(TrainConfig):
    """An MLP fitting a 1-D wavy curve."""

    lr: float = 0.01
    epochs: int = 200
    batch_size: int = 16
    optimizer: str = "Adam"
    depth: int = 2  # hidden layers
    width: int = 32  # units per hidden layer
    activation: str = "Tanh"  # one of models.ACTIVATIONS
    n: int = 200  # samples on [-3, 3] (every fifth held out for testing)
    noise: float = 0.15  # standard deviation of the noise on the targets


GRID = np.linspace(-3.2, 3.2, 161, dtype=np.float32)  # where the fitted curve is drawn


def build(cfg: CurveConfig) -> Task:
    """An MLP regressing the noisy `wavy_curve` samples; the snapshot is its fitted curve."""
    data = datasets.curve_points(cfg.n, cfg.noise, cfg.seed)
    net = seeded_model(cfg.seed, lambda: models.mlp(1, 1, cfg.depth, cfg.width, cfg.activation))
    loss_fn = nn.MSELoss()
    batches, n_batches = shuffled(data.x_train, data.y_train, cfg.batch_size, cfg.seed)
    grid = torch.from_numpy(GRID).reshape(-1, 1)
    truth = datasets.wavy_curve(grid)

    def evaluate() -> dict[str, float]:
        return {
            "train loss": loss_fn(net(data.x_train), data.y_train).item(),
            "test loss": loss_fn(net(data.x_test), data.y_test).item(),
            "curve error": loss_fn(net(grid), truth).item(),
        }

    def snapshot() -> dict:
        with torch.no_grad():
            return {"x": GRID, "fit": net(grid).reshape(-1).numpy().copy()}

    return Task(
        net,
        optimisers.make_optimiser(cfg.optimizer, net.parameters(), cfg.lr),
        loss_fn,
        batches,
        n_batches,
        evaluate,
        snapshot=snapshot,
    )


CODE = """
import torch
from torch import nn

torch.manual_seed(0)
x = torch.rand(160, 1) * 6 - 3
y = torch.sin(2 * x) + 0.3 * x + 0.15 * torch.randn_like(x)

net = nn.Sequential(nn.Linear(1, 32), nn.Tanh(), nn.Linear(32, 32), nn.Tanh(), nn.Linear(32, 1))
loss_fn = nn.MSELoss()
optimizer = torch.optim.Adam(net.parameters(), lr=0.01)

for epoch in range(200):
    for i in torch.randperm(160).split(16):
        optimizer.zero_grad()
        loss = loss_fn(net(x[i]), y[i])
        loss.backward()
        optimizer.step()
with torch.no_grad():                  # evaluating: no graph to build
    print("train MSE:", loss_fn(net(x), y).item())  # close to the noise, 0.15 ** 2
"""
