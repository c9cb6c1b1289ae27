"""The graph autograd records: ``grad_fn.next_functions`` -> networkx.DiGraph, its layout, and
the backward pass walked step by step (hooks on autograd's own nodes capture each gradient).

Edges point the forward way: leaves -> ops -> output. Node ids are deterministic (``leaf0``,
``op3``, ``out``), numbered in the order the walk from the output discovers them.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field

import networkx as nx
import torch
from torch import nn

from core.expressions import evaluate
from core.summary import TensorSummary, keep, summarise

OUTPUT_ID = "out"


def autograd_name(fn: object) -> str:
    """The node's name as autograd prints it, without the C++ namespace (``AccumulateGrad``)."""
    return fn.name().split("::")[-1]


def _walk(output: torch.Tensor) -> list:
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


def _node_ids(fns: list) -> dict:
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
    fns = _walk(output)
    ids = _node_ids(fns)
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


# ---------------------------------------------------------------- layout


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


def layered_layout(graph: nx.DiGraph) -> dict[str, tuple[float, float]]:
    """Deterministic positions: x is the layer (inputs left, output right), y the rank in it."""
    pos: dict[str, tuple[float, float]] = {}
    for x, row in enumerate(layers(graph)):
        for rank, node in enumerate(row):
            pos[node] = (float(x), (len(row) - 1) / 2 - rank)
    return pos


# ---------------------------------------------------------------- backward, step by step


@dataclass
class Handoff:
    """What one op node passes to one of its inputs during backward."""

    target: str | None  # the input's node id (None: an input that needs no gradient)
    formula: str  # the local derivative, in words
    local: torch.Tensor | TensorSummary | None  # its value, where it is a simple tensor
    grad: torch.Tensor | TensorSummary | None  # the gradient passed on (large: a summary)


@dataclass
class BackwardStep:
    """One node of the backward pass: the gradient that reached it and what it passes on."""

    node: str
    label: str
    kind: str
    grad: torch.Tensor | TensorSummary | None
    handoffs: list[Handoff] = field(default_factory=list)


@dataclass
class BackwardTrace:
    """The graph (with values and gradients) and the backward steps in execution order."""

    graph: nx.DiGraph
    steps: list[BackwardStep]
    seeded_with_ones: bool  # the output was not a scalar: backward(torch.ones_like(out))


def _saved(fn: object, attr: str) -> object:
    try:
        return getattr(fn, attr)
    except (AttributeError, RuntimeError):
        return None


def _as_t(value: object) -> torch.Tensor | None:
    if isinstance(value, torch.Tensor):
        return value.detach()
    if isinstance(value, int | float):
        return torch.tensor(float(value))
    return None


