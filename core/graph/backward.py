"""The backward pass walked step by step: hooks on autograd's own nodes capture the gradient
arriving at each node and what it passes on to each input."""

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

import networkx as nx
import torch

from core.graph.derivatives import local_derivatives
from core.graph.record import OUTPUT_ID, autograd_graph, format_tensor, grad_fns, node_ids
from core.i18n import Translate, untranslated
from core.summary import TensorSummary, keep


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


def trace_backward(
    output: torch.Tensor,
    names: Mapping[str, torch.Tensor] | None = None,
    gettext: Translate = untranslated,
) -> BackwardTrace:
    """Run ``output.backward()`` with hooks on every autograd node; record each step.

    Named intermediate tensors keep their gradient (``retain_grad``); leaves' old gradients are
    cleared first so the figures are this run's. A non-scalar output is seeded with ones.
    """
    _ = gettext
    names = dict(names or {})
    fns = grad_fns(output)
    ids = node_ids(fns)
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
    for fn, _inputs, grad_outputs in fired:
        if grad_outputs and grad_outputs[0] is not None:
            op_grads[ids[fn]] = grad_outputs[0]
    graph = autograd_graph(output, names, op_grads)
    steps = [
        BackwardStep(
            OUTPUT_ID,
            graph.nodes[OUTPUT_ID]["label"],
            "output",
            seed,
            [Handoff(ids[fns[0]], _("the seed: ∂out/∂out = 1"), torch.tensor(1.0), seed)],
        )
    ]
    for fn, grad_inputs, grad_outputs in fired:
        node = ids[fn]
        arriving = grad_outputs[0] if grad_outputs else None
        handoffs = []
        if node.startswith("leaf"):
            handoffs.append(Handoff(None, _("accumulated into .grad"), None, arriving))
        else:
            for (child, _index), (formula, local), g in zip(
                fn.next_functions, local_derivatives(fn, gettext), grad_inputs, strict=False
            ):
                target = ids[child] if child is not None else None
                handoffs.append(Handoff(target, formula, local, g))
        steps.append(
            BackwardStep(
                node, graph.nodes[node]["label"], graph.nodes[node]["kind"], arriving, handoffs
            )
        )
    return BackwardTrace(graph, steps, output.dim() > 0)


# The slide's chain rule, shown beside the walk: each backward step is one application of it.
CHAIN_RULE = r"z = f(g(x)) \quad\Rightarrow\quad \frac{\partial z}{\partial x} = f'(g(x))\,g'(x)"


def _latex_text(text: str) -> str:
    return r"\text{" + re.sub(r"([_{}$&#%^~\\])", r"\\\1", text)[:60] + "}"


def chain_rule_latex(
    step: BackwardStep, labels: Mapping[str, str], gettext: Translate = untranslated
) -> list[str]:
    """The current step's numbers in the chain rule: for each input where the gradient passed on
    is exactly the gradient arriving times the local derivative (elementwise ops; not @ or a
    broadcast input, whose gradient is summed), ``arriving · local = passed``, in LaTeX."""
    _ = gettext
    arriving = step.grad
    if step.kind != "op" or not isinstance(arriving, torch.Tensor):
        return []
    before, _name, after = _("to {name}").partition("{name}")
    came, local = _latex_text(_("arriving")), _latex_text(_("local"))
    lines = []
    for h in step.handoffs:
        if h.target is None or not all(isinstance(t, torch.Tensor) for t in (h.local, h.grad)):
            continue
        try:
            product = arriving * h.local
        except RuntimeError:
            continue
        if product.shape != h.grad.shape or not torch.allclose(
            product, h.grad.to(product.dtype), rtol=1e-4, atol=1e-6, equal_nan=True
        ):
            continue
        to = "".join(
            _latex_text(part) for part in (before, labels.get(h.target, h.target), after) if part
        )
        lines.append(
            rf"{to}:\quad \underbrace{{{_numbers(arriving)}}}_{{f'(g(x))\ {came}}}"
            rf"\cdot\underbrace{{{_numbers(h.local)}}}_{{g'(x)\ {local}}}"
            rf" = {_numbers(h.grad)}"
        )
    return lines


def _numbers(t: torch.Tensor) -> str:
    return format_tensor(t).replace("[", r"\left[").replace("]", r"\right]")


# The code the page shows beside the walk: hooks on autograd's nodes.
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
