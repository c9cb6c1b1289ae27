"""The lecture's presets: node labels and counts, the slides' gradients, one gradient step,
the Variables tour, and the shown code running."""

import math
import re
from collections import Counter

import networkx as nx
import pytest
import torch

from core.expressions import evaluate, parse_value
from core.graph import backward, presets, record
from tests.core.graph.helpers import label_counts, node_labelled, trace_preset
from tests.core.snippets import assert_prints_its_claims, run_alone


def test_dot_product_preset_graph_and_the_lectures_gradient():
    variables, results, trace = trace_preset(presets.DOT_PRODUCT)
    graph = trace.graph
    assert label_counts(graph) == Counter({"x": 1, "MulBackward0": 1, "DotBackward0": 1, "r": 1})
    x = node_labelled(graph, "x")
    assert graph.nodes[x]["kind"] == "leaf" and graph.nodes[x]["op"] == "AccumulateGrad"
    assert graph.nodes[record.OUTPUT_ID]["kind"] == "output"
    assert [round(v, 2) for v in graph.nodes[x]["grad"].tolist()] == [-2.0, -0.26]
    y, z = variables["y"], variables["z"]
    torch.testing.assert_close(variables["x"].grad, z * y)
    assert record.format_tensor(graph.nodes[x]["grad"]) == "[-2.00, -0.26]"
    assert list(nx.topological_sort(graph)) == [x, "op1", "op0", record.OUTPUT_ID]


def test_constants_join_the_graph_when_they_require_grad():
    _, _, trace = trace_preset(presets.DOT_PRODUCT, all_grad=True)
    assert label_counts(trace.graph) == Counter(
        {"x": 1, "y": 1, "z": 1, "MulBackward0": 1, "DotBackward0": 1, "r": 1}
    )


def test_shared_subexpression_is_one_node_with_two_users():
    variables, results, trace = trace_preset(presets.SHARED)
    graph = trace.graph
    assert graph.number_of_nodes() == 9
    assert label_counts(graph) == Counter(
        {"a": 1, "b": 1, "c": 1, "d": 1, "MulBackward0": 3, "AddBackward0": 1, "f": 1}
    )
    (e,) = [n for n, d in graph.nodes(data=True) if d["name"] == "e"]
    assert graph.nodes[e]["label"] == "MulBackward0"
    assert graph.out_degree(e) == 2
    top = next(iter(graph.predecessors(record.OUTPUT_ID)))
    assert graph.nodes[top]["label"] == "AddBackward0"
    assert repr(results["f"]).endswith("grad_fn=<AddBackward0>)")
    # df/da = (c + d) * b, and e's gradient is the sum over its two users: c + d
    a, b, c, d = (variables[k] for k in "abcd")
    assert a.grad.item() == pytest.approx(((c + d) * b).item())
    assert graph.nodes[e]["grad"].item() == pytest.approx((c + d).item())

    fresh = {n: t.detach().clone().requires_grad_(True) for n, t in variables.items()}
    other = evaluate(presets.SHARED_COMPARE, fresh)
    compare = record.autograd_graph(other["f"], {**fresh, **other})
    assert compare.number_of_nodes() == 10
    assert label_counts(compare)["MulBackward0"] == 4
    ops = [n for n, d in compare.nodes(data=True) if d["kind"] == "op"]
    assert all(compare.out_degree(n) == 1 for n in ops)  # no op result is shared


def test_linear_module_preset():
    built = presets.linear_module_preset()
    assert built.parameters == [("W", (2, 3)), ("b", (2,))]
    trace = backward.trace_backward(built.output, built.names)
    graph = trace.graph
    assert label_counts(graph) == Counter(
        {"W": 1, "b": 1, "MvBackward0": 1, "AddBackward0": 1, "MseLossBackward0": 1, "loss": 1}
    )
    assert graph.nodes[node_labelled(graph, "W")]["shape"] == (2, 3)
    (y_hat,) = [n for n, d in graph.nodes(data=True) if d["name"] == "y_hat"]
    assert graph.nodes[y_hat]["label"] == "AddBackward0"
    # against the hand-derived gradient of mean((W x + b - t)^2)
    W, b, x, t = (built.names[k].detach() for k in ("W", "b", "x", "target"))
    residual = 2 * (W @ x + b - t) / t.numel()
    torch.testing.assert_close(
        graph.nodes[node_labelled(graph, "W")]["grad"], torch.outer(residual, x)
    )
    torch.testing.assert_close(graph.nodes[node_labelled(graph, "b")]["grad"], residual)


