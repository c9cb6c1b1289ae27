"""The lecture's presets for the autograd page, each beside the code the page shows for it:
typed programs (the dot product, a shared sub-expression, define-by-run with a loop and an if,
the custom MyExp), graphs built in code (the slide's LinearModule, a small MLP), one gradient
step, and the slide's tour of a tensor's attributes.
"""

import re
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass

import networkx as nx
import torch
from torch import nn

from core.expressions import MAX_RANGE, evaluate
from core.i18n import N_, Translate, untranslated


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
# "Why PyTorch": the graph is recorded as the program runs, so the loop count and the branch the
# input takes decide which nodes exist. The condition itself is not part of r's graph.
DYNAMIC = ProgramPreset(
    "define-by-run: a loop and an if",
    "y = x\nfor i in range(3):\n    y = y * w\nif sum(y) > 0:\n    r = y * y\n"
    "else:\n    r = exp(y) - 1",
    {"x": ("1.0", True), "w": ("0.8", True)},
    "r",
)
MYEXP = ProgramPreset(
    "a custom autograd.Function: MyExp",
    "u = myexp(x)\nr = sum(u * w)",
    {"x": ("0.5, -1.0", True), "w": ("1.0, 2.0", False)},
    "r",
)
_RANGE_CALL = re.compile(r"range\(\s*(\d+)\s*\)")


def loop_count(program: str) -> int | None:
    """k in the program's first ``range(k)``, or None when it has no loop."""
    match = _RANGE_CALL.search(program)
    return int(match.group(1)) if match else None


def with_loop_count(program: str, n: int) -> str:
    """The program with its first ``range(k)`` made ``range(n)`` (n within 0..MAX_RANGE)."""
    n = max(0, min(int(n), MAX_RANGE))
    return _RANGE_CALL.sub(f"range({n})", program, count=1)


def op_summary(graph: nx.DiGraph) -> str:
    """The op nodes a run recorded, counted by name: ``3 × MulBackward0, 1 × ExpBackward0``."""
    counts = Counter(d["label"] for _, d in graph.nodes(data=True) if d["kind"] == "op")
    return ", ".join(f"{n} × {label}" for label, n in sorted(counts.items()))


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
        """W @ x + b."""
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


VARIABLE_HISTORY = N_(
    'History: the slide\'s `Variable` ("x.grad is another Variable") was merged into '
    "`Tensor` in PyTorch 0.4: `torch.autograd.Variable(t)` now just returns a `{variable}`, and "
    "`x.grad` is a plain tensor. `.data` is the old way to reach the numbers: it bypasses "
    "autograd's checks, so an in-place change through it silently gives a wrong gradient, "
    "where the same change through `detach()` is caught. Use `detach()` or `torch.no_grad()`."
)


def variable_history(variable_type: str, gettext: Translate = untranslated) -> str:
    """The history note under the tour: what ``torch.autograd.Variable(t)`` returns now."""
    return gettext(VARIABLE_HISTORY).format(variable=variable_type)


CODE_DATA_VS_DETACH = """
import torch

x = torch.tensor([1.0, 2.0], requires_grad=True)
y = x ** 2               # backward will need x: dy/dx = 2x
x.data.mul_(10)          # changed behind autograd's back
y.sum().backward()
print(x.grad)            # 2 * 10x, not 2x: wrong, and nothing said so

x = torch.tensor([1.0, 2.0], requires_grad=True)
y = x ** 2
x.detach().mul_(10)      # the same change through detach(): autograd keeps count
try:
    y.sum().backward()
except RuntimeError as e:
    print("caught:", e)
"""


@dataclass(frozen=True)
class DataVsDetach:
    """The same in-place change made through .data and through detach(), and what followed."""

    variable_type: str  # what torch.autograd.Variable(t) returns now
    grad_through_data: torch.Tensor  # the wrong gradient, given without a word
    true_grad: torch.Tensor  # 2x at the x the graph saw
    detach_error: str  # autograd's refusal after the change through detach()


def data_vs_detach() -> DataVsDetach:
    """Run CODE_DATA_VS_DETACH's two halves: .data goes unnoticed, detach() is caught."""
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    y = x**2
    x.data.mul_(10)
    y.sum().backward()
    wrong = x.grad.clone()
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    y = x**2
    x.detach().mul_(10)
    try:
        y.sum().backward()
        error = ""
    except RuntimeError as err:
        error = str(err)
    kind = type(torch.autograd.Variable(torch.ones(1))).__name__
    return DataVsDetach(kind, wrong, 2 * torch.tensor([1.0, 2.0]), error)


# ----------------------------------------------------- the code the page shows for each preset

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

CODE_DYNAMIC = """
import torch
x = torch.tensor(1.0, requires_grad=True)
w = torch.tensor(0.8, requires_grad=True)
y = x
for i in range(3):         # plain Python: each pass records one more MulBackward0
    y = y * w
if y.sum() > 0:            # the branch taken is the only one recorded
    r = y * y
else:
    r = torch.exp(y) - 1
print(r)                   # tensor(0.2621, grad_fn=<MulBackward0>)
r.backward()
print(x.grad, w.grad)      # 2 w^6 x, 6 w^5 x^2
"""
