"""Log ladders: round-number options evenly spaced on a log scale, for learning-rate sliders."""

import math


def log_ladder(lowest: int, highest: int, mantissas: tuple[float, ...]) -> list[float]:
    """m · 10^e for e in [lowest, highest) and m in `mantissas`, then 10^highest on top.

    log_ladder(-4, 0, (1, 2, 5)) is 0.0001, 0.0002, 0.0005, 0.001, …, 0.5, 1.0.
    """
    rungs = [round(m * 10.0**e, 6) for e in range(lowest, highest) for m in mantissas]
    return rungs + [float(10.0**highest)]


def nearest_rung(ladder: list[float], value: float) -> float:
    """The rung of `ladder` nearest to `value` on a log scale (non-positive values: the lowest)."""
    if not value > 0 or not math.isfinite(value):
        return ladder[0] if not value > 0 else ladder[-1]
    return min(ladder, key=lambda rung: abs(math.log(rung) - math.log(value)))
