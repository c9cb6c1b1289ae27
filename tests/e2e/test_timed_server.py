"""bench/timed_server.py: the server's own clock on every rerun, read by bench/classroom.py."""

import os
import time

import pytest

from bench.timed_server import server_log, server_seconds
from tests.e2e.conftest import settle, start_server


@pytest.mark.e2e
def test_every_rerun_is_logged_with_its_session_and_the_run_that_served_it(browser, tmp_path):
    log = tmp_path / "runs.tsv"
    env = {**os.environ, "BENCH_SERVER_LOG": str(log)}
    with start_server(env=env, launcher=("bench/timed_server.py",)) as (url, _proc):
        page = browser.new_page(viewport={"width": 1280, "height": 720})
        try:
            page.goto(url)
            settle(page, timeout=120)
            start = time.monotonic()
            page.locator('[data-testid="stSidebarNav"] a[href$="/tensors"]').click()
            page.get_by_role("heading", name="Tensors").first.wait_for()
            settle(page)
            end = time.monotonic()
        finally:
            page.close()
    events = server_log(log)
    assert len(events) == 1, events  # one tab, one session
    (session,) = events.values()
    kinds = [what.split()[0] for _, what in session]
    assert kinds[0] == "asked" and kinds.count("asked") == kinds.count("finished") >= 2, kinds
    assert [t for t, _ in session] == sorted(t for t, _ in session)
    took = server_seconds(session, start, end)
    # the page's script ran on the server, inside the span the browser saw
    assert took is not None and 0 < took < end - start


def test_server_seconds_spans_the_first_rerun_asked_to_the_last_run_finished():
    events = [
        (1.0, "asked"),
        (1.2, "finished 0"),  # before the change: not counted
        (2.0, "asked"),
        (2.1, "asked"),  # a second change while the first ran
        (2.3, "finished 2"),  # the first run, cut short for the rerun
        (2.6, "finished 0"),
        (9.0, "asked"),  # after the page settled: another change
        (9.5, "finished 0"),
    ]
    assert server_seconds(events, 1.5, 3.0) == pytest.approx(0.6)
    assert server_seconds(events, 1.5, 2.2) is None  # nothing finished yet
    assert server_seconds(events, 3.0, 8.0) is None  # nothing asked for
    assert server_seconds(events, 0.0, 1.5) == pytest.approx(0.2)
