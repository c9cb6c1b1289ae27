"""The grid and its contour lines: pointwise values, segments on their level, shown code."""

import numpy as np
import pytest
import torch

from core.landscapes import contours, functions


def test_grid_matches_pointwise_evaluation():
    land = functions.landscape("beale")
    grid = contours.evaluate_grid(land, 200)
    for i, j in [(0, 0), (17, 150), (199, 3), (100, 100)]:
        x, y = torch.tensor(grid.xs[j]), torch.tensor(grid.ys[i])
        assert grid.z[i, j] == pytest.approx(land.fn(x, y).item(), rel=1e-12)


def test_contour_segments_lie_on_the_level():
    land = functions.landscape("quadratic", 4.0)
    grid = contours.evaluate_grid(land, 120)
    segs = contours.contour_segments(grid.xs, grid.ys, grid.z, [1.0])
    assert len(segs) > 50
    # points on the ellipse (x² + 4y²)/2 = 1, up to the grid's linear interpolation
    for col_x, col_y in (("x", "y"), ("x2", "y2")):
        f = 0.5 * (segs[col_x] ** 2 + 4 * segs[col_y] ** 2)
        assert np.abs(f - 1.0).max() < 0.01


def test_shown_code_runs(capsys):
    exec(compile(contours.CODE_GRID, "<shown code>", "exec"), {})
    assert capsys.readouterr().out.strip()
