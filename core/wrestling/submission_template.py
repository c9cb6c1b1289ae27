"""Jidi submission for olympics-wrestling: a behaviour-cloned CNN policy.

Copied verbatim as submission.py into the exported zip, beside bc_policy.pt. Needs only numpy
and torch. The weights are read with torch.load(weights_only=True): tensors and numbers only.
"""

import os

import numpy as np
import torch
from torch import nn

_HERE = os.path.dirname(os.path.abspath(__file__))
WEIGHTS = os.path.join(_HERE, "bc_policy.pt")
CHANNELS = (10, 8, 1, 4)  # self, opponent, ring, lines (after colour normalisation)
CENTRE = torch.tensor([50.0, 0.0])  # middle of force [-100, 200] and turn [-30, 30]
HALF = torch.tensor([150.0, 30.0])


class PolicyNet(nn.Module):
    """One-hot view -> stride-2 convs -> hidden layer -> tanh outputs in [-1, 1]."""

    def __init__(self, convs, hidden):
        super().__init__()
        layers, c_in, size = [], len(CHANNELS), 40
        for c_out in convs:
            layers += [nn.Conv2d(c_in, c_out, 3, stride=2, padding=1), nn.ReLU()]
            c_in, size = c_out, (size + 1) // 2
        self.features = nn.Sequential(*layers, nn.Flatten())
        self.head = nn.Sequential(
            nn.Linear(c_in * size * size, hidden), nn.ReLU(), nn.Linear(hidden, 2)
        )

    def forward(self, x):
        return torch.tanh(self.head(self.features(x)))


_blob = torch.load(WEIGHTS, weights_only=True, map_location="cpu")
_net = PolicyNet([int(c) for c in _blob["convs"]], int(_blob["hidden"]))
_net.load_state_dict(_blob["state_dict"])
_net.eval()


def my_controller(observation, action_space, is_act_continuous=True):
    """One player's Jidi observation -> [[force], [turn]]."""
    view = np.asarray(observation["obs"]["agent_obs"], dtype=np.float64).reshape(40, 40)
    if int(observation.get("controlled_player_index", 0)) == 1:  # self is 8: swap to 10
        view = np.where(view == 10, 8, np.where(view == 8, 10, view))
    x = torch.stack([torch.as_tensor(view == v) for v in CHANNELS]).float()[None]
    with torch.no_grad():
        force, turn = (_net(x)[0] * HALF + CENTRE).tolist()
    force = min(max(force, -100.0), 200.0)
    turn = min(max(turn, -30.0), 30.0)
    return [[force], [turn]]