def test_mlp_preset():
    built = presets.mlp_preset()
    assert built.parameters == [
        ("0.weight", (4, 2)),
        ("0.bias", (4,)),
        ("2.weight", (1, 4)),
        ("2.bias", (1,)),
    ]
    trace = backward.trace_backward(built.output, built.names)
    labels = label_counts(trace.graph)
    assert trace.graph.number_of_nodes() == 11
    assert labels["AddmmBackward0"] == 2 and labels["TBackward0"] == 2
    assert labels["TanhBackward0"] == 1 and labels["MseLossBackward0"] == 1
    assert {"0.weight", "0.bias", "2.weight", "2.bias", "loss"} <= set(labels)
    # the same model built twice (seeded) gives the same numbers
    again = presets.mlp_preset()
    torch.testing.assert_close(again.output, built.output)


def test_gradient_step_lowers_the_linear_output_exactly():
    variables = {n: parse_value(t) for n, (t, _) in presets.DOT_PRODUCT.variables.items()}
    step = presets.gradient_step(presets.DOT_PRODUCT.program, variables, "x", "r", alpha=0.5)
    torch.testing.assert_close(step.grad, torch.tensor([-2.0, -0.26]))
    torch.testing.assert_close(step.x_new, torch.tensor([1.0, 2.0]) - 0.5 * step.grad)
    expected = step.r - 0.5 * float(step.grad @ step.grad)
    assert step.r_new == pytest.approx(expected, rel=1e-6)
    assert step.r == pytest.approx(-2.52, rel=1e-6)


def test_variables_tour_prints_the_live_tensor():
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    (x * 3).sum().backward()
    lines = dict(presets.variables_tour(x, "x"))
    assert lines["x.grad"] == "tensor([3., 3.])"
    assert lines["x.requires_grad"] == "True"
    assert lines["x.detach().requires_grad"] == "False"
    assert lines["x.detach().data_ptr() == x.data_ptr()"] == "True"
    assert lines["x.data"] == "tensor([1., 2.])"


@pytest.mark.parametrize(
    "snippet",
    [
        presets.CODE_DOT_PRODUCT,
        presets.CODE_SHARED,
        presets.CODE_LINEAR_MODULE,
        presets.CODE_GRADIENT_STEP,
        presets.CODE_MLP,
    ],
    ids=["dot", "shared", "linear", "step", "mlp"],
)
def test_show_the_code_snippets_run(snippet, capsys):
    namespace: dict = {}
    exec(snippet, namespace)  # our own constant snippets, never user text
    printed = capsys.readouterr().out
    assert "tensor" in printed or "torch.Size" in printed
    if snippet is presets.CODE_DOT_PRODUCT:
        assert "tensor([-2.0000, -0.2600])" in printed
        namespace["r"] = (namespace["x"] * namespace["y"]) @ namespace["z"]
        exec(record.CODE_WALK, namespace)
        assert capsys.readouterr().out.split() == [
            "DotBackward0",
            "MulBackward0",
            "torch::autograd::AccumulateGrad",
        ]
    if snippet is presets.CODE_SHARED:
        assert "tensor(-48., grad_fn=<AddBackward0>)" in printed


@pytest.mark.parametrize("snippet", [presets.CODE_LINEAR_MODULE, presets.CODE_MLP])
def test_the_walk_shown_under_a_built_preset_runs_after_its_code(snippet, capsys):
    """The built presets name their output `loss` (there is no r): the walk starts there."""
    namespace: dict = {}
    exec(snippet, namespace)  # our own constant snippets, never user text
    capsys.readouterr()
    exec(record.code_walk("loss"), namespace)
    walked = capsys.readouterr().out.split()
    assert walked[0] == "MseLossBackward0"
    # with the preset's code in front, the walk runs alone, in a fresh namespace
    exec(record.code_walk("loss", snippet), {})  # our own constant snippets, never user text
    alone = capsys.readouterr().out.split()
    assert alone[-len(walked) :] == walked
    assert "torch::autograd::AccumulateGrad" in walked


