"""The notebook's custom autograd.Function: ``MyExp`` computes exp and saves its result for
backward, where the gradient arriving is multiplied by it (d/dx exp(x) = exp(x)).

The expression language calls it as ``myexp(x)``; autograd records it as one ``MyExpBackward``
node. The page shows this class's own source, so the shown code cannot drift from the one run.
"""

import inspect

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


# The code the page shows: the class above, as written, and a use of it.
CODE_MYEXP = (
    "import torch\n\n"
    + inspect.getsource(MyExp)
    + """
x = torch.tensor([0.5, -1.0], requires_grad=True)
y = MyExp.apply(x)       # call a Function through .apply, never forward() directly
print(y.grad_fn)         # <torch.autograd.function.MyExpBackward object at ...>
y.sum().backward()
print(x.grad)            # exp(x) = tensor([1.6487, 0.3679])
"""
)
