"""The Gradient descent chapter's questions: Adam is not always first; where SGD diverges.

A setting is the page's link (`fn`, `opt`, `lr`, `steps`, `beta`, `noise`, `x0`, `y0`, `kappa`);
the answers run core.landscapes.descent.run_optimisers, the paths the page draws.
"""

from core.i18n import N_
from core.landscapes import descent, functions
from core.questions import asked

RACERS = ("SGD", "Momentum", "Adam", "RMSprop")
SGD_RUNGS = (0.1, 0.2, 0.5, 1.0)  # rungs of the page's learning-rate ladder


def runs(setting: dict, **change) -> dict[str, descent.Trajectory]:
    """The optimisers' paths at `setting` (with `change` applied), as the page computes them."""
    s = setting | change
    land = functions.landscape(s["fn"], float(s.get("kappa", 10.0)))
    return descent.run_optimisers(
        land, list(s["opt"]), float(s["lr"]), int(s["steps"]), float(s["beta"]),
        (float(s["x0"]), float(s["y0"])), float(s["noise"]),
    )  # fmt: skip


def _lowest_final(setting: dict) -> int:
    paths = runs(setting)
    best = min(paths, key=lambda name: float(paths[name].loss[-1]))
    return RACERS.index(best)


def _first_diverging(setting: dict) -> int:
    for i, lr in enumerate(SGD_RUNGS):
        if runs(setting, lr=lr)["SGD"].diverged_at is not None:
            return i
    return len(SGD_RUNGS)  # none of them: "none of these"


_ROSENBROCK = functions.landscape("rosenbrock")
_BOWL = functions.landscape("quadratic", 10.0)
QUESTIONS = [
    asked(
        _lowest_final,
        {
            "fn": "rosenbrock",
            "opt": list(RACERS),
            "lr": _ROSENBROCK.lr,
            "steps": 300,
            "beta": 0.9,
            "noise": 0.0,
            "x0": _ROSENBROCK.start[0],
            "y0": _ROSENBROCK.start[1],
        },  # fmt: skip
        id="gradient_descent.rosenbrock_race",
        chapter="gradient_descent",
        prompt=N_(
            "Rosenbrock's banana valley, lr 0.002, 300 steps from (−1.2, 1): which optimiser "
            "ends with the lowest loss?"
        ),
        kind="choice",
        choices=RACERS,
        explanation=(
            N_(
                "Momentum. Adam and RMSprop divide each step by a running size of the gradient, so "
                "at lr 0.002 they move about 0.002 per step whatever the slope: 300 steps are not "
                "enough to walk the long flat valley. Momentum builds up speed along it. The best "
                "optimiser depends on the landscape and the learning rate."
            )
        ),
    ),
    asked(
        _first_diverging,
        {
            "fn": "quadratic",
            "opt": ["SGD"],
            "lr": 0.2,
            "steps": 300,
            "beta": 0.9,
            "noise": 0.0,
            "x0": _BOWL.start[0],
            "y0": _BOWL.start[1],
            "kappa": 10.0,
        },  # fmt: skip
        id="gradient_descent.sgd_diverges",
        chapter="gradient_descent",
        prompt=N_(
            "The quadratic bowl with condition number κ = 10: from which learning rate on "
            "the slider does plain SGD diverge?"
        ),
        kind="choice",
        choices=(*map(str, SGD_RUNGS), N_("none of these")),
        explanation=(
            N_(
                "The steepest direction has curvature κ = 10, and SGD on a quadratic is stable only "
                "for lr < 2 / 10 = 0.2. At exactly 0.2 it bounces between two walls for ever "
                "(shown here: the loss never falls, but it does not grow); from 0.5 it explodes."
            )
        ),
    ),
]
