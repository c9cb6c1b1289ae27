"""Linear regression, as in the notebook: `nn.Linear(2, 1)` fitted to y = Xw + b + noise.

The config (the lecture's defaults), the task the one training loop runs, and the code shown
to students, side by side.
"""

from dataclasses import dataclass

import torch
from torch import nn

from core import optimisers
from core.training import datasets, models
from core.training.common import TrainConfig, seeded_model, shuffled
from core.training.loop import Task


@dataclass(frozen=True, kw_only=True)
class RegressionConfig(TrainConfig):
    """Linear regression on y = Xw + b + noise, as in the notebook."""

    lr: float = 0.03
    epochs: int = 3
    batch_size: int = 10
    optimizer: str = "SGD"
    n: int = 1000  # samples of the plane
    noise: float = 0.01  # standard deviation of the noise added to y


def build(cfg: RegressionConfig) -> Task:
    """`nn.Linear(2, 1)` fitted to the synthetic data by mini-batch SGD on the MSE."""
    x, y = datasets.synthetic_linear(n=cfg.n, noise=cfg.noise, seed=cfg.seed)
    net = seeded_model(cfg.seed, models.linear_regression)
    loss_fn = nn.MSELoss()
    true_w = torch.tensor(datasets.TRUE_W)
    batches, n_batches = shuffled(x, y, cfg.batch_size, cfg.seed)

    def track() -> dict[str, float]:
        w = net.weight.detach()[0]
        return {"w1": w[0].item(), "w2": w[1].item(), "b": net.bias.item()}

    def evaluate() -> dict[str, float]:
        w = net.weight[0]
        return {
            "train loss": loss_fn(net(x), y).item(),
            "w error": (w - true_w).norm().item(),
            "b error": abs(net.bias.item() - datasets.TRUE_B),
        }

    return Task(
        net,
        optimisers.make_optimiser(cfg.optimizer, net.parameters(), cfg.lr),
        loss_fn,
        batches,
        n_batches,
        evaluate,
        track=track,
        snapshot=track,
    )


CODE = """
import torch
from torch import nn
from torch.utils import data

torch.manual_seed(0)
true_w, true_b = torch.tensor([2.0, -3.4]), 4.2
X = torch.normal(0, 1, (1000, 2))
y = (X @ true_w + true_b + torch.normal(0, 0.01, (1000,))).reshape(-1, 1)
loader = data.DataLoader(data.TensorDataset(X, y), batch_size=10, shuffle=True)

net = nn.Linear(2, 1)
nn.init.normal_(net.weight, 0, 0.01)   # in place, outside autograd
nn.init.zeros_(net.bias)
loss_fn = nn.MSELoss()
optimizer = torch.optim.SGD(net.parameters(), lr=0.03)

for epoch in range(3):
    for x, t in loader:
        optimizer.zero_grad()
        loss = loss_fn(net(x), t)
        loss.backward()
        optimizer.step()
    with torch.no_grad():              # evaluating: no graph to build
        print(f"epoch {epoch + 1}, loss {loss_fn(net(X), y).item():.6f}")
w, b = net.weight.detach(), net.bias.detach()
print("w:", w, "error:", (w[0] - true_w).norm().item())
print("b:", b, "error:", abs(b.item() - true_b))
"""
