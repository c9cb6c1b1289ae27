"""The NumPy bridge: from_numpy and .numpy() share memory, torch.tensor copies."""

from __future__ import annotations

import numpy as np
import torch

from core.tensors.common import (
    Shown,
    check_shape,
    print_text,
    shape_args,
    shape_text,
)

# ----------------------------------------------------------------------------- NumPy bridge

NUMPY_CODE = """import numpy as np
import torch
a = np.arange({n}).reshape({shape})
shared = torch.from_numpy(a)   # shares a's memory
copied = torch.tensor(a)       # copies a
a[{i}, {j}] = {value}
print(shared)
print(copied)
"""


def numpy_bridge(
    shape: tuple[int, int] = (2, 3), cell: tuple[int, int] = (0, 1), value: int = 99
) -> Shown:
    """Write into a NumPy array: torch.from_numpy sees the change, torch.tensor does not."""
    shape = check_shape(shape, max_dims=2)
    if len(shape) != 2:
        raise ValueError("the NumPy bridge demo uses a matrix")
    i, j = int(cell[0]), int(cell[1])
    if not (0 <= i < shape[0] and 0 <= j < shape[1]):
        raise ValueError(f"cell ({i}, {j}) is outside shape {shape_text(shape)}")
    a = np.arange(int(np.prod(shape))).reshape(shape)
    shared = torch.from_numpy(a)
    copied = torch.tensor(a)
    a[i, j] = value
    after = torch.tensor(a)
    mask = torch.zeros(shape, dtype=torch.bool)
    mask[i, j] = True
    return Shown(
        code=NUMPY_CODE.format(n=a.size, shape=shape_args(shape), i=i, j=j, value=value),
        printed=print_text(shared, copied),
        headline=f"a[{i}, {j}] = {value}",
        tensors={
            "a (NumPy array)": after,
            "shared = torch.from_numpy(a)": shared,
            "copied = torch.tensor(a)": copied,
        },
        masks={
            "a (NumPy array)": mask,
            "shared = torch.from_numpy(a)": mask,
            "copied = torch.tensor(a)": mask,
        },
        facts=[
            {
                "tensor": "shared",
                "shares memory with a": bool(np.shares_memory(shared.numpy(), a)),
                "sees the write": bool(shared[i, j] == value),
            },
            {
                "tensor": "copied",
                "shares memory with a": bool(np.shares_memory(copied.numpy(), a)),
                "sees the write": bool(copied[i, j] == value),
            },
        ],
        notes=["from_numpy (and .numpy()) share memory; torch.tensor(a) always copies."],
    )
