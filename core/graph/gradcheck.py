"""gradcheck on the MyExp preset: is the hand-written backward right, and why in float64?

`torch.autograd.gradcheck` compares the Jacobian that `backward` returns with one from finite
differences. In float64 MyExp passes. In float32 it fails with a "Jacobian mismatch": the
finite differences (step 1e-6) drown in float32's rounding, not MyExp's backward; PyTorch
warns about it before it starts. `CODE_GRADCHECK` prints exactly what `gradcheck_myexp()`
returns, so the page and the code cannot disagree.
"""

import inspect
import warnings
from dataclasses import dataclass

import torch
from torch.autograd import gradcheck

from core.myexp import MyExp

X = (0.5, -1.0)  # the MyExp preset's x
DTYPES = {"torch.float64": torch.float64, "torch.float32": torch.float32}


@dataclass(frozen=True)
class Check:
    """One gradcheck run: the dtype, whether it passed, PyTorch's report and its warning."""

    dtype: str
    passed: bool
    report: str  # the mismatch PyTorch reports ("" when it passed)
    warning: str  # what PyTorch warned before checking ("" when nothing)

    def line(self) -> str:
        """What the shown code prints for this run."""
        if self.passed:
            return f"{self.dtype} passed: True"
        return f"{self.dtype} failed: {self.report}"


def gradcheck_myexp(x: tuple[float, ...] = X) -> list[Check]:
    """gradcheck(MyExp.apply) at x, in float64 and in float32 (default eps and tolerances)."""
    checks = []
    for name, dtype in DTYPES.items():
        t = torch.tensor(x, dtype=dtype, requires_grad=True)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            try:
                passed, report = gradcheck(MyExp.apply, (t,)), ""
            except RuntimeError as err:  # torch.autograd.gradcheck.GradcheckError
                passed, report = False, str(err)
        warning = " ".join(str(w.message).strip() for w in caught)
        checks.append(Check(name, passed, report, warning))
    return checks


CODE_GRADCHECK = (
    "import torch\nfrom torch.autograd import gradcheck\n\n"
    + inspect.getsource(MyExp)
    + f"""
for dtype in (torch.float64, torch.float32):
    x = torch.tensor([{X[0]}, {X[1]}], dtype=dtype, requires_grad=True)
    try:                       # backward's Jacobian vs finite differences (eps = 1e-6)
        print(dtype, "passed:", gradcheck(MyExp.apply, (x,)))
    except RuntimeError as e:  # torch.autograd.gradcheck.GradcheckError
        print(dtype, "failed:", e)
"""
)
