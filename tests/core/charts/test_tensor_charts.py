"""core.charts.tensors.grids_key: the cache key of a tensor picture holds all it is drawn from."""

import numpy as np
import torch

from core.charts.tensors import Grid, grids_key


def test_equal_pictures_share_a_key_and_any_difference_changes_it():
    a = torch.arange(6.0).reshape(2, 3)
    key = grids_key([Grid(a, "a")])
    assert key == grids_key([Grid(a.clone(), "a")])
    assert hash(key) == hash(grids_key([Grid(a.clone(), "a")]))
    different = [
        [Grid(a + 1, "a")],  # a value
        [Grid(a.reshape(3, 2), "a")],  # the shape, same bytes
        [Grid(a.t(), "a")],  # a view: the values as shown
        [Grid(a.double(), "a")],  # the dtype
        [Grid(a, "b")],  # the name
        [Grid(a, "a", mask=a > 2)],  # a highlight
        [Grid(a, "a", labels=np.array([["x"] * 3] * 2))],  # cell labels
        [Grid(a, "a"), Grid(a, "a")],  # how many
    ]
    keys = [grids_key(g) for g in different]
    assert key not in keys and len(set(keys)) == len(keys)


def test_every_dtype_has_a_key():
    for dtype in (torch.bfloat16, torch.float16, torch.bool, torch.int64, torch.complex64):
        t = torch.ones(2, 2, dtype=dtype)
        assert grids_key([Grid(t, "t")]) != grids_key([Grid(t * 0, "t")])
    assert grids_key([Grid(torch.tensor(3.0), "s")])  # a 0-d tensor too
