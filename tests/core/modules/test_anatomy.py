"""core.modules.anatomy against PyTorch run directly, and the shown code executed."""

import pytest
import torch

from core.modules import anatomy as an


def _run(code: str) -> dict:
    namespace: dict = {}
    exec(code, namespace)  # our own shown snippet, never user text
    return namespace


def test_the_slides_module_forward_pass():
    a = an.anatomy(5, 2)
    assert a.x.shape == (5,) and a.pred.shape == (2,)
    assert [p["name"] for p in a.parameters] == ["w", "b"]
    assert [p["shape"] for p in a.parameters] == ["(5, 2)", "(2,)"]
    assert a.state_keys == ["w", "b"]
    assert a.printed == "LinearModule()"  # print lists submodules, and there are none
    torch.manual_seed(0)
    model = an.LinearModule(5, 2)
    x = torch.randn(5)
    torch.testing.assert_close(a.x, x)
    torch.testing.assert_close(a.pred, x @ model.w.detach() + model.b.detach())


@pytest.mark.parametrize("forget", [False, True])
def test_shown_code_runs_and_matches(forget, capsys):
    a = an.anatomy(4, 3, forget=forget, steps=4, seed=2)
    ns = _run(a.code)
    printed = capsys.readouterr().out
    assert f"b unchanged: {forget}" in printed
    assert torch.equal(ns["pred"].detach(), a.pred)
    last = {r["element"]: r["value"] for r in a.history if r["step"] == 4}
    w, b = ns["model"].w.detach(), ns["model"].b.detach()
    assert last["w[3, 2]"] == pytest.approx(w[3, 2].item(), abs=1e-6)
    assert last["b[1]"] == pytest.approx(b[1].item(), abs=1e-6)


def test_a_forgotten_parameter_is_unlisted_and_never_moves():
    """The bug shown: the plain tensor is bit-for-bit unchanged; the Parameter moved."""
    a = an.anatomy(5, 2, forget=True, steps=5)
    assert [p["name"] for p in a.parameters] == ["w"] and a.state_keys == ["w"]
    for tensor, moved in (("w", True), ("b", False)):
        start = [r["value"] for r in a.history if r["tensor"] == tensor and r["step"] == 0]
        end = [r["value"] for r in a.history if r["tensor"] == tensor and r["step"] == 5]
        assert (start != end) is moved
    rows = {r["attribute"]: r for r in a.attributes}
    assert rows["self.b"]["in parameters()"] is False
    assert rows["self.b"]["changed by 5 SGD steps"] is False
    assert rows["self.w"]["changed by 5 SGD steps"] is True
    # the same, in plain PyTorch
    torch.manual_seed(0)
    model = an.LinearModule(5, 2, register=False)
    b0, w0 = model.b.clone(), model.w.detach().clone()
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    X, Y = torch.randn(16, 5), torch.randn(16, 2)
    for _ in range(5):
        opt.zero_grad()
        ((model(X) - Y) ** 2).mean().backward()
        opt.step()
    assert torch.equal(model.b, b0) and not torch.equal(model.w.detach(), w0)


def test_bounds_are_checked():
    with pytest.raises(ValueError):
        an.anatomy(0, 2)
    with pytest.raises(ValueError):
        an.anatomy(5, an.MAX_DIM + 1)
    with pytest.raises(ValueError):
        an.submodules("nn.ModuleList")


@pytest.mark.parametrize("kind", an.SUBMODULE_KINDS)
def test_submodules_names_and_the_shown_code(kind, capsys):
    c = an.submodules(kind, 3, 2, seed=1)
    ns = _run(an.CODE.format(b_line=an.B_LINE[True], seed=0, x_dim=3, y_dim=2, lr=0.1, steps=1))
    capsys.readouterr()
    ns = _run(c.code) if kind == "nn.Sequential" else _exec_in(c.code, ns)
    model = ns["model"]
    assert [n for n, _ in model.named_parameters()] == [p["name"] for p in c.parameters]
    assert list(model.state_dict()) == c.state_keys
    assert str(model) == c.printed
    assert c.out_shape == (3, 2)
    expected = {"nn.Sequential": "0.weight", "a module holding modules": "hidden.w"}[kind]
    assert c.state_keys[0] == expected
    assert "torch.Size([3, 2])" in capsys.readouterr().out


def _exec_in(code: str, namespace: dict) -> dict:
    exec(code, namespace)  # "LinearModule as above": the anatomy snippet defined it
    return namespace
