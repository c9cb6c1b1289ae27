"""Every slider, select slider and number input of every page, at its extremes, under AppTest.

For each built page and each view its main selector offers (topics, landscapes, presets, tabs),
every such widget on screen is set to its minimum, the page runs, then to its maximum, and
runs again; then it goes back to where it was. Whatever raises is collected and reported.
"""

from collections.abc import Callable, Iterator

import pytest
from streamlit.testing.v1 import AppTest

from app_pages.outline import chapters
from tests.app.test_chart_accessibility import choose
from tests.conftest import ROOT

pytestmark = pytest.mark.slow  # every widget of every page at both ends: minutes

ENTRY = str(ROOT / "streamlit_app.py")
KINDS = ("slider", "select_slider", "number_input")


def _selectbox_views(key: str) -> Callable[[AppTest], Iterator[str]]:
    def views(at: AppTest) -> Iterator[str]:
        labels = at.selectbox(key=key).options
        for i, label in enumerate(labels):
            if i:  # the first option is the first render
                choose(at, key, i)
            yield f"{key} = {label!r}"

    return views


def _tab_views(key: str) -> Callable[[AppTest], Iterator[str]]:
    def views(at: AppTest) -> Iterator[str]:
        for i, tab in enumerate([t.label for t in at.tabs]):
            if i:
                at.session_state[key] = tab
                at.run()
            yield f"tab {tab!r}"

    return views


def _first_render(at: AppTest) -> Iterator[str]:
    yield "first render"


VIEWS = {
    "tensors": _selectbox_views("topic"),
    "autograd_graph": _selectbox_views("preset"),
    "gradient_descent": _selectbox_views("fn"),
    "live_training": _tab_views("tab"),
}


def _value_for(widget, label: str):
    """The option value a select slider shows as `label` (AppTest lists formatted labels)."""
    candidates: list = [label]
    for cast in (int, float):
        try:
            candidates.append(cast(label))
        except ValueError:
            pass
    candidates += list(range(-10, 1025))
    for value in candidates:
        try:
            if str(widget.format_func(value)) == label:
                return value
        except (KeyError, IndexError, TypeError, ValueError):
            continue
    raise LookupError(f"no value found for the option {label!r} of {widget.key}")


def _extremes(widget) -> tuple:
    """(minimum, maximum) settings of a widget, in the type it holds; None where unbounded."""
    value = widget.value
    if widget.type == "select_slider":
        low, high = (_value_for(widget, widget.options[i]) for i in (0, -1))
    else:
        low, high = widget.min, widget.max
        kind = type(value[0] if isinstance(value, (list, tuple)) else value)
        if kind in (int, float):
            low = None if low is None else kind(low)
            high = None if high is None else kind(high)
    if isinstance(value, (list, tuple)):  # a range: both ends together
        return (None if low is None else (low, low)), (None if high is None else (high, high))
    return low, high


def _keyed_widgets(at: AppTest) -> list[tuple[str, str]]:
    return [(kind, w.key) for kind in KINDS for w in getattr(at, kind) if w.key]


def _find(at: AppTest, kind: str, key: str):
    try:
        return getattr(at, kind)(key=key)
    except KeyError:
        return None  # gone after an earlier change: nothing to move


def walk(at: AppTest, where: str, seen: set[str] | None = None, depth: int = 0):
    """Move every keyed slider-like widget on screen to both ends; (runs, problems).

    A widget that appears only when another one is at an extreme (a fifth logit when the
    number of classes is 5, a third size slider at 3 dims) is walked there, one level deep.
    """
    runs, problems = 0, []
    seen = set() if seen is None else seen
    todo = [(kind, key) for kind, key in _keyed_widgets(at) if key not in seen]
    seen.update(key for _, key in todo)
    for kind, key in todo:
        widget = _find(at, kind, key)
        if widget is None or widget.disabled:
            continue
        original = widget.value
        for end, value in zip(("min", "max"), _extremes(widget), strict=True):
            widget = _find(at, kind, key)
            if value is None or widget is None:
                continue
            try:
                widget.set_value(value).run()
            except Exception as err:  # a timeout or AppTest refusing the value
                problems.append(f"{where}: {key} at its {end} ({value!r}): {err!r}")
                continue
            runs += 1
            if at.exception:
                shown = [e.value for e in at.exception]
                problems.append(f"{where}: {key} at its {end} ({value!r}) raised {shown}")
            elif depth == 0:
                more, found = walk(at, f"{where}, {key} at its {end}", seen, depth + 1)
                runs, problems = runs + more, problems + found
        widget = _find(at, kind, key)
        if widget is not None:
            widget.set_value(original)  # applied with the next run
    at.run()
    return runs, problems


@pytest.mark.parametrize("chapter", chapters(), ids=lambda c: c.url_path)
def test_every_slider_at_its_extremes(chapter):
    at = AppTest.from_file(ENTRY, default_timeout=300).run()
    at.switch_page(chapter.path).run()
    assert not at.exception, [e.value for e in at.exception]
    total, problems = 0, []
    for where in VIEWS.get(chapter.url_path, _first_render)(at):
        assert not at.exception, (where, [e.value for e in at.exception])
        runs, found = walk(at, where)
        total += runs
        problems += found
    print(f"{chapter.url_path}: {total} runs at an extreme")
    assert not problems, "\n".join(problems)
    assert total >= 2, "the page offered no slider to move"
