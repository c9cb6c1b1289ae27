"""Matches: outcomes counted right, deterministic pairings, the recorded match consistent."""

import numpy as np
import pytest

from core.budget import torch_threads
from core.charts import title_text
from core.wrestling.env import WrestlingEnv
from core.wrestling.play import (
    Cloned,
    Expert,
    Random,
    Still,
    evaluate,
    play_games,
    record_match,
    table,
)


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


def test_start_match_is_the_reset_state():
    from core.wrestling.play import start_match

    env = WrestlingEnv(1)
    obs = env.reset()
    start = start_match(("a", "b"))
    assert start.length == 0 and start.winner == -1 and start.names == ("a", "b")
    np.testing.assert_array_equal(start.pos[0], env.pos[0])
    np.testing.assert_array_equal(start.theta[0], env.theta[0])
    np.testing.assert_array_equal(start.obs[0], obs[0])


def _titles(spec) -> list[str]:
    """Every title and axis title in a Vega-Lite spec, wherever it sits."""
    found = []
    if isinstance(spec, dict):
        for key, value in spec.items():
            if key == "title" and isinstance(value, str | dict):
                found.append(title_text(value))  # a long title is lines for each width
            found += _titles(value)
    elif isinstance(spec, list):
        for item in spec:
            found += _titles(item)
    return found


def test_charts_are_titled_and_the_legend_shows_the_views_colours():
    from core.charts import wrestling as charts
    from core.wrestling import render

    legend = render.view_legend()
    spec = charts.legend_chart(legend).to_dict()
    rows = next(iter(spec["datasets"].values()))
    assert [r["colour"] for r in rows] == ["#" + bytes(rgb).hex() for _, _, rgb in legend]
    assert [r["label"].split(":")[0] for r in rows] == ["0", "1", "4", "8", "10"]
    assert "What a view's cells hold" in _titles(spec)
    match = record_match(Expert(), Still())
    rng = np.random.default_rng(0)
    actions = np.stack([rng.uniform(-100, 200, 50), rng.uniform(-30, 30, 50)], 1)
    for chart, must in (
        (
            charts.actions_chart(match.actions, 0, 3),
            {"force", "turn (degrees)", "step of the match"},
        ),
        (charts.action_histograms(actions), {"force", "number of pairs"}),
        (
            charts.loss_chart(
                [{"epoch": 1, "train_loss": 0.3, "val_loss": 0.2, "val_baseline": 0.4}]
            ),
            {"epoch", "mean squared error (scaled actions)"},
        ),
    ):
        titles = set(_titles(chart.to_dict()))
        assert must <= titles, must - titles


def test_pairings_arrive_as_they_finish_and_the_table_keeps_their_order():
    rows = list(evaluate(Expert(), [Expert(), Still()], n_games=10, openings=(0,)))
    # the expert pushes a still player out in a few dozen steps; two experts take longer
    assert [r.opponent for r in rows] == ["still", "still", "expert", "expert"]
    assert rows[0].mean_length < rows[-1].mean_length
    assert list(table(rows)["opponent"]) == ["expert", "expert", "still", "still"]


def _is_the_recorded_match(row, agent, opp) -> None:
    """A table's one-game row tells the game record_match plays (the Play tab's game)."""
    m = record_match(*((agent, opp) if row.side == 0 else (opp, agent)))
    assert (row.wins, row.losses, row.mean_length) == (
        int(m.winner == row.side),
        int(m.winner == 1 - row.side),
        m.length,
    ), row


def test_the_one_game_of_a_deterministic_pair_is_the_game_the_play_tab_shows(shipped):
    # a network's last digits move with the batch's size, and a game amplifies them: the
    # table's one fixed-start game must still be record_match's game, whatever else is played
    agent = Cloned(shipped, "BC")
    with torch_threads(1):
        rows = list(evaluate(agent, [Random(), Still(), Expert(), agent], 12, openings=(0,)))
        for r in rows:
            if r.games != 1:
                continue
            opp = {"random": Random(), "still": Still(), "expert": Expert(), "BC": agent}[
                r.opponent
            ]
            _is_the_recorded_match(r, agent, opp)
    assert sum(r.games == 1 for r in rows) == 6  # still, expert and itself, both sides


