"""How long the expression language takes to refuse what it must refuse, and to run the largest
programs it accepts (the tests assert the refusals and the memory; the times live here).

    python bench/expressions.py
"""

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import torch  # noqa: E402

from core.charts.graph import graph_dot  # noqa: E402
from core.expressions import MAX_NUMEL, ExpressionError, evaluate, parse_value  # noqa: E402
from core.graph import backward, record  # noqa: E402


def timed(label: str, fn, repeat: int = 5) -> None:
    """Print the best of `repeat` wall times of fn(), and what it gave (or refused)."""
    best, outcome = float("inf"), ""
    for _ in range(repeat):
        start = time.perf_counter()
        try:
            fn()
            outcome = "ran"
        except ExpressionError as err:
            outcome = "refused: " + err.message[:60]
        best = min(best, time.perf_counter() - start)
    print(f"{label:48s} {best * 1000:8.2f} ms  {outcome}")


def whole_page(spec: str) -> None:
    """What the autograd page does with r = x * 2: evaluate, print, trace, draw."""
    x = parse_value(spec).requires_grad_(True)
    out = evaluate("r = x * 2", {"x": x})
    record.format_tensor(out["r"])
    repr(out["r"])
    graph_dot(backward.trace_backward(out["r"], {"x": x, **out}).graph)


def main() -> None:
    y = parse_value("randn(316, 1, 1, 316)")
    z = parse_value("randn(1, 316, 316, 1)")
    timed("broadcast y @ z (31.5M-element copies)", lambda: evaluate("r = y @ z", {"y": y, "z": z}))
    timed("randn(1000000, 0) (empty, a million rows)", lambda: parse_value("randn(1000000, 0)"))
    timed("randn(100000000, 0)", lambda: parse_value("randn(100000000, 0)"))
    a, b = torch.randn(1000, 1, 0), torch.randn(1, 1000, 0)
    timed("(1000, 1, 0) * (1, 1000, 0)", lambda: evaluate("r = a * b", {"a": a, "b": b}))
    timed(
        f"page: r = x * 2, x = randn({MAX_NUMEL}, 0)", lambda: whole_page(f"randn({MAX_NUMEL}, 0)")
    )
    timed(f"page: r = x * 2, x = randn({MAX_NUMEL})", lambda: whole_page(f"randn({MAX_NUMEL})"))


if __name__ == "__main__":
    main()
