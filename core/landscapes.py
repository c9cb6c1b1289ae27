"""2-D test functions in torch, real `torch.optim` trajectories over them, and contour lines.

Every landscape is a function f(x, y) of two broadcastable tensors, so the same code evaluates
a 200 x 200 grid in one call and all the optimisers' points at once. Each also carries its
gradient derived by hand (the tests check it against autograd): the optimiser loop feeds
torch.optim that formula, because an autograd forward and backward per step cost more than
the six optimisers' updates together and would double the time of a slider drag.
"""

import math
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import torch

from core import optimisers

Fn = Callable[[torch.Tensor, torch.Tensor], torch.Tensor]
Grad = Callable[[torch.Tensor, torch.Tensor], tuple[torch.Tensor, torch.Tensor]]

# Beyond this distance from the origin a parameter has run away: we call it divergence.
RUNAWAY = 1e6


@dataclass(frozen=True)
class Landscape:
    """A 2-D test function with its known minima, plot window and sensible defaults."""

    key: str
    name: str
    latex: str
    fn: Fn
    minima: tuple[tuple[float, float], ...]
    f_min: float
    window: tuple[float, float, float, float]  # x_min, x_max, y_min, y_max
    start: tuple[float, float]
    lr: float
    grad: Grad  # (df/dx, df/dy), derived by hand
    grad_latex: str
    saddles: tuple[tuple[float, float], ...] = ()
    note: str = ""

    def __call__(self, x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        return self.fn(x, y)


def _rosenbrock(x, y):
    return (1 - x) ** 2 + 100 * (y - x**2) ** 2


def _rosenbrock_grad(x, y):
    valley = y - x * x
    return 2 * (x - 1) - 400 * x * valley, 200 * valley


def _himmelblau(x, y):
    return (x**2 + y - 11) ** 2 + (x + y**2 - 7) ** 2


def _himmelblau_grad(x, y):
    a, b = x * x + y - 11, x + y * y - 7
    return 4 * x * a + 2 * b, 2 * a + 4 * y * b


def _beale(x, y):
    return (1.5 - x + x * y) ** 2 + (2.25 - x + x * y**2) ** 2 + (2.625 - x + x * y**3) ** 2


def _beale_grad(x, y):
    y2 = y * y
    y3 = y2 * y
    u1, u2, u3 = 1.5 - x + x * y, 2.25 - x + x * y2, 2.625 - x + x * y3
    dx = 2 * (u1 * (y - 1) + u2 * (y2 - 1) + u3 * (y3 - 1))
    dy = 2 * x * (u1 + 2 * y * u2 + 3 * y2 * u3)
    return dx, dy


def _rastrigin(x, y):
    two_pi = 2 * math.pi
    return 20 + x**2 - 10 * torch.cos(two_pi * x) + y**2 - 10 * torch.cos(two_pi * y)


def _rastrigin_slope(u):
    return 2 * u + 20 * math.pi * torch.sin(2 * math.pi * u)


def _rastrigin_grad(x, y):
    return _rastrigin_slope(x), _rastrigin_slope(y)


def _camel(x, y):
    x2, y2 = x**2, y**2
    return (4 - 2.1 * x2 + x2**2 / 3) * x2 + x * y + (4 * y2 - 4) * y2


def _camel_grad(x, y):
    x2, y2 = x * x, y * y
    return 8 * x - 8.4 * x2 * x + 2 * x2 * x2 * x + y, x - 8 * y + 16 * y2 * y


def _saddle(x, y):
    return x**2 + y**4 / 4 - y**2 / 2


def _saddle_grad(x, y):
    return 2 * x, y * y * y - y


def _gradient_tex(dx: str, dy: str, where: str = "") -> str:
    """The two partial derivatives one under the other (legible on a projector), then any
    abbreviations they use."""
    lines = [
        rf"\dfrac{{\partial f}}{{\partial x}} &= {dx}",
        rf"\dfrac{{\partial f}}{{\partial y}} &= {dy}",
    ]
    if where:
        lines.append(rf"&\text{{with }} {where}")
    return r"\begin{aligned}" + r" \\ ".join(lines) + r"\end{aligned}"


CAMEL_MIN = -1.031628453489877
KEYS = ("quadratic", "saddle", "rosenbrock", "himmelblau", "beale", "rastrigin", "camel")


def landscape(key: str, kappa: float = 10.0) -> Landscape:
    """The named test function; `kappa` is the quadratic bowl's condition number."""
    if key == "quadratic":
        k = float(kappa)
        return Landscape(
            "quadratic",
            f"Quadratic bowl (condition number {k:g})",
            rf"f(x, y) = \tfrac12\,(x^2 + {k:g}\,y^2)",
            lambda x, y: 0.5 * (x**2 + k * y**2),
            ((0.0, 0.0),),
            0.0,
            (-3.0, 3.0, -3.0, 3.0),
            (-2.5, 2.0),
            min(0.1, 1.0 / k),
            grad=lambda x, y: (x, k * y),
            grad_latex=_gradient_tex("x", f"{k:g}\\,y"),
            note="Curvature 1 along x and κ along y: SGD must keep the learning rate "
            "below 2/κ or it bounces out of the steep direction.",
        )
    table = {
        "saddle": Landscape(
            "saddle",
            "Saddle",
            r"f(x, y) = x^2 + \tfrac14 y^4 - \tfrac12 y^2",
            _saddle,
            ((0.0, 1.0), (0.0, -1.0)),
            -0.25,
            (-2.0, 2.0, -2.0, 2.0),
            (-1.8, 0.0),
            0.05,
            grad=_saddle_grad,
            grad_latex=_gradient_tex("2x", "y^3 - y"),
            saddles=((0.0, 0.0),),
            note="Start on y = 0 and the gradient never points off the ridge: plain gradient "
            "descent stops at the saddle. A little gradient noise knocks it off.",
        ),
        "rosenbrock": Landscape(
            "rosenbrock",
            "Rosenbrock",
            r"f(x, y) = (1 - x)^2 + 100\,(y - x^2)^2",
            _rosenbrock,
            ((1.0, 1.0),),
            0.0,
            (-2.0, 2.0, -1.0, 3.0),
            (-1.2, 1.0),
            2e-3,
            grad=_rosenbrock_grad,
            grad_latex=_gradient_tex(r"2(x - 1) - 400\,x\,(y - x^2)", r"200\,(y - x^2)"),
            note="A long curved valley: finding it is easy, following it to (1, 1) is slow.",
        ),
        "himmelblau": Landscape(
            "himmelblau",
            "Himmelblau",
            r"f(x, y) = (x^2 + y - 11)^2 + (x + y^2 - 7)^2",
            _himmelblau,
            (
                (3.0, 2.0),
                (-2.805118, 3.131312),
                (-3.779310, -3.283186),
                (3.584428, -1.848126),
            ),
            0.0,
            (-5.0, 5.0, -5.0, 5.0),
            (0.0, 0.0),
            0.01,
            grad=_himmelblau_grad,
            grad_latex=_gradient_tex(
                r"4x\,a + 2b", r"2a + 4y\,b", r"a = x^2 + y - 11,\ \ b = x + y^2 - 7"
            ),
            note="Four equally good minima: where you end up depends on where you start.",
        ),
        "beale": Landscape(
            "beale",
            "Beale",
            r"\begin{aligned} f(x, y) = {} & (1.5 - x + xy)^2 + (2.25 - x + xy^2)^2 \\ "
            r"& + (2.625 - x + xy^3)^2 \end{aligned}",
            _beale,
            ((3.0, 0.5),),
            0.0,
            (-4.5, 4.5, -4.5, 4.5),
            (1.0, 1.5),
            0.01,
            grad=_beale_grad,
            grad_latex=_gradient_tex(
                r"2\textstyle\sum_{k=1}^{3} u_k\,(y^k - 1)",
                r"2x\textstyle\sum_{k=1}^{3} k\,y^{k-1} u_k",
                r"u_k = c_k - x + x y^k,\ \ c = (1.5,\ 2.25,\ 2.625)",
            ),
            note="Flat plateaus and sharp walls: the gradient's scale varies by orders of "
            "magnitude, which is where adaptive methods shine.",
        ),
        "rastrigin": Landscape(
            "rastrigin",
            "Rastrigin",
            r"f(x, y) = 20 + \sum_{u \in \{x, y\}} \big(u^2 - 10\cos 2\pi u\big)",
            _rastrigin,
            ((0.0, 0.0),),
            0.0,
            (-5.12, 5.12, -5.12, 5.12),
            (-3.2, 2.2),
            0.002,
            grad=_rastrigin_grad,
            grad_latex=_gradient_tex(r"2x + 20\pi \sin 2\pi x", r"2y + 20\pi \sin 2\pi y"),
            note="A bowl covered in local minima: gradient descent stops in the nearest one.",
        ),
        "camel": Landscape(
            "camel",
            "Six-hump camel",
            r"f(x, y) = \big(4 - 2.1x^2 + \tfrac{x^4}{3}\big)x^2 + xy + (4y^2 - 4)\,y^2",
            _camel,
            ((0.0898, -0.7126), (-0.0898, 0.7126)),
            CAMEL_MIN,
            (-3.0, 3.0, -2.0, 2.0),
            (-1.5, -1.0),
            0.01,
            grad=_camel_grad,
            grad_latex=_gradient_tex("8x - 8.4x^3 + 2x^5 + y", "x - 8y + 16y^3"),
            note="Six humps, two global minima and a few local ones.",
        ),
    }
    if key not in table:
        raise KeyError(f"unknown landscape {key!r}; choose one of {KEYS}")
    return table[key]


@dataclass
class Grid:
    """f sampled on a regular grid: xs (n,), ys (m,), z (m, n) with z[i, j] = f(xs[j], ys[i])."""

    xs: np.ndarray
    ys: np.ndarray
    z: np.ndarray


def evaluate_grid(land: Landscape, n: int = 200) -> Grid:
    """f on an n x n grid over the landscape's window, in one vectorised call."""
    x0, x1, y0, y1 = land.window
    xs = torch.linspace(x0, x1, n, dtype=torch.float64)
    ys = torch.linspace(y0, y1, n, dtype=torch.float64)
    # Row blocks under torch's parallel grain (32768 elements) stay on one thread: on a busy
    # shared CPU, waking the thread pool for a millisecond of work can cost fifty.
    rows = max(1, 16384 // n)
    with torch.no_grad():
        z = torch.cat([land.fn(xs[None, :], ys[i : i + rows, None]) for i in range(0, n, rows)])
    return Grid(xs.numpy(), ys.numpy(), z.numpy())


# ---------------------------------------------------------------------------------- optimisers

OPTIMISERS = optimisers.NAMES

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

    `momentum` is β (Adam's β₁ too). SGD, momentum and Nesterov are all `torch.optim.SGD`, so they share one optimiser with
    three parameter groups; each group keeps its own settings and state.
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
        return len(self.xy) - 1

    def message(self) -> str:
        """A plain sentence on how the run ended."""
        if self.diverged_at is None:
            return f"{self.name} ran all {self.steps} steps; final loss {self.loss[-1]:.4g}."
        return (
            f"{self.name} diverged at step {self.diverged_at}: the loss or the parameters "
            "became infinite (or ran off beyond 10⁶)."
        )


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


def nearest_minimum(land: Landscape, xy: np.ndarray) -> tuple[tuple[float, float], float]:
    """The known minimum closest to a point, and the distance to it."""
    minima = np.asarray(land.minima)
    d = np.linalg.norm(minima - np.asarray(xy)[None, :], axis=1)
    i = int(d.argmin())
    return (float(minima[i, 0]), float(minima[i, 1])), float(d[i])


# --------------------------------------------------------------------------------- contours


def log_levels(z: np.ndarray, f_min: float, count: int = 14) -> np.ndarray:
    """Contour levels evenly spaced in log(f - f_min) between the grid's 1st and 97th percentile."""
    gap = np.log10(np.maximum(z - f_min, 0) + 1e-3)
    lo, hi = np.nanpercentile(gap, [1, 97])
    return f_min + 10 ** np.linspace(lo, hi, count) - 1e-3


def contour_segments(xs: np.ndarray, ys: np.ndarray, z: np.ndarray, levels) -> pd.DataFrame:
    """Marching squares: the line segments (x, y, x2, y2, level) where z crosses each level."""
    finite = np.isfinite(z)
    z = np.where(finite, z, np.max(z[finite]) if finite.any() else 0.0)
    c00, c01, c11, c10 = z[:-1, :-1], z[:-1, 1:], z[1:, 1:], z[1:, :-1]
    shape = c00.shape
    xa = np.broadcast_to(xs[:-1][None, :], shape)
    xb = np.broadcast_to(xs[1:][None, :], shape)
    ya = np.broadcast_to(ys[:-1][:, None], shape)
    yb = np.broadcast_to(ys[1:][:, None], shape)
    frames = []
    for level in np.atleast_1d(np.asarray(levels, dtype=float)):
        # Crossing points on the edges bottom, right, top, left of every cell.
        ex = np.stack([_lerp(c00, c01, level, xa, xb), xb, _lerp(c10, c11, level, xa, xb), xa])
        ey = np.stack([ya, _lerp(c01, c11, level, ya, yb), yb, _lerp(c00, c10, level, ya, yb)])
        up = [c > level for c in (c00, c01, c11, c10)]
        hit = np.stack([up[0] != up[1], up[1] != up[2], up[3] != up[2], up[0] != up[3]])
        count = hit.sum(axis=0)
        pairs = []
        two = np.nonzero(count == 2)
        first = np.argmax(hit, axis=0)[two]
        second = 3 - np.argmax(hit[::-1], axis=0)[two]
        pairs.append((two, first, second))
        four = np.nonzero(count == 4)
        if four[0].size:
            centre_up = (c00 + c01 + c11 + c10)[four] / 4 > level
            same = centre_up == up[0][four]  # c00 joins c11 through the centre
            pairs.append((four, np.zeros_like(first, shape=same.shape), np.where(same, 1, 3)))
            pairs.append((four, np.full(same.shape, 2), np.where(same, 3, 1)))
        for cells, a, b in pairs:
            if len(cells[0]):
                frames.append(
                    pd.DataFrame(
                        {
                            "x": ex[a, *cells],
                            "y": ey[a, *cells],
                            "x2": ex[b, *cells],
                            "y2": ey[b, *cells],
                            "level": level,
                        }
                    )
                )
    if not frames:
        return pd.DataFrame(columns=["x", "y", "x2", "y2", "level"])
    return pd.concat(frames, ignore_index=True)


def _lerp(a: np.ndarray, b: np.ndarray, level: float, pa: np.ndarray, pb: np.ndarray):
    with np.errstate(divide="ignore", invalid="ignore"):
        t = np.clip((level - a) / (b - a), 0.0, 1.0)
    return pa + np.nan_to_num(t, nan=0.5) * (pb - pa)


# ------------------------------------------------------- a real network's landscape (Li et al.)


def toy_moons(
    n: int = 200, noise: float = 0.15, seed: int = 0
) -> tuple[torch.Tensor, torch.Tensor]:
    """Two interleaving half-moons in 2-D: inputs (n, 2) float32, labels (n,) int64."""
    gen = torch.Generator().manual_seed(seed)
    half = n // 2
    t = torch.rand(n, generator=gen) * math.pi
    upper = torch.stack([torch.cos(t[:half]), torch.sin(t[:half])], 1)
    lower = torch.stack([1 - torch.cos(t[half:]), 0.5 - torch.sin(t[half:])], 1)
    x = torch.cat([upper, lower]) + noise * torch.randn(n, 2, generator=gen)
    y = torch.cat([torch.zeros(half), torch.ones(n - half)]).long()
    return x, y


def make_mlp(hidden: int = 16, seed: int = 0) -> torch.nn.Sequential:
    """The small MLP whose landscape we slice: 2 -> hidden -> hidden -> 2 with ReLU."""
    torch.manual_seed(seed)
    return torch.nn.Sequential(
        torch.nn.Linear(2, hidden),
        torch.nn.ReLU(),
        torch.nn.Linear(hidden, hidden),
        torch.nn.ReLU(),
        torch.nn.Linear(hidden, 2),
    )


def filter_normalised_direction(
    weights: dict[str, torch.Tensor], generator: torch.Generator
) -> dict[str, torch.Tensor]:
    """A random direction with each filter rescaled to its weight filter's norm; biases zero.

    For a Linear layer a filter is one row of the weight matrix (one neuron's inputs).
    """
    direction = {}
    for name, w in weights.items():
        d = torch.randn(w.shape, generator=generator, dtype=w.dtype)
        if w.dim() <= 1:
            d.zero_()
        else:
            d_rows, w_rows = d.flatten(1), w.flatten(1)
            scale = w_rows.norm(dim=1) / (d_rows.norm(dim=1) + 1e-10)
            d = (d_rows * scale[:, None]).reshape(w.shape)
        direction[name] = d
    return direction


@dataclass
class SliceResult:
    """A 2-D loss slice around trained weights, and the 1-D path from initial to trained."""

    alphas: np.ndarray  # along direction δ (x axis)
    betas: np.ndarray  # along direction η (y axis)
    loss: np.ndarray  # loss[i, j] at θ* + alphas[j] δ + betas[i] η
    line_t: np.ndarray  # t = 0 initial weights, t = 1 trained weights
    line_loss: np.ndarray
    train_loss: list[float]
    accuracy: float


@dataclass
class SliceEvent:
    """Progress of `li_slice`: which stage, how far, and the result once done."""

    stage: str  # "train", "slice", "done"
    done: int
    total: int
    loss: float | None = None
    result: SliceResult | None = None

    @property
    def fraction(self) -> float:
        return self.done / max(self.total, 1)


def _batched_loss(model, x, y, stacked: dict[str, torch.Tensor]) -> torch.Tensor:
    loss_fn = torch.nn.functional.cross_entropy

    def one(params):
        return loss_fn(torch.func.functional_call(model, params, (x,)), y)

    return torch.vmap(one)(stacked)


def li_slice(
    resolution: int = 31,
    span: float = 1.0,
    epochs: int = 200,
    lr: float = 0.03,
    seed: int = 0,
):
    """Train the MLP on the moons, then sweep a filter-normalised 2-D slice of its loss.

    A generator of SliceEvent: training progress, one event per grid row, then "done"
    carrying the SliceResult.
    """
    x, y = toy_moons(seed=seed)
    model = make_mlp(seed=seed)
    initial = {k: v.detach().clone() for k, v in model.named_parameters()}
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    train_loss = []
    for epoch in range(epochs):
        opt.zero_grad()
        loss = torch.nn.functional.cross_entropy(model(x), y)
        loss.backward()
        opt.step()
        train_loss.append(loss.item())
        if epoch % 20 == 19 or epoch == epochs - 1:
            yield SliceEvent("train", epoch + 1, epochs, loss.item())
    trained = {k: v.detach().clone() for k, v in model.named_parameters()}
    with torch.no_grad():
        accuracy = (model(x).argmax(1) == y).float().mean().item()
    gen = torch.Generator().manual_seed(seed + 1)
    delta = filter_normalised_direction(trained, gen)
    eta = filter_normalised_direction(trained, gen)
    alphas = torch.linspace(-span, span, resolution)
    grid = np.empty((resolution, resolution))
    with torch.no_grad():
        for i, b in enumerate(alphas):
            stacked = {
                k: w[None]
                + alphas[:, None, None].reshape(-1, *[1] * w.dim()) * delta[k][None]
                + b * eta[k][None]
                for k, w in trained.items()
            }
            grid[i] = _batched_loss(model, x, y, stacked).numpy()
            yield SliceEvent("slice", i + 1, resolution, float(grid[i].min()))
        line_t = torch.linspace(-0.25, 1.25, 61)
        shape = (-1,)
        stacked = {
            k: initial[k][None] + line_t.reshape(*shape, *[1] * w.dim()) * (w - initial[k])[None]
            for k, w in trained.items()
        }
        line_loss = _batched_loss(model, x, y, stacked).numpy()
    result = SliceResult(
        alphas.numpy(),
        alphas.numpy().copy(),
        grid,
        line_t.numpy(),
        line_loss,
        train_loss,
        accuracy,
    )
    yield SliceEvent("done", resolution, resolution, float(grid.min()), result)


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


# ------------------------------------------------------------------- code shown on the page

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

CODE_GRID = """
import torch

xs = torch.linspace(-2, 2, 200)
ys = torch.linspace(-1, 3, 200)
Y, X = torch.meshgrid(ys, xs, indexing="ij")      # 200 x 200 grid, no Python loop
Z = (1 - X) ** 2 + 100 * (Y - X**2) ** 2         # the same formula, evaluated everywhere
print(Z.shape, Z.min())
"""

CODE_LI = """
import torch
from torch import nn

model = nn.Sequential(nn.Linear(2, 16), nn.ReLU(), nn.Linear(16, 16), nn.ReLU(), nn.Linear(16, 2))
# ... train the model, then keep its weights theta*
theta = {k: v.detach().clone() for k, v in model.named_parameters()}

def direction():
    d = {}
    for k, w in theta.items():
        r = torch.randn_like(w)
        if w.dim() == 1:
            r.zero_()                                      # biases: no movement
        else:                                              # each row (filter) gets the
            r *= w.norm(dim=1, keepdim=True) / r.norm(dim=1, keepdim=True)  # weight row's norm
        d[k] = r
    return d

delta, eta = direction(), direction()
x, y = torch.randn(100, 2), torch.randint(0, 2, (100,))
with torch.no_grad():
    for a in torch.linspace(-1, 1, 5):
        for b in torch.linspace(-1, 1, 5):
            for k, p in model.named_parameters():
                p.copy_(theta[k] + a * delta[k] + b * eta[k])
            loss = nn.functional.cross_entropy(model(x), y)
print(loss.item())
"""