def test_the_win_rate_grid_shows_every_pairing_of_the_table():
    from core.charts.wrestling import win_rate_grid

    df = table(list(evaluate(Expert(), [Random(), Still()], n_games=10)))
    spec = win_rate_grid(df).to_dict()
    (rows,) = spec["datasets"].values()
    shown = {(r["opponent"], r["start"]): (r["win %"], r["label"]) for r in rows}
    assert len(shown) == len(df) == 8
    for _, row in df.iterrows():
        start = row["opening"].replace(" steps", "") + " · as " + row["agent plays"]
        assert shown[(row["opponent"], start)] == (row["win %"], f"{round(row['win %'])}%")


def _two_frame_policy():
    import torch

    from core.wrestling import bc

    torch.manual_seed(7)
    return bc.BCPolicy(bc.PolicyNet(bc.Arch((8, 8), 16, frames=2)))


@pytest.mark.slow  # seconds of the fast loop; the whole suite runs it
def test_a_two_frame_agent_is_handed_its_previous_view_after_the_opening():
    policy = _two_frame_policy()
    m = record_match(Random(), Cloned(policy, "two"), seed=4, opening=6)
    k = int(np.random.default_rng(4).integers(0, 7))  # the opening record_match draws
    assert k > 0
    views = m.obs[:, 1]
    for t in range(k, m.length):
        prev = views[t - 1] if t > k else views[t]  # its first step: no motion
        expected = policy.act(views[t][None], 1, prev[None])[0]
        np.testing.assert_allclose(m.actions[t, 1], expected, rtol=1e-5, atol=1e-4)
    assert np.abs(m.actions[k - 1, 1] - policy.act(views[k - 1][None], 1)[0]).max() > 1e-3


def test_a_two_frame_agent_plays_the_same_one_game_in_the_table_and_the_play_tab():
    agent = Cloned(_two_frame_policy(), "two")
    with torch_threads(1):
        rows = list(evaluate(agent, [Still(), Random()], 6, openings=(0, 10)))
        for r in rows:
            if r.games == 1:
                m = record_match(*((agent, Still()) if r.side == 0 else (Still(), agent)))
                assert (r.wins, r.losses, r.mean_length) == (
                    int(m.winner == r.side),
                    int(m.winner == 1 - r.side),
                    m.length,
                )
    assert sum(r.games == 1 for r in rows) == 2


def test_a_table_stops_at_its_budget_whatever_it_plays():
    full = list(evaluate(Expert(), [Expert(), Still()], 10, openings=(0,)))
    quick = max(r.mean_length for r in full if r.opponent == "still")
    slow = min(r.mean_length for r in full if r.opponent == "expert")
    assert quick < slow
    ticks = iter(range(10**6))  # a clock that moves one second per step: a very slow network
    budget = (quick + slow) / 2
    rows = list(
        evaluate(
            Expert(),
            [Expert(), Still()],
            10,
            openings=(0,),
            budget=budget,
            clock=lambda: next(ticks),
        )
    )
    assert {r.opponent for r in rows} == {"still"} and len(rows) == 2, "only what finished"
    assert next(ticks) <= budget + 3, "stopped at the step the budget ran out"


def test_the_estimate_counts_the_games_and_the_networks_own_cost(shipped):
    from core.wrestling import play
    from core.wrestling.bc import Arch, BCPolicy, PolicyNet

    opponents = [Expert(), Random(), Still()]
    # the expert plays one game against each deterministic opponent from the fixed start
    games = 2 * (1 + 40) + 2 * (40 + 40) + 2 * (1 + 40)
    assert play.estimate_seconds(Expert(), opponents, 40) == (
        games * play.MEAN_GAME_STEPS * (play.GAME_STEP_SECONDS + play.AGENT_STEP_SECONDS)
    )
    large = Cloned(BCPolicy(PolicyNet(Arch((32, 64, 64), 256))))
    per_view = play.view_seconds(large)
    games_400 = 2 * (1 + 400) + 2 * (400 + 400) + 2 * (1 + 400)  # it is deterministic too
    assert per_view > 0 and play.view_seconds(large) == per_view, "measured once, then kept"
    assert play.estimate_seconds(large, opponents, 400) == (
        games_400 * play.MEAN_GAME_STEPS * (play.GAME_STEP_SECONDS + per_view)
    )


