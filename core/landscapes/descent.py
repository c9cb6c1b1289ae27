"""Real `torch.optim` optimisers stepping across a landscape, and their update rules worked by
hand with the numbers plugged in (the tests check the hand rule against torch.optim).

The loop feeds torch.optim the landscape's hand-derived gradient: an autograd forward and
backward per step cost more than the six optimisers' updates together and would double the
time of a slider drag.
"""

from dataclasses import dataclass, field

import numpy as np
import torch

from core import optimisers
from core.i18n import Translate, untranslated
from core.landscapes.functions import Landscape

# Beyond this distance from the origin a parameter has run away: we call it divergence.
RUNAWAY = 1e6

# Which entries of `optimizer.state[p]` the update rule needs, per optimiser.
STATE_KEYS = {
    "SGD": (),
    "Momentum": ("momentum_buffer",),
    "Nesterov": ("momentum_buffer",),
    "Adam": ("exp_avg", "exp_avg_sq"),
    "RMSprop": ("square_avg",),
    "Adagrad": ("sum",),
}


def make_optimisers(
    names: list[str], params: list[torch.Tensor], lr: float, momentum: float = 0.9
) -> list[torch.optim.Optimizer]:
    """One torch.optim optimiser per class, one parameter group per name (fewer step calls).

    `momentum` is β (Adam's β₁ too). SGD, momentum and Nesterov are all `torch.optim.SGD`, so
    they share one optimiser with three parameter groups; each keeps its own settings and state.
    The settings come from the app's one factory, `core.optimisers`.
    """
    by_class: dict[type, list[dict]] = {}
    for name, p in zip(names, params, strict=True):
        group = {"params": [p], **optimisers.settings(name, momentum)}
        by_class.setdefault(optimisers.CLASSES[name], []).append(group)
    return [cls(groups, lr=lr, foreach=False) for cls, groups in by_class.items()]


@dataclass
class Trajectory:
    """One optimiser's path: positions, losses, gradients used and state after each step.

    xy[t] is θ_t (t = 0 is the start), loss[t] = f(θ_t), grad[t] the gradient (noise
    included) used to go from θ_t to θ_{t+1}, state[k][t] the optimiser state after that
    step. Arrays stop at the last finite point when the run diverged.
    """

    name: str
    xy: np.ndarray
    loss: np.ndarray
    grad: np.ndarray
    state: dict[str, np.ndarray] = field(default_factory=dict)
    diverged_at: int | None = None

    @property
    def steps(self) -> int:
        """How many steps the path has (fewer than asked for when it diverged)."""
        return len(self.xy) - 1

    def message(self, gettext: Translate = untranslated) -> str:
        """A plain sentence on how the run ended."""
        _ = gettext
        if self.diverged_at is None:
            return _("{name} ran all {steps} steps; final loss {loss}.").format(
                name=self.name, steps=self.steps, loss=f"{self.loss[-1]:.4g}"
            )
        return _(
            "{name} diverged at step {step}: the loss or the parameters became infinite "
            "(or ran off beyond 10⁶)."
        ).format(name=self.name, step=self.diverged_at)


