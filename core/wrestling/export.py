"""The Jidi export: a zip of submission.py (core/wrestling/submission_template.py) and weights.

From the command line: `python scripts/export_submission.py --out submission.zip [--weights W]`.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

from core.wrestling.bc import BCPolicy, load_weights, save_weights

HERE = Path(__file__).resolve().parent
TEMPLATE = HERE / "submission_template.py"
SHIPPED_WEIGHTS = HERE.parents[1] / "assets" / "wrestling_bc_policy.pt"  # BC on our expert's data
COURSE_WEIGHTS = SHIPPED_WEIGHTS.with_name("wrestling_bc_course.pt")  # BC on the course's data
DAGGER_WEIGHTS = SHIPPED_WEIGHTS.with_name("wrestling_dagger_policy.pt")  # that BC, then DAgger
WEIGHTS_NAME = "bc_policy.pt"


def submission_zip(policy: BCPolicy) -> bytes:
    """A Jidi submission zip: submission.py plus bc_policy.pt for `policy`."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("submission.py", TEMPLATE.read_text())
        zf.writestr(WEIGHTS_NAME, save_weights(policy))
    return buf.getvalue()


def shipped_policy() -> BCPolicy:
    """The pretrained BC policy shipped in assets/ (made by scripts/pretrain_policy.py)."""
    return load_weights(SHIPPED_WEIGHTS.read_bytes())
