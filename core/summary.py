"""What a display keeps of a tensor: a small one whole, a large one as its shape and statistics.

The backward trace records a value and a gradient for every node; copying each of them whole
would multiply a program's memory. Above ``KEEP_ELEMENTS`` only a :class:`TensorSummary` is kept.
"""

import math
from dataclasses import dataclass

import torch

KEEP_ELEMENTS = 100  # a tensor this small is kept whole (a copy); larger ones are summarised


@dataclass(frozen=True)
class TensorSummary:
    """A large tensor's shape and statistics, without its data."""

    shape: tuple[int, ...]
    mean: float
    min: float
    max: float

    def numel(self) -> int:
        """The number of elements the summarised tensor had."""
        return math.prod(self.shape)


def summarise(t: "torch.Tensor | TensorSummary") -> TensorSummary:
    """The shape, mean, min and max of a tensor (NaN for an empty or complex one)."""
    if isinstance(t, TensorSummary):
        return t
    t = t.detach()
    if t.numel() == 0 or t.is_complex():
        nan = float("nan")
        return TensorSummary(tuple(t.shape), nan, nan, nan)
    stats = t.to(torch.float64)
    return TensorSummary(
        tuple(t.shape), stats.mean().item(), stats.min().item(), stats.max().item()
    )


def keep(t: "torch.Tensor | TensorSummary | None") -> "torch.Tensor | TensorSummary | None":
    """A detached copy of a small tensor, a summary of a large one (None stays None)."""
    if t is None or isinstance(t, TensorSummary):
        return t
    if t.numel() <= KEEP_ELEMENTS:
        return t.detach().clone()
    return summarise(t)
