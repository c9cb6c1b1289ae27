"""Make the shipped policy: `python -m core.wrestling.pretrain` (seed 0, reproducible).

Collects 10,000 expert pairs, trains the BC network with the page's default settings and
writes assets/wrestling_bc_policy.pt (torch.save of a state_dict and the architecture).
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import torch

from core.wrestling.bc import TrainConfig, save_weights, train
from core.wrestling.data import Dataset, course_zip, load_zip
from core.wrestling.expert import collect
from core.wrestling.export import COURSE_WEIGHTS, SHIPPED_WEIGHTS


def pretrain(
    out: Path = SHIPPED_WEIGHTS, seed: int = 0, n_pairs: int = 10_000, data: Dataset | None = None
) -> Path:
    """Train with the default TrainConfig on `data` (default: fresh expert data), save to `out`."""
    torch.set_num_threads(1)  # the same numbers on every machine
    t0 = time.perf_counter()
    if data is None:
        data = collect(n_pairs, seed=seed)
        print(f"collected {len(data)} pairs in {time.perf_counter() - t0:.1f} s")
    policy = None
    for event in train(data, TrainConfig(seed=seed)):
        print(
            f"epoch {event.epoch}/{event.epochs}: train {event.train_loss:.4f} "
            f"val {event.val_loss:.4f} (mean predictor {event.val_baseline:.4f}) "
            f"{event.seconds:.0f} s"
        )
        policy = event.policy or policy
    assert policy is not None
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(save_weights(policy))
    print(f"wrote {out} ({out.stat().st_size / 1024:.0f} kB)")
    return out


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=SHIPPED_WEIGHTS)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--course", action="store_true", help="instead: BC on the course's data (../shared)"
    )
    args = parser.parse_args()
    if args.course:
        pretrain(COURSE_WEIGHTS, args.seed, data=load_zip(course_zip()))
    else:
        pretrain(args.out, args.seed)
