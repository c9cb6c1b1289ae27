"""`streamlit run`, with the server's own clock on every rerun: for bench/classroom.py.

    BENCH_SERVER_LOG=/tmp/runs.tsv python bench/timed_server.py run streamlit_app.py [options]

Writes one line per event, tab-separated: monotonic seconds, session id, and "asked" (a
browser's rerun request has reached the server) or "finished <status>" (the server has queued
the script_finished message of a run). Read with `server_log`. The gap is the server's share
of a latency, timed where the server sees it: a browser slowed by its own drawing cannot stretch
it, as it can a figure read off the browser's websocket. The app itself is not changed.
"""

import os
import sys
import threading
import time
from collections import defaultdict
from pathlib import Path

from streamlit.runtime.app_session import AppSession

_LOCK = threading.Lock()


def _write(out, session_id: str, what: str) -> None:
    line = f"{time.monotonic():.4f}\t{session_id}\t{what}\n"
    with _LOCK:
        out.write(line)
        out.flush()


def install(path: str) -> None:
    """Patch AppSession to log every rerun asked for and every script_finished sent."""
    out = open(path, "a")  # noqa: SIM115 (open for the server's whole life)
    asked, enqueue = AppSession._handle_rerun_script_request, AppSession._enqueue_forward_msg

    def _handle_rerun_script_request(self, client_state=None):
        _write(out, self.id, "asked")
        return asked(self, client_state)

    def _enqueue_forward_msg(self, msg):
        if msg.WhichOneof("type") == "script_finished":
            _write(out, self.id, f"finished {msg.script_finished}")
        return enqueue(self, msg)

    AppSession._handle_rerun_script_request = _handle_rerun_script_request
    AppSession._enqueue_forward_msg = _enqueue_forward_msg


def server_log(path: Path) -> dict[str, list[tuple[float, str]]]:
    """session id -> [(monotonic seconds, "asked" | "finished <status>")], in order."""
    events = defaultdict(list)
    for line in path.read_text().splitlines():
        t, session, what = line.split("\t")
        events[session].append((float(t), what))
    return dict(events)


def server_seconds(events: list[tuple[float, str]], since: float, until: float) -> float | None:
    """From the first rerun asked for in [since, until] to the last run finished before
    `until`, as the server saw them (the span bench/classroom.py's Wire reads off the browser)."""
    asked = [t for t, what in events if what == "asked" and since <= t <= until]
    done = [
        t for t, what in events if what.startswith("finished") and asked and asked[0] <= t <= until
    ]
    return done[-1] - asked[0] if done else None


def main() -> None:
    install(os.environ["BENCH_SERVER_LOG"])
    from streamlit.web.cli import main as streamlit_main

    sys.argv = ["streamlit", *sys.argv[1:]]
    streamlit_main(prog_name="streamlit")


if __name__ == "__main__":
    main()