def run_optimisers(
    land: Landscape,
    names: tuple[str, ...] | list[str],
    lr: float,
    steps: int,
    momentum: float = 0.9,
    start: tuple[float, float] | None = None,
    noise: float = 0.0,
    seed: int = 0,
) -> dict[str, Trajectory]:
    """Step each named torch.optim optimiser on its own 2-element parameter for `steps` steps.

    Every step feeds each optimiser the landscape's gradient at its point (one vectorised
    call for all of them). Noise adds N(0, noise²) to each gradient component (seeded), as in
    stochastic gradient descent.
    """
    names = list(dict.fromkeys(names))
    if not names:
        return {}
    k = len(names)
    # Every optimiser's parameter is a row of one (k, 2) tensor and its .grad a row of another,
    # so a step's bookkeeping is a few whole-tensor copies rather than one per optimiser.
    theta = torch.tensor([land.start if start is None else start] * k, dtype=torch.float64)
    grad = torch.zeros(k, 2, dtype=torch.float64)
    params = [row.requires_grad_() for row in theta]
    for p, g in zip(params, grad, strict=True):
        p.grad = g
    opts = make_optimisers(names, params, lr, momentum)
    gen = torch.Generator().manual_seed(seed)
    noise_all = (
        noise * torch.randn(steps, k, 2, generator=gen, dtype=torch.float64) if noise > 0 else None
    )
    xy = torch.empty(steps + 1, k, 2, dtype=torch.float64)
    grads = torch.empty(steps, k, 2, dtype=torch.float64)
    keys = [(i, key) for i, n in enumerate(names) for key in STATE_KEYS[n]]
    kept = torch.empty(steps, len(keys), 2, dtype=torch.float64)
    tracked: list[torch.Tensor] = []
    x, y = theta.detach().unbind(1)  # views: they follow the optimisers' in-place updates
    for t in range(steps):
        xy[t] = theta
        torch.stack(land.grad(x, y), 1, out=grad)
        if noise_all is not None:
            grad += noise_all[t]
        grads[t] = grad
        for opt in opts:
            opt.step()
        if t == 0:  # the optimisers create their state on the first step, then update it in place
            state = {p: entries for opt in opts for p, entries in opt.state.items()}
            tracked = [state[params[i]][key] for i, key in keys]
        if tracked:
            torch.stack(tracked, out=kept[t])
    xy[steps] = theta
    loss = land.fn(xy[..., 0], xy[..., 1])  # the whole path's losses in one call
    pos, losses, used, history = xy.numpy(), loss.numpy(), grads.numpy(), kept.numpy()
    hist = {key: history[:, c] for c, key in enumerate(keys)}
    return {
        n: _trajectory(n, pos[:, i], losses[:, i], used[:, i], hist, i) for i, n in enumerate(names)
    }


def _trajectory(name, xy, loss, grad, hist, i) -> Trajectory:
    ok = np.isfinite(loss) & np.isfinite(xy).all(axis=1) & (np.abs(xy).max(axis=1) < RUNAWAY)
    bad = np.flatnonzero(~ok)
    end = len(xy) if bad.size == 0 else int(bad[0])
    end = max(end, 1)
    state = {key: h[: end - 1].copy() for (j, key), h in hist.items() if j == i}
    return Trajectory(
        name,
        xy[:end].copy(),
        loss[:end].copy(),
        grad[: end - 1].copy(),
        state,
        diverged_at=None if bad.size == 0 else int(bad[0]),
    )


# ------------------------------------------------------------------ the update rule, in numbers

RULES = {
    "SGD": r"\theta_{t+1} = \theta_t - \alpha\, g_t",
    "Momentum": r"v_{t+1} = \beta\, v_t + g_t,\qquad \theta_{t+1} = \theta_t - \alpha\, v_{t+1}",
    "Nesterov": r"v_{t+1} = \beta\, v_t + g_t,\qquad "
    r"\theta_{t+1} = \theta_t - \alpha\,(g_t + \beta\, v_{t+1})",
    "Adam": r"m_{t+1} = \beta_1 m_t + (1-\beta_1) g_t,\quad s_{t+1} = \beta_2 s_t + (1-\beta_2) g_t^2,"
    r"\quad \theta_{t+1} = \theta_t - \alpha\,\frac{m_{t+1}/(1-\beta_1^{t+1})}"
    r"{\sqrt{s_{t+1}/(1-\beta_2^{t+1})} + \epsilon}",
    "RMSprop": r"s_{t+1} = \rho\, s_t + (1-\rho)\, g_t^2,\qquad "
    r"\theta_{t+1} = \theta_t - \alpha\,\frac{g_t}{\sqrt{s_{t+1}} + \epsilon}",
    "Adagrad": r"S_{t+1} = S_t + g_t^2,\qquad "
    r"\theta_{t+1} = \theta_t - \alpha\,\frac{g_t}{\sqrt{S_{t+1}} + \epsilon}",
}

