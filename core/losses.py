"""Loss functions from the slide, computed with the `torch.nn` classes, and their gradients.

Regression losses are functions of the residual r = prediction - target; classification
losses of the margin m = y * f(x) with y in {-1, +1}. Gradients come from autograd.
"""

import numpy as np
import pandas as pd
import torch
from torch import nn

REGRESSION = ("MSE", "L1", "Huber", "SmoothL1")
CLASSIFICATION = ("Hinge", "SoftMargin", "BCE", "BCEWithLogits", "CrossEntropy")

LATEX = {
    "MSE": r"\ell(r) = r^2 \qquad \texttt{nn.MSELoss}",
    "L1": r"\ell(r) = |r| \qquad \texttt{nn.L1Loss}",
    "Huber": r"\ell(r) = \begin{cases} \tfrac12 r^2 & |r| \le \delta \\"
    r" \delta\,(|r| - \tfrac12\delta) & \text{otherwise} \end{cases} \qquad \texttt{nn.HuberLoss}",
    "SmoothL1": r"\ell(r) = \begin{cases} \tfrac{1}{2\beta} r^2 & |r| < \beta \\"
    r" |r| - \tfrac12\beta & \text{otherwise} \end{cases} \qquad \texttt{nn.SmoothL1Loss}",
    "Hinge": r"\ell(m) = \max(0,\ 1 - m) \qquad \texttt{nn.MultiMarginLoss}\ (\times 2,"
    r"\ \text{two classes})",
    "SoftMargin": r"\ell(m) = \log\!\big(1 + e^{-m}\big) \qquad \texttt{nn.SoftMarginLoss}",
    "BCE": r"\ell = -\big[t \log p + (1 - t)\log(1 - p)\big],\ p = \sigma(f),\ t = \tfrac{y+1}{2}"
    r" \qquad \texttt{nn.BCELoss}",
    "BCEWithLogits": r"\ell = -\big[t \log \sigma(f) + (1 - t)\log(1 - \sigma(f))\big]"
    r" \qquad \texttt{nn.BCEWithLogitsLoss}",
    "CrossEntropy": r"\ell(z, y) = -\log \frac{e^{z_y}}{\sum_k e^{z_k}}"
    r" = -z_y + \log \sum_k e^{z_k} \qquad \texttt{nn.CrossEntropyLoss}",
}


def regression_loss(name: str, residual: torch.Tensor, delta: float = 1.0) -> torch.Tensor:
    """Per-element loss of a residual (prediction - target) from the torch.nn class."""
    target = torch.zeros_like(residual)
    if name == "MSE":
        fn = nn.MSELoss(reduction="none")
    elif name == "L1":
        fn = nn.L1Loss(reduction="none")
    elif name == "Huber":
        fn = nn.HuberLoss(reduction="none", delta=delta)
    elif name == "SmoothL1":
        fn = nn.SmoothL1Loss(reduction="none", beta=delta)
    else:
        raise KeyError(f"unknown regression loss {name!r}")
    return fn(residual, target)


def two_logits(f: torch.Tensor) -> torch.Tensor:
    """A score f as two class logits [0, f]: their difference z_1 - z_0 is f."""
    return torch.stack([torch.zeros_like(f), f], dim=-1)


