"""A class at once: five browser sessions each start a training run on the same server.

Every run finishes, each session sees only its own run (its own epoch count in the status
line), and the server's health endpoint keeps answering within a second meanwhile.
"""

import threading
import time
import urllib.request

import pytest

from tests.e2e.conftest import no_error_on_screen, settle

pytestmark = pytest.mark.e2e

SESSIONS = 5
DEFAULT_EPOCHS = 3  # RegressionConfig's default


def _health_probe(url: str, stop: threading.Event, latencies: list[float]) -> None:
    while not stop.is_set():
        start = time.perf_counter()
        with urllib.request.urlopen(url + "/_stcore/health", timeout=10) as r:
            assert r.status == 200
        latencies.append(time.perf_counter() - start)
        time.sleep(0.2)


def test_five_sessions_train_at_once(server, browser):
    contexts = [
        browser.new_context(viewport={"width": 1300, "height": 900}) for _ in range(SESSIONS)
    ]
    pages = [c.new_page() for c in contexts]
    try:
        for i, page in enumerate(pages):
            page.set_default_timeout(120_000)
            page.goto(f"{server}/live_training")
            page.get_by_role("button", name="Start").wait_for()
            settle(page, timeout=120)
            # session i trains for DEFAULT_EPOCHS + i epochs
            slider = page.locator('[data-testid="stSlider"]', has_text="Epochs").get_by_role(
                "slider"
            )
            for _ in range(i):
                slider.focus()
                slider.press("ArrowRight")
                settle(page)

        stop, latencies = threading.Event(), []
        probe = threading.Thread(target=_health_probe, args=(server, stop, latencies), daemon=True)
        probe.start()
        for page in pages:
            page.get_by_role("button", name="Start").click()
        try:
            for i, page in enumerate(pages):
                epochs = DEFAULT_EPOCHS + i
                page.get_by_text(f"Finished: epoch {epochs} / {epochs}").wait_for(timeout=180_000)
        finally:
            stop.set()
            probe.join(15)
        for page in pages:
            settle(page)
            no_error_on_screen(page)
        assert len(latencies) >= 5, "the probe ran while the sessions trained"
        slowest = sorted(latencies)[-3:]
        assert max(latencies) < 1.0, (
            f"health endpoint: {len(latencies)} probes, slowest {slowest} s, "
            f"slowest at probe {latencies.index(max(latencies))}"
        )
        for i, page in enumerate(pages):
            for j in range(SESSIONS):
                if j != i:
                    other = DEFAULT_EPOCHS + j
                    assert page.get_by_text(f"epoch {other} / {other}").count() == 0
    finally:
        for c in contexts:
            c.close()
