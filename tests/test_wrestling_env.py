"""The wrestling env against recordings of the original engine, and its rules by hand."""

import numpy as np
import pytest

from core.wrestling.env import (
    WrestlingEnv,
    _pair_hash,
    observe,
    set_order_swapped,
)

REF = "reference/wrestling_parity.npz"
N_EPISODES = 24


@pytest.fixture(scope="module")
def ref(shared_dir):
    with np.load(shared_dir / REF, allow_pickle=False) as d:
        return {k: d[k] for k in d.files}


# --- parity with the original --------------------------------------------------------------------
@pytest.mark.parametrize("episode", range(N_EPISODES))
def test_replay_matches_original(ref, episode):
    s, t = ref["episode_start"][episode], ref["episode_start"][episode + 1]
    env = WrestlingEnv(1)
    obs = env.reset()
    for k in range(s, t):
        np.testing.assert_array_equal(obs[0], ref["obs"][k], err_msg=f"obs before step {k - s}")
        obs, reward, done, info = env.step(ref["actions"][k][None])
        for name in ("pos", "vel", "theta", "energy"):
            np.testing.assert_allclose(getattr(env, name)[0], ref[name][k], rtol=0, atol=1e-9)
        np.testing.assert_array_equal(reward[0], ref["reward"][k])
        assert done[0] == ref["done"][k]
    np.testing.assert_array_equal(obs[0], ref["obs_final"][episode])
    assert env.steps[0] == ref["length"][episode]
    assert info["winner"][0] == ref["winner"][episode]
    assert info["length"][0] == ref["length"][episode]


def test_all_episodes_as_one_batch_match_original(ref):
    """The 24 episodes side by side in one batch (the vectorised path) replay exactly too."""
    starts, lengths = ref["episode_start"], ref["length"]
    env = WrestlingEnv(N_EPISODES)
    obs = env.reset()
    for k in range(lengths.max()):
        live = k < lengths
        rows = starts[:-1] + np.minimum(k, lengths - 1)
        np.testing.assert_array_equal(obs[live], ref["obs"][rows[live]])
        obs, reward, done, info = env.step(np.where(live[:, None, None], ref["actions"][rows], 0))
        for name in ("pos", "vel", "theta", "energy"):
            np.testing.assert_allclose(getattr(env, name)[live], ref[name][rows[live]], atol=1e-9)
        np.testing.assert_array_equal(reward[live], ref["reward"][rows[live]])
        np.testing.assert_array_equal(done[live], ref["done"][rows[live]])
    np.testing.assert_array_equal(obs, ref["obs_final"])
    np.testing.assert_array_equal(env.winner, ref["winner"])
    np.testing.assert_array_equal(env.steps, lengths)


def test_observe_on_recorded_states(ref):
    """Views computed straight from every recorded state equal the recorded next views."""
    views = observe(ref["pos"], ref["theta"])
    for e in range(N_EPISODES):
        s, t = ref["episode_start"][e], ref["episode_start"][e + 1]
        np.testing.assert_array_equal(views[s : t - 1], ref["obs"][s + 1 : t])
        np.testing.assert_array_equal(views[t - 1], ref["obs_final"][e])


def test_set_order_matches_python():
    """The line's drawing direction follows CPython's order of a two-element set of points."""
    rng = np.random.default_rng(0)
    pts = rng.uniform(-100, 160, size=(3000, 2, 2))
    pts[:500] = np.round(pts[:500])  # integer-valued floats hash differently
    pts[500:600, :, 0] = -40.0
    swapped = set_order_swapped(
        _pair_hash(pts[:, 0, 0], pts[:, 0, 1]), _pair_hash(pts[:, 1, 0], pts[:, 1, 1])
    )
    for (p, q), sw in zip(pts.tolist(), swapped, strict=True):
        p, q = tuple(p), tuple(q)
        if p == q:
            continue
        assert (list(set([p, q]))[0] == q) == sw
