"""The Export tab's Jidi steps name the files the zip really holds, and the layout they describe
(the kit's `agents/<name>/submission.py`, imported by dotted path as run_log.py does) works."""

import importlib
import io
import sys
import zipfile

from core.wrestling import export, jidi, jidi_steps


def test_the_steps_cover_the_platform_from_account_to_upload():
    text = "\n".join(jidi_steps.steps())
    assert len(jidi_steps.steps()) == 6
    assert "account" in jidi_steps.steps()[0] and jidi_steps.PLATFORM in text
    assert jidi_steps.KIT in text and "agents/random/submission.py" in text
    assert 'python run_log.py --my_ai "my_bc" --opponent "random"' in text
    assert "player 1" in text  # run_log.py: policy_list = [opponent, my_ai]


def test_the_steps_name_the_files_the_zip_holds():
    names = zipfile.ZipFile(io.BytesIO(export.submission_zip(export.shipped_policy()))).namelist()
    assert sorted(names) == sorted(["submission.py", export.WEIGHTS_NAME])
    unzip = jidi_steps.steps()[3]
    assert all(f"`{n}`" in unzip for n in names) and "`agents/my_bc/`" in unzip
    assert len(names) - 1 <= jidi_steps.MAX_ATTACHMENTS


def test_unzipped_into_agents_it_imports_as_run_log_does_and_plays_player_1(tmp_path, monkeypatch):
    folder = tmp_path / "agents" / jidi_steps.AGENT
    folder.mkdir(parents=True)
    zipfile.ZipFile(io.BytesIO(export.submission_zip(export.shipped_policy()))).extractall(folder)
    monkeypatch.chdir(tmp_path)  # the kit's folder: run_log.py imports agents.<name>.submission
    monkeypatch.syspath_prepend(str(tmp_path))
    name = f"agents.{jidi_steps.AGENT}.submission"
    try:
        my_controller = importlib.import_module(name).my_controller
        env = jidi.JidiWrestling()
        observes = env.reset()
        space = env.get_single_action_space(1)
        action = my_controller(observes[1], space, True)
        assert len(action) == 2 and all(len(a) == 1 for a in action)
        assert all(box.contains(a) for box, a in zip(space, action, strict=True))
        assert action != [[0.0], [0.0]]  # the policy acted: not the safe no-op
    finally:
        for module in [m for m in sys.modules if m == "agents" or m.startswith("agents.")]:
            del sys.modules[module]
