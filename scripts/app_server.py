"""The app on a free loopback port: one way to start it for the scripts that photograph it
(README and Home pictures), the browser tests and the benches."""

import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    """A loopback port nobody listens on now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def healthy(url: str) -> bool:
    """True once Streamlit at `url` answers its health check."""
    try:
        with urllib.request.urlopen(url + "/_stcore/health", timeout=1) as r:
            return r.status == 200
    except OSError:
        return False


@contextmanager
def start(
    extra_args: tuple[str, ...] = (),
    env: dict | None = None,
    poll: float = 0.3,
    launcher: tuple[str, ...] = ("-m", "streamlit"),
    timeout: float = 60.0,
) -> Iterator[tuple[str, subprocess.Popen]]:
    """Run `streamlit run streamlit_app.py` on a free loopback port; yield (base URL, process)
    once its health endpoint answers (asked every `poll` seconds); stop it at the end.
    `launcher`: what Python runs in place of `-m streamlit` (bench/timed_server.py, which times
    every rerun). The server's output goes to build/app-server-PORT.log."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    (ROOT / "build").mkdir(exist_ok=True)
    log_path = ROOT / "build" / f"app-server-{port}.log"
    command = [sys.executable, *launcher, "run", "streamlit_app.py"]
    command += ["--server.port", str(port), "--server.address", "127.0.0.1"]
    command += ["--server.headless", "true", "--browser.gatherUsageStats", "false"]
    command += ["--server.fileWatcherType", "none", *extra_args]  # no "source changed" prompts
    with open(log_path, "w") as log:
        proc = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
        try:
            deadline = time.time() + timeout
            while not healthy(url):
                if proc.poll() is not None or time.time() > deadline:
                    said = log_path.read_text(errors="replace")[-500:]
                    raise RuntimeError(f"the app did not come up within {timeout:.0f} s: {said}")
                time.sleep(poll)
            yield url, proc
        finally:
            proc.terminate()
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()


@contextmanager
def serve(timeout: float = 90.0) -> Iterator[str]:
    """The app for a script: its base URL while the `with` lasts."""
    with start(timeout=timeout) as (url, _proc):
        yield url