def _dynamic(x: float, n: int = 3, dtype=torch.float32):
    program = presets.with_loop_count(presets.DYNAMIC.program, n)
    variables = {
        "x": torch.tensor(x, dtype=dtype, requires_grad=True),
        "w": torch.tensor(0.8, dtype=dtype, requires_grad=True),
    }
    results = evaluate(program, variables)
    return variables, results, backward.trace_backward(results["r"], {**variables, **results})


def test_dynamic_preset_records_the_branch_the_input_takes():
    _, _, up = _dynamic(1.0)
    _, _, down = _dynamic(-1.0)
    assert label_counts(up.graph) == Counter({"x": 1, "w": 1, "MulBackward0": 4, "r": 1})
    assert label_counts(down.graph) == Counter(
        {"x": 1, "w": 1, "MulBackward0": 3, "ExpBackward0": 1, "SubBackward0": 1, "r": 1}
    )
    assert presets.op_summary(up.graph) == "4 × MulBackward0"
    assert presets.op_summary(down.graph) == "1 × ExpBackward0, 3 × MulBackward0, 1 × SubBackward0"
    # the comparison sum(y) > 0 ran, but left no node in r's graph
    assert "SumBackward0" not in label_counts(up.graph)


@pytest.mark.parametrize("x", [1.3, -0.7])
@pytest.mark.parametrize("n", [1, 3, 6])
def test_dynamic_preset_gradients_match_finite_differences(x, n):
    variables, results, trace = _dynamic(x, n, torch.float64)
    assert label_counts(trace.graph)["MulBackward0"] == n + (1 if x > 0 else 0)

    def r(xv: float, wv: float) -> float:
        y = xv * wv**n
        return y * y if y > 0 else math.exp(y) - 1

    h = 1e-6
    dx = (r(x + h, 0.8) - r(x - h, 0.8)) / (2 * h)
    dw = (r(x, 0.8 + h) - r(x, 0.8 - h)) / (2 * h)
    assert results["r"].item() == pytest.approx(r(x, 0.8), rel=1e-12)
    assert variables["x"].grad.item() == pytest.approx(dx, rel=1e-6)
    assert variables["w"].grad.item() == pytest.approx(dw, rel=1e-6)


def test_loop_count_is_read_and_rewritten_within_bounds():
    assert presets.loop_count(presets.DYNAMIC.program) == 3
    assert presets.loop_count("r = x") is None
    five = presets.with_loop_count(presets.DYNAMIC.program, 5)
    assert "for i in range(5):" in five and presets.loop_count(five) == 5
    assert presets.loop_count(presets.with_loop_count(five, 99)) == 20
    assert presets.with_loop_count("r = x", 4) == "r = x"


def test_chain_rule_numbers_are_arriving_times_local():
    _, _, trace = _dynamic(1.0)
    labels = {n: d["label"] for n, d in trace.graph.nodes(data=True)}
    assert backward.chain_rule_latex(trace.steps[0], labels) == []  # the seed
    # step 1: r = y * y; arriving 1, local y = 0.8^3 to each of its two inputs (both y)
    lines = backward.chain_rule_latex(trace.steps[1], labels)
    assert len(lines) == 2 and all("{1.00}" in v and "{0.51}" in v for v in lines)
    # the first pass y = x * w: to x the local is w, to w the local is x
    last = [s for s in trace.steps if s.kind == "op"][-1]
    to_x, to_w = backward.chain_rule_latex(last, labels)
    assert r"\text{x}" in to_x and "{0.80}" in to_x and r"\text{w}" in to_w and "{1.00}" in to_w
    assert all(backward.chain_rule_latex(s, labels) == [] for s in trace.steps if s.kind == "leaf")
    # a matmul's gradient is not an elementwise product: nothing is claimed
    W = torch.randn(2, 3, requires_grad=True)
    v = torch.randn(3)
    out = evaluate("r = sum(W @ v)", {"W": W, "v": v})["r"]
    mm = backward.trace_backward(out, {"W": W, "v": v})
    mv = next(s for s in mm.steps if s.label == "MvBackward0")
    assert backward.chain_rule_latex(mv, {}) == []
    assert r"f'(g(x))\,g'(x)" in backward.CHAIN_RULE


