"""Every chart the app draws is readable on a projector and by a colour-blind student.

Each page is rendered under AppTest (its main views, and after its default action where the
charts only appear then); every Altair chart's Vega-Lite spec must have a title, a plain-words
title on each x/y axis it shows, and its categorical colours from the Okabe-Ito palette.
"""

import json
from collections.abc import Callable, Iterator

import pytest
from streamlit.testing.v1 import AppTest

from app_pages.outline import chapters
from core.charts import CATEGORICAL, NEUTRAL, title_text
from tests.conftest import ROOT

pytestmark = pytest.mark.slow  # every chart of every page and view: a sweep
ENTRY = str(ROOT / "streamlit_app.py")
CONCAT = ("hconcat", "vconcat", "concat")
CHILDREN = ("layer", *CONCAT)
# Okabe-Ito, plus neutral greys, black and white for context and text
SAFE = {c.upper() for c in CATEGORICAL} | {NEUTRAL.upper(), "#FFFFFF", "#000000"}
NAMED_SAFE = {"white", "black", "gray", "grey", "transparent", "lightgray", "lightgrey"}


# ----------------------------------------------------------------------------- spec checks


def _title_text(title) -> str:
    return title_text(title).strip()


def _children(spec: dict) -> Iterator[dict]:
    for key in CHILDREN:
        yield from spec.get(key, [])
    if isinstance(spec.get("spec"), dict):  # facet / repeat
        yield spec["spec"]


def is_titled(spec: dict) -> bool:
    """A chart has a title of its own, or (side-by-side panels) each panel has one."""
    if _title_text(spec.get("title")):
        return True
    panels = [c for key in CONCAT for c in spec.get(key, [])]
    return bool(panels) and all(is_titled(p) for p in panels)


def units(spec: dict) -> Iterator[dict]:
    """Every single-mark view inside a (layered, concatenated, faceted) chart."""
    if "mark" in spec:
        yield spec
    for child in _children(spec):
        yield from units(child)


def views(spec: dict) -> Iterator[list[dict]]:
    """The units drawn on one pair of axes: a layered chart's layers share theirs."""
    if "layer" in spec:
        yield list(units(spec))
    elif "mark" in spec:
        yield [spec]
    else:
        for child in _children(spec):
            yield from views(child)


def axis_problems(spec: dict) -> list[str]:
    """Shown x/y axes of a field without a title in words.

    In a layered chart an axis is shared: Vega-Lite shows the explicit title of any layer.
    """
    problems = []
    for view in views(spec):
        for channel in ("x", "y"):
            encs = [(u.get("encoding") or {}).get(channel) for u in view]
            encs = [e for e in encs if e and ("field" in e or "aggregate" in e)]
            shown = [e for e in encs if not ("axis" in e and e["axis"] is None)]
            if not shown:
                continue  # no field on this channel, or a deliberately hidden axis
            titles = [e.get("title") or (e.get("axis") or {}).get("title") for e in shown]
            if not any(isinstance(t, str) and t.strip() for t in titles):
                fields = sorted({str(e.get("field")) for e in shown})
                problems.append(f"{channel} axis ({', '.join(fields)}) has no title")
    return problems


def colour_problems(spec: dict) -> list[str]:
    """Mark colours and categorical colour scales outside the colour-blind-safe palette."""
    problems = []

    def check(colour, where: str) -> None:
        if not isinstance(colour, str):
            return
        if colour.startswith("#"):
            hexa = colour.upper()
            grey = len(hexa) == 7 and hexa[1:3] == hexa[3:5] == hexa[5:7]
            if hexa not in SAFE and not grey:
                problems.append(f"{where}: {colour}")
        elif colour.lower() not in NAMED_SAFE:
            problems.append(f"{where}: {colour}")

    for unit in units(spec):
        mark = unit["mark"] if isinstance(unit["mark"], dict) else {}
        for prop in ("color", "fill", "stroke"):
            check(mark.get(prop), f"mark {prop}")
        for channel in ("color", "fill", "stroke"):
            enc = (unit.get("encoding") or {}).get(channel) or {}
            check(enc.get("value"), f"{channel} value")
            rng = (enc.get("scale") or {}).get("range")
            if enc.get("type") in ("nominal", "ordinal") and isinstance(rng, list):
                for colour in rng:
                    check(colour, f"{channel} category")
    return problems


def chart_specs(at: AppTest) -> list[dict]:
    return [json.loads(e.proto.spec) for e in at.get("vega_lite_chart")]


def audit(at: AppTest, where: str) -> list[str]:
    """Every accessibility problem of the charts on screen, described for a failure message."""
    problems = []
    for i, spec in enumerate(chart_specs(at)):
        name = f"{where} chart {i} ({_title_text(spec.get('title')) or 'untitled'})"
        if not is_titled(spec):
            problems.append(f"{name}: no title")
        problems += [f"{name}: {p}" for p in axis_problems(spec) + colour_problems(spec)]
    return problems


