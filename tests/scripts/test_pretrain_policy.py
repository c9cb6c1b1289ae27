"""scripts/pretrain_policy.py for real, at its dry-run size: it trains and writes usable weights."""

import subprocess
import sys

import numpy as np
import pytest

from core.wrestling.bc import load_weights
from tests.conftest import ROOT


@pytest.mark.slow
def test_dry_run_writes_weights_that_act(tmp_path):
    out = tmp_path / "policy.pt"
    done = subprocess.run(
        [sys.executable, "scripts/pretrain_policy.py", "--dry-run", "--out", str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert "epoch 1/1" in done.stdout and f"wrote {out}" in done.stdout
    actions = load_weights(out.read_bytes()).act(np.zeros((3, 40, 40), np.uint8))
    assert actions.shape == (3, 2) and np.isfinite(actions).all()


@pytest.mark.slow
def test_dagger_dry_run_writes_weights_after_one_iteration(tmp_path):
    out = tmp_path / "dagger.pt"
    done = subprocess.run(
        [sys.executable, "scripts/pretrain_policy.py", "--dagger", "--dry-run", "--out", str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert "BC on 200 expert pairs" in done.stdout
    assert "iteration 0:" in done.stdout and "iteration 1:" in done.stdout
    assert f"wrote {out} (iteration 1" in done.stdout
    policy = load_weights(out.read_bytes())
    assert policy.frames == 2  # the shipped DAgger network sees the view before too
    actions = policy.act(np.zeros((3, 40, 40), np.uint8), 1)
    assert actions.shape == (3, 2) and np.isfinite(actions).all()
