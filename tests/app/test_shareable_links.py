"""Shareable setups: each page reads its main settings from the link and writes them back.

A link opened cold sets the widgets; a bad value falls back to the default with a note (never an
exception); moving a widget updates the address bar's query parameters.
"""

import math

from streamlit.testing.v1 import AppTest

from tests.conftest import ROOT
from tests.core.test_shareable import code_spans, unescaped_specials

ENTRY = str(ROOT / "streamlit_app.py")


def open_link(page: str, query: dict[str, str], timeout: float = 180) -> AppTest:
    """The page opened from a link carrying `query`, as a student's browser would."""
    at = AppTest.from_file(ENTRY, default_timeout=timeout)
    at.query_params.update(query)
    at.run()
    at.switch_page(page).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def notes(at: AppTest) -> list[str]:
    return [i.value for i in at.info if "from the link was" in i.value]


# ----------------------------------------------------------------------------- gradient descent
GD = "app_pages/gradient_descent.py"


def test_gradient_descent_link_sets_the_race():
    at = open_link(GD, {"fn": "Himmelblau", "opt": "Adam,SGD", "lr": "0.01", "steps": "120"})
    assert at.selectbox(key="fn").value == "himmelblau"  # names match ignoring case
    assert at.multiselect(key="opt").value == ["Adam", "SGD"]
    assert at.select_slider(key="lr").value == 0.01
    assert at.slider(key="steps").value == 120
    # what the link leaves out follows the landscape: Himmelblau starts at (0, 0)
    assert (at.number_input(key="x0").value, at.number_input(key="y0").value) == (0.0, 0.0)
    assert at.selectbox(key="gd_rule").options == ["Adam", "SGD"]
    assert not notes(at)


def test_gradient_descent_link_with_every_setting():
    query = {"fn": "quadratic", "kappa": "40", "opt": "Nesterov", "lr": "0.03", "beta": "0.5"}
    query |= {"noise": "2", "x0": "1.5", "y0": "-2", "steps": "55"}
    at = open_link(GD, query)
    assert at.slider(key="kappa").value == 40.0
    assert at.select_slider(key="lr").value == 0.02  # the nearest rung of the log ladder
    assert at.slider(key="beta").value == 0.5
    assert at.select_slider(key="noise").value == 2.0
    assert (at.number_input(key="x0").value, at.number_input(key="y0").value) == (1.5, -2.0)
    assert at.slider(key="steps").value in (50, 60)  # the slider moves in tens
    assert not notes(at)


def test_gradient_descent_bad_link_keeps_what_it_can_with_a_note():
    at = open_link(GD, {"fn": "Nope", "lr": "abc", "steps": "99999", "opt": "Adam,Lion"})
    assert at.selectbox(key="fn").value == "himmelblau"
    assert at.select_slider(key="lr").value == 0.01  # Himmelblau's own learning rate
    assert at.slider(key="steps").value == 300
    assert at.multiselect(key="opt").value == ["Adam"]  # the known name kept, the bad one noted
    text = " ".join(notes(at))
    assert len(notes(at)) == 4, text
    assert "`fn`" in text and "`lr`" in text and "`steps`" in text and "` Lion `" in text


def test_gradient_descent_widgets_write_the_link():
    at = open_link(GD, {})
    assert at.query_params["fn"] == "himmelblau" and at.query_params["lr"] == "0.01"
    at.selectbox(key="fn").set_value("beale").run()
    at.select_slider(key="lr").set_value(0.05).run()
    at.multiselect(key="opt").set_value(["RMSprop", "Adam"]).run()
    assert not at.exception
    query = dict(at.query_params)
    assert query["fn"] == "beale" and query["lr"] == "0.05" and query["opt"] == "RMSprop,Adam"
    assert "kappa" not in query  # the condition number belongs to the quadratic bowl only
    # the link round-trips: opened cold, it shows the same setup
    again = open_link(GD, query)
    assert again.selectbox(key="fn").value == "beale"
    assert again.select_slider(key="lr").value == 0.05
    assert again.multiselect(key="opt").value == ["RMSprop", "Adam"]


# ----------------------------------------------------------------------------- loss functions
LF = "app_pages/loss_functions.py"


def _loss_tab(at: AppTest, tab: str) -> AppTest:
    """Open one of the loss page's tabs (each draws only its own widgets)."""
    at.session_state["loss_tab"] = tab
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_loss_functions_link_sets_losses_logits_and_outlier():
    query = {"reg": "MSE,Huber", "cls": "Hinge", "delta": "0.5", "k": "4", "target": "3"}
    query |= {"z3": "-1.5", "ox": "0.3", "oy": "-4", "predict": "0"}
    at = open_link(LF, query)
    assert at.multiselect(key="reg").value == ["MSE", "Huber"]
    assert at.slider(key="delta").value == 0.5
    _loss_tab(at, "Classification")
    assert at.multiselect(key="cls").value == ["Hinge"]
    _loss_tab(at, "Softmax & cross-entropy")
    assert at.slider(key="k").value == 4 and at.selectbox(key="target").value == 3
    assert at.slider(key="z3").value == -1.5 and at.slider(key="z0").value == 2.0
    # the numbers on screen are those of the linked logits: z = (2, 1, -1, -1.5), y = 3
    z = [2.0, 1.0, -1.0, -1.5]
    p3 = math.exp(z[3]) / sum(math.exp(v) for v in z)
    assert any(f"{-math.log(p3):.4f}" in x.value for x in at.latex)
    _loss_tab(at, "One outlier")
    assert (at.slider(key="ox").value, at.slider(key="oy").value) == (0.3, -4.0)
    assert not notes(at)


