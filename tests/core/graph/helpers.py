"""Helpers the graph tests share: trace a preset's program, count and find nodes by label."""

from collections import Counter

import networkx as nx
import torch

from core.expressions import evaluate, parse_value
from core.graph import backward, presets


def trace_preset(preset: presets.ProgramPreset, all_grad: bool = False, dtype=torch.float32):
    """The preset's variables, the program's results, and the backward trace of its output."""
    variables = {
        n: parse_value(text).to(dtype).requires_grad_(grad or all_grad)
        for n, (text, grad) in preset.variables.items()
    }
    results = evaluate(preset.program, variables)
    trace = backward.trace_backward(results[preset.output], {**variables, **results})
    return variables, results, trace


def label_counts(graph: nx.DiGraph) -> Counter:
    return Counter(d["label"] for _, d in graph.nodes(data=True))


def node_labelled(graph: nx.DiGraph, label: str) -> str:
    (node,) = [n for n, d in graph.nodes(data=True) if d["label"] == label]
    return node
