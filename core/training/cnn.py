"""A small CNN on the 8 x 8 digits: two 3 x 3 convolutions with max-pooling, then a linear layer.

The config (the lecture's defaults), the task the one training loop runs, and the code shown
to students, side by side.
"""

from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F

from core.training import datasets, models
from core.training.common import TrainConfig, classifier_task, seeded_model
from core.training.loop import Task


@dataclass(frozen=True, kw_only=True)
class CNNConfig(TrainConfig):
    """A small convolutional net on the 8 x 8 digits."""

    lr: float = 0.003
    epochs: int = 15
    batch_size: int = 32
    optimizer: str = "Adam"
    channels: int = 16  # filters in the first convolution (the second has twice as many)


def build(cfg: CNNConfig) -> Task:
    """`DigitsCNN` on the digits; the snapshot holds a confusion matrix, predictions, filters."""
    data = datasets.digits(cfg.seed)
    net = seeded_model(cfg.seed, lambda: models.DigitsCNN(cfg.channels))

    def snapshot() -> dict:
        with torch.no_grad():
            pred = net(data.x_test).argmax(1)
        confusion = torch.zeros(10, 10, dtype=torch.int64)
        confusion.index_put_((data.y_test, pred), torch.ones_like(pred), accumulate=True)
        return {
            "confusion": confusion.numpy(),
            "predicted": pred.numpy(),
            "filters": net.conv1.weight.detach()[:, 0].numpy().copy(),
            "conv1": {k: v.detach().clone() for k, v in net.conv1.state_dict().items()},
        }

    return classifier_task(cfg, net, data, snapshot)


def feature_maps(snapshot: dict, image: torch.Tensor) -> np.ndarray:
    """First-layer feature maps (channels, 8, 8) of one 8 x 8 image, from a CNN snapshot."""
    conv1 = snapshot["conv1"]
    x = image.reshape(1, 1, 8, 8)
    return F.relu(F.conv2d(x, conv1["weight"], conv1["bias"], padding=1))[0].numpy()


CODE = """
import torch
from torch import nn
from sklearn.datasets import load_digits

class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 16, 3, padding=1)   # 16 filters of 3 x 3
        self.conv2 = nn.Conv2d(16, 32, 3, padding=1)
        self.pool = nn.MaxPool2d(2)
        self.fc = nn.Linear(32 * 2 * 2, 10)

    def forward(self, x):                              # x: (batch, 1, 8, 8)
        x = self.pool(torch.relu(self.conv1(x)))      # (batch, 16, 4, 4)
        x = self.pool(torch.relu(self.conv2(x)))      # (batch, 32, 2, 2)
        return self.fc(x.flatten(1))                  # (batch, 10)

torch.manual_seed(0)
digits = load_digits()
X = torch.tensor(digits.images / 16.0, dtype=torch.float32)[:, None]
y = torch.tensor(digits.target)
train, test = torch.randperm(len(X)).split([1437, 360])

net = Net()
loss_fn = nn.CrossEntropyLoss()
optimizer = torch.optim.Adam(net.parameters(), lr=0.003)
for epoch in range(15):
    for i in train[torch.randperm(len(train))].split(32):
        optimizer.zero_grad()
        loss = loss_fn(net(X[i]), y[i])
        loss.backward()
        optimizer.step()
with torch.no_grad():
    predicted = net(X[test]).argmax(1)
    feature_maps = torch.relu(net.conv1(X[test][:1]))  # what the first layer sees
print("test accuracy:", (predicted == y[test]).float().mean().item())
"""
