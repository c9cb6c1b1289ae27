"""The DOT drawing of the autograd graph: colours, highlight, compact boxes on big graphs."""

import torch

from core.charts.graph import graph_dot
from core.graph import presets, record
from tests.core.graph.helpers import trace_preset


def test_dot_drawing_colours_and_highlight():
    _, _, trace = trace_preset(presets.SHARED)
    dot = graph_dot(trace.graph, highlight="op0")
    assert dot.startswith("digraph") and dot.rstrip().endswith("}")
    assert dot.count("{") == dot.count("}")
    assert "rankdir=TB" in dot  # five layers deep: drawn top to bottom, never shrunk
    assert "#009E73" in dot and "#D55E00" in dot and "#CC79A7" in dot  # leaf, output, current
    assert "grad 16.00" in dot and "data -48.00" in dot
    assert "e = MulBackward0" in dot
    compact = graph_dot(
        record.autograd_graph(presets.mlp_preset(widths=(2,) + (3,) * 20 + (1,)).output)
    )
    assert "<B>grad" not in compact and "AddmmBackward0" in compact


def test_shallow_graphs_run_left_to_right_and_the_walk_reveals_gradients():
    _, _, trace = trace_preset(presets.DOT_PRODUCT)
    full = graph_dot(trace.graph)
    assert "rankdir=LR" in full and "grad ?" not in full
    first = trace.steps[0].node
    start = graph_dot(trace.graph, highlight=first, reached={first})
    assert start.count("grad ?") == sum(
        1 for n, d in trace.graph.nodes(data=True) if d.get("grad") is not None and n != first
    )
    everything = {s.node for s in trace.steps}
    assert "grad ?" not in graph_dot(trace.graph, reached=everything)


def test_the_drawing_and_the_walk_read_in_chinese():
    from core.graph import backward
    from core.i18n import catalogue

    zh = catalogue("zh").gettext
    _, _, trace = trace_preset(presets.DOT_PRODUCT)
    dot = graph_dot(trace.graph, gettext=zh)
    assert "r（输出）" in dot and "形状 (2,)" in dot and "(output)" not in dot
    assert "r (output)" in graph_dot(trace.graph)  # English by default
    # the walk's words: the leaf's accumulation and a big tensor's shape and mean
    x = torch.ones(3, 4, requires_grad=True)
    zh_trace = backward.trace_backward((x * 2).sum(), {"x": x}, gettext=zh)
    assert zh_trace.steps[-1].handoffs[0].formula == "累加到 .grad"
    assert record.format_tensor(x.grad, gettext=zh) == "形状 (3, 4)，均值 2.00"
    assert record.format_tensor(x.grad) == "shape (3, 4), mean 2.00"
    sums = [s for s in zh_trace.steps if s.label == "SumBackward0"][0]
    assert sums.handoffs[0].formula == "∂(Σ x)/∂xᵢ = 1（对每个元素）"
