"""The lecture's live-training examples, one module each, and the registry a page picks from.

Each example module (regression, curve, toy_classifier, softmax_digits, rnn, cnn) tells its
whole story: a config dataclass with the lecture's defaults, `build(config) -> Task` for the
one training loop in `loop.py`, and the `CODE` shown to students. `make_run(config)` turns
any example's config into a fresh `Run`.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from core.training import cnn, curve, regression, rnn, softmax_digits, toy_classifier
from core.training.cnn import CNNConfig
from core.training.common import TrainConfig
from core.training.curve import CurveConfig
from core.training.loop import Run, Task
from core.training.regression import RegressionConfig
from core.training.rnn import RNNConfig
from core.training.softmax_digits import SoftmaxConfig
from core.training.toy_classifier import ToyConfig

__all__ = [
    "CNNConfig",
    "CurveConfig",
    "EXAMPLES",
    "Example",
    "RNNConfig",
    "RegressionConfig",
    "SoftmaxConfig",
    "ToyConfig",
    "TrainConfig",
    "example",
    "make_run",
    "make_task",
]


@dataclass(frozen=True)
class Example:
    """One example: its config class, the builder of its task and the code shown for it."""

    config: type[TrainConfig]
    build: Callable[[Any], Task]
    code: str


EXAMPLES: dict[str, Example] = {
    "regression": Example(RegressionConfig, regression.build, regression.CODE),
    "curve": Example(CurveConfig, curve.build, curve.CODE),
    "toy": Example(ToyConfig, toy_classifier.build, toy_classifier.CODE),
    "softmax": Example(SoftmaxConfig, softmax_digits.build, softmax_digits.CODE),
    "rnn": Example(RNNConfig, rnn.build, rnn.CODE),
    "cnn": Example(CNNConfig, cnn.build, cnn.CODE),
}
_BY_CONFIG = {e.config: e for e in EXAMPLES.values()}


def example(cfg: TrainConfig) -> Example:
    """The example a config belongs to."""
    return _BY_CONFIG[type(cfg)]


def make_task(cfg: TrainConfig) -> Task:
    """The task of any example config."""
    return example(cfg).build(cfg)


def make_run(cfg: TrainConfig) -> Run:
    """A fresh, untrained run of any example config, ready to be iterated."""
    return Run(cfg, make_task)
