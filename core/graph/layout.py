"""The graph's layout for the drawing: nodes in layers, inputs left, output right."""

import networkx as nx


def layers(graph: nx.DiGraph, sweeps: int = 4) -> list[list[str]]:
    """Nodes in layers, left (inputs) to right (output), ordered to reduce edge crossings.

    Layers are the topological generations counted back from the output, so every node sits
    just before its first consumer. Within a layer, alternating barycentric sweeps (over each
    node's neighbours in the other layers) order the nodes.
    """
    if graph.number_of_nodes() == 0:
        return []
    depth: dict[str, int] = {}
    for d, generation in enumerate(nx.topological_generations(graph.reverse(copy=False))):
        for node in generation:
            depth[node] = d
    last = max(depth.values())
    layer = {node: last - d for node, d in depth.items()}
    count = max(layer.values()) + 1
    rows: list[list[str]] = [[] for _ in range(count)]
    for node in sorted(graph.nodes, key=lambda n: graph.nodes[n].get("order", 0)):
        rows[layer[node]].append(node)
    rows = [list(reversed(r)) for r in rows]  # discovery runs backwards from the output
    for sweep in range(sweeps):
        forward = sweep % 2 == 0
        rng = range(1, count) if forward else range(count - 2, -1, -1)
        for i in rng:
            position = {n: p for row in rows for p, n in enumerate(row)}
            keyed = []
            for p, node in enumerate(rows[i]):
                near = list(graph.predecessors(node) if forward else graph.successors(node))
                bary = sum(position[n] for n in near) / len(near) if near else float(p)
                keyed.append((bary, p, node))
            rows[i] = [n for _, _, n in sorted(keyed)]
    return rows
