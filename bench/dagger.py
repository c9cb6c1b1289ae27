"""DAgger benchmark: BC and DAgger side by side, in the fast game and through the Jidi interface.

Run: python bench/dagger.py [--iterations 6] [--games 400] [--jidi-games 20] [--weights W]
[--jidi-agents DAgger] [--jidi-opponents still] (a subset of the Jidi table, the same games)
(--weights: a saved DAgger policy instead of running DAgger here, e.g. the shipped one,
assets/wrestling_dagger_policy.pt; BC is the shipped BC policy unless --bc W.) Every number
comes with its game count; openings are randomised (both players act at random for 0-10
steps), the agent plays each side.
"""

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from core.wrestling import bc, dagger, export, jidi_matches  # noqa: E402
from runtime.threads import torch_threads  # noqa: E402

TARGETS = {"still": 0.99, "random": 0.99, "course": 0.80}


def load() -> str:
    return "load average {:.2f} {:.2f} {:.2f}".format(*os.getloadavg())


def fast_table(policy, opponents, games: int) -> dict:
    """{(opponent, side): (wins, games)} in the fast game."""
    with torch_threads(1):
        rows = dagger.evaluate(policy, opponents, games, seed=12345)
    return {(r["opponent"], r["side"]): (r["wins"], r["games"]) for r in rows}


def jidi_table(policy, course, games: int, folder: Path, name: str, only=None) -> dict:
    """{(opponent, side): (wins, games)} through JidiWrestling with exported submissions
    (only: these opponents' names; each plays the same games whatever else is played)."""
    ours = jidi_matches.load_controller(export.submission_zip(policy), folder, name)
    theirs = {"random": jidi_matches.random_controller(1), "still": jidi_matches.still_controller}
    if course is not None:
        theirs["course"] = jidi_matches.load_controller(
            export.submission_zip(course), folder, f"{name}_course"
        )
    out = {}
    with torch_threads(1):
        for opp, ctrl in theirs.items():
            if only and opp not in only:
                continue
            res = jidi_matches.play(ours, ctrl, games, seed=777)
            for side, (w, _d, _l) in res.items():
                out[(opp, side)] = (w, games)
    return out


def show(title: str, tables: dict[str, dict]) -> None:
    print(title)
    keys = sorted({k for t in tables.values() for k in t})
    print(f"  {'opponent':<8} side  " + "  ".join(f"{n:>18}" for n in tables))
    for k in keys:
        cells = []
        for t in tables.values():
            w, g = t.get(k, (0, 0))
            cells.append(f"{w:>5}/{g:<5} {100 * w / max(1, g):5.1f}%")
        print(f"  {k[0]:<8} {k[1]:>4}  " + "  ".join(f"{c:>18}" for c in cells))


def check(table: dict, what: str) -> bool:
    ok = True
    for opp, need in TARGETS.items():
        for side in (0, 1):
            if (opp, side) not in table:
                continue
            w, g = table[(opp, side)]
            hit = w >= need * g
            ok &= hit
            print(
                f"  [{'ok' if hit else 'FAIL'}] {what} vs {opp} as player {side}: "
                f"{w}/{g} (>= {100 * need:.0f}%)"
            )
    return ok


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--iterations", type=int, default=6)
    ap.add_argument("--games", type=int, default=400, help="fast-game games per opponent and side")
    ap.add_argument("--jidi-games", type=int, default=20, help="Jidi games per opponent and side")
    ap.add_argument("--weights", type=Path, help="a saved DAgger policy (skip the run)")
    ap.add_argument("--bc", type=Path, help="the BC policy (default: the shipped one)")
    ap.add_argument(
        "--jidi-agents", default="BC,DAgger", help="whose exports play through Jidi (BC,DAgger)"
    )
    ap.add_argument(
        "--jidi-opponents",
        default="random,still,course",
        help="whom they meet (a subset plays exactly the same games: run them side by side)",
    )
    args = ap.parse_args()
    print(load())
    base = bc.load_weights(args.bc.read_bytes()) if args.bc else export.shipped_policy()
    course = dagger.course_policy()
    opponents = dagger.standard_opponents(course)
    if args.weights:
        learned = bc.load_weights(args.weights.read_bytes())
    else:
        config = dagger.DaggerConfig(iterations=args.iterations, **dagger.PRETRAIN)
        print(f"DAgger from the BC: {config}")
        learned = None
        for ev in dagger.dagger(base, None, config, opponents):
            if ev.phase == "evaluate":
                rates = ", ".join(f"{k} {100 * v:.0f}%" for k, v in ev.win_rates().items())
                print(
                    f"  iteration {ev.iteration}: {ev.data_size:,} pairs, {ev.seconds:.0f} s: "
                    f"{rates} ({config.eval_games} games per opponent and side)",
                    flush=True,
                )
                learned = ev.policy
    t = time.perf_counter()
    fast = {
        "BC": fast_table(base, opponents, args.games),
        "DAgger": fast_table(learned, opponents, args.games),
    }
    show(f"fast game ({time.perf_counter() - t:.0f} s):", fast)
    jidi = {}
    if args.jidi_games:
        t = time.perf_counter()
        with tempfile.TemporaryDirectory() as folder:
            only = args.jidi_opponents.split(",")
            for name, pol in (("BC", base), ("DAgger", learned)):
                if name in args.jidi_agents.split(","):
                    jidi[name] = jidi_table(
                        pol, course, args.jidi_games, Path(folder), f"sub_{name}", only
                    )
        show(f"exported submissions through JidiWrestling ({time.perf_counter() - t:.0f} s):", jidi)
    print(f"targets ({load()}):")
    ok = check(fast["DAgger"], "DAgger, fast game")
    if "DAgger" in jidi:
        ok &= check(jidi["DAgger"], "DAgger, Jidi")
    print("all targets met" if ok else "targets NOT all met")
    print("(machine shared with other engineers while measuring)")


if __name__ == "__main__":
    main()
