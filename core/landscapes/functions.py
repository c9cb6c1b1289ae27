"""The 2-D test functions, each with its gradient derived by hand (the tests check it against
autograd), its known minima, a plot window and a sensible start and learning rate.

Every landscape is a function f(x, y) of two broadcastable tensors, so the same code evaluates
a 200 x 200 grid in one call and all the optimisers' points at once.
"""

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import torch

from core.i18n import N_, Translate, untranslated

Fn = Callable[[torch.Tensor, torch.Tensor], torch.Tensor]
Grad = Callable[[torch.Tensor, torch.Tensor], tuple[torch.Tensor, torch.Tensor]]


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
    note: str = ""  # English, marked for the catalogue: translate where it is shown
    kappa: float | None = None  # the quadratic bowl's condition number

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


def display_name(land: Landscape, gettext: Translate = untranslated) -> str:
    """The landscape's name in the reader's language (the bowl's with its condition number)."""
    _ = gettext
    if land.kappa is not None:
        return _("Quadratic bowl (condition number {kappa})").format(kappa=f"{land.kappa:g}")
    return _(land.name)


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
            note=N_(
                "Curvature 1 along x and κ along y: SGD must keep the learning rate "
                "below 2/κ or it bounces out of the steep direction."
            ),
            kappa=k,
        )
    table = {
        "saddle": Landscape(
            "saddle",
            N_("Saddle"),
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
            note=N_(
                "Start on y = 0 and the gradient never points off the ridge: plain gradient "
                "descent stops at the saddle. A little gradient noise knocks it off."
            ),
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
            note=N_("A long curved valley: finding it is easy, following it to (1, 1) is slow."),
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
            note=N_("Four equally good minima: where you end up depends on where you start."),
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
            note=N_(
                "Flat plateaus and sharp walls: the gradient's scale varies by orders of "
                "magnitude, which is where adaptive methods shine."
            ),
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
            note=N_("A bowl covered in local minima: gradient descent stops in the nearest one."),
        ),
        "camel": Landscape(
            "camel",
            N_("Six-hump camel"),
            r"f(x, y) = \big(4 - 2.1x^2 + \tfrac{x^4}{3}\big)x^2 + xy + (4y^2 - 4)\,y^2",
            _camel,
            ((0.0898, -0.7126), (-0.0898, 0.7126)),
            CAMEL_MIN,
            (-3.0, 3.0, -2.0, 2.0),
            (-1.5, -1.0),
            0.01,
            grad=_camel_grad,
            grad_latex=_gradient_tex("8x - 8.4x^3 + 2x^5 + y", "x - 8y + 16y^3"),
            note=N_("Six humps, two global minima and a few local ones."),
        ),
    }
    if key not in table:
        raise KeyError(f"unknown landscape {key!r}; choose one of {KEYS}")
    return table[key]


def nearest_minimum(land: Landscape, xy: np.ndarray) -> tuple[tuple[float, float], float]:
    """The known minimum closest to a point, and the distance to it."""
    minima = np.asarray(land.minima)
    d = np.linalg.norm(minima - np.asarray(xy)[None, :], axis=1)
    i = int(d.argmin())
    return (float(minima[i, 0]), float(minima[i, 1])), float(d[i])
