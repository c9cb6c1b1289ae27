"""The behaviour-cloning page under AppTest: collect, train briefly, play a match, export."""

from streamlit.testing.v1 import AppTest

from tests.conftest import ROOT

PAGE = "app_pages/behaviour_cloning.py"


def _page() -> AppTest:
    at = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=600)
    at.run()
    at.switch_page(PAGE).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_collect_train_play_and_export():
    at = _page()
    assert at.title[0].value.startswith("Behaviour cloning")
    assert [t.label for t in at.tabs] == ["Expert & data", "Train", "Matches", "Play", "Export"]
    at.button(key="bc_collect").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert any("10,000 pairs" in m.value for m in at.markdown)
    at.slider(key="bc_epochs").set_value(1).run()
    at.selectbox(key="bc_arch").set_value("small (8-16-16)").run()
    at.select_slider(key="bc_hidden").set_value(32).run()
    at.button(key="bc_train").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert len(at.session_state["bc_history"]) == 1
    h = at.session_state["bc_history"][0]
    assert h["val_loss"] < h["val_baseline"], "one epoch already beats the mean predictor"
    at.selectbox(key="bc_play_agent").set_value("BC yours (trained here)").run()
    at.selectbox(key="bc_play_opponent").set_value("still").run()
    at.radio(key="bc_play_side").set_value(1).run()
    at.button(key="bc_play").click().run()
    assert not at.exception, [e.value for e in at.exception]
    match = at.session_state["bc_match"]
    assert match.names == ("still", "BC yours") and match.length >= 1
    assert at.session_state["bc_gif"][:6] == b"GIF89a"
    at.slider(key="bc_scrub").set_value(match.length).run()
    assert not at.exception
    assert at.radio(key="bc_export_which").options[0] == "yours (trained here)"


def test_course_data_and_a_small_match_table(shared_dir):
    at = _page()
    at.button(key="bc_course").click().run()
    assert any("from 240 episodes" in m.value for m in at.markdown)
    at.selectbox(key="bc_match_agent").set_value("expert (reads the true state)").run()
    at.slider(key="bc_match_games").set_value(20).run()
    at.button(key="bc_play_matches").click().run()
    assert not at.exception, [e.value for e in at.exception]
    table = at.session_state["bc_table"]
    random_rows = table[table["opponent"] == "random"]
    assert set(random_rows["games"]) == {20}
    assert (random_rows["wins"] >= 18).all(), random_rows
