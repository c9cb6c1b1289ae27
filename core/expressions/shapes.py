"""Shape arithmetic and the operations on offer: each result's shape is known before it is built."""

import ast
import math
from collections.abc import Callable
from dataclasses import dataclass

import torch

from core.expressions.limits import Message
from core.i18n import N_
from core.myexp import myexp

Shape = tuple[int, ...]


class _ShapeError(ValueError):
    """Two shapes an operation cannot take; the message says why, in words (`problem`: an
    English template marked N_ and its values, translated where shown)."""

    def __init__(self, message: str, **values: object):
        self.problem = Message(message, values)
        super().__init__(self.problem.text())


# ---------------------------------------------------------------- shape arithmetic
# Each rule takes the operands' shapes (a Python number has shape ()) and returns the result's
# shape and the sizes of any operand copies the operation makes, or raises _ShapeError.


def broadcast(a: Shape, b: Shape) -> Shape:
    """The shape two operands broadcast to (PyTorch's rule: align right; equal sizes or a 1)."""
    n = max(len(a), len(b))
    a, b = (1,) * (n - len(a)) + a, (1,) * (n - len(b)) + b
    out = []
    for dim, (x, y) in enumerate(zip(a, b, strict=True)):
        if x != y and x != 1 and y != 1:
            raise _ShapeError(
                N_("sizes {a} and {b} at dimension {dim} do not broadcast"), a=x, b=y, dim=dim - n
            )
        out.append(y if x == 1 else x)
    return tuple(out)


def matmul_shape(a: Shape, b: Shape) -> tuple[Shape, int, int]:
    """``a @ b``: the result's shape and the element counts of both operands after their batch
    dimensions are broadcast (torch.matmul may copy each operand to that full batch)."""
    if not a or not b:
        raise _ShapeError(N_("both operands of @ need at least one dimension"))
    left = (1,) + a if len(a) == 1 else a  # a vector on the left is a row (1, k)
    right = b + (1,) if len(b) == 1 else b  # a vector on the right is a column (k, 1)
    (n, k), (k2, m) = left[-2:], right[-2:]
    if k != k2:
        raise _ShapeError(
            N_("the inner sizes differ: {k} (left's last) and {k2} (right's first)"), k=k, k2=k2
        )
    batch = broadcast(left[:-2], right[:-2])
    shape = batch + ((n,) if len(a) > 1 else ()) + ((m,) if len(b) > 1 else ())
    count = math.prod(batch)
    return shape, count * n * k, count * k * m


def _same(a: Shape) -> tuple[Shape, int, int]:
    return a, 0, 0


def _scalar(a: Shape) -> tuple[Shape, int, int]:
    return (), 0, 0


def _transpose(a: Shape) -> tuple[Shape, int, int]:
    if len(a) > 2:
        raise _ShapeError(N_("t transposes at most 2-D tensors, not {n}-D"), n=len(a))
    return a[::-1], 0, 0


def _dot(a: Shape, b: Shape) -> tuple[Shape, int, int]:
    if len(a) != 1 or len(b) != 1:
        raise _ShapeError(N_("dot takes two 1-D vectors"))
    if a != b:
        raise _ShapeError(N_("the vectors have {a} and {b} elements"), a=a[0], b=b[0])
    return (), 0, 0


def _elementwise(a: Shape, b: Shape) -> tuple[Shape, int, int]:
    return broadcast(a, b), 0, 0


@dataclass(frozen=True)
class _Function:
    arity: int
    fn: Callable[..., torch.Tensor]
    doc: str
    shape: Callable[..., tuple[Shape, int, int]] = _same


FUNCTIONS: dict[str, _Function] = {
    "sin": _Function(1, torch.sin, "sine"),
    "cos": _Function(1, torch.cos, "cosine"),
    "exp": _Function(1, torch.exp, "exponential"),
    "log": _Function(1, torch.log, "natural logarithm"),
    "sqrt": _Function(1, torch.sqrt, "square root"),
    "abs": _Function(1, torch.abs, "absolute value"),
    "tanh": _Function(1, torch.tanh, "hyperbolic tangent"),
    "sigmoid": _Function(1, torch.sigmoid, "logistic sigmoid"),
    "relu": _Function(1, torch.relu, "max(0, x)"),
    "sum": _Function(1, torch.sum, "sum of all elements", _scalar),
    "mean": _Function(1, torch.mean, "mean of all elements", _scalar),
    "t": _Function(1, torch.t, "transpose of a matrix (at most 2-D)", _transpose),
    "transpose": _Function(1, torch.t, "same as t", _transpose),
    "dot": _Function(2, torch.dot, "dot product of two vectors", _dot),
    "myexp": _Function(1, myexp, "exp as the custom autograd.Function MyExp"),
}

_BINARY = {
    ast.Add: ("+", torch.add),
    ast.Sub: ("-", torch.sub),
    ast.Mult: ("*", torch.mul),
    ast.Div: ("/", torch.div),
    ast.Pow: ("**", torch.pow),
    ast.MatMult: ("@", torch.matmul),
}
