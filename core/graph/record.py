"""The graph autograd records: ``grad_fn.next_functions`` -> networkx.DiGraph.

Edges point the forward way: leaves -> ops -> output. Node ids are deterministic (``leaf0``,
``op3``, ``out``), numbered in the order the walk from the output discovers them.
"""

from collections.abc import Mapping

import networkx as nx
import torch

from core.i18n import Translate, untranslated
from core.summary import TensorSummary, keep, summarise

OUTPUT_ID = "out"


def autograd_name(fn: object) -> str:
    """The node's name as autograd prints it, without the C++ namespace (``AccumulateGrad``)."""
    return fn.name().split("::")[-1]


def grad_fns(output: torch.Tensor) -> list:
    """Every grad_fn node reachable from the output, in a deterministic discovery order."""
    if output.grad_fn is None:
        return []
    seen = {output.grad_fn}
    order = [output.grad_fn]
    stack = [output.grad_fn]
    while stack:
        fn = stack.pop()
        for child, _ in fn.next_functions:
            if child is not None and child not in seen:
                seen.add(child)
                order.append(child)
                stack.append(child)
    return order


def node_ids(fns: list) -> dict:
    """Each grad_fn's node id: ``leaf0``, ``leaf1``... and ``op0``, ``op1``... in walk order."""
    ids: dict = {}
    counts = {"leaf": 0, "op": 0}
    for fn in fns:
        kind = "leaf" if hasattr(fn, "variable") else "op"
        ids[fn] = f"{kind}{counts[kind]}"
        counts[kind] += 1
    return ids


def _output_shape(fn: object) -> tuple[int, ...] | None:
    try:
        return tuple(fn._input_metadata[0].shape)
    except (AttributeError, IndexError, RuntimeError):
        return None


def autograd_graph(
    output: torch.Tensor,
    names: Mapping[str, torch.Tensor] | None = None,
    op_grads: Mapping[str, torch.Tensor] | None = None,
) -> nx.DiGraph:
    """The computation graph behind ``output``: leaves, autograd's op nodes and the output.

    Node attributes: kind (leaf/op/output), label, name, op, shape, value, grad. ``op_grads``
    (from :func:`trace_backward`) gives op nodes the gradient that reached them.
    """
    names = {n: t for n, t in (names or {}).items() if isinstance(t, torch.Tensor)}
    by_identity: dict[int, list[str]] = {}
    for name, tensor in names.items():
        by_identity.setdefault(id(tensor), []).append(name)
    out_names = by_identity.get(id(output), [])
    fns = grad_fns(output)
    ids = node_ids(fns)
    graph = nx.DiGraph()
    for index, fn in enumerate(fns):
        node = ids[fn]
        if node.startswith("leaf"):
            var = fn.variable
            user = by_identity.get(id(var), [])
            label = ", ".join(user) if user else f"leaf {tuple(var.shape)}"
            graph.add_node(
                node,
                kind="leaf",
                label=label,
                name=", ".join(user),
                op="AccumulateGrad",
                shape=tuple(var.shape),
                value=keep(var),
                grad=keep(var.grad),
                order=index,
            )
            continue
        produced = [(n, t) for n, t in names.items() if t.grad_fn is fn and t is not output]
        user = [n for n, _ in produced]
        tensor = produced[0][1] if produced else (output if fn is output.grad_fn else None)
        grad = (op_grads or {}).get(node)
        if grad is None and produced and produced[0][1].retains_grad:
            grad = produced[0][1].grad
        graph.add_node(
            node,
            kind="op",
            label=autograd_name(fn),
            name=", ".join(user),
            op=autograd_name(fn),
            shape=_output_shape(fn),
            value=keep(tensor),
            grad=keep(grad),
            order=index,
        )
    for fn in fns:
        for slot, (child, _) in enumerate(fn.next_functions):
            if child is None:
                continue
            src, dst = ids[child], ids[fn]
            if graph.has_edge(src, dst):
                graph.edges[src, dst]["slots"].append(slot)
            else:
                graph.add_edge(src, dst, slots=[slot])
    out_grad = None
    if op_grads and OUTPUT_ID in op_grads:
        out_grad = op_grads[OUTPUT_ID]
    graph.add_node(
        OUTPUT_ID,
        kind="output",
        label=", ".join(out_names) if out_names else "output",
        name=", ".join(out_names),
        op=autograd_name(output.grad_fn) if output.grad_fn is not None else "",
        shape=tuple(output.shape),
        value=keep(output),
        grad=keep(out_grad),
        order=len(fns),
    )
    if fns:
        graph.add_edge(ids[fns[0]], OUTPUT_ID, slots=[0])
    return graph


MAX_SHAPE_DIMS = 8  # a shape printed with more dimensions than this is shortened
MAX_PRINTED_DIMS = 4  # a tensor with more dimensions than this is printed by its shape


def shape_text(shape: tuple[int, ...]) -> str:
    """A shape as ``(3, 2)``, at most MAX_SHAPE_DIMS sizes shown (then ``… 12 dims``)."""
    shape = tuple(shape)
    if len(shape) <= MAX_SHAPE_DIMS:
        return str(shape)
    head = ", ".join(map(str, shape[:MAX_SHAPE_DIMS]))
    return f"({head}, … {len(shape)} dims)"


def format_tensor(
    t: torch.Tensor | TensorSummary | None,
    digits: int = 2,
    max_items: int = 8,
    gettext: Translate = untranslated,
) -> str:
    """A compact printout: ``2.00``, ``[-2.00, -0.26]``, or the shape when it is too big.

    "Too big" counts rows as well as elements: ``(1_000_000, 0)`` has no elements but would
    print a million ``[]``, so any tensor whose extent (sizes, 0 counted as 1) is over
    ``max_items`` is shown by its shape; the text never grows with the tensor.
    """
    if t is None:
        return "—"
    rows = 1
    for size in t.shape:
        rows *= max(int(size), 1)
    too_big = t.numel() > max_items or rows > max_items or len(t.shape) > MAX_PRINTED_DIMS
    if isinstance(t, TensorSummary) or too_big:
        _ = gettext
        return _("shape {shape}, mean {mean}").format(
            shape=shape_text(t.shape), mean=f"{summarise(t).mean:.{digits}f}"
        )
    t = t.detach()

    def fmt(v: float) -> str:
        return f"{v:.{digits}f}"

    def rec(x: torch.Tensor) -> str:
        if x.dim() == 0:
            return fmt(x.item())
        return "[" + ", ".join(rec(row) for row in x) + "]"

    return rec(t.float())


# The code the page shows beside the graph: the same walk, by hand.
_WALK = """
def walk(fn, depth=0):
    # print the graph autograd recorded, from the output back to the leaves
    print("  " * depth + fn.name())
    for child, _ in fn.next_functions:
        if child is not None:
            walk(child, depth + 1)

walk({output}.grad_fn)
"""


def code_walk(output: str = "r", setup: str = "") -> str:
    """The walk snippet, started from the grad_fn of the variable named `output`: after the
    code `setup` that makes it (so it runs alone), or, without one, after the program above."""
    if not setup:
        return f"# run after the program above, which makes {output}" + _WALK.format(output=output)
    return (
        setup.strip()
        + "\n\n# the graph autograd recorded for "
        + output
        + _WALK.format(output=output)
    )


CODE_WALK = code_walk("r")
