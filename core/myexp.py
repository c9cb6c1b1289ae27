"""The notebook's custom autograd.Function: ``MyExp`` computes exp and saves its result for
backward, where the gradient arriving is multiplied by it (d/dx exp(x) = exp(x)).

Its own small module, below both users: the expression language calls it as ``myexp(x)``
(core/expressions/shapes.py) and the autograd page shows its source (core/graph/custom.py).
"""

import torch


class MyExp(torch.autograd.Function):
    @staticmethod
    def forward(ctx, i):
        result = i.exp()
        ctx.save_for_backward(result)
        return result

    @staticmethod
    def backward(ctx, grad_output):
        (result,) = ctx.saved_tensors
        return grad_output * result


def myexp(x: torch.Tensor) -> torch.Tensor:
    """exp(x) through the custom Function, recorded as a MyExpBackward node."""
    return MyExp.apply(x)
