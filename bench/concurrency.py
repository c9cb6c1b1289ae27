"""A class at once: N browser sessions train on one server; how fast does /health answer?

    python bench/concurrency.py [--sessions 5]

Runs the same scenario as tests/e2e/test_concurrency.py (which asserts isolation, not speed)
and prints the health endpoint's latency percentiles while the sessions train. Target on this
2-core machine: p99 under 1 s.
"""

import argparse
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from playwright.sync_api import sync_playwright  # noqa: E402

from tests.e2e.conftest import CHROMIUM, CHROMIUM_FLAGS, start_server  # noqa: E402
from tests.e2e.test_concurrency import train_in_sessions  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=5)
    args = parser.parse_args()
    with start_server() as (url, _proc), sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        latencies = train_in_sessions(url, browser, args.sessions)
        browser.close()
    answered = sorted(v for v in latencies if v is not None)
    q = statistics.quantiles(answered, n=100) if len(answered) > 1 else answered * 99
    print(
        f"{args.sessions} sessions training at once: {len(latencies)} health probes, "
        f"{len(latencies) - len(answered)} unanswered"
    )
    print(
        f"health latency p50 {q[49] * 1000:.0f} ms, p99 {q[98] * 1000:.0f} ms, "
        f"max {answered[-1] * 1000:.0f} ms (target p99 < 1000 ms)"
    )


if __name__ == "__main__":
    main()
