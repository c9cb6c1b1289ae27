"""Each op's local derivative against autograd."""

import torch

from core.graph import derivatives


def test_elementwise_local_derivatives_against_autograd():
    x = torch.tensor([0.3, -0.7, 1.2], dtype=torch.float64, requires_grad=True)
    for fn in (
        torch.sin,
        torch.cos,
        torch.exp,
        torch.tanh,
        torch.sigmoid,
        torch.relu,
        lambda t: t.abs().log(),
        lambda t: (t * t).sqrt(),
        lambda t: t**3,
        lambda t: t / 2.5,
        lambda t: -t,
    ):
        out = fn(x)
        out.sum().backward(retain_graph=True)
        (formula, local), *_ = derivatives.local_derivatives(out.grad_fn)
        assert local is not None, formula
        if out.grad_fn.name() in {
            "SinBackward0",
            "CosBackward0",
            "ExpBackward0",
            "TanhBackward0",
            "SigmoidBackward0",
            "ReluBackward0",
            "PowBackward0",
            "NegBackward0",
        }:
            expected = torch.autograd.grad(fn(x).sum(), x)[0]
            torch.testing.assert_close(local.expand_as(x), expected, check_dtype=False)
        x.grad = None
