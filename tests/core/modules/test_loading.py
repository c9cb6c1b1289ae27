"""core.modules.loading: the Dataset, and the batches a real DataLoader makes, epoch by epoch."""

import ast
from collections import Counter

import pytest
import torch

from core.modules import loading


def test_the_dataset():
    ds = loading.SquaresDataset(6)
    assert len(ds) == 6
    x, y = ds[4]
    assert x.tolist() == [4.0, 16.0] and y.item() == 0
    assert loading.dataset_table(3)[2] == {"index": 2, "x[0] = i": 2.0, "x[1] = i²": 4.0,
                                            "y = i % 2": 0}  # fmt: skip


def _per_epoch(rows):
    out = {}
    for r in rows:
        out.setdefault(r["epoch"], []).append(r)
    return out


def test_every_epoch_visits_every_sample_once_in_a_new_order():
    r = loading.batches(n=10, batch_size=4, shuffle=True, seed=0, epochs=3)
    assert r.batches_per_epoch == 3
    orders = []
    for rows in _per_epoch(r.rows).values():
        assert sorted(x["index"] for x in rows) == list(range(10))
        assert Counter(x["batch"] for x in rows) == {0: 4, 1: 4, 2: 2}
        orders.append([x["index"] for x in rows])
    assert len({tuple(o) for o in orders}) == 3
    assert r.shapes == {"x": "(4, 2), float32", "y": "(4,), int64"}


def test_no_shuffle_keeps_order_and_drop_last_drops_the_short_batch():
    r = loading.batches(n=10, batch_size=4, shuffle=False, drop_last=True, epochs=2)
    assert r.batches_per_epoch == 2
    for rows in _per_epoch(r.rows).values():
        assert [x["index"] for x in rows] == list(range(10))
        assert [x["batch"] for x in rows][-2:] == [None, None]


def test_the_seed_replays_and_changes_the_order():
    a, b = loading.batches(seed=5), loading.batches(seed=5)
    assert a.rows == b.rows and loading.batches(seed=6).rows != a.rows


@pytest.mark.parametrize("drop_last", [False, True])
def test_shown_code_prints_the_same_batches(drop_last, capsys):
    r = loading.batches(n=7, batch_size=3, shuffle=True, drop_last=drop_last, seed=9, epochs=2)
    exec(r.code, {})  # our own snippet
    lines = capsys.readouterr().out.strip().splitlines()
    printed = [line.split(" ", 2) for line in lines[:-1]]
    got = [(int(e), int(b), ast.literal_eval(ix)) for e, b, ix in printed]
    want = {}
    for row in r.rows:
        if row["batch"] is not None:
            want.setdefault((row["epoch"], row["batch"]), []).append(row["index"])
    assert got == [(e, b, ix) for (e, b), ix in want.items()]
    assert lines[-1].startswith("torch.Size([")


def test_bounds():
    with pytest.raises(ValueError):
        loading.batches(n=4, batch_size=5)
    with pytest.raises(ValueError):
        loading.batches(epochs=loading.MAX_EPOCHS + 1)
    assert torch.equal(loading.batches(n=1, batch_size=1, shuffle=False).first_batch[0],
                       torch.tensor([[0.0, 0.0]]))  # fmt: skip
