"""The lecture's example data, generated here (seeded) or loaded from scikit-learn's bundled files.

Nothing is downloaded: the toy sets are drawn with NumPy, the digits ship inside scikit-learn.
Every function returns float32 inputs and either float32 targets (regression) or int64 labels.
"""

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import torch

TRUE_W = (2.0, -3.4)
TRUE_B = 4.2
TOY_SETS = ("moons", "circles", "spiral", "xor", "blobs")


@dataclass(frozen=True)
class Split:
    """Train and test tensors of one data set."""

    x_train: torch.Tensor
    y_train: torch.Tensor
    x_test: torch.Tensor
    y_test: torch.Tensor

    @property
    def n_classes(self) -> int:
        """Number of classes (labels are 0 .. n - 1)."""
        return int(torch.cat([self.y_train, self.y_test]).max()) + 1


def synthetic_linear(
    w: tuple[float, ...] = TRUE_W,
    b: float = TRUE_B,
    n: int = 1000,
    noise: float = 0.01,
    seed: int = 0,
) -> tuple[torch.Tensor, torch.Tensor]:
    """The notebook's y = Xw + b + noise, X ~ N(0, 1): features (n, d) and targets (n, 1)."""
    g = torch.Generator().manual_seed(seed)
    w_t = torch.tensor(w, dtype=torch.float32)
    x = torch.normal(0.0, 1.0, (n, len(w)), generator=g)
    y = x @ w_t + b + torch.normal(0.0, noise, (n,), generator=g)
    return x, y.reshape(-1, 1)


def wavy_curve(x: np.ndarray | torch.Tensor) -> np.ndarray | torch.Tensor:
    """The noiseless curve behind the 1-D regression: a sine on a gentle slope."""
    lib = torch if isinstance(x, torch.Tensor) else np
    return lib.sin(2.0 * x) + 0.3 * x


def curve_points(n: int = 200, noise: float = 0.15, seed: int = 0) -> Split:
    """Noisy samples of `wavy_curve` on [-3, 3]; every fifth point held out for testing."""
    rng = np.random.default_rng(seed)
    x = np.sort(rng.uniform(-3.0, 3.0, n)).astype(np.float32)
    y = (wavy_curve(x) + rng.normal(0.0, noise, n)).astype(np.float32)
    test = np.arange(n) % 5 == 2
    xt, yt = torch.from_numpy(x).reshape(-1, 1), torch.from_numpy(y).reshape(-1, 1)
    return Split(xt[~test], yt[~test], xt[test], yt[test])


def _moons(n: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    labels = rng.permutation(np.arange(n) % 2)
    t = rng.uniform(0.0, np.pi, n)
    upper = np.stack([np.cos(t), np.sin(t)], 1)
    lower = np.stack([1.0 - np.cos(t), 0.5 - np.sin(t)], 1)
    points = np.where(labels[:, None] == 0, upper, lower) - np.array([0.5, 0.25])
    return points, labels


def _circles(n: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    labels = rng.permutation(np.arange(n) % 2)
    t = rng.uniform(0.0, 2 * np.pi, n)
    radius = np.where(labels == 0, 1.2, 0.6)
    return radius[:, None] * np.stack([np.cos(t), np.sin(t)], 1), labels


def _spiral(n: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    labels = rng.permutation(np.arange(n) % 2)
    r = rng.uniform(0.05, 1.0, n)
    t = 1.75 * 2 * np.pi * r + np.pi * labels
    return 1.4 * r[:, None] * np.stack([np.sin(t), np.cos(t)], 1), labels


def _xor(n: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    points = rng.uniform(-1.0, 1.0, (n, 2))
    points += 0.1 * np.sign(points)  # keep a little gap around the axes, as the Playground does
    labels = (points[:, 0] * points[:, 1] < 0).astype(np.int64)
    return points, labels


def _blobs(n: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    labels = rng.permutation(np.arange(n) % 3)
    angle = 2 * np.pi * labels / 3 + np.pi / 2
    centres = np.stack([np.cos(angle), np.sin(angle)], 1)
    return centres + rng.normal(0.0, 0.3, (n, 2)), labels


_MAKERS = {"moons": _moons, "circles": _circles, "spiral": _spiral, "xor": _xor, "blobs": _blobs}
# How strongly each set feels the noise slider (its own length scale).
_NOISE_SCALE = {"moons": 1.0, "circles": 0.5, "spiral": 0.25, "xor": 0.5, "blobs": 1.0}


def toy_2d(
    name: str, n: int = 400, noise: float = 0.2, seed: int = 0
) -> tuple[np.ndarray, np.ndarray]:
    """A 2-D toy classification set (moons, circles, spiral, xor, blobs): points (n, 2), labels (n,)."""
    if name not in _MAKERS:
        raise ValueError(f"unknown toy set {name!r}; choose one of {', '.join(TOY_SETS)}")
    rng = np.random.default_rng(seed)
    points, labels = _MAKERS[name](n, rng)
    points = points + rng.normal(0.0, noise * _NOISE_SCALE[name], points.shape)
    return points.astype(np.float32), labels.astype(np.int64)


def split(x: np.ndarray, y: np.ndarray, test_fraction: float = 0.3, seed: int = 0) -> Split:
    """A seeded random train/test split of arrays into tensors."""
    order = np.random.default_rng(seed + 1).permutation(len(x))
    n_test = int(round(test_fraction * len(x)))
    test, train = order[:n_test], order[n_test:]
    return Split(
        torch.from_numpy(x[train]),
        torch.from_numpy(y[train]),
        torch.from_numpy(x[test]),
        torch.from_numpy(y[test]),
    )


def toy_split(name: str, n: int = 400, noise: float = 0.2, seed: int = 0) -> Split:
    """A toy set split 70 / 30 into train and test."""
    return split(*toy_2d(name, n, noise, seed), test_fraction=0.3, seed=seed)


@lru_cache(maxsize=1)
def _digit_arrays() -> tuple[np.ndarray, np.ndarray]:
    from sklearn.datasets import load_digits  # imported late: sklearn takes seconds to import

    data = load_digits()
    images = (data.images / 16.0).astype(np.float32)[:, None]
    images.flags.writeable = False
    return images, data.target.astype(np.int64)


def digits(seed: int = 0, test_fraction: float = 0.2) -> Split:
    """scikit-learn's bundled 8 x 8 handwritten digits, pixels scaled to [0, 1], shape (n, 1, 8, 8)."""
    return split(*_digit_arrays(), test_fraction, seed)


def sin_cos_window(
    start: np.ndarray, steps: int = 10, dt: float = np.pi / 10
) -> tuple[torch.Tensor, torch.Tensor]:
    """The notebook's RNN data: sin(t) in, cos(t) out, `steps` points from each start time.

    Returns inputs and targets of shape (batch, steps, 1).
    """
    t = np.asarray(start, dtype=np.float64)[:, None] + dt * np.arange(steps)
    x = torch.from_numpy(np.sin(t).astype(np.float32))[..., None]
    y = torch.from_numpy(np.cos(t).astype(np.float32))[..., None]
    return x, y
