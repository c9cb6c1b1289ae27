"""Softmax regression on scikit-learn's 8 x 8 digits (the notebook's Fashion-MNIST stand-in).

The config (the lecture's defaults), the task the one training loop runs, and the code shown
to students, side by side.
"""

from dataclasses import dataclass

from core.training import datasets, models
from core.training.common import TrainConfig, classifier_task, seeded_model
from core.training.loop import Task


@dataclass(frozen=True, kw_only=True)
class SoftmaxConfig(TrainConfig):
    """Softmax regression on scikit-learn's 8 x 8 digits (the notebook's Fashion-MNIST stand-in)."""

    lr: float = 0.5
    epochs: int = 20
    batch_size: int = 64
    optimizer: str = "SGD"


def build(cfg: SoftmaxConfig) -> Task:
    """One linear layer from 64 pixels to 10 logits; the snapshot is the ten weight templates."""
    data = datasets.digits(cfg.seed)
    net = seeded_model(cfg.seed, models.softmax_regression)

    def snapshot() -> dict:
        return {"templates": net[1].weight.detach().reshape(10, 8, 8).numpy().copy()}

    return classifier_task(cfg, net, data, snapshot)


CODE = """
import torch
from torch import nn
from sklearn.datasets import load_digits  # 1797 images of 8 x 8 pixels, shipped with sklearn

torch.manual_seed(0)
digits = load_digits()
X = torch.tensor(digits.images / 16.0, dtype=torch.float32)
y = torch.tensor(digits.target)
train, test = torch.randperm(len(X)).split([1437, 360])

net = nn.Sequential(nn.Flatten(), nn.Linear(64, 10))  # softmax is inside the loss
loss_fn = nn.CrossEntropyLoss()
optimizer = torch.optim.SGD(net.parameters(), lr=0.5)

for epoch in range(20):
    for i in train[torch.randperm(len(train))].split(64):
        optimizer.zero_grad()
        loss = loss_fn(net(X[i]), y[i])
        loss.backward()
        optimizer.step()
with torch.no_grad():
    accuracy = (net(X[test]).argmax(1) == y[test]).float().mean()
templates = net[1].weight.detach().reshape(10, 8, 8)  # one 8 x 8 template per digit
print("test accuracy:", accuracy.item())
"""
