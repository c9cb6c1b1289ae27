"""The wrestling env against recordings of the original engine, and its rules by hand.

Two halves are kept equal bit for bit: the readable rules (core/wrestling/rules.py: advance,
observe_dense, line_cells) and the fast engine (core/wrestling/fast/: views.observe with
row_masks and lines, set_order, the single-environment path in single.py).
"""

import numpy as np
import pytest

from core.wrestling.env import WrestlingEnv
from core.wrestling.fast.set_order import pair_hash, set_order_swapped
from core.wrestling.fast.views import observe
from core.wrestling.rules import MAX_STEPS, OBS_SIZE, WrestlingState, initial_state, observe_dense

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


@pytest.mark.parametrize("views_of", [observe, observe_dense], ids=["fast", "plain"])
def test_observe_on_recorded_states(ref, views_of):
    """Views computed straight from every recorded state equal the recorded next views."""
    views = views_of(ref["pos"], ref["theta"])
    for e in range(N_EPISODES):
        s, t = ref["episode_start"][e], ref["episode_start"][e + 1]
        np.testing.assert_array_equal(views[s : t - 1], ref["obs"][s + 1 : t])
        np.testing.assert_array_equal(views[t - 1], ref["obs_final"][e])


def test_set_order_matches_python():
    """fast/set_order.py gives CPython's order of a two-point set (a line's drawing direction)."""
    rng = np.random.default_rng(0)
    pts = rng.uniform(-100, 160, size=(3000, 2, 2))
    pts[:500] = np.round(pts[:500])  # integer-valued floats hash differently
    pts[500:600, :, 0] = -40.0
    swapped = set_order_swapped(
        pair_hash(pts[:, 0, 0], pts[:, 0, 1]), pair_hash(pts[:, 1, 0], pts[:, 1, 1])
    )
    for (p, q), sw in zip(pts.tolist(), swapped, strict=True):
        p, q = tuple(p), tuple(q)
        if p == q:
            continue
        assert (list(set([p, q]))[0] == q) == sw


# --- fast/views.observe against its plain twin rules.observe_dense, on awkward states -------------
def _awkward_states(n: int, seed: int = 0):
    """Random states plus exact-looking ones: integer/half positions, axis headings, contacts."""
    rng = np.random.default_rng(seed)
    pos = rng.uniform(90, 510, (n, 2, 2))
    theta = rng.uniform(-1000, 1000, (n, 2))
    k = n // 2
    pos[:k] = np.round(pos[:k] * 2) / 2
    theta[:k] = rng.integers(-8, 9, (k, 2)) * 45.0
    q = n // 4
    ang = rng.uniform(0, 2 * np.pi, q)
    pos[:q, 1] = pos[:q, 0] + 40 * np.stack([np.cos(ang), np.sin(ang)], 1)
    return pos, theta


def test_fast_views_equal_cell_by_cell_views():
    """fast/views.py (row masks, batched DDA, hashed set order) equals rules.observe_dense."""
    pos, theta = _awkward_states(600)
    np.testing.assert_array_equal(observe(pos, theta), observe_dense(pos, theta))


def test_views_of_overlapping_agents_far_from_the_ring():
    """Off-ring and overlapping agents: culling and the opponent-over-self paint order."""
    rng = np.random.default_rng(5)
    n = 400
    pos = np.empty((n, 2, 2))
    pos[:, 0] = rng.uniform(-200, 800, (n, 2))
    ang, r = rng.uniform(0, 2 * np.pi, n), rng.uniform(0, 40, n)
    pos[:, 1] = pos[:, 0] + r[:, None] * np.stack([np.cos(ang), np.sin(ang)], 1)
    theta = np.round(rng.uniform(-400, 400, (n, 2)) / 45) * 45
    dense = observe_dense(pos, theta)
    np.testing.assert_array_equal(observe(pos, theta), dense)
    for i in range(0, n, 10):
        np.testing.assert_array_equal(observe(pos[i : i + 1], theta[i : i + 1])[0], dense[i])


