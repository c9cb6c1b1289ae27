"""Loss functions page under AppTest: widgets moved, the numbers on screen are right."""

import numpy as np
from streamlit.testing.v1 import AppTest

from tests.conftest import ROOT


def _page() -> AppTest:
    at = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=180).run()
    at.switch_page("app_pages/loss_functions.py").run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_curves_toggle_and_delta():
    at = _page()
    assert at.title[0].value == "Loss functions"
    at.multiselect(key="reg").set_value(["L1"]).run()
    at.multiselect(key="cls").set_value([]).run()
    at.slider(key="delta").set_value(2.0).run()
    assert not at.exception
    assert any("Pick a classification loss" in i.value for i in at.info)
    at.multiselect(key="cls").set_value(["Hinge"]).run()
    assert not at.exception
    assert any("MultiMarginLoss" in x.value for x in at.latex)


def test_logits_playground_numbers():
    at = _page()
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


def test_outlier_slider_moves_the_fits():
    at = _page()
    before = at.dataframe[0].value.copy()
    at.slider(key="oy").set_value(-4.0).run()
    at.slider(key="ox").set_value(0.2).run()
    assert not at.exception
    after = at.dataframe[0].value
    mse_before = before.loc[before["loss"] == "MSE", "slope w"].item()
    mse_after = after.loc[after["loss"] == "MSE", "slope w"].item()
    assert mse_before > 3 and mse_after != mse_before


def test_the_slides_mse_half_and_multilabel_margin_are_named():
    at = _page()
    assert any("½" in w.value and "mean" in w.value for w in at.warning)
    assert any("nn.MultiLabelMarginLoss" in c.value for c in at.caption)
    at.multiselect(key="reg").set_value(["L1"]).run()
    assert not any("½" in w.value for w in at.warning)  # the note goes with MSE's curve
