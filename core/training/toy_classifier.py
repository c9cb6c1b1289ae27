"""2-D classification, TensorFlow-Playground style: an MLP draws its decision regions.

The config (the lecture's defaults), the task the one training loop runs, and the code shown
to students, side by side.
"""

from dataclasses import dataclass

import numpy as np
import torch

from core.training import datasets, models
from core.training.common import TrainConfig, classifier_task, seeded_model
from core.training.loop import Task


@dataclass(frozen=True, kw_only=True)
class ToyConfig(TrainConfig):
    """An MLP classifying a 2-D toy set, TensorFlow-Playground style."""

    dataset: str = "moons"  # one of datasets.TOY_SETS
    lr: float = 0.01
    epochs: int = 150
    batch_size: int = 32
    optimizer: str = "Adam"
    depth: int = 3  # hidden layers
    width: int = 32  # units per hidden layer
    activation: str = "ReLU"  # one of models.ACTIVATIONS
    n: int = 400  # points (30% of them held out for testing)
    noise: float = 0.2  # Gaussian noise added to the points


def boundary_grid(x: torch.Tensor, size: int = 48) -> tuple[np.ndarray, np.ndarray]:
    """A size x size grid of points covering the data with a margin: xs and ys (flattened)."""
    lo = x.min(0).values.numpy() - 0.4
    hi = x.max(0).values.numpy() + 0.4
    gx, gy = np.meshgrid(np.linspace(lo[0], hi[0], size), np.linspace(lo[1], hi[1], size))
    return gx.ravel().astype(np.float32), gy.ravel().astype(np.float32)


def build(cfg: ToyConfig) -> Task:
    """An MLP on a toy set; the snapshot is the predicted class and confidence on a grid."""
    data = datasets.toy_split(cfg.dataset, cfg.n, cfg.noise, cfg.seed)
    k = data.n_classes
    net = seeded_model(cfg.seed, lambda: models.mlp(2, k, cfg.depth, cfg.width, cfg.activation))
    gx, gy = boundary_grid(torch.cat([data.x_train, data.x_test]))
    grid = torch.from_numpy(np.stack([gx, gy], 1))

    def snapshot() -> dict:
        with torch.no_grad():
            prob = torch.softmax(net(grid), 1)
        conf, cls = prob.max(1)
        return {"x": gx, "y": gy, "class": cls.numpy(), "confidence": conf.numpy()}

    return classifier_task(cfg, net, data, snapshot)


CODE = """
import math
import torch
from torch import nn

torch.manual_seed(0)
n = 400  # two half moons: label 0 on top, label 1 below, with Gaussian noise
label = torch.arange(n) % 2
t = torch.rand(n) * math.pi
top = torch.stack([torch.cos(t), torch.sin(t)], 1)
bottom = torch.stack([1 - torch.cos(t), 0.5 - torch.sin(t)], 1)
X = torch.where(label[:, None] == 0, top, bottom) + 0.2 * torch.randn(n, 2)
train, test = torch.randperm(n).split([280, 120])

net = nn.Sequential(nn.Linear(2, 32), nn.ReLU(), nn.Linear(32, 32), nn.ReLU(),
                    nn.Linear(32, 32), nn.ReLU(), nn.Linear(32, 2))
loss_fn = nn.CrossEntropyLoss()
optimizer = torch.optim.Adam(net.parameters(), lr=0.01)

for epoch in range(150):
    for i in train[torch.randperm(len(train))].split(32):
        optimizer.zero_grad()
        loss = loss_fn(net(X[i]), label[i])
        loss.backward()
        optimizer.step()
with torch.no_grad():
    accuracy = (net(X[test]).argmax(1) == label[test]).float().mean()
    # the heat map: the predicted class on a grid of points
    gx, gy = torch.meshgrid(torch.linspace(-2, 3, 48), torch.linspace(-2, 2, 48), indexing="xy")
    regions = net(torch.stack([gx.ravel(), gy.ravel()], 1)).argmax(1).reshape(48, 48)
print("test accuracy:", accuracy.item())
"""
