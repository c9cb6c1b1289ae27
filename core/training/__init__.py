"""The lecture's example models, ready for the one training loop in `loop.py`.

Each example is a frozen config dataclass (its defaults are the lecture's defaults) and a
builder turning it into a `Task`: seeded data, a model, an optimiser, a loss, batches, metrics
and a snapshot for the charts. `make_run(config)` wraps the task in a `Run` for a page.
"""

import math
import threading
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from core import optimisers
from core.training import datasets, models
from core.training.loop import Run, Task

OPTIMIZERS = optimisers.NAMES
_SEED_LOCK = threading.Lock()


def seeded_model(seed: int, build: Callable[[], nn.Module]) -> nn.Module:
    """Build a model with torch's global RNG seeded, without disturbing other users' RNG state."""
    with _SEED_LOCK, torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        return build()


def _shuffled(x: torch.Tensor, y: torch.Tensor, batch_size: int, seed: int):
    """Mini-batches in a fresh seeded order every epoch, and how many there are per epoch."""
    g = torch.Generator().manual_seed(seed)

    def batches(epoch: int):
        order = torch.randperm(len(x), generator=g)
        for i in range(0, len(x), batch_size):
            idx = order[i : i + batch_size]
            yield x[idx], y[idx]

    return batches, math.ceil(len(x) / batch_size)


def _accuracy(logits: torch.Tensor, labels: torch.Tensor) -> float:
    return (logits.argmax(1) == labels).float().mean().item()


# ----------------------------------------------------------------------------- regression
@dataclass(frozen=True)
class RegressionConfig:
    """Linear regression on y = Xw + b + noise, as in the notebook."""

    lr: float = 0.03
    epochs: int = 3
    batch_size: int = 10
    optimizer: str = "SGD"
    seed: int = 0
    n: int = 1000
    noise: float = 0.01


def regression_task(cfg: RegressionConfig) -> Task:
    """`nn.Linear(2, 1)` fitted to the synthetic data by mini-batch SGD on the MSE."""
    x, y = datasets.synthetic_linear(n=cfg.n, noise=cfg.noise, seed=cfg.seed)
    net = seeded_model(cfg.seed, models.linear_regression)
    loss_fn = nn.MSELoss()
    true_w = torch.tensor(datasets.TRUE_W)
    batches, n_batches = _shuffled(x, y, cfg.batch_size, cfg.seed)

    def track() -> dict[str, float]:
        w = net.weight.detach()[0]
        return {"w1": w[0].item(), "w2": w[1].item(), "b": net.bias.item()}

    def evaluate() -> dict[str, float]:
        w = net.weight[0]
        return {
            "train loss": loss_fn(net(x), y).item(),
            "w error": (w - true_w).norm().item(),
            "b error": abs(net.bias.item() - datasets.TRUE_B),
        }

    return Task(
        net,
        optimisers.make_optimiser(cfg.optimizer, net.parameters(), cfg.lr),
        loss_fn,
        batches,
        n_batches,
        evaluate,
        track=track,
        snapshot=track,
    )


# ----------------------------------------------------------------------------- 1-D curve
@dataclass(frozen=True)
class CurveConfig:
    """An MLP fitting a 1-D wavy curve."""

    lr: float = 0.01
    epochs: int = 200
    batch_size: int = 16
    optimizer: str = "Adam"
    seed: int = 0
    depth: int = 2
    width: int = 32
    activation: str = "Tanh"
    n: int = 200
    noise: float = 0.15


CURVE_X = np.linspace(-3.2, 3.2, 161, dtype=np.float32)


def curve_task(cfg: CurveConfig) -> Task:
    """An MLP regressing the noisy `wavy_curve` samples; the snapshot is its fitted curve."""
    data = datasets.curve_points(cfg.n, cfg.noise, cfg.seed)
    net = seeded_model(cfg.seed, lambda: models.mlp(1, 1, cfg.depth, cfg.width, cfg.activation))
    loss_fn = nn.MSELoss()
    batches, n_batches = _shuffled(data.x_train, data.y_train, cfg.batch_size, cfg.seed)
    grid = torch.from_numpy(CURVE_X).reshape(-1, 1)
    truth = datasets.wavy_curve(grid)

    def evaluate() -> dict[str, float]:
        return {
            "train loss": loss_fn(net(data.x_train), data.y_train).item(),
            "test loss": loss_fn(net(data.x_test), data.y_test).item(),
            "curve error": loss_fn(net(grid), truth).item(),
        }

    def snapshot() -> dict:
        with torch.no_grad():
            return {"x": CURVE_X, "fit": net(grid).reshape(-1).numpy().copy()}

    return Task(
        net,
        optimisers.make_optimiser(cfg.optimizer, net.parameters(), cfg.lr),
        loss_fn,
        batches,
        n_batches,
        evaluate,
        snapshot=snapshot,
    )


