"""Make a shipped policy: BC with the page's default settings, saved where the page loads it.

The command line is scripts/pretrain_policy.py (seed 0, reproducible).
"""

from __future__ import annotations

import time
from pathlib import Path

import torch

from core.wrestling.bc import TrainConfig, save_weights, train
from core.wrestling.data import Dataset
from core.wrestling.expert import collect
from core.wrestling.export import SHIPPED_WEIGHTS


def pretrain(
    out: Path = SHIPPED_WEIGHTS,
    seed: int = 0,
    n_pairs: int = 10_000,
    data: Dataset | None = None,
    epochs: int | None = None,
) -> Path:
    """Train with the default TrainConfig on `data` (default: fresh expert data), save to `out`."""
    torch.set_num_threads(1)  # the same numbers on every machine
    t0 = time.perf_counter()
    if data is None:
        data = collect(n_pairs, seed=seed)
        print(f"collected {len(data)} pairs in {time.perf_counter() - t0:.1f} s")
    config = TrainConfig(seed=seed) if epochs is None else TrainConfig(seed=seed, epochs=epochs)
    policy = None
    for event in train(data, config):
        print(
            f"epoch {event.epoch}/{event.epochs}: train {event.train_loss:.4f} "
            f"val {event.val_loss:.4f} (mean predictor {event.val_baseline:.4f}) "
            f"{event.seconds:.0f} s ({event.cpu_seconds:.1f} s CPU)"
        )
        policy = event.policy or policy
    assert policy is not None
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(save_weights(policy))
    print(f"wrote {out} ({out.stat().st_size / 1024:.0f} kB)")
    return out
