"""The backward walk: gradients against PyTorch and finite differences, reverse topological
order, the chain rule at every node, non-scalar outputs, and the hooks snippet."""

import pytest
import torch

from core.charts.graph import graph_dot
from core.expressions import evaluate, parse_value
from core.graph import backward, presets, record
from core.summary import TensorSummary
from tests.core.graph.helpers import node_labelled, trace_preset


def _finite_difference(program, variables, output, name, eps=1e-6):
    base = {n: t.detach().double() for n, t in variables.items()}
    flat = base[name].reshape(-1)
    grad = torch.zeros_like(flat)
    for i in range(flat.numel()):
        plus, minus = flat.clone(), flat.clone()
        plus[i] += eps
        minus[i] -= eps
        hi = evaluate(program, {**base, name: plus.reshape(base[name].shape)})[output]
        lo = evaluate(program, {**base, name: minus.reshape(base[name].shape)})[output]
        grad[i] = (hi.sum() - lo.sum()) / (2 * eps)
    return grad.reshape(base[name].shape)


@pytest.mark.parametrize(
    "program, values",
    [
        (presets.DOT_PRODUCT.program, {"x": "1.0, 2.0", "y": "1.0, -1.3", "z": "-2.0, 0.2"}),
        (presets.SHARED.program, {"a": "2.0", "b": "-3.0", "c": "10.0", "d": "-2.0"}),
        (
            "h = tanh(W @ x + b)\nr = mean(h ** 2) + sum(sigmoid(x) * exp(-x))",
            {"W": "randn(3, 2)", "x": "0.5, -1.5", "b": "0.1, 0.2, -0.3"},
        ),
        (
            "r = sum(log(abs(x) + 1) / sqrt(x * x + 2) - relu(x) * sin(x) * cos(x))",
            {"x": "0.3, -0.7, 1.2, -2.0"},
        ),
    ],
    ids=["dot", "shared", "layer", "elementwise"],
)
def test_graph_gradients_match_pytorch_and_finite_differences(program, values):
    variables = {n: parse_value(v).double().requires_grad_(True) for n, v in values.items()}
    results = evaluate(program, variables)
    out_name = list(results)[-1]
    trace = backward.trace_backward(results[out_name], {**variables, **results})
    for name, tensor in variables.items():
        node = node_labelled(trace.graph, name)
        grad = trace.graph.nodes[node]["grad"]
        torch.testing.assert_close(grad, tensor.grad)  # the graph shows autograd's numbers
        fd = _finite_difference(program, variables, out_name, name)
        torch.testing.assert_close(grad, fd, rtol=1e-5, atol=1e-6)


def test_backward_walk_is_reverse_topological_and_matches_autograd():
    for variables, _results, trace in (
        trace_preset(presets.SHARED),
        trace_preset(presets.DOT_PRODUCT, all_grad=True),
    ):
        graph = trace.graph
        order = [s.node for s in trace.steps]
        assert order[0] == record.OUTPUT_ID
        assert sorted(order) == sorted(graph.nodes)  # every node once
        index = {n: i for i, n in enumerate(order)}
        for src, dst in graph.edges:
            assert index[dst] < index[src]  # a node runs after everything that uses it
        # what arrives at each node is the sum of what its users pass to it (chain rule)
        received: dict[str, torch.Tensor] = {}
        for step in trace.steps:
            for h in step.handoffs:
                if h.target is not None:
                    received[h.target] = received.get(h.target, 0) + h.grad
        for step in trace.steps[1:]:
            torch.testing.assert_close(step.grad, received[step.node])
        for name, tensor in variables.items():
            if tensor.requires_grad:
                step = next(s for s in trace.steps if s.label == name)
                torch.testing.assert_close(step.handoffs[0].grad, tensor.grad)


def test_local_derivative_times_arriving_gradient_is_what_is_passed_on():
    _, _, trace = trace_preset(presets.SHARED)
    muls = [s for s in trace.steps if s.label == "MulBackward0"]
    assert len(muls) == 3
    for step in muls:
        for h in step.handoffs:
            torch.testing.assert_close(h.grad, step.grad * h.local)


def test_non_scalar_output_and_no_grad():
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    out = evaluate("r = x * x", {"x": x})["r"]
    trace = backward.trace_backward(out, {"x": x})
    assert trace.seeded_with_ones
    torch.testing.assert_close(x.grad, 2 * x.detach())
    plain = evaluate("r = x * x", {"x": [1.0, 2.0]})["r"]
    empty = backward.trace_backward(plain, {})
    assert empty.steps == [] and list(empty.graph.nodes) == [record.OUTPUT_ID]


def test_hooks_snippet_runs(capsys):
    exec(backward.CODE_HOOKS, {})  # our own constant snippet, never user text
    assert "tensor" in capsys.readouterr().out


def _held_elements(trace: backward.BackwardTrace) -> int:
    """Elements of every tensor the trace holds (graph attributes and steps), summaries as 0."""
    held = [d.get(k) for _, d in trace.graph.nodes(data=True) for k in ("value", "grad")]
    for step in trace.steps:
        held.append(step.grad)
        for h in step.handoffs:
            held += [h.local, h.grad]
    return sum(t.numel() for t in held if isinstance(t, torch.Tensor))


def test_the_trace_keeps_summaries_not_copies_of_large_tensors():
    x = parse_value("randn(100000)").double().requires_grad_(True)
    v = parse_value("randn(3)").double().requires_grad_(True)
    results = evaluate("a = sin(x) * x\nb = a * a + 1\nr = sum(b) + dot(v, v)", {"x": x, "v": v})
    trace = backward.trace_backward(results["r"], {"x": x, "v": v, **results})
    # the forward pass has 400,000 elements and backward as many again; the trace keeps < 1,000
    assert _held_elements(trace) < 1_000
    leaf = trace.graph.nodes[node_labelled(trace.graph, "x")]
    assert isinstance(leaf["value"], TensorSummary) and isinstance(leaf["grad"], TensorSummary)
    assert leaf["grad"].shape == (100_000,)
    expected = x.grad  # d/dx sum((x sin x)^2) = 2 x sin x (sin x + x cos x)
    torch.testing.assert_close(expected, (2 * x * x.sin() * (x.sin() + x * x.cos())).detach())
    assert leaf["grad"].mean == pytest.approx(expected.mean().item(), rel=1e-6)
    assert leaf["grad"].min == pytest.approx(expected.min().item(), rel=1e-6)
    assert leaf["grad"].max == pytest.approx(expected.max().item(), rel=1e-6)
    mean = expected.mean().item()
    assert record.format_tensor(leaf["grad"]) == f"shape (100000,), mean {mean:.2f}"
    # small tensors are still kept whole, so the walk shows their numbers
    small = trace.graph.nodes[node_labelled(trace.graph, "v")]
    torch.testing.assert_close(small["grad"], 2 * v.detach())
    # the drawing takes summaries as it takes tensors
    assert "mean" in graph_dot(trace.graph)
