"""Frame stacking: the previous view's rule, the two-frame network, and its data."""

import io

import numpy as np
import pytest
import torch

from core.wrestling import bc, expert
from core.wrestling.data import Dataset, step_in_episode
from core.wrestling.frames import LastViews

VALUES = np.array([0, 1, 4, 8, 10], dtype=np.uint8)


def _views(seed: int, n: int) -> np.ndarray:
    return np.random.default_rng(seed).choice(VALUES, size=(n, 2, 40, 40))


def test_the_previous_view_is_the_last_one_acted_on_else_the_current_one():
    memory = LastViews(3)
    a, b, c = _views(0, 3), _views(1, 3), _views(2, 3)
    every = np.arange(3)
    np.testing.assert_array_equal(memory.previous(a, 0, every), a)  # first step: no motion
    memory.remember(a, 0, np.array([0, 1]))  # game 2 is still in its random opening
    prev = memory.previous(b, 1, every).copy()
    np.testing.assert_array_equal(prev[:2], a[:2])
    np.testing.assert_array_equal(prev[2], b[2])  # its first step after the opening
    memory.remember(b, 1, np.array([1, 2]))  # game 0 sits a step out...
    prev = memory.previous(c, 2, every).copy()
    np.testing.assert_array_equal(prev[0], c[0])  # ...so its next step starts afresh
    np.testing.assert_array_equal(prev[1:], b[1:])
    memory.forget(np.array([1]))  # game 1 is reset
    np.testing.assert_array_equal(memory.previous(c, 2, every)[1], c[1])
    # only the rows asked for are brought up to date: a finished game costs nothing
    memory.remember(c, 2, every)
    np.testing.assert_array_equal(memory.previous(a, 5, np.array([0]))[1:], c[1:])


def _two_frame(seed: int = 0) -> bc.BCPolicy:
    torch.manual_seed(seed)
    return bc.BCPolicy(bc.PolicyNet(bc.Arch((8, 8), 16, pool=2, frames=2)))


def test_a_two_frame_network_reads_the_previous_view_with_the_same_colours():
    policy = _two_frame()
    assert policy.frames == 2 and policy.net.features[0].in_channels == 8
    v = _views(3, 5)
    now0, before0 = v[:, 0], v[:, 1]
    swap = np.where(v == 10, 8, np.where(v == 8, 10, v))
    now1, before1 = swap[:, 0], swap[:, 1]
    a = policy.act(now0, 0, before0)
    assert np.abs(a - policy.act(now0, 0)).max() > 1e-3  # the previous view matters...
    np.testing.assert_array_equal(policy.act(now0, 0), policy.act(now0, 0, now0))  # None: itself
    # ...and is normalised like the current one: player 1's views, swapped, act the same
    np.testing.assert_allclose(policy.act(now1, 1, before1), a, rtol=1e-5, atol=1e-4)
    np.testing.assert_allclose(policy.act(now1, np.ones(5, int), before1), a, rtol=1e-5, atol=1e-4)
    with torch.no_grad():  # the network's input: the current view's channels, then the previous'
        x = torch.cat([bc.encode(now0, 2), bc.encode(before0, 2)], dim=1)
        direct = bc.unscale_actions(policy.net(x)).double().numpy()
    np.testing.assert_allclose(a, direct, rtol=1e-5, atol=1e-4)


def test_weights_say_two_frames_and_one_frame_files_are_as_before():
    two = _two_frame()
    back = bc.load_weights(bc.save_weights(two))
    assert back.net.arch == two.net.arch and back.frames == 2
    v = _views(4, 3)
    np.testing.assert_allclose(back.act(v[:, 0], 0, v[:, 1]), two.act(v[:, 0], 0, v[:, 1]))
    # a one-frame file has exactly the keys it always had, and ignores a previous view
    torch.manual_seed(0)
    one = bc.BCPolicy(bc.PolicyNet(bc.Arch((8, 8), 16)))
    blob = torch.load(io.BytesIO(bc.save_weights(one)), weights_only=True)
    assert sorted(blob) == ["convs", "hidden", "pool", "state_dict"]
    np.testing.assert_array_equal(one.act(v[:, 0], 0, v[:, 1]), one.act(v[:, 0], 0))
    assert bc.load_weights(bc.save_weights(one)).frames == 1


def test_the_shipped_one_frame_files_load_as_one_frame(shipped):
    assert shipped.frames == 1 and shipped.net.features[0].in_channels == 4
    with pytest.raises(ValueError, match="frames must be 1 or 2"):
        bc.PolicyNet(bc.Arch(frames=3))


def test_expert_data_keep_the_previous_views_by_the_same_rule():
    data = expert.collect(1500, seed=5, previous=True)
    plain = expert.collect(1500, seed=5)
    np.testing.assert_array_equal(data.obs, plain.obs)  # the same games, only more kept
    np.testing.assert_array_equal(data.actions, plain.actions)
    assert plain.prev is None
    first = step_in_episode(data.episode) == 0  # first step after each opening
    np.testing.assert_array_equal(data.prev[first], data.obs[first])
    later = np.flatnonzero(~first)
    np.testing.assert_array_equal(data.prev[later], data.obs[later - 1])
    moved = (data.prev[later] != data.obs[later]).any(axis=(1, 2))
    assert moved.mean() > 0.95  # and the views do move from step to step


def test_a_two_frame_network_trains_only_on_data_with_previous_views():
    data = expert.collect(400, seed=6, previous=True)
    config = bc.TrainConfig(epochs=2, arch=bc.Arch((8, 8), 16, frames=2))
    events = list(bc.train(data, config))
    assert events[-1].policy.frames == 2 and np.isfinite(events[-1].val_loss)
    no_prev = Dataset(data.obs, data.actions, data.episode)
    with pytest.raises(ValueError, match="previous views"):
        list(bc.train(no_prev, config))
