"""The warm-up thread imports torch, torch._dynamo, pandas and altair in a fresh process, once."""

import os
import subprocess
import sys

import pytest

from tests.conftest import ROOT

PROGRAM = """
import sys
from runtime import warmup
assert not {'torch', 'pandas', 'altair'} & set(sys.modules), 'nothing heavy before the warm-up'
thread = warmup.start()
assert warmup.start() is thread, 'once per process'
thread.join(120)
assert not thread.is_alive()
print(*(name in sys.modules for name in ('torch', 'torch._dynamo', 'pandas', 'altair')))
print('core.wrestling.play' in sys.modules)  # the app's own modules too
import gc
print(gc.get_freeze_count() > 100_000)  # what the imports made is out of full collections' way
"""


def _fresh_python(program: str, env: dict | None = None) -> str:
    """What `program` prints in a fresh Python process at the repository root; it must exit 0."""
    out = subprocess.run(
        [sys.executable, "-c", program],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert out.returncode == 0, out.stderr
    return out.stdout


@pytest.mark.slow  # a fresh process imports torch and torch._dynamo
def test_warmup_imports_torch_dynamo_and_the_chart_stack_in_the_background():
    env = {k: v for k, v in os.environ.items() if k != "PYTORCH_LIVE_NO_WARMUP"}
    assert _fresh_python(PROGRAM, env).split() == ["True"] * 6


def test_the_entry_script_imports_no_torch():
    program = (
        "import sys, streamlit\n"
        "import app_pages.ui, app_pages.outline, app_pages.session, runtime.warmup\n"
        "print('torch' in sys.modules)"
    )
    assert _fresh_python(program).strip() == "False"


def test_the_warmup_can_be_turned_off_for_comparison():
    program = (
        "import sys\n"
        "from runtime import warmup\n"
        "print(warmup.start() is None, 'torch' in sys.modules)"
    )
    env = {**os.environ, "PYTORCH_LIVE_NO_WARMUP": "1"}
    assert _fresh_python(program, env).split() == ["True", "False"]
