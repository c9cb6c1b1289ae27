"""The notebook's MyExp: gradcheck, its node in the recorded graph, its local derivative, the
expression language's myexp(x), and the shown code running."""

from collections import Counter

import torch

from core.expressions import evaluate, free_names
from core.graph import backward, custom, derivatives, record
from tests.core.graph.helpers import label_counts, node_labelled


def test_myexp_passes_gradcheck_in_double_precision():
    x = torch.tensor([0.3, -1.2, 2.0], dtype=torch.float64, requires_grad=True)
    assert torch.autograd.gradcheck(custom.MyExp.apply, (x,), eps=1e-6, atol=1e-6)
    assert torch.autograd.gradgradcheck(custom.MyExp.apply, (x,), eps=1e-6, atol=1e-6) is True


def test_myexp_matches_exp_and_finite_differences():
    x = torch.tensor([0.5, -1.0], dtype=torch.float64, requires_grad=True)
    y = custom.myexp(x)
    torch.testing.assert_close(y, torch.exp(x))
    y.sum().backward()
    h = 1e-6
    fd = (torch.exp(x.detach() + h) - torch.exp(x.detach() - h)) / (2 * h)
    torch.testing.assert_close(x.grad, fd)
    assert y.grad_fn.name() == "MyExpBackward"


def test_myexp_in_the_language_is_its_own_node_with_its_local_derivative():
    program = "u = myexp(x)\nr = sum(u * w)"
    assert free_names(program) == ["x", "w"]
    x = torch.tensor([0.5, -1.0], requires_grad=True)
    w = torch.tensor([1.0, 2.0])
    out = evaluate(program, {"x": x, "w": w})
    trace = backward.trace_backward(out["r"], {"x": x, "w": w, **out})
    graph = trace.graph
    assert label_counts(graph) == Counter(
        {"x": 1, "MyExpBackward": 1, "MulBackward0": 1, "SumBackward0": 1, "r": 1}
    )
    node = node_labelled(graph, "MyExpBackward")
    assert graph.nodes[node]["name"] == "u"
    assert graph.nodes[node]["op"] == "MyExpBackward"
    # x.grad = w * exp(x), as autograd computes for the built-in exp
    torch.testing.assert_close(x.grad, w * torch.exp(x.detach()))
    (step,) = [s for s in trace.steps if s.node == node]
    (handoff,) = step.handoffs
    assert handoff.formula == "∂/∂x myexp(x) = myexp(x)"
    torch.testing.assert_close(handoff.local, torch.exp(x.detach()))
    torch.testing.assert_close(handoff.grad, w * torch.exp(x.detach()))  # arriving w, times exp
    assert handoff.target == node_labelled(graph, "x")
    torch.testing.assert_close(step.grad, w)


def test_local_derivative_of_myexp_alone():
    x = torch.tensor([0.0, 1.0], requires_grad=True)
    y = custom.MyExp.apply(x)
    ((formula, local),) = derivatives.local_derivatives(y.grad_fn)
    assert "myexp(x)" in formula
    torch.testing.assert_close(local, torch.tensor([1.0, torch.e]))
    assert record.autograd_name(y.grad_fn) == "MyExpBackward"


def test_the_shown_myexp_code_is_the_class_and_runs(capsys):
    assert "class MyExp(torch.autograd.Function):" in custom.CODE_MYEXP
    assert "ctx.save_for_backward(result)" in custom.CODE_MYEXP
    assert "return grad_output * result" in custom.CODE_MYEXP
    namespace: dict = {}
    exec(custom.CODE_MYEXP, namespace)  # our own constant snippet, never user text
    printed = capsys.readouterr().out
    assert "MyExpBackward" in printed
    assert "tensor([1.6487, 0.3679])" in printed
    torch.testing.assert_close(namespace["x"].grad, torch.exp(torch.tensor([0.5, -1.0])))


def test_the_shown_myexp_code_runs_alone_and_prints_its_claims():
    from tests.core.snippets import assert_prints_its_claims

    printed = assert_prints_its_claims(custom.CODE_MYEXP)
    assert printed.splitlines()[-1] == "tensor([1.6487, 0.3679])"