# ----------------------------------------------------------------------------- the checks' own test


def test_the_checks_catch_what_they_should():
    bare = {"mark": "line", "encoding": {"x": {"field": "t"}, "y": {"field": "v", "title": "v"}}}
    assert not is_titled(bare)
    assert axis_problems(bare) == ["x axis (t) has no title"]
    hidden = {"title": "grid", "mark": "rect", "encoding": {"x": {"field": "c", "axis": None}}}
    assert is_titled(hidden) and axis_problems(hidden) == []
    layered = {
        "layer": [bare, {"mark": "rule", "encoding": {"x": {"field": "t", "title": "time"}}}]
    }
    assert axis_problems(layered) == []
    panels = {"hconcat": [{"title": "a", "mark": "bar"}, {"mark": "bar"}]}
    assert not is_titled(panels)
    red = {"mark": {"type": "line", "color": "#FF0000"}}
    assert colour_problems(red) == ["mark color: #FF0000"]
    cats = {
        "mark": "point",
        "encoding": {"color": {"type": "nominal", "scale": {"range": ["red"]}}},
    }
    assert colour_problems(cats) == ["color category: red"]
    ramp = {"mark": "rect", "encoding": {"color": {"type": "quantitative", "scale": {"range": ["red", "blue"]}}}}  # fmt: skip
    assert colour_problems(ramp) == []


# ----------------------------------------------------------------------------- the pages


def _open(path: str, timeout: float = 300) -> AppTest:
    at = AppTest.from_file(ENTRY, default_timeout=timeout).run()
    at.switch_page(path).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def choose(at: AppTest, key: str, index: int) -> None:
    """Pick a selectbox's option by position, also when a dict's .get formats its labels."""
    box = at.selectbox(key=key)
    labels = getattr(box.format_func, "__self__", None)
    if isinstance(labels, dict):
        by_label = {str(label): value for value, label in labels.items()}
        box.set_value(by_label[box.options[index]])
    else:
        box.select_index(index)
    at.run()


def _views_tensors(at: AppTest) -> Iterator[str]:
    for i, topic in enumerate(at.selectbox(key="topic").options):
        choose(at, "topic", i)
        yield f"topic {topic!r}"


def _views_gradient_descent(at: AppTest) -> Iterator[str]:
    yield "default"
    at.select_slider(key="li_res").set_value(11).run()
    at.button(key="li_go").click().run()
    yield "Li et al. slice"


LIVE_TABS = {  # tab label -> run name, widget prefix
    "Regression": ("regression", "reg"),
    "Curve fitting": ("curve", "curve"),
    "2-D classification": ("toy", "toy"),
    "Digits: softmax": ("softmax", "softmax"),
    "RNN": ("rnn", "rnn"),
    "CNN": ("cnn", "cnn"),
}


def _views_live_training(at: AppTest) -> Iterator[str]:
    for tab, (name, prefix) in LIVE_TABS.items():
        at.session_state["tab"] = tab
        at.run()
        yield f"{tab} before training"
        at.slider(key=f"{prefix}_epochs").set_value(1).run()
        toggle = at.toggle(key=f"{name}_slow")
        if not toggle.disabled:
            toggle.set_value(False).run()
        at.button(key=f"{name}_start").click().run()
        yield f"{tab} after one epoch"


def _views_behaviour_cloning(at: AppTest) -> Iterator[str]:
    yield "default"
    at.button(key="bc_collect").click().run()
    yield "data collected"
    at.slider(key="bc_epochs").set_value(1).run()
    at.button(key="bc_train").click().run()
    yield "after one epoch"


def _views_default(at: AppTest) -> Iterator[str]:
    yield "default"


VIEWS: dict[str, Callable[[AppTest], Iterator[str]]] = {
    "tensors": _views_tensors,
    "gradient_descent": _views_gradient_descent,
    "live_training": _views_live_training,
    "behaviour_cloning": _views_behaviour_cloning,
}


@pytest.mark.parametrize("chapter", chapters(), ids=lambda c: c.url_path)
def test_every_chart_is_titled_labelled_and_colour_blind_safe(chapter):
    at = _open(chapter.path, timeout=600)
    problems, charts = [], 0
    for where in VIEWS.get(chapter.url_path, _views_default)(at):
        assert not at.exception, (where, [e.value for e in at.exception])
        charts += len(chart_specs(at))
        problems += audit(at, where)
    assert not problems, "\n".join(problems)
    if chapter.url_path != "autograd_graph":  # its graph is Graphviz, not Altair
        assert charts, "the page drew no chart to check"
