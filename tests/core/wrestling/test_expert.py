"""The scripted expert: steering arithmetic, energy-safe forces, and real games in the real env."""

import numpy as np
import pytest

from core.wrestling import expert
from core.wrestling.data import CELL_VALUES
from core.wrestling.play import Expert, Random, Still, play_games


def test_force_cap_keeps_force_times_speed_at_ten_thousand():
    for s in (0.0, 30.0, 60.0, 100.0):
        f = float(expert.force_cap(np.array(s)))
        if f < 200:
            # 0.1 F^2 + s F = 10,000: F times the speed after one step of F is exactly 10,000
            assert abs(f * (s + 0.1 * f) - 10_000) < 1e-6
    assert float(expert.force_cap(np.array(0.0))) == 200


def test_steer_realises_a_reachable_acceleration_exactly():
    # heading 0 degrees; asking for 100 px/s^2 along +x: turn 0, force 100
    a = expert.steer(np.array([[100.0, 0.0]]), np.array([0.0]), np.array([200.0]))
    np.testing.assert_allclose(a, [[100.0, 0.0]], atol=1e-9)
    # asking for 100 along 60 degrees while heading 30: turn +30, force 100
    want = 100 * np.array([[np.cos(np.pi / 3), np.sin(np.pi / 3)]])
    a = expert.steer(want, np.array([30.0]), np.array([200.0]))
    np.testing.assert_allclose(a, [[100.0, 30.0]], atol=1e-9)
    # the force cap binds: the same wish with at most 40 gives force 40
    a = expert.steer(want, np.array([30.0]), np.array([40.0]))
    np.testing.assert_allclose(a, [[40.0, 30.0]], atol=1e-9)
    # asking for -x: cheapest is force -100 straight backwards
    a = expert.steer(np.array([[-100.0, 0.0]]), np.array([0.0]), np.array([200.0]))
    np.testing.assert_allclose(a, [[-100.0, 0.0]], atol=1e-9)


def test_expert_beats_random_from_either_side():
    for side in (0, 1):
        pair = (Expert(), Random()) if side == 0 else (Random(), Expert())
        winner, _ = play_games(*pair, n_games=60, seed=side)
        assert (winner == side).sum() >= 57, np.bincount(winner + 1)


def test_expert_pushes_a_still_opponent_out_early_without_tiring():
    for side in (0, 1):
        pair = (Expert(), Still()) if side == 0 else (Still(), Expert())
        winner, length = play_games(*pair, n_games=1)
        assert winner[0] == side and length[0] < 100


def test_collection_is_normalised_both_sides_and_in_range():
    d = expert.collect(2000, seed=0, n_envs=64)
    assert len(d) == 2000 and d.obs.dtype == np.uint8
    assert set(np.unique(d.obs)) <= set(CELL_VALUES)
    assert (d.obs[:, 30:34, 18:22] == 10).all(), "self is always 10 after normalisation"
    assert (d.actions[:, 0] >= -100).all() and (d.actions[:, 0] <= 200).all()
    assert (np.abs(d.actions[:, 1]) <= 30).all()
    # episodes are contiguous runs and come from both sides (odd ids: player 1's side)
    assert (np.diff(d.episode) >= 0).all()
    assert d.pos is not None and (np.hypot(*(d.pos - [300, 350]).T) < 180).all()
    # the same seed gives the same data
    again = expert.collect(2000, seed=0, n_envs=64)
    np.testing.assert_array_equal(again.obs, d.obs)


def test_snippet_runs():
    scope = {
        "p": np.array([300.0, 300.0]),
        "q": np.array([300.0, 400.0]),
        "v": np.zeros(2),
        "theta": 0.0,
    }
    exec(expert.EXPERT_SNIPPET, scope)
    assert -30 <= scope["action"][1] <= 30 and -100 <= scope["action"][0] <= 200


def test_collect_stops_at_the_step_its_flag_flips_and_returns_nothing():
    from core.cancel import Cancelled
    from tests.core.test_cancel import flips_after

    never = flips_after(10**9)
    kept = expert.collect(400, seed=3, n_envs=16, should_stop=never)
    plain = expert.collect(400, seed=3, n_envs=16)
    np.testing.assert_array_equal(kept.obs, plain.obs)  # polling changes nothing
    np.testing.assert_array_equal(kept.actions, plain.actions)
    assert never.polls > 5, "polled at every step of the batched game"
    stop = flips_after(3)
    with pytest.raises(Cancelled):
        expert.collect(400, seed=3, n_envs=16, should_stop=stop)
    assert stop.polls == 4, "no step ran after the flag flipped"
