"""The NumPy bridge: from_numpy and .numpy() share memory, torch.tensor copies."""

from __future__ import annotations

import numpy as np
import torch

from core.i18n import Translate, untranslated
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
    shape: tuple[int, int] = (2, 3),
    cell: tuple[int, int] = (0, 1),
    value: int = 99,
    gettext: Translate = untranslated,
) -> Shown:
    """Write into a NumPy array: torch.from_numpy sees the change, torch.tensor does not."""
    _ = gettext
    shape = check_shape(shape, max_dims=2)
    if len(shape) != 2:
        raise ValueError(_("the NumPy bridge demo uses a matrix"))
    i, j = int(cell[0]), int(cell[1])
    if not (0 <= i < shape[0] and 0 <= j < shape[1]):
        raise ValueError(
            _("cell ({i}, {j}) is outside shape {shape}").format(i=i, j=j, shape=shape_text(shape))
        )
    a = np.arange(int(np.prod(shape))).reshape(shape)
    shared = torch.from_numpy(a)
    copied = torch.tensor(a)
    a[i, j] = value
    after = torch.tensor(a)
    mask = torch.zeros(shape, dtype=torch.bool)
    mask[i, j] = True
    name_a = _("a (NumPy array)")
    shares, sees = _("shares memory with a"), _("sees the write")
    return Shown(
        code=NUMPY_CODE.format(n=a.size, shape=shape_args(shape), i=i, j=j, value=value),
        printed=print_text(shared, copied),
        headline=f"a[{i}, {j}] = {value}",
        tensors={
            name_a: after,
            "shared = torch.from_numpy(a)": shared,
            "copied = torch.tensor(a)": copied,
        },
        masks={
            name_a: mask,
            "shared = torch.from_numpy(a)": mask,
            "copied = torch.tensor(a)": mask,
        },
        facts=[
            {
                _("tensor"): "shared",
                shares: bool(np.shares_memory(shared.numpy(), a)),
                sees: bool(shared[i, j] == value),
            },
            {
                _("tensor"): "copied",
                shares: bool(np.shares_memory(copied.numpy(), a)),
                sees: bool(copied[i, j] == value),
            },
        ],
        notes=[_("from_numpy (and .numpy()) share memory; torch.tensor(a) always copies.")],
    )
