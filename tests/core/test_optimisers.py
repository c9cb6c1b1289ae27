"""One optimiser factory: each name is the torch.optim class and settings it says."""

import pytest
import torch

from core import optimisers


@pytest.mark.parametrize("name", optimisers.NAMES)
def test_factory_matches_torch_optim_built_by_hand(name):
    by_hand = {
        "SGD": lambda p: torch.optim.SGD(p, lr=0.1),
        "Momentum": lambda p: torch.optim.SGD(p, lr=0.1, momentum=0.8),
        "Nesterov": lambda p: torch.optim.SGD(p, lr=0.1, momentum=0.8, nesterov=True),
        "Adam": lambda p: torch.optim.Adam(p, lr=0.1, betas=(0.8, 0.999)),
        "RMSprop": lambda p: torch.optim.RMSprop(p, lr=0.1),
        "Adagrad": lambda p: torch.optim.Adagrad(p, lr=0.1),
    }[name]
    paths = []
    for build in (lambda p: optimisers.make_optimiser(name, p, 0.1, momentum=0.8), by_hand):
        w = torch.tensor([1.5, -2.0], requires_grad=True)
        opt = build([w])
        for _ in range(5):
            opt.zero_grad()
            (w**4).sum().backward()
            opt.step()
        paths.append(w.detach().clone())
    assert torch.equal(paths[0], paths[1])
    assert not torch.equal(paths[0], torch.tensor([1.5, -2.0]))


def test_unknown_name_is_refused_with_the_choices():
    with pytest.raises(ValueError, match="Nesterov"):
        optimisers.make_optimiser("LBFGS", [torch.zeros(1, requires_grad=True)], 0.1)
