"""Benchmark: every live-training example at its defaults, through the one training loop.

Prints, for each example, the wall time of the default run and the quality figure against its
target. Run by hand: `python bench/training.py` (optionally `--threads N`).
"""

import argparse
import sys
import time
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from core.training import (  # noqa: E402
    CNNConfig,
    CurveConfig,
    RegressionConfig,
    RNNConfig,
    SoftmaxConfig,
    ToyConfig,
    make_run,
)

TIME_TARGET = 20.0  # seconds per default run

# (name, config, metric, target, higher is better)
CASES = [
    ("regression |w - w*|", RegressionConfig(), "w error", 0.05, False),
    ("regression |b - b*|", RegressionConfig(), "b error", 0.05, False),
    ("curve (MLP) MSE to true curve", CurveConfig(), "curve error", 0.05, False),
    ("moons test accuracy", ToyConfig(dataset="moons"), "test accuracy", 0.95, True),
    ("spiral test accuracy", ToyConfig(dataset="spiral"), "test accuracy", 0.90, True),
    ("circles test accuracy", ToyConfig(dataset="circles"), "test accuracy", None, True),
    ("xor test accuracy", ToyConfig(dataset="xor"), "test accuracy", None, True),
    ("blobs test accuracy", ToyConfig(dataset="blobs"), "test accuracy", None, True),
    ("RNN sin->cos test MSE", RNNConfig(), "test MSE", 0.01, False),
    ("GRU sin->cos test MSE", RNNConfig(kind="GRU"), "test MSE", None, False),
    ("LSTM sin->cos test MSE", RNNConfig(kind="LSTM"), "test MSE", None, False),
    ("digits softmax test accuracy", SoftmaxConfig(), "test accuracy", 0.90, True),
    ("digits CNN test accuracy", CNNConfig(), "test accuracy", 0.95, True),
]


def run_case(cfg) -> tuple[dict, float]:
    """Train one default run to the end; return its last metrics and the wall time."""
    run = make_run(cfg)
    t0 = time.perf_counter()
    for _ in run:
        pass
    return run.epoch_log[-1], time.perf_counter() - t0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--threads", type=int, default=torch.get_num_threads())
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    print(f"torch {torch.__version__}, {args.threads} thread(s)")
    print(f"{'example':32s} {'value':>9s} {'target':>9s} {'ok':>4s} {'time s':>7s} {'/20 s':>6s}")
    failures = 0
    for name, cfg, metric, target, higher in CASES:
        log, seconds = run_case(cfg)
        value = log[metric]
        ok = target is None or (value >= target if higher else value < target)
        ok = ok and seconds < TIME_TARGET
        failures += not ok
        tgt = "" if target is None else (">= " if higher else "< ") + f"{target:g}"
        print(
            f"{name:32s} {value:9.4f} {tgt:>9s} {'yes' if ok else 'NO':>4s} "
            f"{seconds:7.2f} {seconds / TIME_TARGET:6.2f}"
        )
    print("all targets met" if not failures else f"{failures} target(s) missed")


if __name__ == "__main__":
    main()
