"""The Tensors page under AppTest: every topic's main widgets moved, no exception, right output."""

import pytest
from streamlit.testing.v1 import AppTest

from tests.conftest import ROOT

PAGE = "app_pages/tensors.py"


@pytest.fixture()
def at():
    app = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=120)
    app.session_state["predict_first"] = False  # the demos themselves (predict: test_predict*)
    app.run()
    app.switch_page(PAGE).run()
    assert not app.exception, [e.value for e in app.exception]
    return app


def topic(app, name):
    app.selectbox(key="topic").set_value(name).run()
    assert not app.exception, [e.value for e in app.exception]
    return app


def chart_spec(app) -> str:
    """The Vega-Lite spec text of every chart on the page."""
    return " ".join(el.proto.spec for el in app.get("vega_lite_chart"))


def codes(app) -> list[str]:
    return [c.value for c in app.code]


def ok(app):
    assert not app.exception, [e.value for e in app.exception]
    assert app.get("vega_lite_chart"), "each view draws its grids"
    return app


def test_first_render_shows_a_matrix_its_code_and_print(at):
    assert at.title[0].value == "Tensors"
    assert "x = torch.arange(6).reshape(2, 3)" in codes(at)
    assert any(c.startswith("tensor([[0, 1, 2],") for c in codes(at))
    assert "shape (2, 3)" in chart_spec(at)


def test_ranks_from_scalar_to_4d(at):
    at.select_slider(key="ranks_nd").set_value(0).run()
    ok(at)
    assert "x = torch.tensor(7)" in codes(at)
    at.select_slider(key="ranks_nd").set_value(4).run()
    at.slider(key="ranks4_4d_3").set_value(3).run()
    ok(at)
    assert "x = torch.arange(36).reshape(2, 3, 2, 3)" in codes(at)
    assert "dim 1" in chart_spec(at) and "'facet'" not in chart_spec(at)


@pytest.mark.parametrize(
    "kind", ["zeros", "ones", "eye", "full", "rand", "randn", "randint", "arange", "randperm"]
)
def test_creation_every_function(at, kind):
    topic(at, "creation")
    at.selectbox(key="create_kind").set_value(kind).run()
    ok(at)
    assert any(f"torch.{kind}(" in c for c in codes(at))


def test_creation_widgets(at):
    topic(at, "creation")
    at.selectbox(key="create_kind").set_value("randint").run()
    at.slider(key="create_range").set_value((3, 5)).run()
    at.number_input(key="create_seed").set_value(7).run()
    ok(at)
    assert "x = torch.randint(3, 5, (2, 3))" in codes(at)
    assert any("torch.manual_seed(7)" in c for c in codes(at))
    at.selectbox(key="create_kind").set_value("arange").run()
    at.slider(key="create_arange").set_value((-10, 20)).run()
    at.slider(key="create_step").set_value(1).run()
    assert not at.exception
    assert at.warning, "30 numbers is over the limit: a friendly warning, not a crash"


def test_arithmetic_and_products(at):
    topic(at, "arithmetic")
    at.radio(key="arith_op").set_value("/").run()
    at.slider(key="arith_2d_1").set_value(4).run()
    ok(at)
    assert "c = a / b" in codes(at)
    topic(at, "products")
    for kind in ["dot", "outer", "@", "mm"]:
        at.radio(key="prod_kind").set_value(kind).run()
        ok(at)
    at.slider(key="prod_k").set_value(4).run()
    at.slider(key="prod_i").set_value(1).run()
    at.slider(key="prod_j").set_value(1).run()
    ok(at)
    assert any("c[1, 1] = row 1 of a · column 1 of b" in m.value for m in at.markdown)


def test_reductions(at):
    topic(at, "reductions")
    at.radio(key="red_op").set_value("max").run()
    at.selectbox(key="red_dim").set_value(0).run()
    at.toggle(key="red_keepdim").set_value(True).run()
    ok(at)
    assert "y = x.max(dim=0, keepdim=True)" in codes(at)
    assert any("torch.return_types.max(\nvalues=" in c for c in codes(at))
    at.selectbox(key="red_dim").set_value("all").run()
    ok(at)
    assert "y = x.max()" in codes(at)


def test_transpose(at):
    topic(at, "transpose")
    at.slider(key="tr_nd").set_value(3).run()
    at.selectbox(key="tr_d1").set_value(2).run()
    ok(at)
    assert "y = x.transpose(0, 2)" in codes(at)
    assert at.table, "strides and contiguity are shown"


def test_view_fails_with_friendly_message_when_transposed(at):
    topic(at, "view")
    at.toggle(key="view_t").set_value(True).run()
    at.selectbox(key="view_new_6").set_value((6,)).run()
    ok(at)
    assert any("view size is not compatible" in w.value for w in at.warning)
    assert not at.error
    at.toggle(key="view_t").set_value(False).run()
    ok(at)
    assert not at.warning


