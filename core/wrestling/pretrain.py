"""Make a shipped policy: BC with the page's default settings, or that BC then DAgger.

The command line is scripts/pretrain_policy.py (seed 0, one torch thread, reproducible).
"""

from __future__ import annotations

import time
from dataclasses import replace
from pathlib import Path

import torch

from core.wrestling.bc import TrainConfig, save_weights, train
from core.wrestling.dagger import SHIPPED, SHIPPED_ARCH, DaggerConfig, dagger
from core.wrestling.data import Dataset
from core.wrestling.expert import collect
from core.wrestling.export import DAGGER_WEIGHTS, SHIPPED_WEIGHTS


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


def validation_score(results: list[dict]) -> tuple[int, int]:
    """How a DAgger iteration is ranked: wins against random and still, then against the rest."""
    main = sum(r["wins"] for r in results if r["opponent"] in ("random", "still"))
    return main, sum(r["wins"] for r in results if r["opponent"] == "course")


def pretrain_dagger(
    out: Path = DAGGER_WEIGHTS,
    seed: int = 0,
    n_pairs: int = 10_000,
    epochs: int | None = None,
    config: DaggerConfig | None = None,
) -> Path:
    """BC on fresh expert data (as `pretrain`), then DAgger; saves the best iteration to `out`.

    The network is SHIPPED_ARCH (two frames), so the expert data keep the previous views.

    The iterations are ranked by their evaluation games (`validation_score`; seeds apart from
    the bench's and the Jidi checks'), so a late unlucky update does not ship.
    """
    torch.set_num_threads(1)
    t0, cpu0 = time.perf_counter(), time.process_time()
    data = collect(n_pairs, seed=seed, previous=True)
    config = config or replace(SHIPPED, seed=seed)
    bc_config = TrainConfig(seed=seed, arch=SHIPPED_ARCH)
    bc_config = bc_config if epochs is None else replace(bc_config, epochs=epochs)
    policy = None
    for event in train(data, bc_config):
        policy = event.policy or policy
    assert policy is not None
    print(f"BC on {len(data)} expert pairs: {time.perf_counter() - t0:.0f} s")
    print(f"DAgger: {config}")
    best = None
    for ev in dagger(policy, data, config):
        if ev.phase != "evaluate":
            continue
        rates = ", ".join(f"{k} {100 * v:.0f}%" for k, v in ev.win_rates().items())
        print(f"iteration {ev.iteration}: {ev.data_size} pairs, {ev.seconds:.0f} s: {rates}")
        score = validation_score(ev.results or [])
        if ev.iteration and (best is None or score > best[0]):
            best = (score, ev.iteration, ev.policy)
    assert best is not None
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(save_weights(best[2]))
    print(
        f"wrote {out} (iteration {best[1]}, {out.stat().st_size / 1024:.0f} kB) "
        f"in {time.perf_counter() - t0:.0f} s ({time.process_time() - cpu0:.0f} s CPU)"
    )
    return out
