"""The autograd graph: node labels and counts per preset, gradients against PyTorch and finite
differences, a deterministic left-to-right layout, and a backward walk that matches autograd."""

from collections import Counter

import networkx as nx
import pytest
import torch

from core import graph as g
from core.charts.graph import graph_chart, graph_dot
from core.expressions import evaluate, parse_value
from core.summary import TensorSummary


def _program(preset: g.ProgramPreset, all_grad: bool = False, dtype=torch.float32):
    variables = {
        n: parse_value(text).to(dtype).requires_grad_(grad or all_grad)
        for n, (text, grad) in preset.variables.items()
    }
    results = evaluate(preset.program, variables)
    trace = g.trace_backward(results[preset.output], {**variables, **results})
    return variables, results, trace


def _labels(graph: nx.DiGraph) -> Counter:
    return Counter(d["label"] for _, d in graph.nodes(data=True))


def _by_label(graph: nx.DiGraph, label: str) -> str:
    (node,) = [n for n, d in graph.nodes(data=True) if d["label"] == label]
    return node


def test_dot_product_preset_graph_and_the_lectures_gradient():
    variables, results, trace = _program(g.DOT_PRODUCT)
    graph = trace.graph
    assert _labels(graph) == Counter({"x": 1, "MulBackward0": 1, "DotBackward0": 1, "r": 1})
    x = _by_label(graph, "x")
    assert graph.nodes[x]["kind"] == "leaf" and graph.nodes[x]["op"] == "AccumulateGrad"
    assert graph.nodes[g.OUTPUT_ID]["kind"] == "output"
    assert [round(v, 2) for v in graph.nodes[x]["grad"].tolist()] == [-2.0, -0.26]
    y, z = variables["y"], variables["z"]
    torch.testing.assert_close(variables["x"].grad, z * y)
    assert g.format_tensor(graph.nodes[x]["grad"]) == "[-2.00, -0.26]"
    assert list(nx.topological_sort(graph)) == [x, "op1", "op0", g.OUTPUT_ID]


def test_constants_join_the_graph_when_they_require_grad():
    _, _, trace = _program(g.DOT_PRODUCT, all_grad=True)
    assert _labels(trace.graph) == Counter(
        {"x": 1, "y": 1, "z": 1, "MulBackward0": 1, "DotBackward0": 1, "r": 1}
    )


def test_shared_subexpression_is_one_node_with_two_users():
    variables, results, trace = _program(g.SHARED)
    graph = trace.graph
    assert graph.number_of_nodes() == 9
    assert _labels(graph) == Counter(
        {"a": 1, "b": 1, "c": 1, "d": 1, "MulBackward0": 3, "AddBackward0": 1, "f": 1}
    )
    (e,) = [n for n, d in graph.nodes(data=True) if d["name"] == "e"]
    assert graph.nodes[e]["label"] == "MulBackward0"
    assert graph.out_degree(e) == 2
    top = next(iter(graph.predecessors(g.OUTPUT_ID)))
    assert graph.nodes[top]["label"] == "AddBackward0"
    assert repr(results["f"]).endswith("grad_fn=<AddBackward0>)")
    # df/da = (c + d) * b, and e's gradient is the sum over its two users: c + d
    a, b, c, d = (variables[k] for k in "abcd")
    assert a.grad.item() == pytest.approx(((c + d) * b).item())
    assert graph.nodes[e]["grad"].item() == pytest.approx((c + d).item())

    fresh = {n: t.detach().clone().requires_grad_(True) for n, t in variables.items()}
    other = evaluate(g.SHARED_COMPARE, fresh)
    compare = g.autograd_graph(other["f"], {**fresh, **other})
    assert compare.number_of_nodes() == 10
    assert _labels(compare)["MulBackward0"] == 4
    ops = [n for n, d in compare.nodes(data=True) if d["kind"] == "op"]
    assert all(compare.out_degree(n) == 1 for n in ops)  # no op result is shared


def test_linear_module_preset():
    built = g.linear_module_preset()
    assert built.parameters == [("W", (2, 3)), ("b", (2,))]
    trace = g.trace_backward(built.output, built.names)
    graph = trace.graph
    assert _labels(graph) == Counter(
        {"W": 1, "b": 1, "MvBackward0": 1, "AddBackward0": 1, "MseLossBackward0": 1, "loss": 1}
    )
    assert graph.nodes[_by_label(graph, "W")]["shape"] == (2, 3)
    (y_hat,) = [n for n, d in graph.nodes(data=True) if d["name"] == "y_hat"]
    assert graph.nodes[y_hat]["label"] == "AddBackward0"
    # against the hand-derived gradient of mean((W x + b - t)^2)
    W, b, x, t = (built.names[k].detach() for k in ("W", "b", "x", "target"))
    residual = 2 * (W @ x + b - t) / t.numel()
    torch.testing.assert_close(graph.nodes[_by_label(graph, "W")]["grad"], torch.outer(residual, x))
    torch.testing.assert_close(graph.nodes[_by_label(graph, "b")]["grad"], residual)


