"""A fresh server whose very first request is a direct link to a page serves the whole shell.

Streamlit treats a folder named pages/ beside the entry script as an old-style multipage app;
the first direct link on a fresh server then runs that page alone (no sidebar, no wide layout).
The screens live in app_pages/ to avoid exactly that; this test holds the line, with a server
of its own so that no earlier test has warmed it.
"""

import pytest

from app_pages.outline import chapters
from tests.e2e.conftest import no_error_on_screen, settle, start_server

pytestmark = pytest.mark.e2e


def test_first_request_to_a_fresh_server_is_a_direct_page_link(sync_playwright_api, browser):
    chapter = chapters()[2]  # not the first page: the default page would hide the bug
    with start_server() as (url, _proc):
        context = browser.new_context(viewport={"width": 1280, "height": 720})
        page = context.new_page()
        try:
            page.goto(f"{url}/{chapter.url_path}")
            settle(page, timeout=120)
            no_error_on_screen(page)
            assert page.locator("h1").first.inner_text().startswith(chapter.title)
            nav = page.locator('[data-testid="stSidebarNav"]')
            assert nav.count() == 1, "the shell's navigation is there"
            for other in chapters():
                assert nav.get_by_text(other.title, exact=True).count() == 1, other.title
            assert page.get_by_text("Presenter mode").count() >= 1, "the shell's sidebar"
            assert "app_pages" not in page.url
        finally:
            context.close()
