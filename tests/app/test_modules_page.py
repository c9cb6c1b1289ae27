"""The Modules page under AppTest: every tab, every widget moved (to its extremes), the loop
stepped phase by phase with each bug, the link read and written."""

import pytest
from streamlit.testing.v1 import AppTest

from tests.app.test_chart_accessibility import audit
from tests.app.test_slider_extremes import walk
from tests.conftest import ROOT

ENTRY = str(ROOT / "streamlit_app.py")
PAGE = "app_pages/modules.py"
TABS = ["Anatomy", "Devices & dtypes", ".train() & .eval()", "Dataset & DataLoader",
        "The loop, slow", "Save & load"]  # fmt: skip


def _ok(at: AppTest) -> AppTest:
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]
    return at


def _open(tab: str = "Anatomy", query: dict | None = None) -> AppTest:
    at = AppTest.from_file(ENTRY, default_timeout=120)
    at.query_params.update(query or {})
    at.session_state["predict_first"] = False  # the demos themselves (predict: test_predict*)
    at.run()
    at.switch_page(PAGE).run()
    _ok(at)
    if tab != "Anatomy":
        at.session_state["mod_tab"] = tab
        at.run()
    return _ok(at)


def _codes(at: AppTest) -> str:
    return "\n".join(c.value for c in at.code)


def _table(at: AppTest, column: str):
    return next(d.value for d in [*at.table, *at.dataframe] if column in d.value.columns)


def test_registered_after_autograd():
    from app_pages.outline import chapters

    paths = [c.path for c in chapters()]
    assert paths.index(PAGE) == paths.index("app_pages/autograd_graph.py") + 1


@pytest.mark.parametrize("tab", TABS)
def test_every_tab_renders_a_picture_and_its_code(tab):
    at = _open(tab)
    assert at.title[0].value == "Modules & the training loop"
    assert [t.label for t in at.tabs] == TABS
    assert at.get("vega_lite_chart") or at.table or at.dataframe
    assert at.expander, "each tab shows its code"
    assert at.query_params["mod_tab"] == tab


def test_anatomy_widgets_and_the_forgotten_parameter():
    at = _open()
    assert ">>> pred.shape\ntorch.Size([2])" in _codes(at)
    rows = _table(at, "in parameters()").set_index("attribute")
    assert rows.loc["self.b", "moved by SGD"]
    at.toggle(key="mod_forget").set_value(True).run()
    _ok(at)
    rows = _table(at, "in parameters()").set_index("attribute")
    assert not rows.loc["self.b", "in parameters()"]
    assert not rows.loc["self.b", "moved by SGD"]
    assert rows.loc["self.W", "moved by SGD"]
    assert any("not a Parameter" in w.value for w in at.warning)
    assert "self.b = torch.randn(y_dim)  # forgot nn.Parameter" in _codes(at)
    for key, low, high in (("mod_xdim", 1, 8), ("mod_ydim", 1, 8), ("mod_steps", 1, 10)):
        for value in (low, high):
            at.slider(key=key).set_value(value).run()
            _ok(at)
    assert ">>> pred.shape\ntorch.Size([8])" in _codes(at)
    at.segmented_control(key="mod_sub").set_value("a module holding modules").run()
    _ok(at)
    assert "'hidden.W', 'hidden.b', 'out.W', 'out.b'" in _codes(at)
    assert at.query_params["mod_forget"] == "1" and at.query_params["mod_steps"] == "10"


def test_devices_dtypes_and_a_caught_mismatch():
    at = _open("Devices & dtypes")
    assert any("CPU" in m.value and "GPU" in m.value for m in at.markdown)
    assert any("Double and Float" in w.value for w in at.warning)
    for dtype in ("float32", "float16", "bfloat16", "float64"):
        at.selectbox(key="mod_to").set_value(dtype).run()
        _ok(at)
        moved = _table(at, "dtype after").set_index("tensor")
        assert moved.loc["layers.0.weight", "dtype after"] == dtype
        assert moved.loc["scale", "dtype after"] == "float32"
    at.selectbox(key="mod_input").set_value("float32").run()
    assert any("float32" in s.value for s in _ok(at).success)
    at.selectbox(key="mod_layer").set_value("bfloat16").run()
    assert any("BFloat16" in w.value for w in _ok(at).warning)
    at.selectbox(key="mod_input").set_value("bfloat16").run()
    at.selectbox(key="mod_device").set_value("meta").run()
    assert any("meta" in w.value for w in _ok(at).warning)