def test_views_where_a_line_is_a_single_point():
    """A line ending exactly on the view's border is one cell of value 1 (line 0 and line 1)."""
    pos = np.array([[[500.0, 360.0], [300.0, 550.0]], [[500.0, 345.0], [310.0, 550.0]]])
    theta = np.array([[0.0, 90.0], [360.0, 450.0]])
    fast, dense = observe(pos, theta), observe_dense(pos, theta)
    np.testing.assert_array_equal(fast, dense)
    # Player 0 sees line 0's end on its back border, player 1 line 1's: one cell each, value 1.
    assert (dense[:, :, OBS_SIZE - 1] == 1).sum(-1).tolist() == [[1, 1], [1, 1]]
    for e in range(2):
        np.testing.assert_array_equal(observe(pos[e : e + 1], theta[e : e + 1])[0], dense[e])


def test_single_env_views_equal_batched_views():
    """fast/single.py's plain-Python view equals the batched one."""
    pos, theta = _awkward_states(120, seed=1)
    batched = observe(pos, theta)
    for i in range(len(pos)):
        np.testing.assert_array_equal(observe(pos[i : i + 1], theta[i : i + 1])[0], batched[i])


# --- the rules, with numbers worked out by hand ------------------------------------------------------
def _env_with(pos, vel=((0, 0), (0, 0)), theta=(90.0, -90.0), energy=(1000.0, 1000.0), **kw):
    env = WrestlingEnv(1, **kw)
    st = initial_state(1)
    st.pos[0], st.vel[0], st.theta[0], st.energy[0] = pos, vel, theta, energy
    env.set_state(st)
    return env


def test_first_push_from_rest_does_not_move():
    env = WrestlingEnv(1)
    env.step([[200.0, 0.0], [0.0, 0.0]])
    np.testing.assert_array_equal(env.pos[0, 0], [300.0, 200.0])  # moved with the old velocity 0
    np.testing.assert_allclose(env.vel[0, 0], [0.0, 20.0], atol=1e-12)  # 200 * 0.1 along 90 deg
    env.step([[200.0, 0.0], [0.0, 0.0]])
    np.testing.assert_allclose(env.pos[0, 0], [300.0, 202.0], atol=1e-12)  # 20 px/s * 0.1 s


def test_speed_cap_and_energy_by_hand():
    env = WrestlingEnv(1)
    ys, speeds, energies = [], [], []
    for _ in range(7):
        env.step([[200.0, 0.0], [0.0, 0.0]])
        ys.append(env.pos[0, 0, 1])
        speeds.append(np.hypot(*env.vel[0, 0]))
        energies.append(env.energy[0, 0])
    # v grows 20 px/s per step up to the cap of 100; position lags one step behind.
    np.testing.assert_allclose(speeds, [20, 40, 60, 80, 100, 100, 100], atol=1e-9)
    np.testing.assert_allclose(ys, [200, 202, 206, 212, 220, 230, 240], atol=1e-9)
    # E -= (|F| |v| / 50 - 200) * 0.1, capped at 1000: +12, +4, -4, -12, -20, -20, -20.
    np.testing.assert_allclose(energies, [1000, 1000, 996, 984, 964, 944, 924], atol=1e-9)
    np.testing.assert_array_equal(env.energy[0, 1], 1000.0)  # idle: recovers, stays capped