def local_derivatives(fn: object) -> list[tuple[str, torch.Tensor | TensorSummary | None]]:
    """For each input of an op node, the local derivative (words, and a value where simple)."""
    op = autograd_name(fn)
    s = lambda a: _as_t(_saved(fn, a))  # noqa: E731
    n_inputs = len(fn.next_functions)
    table: dict[str, list[tuple[str, object]]] = {}
    x, other, result = s("_saved_self"), s("_saved_other"), s("_saved_result")
    alpha = s("_saved_alpha")
    if op == "AddBackward0":
        table[op] = [("∂(a + b)/∂a = 1", torch.tensor(1.0)), ("∂(a + b)/∂b = 1", alpha)]
    elif op == "SubBackward0":
        table[op] = [
            ("∂(a − b)/∂a = 1", torch.tensor(1.0)),
            ("∂(a − b)/∂b = −1", None if alpha is None else -alpha),
        ]
    elif op == "MulBackward0":
        table[op] = [("∂(a · b)/∂a = b", other), ("∂(a · b)/∂b = a", x)]
    elif op == "DivBackward0":
        table[op] = [
            ("∂(a / b)/∂a = 1 / b", None if other is None else 1 / other),
            ("∂(a / b)/∂b = −a / b²", None if x is None or other is None else -x / other**2),
        ]
    elif op == "PowBackward0":
        e = s("_saved_exponent")
        val = None if x is None or e is None else e * x ** (e - 1)
        table[op] = [("∂(x^p)/∂x = p · x^(p−1)", val)]
    elif op == "NegBackward0":
        table[op] = [("∂(−x)/∂x = −1", torch.tensor(-1.0))]
    elif op == "SinBackward0":
        table[op] = [("∂sin(x)/∂x = cos(x)", None if x is None else torch.cos(x))]
    elif op == "CosBackward0":
        table[op] = [("∂cos(x)/∂x = −sin(x)", None if x is None else -torch.sin(x))]
    elif op == "ExpBackward0":
        table[op] = [("∂exp(x)/∂x = exp(x)", result)]
    elif op == "LogBackward0":
        table[op] = [("∂log(x)/∂x = 1 / x", None if x is None else 1 / x)]
    elif op == "SqrtBackward0":
        table[op] = [("∂√x/∂x = 1 / (2√x)", None if result is None else 1 / (2 * result))]
    elif op == "AbsBackward0":
        table[op] = [("∂|x|/∂x = sign(x)", None if x is None else torch.sign(x))]
    elif op == "TanhBackward0":
        table[op] = [("∂tanh(x)/∂x = 1 − tanh²(x)", None if result is None else 1 - result**2)]
    elif op == "SigmoidBackward0":
        val = None if result is None else result * (1 - result)
        table[op] = [("∂σ(x)/∂x = σ(x)(1 − σ(x))", val)]
    elif op == "ReluBackward0":
        val = None if result is None else (result > 0).float()
        table[op] = [("∂relu(x)/∂x = 1 where x > 0, else 0", val)]
    elif op == "SumBackward0":
        table[op] = [("∂(Σ x)/∂xᵢ = 1 for every element", torch.tensor(1.0))]
    elif op == "MeanBackward0":
        size = _saved(fn, "_saved_self_sym_sizes")
        n = 1
        for d in size or ():
            n *= int(d)
        table[op] = [("∂(mean x)/∂xᵢ = 1 / n", torch.tensor(1.0 / n))]
    elif op == "DotBackward0":
        table[op] = [("∂(a · b)/∂a = b", s("_saved_tensor")), ("∂(a · b)/∂b = a", x)]
    elif op == "MvBackward0":
        table[op] = [
            ("∂(W v)/∂W = v: the gradient is grad ⊗ v", s("_saved_vec")),
            ("∂(W v)/∂v = W: the gradient is Wᵀ grad", x),
        ]
    elif op == "MmBackward0":
        table[op] = [
            ("∂(A B)/∂A: the gradient is grad @ Bᵀ", s("_saved_mat2")),
            ("∂(A B)/∂B: the gradient is Aᵀ @ grad", x),
        ]
    elif op == "AddmmBackward0":
        table[op] = [
            ("bias: the gradient summed over the batch", None),
            ("∂(X Wᵀ)/∂X: the gradient is grad @ W", None),
            ("∂(X Wᵀ)/∂Wᵀ: the gradient is Xᵀ @ grad", s("_saved_mat1")),
        ]
    elif op == "TBackward0":
        table[op] = [("transpose: the gradient is transposed back", None)]
    elif op == "MseLossBackward0":
        target = s("_saved_target")
        val = None
        if x is not None and target is not None:
            val = 2 * (x - target) / max(x.numel(), 1)
        table[op] = [("∂MSE/∂ŷ = 2 (ŷ − y) / n", val), ("target", None)]
    rows = table.get(op, [])
    rows = [(f, keep(_as_t(v))) for f, v in rows]
    while len(rows) < n_inputs:
        rows.append((f"{op}: see the PyTorch docs for its derivative", None))
    return rows[:n_inputs]


