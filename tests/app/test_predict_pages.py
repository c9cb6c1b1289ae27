"""Predict, then see, on every question's page (AppTest).

For every question: at its setting the element that answers it is absent (not sent at all)
until the student answers; after the answer it is there, and what it displays agrees with the
answer the reveal shows (computed by core.questions). The demos are driven as a student would:
"Set the demo to this question's setting", then the page's own buttons and widgets.
"""

import json
import math
import re

import pytest
import torch
from streamlit.dataframe_util import convert_arrow_bytes_to_pandas_df
from streamlit.testing.v1 import AppTest

from core.modules import slow_loop
from core.questions import all_questions, by_id
from core.questions.modules import loop_config
from tests.conftest import ROOT


def _page(path: str, **state) -> AppTest:
    at = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=300).run()
    at.switch_page(path).run()
    for key, value in state.items():
        at.session_state[key] = value
    if state:
        at.run()
    ok(at)
    return at


def ok(at: AppTest) -> AppTest:
    assert not at.exception, [e.value for e in at.exception]
    return at


def keys(at: AppTest) -> set:
    return {b.key for b in at.button}


def to_setting(at: AppTest, qid: str) -> AppTest:
    """Bring the demo to the question's setting as a student does: "Set the demo to this
    question's setting" (after "Just show me" on another question asked first)."""
    for _ in range(3):
        there = keys(at)
        if f"predict_check_{qid}" in there:
            return at
        offers = sorted(k for k in there if k.startswith("predict_set_"))
        skips = sorted(k for k in there if k.startswith("predict_skip_"))
        if f"predict_set_{qid}" in offers:
            click = f"predict_set_{qid}"
        else:  # another question at this setting: skip it, or its own offer
            click = (skips or offers or [None])[0]
        assert click, ("the question is not offered", there)
        ok(at.button(key=click).click().run())
    raise AssertionError(("the question is not asked", keys(at)))


def answer(at: AppTest, qid: str, value=None) -> AppTest:
    """Give `value` (default: a wrong answer, to see the reveal say so) and check it."""
    q = by_id(qid)
    truth = q.answer()
    if value is None:
        value = (
            (truth + 1) % len(q.choices) if q.kind == "choice" else truth + 1000 * q.tolerance + 1
        )
    if q.kind == "choice":
        at.radio(key=f"predict_in_{qid}").set_value(value)
    else:
        at.number_input(key=f"predict_in_{qid}").set_value(value)
    ok(at.button(key=f"predict_check_{qid}").click().run())
    text = " ".join(m.value for m in at.markdown)
    assert f"The answer, computed by the demo below: **{q.shown(truth)}**" in text
    assert ("**Right.**" in text) == q.is_right(value)
    assert q.explanation in text
    return at


def specs(at: AppTest) -> list[dict]:
    return [json.loads(c.proto.spec) for c in at.get("vega_lite_chart")]


def chart_frames(at: AppTest, title: str) -> list:
    """The data frames of the chart whose title holds `title`."""
    for c in at.get("vega_lite_chart"):
        if title in json.dumps(json.loads(c.proto.spec).get("title")):
            return [convert_arrow_bytes_to_pandas_df(d.data.data) for d in c.proto.datasets]
    return []


def frames(at: AppTest) -> list:
    """Every table on the page, as data grids or as plain tables (ui.table)."""
    return [d.value for d in at.dataframe] + [t.value for t in at.table]


def frame_with(at: AppTest, column: str):
    return next((f for f in frames(at) if column in f.columns), None)


# ------------------------------------------------------------------------------ tensors
def test_broadcast_shape():
    qid = "tensors.broadcast_shape"
    at = to_setting(_page("app_pages/tensors.py", topic="broadcasting"), qid)
    assert not at.get("vega_lite_chart") and not frames(at)  # no grids, no shape table
    assert not any("torch.Size" in c.value for c in at.code)
    answer(at, qid)
    assert at.get("vega_lite_chart") and frames(at)
    printed = next(c.value for c in at.code if c.value.startswith("torch.Size"))
    shape = tuple(int(s) for s in re.findall(r"\d+", printed.splitlines()[0]))
    assert str(shape) == by_id(qid).shown(by_id(qid).answer())