def test_energy_runs_out_then_agent_is_frozen():
    # Energy 5 at full speed and force: 5 - (200 * 100 / 50 - 200) * 0.1 = -15 -> -1.
    env = _env_with(
        ((300.0, 300.0), (300.0, 500.0)), vel=((0.0, 100.0), (0.0, 0.0)), energy=(5, 1000)
    )
    env.step([[200.0, 0.0], [0.0, 0.0]])
    assert env.energy[0, 0] == -1.0 and env.fatigued[0, 0]
    before_vel, before_theta = env.vel[0, 0].copy(), env.theta[0, 0]
    before_pos = env.pos[0, 0].copy()
    env.step([[-100.0, 30.0], [0.0, 0.0]])  # ignored: no force, no turn
    assert env.theta[0, 0] == before_theta
    np.testing.assert_array_equal(env.vel[0, 0], before_vel)
    np.testing.assert_allclose(env.pos[0, 0], before_pos + before_vel * 0.1, atol=1e-12)
    assert env.energy[0, 0] == -1.0


def test_out_of_ring_at_distance_180_and_winner():
    # Player 1 straight below the centre, 10 px/step outwards: 178 -> 179.9 is in, 180 is out.
    env = _env_with(((300.0, 350.0), (300.0, 528.0)), vel=((0.0, 0.0), (0.0, 19.0)))
    obs, reward, done, info = env.step(np.zeros((1, 2, 2)))
    assert env.pos[0, 1, 1] == pytest.approx(529.9) and not done[0] and info["winner"][0] == -2
    env = _env_with(((300.0, 350.0), (300.0, 529.0)), vel=((0.0, 0.0), (0.0, 10.0)))
    obs, reward, done, info = env.step(np.zeros((1, 2, 2)))
    assert env.pos[0, 1, 1] == 530.0 and done[0] and env.out[0].tolist() == [False, True]
    assert reward[0].tolist() == [1.0, 0.0] and info["winner"][0] == 0 and info["length"][0] == 1


def test_both_out_in_the_same_step_is_a_draw():
    env = _env_with(((300.0, 171.0), (300.0, 529.0)), vel=((0.0, -10.0), (0.0, 10.0)))
    _, reward, done, info = env.step(np.zeros((1, 2, 2)))
    assert done[0] and reward[0].tolist() == [0.0, 0.0] and info["winner"][0] == -1


def test_timeout_at_500_steps_is_a_draw():
    env = WrestlingEnv(1)
    for t in range(1, MAX_STEPS + 1):
        _, reward, done, info = env.step(np.zeros((1, 2, 2)))
        assert done[0] == (t == MAX_STEPS)
    assert info["winner"][0] == -1 and info["length"][0] == 500 and reward[0].tolist() == [0, 0]


def test_auto_reset_reports_the_finished_episode():
    env = WrestlingEnv(2, auto_reset=True)
    st = env.get_state()
    st.pos[0] = [(300.0, 350.0), (300.0, 529.0)]
    st.vel[0] = [(0.0, 0.0), (0.0, 10.0)]
    env.set_state(st)
    terminal_view = observe(np.array([[(300.0, 350.0), (300.0, 530.0)]]), st.theta[:1])[0]
    obs, reward, done, info = env.step(np.zeros((2, 2, 2)))
    assert done.tolist() == [True, False]
    assert info["winner"].tolist() == [0, -2] and info["length"].tolist() == [1, 1]
    np.testing.assert_array_equal(info["final_obs"][0], terminal_view)
    np.testing.assert_array_equal(obs[0], WrestlingEnv(1).reset()[0])  # new episode's first view
    np.testing.assert_array_equal(obs[1], info["final_obs"][1])
    assert env.steps.tolist() == [0, 1] and not env.done.any()
    np.testing.assert_array_equal(env.pos[0], initial_state(1).pos[0])
    assert reward[0].tolist() == [1.0, 0.0]


def test_without_auto_reset_a_finished_env_stays_frozen():
    env = _env_with(((300.0, 350.0), (300.0, 529.0)), vel=((0.0, 0.0), (0.0, 10.0)))
    obs, _, done, _ = env.step(np.zeros((1, 2, 2)))
    snap = env.get_state()
    obs2, reward, done2, info = env.step(np.full((1, 2, 2), 50.0))
    assert done2[0] and not info["active"][0] and reward[0].tolist() == [0.0, 0.0]
    np.testing.assert_array_equal(env.pos, snap.pos)
    np.testing.assert_array_equal(obs2, obs)
    env.reset(mask=np.array([True]))
    assert not env.done[0] and env.steps[0] == 0


