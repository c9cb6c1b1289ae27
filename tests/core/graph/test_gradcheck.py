"""gradcheck on MyExp as the page shows it: float64 passes, float32 fails, the code agrees."""

import torch

from core.graph import gradcheck as gc
from core.myexp import MyExp
from tests.core.snippets import run_alone


def test_float64_passes_and_float32_fails_with_a_jacobian_mismatch():
    f64, f32 = gc.gradcheck_myexp()
    assert (f64.dtype, f64.passed, f64.report, f64.warning) == ("torch.float64", True, "", "")
    assert f32.dtype == "torch.float32" and f32.passed is False
    assert f32.report.startswith("Jacobian mismatch for output 0 with respect to input 0")
    assert "not a double precision" in f32.warning


def test_the_mismatch_is_the_finite_differences_not_backward():
    """The analytical Jacobian PyTorch reports is exp(x) exactly; the numerical one is off."""
    f32 = gc.gradcheck_myexp()[1]
    x = torch.tensor(gc.X)
    analytical = f32.report.split("analytical:")[1]
    for v in x.exp().tolist():
        assert f"{v:.4f}" in analytical
    numerical = f32.report.split("numerical:")[1].split("analytical:")[0]
    assert f"{x.exp()[0].item():.4f}" not in numerical
    t = torch.tensor(gc.X, dtype=torch.float64, requires_grad=True)
    MyExp.apply(t).sum().backward()
    torch.testing.assert_close(t.grad, t.detach().exp())


def test_the_shown_code_runs_alone_and_prints_what_the_page_shows():
    _, printed = run_alone(gc.CODE_GRADCHECK)
    assert printed.rstrip("\n") == "\n".join(c.line() for c in gc.gradcheck_myexp()).rstrip("\n")
    assert "class MyExp(torch.autograd.Function):" in gc.CODE_GRADCHECK
