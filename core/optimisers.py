"""The optimisers the app offers, by the lecture's names, built by one factory.

Every page that trains (the landscapes race, the live examples, behaviour cloning) picks
from these names, so "Momentum" means the same `torch.optim.SGD(momentum=β)` everywhere.
"""

import torch

NAMES = ("SGD", "Momentum", "Nesterov", "Adam", "RMSprop", "Adagrad")

CLASSES: dict[str, type[torch.optim.Optimizer]] = {
    "SGD": torch.optim.SGD,
    "Momentum": torch.optim.SGD,
    "Nesterov": torch.optim.SGD,
    "Adam": torch.optim.Adam,
    "RMSprop": torch.optim.RMSprop,
    "Adagrad": torch.optim.Adagrad,
}


def settings(name: str, momentum: float = 0.9) -> dict:
    """The keyword arguments that make `CLASSES[name]` the optimiser `name` (β = `momentum`)."""
    if name not in CLASSES:
        raise ValueError(f"unknown optimiser {name!r}; choose one of {', '.join(NAMES)}")
    if name == "Momentum":
        return {"momentum": momentum}
    if name == "Nesterov":
        return {"momentum": momentum, "nesterov": True}
    if name == "Adam":
        return {"betas": (momentum, 0.999)}
    return {}


def make_optimiser(name: str, params, lr: float, momentum: float = 0.9) -> torch.optim.Optimizer:
    """The optimiser `name` over `params` with learning rate `lr` (β = `momentum`)."""
    kwargs = settings(name, momentum)
    return CLASSES[name](params, lr=lr, **kwargs)
