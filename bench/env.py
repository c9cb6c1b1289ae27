"""Benchmark of the wrestling env: steps per second (observations included) and random-vs-random.

Run: python bench/env.py [--quick]. Prints single-environment steps/s and batched env-steps/s
beside the original engine's 56-62 steps/s on this machine, then the outcome statistics of
thousands of random-vs-random games to compare with the original's (mean length about 36 steps,
wins about even, a few % draws). Best of a few repeats, wall clock.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from core.wrestling.env import WrestlingEnv  # noqa: E402
from core.wrestling.rules import FORCE_RANGE, TURN_RANGE  # noqa: E402

ORIGINAL = (56.0, 62.0)  # steps/s of the original engine, both observations, rendering off
LOW = np.array([FORCE_RANGE[0], TURN_RANGE[0]])
HIGH = np.array([FORCE_RANGE[1], TURN_RANGE[1]])


def random_actions(rng: np.random.Generator, n: int, steps: int) -> np.ndarray:
    """Uniform random actions (steps, n, 2 players, [force, turn])."""
    return rng.uniform(LOW, HIGH, size=(steps, n, 2, 2))


def env_steps_per_second(
    n_envs: int, steps: int, repeats: int = 3, seed: int = 0
) -> tuple[float, float]:
    """Best-of-repeats env-steps per second (wall clock, and per CPU second of this process)."""
    rng = np.random.default_rng(seed)
    best_wall = best_cpu = 0.0
    for _ in range(repeats):
        env = WrestlingEnv(n_envs, auto_reset=True)
        env.reset()
        actions = random_actions(rng, n_envs, steps)
        env.step(actions[0])
        t0, c0 = time.perf_counter(), time.process_time()
        for a in actions:
            env.step(a, reuse=True)  # the previous step's views are not used: write into them
        wall, cpu = time.perf_counter() - t0, time.process_time() - c0
        best_wall = max(best_wall, steps * n_envs / wall)
        best_cpu = max(best_cpu, steps * n_envs / max(cpu, 1e-9))
    return best_wall, best_cpu


def random_vs_random(n_games: int, seed: int = 0) -> dict:
    """Play n_games random-vs-random matches at once; mean length, win split, draw rate."""
    rng = np.random.default_rng(seed)
    env = WrestlingEnv(n_games)
    env.reset()
    while not env.done.all():
        env.step(rng.uniform(LOW, HIGH, size=(n_games, 2, 2)), reuse=True)
    w = env.winner
    return {
        "games": n_games,
        "mean length": float(env.steps.mean()),
        "player 0 wins": float((w == 0).mean()),
        "player 1 wins": float((w == 1).mean()),
        "draws": float((w == -1).mean()),
        "time-outs": float((env.steps == 500).mean()),
    }


def main() -> None:
    """Print the figures."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="fewer steps, for a smoke run")
    args = parser.parse_args()
    q = args.quick
    lo, hi = ORIGINAL
    print(f"original engine: {lo:.0f}-{hi:.0f} steps/s (both observations, rendering off)\n")
    print("wall: elapsed time; cpu: this process's CPU time (less sensitive to a busy machine)")
    print(f"{'setting':<16}{'wall env-steps/s':>18}{'x original':>16}{'cpu env-steps/s':>18}")
    rows = [(1, 300 if q else 3000), (256, 10 if q else 60), (1024, 5 if q else 30)]
    rows.append((4096, 3 if q else 12))
    for n, steps in rows:
        rate, cpu = env_steps_per_second(n, steps, repeats=1 if q else 3)
        name = "single env" if n == 1 else f"batch of {n}"
        ratio = f"{rate / hi:,.0f}-{rate / lo:,.0f}x"
        print(f"{name:<16}{rate:>18,.0f}{ratio:>16}{cpu:>18,.0f}")
    print("\ntargets: >= 3,000 steps/s single env, >= 100,000 env-steps/s batched")

    stats = random_vs_random(1000 if q else 10000)
    print(f"\nrandom vs random, {stats['games']} games (seed 0):")
    print(f"  mean length    {stats['mean length']:.1f} steps   (original: about 36)")
    print(
        f"  player 0 wins  {stats['player 0 wins']:.1%}   (original: about even; team measured 46%)"
    )
    print(f"  player 1 wins  {stats['player 1 wins']:.1%}")
    print(f"  draws          {stats['draws']:.1%}   (original: 1-5%)")
    print(f"  time-outs      {stats['time-outs']:.1%}")


if __name__ == "__main__":
    main()
