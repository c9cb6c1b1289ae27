"""Gradient descent page under AppTest: widgets moved, charts and messages as expected."""

import pytest
from streamlit.testing.v1 import AppTest

from tests.conftest import ROOT


def _page() -> AppTest:
    at = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=180).run()
    at.switch_page("app_pages/gradient_descent.py").run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _latex(at) -> str:
    return " ".join(x.value for x in at.latex)


def test_defaults_render_and_widgets_move():
    at = _page()
    assert at.title[0].value == "Gradient descent"
    assert at.selectbox(key="fn").value == "himmelblau"
    assert at.select_slider(key="lr").value == 0.01
    assert at.number_input(key="x0").value == 0.0
    assert not at.warning  # nothing diverges with the defaults
    assert r"t = 299" in _latex(at)  # the last step's rule, numbers plugged in

    at.slider(key="gd_step").set_value(10).run()
    assert not at.exception
    assert r"t = 10" in _latex(at)

    at.selectbox(key="fn").set_value("rosenbrock").run()
    assert not at.exception
    # the landscape's own defaults are loaded
    assert at.select_slider(key="lr").value == 0.002
    assert at.number_input(key="x0").value == -1.2
    at.multiselect(key="opt").set_value(["Nesterov", "Adagrad"]).run()
    at.select_slider(key="noise").set_value(1.0).run()
    at.slider(key="beta").set_value(0.5).run()
    at.number_input(key="y0").set_value(-2.0).run()
    assert not at.exception
    assert at.selectbox(key="gd_rule").options == ["Nesterov", "Adagrad"]


def test_the_default_landscape_shows_the_optimisers_differing():
    """The default run tells the lesson: the four optimisers do not end at one place, one of
    them reaches another minimum, and the table shows every column, distance included."""
    at = _page()
    table = at.table[0].value
    assert list(table.columns) == ["status", "final loss", "nearest minimum", "distance"]
    assert list(table.index) == ["SGD", "Momentum", "Adam", "RMSprop"]
    minima = set(table["nearest minimum"])
    assert len(minima) >= 2, minima  # momentum overshoots into another basin
    distances = [float(d) for d in table["distance"]]
    assert max(distances) > 0.1 and min(distances) < 0.01, distances  # Adam still on its way


def test_quadratic_condition_number_and_divergence_message():
    at = _page()
    at.selectbox(key="fn").set_value("quadratic").run()
    at.slider(key="kappa").set_value(50.0).run()
    assert not at.exception
    # lr 0.1 > 2/50: SGD and momentum blow up; the page says so in words
    at.select_slider(key="lr").set_value(0.1).run()
    assert not at.exception
    warnings = [w.value for w in at.warning]
    assert any(w.startswith("SGD diverged at step") for w in warnings), warnings
    assert at.table  # the summary table still renders
    at.slider(key="steps").set_value(20).run()  # scrubber follows the new range
    assert not at.exception
    assert at.slider(key="gd_step").value <= 20


@pytest.mark.slow
def test_li_slice_button_streams_and_shows_result():
    at = _page()
    at.select_slider(key="li_res").set_value(11).run()
    at.button(key="li_go").click().run()
    assert not at.exception
    assert at.metric[0].value == "100%"
