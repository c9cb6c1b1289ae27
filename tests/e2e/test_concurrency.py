"""A class at once: five browser sessions each start a training run on the same server.

Every run finishes, each session sees only its own run (its own epoch count in the status
line), and the server's health endpoint keeps answering meanwhile. How fast it answers is a
figure, not a test: `python bench/concurrency.py` prints its percentiles.
"""

import threading
import time
import urllib.request

import pytest

from tests.e2e.conftest import no_error_on_screen, settle

pytestmark = pytest.mark.e2e

SESSIONS = 5
DEFAULT_EPOCHS = 3  # RegressionConfig's default


def _health_probe(url: str, stop: threading.Event, latencies: list[float | None]) -> None:
    """Ask the health endpoint every 0.2 s; record each answer's latency (None: no answer)."""
    while not stop.is_set():
        start = time.perf_counter()
        try:
            with urllib.request.urlopen(url + "/_stcore/health", timeout=10) as r:
                ok = r.status == 200
        except OSError:
            ok = False
        latencies.append(time.perf_counter() - start if ok else None)
        time.sleep(0.2)


def train_in_sessions(server: str, browser, sessions: int = SESSIONS) -> list[float | None]:
    """Session i trains the default regression for 3 + i epochs, all at once; each sees only
    its own run. Returns the health endpoint's latencies meanwhile (None where it failed)."""
    contexts = [
        browser.new_context(viewport={"width": 1300, "height": 900}) for _ in range(sessions)
    ]
    pages = [c.new_page() for c in contexts]
    try:
        for i, page in enumerate(pages):
            page.set_default_timeout(120_000)
            page.goto(f"{server}/live_training")
            page.get_by_role("button", name="Start").wait_for()
            settle(page, timeout=120)
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
        for i, page in enumerate(pages):
            settle(page)
            no_error_on_screen(page)
            for j in range(sessions):
                if j != i:
                    other = DEFAULT_EPOCHS + j
                    assert page.get_by_text(f"epoch {other} / {other}").count() == 0
        return latencies
    finally:
        for c in contexts:
            c.close()


def test_five_sessions_train_at_once(server, browser):
    latencies = train_in_sessions(server, browser)
    assert len(latencies) >= 5, "the probe ran while the sessions trained"
    assert None not in latencies, "the health endpoint answered every probe while they trained"