def test_train_eval_extremes():
    at = _open(".train() & .eval()")
    labels = {m.label: m.value for m in at.metric}
    assert labels == {"train(): same output twice?": "no", "eval(): same output twice?": "yes"}
    at.slider(key="mod_p").set_value(0.0).run()
    assert {m.value for m in _ok(at).metric} == {"yes"}
    at.slider(key="mod_p").set_value(0.9).run()
    at.slider(key="mod_batch").set_value(8).run()
    _ok(at)
    at.slider(key="mod_batch").set_value(1).run()
    assert any("more than 1 value per channel" in w.value for w in _ok(at).warning)
    # train mode refused, eval mode still answers: its two calls are drawn and compared
    assert {m.label: m.value for m in at.metric} == {"eval(): same output twice?": "yes"}
    assert len(at.get("vega_lite_chart")) == 2
    at.toggle(key="mod_bn").set_value(False).run()
    assert not _ok(at).warning and len(at.get("vega_lite_chart")) == 2
    at.number_input(key="mod_seed").set_value(9999).run()
    _ok(at)
    at.number_input(key="mod_seed").set_value(0).run()
    _ok(at)


def test_dataloader_widgets_at_their_extremes():
    at = _open("Dataset & DataLoader")
    assert "x: (4, 2), float32\ny: (4,), int64" in _codes(at)
    assert at.metric[0].value == "3"
    at.toggle(key="dl_drop").set_value(True).run()
    assert _ok(at).metric[0].value == "2"
    at.toggle(key="dl_shuffle").set_value(False).run()
    _ok(at)
    for key, low, high in (("dl_n", 4, 24), ("dl_batch", 1, 12), ("dl_epochs", 1, 5)):
        for value in (low, high):
            at.slider(key=key).set_value(value).run()
            _ok(at)
    at.slider(key="dl_n").set_value(4).run()  # batch 12 > 4 samples: one batch of four
    assert _ok(at).metric[0].value == "1"
    at.number_input(key="dl_seed").set_value(9999).run()
    _ok(at)
    assert at.query_params["dl_batch"] == "12"


def _marked(at: AppTest) -> str:
    """The scaffold line marked as running (the coloured one)."""
    body = next(h.proto.body for h in at.get("html") if "optimizer" in h.proto.body)
    marked = [line for line in body.split("<div") if "rgba(204, 121, 167" in line]
    return marked[0].split(">", 1)[1].split("</div>")[0] if marked else ""


def test_the_loop_phase_by_phase_with_the_line_marked():
    at = _open("The loop, slow")
    assert _marked(at) == ""
    expected = ["optimizer.zero_grad()", "out = model(x)", "loss = loss_fn(out, y)",
                "loss.backward()", "optimizer.step()"]  # fmt: skip
    for line in expected:
        at.button(key="loop_next").click().run()
        _ok(at)
        assert _marked(at).strip() == line
        assert "# <--" not in _codes(at)
    run = at.session_state["modules_loop"]
    assert run.last.step == 1
    at.button(key="loop_batch_end").click().run()
    at.button(key="loop_batch_end").click().run()
    assert _marked(_ok(at)).strip() == "dev_out = model(x_dev)"
    while not at.session_state["modules_loop"].done:
        at.button(key="loop_batch_end").click().run()
    assert _ok(at).button(key="loop_next").disabled
    at.button(key="loop_reset").click().run()
    assert at.session_state["modules_loop"].last.phase == "start"


