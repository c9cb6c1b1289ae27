"""Every page and tab under AppTest in Chinese: no English prose left in what a person reads.

The crawl opens each page (and each of its tabs, tensor topics and autograd presets), collects
every label, caption, Markdown text, option, table header and chart title (tests/i18n/prose.py)
and fails on three or more English words in a row outside code, formulas and names. It runs in
English too, where it must find English prose on every page: proof that it sees the texts.

Pages not yet translated are in PHASE_2 (xfail, strict: a page that passes must leave the list).
"""

import pytest
from streamlit.testing.v1 import AppTest

from app_pages.outline import CLASS_ROOM, HOME, chapters
from tests.conftest import ROOT
from tests.i18n.prose import english_prose, texts

ENTRY = str(ROOT / "streamlit_app.py")

# Pages not yet translated (xfail in Chinese): none left; a new page starts here until it passes.
PHASE_2: set[str] = set()
# The views of a page: (setting, its values), the first the default. Set through the session
# state (a tensor topic, an autograd preset, a lazy tab's English option: see ui.lazy_tabs).
VIEWS = {
    "tensors": (
        "topic",
        ["ranks", "creation", "arithmetic", "products", "reductions", "transpose", "view"]
        + ["squeeze", "expand", "indexing", "cat", "gather", "broadcasting", "numpy"],
    ),
    "autograd_graph": ("preset", ["dot", "shared", "linear", "step", "mlp", "dynamic", "myexp"]),
    "modules": (
        "mod_tab",
        ["Anatomy", "Devices & dtypes", ".train() & .eval()", "Dataset & DataLoader"]
        + ["The loop, slow", "Save & load"],
    ),
    "loss_functions": (
        "loss_tab",
        ["Regression", "Classification", "Softmax & cross-entropy", "One outlier"],
    ),
    "live_training": (
        "tab",
        ["Regression", "Curve fitting", "2-D classification", "Digits: softmax", "RNN", "CNN"],
    ),
}
TIMEOUT = {"live_training": 300, "behaviour_cloning": 300}
# Pages whose demos predict-first hides until answered: crawled with predict-first off, so the
# crawl reads the demos (the questions are crawled in tests/app/test_predict.py, in Chinese too)
PREDICT_OFF = {
    "modules",
    "live_training",
    "behaviour_cloning",
    "gradient_descent",
    "loss_functions",
    "autograd_graph",
    "tensors",
}


def crawl(page: str, path: str, lang: str) -> dict[str, list[tuple[str, str]]]:
    """view name -> (kind, text) of everything the page shows in `lang`, view by view (and
    ("vega", "") once per Vega-Lite chart drawn)."""
    at = AppTest.from_file(ENTRY, default_timeout=TIMEOUT.get(page, 120))
    at.query_params["lang"] = lang
    if page in PREDICT_OFF:
        at.session_state["predict_first"] = False
    at.run()
    if path != HOME.path:
        at.switch_page(path).run()
    assert not at.exception, [e.value for e in at.exception]
    seen = {"first": _texts(at)}
    key, values = VIEWS.get(page, (None, []))
    if key:
        assert at.session_state[key] == values[0], f"{page}: {key} opens elsewhere (update VIEWS)"
    for value in values[1:]:
        at.session_state[key] = value
        at.run()
        assert not at.exception, (key, value, [e.value for e in at.exception])
        assert at.session_state[key] == value, f"{page}: no {key} {value!r} (update VIEWS)"
        seen[f"{key}={value}"] = _texts(at)
    return seen


def _texts(at) -> list[tuple[str, str]]:
    return texts(at) + [("vega", "")] * len(at.get("vega_lite_chart"))


class EnglishLeft(AssertionError):
    """English prose on a page in Chinese (the only failure a phase-2 xfail expects)."""


def _pages():
    for chapter in [HOME, *chapters(), CLASS_ROOM]:  # the class room: not a chapter, a page
        page = chapter.url_path
        marks = [] if chapter is HOME else [pytest.mark.slow]
        yield page, chapter.path, marks


def _cases(lang: str):
    for page, path, marks in _pages():
        if lang == "zh" and page in PHASE_2:
            marks = [*marks, pytest.mark.xfail(reason="phase 2", strict=True, raises=EnglishLeft)]
        yield pytest.param(page, path, marks=marks, id=page)


@pytest.mark.parametrize(("page", "path"), _cases("zh"))
def test_every_view_reads_in_chinese(page, path):
    left = {
        view: sorted({f"[{kind}] {run}" for kind, text in found for run in english_prose(text)})
        for view, found in crawl(page, path, "zh").items()
    }
    left = {view: runs for view, runs in left.items() if runs}
    if left:
        lines = [f"{view}: {run}" for view, runs in left.items() for run in runs]
        raise EnglishLeft(f"{page}: English prose in Chinese:\n" + "\n".join(lines))


@pytest.mark.parametrize(("page", "path"), _cases("en"))
def test_the_crawl_sees_the_texts_in_english(page, path):
    views = crawl(page, path, "en")
    for view, found in views.items():
        prose = [run for _, text in found for run in english_prose(text)]
        assert prose, f"{page} {view}: the crawl found no English prose in English"
    kinds = {kind for found in views.values() for kind, _ in found}
    assert {"toggle", "caption"} <= kinds, kinds  # the sidebar's switch and caption, at least
    drawn = sum(kind == "vega" for found in views.values() for kind, _ in found)
    titles = [text for found in views.values() for kind, text in found if kind == "chart"]
    assert titles or not drawn, f"{page}: {drawn} Vega charts, no chart title collected"


def _room_views(lang: str) -> dict[str, list[tuple[str, str]]]:
    """The class room past its landing page: a lecturer opens the first question, a student
    answers, the lecturer reveals; what each of them reads at each step, in `lang`."""

    def page(**params: str) -> AppTest:
        at = AppTest.from_file(ENTRY, default_timeout=120)
        at.query_params["lang"] = lang
        for name, value in params.items():
            at.query_params[name] = value
        at.run()
        at.switch_page(CLASS_ROOM.path).run()
        assert not at.exception, [e.value for e in at.exception]
        return at

    def step(at: AppTest) -> list[tuple[str, str]]:
        at.run()
        assert not at.exception, [e.value for e in at.exception]
        return _texts(at)

    lecturer = page()
    lecturer.button(key="room_start").click()
    seen = {"lecturer, no question": step(lecturer)}
    code = lecturer.session_state["room_code"]
    student = page(room=code)
    seen["student, waiting"] = _texts(student)
    lecturer.button(key="room_open").click()
    seen["lecturer, question open"] = step(lecturer)
    seen["student, question open"] = step(student)
    student.radio(key=student.radio[0].key).set_value(0)
    seen["student, answered"] = step(student)
    lecturer.button(key=next(b.key for b in lecturer.button if b.key.startswith("reveal-"))).click()
    seen["lecturer, revealed"] = step(lecturer)
    seen["student, revealed"] = step(student)
    return seen


@pytest.mark.slow
@pytest.mark.usefixtures("own_rooms")
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_class_room_in_use_reads_in_the_language(lang):
    views = _room_views(lang)
    left = {
        view: sorted({run for _, text in found for run in english_prose(text)})
        for view, found in views.items()
    }
    if lang == "zh":
        assert not {view: runs for view, runs in left.items() if runs}
    else:
        assert all(left.values()), {view for view, runs in left.items() if not runs}
    assert any(kind == "chart" for found in views.values() for kind, _ in found), "bars' title"
