"""The behaviour-cloning page under AppTest: first look, collect, train briefly, play, export, links."""

import io
import json
import zipfile

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from core.i18n import catalogue
from core.wrestling import data, jidi_steps, play, render
from tests.conftest import ROOT
from tests.i18n.prose import english_prose

PAGE = "app_pages/behaviour_cloning.py"


def _page(query: dict | None = None) -> AppTest:
    at = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=600)
    for key, value in (query or {}).items():
        at.query_params[key] = value
    at.run()
    at.switch_page(PAGE).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_first_render_shows_the_game_and_the_shipped_policy_ready():
    at = _page()
    assert at.title[0].value.startswith("Behaviour cloning")
    assert [t.label for t in at.tabs] == [
        "The game",
        "Expert & data",
        "Train",
        "Matches",
        "Play",
        "Export",
        "DAgger",
    ]
    # the arena and both views at once, the start again on Play, and the legend chart
    assert len(at.get("image")) >= 5
    assert len(at.get("vega_lite_chart")) >= 1
    assert at.selectbox(key="bc_play_agent").value == "shipped"
    assert "is ready to play" in at.info[-1].value
    # the defaults land in the URL, so the address bar is a shareable link
    assert at.query_params["bc_epochs"] in (["8"], "8")
    # the Export tab ends with the platform's own steps, numbered, as core spells them
    steps = next(m.value for m in at.markdown if "run_log.py" in m.value)
    assert steps.splitlines() == [f"{i}. {s}" for i, s in enumerate(jidi_steps.steps(), 1)]


@pytest.mark.slow  # seconds of the fast loop; the whole suite runs it
def test_collect_train_play_and_export():
    at = _page()
    export_which = at.radio(key="bc_export_which")
    assert export_which.options == [
        "DAgger shipped (BC, then DAgger)",
        "BC shipped (our expert's data)",
    ]
    assert export_which.value == "DAgger shipped (BC, then DAgger)", "the best shipped"
    export_which.set_value("BC shipped (our expert's data)").run()  # seen first
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
    at.selectbox(key="bc_play_agent").set_value("yours").run()
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
    assert at.radio(key="bc_export_which").value == "yours (trained here)", "the latest is chosen"


@pytest.mark.slow
def test_course_data_and_a_small_match_table(shared_dir):
    if data.course_zip() is None:
        pytest.skip("the course's data is absent (core.wrestling.data.course_zip)")
    at = _page()
    at.button(key="bc_course").click().run()
    assert any("from 240 episodes" in m.value for m in at.markdown)
    at.selectbox(key="bc_match_agent").set_value("expert").run()
    at.slider(key="bc_match_games").set_value(20).run()
    at.button(key="bc_play_matches").click().run()
    assert not at.exception, [e.value for e in at.exception]
    table = at.session_state["bc_table"]
    random_rows = table[table["opponent"] == "random"]
    assert set(random_rows["games"]) == {20}
    assert (random_rows["wins"] >= 18).all(), random_rows
    # every opponent (BC, DAgger, the course's BC, random, still, itself) on both sides from
    # both starts, in play order
    assert (
        len(table) == 4 * 6
        and list(table["opponent"][:8]) == ["BC shipped"] * 4 + ["DAgger shipped"] * 4
    )
    # the win-rate grid is drawn (its numbers: tests/core/wrestling/test_play.py)
    charts = [json.loads(c.proto.spec) for c in at.get("vega_lite_chart")]
    titles = [json.dumps(c.get("title", "")) for c in charts]
    assert sum("How often the agent wins" in t for t in titles) == 1, titles


def test_a_shared_link_sets_the_widgets_and_bad_values_fall_back():
    at = _page(
        {
            "bc_play_opponent": "still",
            "bc_play_side": "1",
            "bc_play_opening": "7",
            "bc_lr": "0.001",
            "bc_epochs": "500",  # out of range: the default stays, with a note
            "bc_play_agent": "yours",  # nothing trained yet: falls back to one on offer
        }
    )
    assert at.selectbox(key="bc_play_opponent").value == "still"
    assert at.radio(key="bc_play_side").value == 1
    assert at.slider(key="bc_play_opening").value == 7
    assert at.select_slider(key="bc_lr").value == 0.001
    assert at.slider(key="bc_epochs").value == 8
    assert any("bc_epochs" in i.value for i in at.info)
    assert at.selectbox(key="bc_play_agent").value == "shipped"
    assert any("bc_play_agent" in i.value for i in at.info)


def test_the_start_picture_is_the_reset_state():
    start = play.start_match()
    assert start.length == 0 and start.winner == -1
    # the reset view of player 0 drawn large is its 40 x 40 observation, cell by cell
    big = render.draw_view(start.obs[0, 0], 12, grid=False)
    assert big.shape == (480, 480, 3)
    legend = {value: rgb for value, _, rgb in render.view_legend()}
    expected = np.array([legend[v] for v in start.obs[0, 0].ravel()]).reshape(40, 40, 3)
    assert (big[6::12, 6::12] == expected).all()


def _course_zip(obs, actions, n) -> bytes:
    """A zip laid out as the course's: obs_N.npy and actions_N.npy."""

    def npy(arr) -> bytes:
        b = io.BytesIO()
        np.save(b, arr)
        return b.getvalue()

    b = io.BytesIO()
    with zipfile.ZipFile(b, "w") as zf:
        zf.writestr(f"obs_{n}.npy", npy(obs))
        zf.writestr(f"actions_{n}.npy", npy(actions))
    return b.getvalue()