def trace_backward(
    output: torch.Tensor, names: Mapping[str, torch.Tensor] | None = None
) -> BackwardTrace:
    """Run ``output.backward()`` with hooks on every autograd node; record each step.

    Named intermediate tensors keep their gradient (``retain_grad``); leaves' old gradients are
    cleared first so the figures are this run's. A non-scalar output is seeded with ones.
    """
    names = dict(names or {})
    fns = _walk(output)
    ids = _node_ids(fns)
    if not output.requires_grad or not fns:
        return BackwardTrace(autograd_graph(output, names), [], False)
    for tensor in names.values():
        if isinstance(tensor, torch.Tensor) and tensor.requires_grad:
            if tensor.is_leaf:
                tensor.grad = None
            else:
                tensor.retain_grad()
    fired: list[tuple[object, list, list]] = []

    def record(fn: object, grad_inputs: tuple, grad_outputs: tuple) -> None:
        # what the node saw, kept small: a copy of a small gradient, a summary of a large one
        fired.append((fn, [keep(g) for g in grad_inputs], [keep(g) for g in grad_outputs]))

    handles = []
    for fn in fns:
        handles.append(fn.register_hook(lambda gi, go, fn=fn: record(fn, gi, go)))
    seed = torch.ones_like(output)
    try:
        output.backward(seed, retain_graph=True)
    finally:
        for h in handles:
            h.remove()
    seed = keep(seed)
    op_grads = {OUTPUT_ID: seed}
    for fn, _, grad_outputs in fired:
        if grad_outputs and grad_outputs[0] is not None:
            op_grads[ids[fn]] = grad_outputs[0]
    graph = autograd_graph(output, names, op_grads)
    steps = [
        BackwardStep(
            OUTPUT_ID,
            graph.nodes[OUTPUT_ID]["label"],
            "output",
            seed,
            [Handoff(ids[fns[0]], "the seed: ∂out/∂out = 1", torch.tensor(1.0), seed)],
        )
    ]
    for fn, grad_inputs, grad_outputs in fired:
        node = ids[fn]
        arriving = grad_outputs[0] if grad_outputs else None
        handoffs = []
        if node.startswith("leaf"):
            handoffs.append(Handoff(None, "accumulated into .grad", None, arriving))
        else:
            for (child, _), (formula, local), g in zip(
                fn.next_functions, local_derivatives(fn), grad_inputs, strict=False
            ):
                target = ids[child] if child is not None else None
                handoffs.append(Handoff(target, formula, local, g))
        steps.append(
            BackwardStep(
                node, graph.nodes[node]["label"], graph.nodes[node]["kind"], arriving, handoffs
            )
        )
    return BackwardTrace(graph, steps, output.dim() > 0)


def format_tensor(
    t: torch.Tensor | TensorSummary | None, digits: int = 2, max_items: int = 8
) -> str:
    """A compact printout: ``2.00``, ``[-2.00, -0.26]``, or the shape when it is too big."""
    if t is None:
        return "—"
    if isinstance(t, TensorSummary) or t.numel() > max_items:
        return f"shape {tuple(t.shape)}, mean {summarise(t).mean:.{digits}f}"
    t = t.detach()

    def fmt(v: float) -> str:
        return f"{v:.{digits}f}"

    def rec(x: torch.Tensor) -> str:
        if x.dim() == 0:
            return fmt(x.item())
        return "[" + ", ".join(rec(row) for row in x) + "]"

    return rec(t.float())


# ---------------------------------------------------------------- the lecture's presets


@dataclass(frozen=True)
class ProgramPreset:
    """A preset the student can edit: a program and its variables (value text, requires_grad)."""

    title: str
    program: str
    variables: dict[str, tuple[str, bool]]
    output: str


DOT_PRODUCT = ProgramPreset(
    "r = (x ⊙ y)ᵀ z",
    "r = (x * y) @ z",
    {"x": ("1.0, 2.0", True), "y": ("1.0, -1.3", False), "z": ("-2.0, 0.2", False)},
    "r",
)
SHARED = ProgramPreset(
    "e = a * b; f = c * e + d * e",
    "e = a * b\nf = c * e + d * e",
    {"a": ("2.0", True), "b": ("-3.0", True), "c": ("10.0", True), "d": ("-2.0", True)},
    "f",
)
SHARED_COMPARE = "f = c*a*b + d*a*b"


