"""The local derivative of each autograd op, in words and in numbers, read from what the node
saved for backward (``_saved_self``, ``_saved_other``...)."""

import torch

from core.graph.record import autograd_name
from core.i18n import Translate, untranslated
from core.summary import TensorSummary, keep


def _saved(fn: object, attr: str) -> object:
    try:
        return getattr(fn, attr)
    except (AttributeError, RuntimeError):
        return None


def _as_t(value: object) -> torch.Tensor | None:
    if isinstance(value, torch.Tensor):
        return value.detach()
    if isinstance(value, int | float):
        return torch.tensor(float(value))
    return None


def local_derivatives(
    fn: object, gettext: Translate = untranslated
) -> list[tuple[str, torch.Tensor | TensorSummary | None]]:
    """For each input of an op node, the local derivative (words, and a value where simple)."""
    _ = gettext
    op = autograd_name(fn)
    s = lambda a: _as_t(_saved(fn, a))  # noqa: E731
    n_inputs = len(fn.next_functions)
    table: dict[str, list[tuple[str, object]]] = {}
    x, other, result = s("_saved_self"), s("_saved_other"), s("_saved_result")
    alpha = s("_saved_alpha")
    if op == "AddBackward0":
        table[op] = [("∂(a + b)/∂a = 1", torch.tensor(1.0)), ("∂(a + b)/∂b = 1", alpha)]
    elif op == "SubBackward0":
        table[op] = [
            ("∂(a − b)/∂a = 1", torch.tensor(1.0)),
            ("∂(a − b)/∂b = −1", None if alpha is None else -alpha),
        ]
    elif op == "MulBackward0":
        table[op] = [("∂(a · b)/∂a = b", other), ("∂(a · b)/∂b = a", x)]
    elif op == "DivBackward0":
        table[op] = [
            ("∂(a / b)/∂a = 1 / b", None if other is None else 1 / other),
            ("∂(a / b)/∂b = −a / b²", None if x is None or other is None else -x / other**2),
        ]
    elif op == "PowBackward0":
        e = s("_saved_exponent")
        val = None if x is None or e is None else e * x ** (e - 1)
        table[op] = [("∂(x^p)/∂x = p · x^(p−1)", val)]
    elif op == "NegBackward0":
        table[op] = [("∂(−x)/∂x = −1", torch.tensor(-1.0))]
    elif op == "SinBackward0":
        table[op] = [("∂sin(x)/∂x = cos(x)", None if x is None else torch.cos(x))]
    elif op == "CosBackward0":
        table[op] = [("∂cos(x)/∂x = −sin(x)", None if x is None else -torch.sin(x))]
    elif op == "ExpBackward0":
        table[op] = [("∂exp(x)/∂x = exp(x)", result)]
    elif op == "MyExpBackward":  # the custom Function (core.myexp.MyExp)
        saved = _saved(fn, "saved_tensors")
        table[op] = [("∂/∂x myexp(x) = myexp(x)", saved[0] if saved else None)]
    elif op == "LogBackward0":
        table[op] = [("∂log(x)/∂x = 1 / x", None if x is None else 1 / x)]
    elif op == "SqrtBackward0":
        table[op] = [("∂√x/∂x = 1 / (2√x)", None if result is None else 1 / (2 * result))]
    elif op == "AbsBackward0":
        table[op] = [("∂|x|/∂x = sign(x)", None if x is None else torch.sign(x))]
    elif op == "TanhBackward0":
        table[op] = [("∂tanh(x)/∂x = 1 − tanh²(x)", None if result is None else 1 - result**2)]
    elif op == "SigmoidBackward0":
        val = None if result is None else result * (1 - result)
        table[op] = [("∂σ(x)/∂x = σ(x)(1 − σ(x))", val)]
    elif op == "ReluBackward0":
        val = None if result is None else (result > 0).float()
        table[op] = [(_("∂relu(x)/∂x = 1 where x > 0, else 0"), val)]
    elif op == "SumBackward0":
        table[op] = [(_("∂(Σ x)/∂xᵢ = 1 for every element"), torch.tensor(1.0))]
    elif op == "MeanBackward0":
        size = _saved(fn, "_saved_self_sym_sizes")
        n = 1
        for d in size or ():
            n *= int(d)
        table[op] = [("∂(mean x)/∂xᵢ = 1 / n", torch.tensor(1.0 / n))]
    elif op == "DotBackward0":
        table[op] = [("∂(a · b)/∂a = b", s("_saved_tensor")), ("∂(a · b)/∂b = a", x)]
    elif op == "MvBackward0":
        table[op] = [
            (_("∂(W v)/∂W = v: the gradient is grad ⊗ v"), s("_saved_vec")),
            (_("∂(W v)/∂v = W: the gradient is Wᵀ grad"), x),
        ]
    elif op == "MmBackward0":
        table[op] = [
            (_("∂(A B)/∂A: the gradient is grad @ Bᵀ"), s("_saved_mat2")),
            (_("∂(A B)/∂B: the gradient is Aᵀ @ grad"), x),
        ]
    elif op == "AddmmBackward0":
        table[op] = [
            (_("bias: the gradient summed over the batch"), None),
            (_("∂(X Wᵀ)/∂X: the gradient is grad @ W"), None),
            (_("∂(X Wᵀ)/∂Wᵀ: the gradient is Xᵀ @ grad"), s("_saved_mat1")),
        ]
    elif op == "TBackward0":
        table[op] = [(_("transpose: the gradient is transposed back"), None)]
    elif op == "MseLossBackward0":
        target = s("_saved_target")
        val = None
        if x is not None and target is not None:
            val = 2 * (x - target) / max(x.numel(), 1)
        table[op] = [("∂MSE/∂ŷ = 2 (ŷ − y) / n", val), (_("target"), None)]
    rows = table.get(op, [])
    rows = [(f, keep(_as_t(v))) for f, v in rows]
    while len(rows) < n_inputs:
        rows.append((_("{op}: see the PyTorch docs for its derivative").format(op=op), None))
    return rows[:n_inputs]
