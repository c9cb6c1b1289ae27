"""Shared test fixtures: the repository root on sys.path and the ../shared folder."""

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"

if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    """../shared beside the checkout (CI lays it there); tests that need it skip without it."""
    if not SHARED.is_dir():
        pytest.skip(f"{SHARED} is absent: the reference data lives beside the checkout")
    return SHARED


@pytest.fixture()
def one_torch_thread():
    """Train the tiny test models on one thread (fastest, and steady on a busy machine)."""
    from runtime.threads import torch_threads

    with torch_threads(1):
        yield
