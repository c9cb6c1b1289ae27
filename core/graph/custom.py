"""The code the page shows for the custom autograd.Function ``MyExp`` (core/myexp.py).

The expression language calls it as ``myexp(x)``; autograd records it as one ``MyExpBackward``
node. The page shows the class's own source, so the shown code cannot drift from the one run.
"""

import inspect

from core.myexp import MyExp, myexp

__all__ = ["CODE_MYEXP", "MyExp", "myexp"]

# The code the page shows: the class, as written, and a use of it.
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