# ----------------------------------------------------------------------------- 2-D toys
@dataclass(frozen=True)
class ToyConfig:
    """An MLP classifying a 2-D toy set, TensorFlow-Playground style."""

    dataset: str = "moons"
    lr: float = 0.01
    epochs: int = 150
    batch_size: int = 32
    optimizer: str = "Adam"
    seed: int = 0
    depth: int = 3
    width: int = 32
    activation: str = "ReLU"
    n: int = 400
    noise: float = 0.2


def boundary_grid(x: torch.Tensor, size: int = 48) -> tuple[np.ndarray, np.ndarray]:
    """A size x size grid of points covering the data with a margin: xs and ys (flattened)."""
    lo = x.min(0).values.numpy() - 0.4
    hi = x.max(0).values.numpy() + 0.4
    gx, gy = np.meshgrid(np.linspace(lo[0], hi[0], size), np.linspace(lo[1], hi[1], size))
    return gx.ravel().astype(np.float32), gy.ravel().astype(np.float32)


def _classifier_metrics(net: nn.Module, data: datasets.Split, loss_fn) -> dict[str, float]:
    out_train, out_test = net(data.x_train), net(data.x_test)
    return {
        "train loss": loss_fn(out_train, data.y_train).item(),
        "test loss": loss_fn(out_test, data.y_test).item(),
        "train accuracy": _accuracy(out_train, data.y_train),
        "test accuracy": _accuracy(out_test, data.y_test),
    }


def _classifier_task(cfg, net: nn.Module, data: datasets.Split, snapshot) -> Task:
    """Cross-entropy training of `net` on a split, metrics on both halves after each epoch."""
    loss_fn = nn.CrossEntropyLoss()
    batches, n_batches = _shuffled(data.x_train, data.y_train, cfg.batch_size, cfg.seed)
    return Task(
        net,
        optimisers.make_optimiser(cfg.optimizer, net.parameters(), cfg.lr),
        loss_fn,
        batches,
        n_batches,
        lambda: _classifier_metrics(net, data, loss_fn),
        snapshot=snapshot,
    )


def toy_task(cfg: ToyConfig) -> Task:
    """An MLP on a toy set; the snapshot is the predicted class and confidence on a grid."""
    data = datasets.toy_split(cfg.dataset, cfg.n, cfg.noise, cfg.seed)
    k = data.n_classes
    net = seeded_model(cfg.seed, lambda: models.mlp(2, k, cfg.depth, cfg.width, cfg.activation))
    gx, gy = boundary_grid(torch.cat([data.x_train, data.x_test]))
    grid = torch.from_numpy(np.stack([gx, gy], 1))

    def snapshot() -> dict:
        with torch.no_grad():
            prob = torch.softmax(net(grid), 1)
        conf, cls = prob.max(1)
        return {"x": gx, "y": gy, "class": cls.numpy(), "confidence": conf.numpy()}

    return _classifier_task(cfg, net, data, snapshot)


# ----------------------------------------------------------------------------- digits
@dataclass(frozen=True)
class SoftmaxConfig:
    """Softmax regression on scikit-learn's 8 x 8 digits (the notebook's Fashion-MNIST stand-in)."""

    lr: float = 0.5
    epochs: int = 20
    batch_size: int = 64
    optimizer: str = "SGD"
    seed: int = 0


def softmax_task(cfg: SoftmaxConfig) -> Task:
    """One linear layer from 64 pixels to 10 logits; the snapshot is the ten weight templates."""
    data = datasets.digits(cfg.seed)
    net = seeded_model(cfg.seed, models.softmax_regression)

    def snapshot() -> dict:
        return {"templates": net[1].weight.detach().reshape(10, 8, 8).numpy().copy()}

    return _classifier_task(cfg, net, data, snapshot)