def test_view_transposed():
    qid = "tensors.view_transposed"
    at = _page("app_pages/tensors.py", topic="view")
    assert at.get("vega_lite_chart")  # not at the setting: the demo is there, the offer above
    at = to_setting(at, qid)
    assert at.toggle(key="view_t").value is True
    assert not at.get("vega_lite_chart") and not any("failed" in w.value for w in at.warning)
    answer(at, qid)
    assert at.get("vega_lite_chart")
    failed = any("`x.view(...)` failed" in w.value for w in at.warning)
    assert failed == (by_id(qid).answer() == 1)


# ------------------------------------------------------------------------------ autograd
def _recorded(at: AppTest) -> str | None:
    return next((c.value for c in at.caption if c.value.startswith("Recorded this run")), None)


@pytest.mark.parametrize("qid", ["autograd_graph.dynamic_branch", "autograd_graph.dynamic_muls"])
def test_dynamic_preset(qid):
    at = _page("app_pages/autograd_graph.py")
    ok(at.selectbox(key="preset").set_value("dynamic").run())
    at = to_setting(at, qid)
    assert at.slider(key="dynamic_x").value == -1.0 and at.slider(key="dynamic_n").value == 3
    assert at.text_input(key="value_x").value == "-1"
    assert _recorded(at) is None and not at.get("graphviz_chart")
    assert not any(c.value.startswith(">>> print(r)") for c in at.code)  # its grad_fn would tell
    (skip,) = [k for k in keys(at) if k.startswith("predict_skip_")]
    ok(at.button(key=skip).click().run())  # "Just show me" reveals both questions' demo
    recorded = _recorded(at)
    assert recorded is not None and at.get("graphviz_chart")
    assert any(c.value.startswith(">>> print(r)") for c in at.code)
    q = by_id(qid)
    if qid.endswith("muls"):
        muls = int(re.search(r"(\d+) × MulBackward0", recorded).group(1))
        assert muls == q.answer()
    else:
        assert ("ExpBackward0" in recorded) == ("else" in q.choices[q.answer()])
    text = " ".join(m.value for m in at.markdown)
    assert f"**{q.shown(q.answer())}**" in text and "Your answer" not in text


# ------------------------------------------------------------------------------ modules
LOOP_TAB = "The loop, slow"


def _finish(at: AppTest) -> AppTest:
    for _ in range(40):
        if at.button(key="loop_batch_end").disabled:
            return at
        ok(at.button(key="loop_batch_end").click().run())
    raise AssertionError("the loop did not finish")


def _shown_params(at: AppTest) -> dict[str, float]:
    table = frame_with(at, "sum of batch gradients since zero_grad")
    return {row["parameter"]: float(row["value"]) for _, row in table.iterrows()}


def _mse_of(at: AppTest) -> float:
    """The full-data MSE of the parameters the page's table shows (4 decimals)."""
    run = slow_loop.SlowLoop(loop_config({k: at.session_state[k] for k in slow_loop_keys()}))
    p = _shown_params(at)
    w = torch.tensor([[p["weight[0]"]], [p["weight[1]"]]])
    return float(((run.X @ w + p["bias"] - run.Y) ** 2).mean())


def slow_loop_keys():
    return (
        "loop_lr",
        "loop_batch",
        "loop_seed",
        "loop_zero",
        "loop_backward",
        "loop_order",
        "loop_nograd",
    )


def test_forget_zero_grad():
    qid = "modules.forget_zero_grad"
    at = to_setting(_page("app_pages/modules.py", mod_tab=LOOP_TAB), qid)
    assert at.toggle(key="loop_zero").value and at.session_state["loop_lr"] == 0.01
    assert "loop_next" not in keys(at) and frame_with(at, ".grad") is None
    answer(at, qid)
    assert "loop_next" in keys(at)
    buggy = _mse_of(_finish(at))
    ok(at.toggle(key="loop_zero").set_value(False).run())  # the correct loop, same setting else
    correct = _mse_of(_finish(at))
    assert buggy == pytest.approx(1.88, abs=0.05) and correct == pytest.approx(9.24, abs=0.05)
    q = by_id(qid)
    assert q.choices[q.answer()] == ("lower" if buggy < correct else "higher")