def test_the_dynamic_code_runs_and_matches_the_preset(capsys):
    namespace: dict = {}
    exec(presets.CODE_DYNAMIC, namespace)  # our own constant snippet, never user text
    printed = capsys.readouterr().out
    assert "tensor(0.2621, grad_fn=<MulBackward0>)" in printed
    variables, results, _ = _dynamic(1.0)
    torch.testing.assert_close(results["r"], namespace["r"])
    torch.testing.assert_close(variables["x"].grad, namespace["x"].grad)
    torch.testing.assert_close(namespace["x"].grad, torch.tensor(2 * 0.8**6))
    torch.testing.assert_close(variables["w"].grad, torch.tensor(6 * 0.8**5))


SHOWN = {
    "dot": presets.CODE_DOT_PRODUCT,
    "shared": presets.CODE_SHARED,
    "linear": presets.CODE_LINEAR_MODULE,
    "step": presets.CODE_GRADIENT_STEP,
    "mlp": presets.CODE_MLP,
    "dynamic": presets.CODE_DYNAMIC,
    "data": presets.CODE_DATA_VS_DETACH,
}


@pytest.mark.parametrize("name", list(SHOWN))
def test_every_shown_snippet_runs_alone_and_prints_what_it_claims(name):
    """Alone in a fresh namespace (no networkx, nothing defined elsewhere); claims hold."""
    code = SHOWN[name]
    assert "networkx" not in code
    printed = assert_prints_its_claims(code)
    assert printed.strip()


def test_the_linear_module_snippet_prints_the_pages_gradients():
    """The slide's LinearModule: W (out, in); the printed grads are the preset's own."""
    built = presets.linear_module_preset()
    built.output.backward()
    _, printed = run_alone(presets.CODE_LINEAR_MODULE)
    expected = [f"{n} {tuple(p.shape)} {p.grad}" for n, p in
                (("W", built.names["W"]), ("b", built.names["b"]))]  # fmt: skip
    assert printed.strip() == "\n".join(expected)
    assert built.parameters == [("W", (2, 3)), ("b", (2,))]


def test_the_gradient_step_snippet_prints_the_pages_step():
    step = presets.gradient_step(
        presets.DOT_PRODUCT.program, {"x": [1.0, 2.0], "y": [1.0, -1.3], "z": [-2.0, 0.2]}
    )
    _, printed = run_alone(presets.CODE_GRADIENT_STEP)
    numbers = [float(v) for v in re.findall(r"-?\d+\.\d+", printed)]
    assert numbers == pytest.approx([*step.x_new.tolist(), step.r_new], abs=1e-4)


def test_data_skips_autograds_check_and_detach_does_not():
    d = presets.data_vs_detach()
    assert d.variable_type == "Tensor"  # Variable is Tensor since 0.4
    assert d.grad_through_data.tolist() == [20.0, 40.0] and d.true_grad.tolist() == [2.0, 4.0]
    assert "modified by an inplace operation" in d.detach_error
    _, printed = run_alone(presets.CODE_DATA_VS_DETACH)
    assert printed.splitlines() == [f"{d.grad_through_data}", f"caught: {d.detach_error}"]
    assert (
        "0.4" in presets.VARIABLE_HISTORY
        and "bypasses autograd's checks" in presets.VARIABLE_HISTORY
    )


@pytest.mark.parametrize(
    ("snippet", "output"), [(presets.CODE_DOT_PRODUCT, "r"), (presets.CODE_SHARED, "f")]
)
def test_the_walk_shown_under_an_unedited_preset_runs_alone(snippet, output, capsys):
    """The page shows the walk with the preset's code in front: alone, in a fresh namespace,
    it prints the preset's output and then the graph, output first, leaves last."""
    exec(record.code_walk(output, snippet), {})  # our own constant snippets, never user text
    walked = capsys.readouterr().out.split()
    assert any(name.endswith("Backward0") for name in walked)
    assert walked[-1] == "torch::autograd::AccumulateGrad"