@dataclass
class BuiltGraph:
    """A graph built in code (not typed): its output, its named tensors, its parameters."""

    output: torch.Tensor
    names: dict[str, torch.Tensor]
    parameters: list[tuple[str, tuple[int, ...]]]


class LinearModule(nn.Module):
    """The slide's module: y = W x + b with W and b as parameters."""

    def __init__(self, in_features: int = 3, out_features: int = 2):
        super().__init__()
        self.W = nn.Parameter(torch.randn(out_features, in_features))
        self.b = nn.Parameter(torch.randn(out_features))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.W @ x + self.b


def linear_module_preset(seed: int = 0, in_features: int = 3, out_features: int = 2) -> BuiltGraph:
    """The slide's LinearModule on one input, with an MSE loss to a target."""
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        model = LinearModule(in_features, out_features)
        x = torch.randn(in_features)
        target = torch.randn(out_features)
    y_hat = model(x)
    loss = nn.functional.mse_loss(y_hat, target)
    names = {"W": model.W, "b": model.b, "x": x, "target": target, "y_hat": y_hat, "loss": loss}
    params = [(n, tuple(p.shape)) for n, p in model.named_parameters()]
    return BuiltGraph(loss, names, params)


def mlp_preset(seed: int = 0, widths: tuple[int, ...] = (2, 4, 1), batch: int = 4) -> BuiltGraph:
    """A small nn.Sequential MLP (Linear, Tanh, ..., Linear) with an MSE loss on a batch."""
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        layers_: list[nn.Module] = []
        for i in range(len(widths) - 1):
            layers_.append(nn.Linear(widths[i], widths[i + 1]))
            if i < len(widths) - 2:
                layers_.append(nn.Tanh())
        model = nn.Sequential(*layers_)
        x = torch.randn(batch, widths[0])
        target = torch.randn(batch, widths[-1])
    names: dict[str, torch.Tensor] = {"x": x, "target": target}
    names.update(dict(model.named_parameters()))
    h = x
    for i, layer in enumerate(model):
        h = layer(h)
        names[f"h{i}" if i < len(model) - 1 else "y_hat"] = h
    loss = nn.functional.mse_loss(h, target)
    names["loss"] = loss
    params = [(n, tuple(p.shape)) for n, p in model.named_parameters()]
    return BuiltGraph(loss, names, params)


@dataclass
class GradientStep:
    """One gradient update x <- x - alpha * dr/dx, and the output before and after."""

    alpha: float
    x: torch.Tensor
    grad: torch.Tensor
    x_new: torch.Tensor
    r: float
    r_new: float


def gradient_step(
    program: str,
    variables: Mapping[str, torch.Tensor | float | list],
    wrt: str = "x",
    output: str = "r",
    alpha: float = 0.1,
) -> GradientStep:
    """Evaluate, backpropagate, step ``wrt`` against its gradient, and evaluate again."""
    values = {n: torch.as_tensor(v, dtype=torch.float32).detach() for n, v in variables.items()}
    x = values[wrt].clone().requires_grad_(True)
    r = evaluate(program, {**values, wrt: x})[output]
    r.sum().backward()
    with torch.no_grad():
        x_new = x - alpha * x.grad
    r_new = evaluate(program, {**values, wrt: x_new})[output]
    return GradientStep(
        alpha, x.detach(), x.grad.clone(), x_new, r.detach().sum().item(), r_new.sum().item()
    )


def variables_tour(tensor: torch.Tensor, name: str) -> list[tuple[str, str]]:
    """The slide's "Variables" points on a live tensor: each line of code and what it prints."""
    lines = [
        (name, repr(tensor)),
        (f"{name}.data", repr(tensor.data)),
        (f"{name}.requires_grad", repr(tensor.requires_grad)),
        (f"{name}.is_leaf", repr(tensor.is_leaf)),
        (f"{name}.grad_fn", repr(tensor.grad_fn)),
    ]
    if tensor.is_leaf:
        lines.append((f"{name}.grad", repr(tensor.grad)))
    detached = tensor.detach()
    lines.append((f"{name}.detach()", repr(detached)))
    lines.append((f"{name}.detach().requires_grad", repr(detached.requires_grad)))
    lines.append(
        (
            f"{name}.detach().data_ptr() == {name}.data_ptr()",
            repr(detached.data_ptr() == tensor.data_ptr()),
        )
    )
    return lines


