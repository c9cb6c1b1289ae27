"""The exported submission.py never raises: every malformed observation gets a safe in-range
action, a missing player index is read from the view's colours, and the exported zip plays."""

import importlib.util
import io
import math
import zipfile

import numpy as np
import pytest
import torch

from core.wrestling import bc, export
from core.wrestling.jidi import JidiWrestling, action_space, run_match
from core.wrestling.play import Cloned, Expert, Random, Still, record_match


def _two_frame_policy(seed: int = 0) -> bc.BCPolicy:
    torch.manual_seed(seed)
    return bc.BCPolicy(bc.PolicyNet(bc.Arch((8, 16), 16, pool=2, frames=2)))


@pytest.fixture(scope="module", params=["one frame", "two frames"])
def submission(request, tmp_path_factory):
    """submission.py imported from the exported zip, unpacked beside its weights.

    Twice: the shipped BC (one frame) and a two-frame network, which remembers views.
    """
    folder = tmp_path_factory.mktemp("submission")
    two = request.param == "two frames"
    policy = _two_frame_policy() if two else export.shipped_policy()
    with zipfile.ZipFile(io.BytesIO(export.submission_zip(policy))) as zf:
        zf.extractall(folder)
    name = f"exported_submission_{int(two) + 1}"
    spec = importlib.util.spec_from_file_location(name, folder / "submission.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert module._FRAMES == (2 if two else 1)
    return module


def _in_range(action) -> bool:
    (force,), (turn,) = action
    return (
        isinstance(force, float)
        and isinstance(turn, float)
        and math.isfinite(force)
        and math.isfinite(turn)
        and -100 <= force <= 200
        and -30 <= turn <= 30
    )


def _observations(steps: int = 25):
    """Both players' observations after a few steps of a real match."""
    game = JidiWrestling()
    observes = game.all_observes
    for _ in range(steps):
        observes, *_ = game.step([[[120.0], [10.0]], [[80.0], [-20.0]]])
    return observes


VIEW = np.zeros((40, 40))
RAGGED = [[0.0] * 40 for _ in range(39)] + [[0.0] * 39]
NAN = VIEW.copy()
NAN[5, 5] = np.nan
INF = VIEW.copy()
INF[0, 0] = np.inf

MALFORMED = {
    "None": None,
    "a string": "obs",
    "a number": 3,
    "a list": [1, 2, 3],
    "an empty dict": {},
    "no obs key": {"controlled_player_index": 0},
    "obs is None": {"obs": None, "controlled_player_index": 0},
    "no agent_obs key": {"obs": {"id": "team_0"}, "controlled_player_index": 0},
    "agent_obs is a string": {"obs": {"agent_obs": "x" * 1600}, "controlled_player_index": 0},
    "wrong shape": {"obs": {"agent_obs": np.zeros((39, 40))}, "controlled_player_index": 0},
    "wrong size": {"obs": {"agent_obs": np.zeros(1601)}, "controlled_player_index": 1},
    "0-d": {"obs": {"agent_obs": np.float64(0)}, "controlled_player_index": 0},
    "ragged lists": {"obs": {"agent_obs": RAGGED}, "controlled_player_index": 0},
    "rows of wrong length": {"obs": {"agent_obs": [[0.0] * 39] * 40}, "controlled_player_index": 0},
    "NaN cells": {"obs": {"agent_obs": NAN}, "controlled_player_index": 0},
    "inf cells": {"obs": {"agent_obs": INF}, "controlled_player_index": 1},
    "cells of text": {"obs": {"agent_obs": [["a"] * 40] * 40}, "controlled_player_index": 0},
    "cells of None": {"obs": {"agent_obs": [[None] * 40] * 40}, "controlled_player_index": 0},
}


@pytest.mark.parametrize("kind", list(MALFORMED))
def test_a_malformed_observation_gets_the_safe_action(submission, kind):
    action = submission.my_controller(MALFORMED[kind], action_space(), True)
    assert action == [[0.0], [0.0]]
    assert _in_range(action) and all(
        box.contains(a) for box, a in zip(action_space(), action, strict=True)
    )


def test_odd_but_usable_views_are_played(submission):
    player0 = _observations()[0]
    view = player0["obs"]["agent_obs"]
    expected = submission.my_controller(player0, None)
    assert _in_range(expected) and expected != [[0.0], [0.0]]
    for odd in (view.tolist(), view.reshape(-1), view.reshape(1, 40, 40), view.astype(np.uint8)):
        action = submission.my_controller(
            {"obs": {"agent_obs": odd}, "controlled_player_index": 0}, None
        )
        assert action == expected
    # the view given directly as obs (no agent_obs dict) is read too
    assert submission.my_controller({"obs": view}, None) == expected


@pytest.mark.parametrize("index", ["missing", None, "1", 1.0, 7, -1, True])
def test_a_missing_or_odd_player_index_is_read_from_the_colours(submission, index):
    observes = _observations()
    for player in (0, 1):
        given = observes[player]
        view = given["obs"]["agent_obs"]
        own = view[28:36, 16:24]
        assert (own[2:6, 2:6] == (10 if player == 0 else 8)).all()  # our disc's middle
        assert submission._player({"obs": given["obs"]}, view) == player
        odd = {"obs": given["obs"]}
        if index != "missing":
            odd["controlled_player_index"] = index
        assert submission.my_controller(odd, None) == submission.my_controller(given, None)


@pytest.mark.slow  # a whole match through the Jidi harness
def test_the_exported_zip_plays_a_match_through_jidi_wrestling(submission):
    result = run_match([submission.my_controller, submission.my_controller], max_steps=150)
    assert result["winner"] in ("0", "1", "-1") and 1 <= result["steps"] <= 150

    # and keeps playing when the platform drops the player index from every observation
    def without_index(observation, space, continuous=True):
        return submission.my_controller({"obs": observation["obs"]}, space, continuous)

    again = run_match([without_index, without_index], max_steps=150)
    assert again == result


def _exported(policy, folder):
    """submission.py of `policy`'s export, imported from `folder`."""
    with zipfile.ZipFile(io.BytesIO(export.submission_zip(policy))) as zf:
        zf.extractall(folder)
    spec = importlib.util.spec_from_file_location(f"sub_{folder.name}", folder / "submission.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("pool, frames", [(2, 1), (1, 1), (2, 2), (1, 2)])
def test_the_submission_acts_like_the_policy_it_exports(tmp_path, pool, frames):
    torch.manual_seed(pool)
    policy = bc.BCPolicy(bc.PolicyNet(bc.Arch((8, 16), 16, pool, frames)))
    module = _exported(policy, tmp_path)
    assert (module._POOL, module._FRAMES) == (pool, frames)
    before = _observations(24)
    for player, given in enumerate(_observations(25)):  # the step after `before`
        view = given["obs"]["agent_obs"]
        (force,), (turn,) = module.my_controller(given, None)  # its first call: no motion
        expected = policy.act(view[None].astype(np.uint8), player)[0]
        np.testing.assert_allclose([force, turn], expected, rtol=1e-5, atol=1e-4)
    if frames == 1:
        assert module._LAST == {}  # a one-frame submission keeps nothing between calls
        return
    module._LAST.clear()
    for player in (0, 1):  # two consecutive steps of one game: the second sees the first
        module.my_controller(before[player], None)
        (force,), (turn,) = module.my_controller(_observations(25)[player], None)
        views = [
            o[player]["obs"]["agent_obs"][None].astype(np.uint8)
            for o in (_observations(25), before)
        ]
        expected = policy.act(views[0], player, views[1])[0]
        np.testing.assert_allclose([force, turn], expected, rtol=1e-5, atol=1e-4)


def _games():
    """Recorded fast-game matches with randomised openings, both sides, several opponents."""
    pairs = [(Expert(), Random()), (Random(), Expert()), (Expert(), Still()), (Random(), Random())]
    return [record_match(a, b, seed=s, opening=10) for s in range(3) for a, b in pairs]


@pytest.mark.slow  # seconds of the fast loop; the whole suite runs it
def test_one_step_explains_the_next_view_and_another_game_does_not(tmp_path):
    module = _exported(_two_frame_policy(), tmp_path)
    games = _games()
    steps = [
        module._unexplained(m.obs[t - 1, p], m.obs[t, p], m.actions[t - 1, p, 1])
        for m in games
        for p in (0, 1)
        for t in range(1, m.length)
    ]
    assert len(steps) > 800 and max(steps) <= 1 < module.NEW_GAME_CELLS  # with a margin
    # without undoing the turn, a step leaves far more: the rotation is most of the change
    unturned = [
        module._unexplained(m.obs[t - 1, p], m.obs[t, p], 0.0)
        for m in games[:2]
        for p in (0, 1)
        for t in range(1, m.length)
        if abs(m.actions[t - 1, p, 1]) > 20
    ]
    assert max(unturned) > 10
    # the last view of one game against the first views (after openings of 0-10) of another
    other = [
        module._unexplained(a.obs[-2, p], b.obs[t, p], a.actions[-1, p, 1])
        for a in games
        for b in games
        if a is not b
        for p in (0, 1)
        for t in range(min(11, b.length))
    ]
    new = np.mean(np.array(other) > module.NEW_GAME_CELLS)
    assert len(other) > 2500 and new > 0.95, new  # 97%: the rest look alike


@pytest.mark.slow  # seconds of the fast loop; the whole suite runs it
def test_a_two_frame_submission_plays_the_fast_games_moves_game_after_game(tmp_path):
    policy = bc.load_weights(export.DAGGER_WEIGHTS.read_bytes())
    assert policy.frames == 2  # the shipped DAgger policy sees two frames
    module = _exported(policy, tmp_path)
    agent = Cloned(policy, "DAgger")
    # one module object plays game after game, on both sides, as on the platform
    for seed, side, opponent in [
        (1, 0, Random()),
        (2, 0, Still()),
        (3, 1, Random()),
        (4, 1, Still()),
    ]:
        match = record_match(*((agent, opponent) if side == 0 else (opponent, agent)), seed, 10)
        k = int(np.random.default_rng(seed).integers(0, 11))  # record_match's random opening
        for t in range(k, match.length):
            view = match.obs[t, side].astype(np.float64)
            observation = {
                "obs": {"agent_obs": view, "id": f"team_{side}"},
                "controlled_player_index": side,
            }
            (force,), (turn,) = module.my_controller(observation, None)
            np.testing.assert_allclose([force, turn], match.actions[t, side], rtol=1e-4, atol=1e-3)
        assert match.length - k > 5
