"""A real network's loss landscape (Li et al., NeurIPS 2018): train a small MLP on two
half-moons, then sweep its loss over a filter-normalised 2-D slice through the trained weights.
"""

import math
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import torch

from core.cancel import ShouldStop, check


def toy_moons(
    n: int = 200, noise: float = 0.15, seed: int = 0
) -> tuple[torch.Tensor, torch.Tensor]:
    """Two interleaving half-moons in 2-D: inputs (n, 2) float32, labels (n,) int64."""
    gen = torch.Generator().manual_seed(seed)
    half = n // 2
    t = torch.rand(n, generator=gen) * math.pi
    upper = torch.stack([torch.cos(t[:half]), torch.sin(t[:half])], 1)
    lower = torch.stack([1 - torch.cos(t[half:]), 0.5 - torch.sin(t[half:])], 1)
    x = torch.cat([upper, lower]) + noise * torch.randn(n, 2, generator=gen)
    y = torch.cat([torch.zeros(half), torch.ones(n - half)]).long()
    return x, y


def make_mlp(hidden: int = 16, seed: int = 0) -> torch.nn.Sequential:
    """The small MLP whose landscape we slice: 2 -> hidden -> hidden -> 2 with ReLU."""
    torch.manual_seed(seed)
    return torch.nn.Sequential(
        torch.nn.Linear(2, hidden),
        torch.nn.ReLU(),
        torch.nn.Linear(hidden, hidden),
        torch.nn.ReLU(),
        torch.nn.Linear(hidden, 2),
    )


def filter_normalised_direction(
    weights: dict[str, torch.Tensor], generator: torch.Generator
) -> dict[str, torch.Tensor]:
    """A random direction with each filter rescaled to its weight filter's norm; biases zero.

    For a Linear layer a filter is one row of the weight matrix (one neuron's inputs).
    """
    direction = {}
    for name, w in weights.items():
        d = torch.randn(w.shape, generator=generator, dtype=w.dtype)
        if w.dim() <= 1:
            d.zero_()
        else:
            d_rows, w_rows = d.flatten(1), w.flatten(1)
            scale = w_rows.norm(dim=1) / (d_rows.norm(dim=1) + 1e-10)
            d = (d_rows * scale[:, None]).reshape(w.shape)
        direction[name] = d
    return direction


@dataclass
class SliceResult:
    """A 2-D loss slice around trained weights, and the 1-D path from initial to trained."""

    alphas: np.ndarray  # along direction δ (x axis)
    betas: np.ndarray  # along direction η (y axis)
    loss: np.ndarray  # loss[i, j] at θ* + alphas[j] δ + betas[i] η
    line_t: np.ndarray  # t = 0 initial weights, t = 1 trained weights
    line_loss: np.ndarray
    train_loss: list[float]
    accuracy: float


@dataclass
class SliceEvent:
    """Progress of `li_slice`: which stage, how far, and the result once done."""

    stage: str  # "train", "slice", "done"
    done: int
    total: int
    loss: float | None = None
    result: SliceResult | None = None

    @property
    def fraction(self) -> float:
        """How far along this stage is, from 0 to 1."""
        return self.done / max(self.total, 1)


def _batched_loss(model, x, y, stacked: dict[str, torch.Tensor]) -> torch.Tensor:
    loss_fn = torch.nn.functional.cross_entropy

    def one(params):
        return loss_fn(torch.func.functional_call(model, params, (x,)), y)

    return torch.vmap(one)(stacked)


def li_slice(
    resolution: int = 31,
    span: float = 1.0,
    epochs: int = 200,
    lr: float = 0.03,
    seed: int = 0,
    should_stop: ShouldStop | None = None,
) -> Iterator[SliceEvent]:
    """Train the MLP on the moons, then sweep a filter-normalised 2-D slice of its loss.

    A generator of SliceEvent: training progress, one event per grid row, then "done"
    carrying the SliceResult. should_stop (core/cancel.py) is polled every epoch and grid row:
    once it says stop, Cancelled is raised and no result comes out.
    """
    x, y = toy_moons(seed=seed)
    model = make_mlp(seed=seed)
    initial = {k: v.detach().clone() for k, v in model.named_parameters()}
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    train_loss = []
    for epoch in range(epochs):
        check(should_stop)
        opt.zero_grad()
        loss = torch.nn.functional.cross_entropy(model(x), y)
        loss.backward()
        opt.step()
        train_loss.append(loss.item())
        if epoch % 20 == 19 or epoch == epochs - 1:
            yield SliceEvent("train", epoch + 1, epochs, loss.item())
    trained = {k: v.detach().clone() for k, v in model.named_parameters()}
    with torch.no_grad():
        accuracy = (model(x).argmax(1) == y).float().mean().item()
    gen = torch.Generator().manual_seed(seed + 1)
    delta = filter_normalised_direction(trained, gen)
    eta = filter_normalised_direction(trained, gen)
    alphas = torch.linspace(-span, span, resolution)
    grid = np.empty((resolution, resolution))
    with torch.no_grad():
        for i, b in enumerate(alphas):
            check(should_stop)
            stacked = {
                k: w[None]
                + alphas[:, None, None].reshape(-1, *[1] * w.dim()) * delta[k][None]
                + b * eta[k][None]
                for k, w in trained.items()
            }
            grid[i] = _batched_loss(model, x, y, stacked).numpy()
            yield SliceEvent("slice", i + 1, resolution, float(grid[i].min()))
        line_t = torch.linspace(-0.25, 1.25, 61)
        shape = (-1,)
        stacked = {
            k: initial[k][None] + line_t.reshape(*shape, *[1] * w.dim()) * (w - initial[k])[None]
            for k, w in trained.items()
        }
        line_loss = _batched_loss(model, x, y, stacked).numpy()
    result = SliceResult(
        alphas.numpy(),
        alphas.numpy().copy(),
        grid,
        line_t.numpy(),
        line_loss,
        train_loss,
        accuracy,
    )
    yield SliceEvent("done", resolution, resolution, float(grid.min()), result)


# The code the page shows beside the slice.
CODE_LI = """
import torch
from torch import nn

model = nn.Sequential(nn.Linear(2, 16), nn.ReLU(), nn.Linear(16, 16), nn.ReLU(), nn.Linear(16, 2))
# ... train the model, then keep its weights theta*
theta = {k: v.detach().clone() for k, v in model.named_parameters()}

def direction():
    d = {}
    for k, w in theta.items():
        r = torch.randn_like(w)
        if w.dim() == 1:
            r.zero_()                                      # biases: no movement
        else:                                              # each row (filter) gets the
            r *= w.norm(dim=1, keepdim=True) / r.norm(dim=1, keepdim=True)  # weight row's norm
        d[k] = r
    return d

delta, eta = direction(), direction()
x, y = torch.randn(100, 2), torch.randint(0, 2, (100,))
with torch.no_grad():
    for a in torch.linspace(-1, 1, 5):
        for b in torch.linspace(-1, 1, 5):
            for k, p in model.named_parameters():
                p.copy_(theta[k] + a * delta[k] + b * eta[k])
            loss = nn.functional.cross_entropy(model(x), y)
print(loss.item())
"""
