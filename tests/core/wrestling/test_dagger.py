"""DAgger: tiny-budget runs of the real thing, the expert's labels, beta mixing, visitation maps."""

import numpy as np
import pytest

from core.wrestling import bc, dagger, expert, play
from core.wrestling.data import Dataset

OPPONENTS = {"random": play.Random(), "still": play.Still(), "expert": play.Expert()}


@pytest.fixture(scope="module")
def small_policy() -> bc.BCPolicy:
    """A briefly trained small network: plays badly, which is what DAgger starts from."""
    data = expert.collect(300, seed=1)
    return bc.train_policy(data, bc.TrainConfig(epochs=1, arch=bc.Arch((8, 8), 16)))


def test_a_tiny_dagger_run_aggregates_learner_states_labelled_by_the_expert(small_policy):
    start = expert.collect(200, seed=2)
    config = dagger.DaggerConfig(
        iterations=1, games=6, max_steps=25, epochs=1, eval_games=1, max_pairs=10_000
    )
    events = list(dagger.dagger(small_policy, start, config, opponents=OPPONENTS))
    assert [(e.iteration, e.phase) for e in events] == [
        (0, "evaluate"),
        (1, "rollout"),
        (1, "label"),
        (1, "train"),
        (1, "evaluate"),
    ]
    assert events[-1].fraction == 1.0 and events[0].fraction == 0.0
    run, agg = events[2].rollout, events[2].data
    assert len(run) > 0 and len(agg) == len(start) + len(run)
    # the new pairs are the states the learner visited (it chose the actions taken there, beta=0)
    np.testing.assert_array_equal(agg.obs[-len(run) :], run.obs)
    np.testing.assert_allclose(run.taken, small_policy.act(run.obs, 0), atol=1e-4)
    # ...labelled with the expert's action in the recorded true state
    np.testing.assert_allclose(agg.actions[-len(run) :], run.labels, atol=1e-4)
    i = len(run) // 2
    s = int(run.side[i])
    one = expert.expert_action(run.pos[i : i + 1], run.vel[i : i + 1], run.theta[i : i + 1], s)
    np.testing.assert_allclose(agg.actions[len(start) + i], one[0], atol=1e-4)
    np.testing.assert_allclose(dagger.label(run), run.labels)
    # the learner differs from the expert there: otherwise there would be nothing to learn
    assert np.abs(run.taken - run.labels).max() > 1.0
    # evaluation: every opponent, both sides, with game counts
    table = events[-1].results
    assert {(r["opponent"], r["side"]) for r in table} == {
        (o, s) for o in OPPONENTS for s in (0, 1)
    }
    assert all(r["wins"] + r["draws"] + r["losses"] == r["games"] == 1 for r in table)
    assert events[3].policy is not small_policy and np.isfinite(events[3].loss)
    assert set(events[-1].win_rates()) == set(OPPONENTS)


def test_beta_one_rollouts_are_the_experts_own_games(small_policy):
    kw = dict(games=6, seed=3, opening=4, max_steps=60)
    mixed = dagger.rollout(small_policy, OPPONENTS, beta=1.0, **kw)
    own = dagger.rollout(None, OPPONENTS, **kw)
    np.testing.assert_array_equal(mixed.pos, own.pos)
    np.testing.assert_array_equal(mixed.winner, own.winner)
    np.testing.assert_allclose(mixed.taken, mixed.labels)
    np.testing.assert_array_equal(mixed.obs, own.obs)


def test_beta_decays_per_iteration():
    config = dagger.DaggerConfig(beta=0.8, beta_decay=0.5)
    assert [dagger.beta_at(config, i) for i in (1, 2, 3)] == [0.8, 0.4, 0.2]


def test_the_aggregate_keeps_a_bounded_uniform_sample():
    rng = np.random.default_rng(0)

    def chunk(n, value):
        return Dataset(
            np.full((n, 40, 40), value, np.uint8), np.zeros((n, 2), np.float32), np.zeros(n, int)
        )

    agg = dagger.aggregate(None, chunk(300, 0), 400, rng)
    agg = dagger.aggregate(agg, chunk(300, 1), 400, rng)
    assert len(agg) == 400 and agg.seen == 600
    share_new = float((agg.data.obs[:, 0, 0] == 1).mean())
    assert 0.35 < share_new < 0.65  # both chunks kept in proportion, not newest-only


def test_visitation_maps_count_every_visited_state(small_policy):
    v = dagger.visitation(small_policy, "BC", play.Still(), games=4, seed=0)
    counts, xs, ys = dagger.heat_map(v.pos, cells=12)
    assert counts.shape == (12, 12) and counts.sum() == len(v.pos) > 0
    assert len(v.edge) == len(v.energy) == len(v.lost_out) == len(v.pos)
    assert (v.edge >= -30).all() and (v.edge <= 200).all()


