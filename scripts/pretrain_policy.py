"""Make a shipped policy: `python scripts/pretrain_policy.py [--course | --dagger]` (seed 0).

Collects 10,000 expert pairs, trains the BC network with the page's default settings and writes
assets/wrestling_bc_policy.pt; with --course, trains on the course's data instead and writes
assets/wrestling_bc_course.pt; with --dagger, trains that BC seeing two frames (the view and the
one before, dagger.SHIPPED_ARCH) and continues it with DAgger (dagger.SHIPPED, against the
course-data BC among others), writing assets/wrestling_dagger_policy.pt.
One torch thread: a rerun writes the same bytes. --dry-run: one epoch (on 200 fresh pairs),
with --dagger one tiny iteration, to check that it runs.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from core.wrestling.dagger import DaggerConfig  # noqa: E402
from core.wrestling.data import COURSE_ZIP, COURSE_ZIP_VARIABLE, course_zip, load_zip  # noqa: E402
from core.wrestling.export import COURSE_WEIGHTS, DAGGER_WEIGHTS, SHIPPED_WEIGHTS  # noqa: E402
from core.wrestling.pretrain import pretrain, pretrain_dagger  # noqa: E402

# --dagger --dry-run: one iteration of a few short games
DRY_DAGGER = DaggerConfig(iterations=1, games=8, max_steps=40, epochs=1, eval_games=2)


def main(argv: list[str] | None = None) -> int:
    """Parse the arguments and train."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, help="default: the asset the page loads")
    parser.add_argument("--seed", type=int, default=0)
    which = parser.add_mutually_exclusive_group()
    which.add_argument("--course", action="store_true", help="BC on the course's data instead")
    which.add_argument("--dagger", action="store_true", help="BC, then DAgger iterations")
    parser.add_argument("--dry-run", action="store_true", help="one epoch (on 200 fresh pairs)")
    args = parser.parse_args(argv)
    epochs = 1 if args.dry_run else None
    if args.course:
        path = course_zip()
        if path is None:
            parser.error(
                f"the course's data is absent: {COURSE_ZIP} (or set ${COURSE_ZIP_VARIABLE})"
            )
        pretrain(args.out or COURSE_WEIGHTS, args.seed, data=load_zip(path), epochs=epochs)
    elif args.dagger:
        config = replace(DRY_DAGGER, seed=args.seed) if args.dry_run else None
        n_pairs = 200 if args.dry_run else 10_000
        pretrain_dagger(args.out or DAGGER_WEIGHTS, args.seed, n_pairs, epochs, config)
    else:
        n_pairs = 200 if args.dry_run else 10_000
        pretrain(args.out or SHIPPED_WEIGHTS, args.seed, n_pairs=n_pairs, epochs=epochs)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
