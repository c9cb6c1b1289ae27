"""Behaviour cloning: encoding, bounded outputs, a falling loss, weights round trip."""

import io

import numpy as np
import pytest
import torch

from core.wrestling import bc
from core.wrestling.data import Dataset, load_zip


def test_encoding_is_one_hot_per_meaning():
    v = np.array([[0, 1, 4, 8, 10]], dtype=np.uint8)
    x = bc.encode(v[None])  # (1, 4, 1, 5)
    # channels: self (10), opponent (8), ring (1), lines (4); empty cells are all zero
    expected = [[0, 0, 0, 0, 1], [0, 0, 0, 1, 0], [0, 1, 0, 0, 0], [0, 0, 1, 0, 0]]
    np.testing.assert_array_equal(x[0, :, 0].numpy(), expected)


def test_scaling_maps_the_ranges_onto_minus_one_one():
    a = np.array([[-100.0, -30.0], [200.0, 30.0], [50.0, 0.0]])
    y = bc.scale_actions(a)
    np.testing.assert_allclose(y.numpy(), [[-1, -1], [1, 1], [0, 0]])
    np.testing.assert_allclose(bc.unscale_actions(y).numpy(), a)


def test_outputs_stay_inside_the_game_ranges_even_for_huge_weights():
    torch.manual_seed(0)
    policy = bc.BCPolicy(bc.PolicyNet())
    with torch.no_grad():
        for p in policy.net.parameters():
            p.mul_(1000)
    rng = np.random.default_rng(0)
    obs = rng.choice(np.array([0, 1, 4, 8, 10], dtype=np.uint8), size=(50, 40, 40))
    a = policy.act(obs)
    assert a.shape == (50, 2)
    assert (a[:, 0] >= -100).all() and (a[:, 0] <= 200).all()
    assert (a[:, 1] >= -30).all() and (a[:, 1] <= 30).all()


def test_player_one_sees_itself_as_ten():
    torch.manual_seed(0)
    policy = bc.BCPolicy(bc.PolicyNet())
    rng = np.random.default_rng(1)
    view0 = rng.choice(np.array([0, 1, 4, 8, 10], dtype=np.uint8), size=(5, 40, 40))
    view1 = np.where(view0 == 10, 8, np.where(view0 == 8, 10, view0))
    np.testing.assert_allclose(policy.act(view0, 0), policy.act(view1, 1))
    # one player for every row swaps channels; a player per row swaps the cells: the same
    np.testing.assert_allclose(policy.act(view1, np.ones(5, int)), policy.act(view1, 1))
    with torch.no_grad():  # and both are the network on encode()'s input
        direct = bc.unscale_actions(policy.net(bc.encode(view0, policy.net.arch.pool)))
    np.testing.assert_allclose(policy.act(view0, 0), direct.double().numpy(), rtol=1e-5, atol=1e-4)


def test_loss_falls_on_the_course_data_and_beats_the_mean(course_data_zip):
    full = load_zip(course_data_zip)
    keep = full.episode < 40  # a sixth of the episodes keeps the test short
    data = Dataset(full.obs[keep], full.actions[keep], full.episode[keep])
    cfg = bc.TrainConfig(epochs=3, batch_size=64, val_fraction=0.2, arch=bc.Arch((8, 16), 32))
    events = list(bc.train(data, cfg))
    assert [e.epoch for e in events] == [1, 2, 3]
    assert events[-1].policy is not None
    assert events[-1].train_loss < events[0].train_loss
    assert all(np.isfinite(e.val_loss) for e in events)
    # held-out episodes: clearly better than always predicting the mean action
    assert events[-1].val_loss < 0.5 * events[-1].val_baseline


