"""The predict-first switch, its link, the chapter's score and presenter mode (AppTest)."""

from streamlit.testing.v1 import AppTest

from core.i18n import catalogue
from core.questions import by_id
from tests.conftest import ROOT
from tests.i18n.prose import english_prose, texts

QID = "tensors.broadcast_shape"  # the tensors page's broadcasting topic opens at its setting


def _broadcasting(**query) -> AppTest:
    at = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=300)
    for key, value in query.items():
        at.query_params[key] = value
    at.run()
    at.switch_page("app_pages/tensors.py").run()
    at.selectbox(key="topic").set_value("broadcasting").run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _asked(at: AppTest) -> bool:
    return any(b.key == f"predict_check_{QID}" for b in at.button)


def test_on_by_default_the_grids_wait_for_the_prediction():
    at = _broadcasting()
    assert at.toggle(key="predict_first").value is True
    assert _asked(at) and not at.get("vega_lite_chart")
    assert any("0 of 2 predictions made, 0 right" in c.value for c in at.caption)


def test_an_empty_check_asks_for_an_answer_and_shows_nothing():
    at = _broadcasting()
    at.button(key=f"predict_check_{QID}").click().run()
    assert any("Pick an answer first" in w.value for w in at.warning)
    assert _asked(at) and not at.get("vega_lite_chart")


def test_a_right_answer_is_scored_and_stays_answered():
    at = _broadcasting()
    at.radio(key=f"predict_in_{QID}").set_value(by_id(QID).answer()).run()
    at.button(key=f"predict_check_{QID}").click().run()
    assert at.get("vega_lite_chart") and not _asked(at)
    assert any("1 of 2 predictions made, 1 right" in c.value for c in at.caption)
    at.selectbox(key="topic").set_value("ranks").run()
    at.selectbox(key="topic").set_value("broadcasting").run()
    assert at.get("vega_lite_chart") and not _asked(at)  # answered once, for this session


def test_just_show_me_reveals_without_scoring():
    at = _broadcasting()
    at.button(key=f"predict_skip_{QID}").click().run()
    assert at.get("vega_lite_chart")
    assert any("0 of 2 predictions made, 0 right" in c.value for c in at.caption)
    assert not any(m.value.startswith("Your answer") for m in at.markdown)


def test_switching_off_shows_the_demo_and_goes_into_the_link():
    at = _broadcasting()
    at.toggle(key="predict_first").set_value(False).run()
    assert not _asked(at) and at.get("vega_lite_chart")
    assert at.query_params.get("predict") in ("0", ["0"])
    assert at.query_params.get("topic") in ("broadcasting", ["broadcasting"])  # kept beside it
    at.toggle(key="predict_first").set_value(True).run()
    assert _asked(at) and "predict" not in at.query_params


def test_a_link_with_predict_0_opens_without_questions():
    at = _broadcasting(predict="0")
    assert at.toggle(key="predict_first").value is False
    assert not _asked(at) and at.get("vega_lite_chart")


def test_presenter_mode_shows_the_question_as_a_heading():
    at = _broadcasting(present="1")
    prompt = by_id(QID).prompt
    assert any(m.value == f"### Predict first: {prompt}" for m in at.markdown)
    normal = _broadcasting()
    assert any(m.value == f"**Predict first:** {prompt}" for m in normal.markdown)


def test_in_presenter_mode_the_reveal_is_one_line_and_the_rest_behind_a_button():
    """A slide: the verdict and the answer in a row, the question and why in its popover."""
    at = _broadcasting(present="1")
    q = by_id(QID)
    at.radio(key=f"predict_in_{QID}").set_value(q.answer()).run()
    at.button(key=f"predict_check_{QID}").click().run()
    line = f"**Right.** The answer, computed by the demo below: **{q.shown(q.answer())}**"
    popover = at.get("popover")
    assert len(popover) == 1 and popover[0].proto.popover.label == "The question and why"
    inside = [m.value for m in popover[0].markdown]
    assert q.explanation in inside and f"Your answer: {q.shown(q.answer())}" in inside
    assert line in [m.value for m in at.markdown] and line not in inside
    assert at.get("vega_lite_chart")


def test_a_test_harness_can_switch_it_off_before_the_first_run():
    """What the other pages' tests do to see every demo at once (as ?predict=0 does)."""
    at = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=300)
    at.session_state["predict_first"] = False
    at.run()
    at.switch_page("app_pages/tensors.py").run()
    at.selectbox(key="topic").set_value("broadcasting").run()
    assert not _asked(at) and at.get("vega_lite_chart")


def test_in_chinese_the_question_its_reveal_and_score_read_in_chinese():
    at = _broadcasting(lang="zh")
    zh = by_id(QID).translated(catalogue("zh").gettext)
    radio = at.radio(key=f"predict_in_{QID}")
    assert radio.label == "你的预测" and radio.options == list(zh.choices)
    assert any(m.value == f"**先预测：** {zh.prompt}" for m in at.markdown)
    assert at.button(key=f"predict_check_{QID}").label == "核对我的预测"
    assert at.button(key=f"predict_skip_{QID}").label == "直接揭晓"
    assert any(c.value == "本章：2 道题中已预测 0 道，答对 0 道。" for c in at.caption)
    at.button(key=f"predict_check_{QID}").click().run()  # nothing picked
    assert [w.value for w in at.warning] == ["请先选一个答案，或者点击“*直接揭晓*”。"]
    at.radio(key=f"predict_in_{QID}").set_value(by_id(QID).answer()).run()  # an index: any language
    at.button(key=f"predict_check_{QID}").click().run()
    shown = [m.value for m in at.markdown]
    assert f"你的答案：{zh.choices[0]}" in shown and zh.explanation in shown
    assert f"**答对了**。由下方演示计算出的答案：**{zh.choices[0]}**" in shown
    assert any(c.value == "本章：2 道题中已预测 1 道，答对 1 道。" for c in at.caption)
    assert at.get("vega_lite_chart")
    box = [t for kind, t in texts(at) if kind in ("markdown", "caption")]
    assert not [t for t in box if english_prose(t) and ("答" in t or "预测" in t)]


def test_switching_to_chinese_keeps_the_answer():
    at = _broadcasting()
    at.radio(key=f"predict_in_{QID}").set_value(by_id(QID).answer()).run()
    at.button(key=f"predict_check_{QID}").click().run()
    at.session_state["lang"] = "zh"
    at.run()
    assert at.get("vega_lite_chart") and not _asked(at)
    assert any(c.value == "本章：2 道题中已预测 1 道，答对 1 道。" for c in at.caption)