def hinge_via_multimargin(f: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """max(0, 1 - y f) per element from nn.MultiMarginLoss on two classes.

    Class 1 means y = +1, class 0 means y = -1, and the logits are [0, f]. MultiMarginLoss
    sums max(0, 1 - z_target + z_other) over the other classes and divides by the number
    of classes (2), so we multiply by 2.
    """
    target = (y > 0).long()
    return 2 * nn.MultiMarginLoss(reduction="none")(two_logits(f), target)


def classification_loss(name: str, f: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """Per-element loss of scores f with labels y in {-1, +1}, from the torch.nn class."""
    t = (y > 0).to(f.dtype)  # the 0/1 target BCE and cross-entropy want
    if name == "Hinge":
        return hinge_via_multimargin(f, y)
    if name == "SoftMargin":
        return nn.SoftMarginLoss(reduction="none")(f, y.to(f.dtype))
    if name == "BCE":
        return nn.BCELoss(reduction="none")(torch.sigmoid(f), t)
    if name == "BCEWithLogits":
        return nn.BCEWithLogitsLoss(reduction="none")(f, t)
    if name == "CrossEntropy":
        return nn.CrossEntropyLoss(reduction="none")(two_logits(f), t.long())
    raise KeyError(f"unknown classification loss {name!r}")


def loss_curves(
    names: tuple[str, ...] | list[str],
    lo: float = -3.0,
    hi: float = 3.0,
    n: int = 241,
    delta: float = 1.0,
) -> pd.DataFrame:
    """Long table (x, loss, gradient, name): each loss and its autograd derivative over x.

    x is the residual for regression losses and the margin y f(x) (with y = +1) for
    classification losses.
    """
    frames = []
    for name in names:
        x = torch.linspace(lo, hi, n, dtype=torch.float64, requires_grad=True)
        if name in REGRESSION:
            values = regression_loss(name, x, delta)
        else:
            values = classification_loss(name, x, torch.ones_like(x))
        (grad,) = torch.autograd.grad(values.sum(), x)
        frames.append(
            pd.DataFrame(
                {
                    "x": x.detach().numpy(),
                    "loss": values.detach().numpy(),
                    "gradient": grad.numpy(),
                    "name": name,
                }
            )
        )
    return pd.concat(frames, ignore_index=True)


def zero_one(margin: np.ndarray) -> np.ndarray:
    """The 0-1 loss every classification loss stands in for: 1 when the margin is <= 0."""
    return (np.asarray(margin) <= 0).astype(float)


# ---------------------------------------------------------------------------- logits playground


def softmax_cross_entropy(logits: list[float], target: int) -> dict:
    """Softmax probabilities, nn.CrossEntropyLoss and its autograd gradient for one example."""
    z = torch.tensor(logits, dtype=torch.float64, requires_grad=True)
    loss = nn.CrossEntropyLoss()(z[None], torch.tensor([target]))
    loss.backward()
    p = torch.softmax(z.detach(), 0)
    onehot = torch.zeros_like(p)
    onehot[target] = 1.0
    return {
        "logits": z.detach().numpy(),
        "probs": p.numpy(),
        "loss": loss.item(),
        "grad": z.grad.numpy(),
        "p_minus_onehot": (p - onehot).numpy(),
    }


# ------------------------------------------------------------------------------- outlier view


def outlier_data(outlier_y: float, outlier_x: float = 0.8, n: int = 9, seed: int = 0):
    """A tiny 1-D data set near y = 1 + 2x, plus one outlier at (outlier_x, outlier_y)."""
    gen = torch.Generator().manual_seed(seed)
    x = torch.linspace(0.0, 1.0, n, dtype=torch.float64)
    y = 1 + 2 * x + 0.1 * torch.randn(n, generator=gen, dtype=torch.float64)
    x = torch.cat([x, torch.tensor([outlier_x], dtype=torch.float64)])
    y = torch.cat([y, torch.tensor([outlier_y], dtype=torch.float64)])
    return x, y


def fit_line(
    x: torch.Tensor, y: torch.Tensor, name: str, delta: float = 1.0, steps: int = 800
) -> tuple[float, float]:
    """Fit y ~ w x + b by minimising the named regression loss with torch.optim.Adam."""
    return fit_lines(x, y, (name,), delta, steps)[name]


def fit_lines(
    x: torch.Tensor, y: torch.Tensor, names: tuple[str, ...], delta: float = 1.0, steps: int = 800
) -> dict[str, tuple[float, float]]:
    """fit_line for several losses in one loop: a (w, b) per loss, each with its own gradient.

    The losses are summed, but each pair (w_i, b_i) appears in one term only, and Adam updates
    every element on its own: each line follows exactly the path of its own fit, at a third of
    the cost of three loops (a step's cost here is Python's, not arithmetic).
    """
    w = torch.zeros(len(names), dtype=torch.float64, requires_grad=True)
    b = torch.zeros(len(names), dtype=torch.float64, requires_grad=True)
    opt = torch.optim.Adam([w, b], lr=0.1)
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=steps, eta_min=1e-5)
    for _ in range(steps):
        opt.zero_grad()
        residual = w[:, None] * x + b[:, None] - y
        loss = sum(regression_loss(n, residual[i], delta).mean() for i, n in enumerate(names))
        loss.backward()
        opt.step()
        sched.step()
    return {n: (w[i].item(), b[i].item()) for i, n in enumerate(names)}


CODE_LOSSES = """
import torch
from torch import nn

prediction = torch.tensor([2.5, 0.0, 2.0])
target = torch.tensor([3.0, -0.5, 7.0])
print(nn.MSELoss()(prediction, target))         # mean of (p - t)^2
print(nn.L1Loss()(prediction, target))          # mean of |p - t|
print(nn.HuberLoss(delta=1.0)(prediction, target))

# Classification: a score f(x) and a label y in {-1, +1}
f = torch.tensor([0.8, -1.5, 0.2], requires_grad=True)
y = torch.tensor([1.0, 1.0, -1.0])
loss = nn.SoftMarginLoss()(f, y)                 # mean of log(1 + exp(-y f))
loss.backward()
print(loss, f.grad)                              # autograd gives d loss / d f
"""

CODE_HINGE = """
import torch
from torch import nn

f = torch.tensor([0.8, -1.5, 0.2])               # one score per example
y = torch.tensor([1, 1, -1])                     # labels in {-1, +1}
logits = torch.stack([torch.zeros_like(f), f], dim=1)  # two classes: [0, f]
target = (y > 0).long()                          # class 1 is y = +1
hinge = 2 * nn.MultiMarginLoss(reduction="none")(logits, target)
print(hinge)                                     # equals max(0, 1 - y f)
print(torch.clamp(1 - y * f, min=0))
"""

CODE_SOFTMAX = """
import torch
from torch import nn

z = torch.tensor([2.0, 1.0, -1.0], requires_grad=True)   # logits for 3 classes
y = torch.tensor([0])                                    # the true class
loss = nn.CrossEntropyLoss()(z[None], y)                 # -log softmax(z)[y]
loss.backward()
p = torch.softmax(z.detach(), dim=0)
print(loss, z.grad)
print(p - nn.functional.one_hot(y[0], 3))                # the same gradient
"""

CODE_OUTLIER = """
import torch
from torch import nn

x = torch.linspace(0, 1, 10)
y = 1 + 2 * x
y[8] = 10.0                                      # one outlier
w = torch.zeros((), requires_grad=True)
b = torch.zeros((), requires_grad=True)
opt = torch.optim.Adam([w, b], lr=0.1)
loss_fn = nn.HuberLoss(delta=1.0)               # try nn.MSELoss() or nn.L1Loss()
for step in range(500):
    opt.zero_grad()
    loss = loss_fn(w * x + b, y)
    loss.backward()
    opt.step()
print(w.item(), b.item())
"""