def test_training_is_reproducible_with_the_seed():
    rng = np.random.default_rng(0)
    obs = rng.choice(np.array([0, 1, 4, 8, 10], dtype=np.uint8), size=(40, 40, 40))
    act = np.stack([rng.uniform(-100, 200, 40), rng.uniform(-30, 30, 40)], 1).astype(np.float32)
    data = Dataset(obs, act, np.arange(40) // 4)
    cfg = bc.TrainConfig(epochs=2, arch=bc.Arch((4, 4), 8))
    a = [e.train_loss for e in bc.train(data, cfg)]
    b = [e.train_loss for e in bc.train(data, cfg)]
    assert a == b


def test_weights_round_trip_with_weights_only():
    torch.manual_seed(0)
    policy = bc.BCPolicy(bc.PolicyNet(bc.Arch((8, 8), 16)))
    back = bc.load_weights(bc.save_weights(policy))
    assert back.net.arch == bc.Arch((8, 8), 16)
    obs = np.zeros((3, 40, 40), np.uint8)
    obs[:, 30:34, 18:22] = 10
    np.testing.assert_allclose(back.act(obs), policy.act(obs))


def test_weights_saved_before_pooling_load_unpooled():
    torch.manual_seed(0)
    net = bc.PolicyNet(bc.Arch((8,), 16, pool=1))
    buf = io.BytesIO()  # the format before `pool`: no such key
    torch.save({"state_dict": net.state_dict(), "convs": [8], "hidden": 16}, buf)
    assert bc.load_weights(buf.getvalue()).net.arch == bc.Arch((8,), 16, 1)


def test_training_encodes_once_exactly_as_playing_does():
    rng = np.random.default_rng(4)
    views = rng.choice(np.array([0, 1, 4, 8, 10], dtype=np.uint8), size=(7, 40, 40))
    for pool in (1, 2, 4):
        counts = bc.block_counts(views, pool)
        assert counts.dtype == torch.uint8 and counts.shape == (7, 40 // pool, 40 // pool, 4)
        batch = bc.from_counts(counts, pool)
        assert batch.is_contiguous(memory_format=torch.channels_last)
        torch.testing.assert_close(batch, bc.encode(views, pool), rtol=0, atol=0)


def test_pooled_encoding_is_the_share_of_each_block():
    v = np.zeros((1, 40, 40), np.uint8)
    v[0, 0, 0] = v[0, 0, 1] = v[0, 1, 0] = 10  # three of the first 2 x 2 block are self
    v[0, 1, 1] = 4  # and one is a line
    x = bc.encode(v, 2)
    assert x.shape == (1, 4, 20, 20)
    np.testing.assert_allclose(x[0, :, 0, 0].numpy(), [0.75, 0, 0, 0.25])
    assert x[0, :, 1:, :].sum() == 0 and x[0, :, :, 1:].sum() == 0


def test_the_snippet_runs_the_default_network():
    scope: dict = {}
    exec(bc.TRAIN_SNIPPET, scope)
    shown = [tuple(p.shape) for p in scope["net"].parameters()]
    assert shown == [tuple(p.shape) for p in bc.PolicyNet(bc.TrainConfig().arch).parameters()]
    size = 40 // bc.TrainConfig().arch.pool
    assert scope["x"].shape[1:] == (4, size, size)
    assert scope["optimizer"].defaults["lr"] == bc.TrainConfig().lr
    assert -100 <= float(scope["force"]) <= 200 and -30 <= float(scope["turn"]) <= 30


def test_training_restores_the_callers_thread_count():
    rng = np.random.default_rng(2)
    obs = rng.choice(np.array([0, 1, 4, 8, 10], dtype=np.uint8), size=(24, 40, 40))
    act = np.zeros((24, 2), np.float32)
    data = Dataset(obs, act, np.arange(24) // 4)
    before = torch.get_num_threads()
    torch.set_num_threads(2)  # the caller's setting; training runs on one thread inside
    try:
        events = list(bc.train(data, bc.TrainConfig(epochs=2, arch=bc.Arch((4,), 8))))
        assert torch.get_num_threads() == 2
    finally:
        torch.set_num_threads(before)
    # the policy handed out is in the ordinary memory layout and saves and loads unchanged
    net = events[-1].policy.net
    assert all(p.is_contiguous() for p in net.parameters())
    back = bc.load_weights(bc.save_weights(events[-1].policy))
    np.testing.assert_allclose(back.act(obs), events[-1].policy.act(obs), rtol=1e-6, atol=1e-5)


def test_one_cycle_and_a_constant_rate_train_differently_from_the_same_start():
    rng = np.random.default_rng(3)
    obs = rng.choice(np.array([0, 1, 4, 8, 10], dtype=np.uint8), size=(64, 40, 40))
    act = np.stack([rng.uniform(-100, 200, 64), rng.uniform(-30, 30, 64)], 1).astype(np.float32)
    data = Dataset(obs, act, np.arange(64) // 8)
    arch = bc.Arch((4, 4), 8)
    cycle = [e.train_loss for e in bc.train(data, bc.TrainConfig(epochs=3, arch=arch))]
    flat = bc.TrainConfig(epochs=3, arch=arch, one_cycle=False)
    constant = [e.train_loss for e in bc.train(data, flat)]
    # one batch per epoch: the first step is the same loss, the later ones differ with the rate
    assert cycle[0] == constant[0]
    assert cycle[1:] != constant[1:]


def test_training_polls_before_every_batch_and_stops_at_the_next_one():
    from core.cancel import Cancelled
    from core.wrestling.data import split_by_episode
    from tests.core.test_cancel import flips_after

    rng = np.random.default_rng(1)
    obs = rng.choice(np.array([0, 1, 4, 8, 10], dtype=np.uint8), size=(200, 40, 40))
    act = np.stack([rng.uniform(-100, 200, 200), rng.uniform(-30, 30, 200)], 1)
    data = Dataset(obs, act.astype(np.float32), np.arange(200) // 5)
    cfg = bc.TrainConfig(epochs=3, batch_size=16, arch=bc.Arch((4, 4), 8))
    batches = -(-len(split_by_episode(data, cfg.val_fraction, cfg.seed)[0]) // 16)
    never = flips_after(10**9)
    full = list(bc.train(data, cfg, never))
    # once before encoding the data (200 views: one chunk), then before every batch
    assert never.polls == 1 + 3 * batches and full[-1].policy is not None
    assert [e.train_loss for e in full] == [e.train_loss for e in bc.train(data, cfg)]
    # the flag flips while the consumer reads the first epoch: one batch more is never trained
    stop, seen = flips_after(10**9), []
    with pytest.raises(Cancelled):
        for ev in bc.train(data, cfg, stop):
            seen.append(ev)
            stop.checks.insert(0, ("stopped by the reader", lambda: True))
    assert len(seen) == 1 and seen[0].policy is None
    assert stop.polls == 1 + batches + 1 and stop.reason == "stopped by the reader"


def test_data_counts_in_chunks_are_the_whole_encoding_and_poll_per_chunk():
    from core.cancel import Cancelled
    from tests.core.test_cancel import flips_after

    rng = np.random.default_rng(2)
    obs = rng.choice(np.array([0, 1, 4, 8, 10], dtype=np.uint8), size=(50, 40, 40))
    prev = rng.choice(np.array([0, 1, 4, 8, 10], dtype=np.uint8), size=(50, 40, 40))
    data = Dataset(obs, np.zeros((50, 2), np.float32), np.arange(50), prev=prev)
    arch = bc.Arch(frames=2)
    stop = flips_after(10**9)
    chunked = bc.data_counts(data, arch, stop, chunk=16)
    assert torch.equal(chunked, bc.stacked_counts(obs, prev, arch.pool, arch.frames))
    assert stop.polls == 4  # 16 + 16 + 16 + 2 views
    with pytest.raises(Cancelled):
        bc.data_counts(data, arch, flips_after(2), chunk=16)


def test_a_policy_runs_few_batch_shapes_and_the_same_actions():
    from core.wrestling.bc import batch_rows

    shapes = {batch_rows(n) for n in range(1, 1025)}
    assert len(shapes) == 16 + 2 + 15  # 1-16 as they are, 32, 64, then multiples of 64
    assert all(batch_rows(n) >= n and batch_rows(n) - n < 64 for n in range(1, 3000))
    torch.manual_seed(3)
    policy = bc.BCPolicy(bc.PolicyNet(bc.Arch((8, 8), 16)))
    views = np.random.default_rng(1).integers(0, 11, (70, 40, 40)).astype(np.uint8)
    padded = policy.act(views, 0)  # 70 views run as a batch of 128
    with torch.no_grad():
        plain = bc.unscale_actions(policy.net(bc.encode(views, 2))).double().numpy()
    np.testing.assert_allclose(padded, plain, rtol=1e-5, atol=1e-4)
