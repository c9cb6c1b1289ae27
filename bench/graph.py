"""Time the autograd graph: build + layout of the MLP preset (target < 0.5 s) and of a graph of
a few hundred nodes; also the full backward trace and the DOT drawing. Prints figures.

    python bench/graph.py
"""

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from core.charts.graph import graph_dot  # noqa: E402
from core.graph import backward, layout, presets, record  # noqa: E402

TARGET = 0.5  # seconds, for the MLP preset's graph build + layout


def best_of(fn, repeat: int = 5) -> float:
    """The best wall time of a few runs (the machine is shared)."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def build_and_layout(widths: tuple[int, ...]) -> int:
    built = presets.mlp_preset(widths=widths)
    graph = record.autograd_graph(built.output, built.names)
    layout.layers(graph)
    return graph.number_of_nodes()


def trace_and_draw(widths: tuple[int, ...]) -> None:
    built = presets.mlp_preset(widths=widths)
    trace = backward.trace_backward(built.output, built.names)
    graph_dot(trace.graph, highlight=trace.steps[len(trace.steps) // 2].node)


def main() -> None:
    cases = [
        ("MLP preset (2, 4, 1)", (2, 4, 1)),
        ("MLP, 20 layers", (2,) + (3,) * 20 + (1,)),
        ("MLP, 60 layers", (2,) + (3,) * 60 + (1,)),
        ("MLP, 120 layers", (2,) + (3,) * 120 + (1,)),
    ]
    build_and_layout(cases[0][1])  # warm-up: imports, first autograd run
    print(f"{'graph':<24}{'nodes':>7}{'build+layout':>15}{'trace+DOT':>12}")
    for name, widths in cases:
        nodes = build_and_layout(widths)
        t_layout = best_of(lambda w=widths: build_and_layout(w))
        t_trace = best_of(lambda w=widths: trace_and_draw(w))
        print(f"{name:<24}{nodes:>7}{t_layout * 1000:>12.1f} ms{t_trace * 1000:>9.1f} ms")
    mlp = best_of(lambda: build_and_layout((2, 4, 1)))
    print(
        f"MLP preset build+layout: {mlp * 1000:.1f} ms; target {TARGET * 1000:.0f} ms; "
        f"ratio {mlp / TARGET:.3f} of the target"
    )


if __name__ == "__main__":
    main()
