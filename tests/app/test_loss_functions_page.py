"""Loss functions page under AppTest: widgets moved, the numbers on screen are right."""

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from tests.conftest import ROOT


def _page(tab: str = "Regression") -> AppTest:
    at = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=180).run()
    at.switch_page("app_pages/loss_functions.py").run()
    assert not at.exception, [e.value for e in at.exception]
    return _tab(at, tab)


def _tab(at: AppTest, tab: str) -> AppTest:
    at.session_state["loss_tab"] = tab
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.query_params["loss_tab"] == tab
    return at


def test_curves_toggle_and_delta():
    at = _page()
    assert at.title[0].value == "Loss functions"
    at.multiselect(key="reg").set_value(["L1"]).run()
    at.slider(key="delta").set_value(2.0).run()
    _tab(at, "Classification")
    at.multiselect(key="cls").set_value([]).run()
    assert not at.exception
    assert any("Pick a classification loss" in i.value for i in at.info)
    at.multiselect(key="cls").set_value(["Hinge"]).run()
    assert not at.exception
    assert any("MultiMarginLoss" in x.value for x in at.latex)


def test_logits_playground_numbers():
    at = _page("Softmax & cross-entropy")
    at.slider(key="k").set_value(4).run()
    at.selectbox(key="target").set_value(3).run()
    for i, z in enumerate([1.0, -1.0, 0.0, 2.0]):
        at.slider(key=f"z{i}").set_value(z).run()
    assert not at.exception
    z = np.array([1.0, -1.0, 0.0, 2.0])
    p = np.exp(z) / np.exp(z).sum()
    latex = " ".join(x.value for x in at.latex)
    assert f"{-np.log(p[3]):.4f}" in latex
    assert f"{p[3] - 1:.4f}" in latex


@pytest.mark.slow  # seconds of the fast loop; the whole suite runs it
def test_outlier_slider_moves_the_fits():
    at = _page("One outlier")
    before = at.table[0].value.copy()
    at.slider(key="oy").set_value(-4.0).run()
    at.slider(key="ox").set_value(0.2).run()
    assert not at.exception
    after = at.table[0].value
    mse_before = float(before.loc[before["loss"] == "MSE", "slope w"].item())
    mse_after = float(after.loc[after["loss"] == "MSE", "slope w"].item())
    assert mse_before > 3 and mse_after != mse_before


def test_coinciding_curves_are_said_to_coincide():
    at = _page()
    assert at.slider(key="delta").value == 1.5  # by default Huber and SmoothL1 differ
    assert any("Huber is 1.5 × SmoothL1" in i.value for i in at.info)
    at.slider(key="delta").set_value(1.0).run()
    assert any("δ = β = 1" in i.value and "lies on Huber" in i.value for i in at.info)
    _tab(at, "Classification")
    one = next(i.value for i in at.info if "one curve" in i.value)
    assert all(n in one for n in ("SoftMargin", "BCE", "BCEWithLogits", "CrossEntropy"))
    at.multiselect(key="cls").set_value(["Hinge", "BCE"]).run()
    assert not any("one curve" in i.value for i in at.info)  # one of them is not a pair


def test_the_slides_mse_half_and_multilabel_margin_are_named():
    at = _page()
    assert any("½" in w.value and "mean" in w.value for w in at.warning)
    at.multiselect(key="reg").set_value(["L1"]).run()
    assert not any("½" in w.value for w in at.warning)  # the note goes with MSE's curve
    _tab(at, "Classification")
    assert any("nn.MultiLabelMarginLoss" in c.value for c in at.caption)
