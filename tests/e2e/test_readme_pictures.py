"""scripts/readme_pictures.py for real: it starts the app, takes the README's picture with
Chromium and writes it; the picture is the gradient-descent page as a newcomer opens it."""

import subprocess
import sys

import numpy as np
import pytest
from PIL import Image

from tests.conftest import ROOT

pytestmark = [pytest.mark.e2e, pytest.mark.slow]


def test_the_script_writes_the_readme_picture_from_the_running_app(tmp_path, sync_playwright_api):
    done = subprocess.run(
        [sys.executable, "scripts/readme_pictures.py", "--out", str(tmp_path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    picture = tmp_path / "screenshot.png"
    assert f"wrote {picture}" in done.stdout
    # the page's default landscape, as the page itself names it
    assert "Himmelblau: paths up to step 300" in done.stdout, done.stdout
    image = np.asarray(Image.open(picture).convert("RGB"))
    assert image.shape == (900, 1400, 3)
    # a drawn page, not a blank or half-loaded one: many colours, the paths' among them
    assert len(np.unique(image.reshape(-1, 3), axis=0)) > 500