# ---------------------------------------------------------------- "Show the code" snippets

CODE_DOT_PRODUCT = """
import torch
x = torch.tensor([1.0, 2.0], requires_grad=True)
y = torch.tensor([1.0, -1.3])
z = torch.tensor([-2.0, 0.2])
r = (x * y) @ z          # (x ⊙ y)ᵀ z
r.backward()
print(r)                 # tensor(-2.5200, grad_fn=<DotBackward0>)
print(x.grad)            # z ⊙ y = tensor([-2.0000, -0.2600])
"""

CODE_SHARED = """
import torch
a = torch.tensor(2.0, requires_grad=True)
b = torch.tensor(-3.0, requires_grad=True)
c = torch.tensor(10.0, requires_grad=True)
d = torch.tensor(-2.0, requires_grad=True)
e = a * b
f = c * e + d * e
print(f)                 # tensor(-48., grad_fn=<AddBackward0>)
f.backward()
print(a.grad, b.grad)    # (c + d) * b, (c + d) * a
"""

CODE_LINEAR_MODULE = """
import torch
from torch import nn

class LinearModule(nn.Module):
    def __init__(self, in_features, out_features):
        super().__init__()
        self.W = nn.Parameter(torch.randn(out_features, in_features))
        self.b = nn.Parameter(torch.randn(out_features))

    def forward(self, x):
        return self.W @ x + self.b

torch.manual_seed(0)
model = LinearModule(3, 2)
x, target = torch.randn(3), torch.randn(2)
loss = nn.functional.mse_loss(model(x), target)
loss.backward()
for name, p in model.named_parameters():
    print(name, tuple(p.shape), p.grad)
"""

CODE_GRADIENT_STEP = """
import torch
alpha = 0.1
x = torch.tensor([1.0, 2.0], requires_grad=True)
y = torch.tensor([1.0, -1.3])
z = torch.tensor([-2.0, 0.2])
r = (x * y) @ z
r.backward()
with torch.no_grad():
    x -= alpha * x.grad  # x <- x - alpha * dr/dx
print(x, (x * y) @ z)
"""

CODE_MLP = """
import torch
from torch import nn

torch.manual_seed(0)
model = nn.Sequential(nn.Linear(2, 4), nn.Tanh(), nn.Linear(4, 1))
x, target = torch.randn(4, 2), torch.randn(4, 1)
loss = nn.functional.mse_loss(model(x), target)
print(loss.grad_fn)                        # <MseLossBackward0 ...>
print(loss.grad_fn.next_functions)         # ((<AddmmBackward0 ...>, 0), (None, 0))
loss.backward()
print(model[0].weight.grad.shape)          # torch.Size([4, 2])
"""

CODE_WALK = """
def walk(fn, depth=0):
    # print the graph autograd recorded, from the output back to the leaves
    print("  " * depth + fn.name())
    for child, _ in fn.next_functions:
        if child is not None:
            walk(child, depth + 1)

walk(r.grad_fn)
"""

CODE_HOOKS = """
import torch
x = torch.tensor([1.0, 2.0], requires_grad=True)
r = (x * torch.tensor([1.0, -1.3])) @ torch.tensor([-2.0, 0.2])
steps = []
def hook(grad_inputs, grad_outputs):              # a hook on an autograd node sees
    steps.append((grad_outputs, grad_inputs))     # what arrives, and what it passes on
r.grad_fn.register_hook(hook)
r.grad_fn.next_functions[0][0].register_hook(hook)
r.backward()
for arriving, passed in steps:
    print(arriving, "->", passed)
"""