def test_mlp_preset():
    built = g.mlp_preset()
    assert built.parameters == [
        ("0.weight", (4, 2)),
        ("0.bias", (4,)),
        ("2.weight", (1, 4)),
        ("2.bias", (1,)),
    ]
    trace = g.trace_backward(built.output, built.names)
    labels = _labels(trace.graph)
    assert trace.graph.number_of_nodes() == 11
    assert labels["AddmmBackward0"] == 2 and labels["TBackward0"] == 2
    assert labels["TanhBackward0"] == 1 and labels["MseLossBackward0"] == 1
    assert {"0.weight", "0.bias", "2.weight", "2.bias", "loss"} <= set(labels)
    # the same model built twice (seeded) gives the same numbers
    again = g.mlp_preset()
    torch.testing.assert_close(again.output, built.output)


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
        (g.DOT_PRODUCT.program, {"x": "1.0, 2.0", "y": "1.0, -1.3", "z": "-2.0, 0.2"}),
        (g.SHARED.program, {"a": "2.0", "b": "-3.0", "c": "10.0", "d": "-2.0"}),
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
    trace = g.trace_backward(results[out_name], {**variables, **results})
    for name, tensor in variables.items():
        node = _by_label(trace.graph, name)
        grad = trace.graph.nodes[node]["grad"]
        torch.testing.assert_close(grad, tensor.grad)  # the graph shows autograd's numbers
        fd = _finite_difference(program, variables, out_name, name)
        torch.testing.assert_close(grad, fd, rtol=1e-5, atol=1e-6)


def test_layout_is_deterministic_and_left_to_right():
    for build in (
        lambda: _program(g.SHARED)[2].graph,
        lambda: g.autograd_graph(g.mlp_preset().output, g.mlp_preset().names),
    ):
        first, second = build(), build()
        assert g.layers(first) == g.layers(second)
        pos = g.layered_layout(first)
        assert pos == g.layered_layout(second)
        for src, dst in first.edges:
            assert pos[src][0] < pos[dst][0], (src, dst)
        assert pos[g.OUTPUT_ID][0] == max(x for x, _ in pos.values())
        assert len(set(pos.values())) == len(pos)  # no two nodes on one spot


def test_layout_reduces_crossings_on_a_big_graph():
    built = g.mlp_preset(widths=(2,) + (3,) * 60 + (1,))
    graph = g.autograd_graph(built.output, built.names)
    assert 250 <= graph.number_of_nodes() <= 400
    pos = g.layered_layout(graph)
    for src, dst in graph.edges:
        assert pos[src][0] < pos[dst][0]
    assert {n for row in g.layers(graph) for n in row} == set(graph.nodes)


def test_backward_walk_is_reverse_topological_and_matches_autograd():
    for variables, _results, trace in (_program(g.SHARED), _program(g.DOT_PRODUCT, all_grad=True)):
        graph = trace.graph
        order = [s.node for s in trace.steps]
        assert order[0] == g.OUTPUT_ID
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
    _, _, trace = _program(g.SHARED)
    muls = [s for s in trace.steps if s.label == "MulBackward0"]
    assert len(muls) == 3
    for step in muls:
        for h in step.handoffs:
            torch.testing.assert_close(h.grad, step.grad * h.local)


def test_elementwise_local_derivatives_against_autograd():
    x = torch.tensor([0.3, -0.7, 1.2], dtype=torch.float64, requires_grad=True)
    for fn in (
        torch.sin,
        torch.cos,
        torch.exp,
        torch.tanh,
        torch.sigmoid,
        torch.relu,
        lambda t: t.abs().log(),
        lambda t: (t * t).sqrt(),
        lambda t: t**3,
        lambda t: t / 2.5,
        lambda t: -t,
    ):
        out = fn(x)
        out.sum().backward(retain_graph=True)
        (formula, local), *_ = g.local_derivatives(out.grad_fn)
        assert local is not None, formula
        if out.grad_fn.name() in {
            "SinBackward0",
            "CosBackward0",
            "ExpBackward0",
            "TanhBackward0",
            "SigmoidBackward0",
            "ReluBackward0",
            "PowBackward0",
            "NegBackward0",
        }:
            expected = torch.autograd.grad(fn(x).sum(), x)[0]
            torch.testing.assert_close(local.expand_as(x), expected, check_dtype=False)
        x.grad = None


def test_gradient_step_lowers_the_linear_output_exactly():
    variables = {n: parse_value(t) for n, (t, _) in g.DOT_PRODUCT.variables.items()}
    step = g.gradient_step(g.DOT_PRODUCT.program, variables, "x", "r", alpha=0.5)
    torch.testing.assert_close(step.grad, torch.tensor([-2.0, -0.26]))
    torch.testing.assert_close(step.x_new, torch.tensor([1.0, 2.0]) - 0.5 * step.grad)
    expected = step.r - 0.5 * float(step.grad @ step.grad)
    assert step.r_new == pytest.approx(expected, rel=1e-6)
    assert step.r == pytest.approx(-2.52, rel=1e-6)