def test_step_before_backward():
    qid = "modules.step_before_backward"
    at = to_setting(_page("app_pages/modules.py", mod_tab=LOOP_TAB), qid)
    assert "loop_next" not in keys(at)
    answer(at, qid, value=0.0)  # the right answer this time
    start = _shown_params(at)
    end = _shown_params(_finish(at))
    moved = max(abs(end[k] - start[k]) for k in start)
    assert by_id(qid).is_right(moved) and moved == pytest.approx(by_id(qid).answer(), abs=1e-4)


def test_eval_not_no_grad():
    qid = "modules.eval_not_no_grad"
    at = to_setting(_page("app_pages/modules.py", mod_tab=LOOP_TAB), qid)
    assert "loop_next" not in keys(at)
    answer(at, qid)
    for _ in range(10):  # batch ends up to the first evaluation
        ok(at.button(key="loop_batch_end").click().run())
        if any(m.value.startswith("**evaluate**") for m in at.markdown):
            break
    shown = any("_out.requires_grad = True" in w.value for w in at.warning)
    q = by_id(qid)
    assert shown == q.choices[q.answer()].startswith("no, True")


def test_dropout_values():
    qid = "modules.dropout_values"
    at = to_setting(_page("app_pages/modules.py", mod_tab=".train() & .eval()"), qid)
    assert not chart_frames(at, "torch.ones(4, 8)")
    answer(at, qid)
    (frame,) = chart_frames(at, "torch.ones(4, 8)")
    value = next(c for c in frame.columns if frame[c].dtype.kind == "f")
    call = next(c for c in frame.columns if frame[c].dtype.kind == "O")
    seen = {k: set(v.round(4)) for k, v in frame.groupby(call)[value]}
    train = set().union(*(v for k, v in seen.items() if k.startswith("train")))
    evaluated = set().union(*(v for k, v in seen.items() if k.startswith("eval")))
    meaning = {  # what each choice says, as the sets of values the chart must show
        "train: only 0 and 2.0; eval: all 1.0": ({0.0, 2.0}, {1.0}),
        "train: only 0 and 1.0; eval: all 1.0": ({0.0, 1.0}, {1.0}),
        "train: only 0 and 1.0; eval: all 0.5": ({0.0, 1.0}, {0.5}),
        "train: only 0 and 2.0; eval: 0 and 2.0 again": ({0.0, 2.0}, {0.0, 2.0}),
    }
    q = by_id(qid)
    assert meaning[q.choices[q.answer()]] == (train, evaluated), (train, evaluated, frame.head())


# ------------------------------------------------------------------------------ gradient descent
def _status(at: AppTest) -> dict:
    table = frame_with(at, "final loss")
    if table is None:
        return {}
    if "optimiser" not in table.columns:  # a plain table carries the names as its index
        table = table.reset_index()
    return {r["optimiser"]: r for _, r in table.iterrows()}


def _path_rows(at: AppTest) -> int:
    """Rows of the optimisers' paths and losses the charts carry."""
    frames = [convert_arrow_bytes_to_pandas_df(d.data.data) for c in at.get("vega_lite_chart")
              for d in c.proto.datasets]  # fmt: skip
    return sum(len(f) for f in frames if "optimiser" in f.columns)


def test_rosenbrock_race():
    qid = "gradient_descent.rosenbrock_race"
    at = to_setting(_page("app_pages/gradient_descent.py"), qid)  # the page opens at it
    assert not _status(at)
    assert _path_rows(at) == 0  # the landscape is drawn, no optimiser's path on it
    answer(at, qid)
    assert _path_rows(at) > 0
    rows = _status(at)
    best = min(rows, key=lambda n: float(rows[n]["final loss"]))
    q = by_id(qid)
    assert best == q.choices[q.answer()]


def test_sgd_diverges():
    qid = "gradient_descent.sgd_diverges"
    at = to_setting(_page("app_pages/gradient_descent.py"), qid)
    assert at.session_state["fn"] == "quadratic" and not _status(at)
    answer(at, qid)
    assert _status(at)["SGD"]["status"] == "ok"  # at 0.2: it bounces, it does not blow up
    first = None
    q = by_id(qid)
    for i, lr in enumerate(float(c) for c in q.choices[:-1]):
        ok(at.select_slider(key="lr").set_value(lr).run())
        if _status(at)["SGD"]["status"] == "diverged":
            first = i
            break
    assert first == q.answer()