def test_view_default_new_shape_is_refused_once_transposed(at):
    """The hint's claim on the defaults: flattening x.t() with view refuses, reshape copies."""
    topic(at, "view")
    assert at.selectbox(key="view_new_6").value == (6,)
    assert not at.warning  # x as built: view works
    at.toggle(key="view_t").set_value(True).run()
    ok(at)
    assert any("not compatible with x's strides" in w.value for w in at.warning)


def test_squeeze_and_unsqueeze(at):
    topic(at, "squeeze")
    at.selectbox(key="sq_dim_3").set_value("all").run()
    ok(at)
    assert "y = x.squeeze()" in codes(at)
    at.radio(key="sq_op").set_value("unsqueeze").run()
    at.selectbox(key="usq_dim_3").set_value(0).run()
    ok(at)
    assert "y = x.unsqueeze(0)" in codes(at)


def test_expand_vs_repeat_writes(at):
    topic(at, "expand")
    for write in ["e[0, 0]", "r[0, 0]", "e[0]", "x[0, 0]"]:
        at.radio(key="exp_write").set_value(write).run()
        ok(at)
    at.slider(key="exp_times").set_value(6).run()
    ok(at)
    at.radio(key="exp_write").set_value("e[0]").run()
    assert any("single memory location" in w.value for w in at.warning)


def test_indexing_parses_typed_text_and_rejects_garbage(at):
    topic(at, "indexing")
    at.selectbox(key="idx_preset").set_value("-1").run()
    ok(at)
    assert "y = x[-1]" in codes(at)
    at.text_input(key="idx_text_-1").set_value("1:3, ::2").run()
    ok(at)
    assert "y = x[1:3, ::2]" in codes(at)
    at.text_input(key="idx_text_-1").set_value("__import__('os')").run()
    assert not at.exception
    assert at.warning and not at.get("vega_lite_chart")
    at.text_input(key="idx_text_-1").set_value("7").run()
    assert any("out of bounds" in w.value for w in at.warning)


def test_indexing_a_slice_that_picks_nothing_draws_an_empty_tensor(at):
    topic(at, "indexing")
    at.text_input(key="idx_text_1:3, ::2").set_value("9:").run()  # 4 rows: none from row 9
    ok(at)
    assert "y = x[9:]" in codes(at)
    assert "shape (0, 5)" in chart_spec(at)  # drawn, with its shape, not a traceback


def test_cat_stack_gather(at):
    topic(at, "cat")
    at.selectbox(key="cat_dim_cat").set_value(1).run()
    at.slider(key="cat_b1").set_value(1).run()
    ok(at)
    assert "c = torch.cat([a, b], dim=1)" in codes(at)
    at.radio(key="cat_op").set_value("stack").run()
    at.selectbox(key="cat_dim_stack").set_value(2).run()
    ok(at)
    assert any(c.startswith("torch.Size([2, 3, 2])") for c in codes(at))
    topic(at, "gather")
    at.selectbox(key="g_dim").set_value(0).run()
    at.slider(key="g_picks").set_value(3).run()
    at.number_input(key="g_seed").set_value(4).run()
    ok(at)
    assert "y = torch.gather(x, 0, index)" in codes(at)
    data = [
        d.data.data.decode("utf-8", "ignore") for d in at.get("vega_lite_chart")[0].proto.datasets
    ]
    assert any("←(" in d for d in data), "each gathered cell names its source"


def test_broadcasting_good_and_bad_shapes(at):
    topic(at, "broadcasting")
    ok(at)
    assert "a stretched to (3, 4)" in chart_spec(at)
    at.slider(key="bc_a_2d_1").set_value(3).run()
    assert not at.exception
    assert any("do not broadcast" in w.value for w in at.warning)
    assert any(c.startswith("cannot broadcast: The size of tensor a (3)") for c in codes(at))
    at.slider(key="bc_b_1d_0").set_value(3).run()
    ok(at)
    assert not at.warning


def test_numpy_bridge(at):
    topic(at, "numpy")
    at.slider(key="np_i").set_value(1).run()
    at.slider(key="np_value").set_value(-5).run()
    ok(at)
    assert "a[1, 1] = -5" in codes(at)
    printed = next(c for c in codes(at) if c.startswith("tensor("))
    shared, copied = printed.split("\ntensor")
    assert "-5" in shared, "from_numpy sees the write"
    assert "-5" not in copied, "torch.tensor copied before the write"


TOPICS = [
    "ranks",
    "creation",
    "arithmetic",
    "products",
    "reductions",
    "transpose",
    "view",
    "squeeze",
    "expand",
    "indexing",
    "cat",
    "gather",
    "broadcasting",
    "numpy",
]


def test_every_topic_renders_code_print_and_grid(at):
    assert len(at.selectbox(key="topic").options) == len(TOPICS)
    for name in TOPICS:
        topic(at, name)
        ok(at)
        assert len(at.code) >= 3, f"{name}: headline, printed result and the full snippet"
        assert at.expander, f"{name}: a 'Show the code' expander"
