"""The layers: deterministic, every node once, every edge left to right, even on a big graph."""

import networkx as nx

from core.graph import layout, presets, record
from tests.core.graph.helpers import trace_preset


def _layer_of(graph: nx.DiGraph) -> dict[str, int]:
    """Each node's layer in the drawing: inputs in layer 0, the output in the last."""
    return {n: i for i, row in enumerate(layout.layers(graph)) for n in row}


def test_layout_is_deterministic_and_left_to_right():
    for build in (
        lambda: trace_preset(presets.SHARED)[2].graph,
        lambda: record.autograd_graph(presets.mlp_preset().output, presets.mlp_preset().names),
    ):
        first, second = build(), build()
        assert layout.layers(first) == layout.layers(second)
        rows = layout.layers(first)
        assert sorted(n for row in rows for n in row) == sorted(first.nodes)  # each node once
        layer = _layer_of(first)
        for src, dst in first.edges:
            assert layer[src] < layer[dst], (src, dst)
        assert rows[-1] == [record.OUTPUT_ID]


def test_layout_reduces_crossings_on_a_big_graph():
    built = presets.mlp_preset(widths=(2,) + (3,) * 60 + (1,))
    graph = record.autograd_graph(built.output, built.names)
    assert 250 <= graph.number_of_nodes() <= 400
    layer = _layer_of(graph)
    for src, dst in graph.edges:
        assert layer[src] < layer[dst]
    assert set(layer) == set(graph.nodes)