@pytest.mark.parametrize(
    "key, phases, words",
    [
        ("loop_zero", 7, "sum of every batch's gradient"),
        ("loop_backward", 4, ".grad is None"),
        ("loop_order", 4, ".grad is None"),
        ("loop_nograd", 11, "grad_fn = AddmmBackward0"),
    ],
)
def test_each_bug_shows_its_consequence(key, phases, words):
    at = _open("The loop, slow")
    at.toggle(key=key).set_value(True).run()
    for _ in range(phases):
        at.button(key="loop_next").click().run()
    _ok(at)
    assert any(words in w.value for w in at.warning), [w.value for w in at.warning]
    table = _table(at, ".grad").set_index("parameter")
    if key == "loop_zero":
        assert (table[".grad"] == table["sum of batch gradients since zero_grad"]).all()
        assert (table[".grad"] != table["this batch's gradient"]).any()
    if key == "loop_backward":
        assert (table[".grad"] == "None").all()


def test_loop_settings_make_a_fresh_run():
    at = _open("The loop, slow")
    at.button(key="loop_next").click().run()
    first = at.session_state["modules_loop"]
    for kind, key, value in (("select_slider", "loop_lr", 0.3), ("select_slider", "loop_lr", 0.01),
                             ("select_slider", "loop_batch", 8), ("select_slider", "loop_batch", 2),
                             ("number_input", "loop_seed", 9999)):  # fmt: skip
        getattr(at, kind)(key=key).set_value(value).run()
        _ok(at)
    run = at.session_state["modules_loop"]
    assert run is not first and run.cfg.batch_size == 2 and run.cfg.seed == 9999
    while not run.done:
        at.button(key="loop_batch_end").click().run()
    _ok(at)
    assert run.last.step == 8


def test_save_and_load_round_trip_and_download():
    at = _open("The loop, slow")
    for _ in range(3):
        at.button(key="loop_batch_end").click().run()
    at.session_state["mod_tab"] = "Save & load"
    at.run()
    _ok(at)
    assert at.metric[0].value == "yes"
    assert "['weight', 'bias']" in _codes(at)
    assert "Unsupported global: GLOBAL print" in _codes(at)
    assert _codes(at).count("In PyTorch 2.6, we changed the default value") == 1
    text = "\n".join(m.value for m in at.markdown)
    assert "`torch.load`'s default since PyTorch 2.6" in text
    assert "loaded the whole model here as a `Linear` with the same weights." in text
    assert "can only be loaded by switching" not in text
    assert at.get("download_button"), "the state_dict can be downloaded"
    assert any("2 optimiser steps" in m.value for m in at.markdown)
    at.number_input(key="save_seed").set_value(9999).run()
    assert _ok(at).metric[0].value == "yes"


def test_a_link_sets_the_tab_and_its_settings():
    at = _open("Anatomy", {"mod_tab": "Dataset & DataLoader", "dl_n": "24", "dl_drop": "1"})
    assert at.slider(key="dl_n").value == 24 and at.toggle(key="dl_drop").value is True
    bad = _open("Anatomy", {"mod_tab": ".train() & .eval()", "mod_p": "7"})
    assert any("from the link was ignored" in i.value for i in bad.info)
    assert bad.slider(key="mod_p").value == 0.5


def test_presenter_mode_keeps_the_pictures():
    at = _open("Dataset & DataLoader", {"present": "1"})
    assert at.get("vega_lite_chart") and not at.dataframe  # the data table folds away


def test_every_tabs_charts_are_titled_labelled_and_colour_blind_safe():
    at = _open()
    problems = []
    for tab in TABS:
        at.session_state["mod_tab"] = tab
        at.run()
        if tab == "The loop, slow":
            for _ in range(4):
                at.button(key="loop_next").click().run()
        problems += audit(_ok(at), tab)
    assert not problems, "\n".join(problems)


@pytest.mark.slow
def test_every_slider_of_every_tab_at_its_extremes():
    at = _open()
    total, problems = 0, []
    for tab in TABS:
        at.session_state["mod_tab"] = tab
        at.run()
        runs, found = walk(_ok(at), tab)
        total, problems = total + runs, problems + found
    assert not problems, "\n".join(problems)
    assert total >= 20
