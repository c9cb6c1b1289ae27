"""Dataset and DataLoader: a small visible data set, and which samples land in which batch.

`SquaresDataset` is the custom Dataset (`__len__`, `__getitem__`); `batches()` iterates a real
`DataLoader` over it for a few epochs and records, for every epoch, the sample indices each
batch received, in order: shuffling, batch size, drop_last and the seeded generator made
visible. The dataset's first feature is the sample's own index, so a batch tells its indices.
"""

from dataclasses import dataclass

import torch
from torch.utils.data import DataLoader, Dataset

MAX_SAMPLES = 24
MAX_EPOCHS = 5


class SquaresDataset(Dataset):
    """Sample i is x = (i, i²) with the label y = i % 2 (odd or even)."""

    def __init__(self, n: int):
        self.n = n

    def __len__(self) -> int:
        return self.n

    def __getitem__(self, i: int) -> tuple[torch.Tensor, torch.Tensor]:
        x = torch.tensor([float(i), float(i * i)])
        y = torch.tensor(i % 2)
        return x, y


CODE = """\
import torch
from torch.utils.data import DataLoader, Dataset

class SquaresDataset(Dataset):
    def __init__(self, n):
        self.n = n

    def __len__(self):
        return self.n

    def __getitem__(self, i):
        x = torch.tensor([float(i), float(i * i)])
        y = torch.tensor(i % 2)          # odd or even
        return x, y

dataset = SquaresDataset({n})
g = torch.Generator().manual_seed({seed})
loader = DataLoader(dataset, batch_size={batch_size}, shuffle={shuffle},
                    drop_last={drop_last}, generator=g)
for epoch in range({epochs}):
    for b, (x, y) in enumerate(loader):
        print(epoch, b, x[:, 0].long().tolist())   # x[:, 0] is the sample's index
print(x.shape, x.dtype, y.shape, y.dtype)          # the last batch, collated
"""


@dataclass(frozen=True)
class Loading:
    """Where every sample went, epoch after epoch, and the shapes of a collated batch."""

    code: str
    rows: list[dict]  # epoch, position, index, batch (None: dropped by drop_last)
    batches_per_epoch: int
    shapes: dict[str, str]  # "x", "y" -> shape and dtype of the first collated batch
    first_batch: tuple[torch.Tensor, torch.Tensor]


def dataset_table(n: int) -> list[dict]:
    """The data set as rows: index, the two features, the label."""
    ds = SquaresDataset(n)
    return [
        {"index": i, "x[0] = i": x[0].item(), "x[1] = i²": x[1].item(), "y = i % 2": y.item()}
        for i, (x, y) in ((i, ds[i]) for i in range(len(ds)))
    ]


def batches(
    n: int = 10,
    batch_size: int = 4,
    shuffle: bool = True,
    drop_last: bool = False,
    seed: int = 0,
    epochs: int = 3,
) -> Loading:
    """Iterate a seeded DataLoader for `epochs` epochs; which indices each batch received."""
    if not (1 <= n <= MAX_SAMPLES and 1 <= batch_size <= n and 1 <= epochs <= MAX_EPOCHS):
        raise ValueError(f"need 1 <= batch_size <= n <= {MAX_SAMPLES}, 1 <= epochs <= {MAX_EPOCHS}")
    g = torch.Generator().manual_seed(seed)
    loader = DataLoader(
        SquaresDataset(n), batch_size=batch_size, shuffle=shuffle, drop_last=drop_last, generator=g
    )
    rows, first = [], None
    for epoch in range(epochs):
        seen = []
        for b, (x, y) in enumerate(loader):
            first = first or (x, y)
            for i in x[:, 0].long().tolist():
                rows.append({"epoch": epoch, "position": len(seen), "index": i, "batch": b})
                seen.append(i)
        for i in sorted(set(range(n)) - set(seen)):  # drop_last left these out this epoch
            rows.append({"epoch": epoch, "position": len(seen), "index": i, "batch": None})
            seen.append(i)
    shapes = (
        {name: f"{tuple(t.shape)}, {str(t.dtype).removeprefix('torch.')}"
         for name, t in zip(("x", "y"), first, strict=True)}
        if first is not None else {}
    )  # fmt: skip
    code = CODE.format(
        n=n, seed=seed, batch_size=batch_size, shuffle=shuffle, drop_last=drop_last, epochs=epochs
    )
    return Loading(code, rows, len(loader), shapes, first)