def test_a_bad_upload_is_one_line_and_a_good_ones_name_is_shown_escaped():

    from tests.core.test_shareable import unescaped_specials

    at = _page()
    upload = at.file_uploader(key="bc_upload")
    # 0-d arrays once raised an uncaught TypeError: a traceback on the page
    upload.set_value(("zero.zip", _course_zip(np.array(0.0), np.array(0.0), 20), "application/zip"))
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    (error,) = at.error
    assert error.value.startswith("Upload refused: ") and "\n" not in error.value
    assert "0\\-d array" in error.value
    # a good upload whose name is Markdown: shown as text
    rng = np.random.default_rng(0)
    obs = rng.choice(np.array(data.CELL_VALUES, dtype=np.uint8), size=(12, 40, 40))
    actions = np.tile([[50.0, 30.0]], (12, 1))
    name = "![t](http://host/x.png).zip"
    at.file_uploader(key="bc_upload").set_value((name, _course_zip(obs, actions, 12), "x"))
    at.run()
    assert not at.exception and not at.error
    (line,) = [m.value for m in at.markdown if m.value.startswith("**12 pairs**")]
    shown = line.split("upload ", 1)[1]
    assert unescaped_specials(shown.rstrip(".")) == [] and "](" not in shown, shown


def test_an_upload_refused_in_chinese_says_why_in_chinese():
    at = _page({"lang": "zh"})
    rng = np.random.default_rng(0)
    obs = rng.choice(np.array(data.CELL_VALUES, dtype=np.uint8), size=(12, 40, 40))
    actions = np.tile([[50.0, 30.0]], (12, 1))
    actions[3, 0] = 250.0  # a force past the game's 200
    at.file_uploader(key="bc_upload").set_value(("far.zip", _course_zip(obs, actions, 12), "x"))
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    (error,) = at.error
    zh = catalogue("zh").gettext
    frame = zh("Upload refused: {reason}. The data already loaded is kept.").split("{")[0]
    reason = zh("force ranges over [{low:g}, {high:g}]; allowed [{lo:g}, {hi:g}]").split("[")[0]
    assert error.value.startswith(frame + reason), error.value
    assert "250" in error.value and "200" in error.value
    assert not english_prose(error.value), error.value


@pytest.mark.slow
def test_a_run_too_big_for_its_share_stops_after_one_epoch():
    from core.wrestling import expert

    # the worst case a student can ask for: the largest upload and every widget at its maximum
    pairs = expert.collect(data.MAX_PAIRS, seed=1)
    biggest = _course_zip(pairs.obs, pairs.actions.astype(np.float64), len(pairs))
    at = _page()
    at.file_uploader(key="bc_upload").set_value(("big.zip", biggest, "application/zip"))
    at.run()
    assert f"**{data.MAX_PAIRS:,} pairs**" in " ".join(m.value for m in at.markdown)
    at.slider(key="bc_epochs").set_value(40).run()
    at.selectbox(key="bc_arch").set_value("large (32-64-64)").run()
    at.select_slider(key="bc_hidden").set_value(256).run()
    at.select_slider(key="bc_batch").set_value(32).run()
    at.button(key="bc_train").click().run()
    assert not at.exception, [e.value for e in at.exception]
    stopped = [w.value for w in at.warning if "stopped after the first epoch" in w.value]
    assert stopped, [w.value for w in at.warning]
    assert len(at.session_state["bc_history"]) == 1  # one epoch spent, not forty
    assert "bc_policy" not in at.session_state


def test_the_objective_shown_is_the_one_training_minimises():
    import torch

    from core.wrestling import bc

    at = _page()
    assert any(r"\frac{1}{2N}" in x.value and r"\tilde a_i" in x.value for x in at.latex)
    caption = next(c.value for c in at.caption if "really minimises" in c.value)
    assert "(force − 50) / 150" in caption and "turn / 30" in caption
    # the caption's scaling is bc's: a force 15 off and a turn 3 degrees off cost the same
    a = bc.scale_actions(torch.tensor([[65.0, 3.0]])) - bc.scale_actions(
        torch.tensor([[50.0, 0.0]])
    )
    torch.testing.assert_close(a, torch.tensor([[0.1, 0.1]]))


def test_an_upload_that_lies_about_its_size_is_refused_without_unpacking_it():
    import tracemalloc

    from tests.core.wrestling.test_zipmember import BOMB_MB, _bomb

    # 10 kB of zip whose LZMA member declares 16 kB and holds 64 MB of zeros (the 0.27 MB
    # upload held 1.9 GB and peaked the server at 3.9 GB before its CRC was checked)
    raw = _bomb(zipfile.ZIP_LZMA, honest_crc=False)
    at = _page()
    at.file_uploader(key="bc_upload").set_value(("bomb.zip", raw, "application/zip"))
    tracemalloc.start()
    at.run()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert not at.exception, [e.value for e in at.exception]
    assert peak / 2**20 < BOMB_MB / 2, f"{peak / 2**20:.0f} MB traced during the upload's run"
    (error,) = at.error
    assert (
        error.value.startswith("Upload refused: ") and "holds more than its declared" in error.value
    )
    assert "bc_data" not in at.session_state
