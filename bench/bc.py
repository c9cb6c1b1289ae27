"""Behaviour-cloning benchmark: expert and BC quality with game counts, and timings.

Run: python bench/bc.py [--games 400] [--shipped]   (--shipped: skip training, use assets/)
"""

import argparse
import sys
import time
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from core.wrestling import bc, data, expert, export, play  # noqa: E402

COURSE = Path(__file__).resolve().parents[2] / "shared" / "data" / "course_expert_obs_actions.zip"


def report(agent, opponents, games):
    for p in play.evaluate(agent, opponents, games, seed=0):
        print(
            f"  {p.agent:>10} as player {p.side} vs {p.opponent:<10} {p.opening:<18} "
            f"{p.wins:>4} W {p.draws:>3} D {p.losses:>4} L  of {p.games:>4} "
            f"({100 * p.wins / p.games:5.1f}% wins, mean length {p.mean_length:.0f})",
            flush=True,
        )


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--games", type=int, default=400)
    ap.add_argument("--shipped", action="store_true")
    args = ap.parse_args()
    torch.set_num_threads(2)
    t = time.perf_counter()
    d = expert.collect(10_000, seed=0)
    print(f"collect 10,000 expert pairs: {time.perf_counter() - t:.2f} s (target < 2 s)")
    if args.shipped:
        ours = export.shipped_policy()
        course = bc.load_weights(
            export.SHIPPED_WEIGHTS.with_name("wrestling_bc_course.pt").read_bytes()
        )
    else:
        t = time.perf_counter()
        ours = bc.train_policy(d)
        print(
            f"BC on our data, page defaults {bc.TrainConfig()}: {time.perf_counter() - t:.1f} s (target < 20 s)"
        )
        t = time.perf_counter()
        course = bc.train_policy(data.load_zip(COURSE))
        print(f"BC on the course's data: {time.perf_counter() - t:.1f} s")
    bc_ours, bc_course = play.Cloned(ours, "BC-ours"), play.Cloned(course, "BC-course")
    print("expert:")
    report(play.Expert(), [play.Random(), play.Still(), bc_course], args.games)
    print("BC on our expert's data:")
    report(bc_ours, [play.Random(), play.Still(), bc_course, play.Expert(), bc_ours], args.games)
    print("BC on the course's data:")
    report(bc_course, [play.Random(), play.Still()], args.games)
    print("(machine shared with other engineers while measuring)")


if __name__ == "__main__":
    main()