@dataclass(frozen=True)
class CNNConfig:
    """A small convolutional net on the 8 x 8 digits."""

    lr: float = 0.003
    epochs: int = 15
    batch_size: int = 32
    optimizer: str = "Adam"
    seed: int = 0
    channels: int = 16


def cnn_task(cfg: CNNConfig) -> Task:
    """`DigitsCNN` on the digits; the snapshot holds a confusion matrix, predictions, filters."""
    data = datasets.digits(cfg.seed)
    net = seeded_model(cfg.seed, lambda: models.DigitsCNN(cfg.channels))

    def snapshot() -> dict:
        with torch.no_grad():
            pred = net(data.x_test).argmax(1)
        confusion = torch.zeros(10, 10, dtype=torch.int64)
        confusion.index_put_((data.y_test, pred), torch.ones_like(pred), accumulate=True)
        return {
            "confusion": confusion.numpy(),
            "predicted": pred.numpy(),
            "filters": net.conv1.weight.detach()[:, 0].numpy().copy(),
            "conv1": {k: v.detach().clone() for k, v in net.conv1.state_dict().items()},
        }

    return _classifier_task(cfg, net, data, snapshot)


def feature_maps(snapshot: dict, image: torch.Tensor) -> np.ndarray:
    """First-layer feature maps (channels, 8, 8) of one 8 x 8 image, from a CNN snapshot."""
    conv1 = snapshot["conv1"]
    x = image.reshape(1, 1, 8, 8)
    return F.relu(F.conv2d(x, conv1["weight"], conv1["bias"], padding=1))[0].numpy()


# ----------------------------------------------------------------------------- RNN
@dataclass(frozen=True)
class RNNConfig:
    """The notebook's sin -> cos RNN: hidden 64, 10 time steps, Adam."""

    kind: str = "RNN"
    lr: float = 0.01
    epochs: int = 15
    batch_size: int = 8
    optimizer: str = "Adam"
    seed: int = 0
    hidden: int = 64
    time_steps: int = 10
    windows: int = 40  # windows of `time_steps` per epoch, hidden state carried between them


DT = np.pi / 10  # time between two samples of the sequence


def _run_sequence(net: models.SeqRegressor, starts: np.ndarray, windows: int, steps: int):
    """Feed `windows` consecutive windows from `starts`, carrying the hidden state."""
    h, xs, ys, preds = None, [], [], []
    for i in range(windows):
        x, y = datasets.sin_cos_window(starts + i * steps * DT, steps, DT)
        out, h = net(x, h)
        xs.append(x), ys.append(y), preds.append(out)
    return torch.cat(xs, 1), torch.cat(ys, 1), torch.cat(preds, 1)


def rnn_task(cfg: RNNConfig) -> Task:
    """A recurrent net reading sin(t) and predicting cos(t), window by window."""
    net = seeded_model(cfg.seed, lambda: models.SeqRegressor(cfg.kind, cfg.hidden))
    loss_fn = nn.MSELoss()
    rng = np.random.default_rng(cfg.seed)
    eval_starts = np.random.default_rng(cfg.seed + 7).uniform(0, 2 * np.pi, 4)
    state = {"h": None}

    def batches(epoch: int):
        starts = rng.uniform(0, 2 * np.pi, cfg.batch_size)
        state["h"] = None  # a fresh set of sequences every epoch
        for i in range(cfg.windows):
            yield datasets.sin_cos_window(starts + i * cfg.time_steps * DT, cfg.time_steps, DT)

    def forward(x: torch.Tensor) -> torch.Tensor:
        out, h = net(x, state["h"])
        state["h"] = models.detach_state(h)  # carried to the next window, cut from the graph
        return out

    def evaluate() -> dict[str, float]:
        _, y, pred = _run_sequence(net, eval_starts, 11, cfg.time_steps)
        warm = cfg.time_steps  # the first window only warms the hidden state up
        return {
            "test MSE": loss_fn(pred[:, warm:], y[:, warm:]).item(),
            "first-window MSE": loss_fn(pred[:, :warm], y[:, :warm]).item(),
        }

    def snapshot() -> dict:
        with torch.no_grad():
            x, y, pred = _run_sequence(net, np.array([0.0]), 6, cfg.time_steps)
        t = np.arange(x.shape[1]) * DT
        return {"t": t, "sin": x[0, :, 0].numpy(), "cos": y[0, :, 0].numpy(),
                "prediction": pred[0, :, 0].numpy()}  # fmt: skip

    return Task(
        net,
        optimisers.make_optimiser(cfg.optimizer, net.parameters(), cfg.lr),
        loss_fn,
        batches,
        cfg.windows,
        evaluate,
        forward=forward,
        snapshot=snapshot,
    )


