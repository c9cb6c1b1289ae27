"""Anatomy of a module: the slide's LinearModule, its parameters, and what nn.Parameter does.

`anatomy()` builds the slide's `LinearModule(x_dim, y_dim)`: `W` of shape (y_dim, x_dim) and
`pred = W @ x + b`, the layout `nn.Linear` stores too (out_features, in_features). It lists
what `parameters()` sees, runs the forward pass on `x = torch.randn(x_dim)` and a few SGD steps
towards a random target. With `forget=True` the bias is a plain tensor attribute:
`parameters()` no longer lists it, the optimiser never sees it and it stays exactly as it was,
while the registered weight moves. `submodules()` shows a module built from modules: names,
printout, state_dict keys; its shown code defines everything it uses, so it runs alone.
"""

from dataclasses import dataclass

import numpy as np
import torch
from torch import nn

from core.i18n import N_
from core.seeding import seeded
from core.training.common import seeded_model

MAX_DIM = 8  # x_dim and y_dim bounds for the page
SUBMODULE_KINDS = ("nn.Sequential", N_("a module holding modules"))  # values in links: English
HIDDEN = 4  # hidden width of the submodule examples


class LinearModule(nn.Module):
    """The slide's module: pred = W @ x + b, W of shape (y_dim, x_dim); `register=False`
    forgets nn.Parameter on b."""

    def __init__(self, x_dim: int, y_dim: int, register: bool = True):
        super().__init__()
        self.W = nn.Parameter(torch.randn(y_dim, x_dim))
        b = torch.randn(y_dim)
        self.b = nn.Parameter(b) if register else b

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.W @ x + self.b


class TwoLayer(nn.Module):
    """A module holding modules: two LinearModules with a ReLU between them."""

    def __init__(self, x_dim: int, y_dim: int):
        super().__init__()
        self.hidden = LinearModule(x_dim, HIDDEN)
        self.out = LinearModule(HIDDEN, y_dim)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.out(torch.relu(self.hidden(x)))


B_LINE = {
    True: "self.b = nn.Parameter(torch.randn(y_dim))",
    False: "self.b = torch.randn(y_dim)  # forgot nn.Parameter",
}

CODE = """\
import torch
from torch import nn

class LinearModule(nn.Module):
    def __init__(self, x_dim, y_dim):
        super().__init__()
        # W is (out, in), as nn.Linear stores it
        self.W = nn.Parameter(torch.randn(y_dim, x_dim))
        {b_line}

    def forward(self, x):
        return self.W @ x + self.b

torch.manual_seed({seed})
model = LinearModule({x_dim}, {y_dim})
print(model)
for name, p in model.named_parameters():
    print(name, tuple(p.shape))
x = torch.randn({x_dim})
pred = model(x)
print(pred.shape)

# a few SGD steps towards a random target: what moves?
y = torch.randn({y_dim})
optimizer = torch.optim.SGD(model.parameters(), lr={lr})
b_before = model.b.detach().clone()
for step in range({steps}):
    optimizer.zero_grad()
    loss = ((model(x) - y) ** 2).mean()
    loss.backward()
    optimizer.step()
print("b unchanged:", torch.equal(model.b.detach(), b_before))
"""


@dataclass(frozen=True)
class Anatomy:
    """What the page shows of one LinearModule: code, parameters, printout, forward, steps."""

    code: str
    printed: str  # print(model)
    parameters: list[dict]  # what named_parameters() lists: name, shape, numbers
    attributes: list[dict]  # W and b: registered?, in state_dict?, moved by the optimiser?
    state_keys: list[str]
    x: torch.Tensor
    pred: torch.Tensor
    history: list[dict]  # step, tensor ("W" or "b"), element, value: every number, every step
    losses: list[float]


