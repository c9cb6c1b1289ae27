"""The autograd page under AppTest: every preset, the backward slider, the α slider, bad input."""

import math
import re
from collections import Counter

import pytest
from streamlit.testing.v1 import AppTest

from core.graph import presets
from tests.conftest import ROOT
from tests.core.test_shareable import unescaped_specials

PAGE = "app_pages/autograd_graph.py"


@pytest.fixture()
def at():
    app = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=120)
    app.session_state["predict_first"] = False  # the demos themselves (predict: test_predict*)
    app.run()
    app.switch_page(PAGE).run()
    assert not app.exception, [e.value for e in app.exception]
    return app


def _choose(at, preset: str):
    at.selectbox(key="preset").set_value(preset).run()  # by id; the label is for display
    assert not at.exception, [e.value for e in at.exception]


def _markdown(at) -> str:
    return "\n".join(m.value for m in at.markdown)


def _codes(at) -> str:
    return "\n".join(c.value for c in at.code)


def test_default_preset_shows_the_lectures_gradient(at):
    assert at.title[0].value == "Autograd & the computation graph"
    assert len(at.get("graphviz_chart")) == 1
    assert "tensor(-2.5200, grad_fn=<DotBackward0>)" in _codes(at)
    assert "[-2.00, -0.26]" in _markdown(at)  # x.grad = z ⊙ y
    assert any("-2.00, -0.26" in latex.value for latex in at.latex)
    assert "x.grad\ntensor([-2.0000, -0.2600])" in _codes(at)  # the Variables tour


def test_backward_slider_walks_the_steps(at):
    slider = at.slider(key="step")
    assert (slider.min, slider.max) == (0, 3)
    seen = []
    for step in range(4):
        at.slider(key="step").set_value(step).run()
        assert not at.exception
        seen.append(next(m.value for m in at.markdown if m.value.startswith("#### Step")))
    assert seen == [
        "#### Step 0: r (output)",
        "#### Step 1: DotBackward0 (op)",
        "#### Step 2: MulBackward0 (op)",
        "#### Step 3: x (leaf)",
    ]
    # the last step: the gradient accumulated into x.grad
    assert "x.grad" in _markdown(at) and "[-2.00, -0.26]" in _markdown(at)


def test_shared_preset_compares_the_two_programs(at):
    _choose(at, "shared")
    assert at.text_area(key="program").value == "e = a * b\nf = c * e + d * e"
    assert len(at.get("graphviz_chart")) == 2
    assert "tensor(-48., grad_fn=<AddBackward0>)" in _codes(at)
    text = _markdown(at)
    assert "4 op nodes" in text and "5 op nodes" in text
    assert at.slider(key="step").max == 8
    at.slider(key="step").set_value(8).run()
    assert not at.exception


@pytest.mark.parametrize(
    "preset, params", [("linear", ["W", "b"]), ("mlp", ["0.weight", "2.bias"])]
)
def test_built_presets_show_parameters_and_graph(at, preset, params):
    _choose(at, preset)
    assert len(at.get("graphviz_chart")) == 1
    table = next(d.value for d in at.table if "parameter" in d.value.columns)
    assert set(params) <= set(table["parameter"])
    assert "MseLossBackward0" in _codes(at)
    assert "walk(loss.grad_fn)" in _codes(at) and "walk(r.grad_fn)" not in _codes(at)
    if preset == "mlp":  # the model's line is shown, and the tour is valid Python
        assert "nn.Sequential(" in _codes(at)
        assert ">>> model[0].weight.grad" in _codes(at) and ">>> 0.weight" not in _codes(at)
    last = at.slider(key="step").max
    at.slider(key="step").set_value(last).run()
    assert not at.exception
    assert "(leaf)" in next(m.value for m in at.markdown if m.value.startswith("#### Step"))


def test_gradient_step_moves_with_alpha(at):
    _choose(at, "step")
    at.slider(key="alpha").set_value(0.5).run()
    assert not at.exception
    before, after = (float(m.value) for m in at.metric)
    assert before == pytest.approx(-2.52, abs=1e-4)
    assert after == pytest.approx(-2.52 - 0.5 * (2.0**2 + 0.26**2), abs=1e-4)
    assert any("2.000, 2.130" in latex.value for latex in at.latex)