# ----------------------------------------------------------------------------- registry
BUILDERS: dict[type, Callable[..., Task]] = {
    RegressionConfig: regression_task,
    CurveConfig: curve_task,
    ToyConfig: toy_task,
    SoftmaxConfig: softmax_task,
    RNNConfig: rnn_task,
    CNNConfig: cnn_task,
}


def make_task(cfg) -> Task:
    """The task of any example config."""
    return BUILDERS[type(cfg)](cfg)


def make_run(cfg) -> Run:
    """A fresh, untrained run of any example config, ready to be iterated."""
    return Run(make_task(cfg), cfg.epochs, config=cfg)


# ----------------------------------------------------------------------------- the code shown
REGRESSION_CODE = """
import torch
from torch import nn
from torch.utils import data

torch.manual_seed(0)
true_w, true_b = torch.tensor([2.0, -3.4]), 4.2
X = torch.normal(0, 1, (1000, 2))
y = (X @ true_w + true_b + torch.normal(0, 0.01, (1000,))).reshape(-1, 1)
loader = data.DataLoader(data.TensorDataset(X, y), batch_size=10, shuffle=True)

net = nn.Linear(2, 1)
net.weight.data.normal_(0, 0.01)
net.bias.data.fill_(0)
loss_fn = nn.MSELoss()
optimizer = torch.optim.SGD(net.parameters(), lr=0.03)

for epoch in range(3):
    for x, t in loader:
        optimizer.zero_grad()
        loss = loss_fn(net(x), t)
        loss.backward()
        optimizer.step()
    print(f"epoch {epoch + 1}, loss {loss_fn(net(X), y).item():.6f}")
print("w:", net.weight.data, "error:", (net.weight.data[0] - true_w).norm().item())
print("b:", net.bias.data, "error:", abs(net.bias.item() - true_b))
"""

CURVE_CODE = """
import torch
from torch import nn

torch.manual_seed(0)
x = torch.rand(160, 1) * 6 - 3
y = torch.sin(2 * x) + 0.3 * x + 0.15 * torch.randn_like(x)

net = nn.Sequential(nn.Linear(1, 32), nn.Tanh(), nn.Linear(32, 32), nn.Tanh(), nn.Linear(32, 1))
loss_fn = nn.MSELoss()
optimizer = torch.optim.Adam(net.parameters(), lr=0.01)

for epoch in range(200):
    for i in torch.randperm(160).split(16):
        optimizer.zero_grad()
        loss = loss_fn(net(x[i]), y[i])
        loss.backward()
        optimizer.step()
print("train MSE:", loss_fn(net(x), y).item())  # close to the noise, 0.15 ** 2
"""

TOY_CODE = """
import math
import torch
from torch import nn

torch.manual_seed(0)
n = 400  # two half moons: label 0 on top, label 1 below, with Gaussian noise
label = torch.arange(n) % 2
t = torch.rand(n) * math.pi
top = torch.stack([torch.cos(t), torch.sin(t)], 1)
bottom = torch.stack([1 - torch.cos(t), 0.5 - torch.sin(t)], 1)
X = torch.where(label[:, None] == 0, top, bottom) + 0.2 * torch.randn(n, 2)
train, test = torch.randperm(n).split([280, 120])

net = nn.Sequential(nn.Linear(2, 32), nn.ReLU(), nn.Linear(32, 32), nn.ReLU(),
                    nn.Linear(32, 32), nn.ReLU(), nn.Linear(32, 2))
loss_fn = nn.CrossEntropyLoss()
optimizer = torch.optim.Adam(net.parameters(), lr=0.01)

for epoch in range(150):
    for i in train[torch.randperm(len(train))].split(32):
        optimizer.zero_grad()
        loss = loss_fn(net(X[i]), label[i])
        loss.backward()
        optimizer.step()
with torch.no_grad():
    accuracy = (net(X[test]).argmax(1) == label[test]).float().mean()
    # the heat map: the predicted class on a grid of points
    gx, gy = torch.meshgrid(torch.linspace(-2, 3, 48), torch.linspace(-2, 2, 48), indexing="xy")
    regions = net(torch.stack([gx.ravel(), gy.ravel()], 1)).argmax(1).reshape(48, 48)
print("test accuracy:", accuracy.item())
"""