_SYMBOL = {"momentum_buffer": "v", "exp_avg": "m", "exp_avg_sq": "s", "square_avg": "s", "sum": "S"}


def update_by_hand(name: str, traj: Trajectory, t: int, lr: float, beta: float = 0.9) -> dict:
    """The textbook update rule for step t, from θ_t, g_t and the state before the step.

    Returns the quantities by symbol, including "theta_next" computed by hand, which must
    equal traj.xy[t + 1] (what torch.optim did).
    """
    theta, g = traj.xy[t], traj.grad[t]
    before = {key: (traj.state[key][t - 1] if t > 0 else np.zeros(2)) for key in STATE_KEYS[name]}
    out = {"theta": theta, "g": g}
    if name == "SGD":
        out["theta_next"] = theta - lr * g
    elif name in ("Momentum", "Nesterov"):
        v = beta * before["momentum_buffer"] + g if t > 0 else g.copy()
        step = g + beta * v if name == "Nesterov" else v
        out |= {"v": before["momentum_buffer"], "v_next": v, "theta_next": theta - lr * step}
    elif name == "Adam":
        b2, eps = 0.999, 1e-8
        m = beta * before["exp_avg"] + (1 - beta) * g
        s = b2 * before["exp_avg_sq"] + (1 - b2) * g**2
        m_hat, s_hat = m / (1 - beta ** (t + 1)), s / (1 - b2 ** (t + 1))
        out |= {"m": before["exp_avg"], "m_next": m, "s": before["exp_avg_sq"], "s_next": s}
        out["theta_next"] = theta - lr * m_hat / (np.sqrt(s_hat) + eps)
    elif name == "RMSprop":
        rho, eps = 0.99, 1e-8
        s = rho * before["square_avg"] + (1 - rho) * g**2
        out |= {"s": before["square_avg"], "s_next": s}
        out["theta_next"] = theta - lr * g / (np.sqrt(s) + eps)
    elif name == "Adagrad":
        s = before["sum"] + g**2
        out |= {
            "S": before["sum"],
            "S_next": s,
            "theta_next": theta - lr * g / (np.sqrt(s) + 1e-10),
        }
    else:
        raise KeyError(name)
    return out


def _vec(v: np.ndarray) -> str:
    return r"\begin{pmatrix}" + rf"{v[0]:.4g} \\ {v[1]:.4g}" + r"\end{pmatrix}"


def update_latex(name: str, traj: Trajectory, t: int, lr: float, beta: float = 0.9) -> str:
    """The update rule for step t with the numbers plugged in, as LaTeX."""
    q = update_by_hand(name, traj, t, lr, beta)
    lines = [rf"t = {t}:\quad g_t = \nabla f(\theta_t) = {_vec(q['g'])}"]
    for key in STATE_KEYS[name]:
        sym = _SYMBOL[key]
        lines.append(rf"{sym}_{{t+1}} = {_vec(q[sym + '_next'])}")
    lines.append(
        rf"\theta_{{t+1}} = {_vec(q['theta'])} \to {_vec(traj.xy[t + 1])}"
        rf"\quad (\alpha = {lr:.3g})"
    )
    return r"\\[4pt]".join(lines)


# The code the page shows beside the race.
CODE_OPTIMISER = """
import torch

def rosenbrock(theta):
    x, y = theta
    return (1 - x) ** 2 + 100 * (y - x**2) ** 2

theta = torch.tensor([-1.5, 2.5], requires_grad=True)   # the 2-element parameter
opt = torch.optim.SGD([theta], lr=1e-3, momentum=0.9)   # or Adam, RMSprop, Adagrad...
path = [theta.detach().clone()]
for step in range(500):
    opt.zero_grad()
    loss = rosenbrock(theta)
    loss.backward()                # theta.grad = d loss / d theta
    opt.step()                     # theta <- theta - lr * (momentum-smoothed) gradient
    path.append(theta.detach().clone())
print(loss.item(), theta)
"""