def test_loss_functions_bad_link_keeps_what_it_can_with_a_note():
    at = open_link(LF, {"reg": "MSE,Nope", "delta": "abc", "k": "9", "oy": "inf"})
    assert at.multiselect(key="reg").value == ["MSE"]  # the known name kept, 'Nope' noted
    assert at.slider(key="delta").value == 1.5  # the default
    assert len(notes(at)) == 4, notes(at)
    _loss_tab(at, "Softmax & cross-entropy")
    assert at.slider(key="k").value == 3
    _loss_tab(at, "One outlier")
    assert at.slider(key="oy").value == 10.0


def test_loss_functions_hostile_link_is_shown_as_text_and_bounded():
    # a value echoed in the note once rendered as Markdown: a remote image and a phishing link
    injected = "![t](http://host/x.png) [Log in again](http://host/phish)"
    query = {"delta": injected, "reg": ",".join(["MSE"] * 3000), "cls": "Hinge,Hinge,Hinge"}
    query |= {"k": "4" * 100_000}
    at = open_link(LF, query)
    assert at.slider(key="delta").value == 1.5  # the default
    assert at.multiselect(key="reg").value == ["MSE", "L1", "Huber", "SmoothL1"]  # the default
    by_key = {n.split("`")[1]: n for n in notes(at)}
    assert sorted(by_key) == ["delta", "k", "reg"], notes(at)
    delta = by_key["delta"]
    outside, spans = code_spans(delta)  # the value is quoted only inside a code span
    assert spans == ["delta", injected[:40] + "…"], delta
    assert set(unescaped_specials(outside)) <= {"(", ")"}  # no image, link or HTML for Streamlit
    assert "](" not in outside and "![" not in outside and "http" not in outside
    assert len(delta) < 200
    assert "11,999 characters" in by_key["reg"] and "100,000 characters" in by_key["k"]
    assert all(len(n) < 200 for n in notes(at))
    assert at.query_params["reg"] == "MSE,L1,Huber,SmoothL1"  # the link is rewritten, bounded
    _loss_tab(at, "Classification")
    assert at.multiselect(key="cls").value == ["Hinge"]  # deduplicated
    _loss_tab(at, "Softmax & cross-entropy")
    assert at.slider(key="k").value == 3


def test_a_refused_link_value_is_inert_text_with_nothing_invisible():
    # issue 30: a refused http://, www. or e-mail value became a live link in the note (escaped,
    # but autolinked); issue 29: right-to-left overrides and zero-width spaces reached the page
    query = {
        "delta": "http://127.0.0.1:9/login",
        "k": "www.example.com",
        "ox": "admin@example.com",
        "oy": "1\u202e0\u200b",
    }
    at = open_link(LF, query)
    by_key = {n.split("`")[1]: n for n in notes(at)}
    assert sorted(by_key) == ["delta", "k", "ox", "oy"], notes(at)
    for key, value in query.items():
        outside, spans = code_spans(by_key[key])
        shown = value.replace("\u202e", "[U+202E]").replace("\u200b", "[U+200B]")
        assert spans == [key, shown], by_key[key]
        assert not any(part in outside for part in ("http", "www", "@")), outside
    text = " ".join(notes(at))
    assert "\u202e" not in text and "\u200b" not in text


def test_loss_functions_widgets_write_the_link():
    at = open_link(LF, {"predict": "0"})
    at.slider(key="delta").set_value(2.0).run()
    _loss_tab(at, "Classification")
    at.multiselect(key="cls").set_value(["Hinge", "SoftMargin"]).run()
    _loss_tab(at, "One outlier")
    at.slider(key="oy").set_value(-2.0).run()
    assert not at.exception
    assert at.query_params["delta"] == "2" and at.query_params["oy"] == "-2"
    assert at.query_params["cls"] == "Hinge,SoftMargin"
    assert at.query_params["loss_tab"] == "One outlier"
    assert "z3" not in at.query_params  # only the logits on screen (k = 3)
    # back on the tab, its widget shows what the student chose, not the first value it had
    _loss_tab(at, "Classification")
    assert at.multiselect(key="cls").value == ["Hinge", "SoftMargin"]


# ----------------------------------------------------------------------------- autograd graph
AG = "app_pages/autograd_graph.py"