class _Counting:
    """Stands still, and notes how many games each call asked about (every place of the env)."""

    name = "counting"
    deterministic = False

    def __init__(self):
        self.sizes: list[int] = []

    def act(self, env, obs, player, rng, prev=None):
        self.sizes.append(len(obs))
        return np.zeros((len(obs), 2))


def test_a_table_holds_at_most_at_once_games_however_many_it_plays():
    counting = _Counting()
    rows = list(evaluate(Expert(), [counting, Still()], 12, openings=(0, 10), at_once=5))
    assert set(counting.sizes) == {5}, "the env never grows past its places"
    # every game was played to its end: 12 per pairing with a random player, 1 otherwise
    assert sorted(r.games for r in rows) == [1, 1, 12, 12, 12, 12, 12, 12]
    expert_vs_still = [r for r in rows if r.opponent == "still"]
    assert all(r.wins == r.games for r in expert_vs_still), "the expert pushes a still one out"
    assert all(1 <= r.mean_length < 500 for r in expert_vs_still)
    big = _Counting()
    list(evaluate(Expert(), [big], 12, openings=(10,), at_once=1000))
    assert set(big.sizes) == {24}, "fewer games than places: one place per game"


@pytest.mark.slow  # seconds of the fast loop; the whole suite runs it
def test_a_table_in_few_places_is_seeded_and_counts_its_games_right():
    def played(at_once):
        return table(list(evaluate(Expert(), [Random(), Still()], 10, seed=3, at_once=at_once)))

    first, again = played(4), played(4)
    assert first.equals(again), "the same seed, the same table"
    assert (first["games"] == [10, 10, 10, 10, 1, 1, 10, 10]).all()
    assert (first["wins"] + first["draws"] + first["losses"] == first["games"]).all()
    # the fixed-start game of two deterministic players does not depend on the places
    whole = played(1000)
    one = first["games"] == 1
    assert first[one].equals(whole[one])
    # the expert wins nearly every game against a random player, whatever the places
    assert first["win %"].min() > 80 and whole["win %"].min() > 80


def test_the_one_game_is_the_play_tabs_game_when_it_waits_for_a_place(shipped):
    agent = Cloned(shipped, "BC")
    with torch_threads(1):
        rows = list(evaluate(agent, [Random(), Still(), agent], 6, openings=(0,), at_once=4))
        solo = [r for r in rows if r.games == 1]
        for r in solo:
            opp = {"still": Still(), "BC": agent}[r.opponent]
            _is_the_recorded_match(r, agent, opp)
    assert len(solo) == 4


def test_a_table_polls_before_every_step_and_stops_at_the_flag():
    from core.cancel import Cancelled
    from tests.core.test_cancel import flips_after

    never = flips_after(10**9)
    full = list(evaluate(Expert(), [Expert(), Still()], 10, openings=(0,), should_stop=never))
    steps = max(round(r.mean_length) for r in full)  # the longest pairing's games
    assert steps <= never.polls <= steps + 1, "one poll per step"
    quick = max(r.mean_length for r in full if r.opponent == "still")
    stop, seen = flips_after(int(quick) + 2), []  # flips once the still pairings are over
    with pytest.raises(Cancelled):
        for row in evaluate(Expert(), [Expert(), Still()], 10, openings=(0,), should_stop=stop):
            seen.append(row)
    assert seen == [r for r in full if r.opponent == "still"], "what finished, whole and the same"
    assert stop.polls == int(quick) + 3, "stopped at the first poll after the flag flipped"
