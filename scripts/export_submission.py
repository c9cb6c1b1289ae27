"""Write a Jidi submission zip: `python scripts/export_submission.py --out submission.zip`.

The zip holds submission.py (core/wrestling/submission_template.py) and a policy's weights:
the shipped DAgger policy (assets/wrestling_dagger_policy.pt; the BC one is
assets/wrestling_bc_policy.pt) unless --weights names another .pt.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from core.wrestling.bc import load_weights  # noqa: E402
from core.wrestling.export import DAGGER_WEIGHTS, submission_zip  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    """Parse the arguments, write the zip, say where."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("submission.zip"))
    parser.add_argument(
        "--weights", type=Path, default=DAGGER_WEIGHTS, help="a .pt saved by core.wrestling.bc"
    )
    args = parser.parse_args(argv)
    raw = submission_zip(load_weights(args.weights.read_bytes()))
    args.out.write_bytes(raw)
    print(f"wrote {args.out} ({len(raw) / 1024:.0f} kB) from {args.weights}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
