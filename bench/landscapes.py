"""Benchmark the gradient-descent page's work: grid, six optimisers x 500 steps, Li et al. slice.

Run by hand: `python bench/landscapes.py`. Prints wall and CPU times (median of repeats), each
landscape at its default rate, and the ratio to the targets (150 ms for grid + trajectories, a
few seconds for the 31 x 31 slice).
"""

import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import torch  # noqa: E402

from core import optimisers  # noqa: E402
from core.charts import landscapes as charts  # noqa: E402
from core.landscapes import contours, descent, functions, network_slice  # noqa: E402


def timed(fn, repeats: int):
    walls, cpus = [], []
    for _ in range(repeats):
        w, c = time.perf_counter(), time.process_time()
        fn()
        walls.append(time.perf_counter() - w)
        cpus.append(time.process_time() - c)
    return statistics.median(walls), statistics.median(cpus)


def main() -> None:
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads")
    land = functions.landscape("rosenbrock")

    def cold():
        descent.run_optimisers(land, optimisers.NAMES, 1e-3, 500)

    w, _ = timed(cold, 1)
    print(f"first call in a fresh process (torch.optim warm-up): {w * 1e3:8.1f} ms")

    def grid():
        contours.evaluate_grid(land, 200)

    def paths():
        descent.run_optimisers(land, optimisers.NAMES, 1e-3, 500)

    def both():
        grid()
        paths()

    def background():
        g = contours.evaluate_grid(land, 200)
        c = contours.evaluate_grid(land, 100)
        charts.heat_png(g.z, land.f_min)
        contours.contour_segments(c.xs, c.ys, c.z, contours.log_levels(g.z, land.f_min))

    for label, fn, reps in [
        ("200 x 200 grid", grid, 20),
        ("6 optimisers x 500 steps", paths, 7),
        ("grid + 6 x 500 (target 150 ms)", both, 7),
        ("heat PNG + contour lines (cached per landscape)", background, 5),
    ]:
        w, c = timed(fn, reps)
        extra = f"  ratio to target {w / 0.150:.2f}" if "target" in label else ""
        print(f"{label:48s} wall {w * 1e3:8.1f} ms   cpu {c * 1e3:8.1f} ms{extra}")

    worst = 0.0
    for key in functions.KEYS:
        other = functions.landscape(key)

        def full(land=other):
            contours.evaluate_grid(land, 200)
            descent.run_optimisers(land, optimisers.NAMES, land.lr, 500)

        w, _ = timed(full, 5)
        worst = max(worst, w)
        print(f"  {key:12s} grid + 6 x 500 at its default rate    wall {w * 1e3:8.1f} ms")
    print(
        f"{'slowest landscape (target 150 ms)':48s} wall {worst * 1e3:8.1f} ms"
        f"  ratio to target {worst / 0.150:.2f}"
    )

    def li():
        for _ in network_slice.li_slice(resolution=31):
            pass

    w, c = timed(li, 2)
    print(f"{'Li et al. slice 31 x 31 incl. training':48s} wall {w:8.2f} s    cpu {c:8.2f} s")


if __name__ == "__main__":
    main()
