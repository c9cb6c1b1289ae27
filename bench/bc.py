"""Behaviour-cloning benchmark: collection and training times, expert and BC quality with game counts.

Run: python bench/bc.py [--games 400] [--shipped]   (--shipped: skip training, use assets/)

Every pairing is played from the fixed start (one game when both players are deterministic) and
from randomised openings (both act at random for 0-10 steps), with the agent as player 0 and as
player 1. The targets of the issue are checked at the end, each with its game counts.
"""

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from core.wrestling import bc, data, expert, export, play  # noqa: E402
from runtime.threads import torch_threads  # noqa: E402


def load() -> str:
    return "load average {:.2f} {:.2f} {:.2f}".format(*os.getloadavg())


def report(agent, opponents, games: int) -> list[play.Pairing]:
    """Play and print every pairing; return them."""
    rows = []
    with torch_threads(1):
        for p in play.evaluate(agent, opponents, games, seed=0):
            rows.append(p)
            print(
                f"  {p.agent:>10} as player {p.side} vs {p.opponent:<10} {p.opening:<18} "
                f"{p.wins:>4} W {p.draws:>3} D {p.losses:>4} L  of {p.games:>4} "
                f"({100 * p.wins / p.games:5.1f}% wins, mean length {p.mean_length:.0f})",
                flush=True,
            )
    return rows


def timed_training(d: data.Dataset, what: str) -> bc.BCPolicy:
    """Train with the page's defaults, printing the training time and the load around it."""
    print(f"{what}: page defaults {bc.TrainConfig()}; before: {load()}")
    policy, seconds = None, 0.0
    for event in bc.train(d, bc.TrainConfig()):
        policy, seconds = event.policy or policy, event.seconds
    print(f"  trained in {seconds:.1f} s (target < 20 s); after: {load()}")
    return policy


def check(rows: list[play.Pairing], opponent: str, opening: str, need: float, what: str) -> bool:
    """Print whether the agent's win rate reaches `need` on both sides; True if it does."""
    hits = [p for p in rows if p.opponent == opponent and p.opening.startswith(opening)]
    rates = [f"player {p.side}: {p.wins}/{p.games} = {100 * p.wins / p.games:.1f}%" for p in hits]
    ok = all(p.wins >= need * p.games for p in hits) and len(hits) == 2
    print(f"  [{'ok' if ok else 'FAIL'}] {what} (>= {100 * need:.0f}%): {'; '.join(rates)}")
    return ok


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--games", type=int, default=400)
    ap.add_argument("--shipped", action="store_true")
    args = ap.parse_args()
    print(load())
    t = time.perf_counter()
    d = expert.collect(10_000, seed=0)
    print(f"collect 10,000 expert pairs: {time.perf_counter() - t:.2f} s (target < 2 s)")
    if args.shipped:
        ours = export.shipped_policy()
        course = bc.load_weights(export.COURSE_WEIGHTS.read_bytes())
    else:
        ours = timed_training(d, "BC on our expert's 10,000 pairs")
        course_zip = data.course_zip()
        if course_zip is None:
            raise SystemExit(
                f"the course's data is absent: {data.COURSE_ZIP} (or set ${data.COURSE_ZIP_VARIABLE})"
            )
        course = timed_training(data.load_zip(course_zip), "BC on the course's 10,000 pairs")
    bc_ours, bc_course = play.Cloned(ours, "BC-ours"), play.Cloned(course, "BC-course")
    rnd, still, exp = play.Random(), play.Still(), play.Expert()
    print("expert:")
    r_exp = report(exp, [rnd, still, bc_course], args.games)
    print("BC on our expert's data:")
    r_ours = report(bc_ours, [rnd, still, bc_course, exp, bc_ours], args.games)
    print("BC on the course's data:")
    r_course = report(bc_course, [rnd, still], args.games)
    print(f"targets ({load()}):")
    checks = [
        check(r_exp, "random", "random", 0.98, "expert vs random, random openings"),
        check(r_exp, "BC-course", "fixed", 0.6, "expert vs BC-course, fixed start"),
        check(r_exp, "BC-course", "random", 0.6, "expert vs BC-course, random openings"),
        check(r_ours, "random", "fixed", 0.95, "BC-ours vs random, fixed start"),
        check(r_ours, "random", "random", 0.95, "BC-ours vs random, random openings"),
        check(r_ours, "still", "fixed", 1.0, "BC-ours beats still, fixed start"),
        check(r_ours, "BC-course", "random", 0.5, "BC-ours vs BC-course, random openings"),
        check(r_course, "random", "fixed", 0.95, "BC-course vs random, fixed start"),
        check(r_course, "random", "random", 0.95, "BC-course vs random, random openings"),
    ]
    print(f"{sum(checks)}/{len(checks)} targets met")
    print("(machine shared with other engineers while measuring)")


if __name__ == "__main__":
    main()
