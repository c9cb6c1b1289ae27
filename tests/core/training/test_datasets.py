"""core.training.datasets and core.training.models: shapes, seeds and hand-derived geometry."""

import numpy as np
import pytest
import torch

from core.training import datasets, models

pytestmark = pytest.mark.usefixtures("one_torch_thread")


def test_synthetic_linear_least_squares_recovers_truth():
    x, y = datasets.synthetic_linear(seed=0)
    assert x.shape == (1000, 2) and y.shape == (1000, 1)
    design = torch.cat([x, torch.ones(1000, 1)], 1).double()
    sol = torch.linalg.lstsq(design, y.double()).solution.ravel()
    assert sol[:2].tolist() == pytest.approx(datasets.TRUE_W, abs=2e-3)
    assert sol[2].item() == pytest.approx(datasets.TRUE_B, abs=2e-3)
    residual = y.ravel() - x @ torch.tensor(datasets.TRUE_W) - datasets.TRUE_B
    assert residual.std().item() == pytest.approx(0.01, rel=0.1)  # the noise we asked for


def test_seeds_are_reproducible_and_distinct():
    a, b = datasets.synthetic_linear(seed=3), datasets.synthetic_linear(seed=3)
    assert torch.equal(a[0], b[0]) and torch.equal(a[1], b[1])
    assert not torch.equal(a[0], datasets.synthetic_linear(seed=4)[0])
    for name in datasets.TOY_SETS:
        p1, l1 = datasets.toy_2d(name, 200, 0.2, seed=1)
        p2, l2 = datasets.toy_2d(name, 200, 0.2, seed=1)
        np.testing.assert_array_equal(p1, p2)
        np.testing.assert_array_equal(l1, l2)
        assert not np.array_equal(p1, datasets.toy_2d(name, 200, 0.2, seed=2)[0])


@pytest.mark.parametrize("name", datasets.TOY_SETS)
def test_toy_sets_shapes_and_balance(name):
    points, labels = datasets.toy_2d(name, 300, 0.1, seed=0)
    assert points.shape == (300, 2) and points.dtype == np.float32
    assert labels.shape == (300,) and labels.dtype == np.int64
    k = 3 if name == "blobs" else 2
    assert set(labels.tolist()) == set(range(k))
    counts = np.bincount(labels)
    assert counts.min() >= 300 // k - 40  # roughly balanced


def test_noiseless_geometry():
    # moons: class 0 on the unit circle around (-0.5, -0.25), class 1 around (0.5, 0.25)
    p, lab = datasets.toy_2d("moons", 200, 0.0)
    r0 = np.linalg.norm(p[lab == 0] - [-0.5, -0.25], axis=1)
    r1 = np.linalg.norm(p[lab == 1] - [0.5, 0.25], axis=1)
    np.testing.assert_allclose(r0, 1.0, atol=1e-5)
    np.testing.assert_allclose(r1, 1.0, atol=1e-5)
    # circles: radius 1.2 outside (class 0), 0.6 inside (class 1)
    p, lab = datasets.toy_2d("circles", 200, 0.0)
    np.testing.assert_allclose(np.linalg.norm(p[lab == 0], axis=1), 1.2, atol=1e-5)
    np.testing.assert_allclose(np.linalg.norm(p[lab == 1], axis=1), 0.6, atol=1e-5)
    # xor: the label is 1 exactly where the coordinates have opposite signs
    p, lab = datasets.toy_2d("xor", 200, 0.0)
    np.testing.assert_array_equal(lab, (np.sign(p[:, 0]) != np.sign(p[:, 1])).astype(int))
    # spiral: the two arms are the same arm turned half way round (class 1 = -class 0 at same r)
    p, lab = datasets.toy_2d("spiral", 400, 0.0)
    r = np.linalg.norm(p, axis=1) / 1.4
    angle = np.arctan2(p[:, 0], p[:, 1])
    expected = 1.75 * 2 * np.pi * r + np.pi * lab
    np.testing.assert_allclose(np.cos(angle - expected), 1.0, atol=1e-4)


def test_unknown_toy_set_is_refused():
    with pytest.raises(ValueError, match="unknown toy set"):
        datasets.toy_2d("swiss roll")


def test_split_partitions_the_data():
    p, lab = datasets.toy_2d("blobs", 100, 0.1)
    s = datasets.split(p, lab, 0.3, seed=0)
    assert len(s.x_train) == 70 and len(s.x_test) == 30
    merged = torch.cat([s.x_train, s.x_test]).numpy()
    assert sorted(map(tuple, merged)) == sorted(map(tuple, p))
    assert s.n_classes == 3


def test_digits_are_the_bundled_images():
    from sklearn.datasets import load_digits

    s = datasets.digits(seed=0)
    assert s.x_train.shape[1:] == (1, 8, 8)
    assert len(s.x_train) + len(s.x_test) == 1797
    assert 0.0 <= s.x_train.min() and s.x_train.max() <= 1.0
    ref = load_digits()
    first = s.x_test[0, 0].numpy() * 16
    matches = np.where(np.abs(ref.images - first).reshape(1797, -1).max(1) < 1e-5)[0]
    assert s.y_test[0].item() in ref.target[matches]


def test_sin_cos_window_values():
    x, y = datasets.sin_cos_window(np.array([0.0, np.pi / 2]), steps=10, dt=np.pi / 10)
    assert x.shape == (2, 10, 1) and y.shape == (2, 10, 1)
    t = np.arange(10) * np.pi / 10
    np.testing.assert_allclose(x[0, :, 0], np.sin(t), atol=1e-6)
    np.testing.assert_allclose(y[1, :, 0], np.cos(t + np.pi / 2), atol=1e-6)


def test_mlp_layout():
    net = models.mlp(2, 3, depth=2, width=8, activation="Tanh")
    kinds = [type(m).__name__ for m in net]
    assert kinds == ["Linear", "Tanh", "Linear", "Tanh", "Linear"]
    assert net(torch.zeros(5, 2)).shape == (5, 3)


def test_linear_regression_init():
    torch.manual_seed(0)
    net = models.linear_regression()
    assert net.bias.item() == 0.0 and net.weight.abs().max().item() < 0.05


@pytest.mark.parametrize("kind", list(models.RECURRENT))
def test_seq_regressor_carries_state(kind):
    torch.manual_seed(0)
    net = models.SeqRegressor(kind, hidden=8)
    x = torch.randn(2, 5, 1)
    out, h = net(x)
    assert out.shape == (2, 5, 1)
    # running the sequence in two halves with the state carried equals one run of the whole
    a, h1 = net(x[:, :3])
    b, _ = net(x[:, 3:], models.detach_state(h1))
    torch.testing.assert_close(torch.cat([a, b], 1), out)
    detached = models.detach_state(h)
    leaves = detached if isinstance(detached, tuple) else (detached,)
    assert all(not s.requires_grad for s in leaves)


def test_cnn_shapes_and_features():
    torch.manual_seed(0)
    net = models.DigitsCNN(channels=4)
    x = torch.rand(3, 1, 8, 8)
    assert net(x).shape == (3, 10)
    maps = net.features(x)
    assert maps.shape == (3, 4, 8, 8) and maps.min() >= 0
    torch.testing.assert_close(maps, torch.relu(net.conv1(x)))
