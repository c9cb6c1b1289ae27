"""The Live training chapter's questions: a bigger batch is not better per epoch; too large a
learning rate blows up.

A setting is the regression tab's link (`reg_lr`, `reg_epochs`, `reg_batch`, `reg_opt`,
`reg_seed`); the answers run core.training's Run to its end, the run the page streams.
"""

from core.i18n import N_
from core.questions import asked
from core.training import make_run
from core.training.loop import Run, Status
from core.training.regression import RegressionConfig

SIZES = (N_("smaller than with batch 10"), N_("about the same"), N_("larger than with batch 10"))


def finished_run(setting: dict, **change) -> Run:
    """The regression run at `setting` (with `change` applied), trained to its end."""
    s = setting | change
    cfg = RegressionConfig(
        lr=float(s["reg_lr"]), epochs=int(s["reg_epochs"]), batch_size=int(s["reg_batch"]),
        optimizer=str(s["reg_opt"]), seed=int(s["reg_seed"]),
    )  # fmt: skip
    run = make_run(cfg)
    for _ in run:
        pass
    return run


def _bigger_batch(setting: dict) -> int:
    big = finished_run(setting).epoch_log[-1]["w error"]
    small = finished_run(setting, reg_batch=10).epoch_log[-1]["w error"]
    if abs(big - small) <= 0.1 * max(big, small):
        return 1
    return 0 if big < small else 2


def _blows_up(setting: dict) -> int:
    run = finished_run(setting)
    if run.status is Status.DIVERGED:
        return 2
    default = finished_run(setting, reg_lr=0.03).epoch_log[-1]["train loss"]
    return 0 if run.epoch_log[-1]["train loss"] < default else 1


REGRESSION = {"tab": "Regression", "reg_lr": 0.03, "reg_epochs": 3, "reg_batch": 10,
              "reg_opt": "SGD", "reg_seed": 0}  # fmt: skip
QUESTIONS = [
    asked(
        _bigger_batch,
        REGRESSION | {"reg_batch": 256},
        id="live_training.bigger_batch",
        chapter="live_training",
        prompt=N_(
            "Linear regression, SGD at lr 0.03 for 3 epochs: with batch size 256 instead of "
            "10, is the weight error |w − w*| at the end smaller or larger?"
        ),
        kind="choice",
        choices=SIZES,
        explanation=(
            N_(
                "Larger, by far. An epoch is one pass over the 1000 samples: batch 10 takes 100 "
                "steps per epoch, batch 256 only 4. A bigger batch gives a less noisy gradient, "
                "but with the same learning rate and epochs it takes far fewer steps."
            )
        ),
    ),
    asked(
        _blows_up,
        REGRESSION | {"reg_lr": 1.0},
        id="live_training.big_lr",
        chapter="live_training",
        prompt=N_(
            "Same regression, SGD with lr 1.0 instead of 0.03 (batch 10, 3 epochs): what "
            "happens to the training loss?"
        ),
        kind="choice",
        choices=(
            N_("it falls faster than at 0.03"),
            N_("about the same as at 0.03"),
            N_("it blows up"),
        ),
        explanation=(
            N_(
                "It blows up. Each step overshoots the minimum by more than it corrects, so the "
                "error grows every step until the numbers overflow; the run is stopped as diverged. "
                "A learning rate has a ceiling set by the curvature of the loss."
            )
        ),
    ),
]