def test_strict_mode_raises_and_default_clips():
    for bad in ([[200.5, 0.0], [0.0, 0.0]], [[0.0, 0.0], [0.0, -30.01]], [[np.nan, 0], [0, 0]]):
        with pytest.raises(ValueError):
            WrestlingEnv(1, strict=True).step(bad)
    clipped, exact = WrestlingEnv(1), WrestlingEnv(1)
    for _ in range(3):
        clipped.step([[500.0, 45.0], [-300.0, -90.0]])
        exact.step([[200.0, 30.0], [-100.0, -30.0]])
    for name in ("pos", "vel", "theta", "energy"):
        np.testing.assert_array_equal(getattr(clipped, name), getattr(exact, name))
    # Like the original, a fatigued agent's action is not checked.
    env = _env_with(((300.0, 300.0), (300.0, 500.0)), energy=(-1.0, 1000.0), strict=True)
    env.step([[999.0, 99.0], [0.0, 0.0]])


def test_batch_equals_episodes_run_one_at_a_time():
    """rules.advance (batched) and fast/single.advance_one give the same states and views."""
    rng = np.random.default_rng(7)
    n, horizon = 12, 60
    actions = rng.uniform([-100, -30], [200, 30], size=(horizon, n, 2, 2))
    batch = WrestlingEnv(n)
    b_obs = [batch.reset()]
    for t in range(horizon):
        b_obs.append(batch.step(actions[t])[0])
    for i in range(n):
        one = WrestlingEnv(1)
        o = one.reset()
        for t in range(horizon):
            np.testing.assert_array_equal(o[0], b_obs[t][i])
            o = one.step(actions[t, i : i + 1])[0]
        for name in ("pos", "vel", "theta", "energy", "steps", "done", "winner"):
            np.testing.assert_array_equal(getattr(one, name)[0], getattr(batch, name)[i])


def _random_run(env: WrestlingEnv, reuse: bool, auto_reset: bool):
    """Step env 80 times with random actions; yields each step's (obs, info, done)."""
    rng = np.random.default_rng(3)
    for a in rng.uniform([-100, -30], [200, 30], size=(80, 16, 2, 2)):
        obs, _, done, info = env.step(a, reuse=reuse)
        yield obs, info, done
        if not auto_reset and done.sum() > 8:
            env.reset(done)


@pytest.mark.parametrize("auto_reset", [True, False])
def test_returned_observations_are_never_overwritten(auto_reset):
    """Without reuse=True, step() never writes into an array it returned (views included)."""
    held = []
    env = WrestlingEnv(16, auto_reset=auto_reset)
    for k, (obs, info, _) in enumerate(_random_run(env, False, auto_reset)):
        if k % 5 == 0:  # hold whole arrays and views, with copies to check them against
            held.append((obs, obs.copy(), info["final_obs"][3:9], info["final_obs"][3:9].copy()))
    for obs, obs_then, view, view_then in held:
        np.testing.assert_array_equal(obs, obs_then)
        np.testing.assert_array_equal(view, view_then)


@pytest.mark.parametrize("auto_reset", [True, False])
def test_reused_observation_arrays_give_the_same_views(auto_reset):
    """With reuse=True, step() writes into the arrays handed back: same views, few arrays."""
    kept = WrestlingEnv(16, auto_reset=auto_reset)
    reused = WrestlingEnv(16, auto_reset=auto_reset)
    arrays = []  # every array reused returned, kept alive so that identities stay unique
    for (obs, info, done), (r_obs, r_info, r_done) in zip(
        _random_run(kept, False, auto_reset), _random_run(reused, True, auto_reset), strict=True
    ):
        np.testing.assert_array_equal(r_obs, obs)
        np.testing.assert_array_equal(r_info["final_obs"], info["final_obs"])
        np.testing.assert_array_equal(r_done, done)
        arrays += [r_obs, r_info["final_obs"]]
    assert len({id(a) for a in arrays}) <= 6  # written again, not 80 or 160 new arrays
    assert len(reused._pool.free) <= reused._pool.keep


