"""The Jidi export: a zip of submission.py (core/wrestling/submission_template.py) and weights.

From the command line: `python -m core.wrestling.jidi export --out submission.zip [--weights W]`.
"""

from __future__ import annotations

import argparse
import io
import zipfile
from pathlib import Path

from core.wrestling.bc import BCPolicy, load_weights, save_weights

HERE = Path(__file__).resolve().parent
TEMPLATE = HERE / "submission_template.py"
SHIPPED_WEIGHTS = HERE.parents[1] / "assets" / "wrestling_bc_policy.pt"  # BC on our expert's data
COURSE_WEIGHTS = SHIPPED_WEIGHTS.with_name("wrestling_bc_course.pt")  # BC on the course's data
WEIGHTS_NAME = "bc_policy.pt"


def submission_zip(policy: BCPolicy) -> bytes:
    """A Jidi submission zip: submission.py plus bc_policy.pt for `policy`."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("submission.py", TEMPLATE.read_text())
        zf.writestr(WEIGHTS_NAME, save_weights(policy))
    return buf.getvalue()


def shipped_policy() -> BCPolicy:
    """The pretrained policy shipped in assets/ (made by `python -m core.wrestling.pretrain`)."""
    return load_weights(SHIPPED_WEIGHTS.read_bytes())


def main(argv: list[str] | None = None) -> int:
    """CLI: `export --out submission.zip [--weights path]`."""
    parser = argparse.ArgumentParser(prog="python -m core.wrestling.jidi")
    sub = parser.add_subparsers(dest="command", required=True)
    exp = sub.add_parser("export", help="write a Jidi submission zip")
    exp.add_argument("--out", type=Path, default=Path("submission.zip"))
    exp.add_argument(
        "--weights", type=Path, default=SHIPPED_WEIGHTS, help="a .pt saved by core.wrestling.bc"
    )
    args = parser.parse_args(argv)
    policy = load_weights(args.weights.read_bytes())
    raw = submission_zip(policy)
    args.out.write_bytes(raw)
    print(f"wrote {args.out} ({len(raw) / 1024:.0f} kB) from {args.weights}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
