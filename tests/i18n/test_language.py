"""Which language a visitor sees, the 中文 / English switch, and the language in the link.

Chinese when the link says ?lang=zh or, without one, when the browser's language starts with
"zh"; the switch changes it for the visit and keeps every setting and trained run.
"""

import pytest
from streamlit.testing.v1 import AppTest

from tests.conftest import ROOT

ENTRY = str(ROOT / "streamlit_app.py")
LIVE = "app_pages/live_training.py"


def visit(locale: str | None = None, query: dict | None = None, timeout: float = 60) -> AppTest:
    at = AppTest.from_file(ENTRY, default_timeout=timeout)
    if locale:
        at.context["locale"] = locale
    at.query_params.update(query or {})
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def presenter_label(at: AppTest) -> str:
    return at.toggle(key="presenter_mode").label


def switch(at: AppTest, lang: str) -> AppTest:
    at.button_group(key="lang").set_value(lang).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_a_chinese_browser_gets_chinese_and_a_link_that_says_so():
    at = visit("zh-CN")
    assert presenter_label(at) == "演示模式"
    assert [s.value for s in at.subheader] == ["基础", "优化", "训练", "决策"]
    assert at.caption[0].value.startswith("从标量到 n 维张量")
    assert at.query_params["lang"] == "zh"
    assert visit("zh-TW").session_state["lang"] == "zh"


def test_other_browsers_get_english_and_an_unchanged_link():
    for locale in ("en-US", "de-DE", None):
        at = visit(locale)
        assert presenter_label(at) == "Presenter mode"
        assert [s.value for s in at.subheader] == [
            "Basics",
            "Optimisation",
            "Training",
            "Decision making",
        ]
        assert "lang" not in at.query_params


def test_the_link_decides_over_the_browser():
    at = visit("zh-CN", {"lang": "en"})
    assert presenter_label(at) == "Presenter mode"
    assert at.query_params["lang"] == "en"  # chosen: a link shared from here stays English
    at = visit("en-GB", {"lang": "zh"})
    assert presenter_label(at) == "演示模式"
    assert at.query_params["lang"] == "zh"
    at = visit("en-GB", {"lang": "fr<script>"})  # not a language we have: the browser's
    assert presenter_label(at) == "Presenter mode" and "lang" not in at.query_params


def test_the_switch_changes_the_language_and_the_link():
    at = visit("en-US")
    switch(at, "zh")
    assert presenter_label(at) == "演示模式"
    assert at.query_params["lang"] == "zh"
    switch(at, "en")
    assert presenter_label(at) == "Presenter mode"
    assert at.query_params["lang"] == "en"  # chosen by hand: kept in the link


def test_the_language_survives_a_change_of_page_and_presenter_mode():
    at = visit("en-US")
    switch(at, "zh")
    at.toggle(key="presenter_mode").set_value(True).run()
    assert at.query_params["present"] == "1" and at.query_params["lang"] == "zh"
    at.switch_page("app_pages/gradient_descent.py").run()
    assert not at.exception, [e.value for e in at.exception]
    assert presenter_label(at) == "演示模式"
    # the page's own link (its settings) keeps the language and presenter mode
    assert at.query_params["lang"] == "zh" and at.query_params["present"] == "1"
    assert at.query_params["fn"] == "himmelblau"  # the page's default landscape


@pytest.mark.slow  # trains a small network (about half a minute on a busy machine)
def test_zh_en_zh_keeps_the_settings_and_the_trained_run(one_torch_thread):
    at = visit("zh-CN", timeout=300)
    at.switch_page(LIVE).run()
    at.session_state["tab"] = "Curve fitting"
    at.run()
    at.slider(key="curve_epochs").set_value(3).run()
    at.select_slider(key="curve_lr").set_value(0.1).run()
    at.slider(key="curve_depth").set_value(3).run()
    if not at.toggle(key="curve_slow").disabled:
        at.toggle(key="curve_slow").set_value(False).run()
    at.button(key="curve_start").click().run()
    assert not at.exception, [e.value for e in at.exception]
    run = at.session_state["live_training_curve"]
    assert run.status == "finished" and len(run.epoch_log) == 3
    log = [dict(row) for row in run.epoch_log]

    for lang, label in (("en", "Presenter mode"), ("zh", "演示模式")):
        switch(at, lang)
        assert presenter_label(at) == label
        assert at.session_state["tab"] == "Curve fitting"
        assert at.session_state["live_training_curve"] is run  # the same trained run
        assert [dict(row) for row in run.epoch_log] == log and len(log) == 3
        assert at.slider(key="curve_epochs").value == 3
        assert at.select_slider(key="curve_lr").value == 0.1
        assert at.slider(key="curve_depth").value == 3
        query = at.query_params
        assert (query["lang"], query["tab"], query["curve_lr"]) == (lang, "Curve fitting", "0.1")
        assert query["curve_depth"] == "3"


def test_lazy_tabs_show_the_language_and_keep_the_english_setting(monkeypatch):
    """With Chinese tab names in the catalogue, the tabs read in Chinese, the open tab is the
    linked one, and the setting and the link keep the English option."""
    from app_pages import i18n
    from core.i18n import Catalogue, catalogue

    names = {
        "Anatomy": "模块剖析",
        "Devices & dtypes": "设备与数据类型",
        "Save & load": "保存与加载",
    }
    real = catalogue("zh")
    merged = Catalogue({**real.messages, **{(None, k): v for k, v in names.items()}}, 1)
    monkeypatch.setattr(i18n, "catalogue", lambda lang: merged if lang == "zh" else catalogue(lang))

    at = visit("zh-CN", {"mod_tab": "Save & load"}, timeout=120)
    at.switch_page("app_pages/modules.py").run()
    assert not at.exception, [e.value for e in at.exception]
    labels = [tab.label for tab in at.tabs]
    assert {"模块剖析", "设备与数据类型", "保存与加载"} <= set(labels), labels
    assert at.session_state["mod_tab"] == "Save & load"
    assert at.session_state["_tabs:mod_tab:zh"] == "保存与加载"  # the open tab, by its name
    assert at.query_params["mod_tab"] == "Save & load" and at.query_params["lang"] == "zh"
    switch(at, "en")
    assert "Save & load" in [tab.label for tab in at.tabs]
    assert at.session_state["_tabs:mod_tab:en"] == "Save & load"
    assert at.query_params["mod_tab"] == "Save & load" and at.query_params["lang"] == "en"