def test_a_partial_reset_with_reuse_writes_into_a_handed_back_array():
    """reset(mask, reuse=True): the same views as without reuse, in an array handed back; an
    array the caller still holds is never written."""
    rng = np.random.default_rng(5)
    kept, reused = WrestlingEnv(6), WrestlingEnv(6)
    held = kept.reset()
    reused.reset()
    for _ in range(4):
        a = rng.uniform([-100, -30], [200, 30], (6, 2, 2))
        obs, _, _, _ = kept.step(a)
        r_obs, _, _, _ = reused.step(a, reuse=True)
    held_then = held.copy()
    mask = np.array([True, False, False, True, False, False])
    obs2 = kept.reset(mask)
    known = [r_obs, *reused._pool.free]  # the arrays the reused env has made so far
    r_obs2 = reused.reset(mask, reuse=True)
    np.testing.assert_array_equal(r_obs2, obs2)
    np.testing.assert_array_equal(obs2[0], WrestlingEnv(1).reset()[0])
    np.testing.assert_array_equal(obs2[1], obs[1])  # the others keep their views
    assert obs2 is not obs and not np.shares_memory(obs2, obs), "without reuse: a new array"
    assert any(r_obs2 is b for b in known), "with reuse: written into an array handed back"
    np.testing.assert_array_equal(held, held_then)
    assert reused.steps.tolist() == [0, 4, 4, 0, 4, 4] == kept.steps.tolist()


def test_state_snapshot_and_restore():
    env = WrestlingEnv(3)
    env.step(np.full((3, 2, 2), 20.0))
    snap = env.get_state()
    obs_a = env.step(np.full((3, 2, 2), 10.0))[0]
    env.set_state(snap)
    obs_b = env.step(np.full((3, 2, 2), 10.0))[0]
    np.testing.assert_array_equal(obs_a, obs_b)
    assert isinstance(snap[1], WrestlingState) and snap[1].pos.shape == (1, 2, 2)


# --- the Jidi interface -------------------------------------------------------------------------------
def test_jidi_wrapper_plays_a_jidi_controller_unchanged():
    from core.wrestling.jidi import JidiWrestling, run_match

    seen = []

    def my_controller(observation, action_space, is_act_continuous=True):
        seen.append(observation)
        force = [float(action_space[0].high)]  # full force straight ahead
        return [force, [0.0]]

    result = run_match([my_controller, my_controller])
    first = seen[0]
    assert set(first) == {"obs", "controlled_player_index"}
    assert first["obs"]["id"] == "team_0" and seen[1]["obs"]["id"] == "team_1"
    assert first["obs"]["agent_obs"].shape == (40, 40)
    assert set(np.unique(first["obs"]["agent_obs"])) <= {0, 1, 4, 8, 10}
    # Head-on at full force is the recorded "headon" episode: a draw after 443 steps.
    assert result == {"winner": "-1", "steps": 443, "reward": [0.0, 0.0]}

    game = JidiWrestling()
    space = game.get_single_action_space(1)
    assert (space[0].low, space[0].high, space[0].shape) == (-100.0, 200.0, (1,))
    assert (space[1].low, space[1].high) == (-30.0, 30.0)
    obs, reward, done, _, _ = game.step([[np.array([-100.0]), (0.0,)], [[0.0], [0.0]]])
    assert reward == [0.0, 0.0] and not done and obs[1]["controlled_player_index"] == 1
    with pytest.raises(ValueError):
        game.step([[[0.0], [0.0]]])