SOFTMAX_CODE = """
import torch
from torch import nn
from sklearn.datasets import load_digits  # 1797 images of 8 x 8 pixels, shipped with sklearn

torch.manual_seed(0)
digits = load_digits()
X = torch.tensor(digits.images / 16.0, dtype=torch.float32)
y = torch.tensor(digits.target)
train, test = torch.randperm(len(X)).split([1437, 360])

net = nn.Sequential(nn.Flatten(), nn.Linear(64, 10))  # softmax is inside the loss
loss_fn = nn.CrossEntropyLoss()
optimizer = torch.optim.SGD(net.parameters(), lr=0.5)

for epoch in range(20):
    for i in train[torch.randperm(len(train))].split(64):
        optimizer.zero_grad()
        loss = loss_fn(net(X[i]), y[i])
        loss.backward()
        optimizer.step()
with torch.no_grad():
    accuracy = (net(X[test]).argmax(1) == y[test]).float().mean()
templates = net[1].weight.detach().reshape(10, 8, 8)  # one 8 x 8 template per digit
print("test accuracy:", accuracy.item())
"""

RNN_CODE = """
import math
import torch
from torch import nn

class RNN(nn.Module):
    def __init__(self):
        super().__init__()
        self.rnn = nn.RNN(input_size=1, hidden_size=64, batch_first=True)  # or nn.GRU, nn.LSTM
        self.out = nn.Linear(64, 1)

    def forward(self, x, h_state):
        r_out, h_state = self.rnn(x, h_state)  # r_out: (batch, time_step, 64)
        return self.out(r_out), h_state

torch.manual_seed(0)
net = RNN()
loss_fn = nn.MSELoss()
optimizer = torch.optim.Adam(net.parameters(), lr=0.01)
TIME_STEP, dt = 10, math.pi / 10

for epoch in range(15):
    start = torch.rand(8, 1) * 2 * math.pi  # 8 sequences, random phases
    h_state = None
    for window in range(40):
        t = start + dt * (window * TIME_STEP + torch.arange(TIME_STEP))
        x, y = torch.sin(t)[..., None], torch.cos(t)[..., None]  # (batch, time_step, 1)
        optimizer.zero_grad()
        prediction, h_state = net(x, h_state)
        h_state = h_state.detach()  # carry the state on, but cut the graph here
        loss = loss_fn(prediction, y)
        loss.backward()
        optimizer.step()
print("last window MSE:", loss.item())
"""

CNN_CODE = """
import torch
from torch import nn
from sklearn.datasets import load_digits

class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 16, 3, padding=1)   # 16 filters of 3 x 3
        self.conv2 = nn.Conv2d(16, 32, 3, padding=1)
        self.pool = nn.MaxPool2d(2)
        self.fc = nn.Linear(32 * 2 * 2, 10)

    def forward(self, x):                              # x: (batch, 1, 8, 8)
        x = self.pool(torch.relu(self.conv1(x)))      # (batch, 16, 4, 4)
        x = self.pool(torch.relu(self.conv2(x)))      # (batch, 32, 2, 2)
        return self.fc(x.flatten(1))                  # (batch, 10)

torch.manual_seed(0)
digits = load_digits()
X = torch.tensor(digits.images / 16.0, dtype=torch.float32)[:, None]
y = torch.tensor(digits.target)
train, test = torch.randperm(len(X)).split([1437, 360])

net = Net()
loss_fn = nn.CrossEntropyLoss()
optimizer = torch.optim.Adam(net.parameters(), lr=0.003)
for epoch in range(15):
    for i in train[torch.randperm(len(train))].split(32):
        optimizer.zero_grad()
        loss = loss_fn(net(X[i]), y[i])
        loss.backward()
        optimizer.step()
with torch.no_grad():
    predicted = net(X[test]).argmax(1)
    feature_maps = torch.relu(net.conv1(X[test][:1]))  # what the first layer sees
print("test accuracy:", (predicted == y[test]).float().mean().item())
"""

CODE = {
    RegressionConfig: REGRESSION_CODE,
    CurveConfig: CURVE_CODE,
    ToyConfig: TOY_CODE,
    SoftmaxConfig: SOFTMAX_CODE,
    RNNConfig: RNN_CODE,
    CNNConfig: CNN_CODE,
}
