"""The lecture's example networks: linear and softmax regression, an MLP, an RNN, a small CNN."""

import torch
from torch import nn

ACTIVATIONS = {"ReLU": nn.ReLU, "Tanh": nn.Tanh, "Sigmoid": nn.Sigmoid, "GELU": nn.GELU}
RECURRENT = {"RNN": nn.RNN, "GRU": nn.GRU, "LSTM": nn.LSTM}


def linear_regression(n_features: int = 2) -> nn.Linear:
    """`nn.Linear(2, 1)` initialised as in the notebook: w ~ N(0, 0.01), b = 0."""
    net = nn.Linear(n_features, 1)
    nn.init.normal_(net.weight, 0.0, 0.01)
    nn.init.zeros_(net.bias)
    return net


def mlp(
    n_in: int, n_out: int, depth: int = 2, width: int = 16, activation: str = "Tanh"
) -> nn.Sequential:
    """A multilayer perceptron with `depth` hidden layers of `width` units each."""
    layers: list[nn.Module] = []
    size = n_in
    for _ in range(depth):
        layers += [nn.Linear(size, width), ACTIVATIONS[activation]()]
        size = width
    layers.append(nn.Linear(size, n_out))
    return nn.Sequential(*layers)


def softmax_regression(n_pixels: int = 64, n_classes: int = 10) -> nn.Sequential:
    """Flatten the image, one linear layer; the softmax lives inside the cross-entropy loss."""
    return nn.Sequential(nn.Flatten(), nn.Linear(n_pixels, n_classes))


class SeqRegressor(nn.Module):
    """A recurrent layer (RNN, GRU or LSTM) read out by a linear layer at every time step."""

    def __init__(self, kind: str = "RNN", hidden: int = 64):
        super().__init__()
        self.rnn = RECURRENT[kind](input_size=1, hidden_size=hidden, batch_first=True)
        self.out = nn.Linear(hidden, 1)

    def forward(self, x: torch.Tensor, h=None):
        """(batch, time, 1) in -> (batch, time, 1) out, plus the last hidden state."""
        r_out, h = self.rnn(x, h)
        return self.out(r_out), h


def detach_state(h):
    """Cut the hidden state from the graph (a tensor, or the (h, c) pair of an LSTM)."""
    if h is None:
        return None
    if isinstance(h, tuple):
        return tuple(s.detach() for s in h)
    return h.detach()


class DigitsCNN(nn.Module):
    """Two 3 x 3 conv layers with max-pooling, then a linear read-out: 8 x 8 digits to 10 classes."""

    def __init__(self, channels: int = 16):
        super().__init__()
        self.conv1 = nn.Conv2d(1, channels, 3, padding=1)
        self.conv2 = nn.Conv2d(channels, 2 * channels, 3, padding=1)
        self.pool = nn.MaxPool2d(2)
        self.fc = nn.Linear(2 * channels * 2 * 2, 10)

    def features(self, x: torch.Tensor) -> torch.Tensor:
        """The first layer's feature maps (after ReLU), shape (batch, channels, 8, 8)."""
        return torch.relu(self.conv1(x))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Logits (batch, 10) for images (batch, 1, 8, 8)."""
        x = self.pool(self.features(x))  # (B, C, 4, 4)
        x = self.pool(torch.relu(self.conv2(x)))  # (B, 2C, 2, 2)
        return self.fc(x.flatten(1))