def test_losing_states_are_the_last_steps_before_leaving_the_ring():
    # a policy that always backs away at full force leaves the ring on its own
    class Reverse:
        def act(self, obs, player=0, prev=None):
            return np.tile([-100.0, 0.0], (len(obs), 1))

    v = dagger.visitation(Reverse(), "reverse", play.Still(), games=4, seed=0, opening=0)
    assert (v.winner == 1 - v.sides).all()
    assert v.lost_out.sum() == 4 * dagger.LAST_STEPS
    assert (v.edge[v.lost_out] < 50).all() and (v.edge[~v.lost_out] > 0).all()


@pytest.mark.slow  # seconds of the fast loop; the whole suite runs it
def test_the_shown_code_runs_with_a_tiny_budget():
    scope = {"n_pairs": 200, "iterations": 1, "games": 4, "epochs": 1}
    exec(dagger.DAGGER_SNIPPET, scope)
    assert len(scope["data"]) > 200
    assert isinstance(scope["policy"], bc.BCPolicy)


@pytest.mark.slow  # seconds of the fast loop; the whole suite runs it
def test_a_two_frame_learner_plays_and_records_its_previous_views():
    data = expert.collect(300, seed=1, previous=True)
    config = bc.TrainConfig(epochs=1, arch=bc.Arch((8, 8), 16, frames=2))
    policy = bc.train_policy(data, config)
    run = dagger.rollout(policy, OPPONENTS, games=6, seed=4, opening=5, max_steps=30)
    assert run.prev is not None and run.prev.shape == run.obs.shape
    for i in range(len(run)):  # the view of the step before in its game, or its own at the first
        before = (run.game == run.game[i]) & (run.step == run.step[i] - 1)
        expected = run.obs[before][0] if before.any() else run.obs[i]
        np.testing.assert_array_equal(run.prev[i], expected)
    np.testing.assert_allclose(run.taken, policy.act(run.obs, 0, run.prev), atol=1e-4)
    # aggregated with the expert's data (both with previous views), it retrains
    events = list(
        dagger.dagger(
            policy, data, dagger.DaggerConfig(1, 6, max_steps=20, epochs=1, eval_games=1), OPPONENTS
        )
    )
    assert events[2].data.prev is not None and len(events[2].data.prev) == len(events[2].data)
    assert events[-1].policy.frames == 2


def test_a_flag_stops_dagger_inside_each_phase_and_keeps_the_events_already_out(small_policy):
    from core.cancel import Cancelled
    from tests.core.test_cancel import flips_after

    start = expert.collect(200, seed=2)
    config = dagger.DaggerConfig(
        iterations=1, games=6, max_steps=25, epochs=2, eval_games=1, batch_size=64
    )
    never = flips_after(10**9)
    full = list(dagger.dagger(small_policy, start, config, OPPONENTS, never))
    phases = [e.phase for e in full]
    assert phases == ["evaluate", "rollout", "label", "train", "evaluate"]
    # every game step of the three rollouts and every batch of the two epochs polls once
    total = never.polls
    assert total > 3 * 10
    for flip in (2, total // 2, total - 2):  # in the first evaluation, mid-run, the last one
        stop, seen = flips_after(flip), []
        with pytest.raises(Cancelled):
            for ev in dagger.dagger(small_policy, start, config, OPPONENTS, stop):
                seen.append(ev)
        assert stop.polls == flip + 1, "nothing ran after the flag flipped"
        assert [e.phase for e in seen] == phases[: len(seen)] and len(seen) < len(phases)
        # what came out is whole: the same events as the full run's
        for a, b in zip(seen, full, strict=False):
            assert (a.iteration, a.phase, a.data_size, a.results) == (
                b.iteration,
                b.phase,
                b.data_size,
                b.results,
            )


def test_finetune_polls_every_batch_and_leaves_the_policy_alone(small_policy):
    from core.cancel import Cancelled
    from tests.core.test_cancel import flips_after

    data = expert.collect(300, seed=4)
    before = {k: v.clone() for k, v in small_policy.net.state_dict().items()}
    never = flips_after(10**9)
    list(dagger.finetune(small_policy, data, epochs=2, batch_size=64, should_stop=never))
    assert never.polls == 1 + 2 * -(-len(data) // 64)  # encoding (one chunk), every batch
    stop = flips_after(3)
    with pytest.raises(Cancelled):
        list(dagger.finetune(small_policy, data, epochs=2, batch_size=64, should_stop=stop))
    assert stop.polls == 4
    for k, v in small_policy.net.state_dict().items():
        assert (v == before[k]).all(), "the warm start's policy is never written to"
