"""core.modules.anatomy against PyTorch run directly, and the shown code executed alone."""

import contextlib
import io

import pytest
import torch
from torch import nn

from core.modules import anatomy as an


def _run(code: str) -> tuple[dict, str]:
    """Our own shown snippet, alone in a fresh namespace: its names and what it printed."""
    namespace: dict = {}
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(code, namespace)  # our own shown snippet, never user text
    return namespace, out.getvalue()


def test_the_slides_module_forward_pass():
    a = an.anatomy(5, 2)
    assert a.x.shape == (5,) and a.pred.shape == (2,)
    assert [p["name"] for p in a.parameters] == ["W", "b"]
    assert [p["shape"] for p in a.parameters] == ["(2, 5)", "(2,)"]  # (y_dim, x_dim)
    assert a.state_keys == ["W", "b"]
    assert a.printed == "LinearModule()"  # print lists submodules, and there are none
    torch.manual_seed(0)
    model = an.LinearModule(5, 2)
    x = torch.randn(5)
    torch.testing.assert_close(a.pred, model.W.detach() @ x + model.b.detach())


def test_the_slides_layout_is_nn_linears():
    """W is (out, in) like nn.Linear's weight: copied across, both modules predict the same."""
    torch.manual_seed(3)
    mine, linear = an.LinearModule(4, 3), nn.Linear(4, 3)
    assert mine.W.shape == linear.weight.shape == (3, 4)
    with torch.no_grad():
        linear.weight.copy_(mine.W)
        linear.bias.copy_(mine.b)
        x = torch.randn(4)
        torch.testing.assert_close(mine(x), linear(x))


@pytest.mark.parametrize("forget", [False, True])
def test_shown_code_runs_alone_and_prints_what_the_page_shows(forget):
    a = an.anatomy(4, 3, forget=forget, steps=4, seed=2)
    ns, printed = _run(a.code)
    shown = [a.printed, *(f"{p['name']} {p['shape']}" for p in a.parameters)]
    shown += [str(a.pred.shape), f"b unchanged: {not a.attributes[1]['changed by 4 SGD steps']}"]
    assert printed.splitlines() == "\n".join(shown).splitlines()
    assert printed.splitlines()[-1] == f"b unchanged: {forget}"
    assert torch.equal(ns["pred"].detach(), a.pred)
    last = {r["element"]: r["value"] for r in a.history if r["step"] == 4}
    W, b = ns["model"].W.detach(), ns["model"].b.detach()
    assert last["W[2, 3]"] == pytest.approx(W[2, 3].item(), abs=1e-6)
    assert last["b[1]"] == pytest.approx(b[1].item(), abs=1e-6)


def test_a_forgotten_parameter_is_unlisted_and_never_moves():
    """The bug shown: the plain tensor is bit-for-bit unchanged; the Parameter moved."""
    a = an.anatomy(5, 2, forget=True, steps=5)
    assert [p["name"] for p in a.parameters] == ["W"] and a.state_keys == ["W"]
    for tensor, moved in (("W", True), ("b", False)):
        start = [r["value"] for r in a.history if r["tensor"] == tensor and r["step"] == 0]
        end = [r["value"] for r in a.history if r["tensor"] == tensor and r["step"] == 5]
        assert (start != end) is moved
    rows = {r["attribute"]: r for r in a.attributes}
    assert rows["self.b"]["in parameters()"] is False
    assert rows["self.b"]["changed by 5 SGD steps"] is False
    assert rows["self.W"]["changed by 5 SGD steps"] is True
    # the same, in plain PyTorch
    torch.manual_seed(0)
    model = an.LinearModule(5, 2, register=False)
    b0, w0 = model.b.clone(), model.W.detach().clone()
    x = torch.randn(5)
    model(x)
    y = torch.randn(2)
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    for _ in range(5):
        opt.zero_grad()
        ((model(x) - y) ** 2).mean().backward()
        opt.step()
    assert torch.equal(model.b, b0) and not torch.equal(model.W.detach(), w0)
    end = [r["value"] for r in a.history if r["tensor"] == "W" and r["step"] == 5]
    assert end == pytest.approx(model.W.detach().flatten().tolist(), abs=1e-6)


def test_bounds_are_checked():
    with pytest.raises(ValueError):
        an.anatomy(0, 2)
    with pytest.raises(ValueError):
        an.anatomy(5, an.MAX_DIM + 1)
    with pytest.raises(ValueError):
        an.submodules("nn.ModuleList")


@pytest.mark.parametrize("kind", an.SUBMODULE_KINDS)
def test_submodules_shown_code_runs_alone_and_prints_what_the_page_shows(kind):
    c = an.submodules(kind, 3, 2, seed=1)
    ns, printed = _run(c.code)  # no "LinearModule as above": the snippet defines what it uses
    model = ns["model"]
    assert [n for n, _ in model.named_parameters()] == [p["name"] for p in c.parameters]
    assert list(model.state_dict()) == c.state_keys
    assert str(model) == c.printed
    assert c.out_shape == (2,)
    shown = [c.printed, *(f"{p['name']} {p['shape']}" for p in c.parameters)]
    shown += [str(c.state_keys), "torch.Size([2])"]
    assert printed.splitlines() == "\n".join(shown).splitlines()
    expected = {"nn.Sequential": "0.weight", "a module holding modules": "hidden.W"}[kind]
    assert c.state_keys[0] == expected
    if kind != "nn.Sequential":
        assert ("hidden.W", "(4, 3)") in [(p["name"], p["shape"]) for p in c.parameters]
