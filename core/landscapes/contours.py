"""Contour lines of a landscape: f on a grid, levels spaced in log(f - f_min), and marching
squares turning the grid into line segments for the chart."""

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
import torch

from core.landscapes.functions import Landscape


@dataclass
class Grid:
    """f sampled on a regular grid: xs (n,), ys (m,), z (m, n) with z[i, j] = f(xs[j], ys[i])."""

    xs: np.ndarray
    ys: np.ndarray
    z: np.ndarray


def evaluate_grid(land: Landscape, n: int = 200) -> Grid:
    """f on an n x n grid over the landscape's window, in one vectorised call."""
    x0, x1, y0, y1 = land.window
    xs = torch.linspace(x0, x1, n, dtype=torch.float64)
    ys = torch.linspace(y0, y1, n, dtype=torch.float64)
    # Row blocks under torch's parallel grain (32768 elements) stay on one thread: on a busy
    # shared CPU, waking the thread pool for a millisecond of work can cost fifty.
    rows = max(1, 16384 // n)
    with torch.no_grad():
        z = torch.cat([land.fn(xs[None, :], ys[i : i + rows, None]) for i in range(0, n, rows)])
    return Grid(xs.numpy(), ys.numpy(), z.numpy())


def log_levels(z: np.ndarray, f_min: float, count: int = 14) -> np.ndarray:
    """Contour levels evenly spaced in log(f - f_min) between the grid's 1st and 97th percentile."""
    gap = np.log10(np.maximum(z - f_min, 0) + 1e-3)
    lo, hi = np.nanpercentile(gap, [1, 97])
    return f_min + 10 ** np.linspace(lo, hi, count) - 1e-3


def contour_segments(
    xs: np.ndarray, ys: np.ndarray, z: np.ndarray, levels: float | Sequence[float] | np.ndarray
) -> pd.DataFrame:
    """Marching squares: the line segments (x, y, x2, y2, level) where z crosses each level."""
    finite = np.isfinite(z)
    z = np.where(finite, z, np.max(z[finite]) if finite.any() else 0.0)
    c00, c01, c11, c10 = z[:-1, :-1], z[:-1, 1:], z[1:, 1:], z[1:, :-1]
    shape = c00.shape
    xa = np.broadcast_to(xs[:-1][None, :], shape)
    xb = np.broadcast_to(xs[1:][None, :], shape)
    ya = np.broadcast_to(ys[:-1][:, None], shape)
    yb = np.broadcast_to(ys[1:][:, None], shape)
    frames = []
    for level in np.atleast_1d(np.asarray(levels, dtype=float)):
        # Crossing points on the edges bottom, right, top, left of every cell.
        ex = np.stack([_lerp(c00, c01, level, xa, xb), xb, _lerp(c10, c11, level, xa, xb), xa])
        ey = np.stack([ya, _lerp(c01, c11, level, ya, yb), yb, _lerp(c00, c10, level, ya, yb)])
        up = [c > level for c in (c00, c01, c11, c10)]
        hit = np.stack([up[0] != up[1], up[1] != up[2], up[3] != up[2], up[0] != up[3]])
        count = hit.sum(axis=0)
        pairs = []
        two = np.nonzero(count == 2)
        first = np.argmax(hit, axis=0)[two]
        second = 3 - np.argmax(hit[::-1], axis=0)[two]
        pairs.append((two, first, second))
        four = np.nonzero(count == 4)
        if four[0].size:
            centre_up = (c00 + c01 + c11 + c10)[four] / 4 > level
            same = centre_up == up[0][four]  # c00 joins c11 through the centre
            pairs.append((four, np.zeros_like(first, shape=same.shape), np.where(same, 1, 3)))
            pairs.append((four, np.full(same.shape, 2), np.where(same, 3, 1)))
        for cells, a, b in pairs:
            if len(cells[0]):
                frames.append(
                    pd.DataFrame(
                        {
                            "x": ex[a, *cells],
                            "y": ey[a, *cells],
                            "x2": ex[b, *cells],
                            "y2": ey[b, *cells],
                            "level": level,
                        }
                    )
                )
    if not frames:
        return pd.DataFrame(columns=["x", "y", "x2", "y2", "level"])
    return pd.concat(frames, ignore_index=True)


def _lerp(a: np.ndarray, b: np.ndarray, level: float, pa: np.ndarray, pb: np.ndarray):
    with np.errstate(divide="ignore", invalid="ignore"):
        t = np.clip((level - a) / (b - a), 0.0, 1.0)
    return pa + np.nan_to_num(t, nan=0.5) * (pb - pa)


# The code the page shows beside the contour map.
CODE_GRID = """
import torch

xs = torch.linspace(-2, 2, 200)
ys = torch.linspace(-1, 3, 200)
Y, X = torch.meshgrid(ys, xs, indexing="ij")      # 200 x 200 grid, no Python loop
Z = (1 - X) ** 2 + 100 * (Y - X**2) ** 2         # the same formula, evaluated everywhere
print(Z.shape, Z.min())
"""
