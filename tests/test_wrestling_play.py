"""Matches: outcomes counted right, deterministic pairings, the recorded match consistent."""

import numpy as np

from core.wrestling.env import WrestlingEnv
from core.wrestling.play import Expert, Random, Still, evaluate, play_games, record_match, table


def test_still_against_still_times_out_as_a_draw():
    winner, length = play_games(Still(), Still(), n_games=3)
    assert (winner == -1).all() and (length == 500).all()


def test_random_openings_break_determinism_and_counts_add_up():
    rows = list(evaluate(Expert(), [Still()], n_games=30, openings=(0, 10)))
    assert [(r.side, r.opening, r.games) for r in rows] == [
        (0, "fixed start", 1),
        (1, "fixed start", 1),
        (0, "random 0-10 steps", 30),
        (1, "random 0-10 steps", 30),
    ]
    df = table(rows)
    assert (df["wins"] + df["draws"] + df["losses"] == df["games"]).all()


def test_recorded_match_replays_in_the_env():
    m = record_match(Random(), Expert(), seed=3, opening=5)
    assert m.obs.shape == (m.length + 1, 2, 40, 40) and m.actions.shape == (m.length, 2, 2)
    env = WrestlingEnv(1)
    obs = env.reset()
    np.testing.assert_array_equal(obs[0], m.obs[0])
    for t in range(m.length):
        obs, _, done, info = env.step(m.actions[t][None])
        np.testing.assert_array_equal(obs[0], m.obs[t + 1])
        np.testing.assert_allclose(env.pos[0], m.pos[t + 1])
    assert done[0] and info["winner"][0] == m.winner