def test_bad_program_shows_the_error_not_a_traceback(at):
    at.text_area(key="program").set_value("r = x.__class__").run()
    assert not at.exception
    (error,) = at.error
    # the message is escaped for Markdown (it may quote what was typed); it reads the same
    assert re.sub(r"\\(.)", r"\1", error.value) == (
        "This program is not accepted. line 1, column 5: attributes (x.something) are not "
        "part of the language"
    )
    assert r"\(x\.something\)" in error.value
    at.text_area(key="program").set_value("r = 9**9**9").run()
    assert not at.exception and "exponent" in at.error[0].value


def test_new_names_get_widgets_and_bad_values_are_explained(at):
    at.text_area(key="program").set_value("q = w * v\ns = sum(q)").run()
    assert not at.exception
    at.text_input(key="value_w").set_value("1, 2, 3").run()
    at.text_input(key="value_v").set_value("[4, 5, 6]").run()
    assert not at.exception and not at.error
    assert "tensor(32., grad_fn=<SumBackward0>)" in _codes(at)
    at.text_input(key="value_v").set_value("hello").run()
    assert not at.exception and "v: cannot read" in at.error[0].value
    at.checkbox(key="grad_w").uncheck().run()
    at.checkbox(key="grad_v").uncheck().run()
    at.text_input(key="value_v").set_value("1").run()
    assert not at.exception
    assert any("Nothing here requires grad" in i.value for i in at.info)


def test_a_typed_value_is_quoted_back_escaped(at):
    at.text_area(key="program").set_value("s = sum(v)").run()
    at.text_input(key="value_v").set_value("![t](http://host/x.png) <b>hi</b>").run()
    assert not at.exception
    (error,) = at.error
    assert error.value.startswith("v: cannot read")
    assert unescaped_specials(error.value[len("v: ") :]) == [], error.value


def _graph_titles(at, which: int = 0) -> list[str]:
    """The node titles of a drawn graph (``y = MulBackward0``, ``r (output)``), from its DOT."""
    dot = at.get("graphviz_chart")[which].proto.spec
    return [t for t in re.findall(r"<B>([^<]*)</B>", dot) if not t.startswith("grad ")]


def _ops(titles: list[str]) -> Counter:
    return Counter(t.split(" = ")[-1] for t in titles if "Backward" in t)


def test_dynamic_preset_graph_follows_the_input_and_the_loop_count(at):
    _choose(at, "dynamic")
    assert at.text_area(key="program").value == presets.DYNAMIC.program
    assert (at.slider(key="dynamic_x").value, at.slider(key="dynamic_n").value) == (1.0, 3)
    positive = _graph_titles(at)
    # x = 1 > 0: three MulBackward0 for the loop (the last one is y), one for r = y * y
    assert _ops(positive) == Counter({"MulBackward0": 4})
    assert {"x", "w", "y = MulBackward0", "r (output)"} <= set(positive)
    assert "tensor(0.2621, grad_fn=<MulBackward0>)" in _codes(at)
    assert any("Recorded this run: 4 × MulBackward0." in c.value for c in at.caption)

    at.slider(key="dynamic_x").set_value(-1.0).run()  # the sign flips the branch
    assert not at.exception, [e.value for e in at.exception]
    assert at.text_input(key="value_x").value == "-1"
    negative = _graph_titles(at)
    assert negative != positive
    assert _ops(negative) == Counter({"MulBackward0": 3, "ExpBackward0": 1, "SubBackward0": 1})
    assert any(
        "Recorded this run: 1 × ExpBackward0, 3 × MulBackward0, 1 × SubBackward0." in c.value
        for c in at.caption
    )
    # r = exp(x w^3) - 1 at x = -1: the printed value is PyTorch's own
    assert f"tensor({math.exp(-(0.8**3)) - 1:.4f}, grad_fn=<SubBackward0>)" in _codes(at)

    at.slider(key="dynamic_n").set_value(5).run()  # the loop count rewrites range(n)
    assert not at.exception
    assert "for i in range(5):" in at.text_area(key="program").value
    assert _ops(_graph_titles(at))["MulBackward0"] == 5
    assert at.slider(key="step").max == 9  # the seed, Sub, Exp, 5 Mul, and the leaves x, w


