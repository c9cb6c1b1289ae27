""".train() and .eval(): the same input, twice in each mode, through Dropout and BatchNorm1d.

In train mode Dropout zeroes a fresh random set of activations on every call (and scales the
rest by 1 / (1 - p)), and BatchNorm1d normalises with the batch's own statistics while updating
its running averages; in eval mode both are fixed, so the same input gives the same output.
"""

from dataclasses import dataclass

import torch
from torch import nn

from core.modules.common import error_text
from core.seeding import seeded

CALLS = ("train, call 1", "train, call 2", "eval, call 1", "eval, call 2")
MASK_SHAPE = (4, 8)  # the ones() Dropout is shown on

CODE = """\
import torch
from torch import nn

torch.manual_seed({seed})
model = nn.Sequential(
    nn.Linear(3, 8),{bn}
    nn.ReLU(),
    nn.Dropout(p={p}),
    nn.Linear(8, 1),
)
x = torch.randn({batch}, 3)
model.train()                        # the default: Dropout drops, BatchNorm uses the batch
try:
    print("train:", model(x).flatten().tolist())  # twice: two different outputs (if p > 0)
    print("train:", model(x).flatten().tolist())
except ValueError as e:              # BatchNorm has no batch statistics for a batch of one
    print("train mode refused:", e)
model.eval()                         # Dropout off, BatchNorm uses its running averages
print("eval:", model(x).flatten().tolist())       # the same output twice
print("eval:", model(x).flatten().tolist())

dropout = nn.Dropout(p={p})
print(dropout(torch.ones(4, 8)))     # train mode: zeros, the rest scaled by 1 / (1 - p)
print(dropout(torch.ones(4, 8)))     # again: a fresh random set of zeros
dropout.eval()
print(dropout(torch.ones(4, 8)))     # eval mode: the input, untouched
"""
BN_LINE = "\n    nn.BatchNorm1d(8),"


@dataclass(frozen=True)
class Modes:
    """Outputs of one model on one input, twice per mode, and Dropout's masks on ones()."""

    code: str
    outputs: dict[str, torch.Tensor]  # CALLS -> output (batch,); no train calls if refused
    masks: dict[str, torch.Tensor]  # "train, call 1", "train, call 2", "eval" -> (4, 8)
    running_mean: dict[str, list[float]]  # BatchNorm's running mean: "before", "after"
    error: str | None  # PyTorch's refusal (BatchNorm in train mode on a batch of one)
    printed: list[str]  # what the shown code prints, line by line


def modes(p: float = 0.5, batch: int = 4, batchnorm: bool = True, seed: int = 0) -> Modes:
    """The same input twice in train mode and twice in eval mode; Dropout's masks on ones."""
    if not (0.0 <= p < 1.0 and 1 <= batch <= 64):
        raise ValueError("p must lie in [0, 1) and batch in [1, 64]")
    code = CODE.format(seed=seed, bn=BN_LINE if batchnorm else "", p=p, batch=batch)
    with seeded(seed):
        layers = [nn.Linear(3, 8), *([nn.BatchNorm1d(8)] if batchnorm else [])]
        model = nn.Sequential(*layers, nn.ReLU(), nn.Dropout(p=p), nn.Linear(8, 1))
        x = torch.randn(batch, 3)
        outputs, error = {}, None
        bn = model[1] if batchnorm else None
        running = {"before": bn.running_mean.tolist()} if bn is not None else {}
        with torch.no_grad():
            model.train()
            try:
                outputs[CALLS[0]] = model(x).flatten()
                outputs[CALLS[1]] = model(x).flatten()
            except ValueError as err:  # BatchNorm: "Expected more than 1 value per channel..."
                outputs, error = {}, error_text(err)
            model.eval()  # eval mode takes a batch of one: BatchNorm uses its running averages
            outputs[CALLS[2]] = model(x).flatten()
            outputs[CALLS[3]] = model(x).flatten()
            if bn is not None:
                running["after"] = bn.running_mean.tolist()
            dropout = nn.Dropout(p=p)
            masks = {"train, call 1": dropout(torch.ones(MASK_SHAPE))}
            masks["train, call 2"] = dropout(torch.ones(MASK_SHAPE))
            dropout.eval()
            masks["eval"] = dropout(torch.ones(MASK_SHAPE))
    if error is None:
        printed = [f"train: {outputs[c].tolist()}" for c in CALLS[:2]]
    else:
        printed = [f"train mode refused: {error}"]
    printed += [f"eval: {outputs[c].tolist()}" for c in CALLS[2:]]
    printed += [repr(masks[k]) for k in masks]
    return Modes(code, outputs, masks, running, error, printed)


def same_twice(result: Modes) -> dict[str, bool | None]:
    """Per mode: did the same input give exactly the same output twice (None if refused)?"""
    out = result.outputs
    return {
        mode: torch.equal(out[a], out[b]) if a in out and b in out else None
        for mode, a, b in (("train", *CALLS[:2]), ("eval", *CALLS[2:]))
    }