def test_autograd_link_opens_a_preset_with_its_program():
    at = open_link(AG, {"preset": "shared"})
    assert at.selectbox(key="preset").value == "shared"
    assert at.text_area(key="program").value.startswith("e = a * b")
    assert any(s.value.startswith("Compare to") for s in at.subheader)
    at = open_link(AG, {"preset": "mlp"})
    assert any("nn.Sequential" in c.value for c in at.code)
    assert not notes(at)


def test_autograd_bad_link_falls_back_with_a_note():
    at = open_link(AG, {"preset": "Nope"})
    assert at.selectbox(key="preset").value == "dot"
    assert "tensor(-2.5200, grad_fn=<DotBackward0>)" in " ".join(c.value for c in at.code)
    assert len(notes(at)) == 1 and "`preset`" in notes(at)[0]


def test_autograd_preset_change_writes_the_link():
    at = open_link(AG, {})
    assert at.query_params["preset"] == "dot"
    at.selectbox(key="preset").set_value("linear").run()
    assert not at.exception
    assert dict(at.query_params) == {"preset": "linear"}  # the program text stays out


# ----------------------------------------------------------------------------- live training
LT = "app_pages/live_training.py"


def test_live_training_link_opens_a_tab_with_its_settings():
    query = {"tab": "2-D classification", "toy_data": "spiral", "toy_noise": "0.1"}
    query |= {"toy_depth": "4", "toy_width": "16", "toy_act": "Tanh", "toy_lr": "0.003"}
    query |= {"toy_epochs": "40", "toy_batch": "64", "toy_opt": "SGD", "toy_seed": "7"}
    at = open_link(LT, query, timeout=300)
    assert at.selectbox(key="toy_data").value == "spiral"
    assert at.slider(key="toy_noise").value == 0.1
    assert at.slider(key="toy_depth").value == 4
    assert at.select_slider(key="toy_width").value == 16
    assert at.selectbox(key="toy_act").value == "Tanh"
    assert at.select_slider(key="toy_lr").value == 0.003
    assert at.slider(key="toy_epochs").value == 40
    assert at.select_slider(key="toy_batch").value == 64
    assert at.selectbox(key="toy_opt").value == "SGD"
    assert at.number_input(key="toy_seed").value == 7
    # the run this visitor would start is built from exactly those settings
    cfg = at.session_state["live_training_toy"].config
    assert (cfg.dataset, cfg.depth, cfg.width, cfg.activation) == ("spiral", 4, 16, "Tanh")
    assert (cfg.lr, cfg.epochs, cfg.batch_size, cfg.optimizer, cfg.seed) == (
        0.003, 40, 64, "SGD", 7,
    )  # fmt: skip
    assert not notes(at)


def test_live_training_link_rnn_cell_and_lr_snaps_to_the_ladder():
    at = open_link(LT, {"tab": "RNN", "rnn_kind": "LSTM", "rnn_lr": "0.004"}, timeout=300)
    assert at.session_state["rnn_kind"] == "LSTM"
    assert at.session_state["live_training_rnn"].config.kind == "LSTM"
    assert at.select_slider(key="rnn_lr").value == 0.005  # log-nearest of 1-2-3-5 rungs
    assert not notes(at)


def test_live_training_bad_link_falls_back_with_a_note():
    query = {"tab": "Nope", "reg_lr": "abc", "reg_epochs": "99999", "reg_batch": "3"}
    at = open_link(LT, query, timeout=300)
    assert at.session_state["tab"] == "Regression"
    assert at.select_slider(key="reg_lr").value == 0.03
    assert at.slider(key="reg_epochs").value == 3
    assert at.select_slider(key="reg_batch").value == 10
    assert len(notes(at)) == 4, notes(at)


def test_live_training_widgets_write_the_link():
    at = open_link(LT, {"tab": "Curve fitting"}, timeout=300)
    assert at.query_params["tab"] == "Curve fitting"
    at.slider(key="curve_depth").set_value(3).run()
    at.select_slider(key="curve_lr").set_value(0.1).run()
    assert not at.exception
    assert at.query_params["curve_depth"] == "3" and at.query_params["curve_lr"] == "0.1"
    assert not any(k.startswith("reg_") for k in at.query_params)  # only the open tab's


# ----------------------------------------------------------------------------- tensors
TS = "app_pages/tensors.py"


def test_tensors_link_opens_a_topic_and_a_bad_one_falls_back():
    at = open_link(TS, {"topic": "gather"})
    assert at.selectbox(key="topic").value == "gather"
    assert at.subheader[0].value == "gather"
    at = open_link(TS, {"topic": "Nope"})
    assert at.selectbox(key="topic").value == "ranks"
    assert len(notes(at)) == 1 and "`topic`" in notes(at)[0]
    at.selectbox(key="topic").set_value("broadcasting").run()
    assert not at.exception
    assert at.query_params["topic"] == "broadcasting"