def test_dynamic_preset_from_a_link():
    app = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=120)
    app.query_params["preset"] = "dynamic"
    app.session_state["predict_first"] = False
    app.run()
    app.switch_page(PAGE).run()
    assert not app.exception, [e.value for e in app.exception]
    assert app.selectbox(key="preset").value == "dynamic"
    assert "for i in range(3):" in app.text_area(key="program").value
    assert _ops(_graph_titles(app))["MulBackward0"] == 4


def test_chain_rule_is_shown_beside_the_walk_with_the_steps_numbers(at):
    _choose(at, "dynamic")
    latex = [m.value for m in at.latex]
    assert any(r"f'(g(x))\,g'(x)" in v for v in latex)
    at.slider(key="step").set_value(1).run()  # r = y * y: arriving 1, local y = 0.512
    lines = [m.value for m in at.latex if r"\underbrace" in m.value]
    assert len(lines) == 2 and all("1.00" in v and "0.51" in v for v in lines)
    at.slider(key="step").set_value(0).run()  # the seed: no product to show
    assert not [m.value for m in at.latex if r"\underbrace" in m.value]


def test_myexp_preset_shows_its_node_derivative_and_class(at):
    _choose(at, "myexp")
    titles = _graph_titles(at)
    assert "u = MyExpBackward" in titles
    at.slider(key="step").set_value(3).run()
    text = _markdown(at)
    assert "#### Step 3: MyExpBackward (op)" in text
    assert "∂/∂x myexp(x) = myexp(x)" in text and "[1.65, 0.37]" in text
    at.slider(key="step").set_value(4).run()
    assert "x.grad" in _markdown(at) and "[1.65, 0.74]" in _markdown(at)  # w ⊙ exp(x)
    assert "class MyExp(torch.autograd.Function):" in _codes(at)


def test_myexp_preset_shows_gradcheck_passing_in_float64_failing_in_float32(at):
    _choose(at, "myexp")
    assert [s.value for s in at.success if "gradcheck" in s.value] == [
        "`torch.float64`: gradcheck passed."
    ]
    assert [w.value for w in at.warning if "gradcheck" in w.value] == [
        "`torch.float32`: gradcheck failed."
    ]
    codes = _codes(at)
    assert "Jacobian mismatch for output 0 with respect to input 0" in codes
    assert "analytical:tensor([[1.6487, 0.0000]" in codes  # backward's own: exp(0.5), exp(-1)
    assert "not a double precision" in _markdown(at)


def test_the_variables_tour_tells_the_history_and_what_data_skips(at):
    text = _markdown(at)
    assert "merged into `Tensor` in PyTorch 0.4" in text and "returns a `Tensor`" in text
    codes = _codes(at)
    assert "through x.data:     x.grad = tensor([20., 40.])   (2x is tensor([2., 4.]))" in codes
    assert "through x.detach(): RuntimeError: one of the variables needed" in codes


def test_an_empty_tensor_with_a_huge_dimension_is_refused_on_the_page(at):
    # x = randn(1000000, 0) has no elements; r = x * 2 once cost 22 s and a GB here (a 4 MB
    # printout, a 24 MB graph); it is refused with a plain message before anything is made
    at.text_area(key="program").set_value("r = x * 2").run()
    at.text_input(key="value_x").set_value("randn(1000000, 0)").run()
    assert not at.exception, [e.value for e in at.exception]
    (error,) = at.error
    assert error.value.startswith("x: randn") and "too large" in error.value
    assert not at.get("graphviz_chart")
    # the largest empty tensor allowed is drawn, and every text made from it stays short
    at.text_input(key="value_x").set_value("randn(100000, 0)").run()
    assert not at.exception and not at.error
    (graph,) = at.get("graphviz_chart")
    assert len(graph.proto.spec) < 5_000
    assert all(len(m.value) < 2_000 for m in at.markdown)
    assert all(len(c.value) < 2_000 for c in at.code)
