"""The Live training page under AppTest: every tab starts a short run, resets, steps, diverges."""

import json
import math

import pytest
from streamlit.testing.v1 import AppTest

from tests.conftest import ROOT

PAGE = "app_pages/live_training.py"

# tab label -> (run name, widget prefix, small epochs)
TABS = {
    "Regression": ("regression", "reg", 1),
    "Curve fitting": ("curve", "curve", 3),
    "2-D classification": ("toy", "toy", 3),
    "Digits: softmax": ("softmax", "softmax", 2),
    "RNN": ("rnn", "rnn", 2),
    "CNN": ("cnn", "cnn", 1),
}


def _open(tab: str) -> AppTest:
    at = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=300).run()
    at.switch_page(PAGE).run()
    assert not at.exception, [e.value for e in at.exception]
    at.session_state["tab"] = tab
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _errors(at: AppTest) -> list[str]:
    return [e.value for e in at.exception]


@pytest.mark.parametrize("tab", list(TABS))
def test_tab_runs_a_short_training(tab):
    name, prefix, epochs = TABS[tab]
    at = _open(tab)
    assert at.button(key=f"{name}_start").label == "Start"
    assert any("optimizer.zero_grad()" in c.value for c in at.code)
    at.slider(key=f"{prefix}_epochs").set_value(epochs).run()
    if not at.toggle(key=f"{name}_slow").disabled:
        at.toggle(key=f"{name}_slow").set_value(False).run()
    at.button(key=f"{name}_start").click().run()
    assert not at.exception, _errors(at)
    run = at.session_state[f"live_training_{name}"]
    assert run.status == "finished"
    assert len(run.epoch_log) == epochs
    assert all(math.isfinite(v) for row in run.epoch_log for v in row.values())
    assert at.session_state[f"{prefix}_epochs"] == epochs
    labels = [m.label for m in at.metric]
    assert labels and all(m.value != "–" for m in at.metric), labels
    # the numbers shown are the last epoch's: a redraw that skips unchanged boxes left none stale
    last = run.epoch_log[-1]
    shown_now = {format(v, f) for v in last.values() for f in (".4f", ".1%", ".2e")}
    assert all(m.value in shown_now for m in at.metric), ([m.value for m in at.metric], last)
    assert len(at.get("vega_lite_chart")) >= 2
    assert "Finished" in at.get("progress")[0].proto.text


def test_reset_with_the_same_seed_replays_the_curves():
    at = _open("2-D classification")
    at.slider(key="toy_epochs").set_value(2).run()
    at.button(key="toy_start").click().run()
    first = at.session_state["live_training_toy"].steps
    at.button(key="toy_reset").click().run()
    assert at.session_state["live_training_toy"].status == "ready"
    at.button(key="toy_start").click().run()
    assert at.session_state["live_training_toy"].steps == first
    at.number_input(key="toy_seed").set_value(1).run()
    at.button(key="toy_start").click().run()
    assert at.session_state["live_training_toy"].steps != first
    assert not at.exception, _errors(at)


PHASE_CODE = {
    "zero_grad": "optimizer.zero_grad()",
    "forward": "out = model(x)",
    "loss": "loss = loss_fn(out, y)",
    "backward": "loss.backward()",
    "step": "optimizer.step()",
}


def test_one_phase_walks_the_scaffold():
    at = _open("Regression")
    expected = ["zero_grad", "forward", "loss", "backward", "step"]
    for phase in expected:
        at.button(key="regression_phase").click().run()
        loops = [h.proto.body for h in at.get("html") if "training-loop" in h.proto.body]
        assert loops and loops[0].count("font-weight:700") == 1, phase  # one line highlighted
        running = loops[0].split("font-weight:700;")[1].split("</div>")[0]
        assert PHASE_CODE[phase] in running, (phase, running)
        assert any(m.value.startswith(f"**{phase}**") for m in at.markdown), phase
    run = at.session_state["live_training_regression"]
    assert run.status == "paused" and run.last.step == 1
    assert at.button(key="regression_start").label == "Resume"


def test_a_blown_up_learning_rate_is_a_message_not_a_crash():
    at = _open("2-D classification")
    at.select_slider(key="toy_lr").set_value(10.0).run()
    at.selectbox(key="toy_opt").set_value("SGD").run()
    at.slider(key="toy_epochs").set_value(30).run()
    at.button(key="toy_start").click().run()
    assert not at.exception, _errors(at)
    run = at.session_state["live_training_toy"]
    assert run.status == "diverged"
    assert any("learning rate" in w.value for w in at.warning)
    assert len(at.get("vega_lite_chart")) >= 1  # the last good charts stay


def test_learning_rate_changes_the_live_run_without_a_reset():
    at = _open("Regression")
    at.button(key="regression_phase").click().run()
    run = at.session_state["live_training_regression"]
    at.select_slider(key="reg_lr").set_value(0.1).run()
    assert at.session_state["live_training_regression"] is run
    assert run.task.optimizer.param_groups[0]["lr"] == 0.1
    at.select_slider(key="reg_batch").set_value(32).run()
    assert at.session_state["live_training_regression"] is not run  # structure changed: fresh


def test_a_tab_keeps_its_settings_and_its_run_when_the_student_comes_back():
    at = _open("Regression")
    at.slider(key="reg_epochs").set_value(2).run()
    at.toggle(key="regression_slow").set_value(False).run()
    at.button(key="regression_start").click().run()
    run = at.session_state["live_training_regression"]
    assert run.status == "finished" and len(run.epoch_log) == 2
    at.session_state["tab"] = "CNN"
    at.run()
    at.session_state["tab"] = "Regression"
    at.run()
    assert not at.exception, _errors(at)
    assert at.slider(key="reg_epochs").value == 2
    assert at.session_state["live_training_regression"] is run  # the trained run is still there
    assert run.status == "finished"


def test_a_run_reads_in_chinese_and_survives_the_language_switch():
    """A run trained in Chinese says so in Chinese (status, metrics, chart titles); switching
    to English and back keeps the very same run and its settings, and only the words change."""
    at = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=300)
    at.query_params["lang"] = "zh"
    at.session_state["predict_first"] = False
    at.run()
    at.switch_page(PAGE).run()
    at.session_state["tab"] = "2-D classification"
    at.run()
    assert not at.exception, _errors(at)
    assert at.button(key="toy_start").label == "开始"
    at.slider(key="toy_epochs").set_value(2).run()
    at.button(key="toy_start").click().run()
    assert not at.exception, _errors(at)
    run = at.session_state["live_training_toy"]
    assert run.status == "finished" and len(run.epoch_log) == 2
    assert at.get("progress")[0].proto.text.startswith("已完成：第 2 / 2 轮")
    assert [m.label for m in at.metric] == ["训练集准确率", "测试集准确率", "测试集损失"]
    titles = [
        json.dumps(json.loads(c.proto.spec), ensure_ascii=False) for c in at.get("vega_lite_chart")
    ]
    assert any("决策区域与数据" in s for s in titles) and any("交叉熵损失" in s for s in titles)
    for lang, done, label in [("en", "Finished: epoch 2 / 2", "Start"), ("zh", "已完成", "开始")]:
        at.session_state["lang"] = lang
        at.run()
        assert not at.exception, _errors(at)
        assert at.session_state["live_training_toy"] is run  # the same trained run
        assert at.session_state["toy_epochs"] == 2
        assert at.get("progress")[0].proto.text.startswith(done)
        assert at.button(key="toy_start").label == label