# ------------------------------------------------------------------------------ loss functions
def _ell(at: AppTest) -> float | None:
    line = next((t.value.strip("$\n") for t in at.latex if r"\ell = -\log p_" in t.value), None)
    return None if line is None else float(line.rsplit("=", 1)[1])


def test_equal_logits():
    qid = "loss_functions.equal_logits"
    at = to_setting(_page("app_pages/loss_functions.py", loss_tab="Softmax & cross-entropy"), qid)
    assert _ell(at) is None and not chart_frames(at, "probab")
    answer(at, qid, value=1.1)
    assert _ell(at) == pytest.approx(by_id(qid).answer(), abs=1e-4) == pytest.approx(math.log(3))


@pytest.mark.slow  # seconds of the fast loop; the whole suite runs it
def test_outlier():
    qid = "loss_functions.outlier"
    at = to_setting(_page("app_pages/loss_functions.py", loss_tab="One outlier"), qid)
    assert frame_with(at, "slope w") is None
    answer(at, qid)
    far = frame_with(at, "slope w").set_index("loss")["slope w"].astype(float)
    ok(at.slider(key="oy").set_value(2.6).run())  # the outlier back on the line y = 1 + 2x
    clean = frame_with(at, "slope w").set_index("loss")["slope w"].astype(float)
    q = by_id(qid)
    assert (far - clean).abs().idxmin() == q.choices[q.answer()]


# ------------------------------------------------------------------------------ live training
def _train(at: AppTest) -> AppTest:
    if not at.toggle(key="regression_slow").disabled:
        at.toggle(key="regression_slow").set_value(False).run()
    return ok(at.button(key="regression_start").click().run())


def test_bigger_batch():
    qid = "live_training.bigger_batch"
    at = to_setting(_page("app_pages/live_training.py", tab="Regression"), qid)
    assert "regression_start" not in keys(at) and not at.metric
    answer(at, qid)
    big = float(next(m.value for m in _train(at).metric if m.label == "|w − w*|"))
    ok(at.select_slider(key="reg_batch").set_value(10).run())
    small = float(next(m.value for m in _train(at).metric if m.label == "|w − w*|"))
    q = by_id(qid)
    assert q.choices[q.answer()] == ("larger than with batch 10" if big > small else "smaller")


def test_big_lr():
    qid = "live_training.big_lr"
    at = to_setting(_page("app_pages/live_training.py", tab="Regression"), qid)
    assert "regression_start" not in keys(at)
    answer(at, qid)
    _train(at)
    diverged = at.session_state["live_training_regression"].status == "diverged"
    q = by_id(qid)
    assert diverged == (q.choices[q.answer()] == "it blows up")
    assert diverged == any("diverge" in (p.proto.text or "").lower() for p in at.get("progress"))


# ------------------------------------------------------------------------------ behaviour cloning
@pytest.mark.slow  # seconds of the fast loop; the whole suite runs it
@pytest.mark.parametrize(
    "qid", ["behaviour_cloning.bc_vs_still", "behaviour_cloning.dagger_vs_still"]
)
def test_against_a_still_player(qid):
    at = to_setting(_page("app_pages/behaviour_cloning.py"), qid)
    assert "bc_play" not in keys(at)
    answer(at, qid)
    ok(at.button(key="bc_play").click().run())
    line = next(m.value for m in at.markdown if " after " in m.value and "steps." in m.value)
    side = at.session_state["bc_play_side"]
    shown = "a draw" if "a draw" in line else ("wins" if f"player {side}" in line else "loses")
    q = by_id(qid)
    assert {"a draw": "a draw", "wins": "the agent wins", "loses": "the agent loses"}[shown] == (
        q.choices[q.answer()]
    )


def test_every_question_has_a_page_test_here():
    source = (ROOT / "tests" / "app" / "test_predict_pages.py").read_text()
    for q in all_questions():
        assert f'"{q.id}"' in source, q.id
