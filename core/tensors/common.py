"""The pieces every topic shares: the size limits, `Shown`, shape checks, seeded generators."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import torch
from torch import Tensor

from core.i18n import Translate, untranslated

MAX_DIMS = 4
MAX_SIZE = 6
MAX_CELLS = 144


@dataclass
class Shown:
    """One view of an operation: code, printed result, tensors to draw and their highlights."""

    code: str
    printed: str
    headline: str
    tensors: dict[str, Tensor]
    masks: dict[str, Tensor] = field(default_factory=dict)
    labels: dict[str, np.ndarray] = field(default_factory=dict)
    facts: list[dict] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    error: str | None = None


# ----------------------------------------------------------------------------- helpers


def check_shape(shape: tuple[int, ...], max_dims: int = MAX_DIMS) -> tuple[int, ...]:
    shape = tuple(int(s) for s in shape)
    if len(shape) > max_dims:
        raise ValueError(f"at most {max_dims} dims, got {len(shape)}")
    if any(s < 1 or s > MAX_SIZE for s in shape):
        raise ValueError(f"every size must be between 1 and {MAX_SIZE}, got {shape}")
    if int(np.prod(shape)) > MAX_CELLS:
        raise ValueError(f"at most {MAX_CELLS} cells, got {int(np.prod(shape))}")
    return shape


def shape_args(shape: tuple[int, ...]) -> str:
    """`2, 3` for reshape(2, 3)."""
    return ", ".join(str(s) for s in shape)


def shape_text(shape: tuple[int, ...]) -> str:
    """`(2, 3)` or `(2,)` or `()`."""
    shape = tuple(shape)
    return f"({shape[0]},)" if len(shape) == 1 else f"({shape_args(shape)})"


def print_text(*objs: object) -> str:
    """What successive print(obj) calls write, without the final newline."""
    return "\n".join(str(o) for o in objs)


def seeded(seed: int) -> torch.Generator:
    """A private generator that draws exactly what torch.manual_seed(seed) would."""
    return torch.Generator().manual_seed(int(seed))


def shares_memory(a: Tensor, b: Tensor) -> bool:
    """True when two tensors live in the same storage (writing into one may change the other)."""
    return a.untyped_storage().data_ptr() == b.untyped_storage().data_ptr()


def memory_facts(
    tensors: dict[str, Tensor], base: str, gettext: Translate = untranslated
) -> list[dict]:
    """Shape, stride, contiguity, data_ptr and whether each tensor shares memory with `base`."""
    _ = gettext
    ref = tensors[base]
    return [
        {
            _("tensor"): name,
            _("shape"): shape_text(t.shape),
            _("stride"): shape_text(t.stride()),
            "is_contiguous": t.is_contiguous(),
            "data_ptr": hex(t.data_ptr()),
            _("shares memory with {base}").format(base=base): shares_memory(t, ref),
        }
        for name, t in tensors.items()
    ]


def cells_mask(shape: tuple[int, ...], picked: Tensor) -> Tensor:
    """Boolean mask of `shape` that is True at the flat positions listed in `picked`."""
    mask = torch.zeros(int(np.prod(shape)) if shape else 1, dtype=torch.bool)
    mask[picked.flatten()] = True
    return mask.reshape(shape)