def anatomy(
    x_dim: int = 5,
    y_dim: int = 2,
    forget: bool = False,
    steps: int = 3,
    lr: float = 0.1,
    seed: int = 0,
) -> Anatomy:
    """The slide's LinearModule: parameters, print(model), a forward pass and `steps` SGD steps."""
    if not (1 <= x_dim <= MAX_DIM and 1 <= y_dim <= MAX_DIM):
        raise ValueError(f"x_dim and y_dim must lie in [1, {MAX_DIM}]")
    with seeded(seed):
        model = LinearModule(x_dim, y_dim, register=not forget)
        x = torch.randn(x_dim)
        pred = model(x)
        y = torch.randn(y_dim)
    parameters = [
        {"name": n, "shape": str(tuple(p.shape)), "numbers": p.numel()}
        for n, p in model.named_parameters()
    ]
    state_keys = list(model.state_dict())
    before = {"W": model.W.detach().clone(), "b": model.b.detach().clone()}
    optimizer = torch.optim.SGD(model.parameters(), lr=lr)
    history = _values(model, 0)
    losses = []
    for step in range(1, steps + 1):
        optimizer.zero_grad()
        loss = ((model(x) - y) ** 2).mean()
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
        history += _values(model, step)
    registered = {n for n, _ in model.named_parameters()}
    attributes = [
        {
            "attribute": f"self.{n}",
            "shape": str(tuple(before[n].shape)),
            "in parameters()": n in registered,
            "in state_dict()": n in state_keys,
            f"changed by {steps} SGD steps": not torch.equal(getattr(model, n).detach(), before[n]),
        }
        for n in ("W", "b")
    ]
    code = CODE.format(
        b_line=B_LINE[not forget], seed=seed, x_dim=x_dim, y_dim=y_dim, lr=lr, steps=steps
    )
    return Anatomy(
        code, str(model), parameters, attributes, state_keys, x, pred.detach(), history, losses
    )


def _values(model: LinearModule, step: int) -> list[dict]:
    rows = []
    for name in ("W", "b"):
        t = getattr(model, name).detach()
        for idx in np.ndindex(*t.shape):
            rows.append({"step": step, "tensor": name, "element": f"{name}{list(idx)}",
                         "value": t[idx].item()})  # fmt: skip
    return rows


SUBMODULE_CODE = {
    "nn.Sequential": """\
import torch
from torch import nn

torch.manual_seed({seed})
model = nn.Sequential(nn.Linear({x_dim}, {hidden}), nn.ReLU(), nn.Linear({hidden}, {y_dim}))
print(model)
for name, p in model.named_parameters():
    print(name, tuple(p.shape))
print(list(model.state_dict().keys()))
print(model(torch.randn({x_dim})).shape)
""",
    "a module holding modules": """\
import torch
from torch import nn

class LinearModule(nn.Module):        # the slide's module, as above
    def __init__(self, x_dim, y_dim):
        super().__init__()
        self.W = nn.Parameter(torch.randn(y_dim, x_dim))
        self.b = nn.Parameter(torch.randn(y_dim))

    def forward(self, x):
        return self.W @ x + self.b

class TwoLayer(nn.Module):
    def __init__(self, x_dim, y_dim):
        super().__init__()
        self.hidden = LinearModule(x_dim, {hidden})  # a module inside a module:
        self.out = LinearModule({hidden}, y_dim)     # registered by assignment

    def forward(self, x):
        return self.out(torch.relu(self.hidden(x)))

torch.manual_seed({seed})
model = TwoLayer({x_dim}, {y_dim})
print(model)
for name, p in model.named_parameters():
    print(name, tuple(p.shape))
print(list(model.state_dict().keys()))
print(model(torch.randn({x_dim})).shape)
""",
}


@dataclass(frozen=True)
class Composite:
    """A module made of modules: its code, printout, parameters, state_dict keys, output shape."""

    code: str
    printed: str
    parameters: list[dict]
    state_keys: list[str]
    out_shape: tuple[int, ...]


def submodules(kind: str, x_dim: int = 5, y_dim: int = 2, seed: int = 0) -> Composite:
    """nn.Sequential or a module holding LinearModules: what it registers, by name."""
    if kind == "nn.Sequential":

        def build():
            return nn.Sequential(nn.Linear(x_dim, HIDDEN), nn.ReLU(), nn.Linear(HIDDEN, y_dim))
    elif kind == "a module holding modules":

        def build():
            return TwoLayer(x_dim, y_dim)
    else:
        raise ValueError(f"unknown kind {kind!r}: one of {', '.join(SUBMODULE_KINDS)}")
    model = seeded_model(seed, build)
    with torch.no_grad():
        out = model(torch.zeros(x_dim))
    parameters = [
        {"name": n, "shape": str(tuple(p.shape)), "numbers": p.numel()}
        for n, p in model.named_parameters()
    ]
    code = SUBMODULE_CODE[kind].format(seed=seed, x_dim=x_dim, y_dim=y_dim, hidden=HIDDEN)
    return Composite(code, str(model), parameters, list(model.state_dict()), tuple(out.shape))