def test_variables_tour_prints_the_live_tensor():
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    (x * 3).sum().backward()
    lines = dict(g.variables_tour(x, "x"))
    assert lines["x.grad"] == "tensor([3., 3.])"
    assert lines["x.requires_grad"] == "True"
    assert lines["x.detach().requires_grad"] == "False"
    assert lines["x.detach().data_ptr() == x.data_ptr()"] == "True"
    assert lines["x.data"] == "tensor([1., 2.])"


def test_non_scalar_output_and_no_grad():
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    out = evaluate("r = x * x", {"x": x})["r"]
    trace = g.trace_backward(out, {"x": x})
    assert trace.seeded_with_ones
    torch.testing.assert_close(x.grad, 2 * x.detach())
    plain = evaluate("r = x * x", {"x": [1.0, 2.0]})["r"]
    empty = g.trace_backward(plain, {})
    assert empty.steps == [] and list(empty.graph.nodes) == [g.OUTPUT_ID]


@pytest.mark.parametrize(
    "snippet",
    [
        g.CODE_DOT_PRODUCT,
        g.CODE_SHARED,
        g.CODE_LINEAR_MODULE,
        g.CODE_GRADIENT_STEP,
        g.CODE_MLP,
        g.CODE_HOOKS,
    ],
    ids=["dot", "shared", "linear", "step", "mlp", "hooks"],
)
def test_show_the_code_snippets_run(snippet, capsys):
    namespace: dict = {}
    exec(snippet, namespace)  # our own constant snippets, never user text
    printed = capsys.readouterr().out
    assert "tensor" in printed or "torch.Size" in printed
    if snippet is g.CODE_DOT_PRODUCT:
        assert "tensor([-2.0000, -0.2600])" in printed
        namespace["r"] = (namespace["x"] * namespace["y"]) @ namespace["z"]
        exec(g.CODE_WALK, namespace)
        assert capsys.readouterr().out.split() == [
            "DotBackward0",
            "MulBackward0",
            "torch::autograd::AccumulateGrad",
        ]
    if snippet is g.CODE_SHARED:
        assert "tensor(-48., grad_fn=<AddBackward0>)" in printed


def test_dot_drawing_colours_and_highlight():
    _, _, trace = _program(g.SHARED)
    dot = graph_dot(trace.graph, highlight="op0")
    assert dot.startswith("digraph") and dot.rstrip().endswith("}")
    assert dot.count("{") == dot.count("}")
    assert "rankdir=LR" in dot
    assert "#009E73" in dot and "#D55E00" in dot and "#CC79A7" in dot  # leaf, output, current
    assert "grad 16.00" in dot and "data -48.00" in dot
    assert "e = MulBackward0" in dot
    compact = graph_dot(g.autograd_graph(g.mlp_preset(widths=(2,) + (3,) * 20 + (1,)).output))
    assert "<B>grad" not in compact and "AddmmBackward0" in compact


def test_altair_drawing_uses_the_layout():
    _, _, trace = _program(g.DOT_PRODUCT)
    spec = graph_chart(trace.graph, highlight=g.OUTPUT_ID).to_dict()
    values = [v for d in spec["datasets"].values() for v in d]
    xs = {v["label"]: v["x"] for v in values if "label" in v}
    assert xs["x"] < xs["MulBackward0"] < xs["DotBackward0"] < xs["r (output)"]


def _held_elements(trace: g.BackwardTrace) -> int:
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
    trace = g.trace_backward(results["r"], {"x": x, "v": v, **results})
    # the forward pass has 400,000 elements and backward as many again; the trace keeps < 1,000
    assert _held_elements(trace) < 1_000
    leaf = trace.graph.nodes[_by_label(trace.graph, "x")]
    assert isinstance(leaf["value"], TensorSummary) and isinstance(leaf["grad"], TensorSummary)
    assert leaf["grad"].shape == (100_000,)
    expected = x.grad  # d/dx sum((x sin x)^2) = 2 x sin x (sin x + x cos x)
    torch.testing.assert_close(expected, (2 * x * x.sin() * (x.sin() + x * x.cos())).detach())
    assert leaf["grad"].mean == pytest.approx(expected.mean().item(), rel=1e-6)
    assert leaf["grad"].min == pytest.approx(expected.min().item(), rel=1e-6)
    assert leaf["grad"].max == pytest.approx(expected.max().item(), rel=1e-6)
    assert g.format_tensor(leaf["grad"]) == f"shape (100000,), mean {expected.mean().item():.2f}"
    # small tensors are still kept whole, so the walk shows their numbers
    small = trace.graph.nodes[_by_label(trace.graph, "v")]
    torch.testing.assert_close(small["grad"], 2 * v.detach())
    # the drawings take summaries as they take tensors
    assert "mean" in graph_dot(trace.graph) and len(graph_chart(trace.graph).to_dict()) > 0
