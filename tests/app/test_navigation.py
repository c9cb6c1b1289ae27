"""Every built page runs through the real navigation under AppTest without an exception.

Page-specific interaction tests (widgets moved, values checked) live beside this file (tests/app/).
"""

from dataclasses import replace

import pytest
from streamlit.testing.v1 import AppTest

from app_pages.outline import CHAPTERS, chapters
from tests.conftest import ROOT

ENTRY = str(ROOT / "streamlit_app.py")


def test_home_lists_every_built_chapter():
    at = AppTest.from_file(ENTRY, default_timeout=60).run()
    assert not at.exception
    assert at.title[0].value == "PyTorch, live"
    captions = [c.value for c in at.caption]
    for chapter in chapters():
        assert chapter.promise in captions


@pytest.mark.parametrize("chapter", chapters(), ids=lambda c: c.url_path)
def test_page_renders_through_navigation(chapter):
    at = AppTest.from_file(ENTRY, default_timeout=120).run()
    at.switch_page(chapter.path).run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.title, "every page has a title"


def _styles(at) -> str:
    return "".join(h.proto.body for h in at.get("html"))


def test_presenter_mode_toggle_sets_large_type_and_the_link():
    at = AppTest.from_file(ENTRY, default_timeout=60).run()
    assert "font-size: 22px" not in _styles(at)
    at.toggle(key="presenter_mode").set_value(True).run()
    assert not at.exception
    assert "font-size: 22px" in _styles(at)
    assert at.query_params["present"] == "1"
    at.toggle(key="presenter_mode").set_value(False).run()
    assert "font-size: 22px" not in _styles(at)
    assert "present" not in at.query_params


def test_presenter_mode_from_the_link():
    at = AppTest.from_file(ENTRY, default_timeout=60)
    at.query_params["present"] = "1"
    at.run()
    assert at.toggle(key="presenter_mode").value is True
    assert "font-size: 22px" in _styles(at)


def test_a_missing_page_file_is_an_error_not_a_dropped_chapter():
    typo = replace(CHAPTERS[0], path="app_pages/tensor.py")
    with pytest.raises(FileNotFoundError, match="app_pages/tensor.py"):
        chapters([*CHAPTERS, typo])


def test_every_listed_chapter_is_served():
    assert [c.path for c in chapters()] == [c.path for c in CHAPTERS]
    assert len(CHAPTERS) >= 6
