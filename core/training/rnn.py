"""The notebook's sin -> cos RNN: read sin(t) step by step, predict cos(t) from the hidden state.

The config (the lecture's defaults), the task the one training loop runs, and the code shown
to students, side by side.
"""

from dataclasses import dataclass

import numpy as np
import torch
from torch import nn

from core import optimisers
from core.training import datasets, models
from core.training.common import TrainConfig, seeded_model
from core.training.loop import Task


@dataclass(frozen=True, kw_only=True)
class RNNConfig(TrainConfig):
    """The notebook's sin -> cos RNN: hidden 64, 10 time steps, Adam."""

    kind: str = "RNN"  # the recurrent cell: one of models.RECURRENT (RNN, GRU, LSTM)
    lr: float = 0.01
    epochs: int = 15
    batch_size: int = 8  # sequences trained side by side
    optimizer: str = "Adam"
    hidden: int = 64  # size of the hidden state
    time_steps: int = 10  # samples per window: how far back gradients reach
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


def build(cfg: RNNConfig) -> Task:
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


CODE = """
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
