"""The waiting line's note in English and Chinese: counts, place and the page's own phrase."""

import re

import pytest

from app_pages import heavy
from core.i18n import catalogue
from tests.conftest import ROOT


@pytest.fixture
def two_running(monkeypatch):
    monkeypatch.setattr(heavy.GATE, "counts", lambda: (2, 5))


def _in(monkeypatch, lang: str) -> None:
    found = catalogue(lang)
    monkeypatch.setattr(heavy, "_", found.gettext)
    monkeypatch.setattr(heavy, "ngettext", found.ngettext)


def test_the_line_in_english(two_running, monkeypatch):
    _in(monkeypatch, "en")
    assert heavy._line("collect the data", 3) == (
        "**Waiting for a free slot to collect the data**: 2 heavy runs going on this server, "
        "3 ahead of you. Any click leaves the line."
    )
    assert "1 heavy run going" not in heavy._line("train", 0)
    assert heavy._line("train", 0).endswith("you are next. Any click leaves the line.")


def test_the_line_in_chinese_with_each_page_phrase_translated(two_running, monkeypatch):
    _in(monkeypatch, "zh")
    assert heavy._line("collect the data", 3) == (
        "**正在排队，等空出名额后收集数据**：服务器上正在运行 2 个大计算任务，你前面还有 3 个。"
        "任何一次点击都会离开队列。"
    )
    assert "下一个就轮到你" in heavy._line("train", 0)
    for phrase in heavy.ACTIONS:
        assert catalogue("zh").gettext(phrase) != phrase, phrase


def test_every_phrase_a_page_passes_is_in_the_catalogue():
    calls = re.compile(r"heavy\.(?:turn|wait_turn|live_turn)\(\s*(?:\w+,\s*)?\"([^\"]+)\"")
    pages = [f for f in (ROOT / "app_pages").glob("*.py") if f.name != "heavy.py"]
    used = {m for f in pages for m in calls.findall(f.read_text())}
    assert {
        "train the model",
        "collect the data",
        "compute the slice",
    } <= used  # the scan finds them
    assert used <= set(heavy.ACTIONS), used - set(heavy.ACTIONS)
