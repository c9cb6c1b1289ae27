"""A safe little language for autograd programs such as ``e = a * b; f = c * e + d * e``.

The program is parsed with :mod:`ast` and walked against a whitelist: numbers, names,
``+ - * / ** @``, unary minus, assignments and calls to a few functions. Nothing is ever
``eval``-ed.

Sizes are checked before anything is computed. Each operation's result shape is worked out by
plain shape arithmetic (broadcasting, and for ``@`` the broadcast of the batch dimensions, which
may copy both operands to the full batch), so a huge tensor is refused without being built. Two
limits hold: no single tensor over ``MAX_NUMEL`` elements (``@``'s broadcast operands included),
and no more than ``MAX_PROGRAM_NUMEL`` elements over the whole program (inputs, every
intermediate, ``@``'s broadcast operands): autograd keeps most of them alive for ``backward()``,
and the backward pass makes gradients of about the same total size.
"""

import ast
import json
import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import torch

MAX_PROGRAM_CHARS = 2_000
MAX_NODES = 600
MAX_DEPTH = 40
MAX_STATEMENTS = 40
MAX_EXPONENT = 10
MAX_NUMEL = 100_000  # elements in any one tensor
MAX_PROGRAM_NUMEL = 2_000_000  # elements in all the tensors a program makes, together
MAX_VALUE_CHARS = 4_000


class ExpressionError(ValueError):
    """A program the language refuses, with a readable message and its (line, column)."""

    def __init__(self, message: str, line: int = 1, column: int = 1):
        self.message = message
        self.line = line
        self.column = column
        super().__init__(f"line {line}, column {column}: {message}")


Shape = tuple[int, ...]


class _ShapeError(ValueError):
    """Two shapes an operation cannot take; the message says why, in words."""


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
            raise _ShapeError(f"sizes {x} and {y} at dimension {dim - n} do not broadcast")
        out.append(y if x == 1 else x)
    return tuple(out)


def matmul_shape(a: Shape, b: Shape) -> tuple[Shape, int, int]:
    """``a @ b``: the result's shape and the element counts of both operands after their batch
    dimensions are broadcast (torch.matmul may copy each operand to that full batch)."""
    if not a or not b:
        raise _ShapeError("both operands of @ need at least one dimension")
    left = (1,) + a if len(a) == 1 else a  # a vector on the left is a row (1, k)
    right = b + (1,) if len(b) == 1 else b  # a vector on the right is a column (k, 1)
    (n, k), (k2, m) = left[-2:], right[-2:]
    if k != k2:
        raise _ShapeError(f"the inner sizes differ: {k} (left's last) and {k2} (right's first)")
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
        raise _ShapeError(f"t transposes at most 2-D tensors, not {len(a)}-D")
    return a[::-1], 0, 0


def _dot(a: Shape, b: Shape) -> tuple[Shape, int, int]:
    if len(a) != 1 or len(b) != 1:
        raise _ShapeError("dot takes two 1-D vectors")
    if a != b:
        raise _ShapeError(f"the vectors have {a[0]} and {b[0]} elements")
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
}

_BINARY = {
    ast.Add: ("+", torch.add),
    ast.Sub: ("-", torch.sub),
    ast.Mult: ("*", torch.mul),
    ast.Div: ("/", torch.div),
    ast.Pow: ("**", torch.pow),
    ast.MatMult: ("@", torch.matmul),
}

# Friendly names for constructs outside the language.
_REFUSED = {
    ast.Attribute: "attributes (x.something) are not part of the language",
    ast.Subscript: "indexing (x[...]) is not part of the language",
    ast.Import: "imports are not allowed",
    ast.ImportFrom: "imports are not allowed",
    ast.Lambda: "lambdas are not allowed",
    ast.ListComp: "comprehensions are not allowed",
    ast.SetComp: "comprehensions are not allowed",
    ast.DictComp: "comprehensions are not allowed",
    ast.GeneratorExp: "comprehensions are not allowed",
    ast.JoinedStr: "strings are not part of the language",
    ast.NamedExpr: "the walrus operator := is not allowed",
    ast.Starred: "starred arguments (*x) are not allowed",
    ast.FunctionDef: "defining functions is not allowed",
    ast.AsyncFunctionDef: "defining functions is not allowed",
    ast.ClassDef: "defining classes is not allowed",
    ast.Await: "await is not allowed",
    ast.Yield: "yield is not allowed",
    ast.YieldFrom: "yield is not allowed",
    ast.IfExp: "conditional expressions are not allowed",
    ast.Compare: "comparisons are not part of the language",
    ast.BoolOp: "and/or are not part of the language",
    ast.List: "list literals belong in the variable widgets, not in the program",
    ast.Tuple: "tuples are not part of the language",
    ast.Dict: "dictionaries are not part of the language",
    ast.Set: "sets are not part of the language",
}

Value = torch.Tensor | float


def _where(node: ast.AST) -> tuple[int, int]:
    return getattr(node, "lineno", 1), getattr(node, "col_offset", 0) + 1


def _fail(node: ast.AST, message: str) -> ExpressionError:
    return ExpressionError(message, *_where(node))


def _describe(node: ast.AST) -> str:
    return _REFUSED.get(type(node), f"'{type(node).__name__}' is not part of the language")


def _parse(program: str) -> ast.Module:
    if not isinstance(program, str):
        raise ExpressionError("the program must be text")
    if len(program) > MAX_PROGRAM_CHARS:
        raise ExpressionError(
            f"the program is {len(program):,} characters long; the limit is {MAX_PROGRAM_CHARS:,}"
        )
    if not program.strip():
        raise ExpressionError("the program is empty: write an assignment such as r = x * y")
    try:
        tree = ast.parse(program, mode="exec")
    except SyntaxError as err:
        raise ExpressionError(
            f"syntax error: {err.msg}", err.lineno or 1, max(err.offset or 1, 1)
        ) from None
    except (ValueError, RecursionError, MemoryError, OverflowError):
        raise ExpressionError(
            "the program cannot be parsed (too deep or invalid characters)"
        ) from None
    count = sum(1 for _ in ast.walk(tree))
    if count > MAX_NODES:
        raise ExpressionError(f"the program has {count} syntax nodes; the limit is {MAX_NODES}")
    if len(tree.body) > MAX_STATEMENTS:
        raise ExpressionError(
            f"the program has {len(tree.body)} statements; the limit is {MAX_STATEMENTS}"
        )
    return tree


_ALLOWED = (
    ast.Module,
    ast.Assign,
    ast.Expr,
    ast.Name,
    ast.Load,
    ast.Store,
    ast.Constant,
    ast.BinOp,
    ast.UnaryOp,
    ast.Call,
    ast.operator,
    ast.unaryop,
)


def _check(tree: ast.Module) -> None:
    """Static whitelist walk: refuse anything outside the language before computing anything."""
    for node in ast.walk(tree):
        if not isinstance(node, _ALLOWED):
            raise _fail(node, _describe(node))
        if isinstance(node, ast.Constant) and (
            isinstance(node.value, bool) or not isinstance(node.value, int | float)
        ):
            kind = "strings" if isinstance(node.value, str | bytes) else repr(node.value)[:20]
            raise _fail(node, f"only numbers are allowed as constants, not {kind}")
        if isinstance(node, ast.Name):
            _check_name(node, node.id)
        if isinstance(node, ast.Call):
            if isinstance(node.func, ast.Attribute):
                raise _fail(node, "method calls (x.f()) are not part of the language")
            if not isinstance(node.func, ast.Name):
                raise _fail(node.func, _describe(node.func))
            if node.func.id not in FUNCTIONS:
                known = ", ".join(sorted(FUNCTIONS))
                raise _fail(node, f"unknown function '{node.func.id}'; the functions are: {known}")
            if node.keywords:
                raise _fail(node, "keyword arguments are not allowed")
    for stmt in tree.body:
        _assignment_target(stmt)


def _check_name(node: ast.AST, name: str) -> None:
    if name.startswith("_"):
        raise _fail(node, f"names starting with an underscore are not allowed: '{name}'")


def _assignment_target(stmt: ast.stmt) -> ast.Name:
    if isinstance(stmt, ast.Expr):
        raise _fail(stmt, "each line must be an assignment, e.g. r = x * y")
    if not isinstance(stmt, ast.Assign):
        raise _fail(stmt, _describe(stmt))
    if len(stmt.targets) != 1 or not isinstance(stmt.targets[0], ast.Name):
        raise _fail(stmt, "assign to exactly one plain name, e.g. r = x * y")
    target = stmt.targets[0]
    _check_name(target, target.id)
    if target.id in FUNCTIONS:
        raise _fail(target, f"'{target.id}' is a function name; pick another variable name")
    return target


def free_names(program: str) -> list[str]:
    """Names a program reads before assigning them (its inputs), in order of appearance."""
    try:
        tree = _parse(program)
        _check(tree)
    except ExpressionError:
        return []
    assigned: set[str] = set()
    free: list[str] = []
    for stmt in tree.body:
        if isinstance(stmt, ast.Assign):
            for node in ast.walk(stmt.value):
                if isinstance(node, ast.Name) and node.id not in assigned:
                    if node.id not in FUNCTIONS and node.id not in free:
                        free.append(node.id)
            for target in stmt.targets:
                if isinstance(target, ast.Name):
                    assigned.add(target.id)
    return [n for n in free if n.isidentifier() and not n.startswith("_")]


def _shape_of(value: Value) -> Shape:
    return tuple(value.shape) if isinstance(value, torch.Tensor) else ()


def _shape(value: Value) -> str:
    return str(tuple(value.shape)) if isinstance(value, torch.Tensor) else "a number"


class _Evaluator:
    def __init__(self, env: dict[str, Value]):
        self.env = env
        self.spent = sum(v.numel() for v in env.values() if isinstance(v, torch.Tensor))
        if self.spent > MAX_PROGRAM_NUMEL:
            raise ExpressionError(
                f"the variables hold {self.spent:,} elements together; "
                f"the limit for a program is {MAX_PROGRAM_NUMEL:,}"
            )

    def apply(self, node: ast.AST, what: str, fn: Callable, rule: Callable, args: list) -> Value:
        """Work out the result's shape, check it and the program's budget, then compute."""
        if all(not isinstance(a, torch.Tensor) for a in args):
            args = [torch.tensor(float(a)) for a in args]
        try:
            shape, left, right = rule(*[_shape_of(a) for a in args])
        except _ShapeError as err:
            shapes = " and ".join(_shape(a) for a in args)
            raise _fail(node, f"{what} cannot take {shapes}: {err}") from None
        numel = math.prod(shape)
        if numel > MAX_NUMEL:
            raise _fail(
                node,
                f"{what} would make a tensor of shape {shape} ({numel:,} elements); "
                f"the limit is {MAX_NUMEL:,}",
            )
        cost = numel
        for side, copied, arg in (("left", left, args[0]), ("right", right, args[-1])):
            if copied > MAX_NUMEL:
                raise _fail(
                    node,
                    f"{what} would copy its {side} operand of shape {_shape(arg)} to the "
                    f"broadcast batch ({copied:,} elements); the limit is {MAX_NUMEL:,}",
                )
            if copied > math.prod(_shape_of(arg)):  # a real copy, kept for backward
                cost += copied
        if self.spent + cost > MAX_PROGRAM_NUMEL:
            raise _fail(
                node,
                f"{what} would make a tensor of shape {shape}, bringing the program's tensors "
                f"to {self.spent + cost:,} elements in all; the limit is {MAX_PROGRAM_NUMEL:,}",
            )
        self.spent += cost
        try:
            result = fn(*args)
        except (RuntimeError, ValueError, TypeError) as err:
            raise _fail(node, f"{what} failed: {str(err).splitlines()[0]}") from None
        if tuple(result.shape) != shape:  # the arithmetic above disagrees with PyTorch: refuse
            raise _fail(node, f"{what} gave shape {tuple(result.shape)}, expected {shape}")
        return result

    def value(self, node: ast.AST, depth: int = 0) -> Value:
        if depth > MAX_DEPTH:
            raise _fail(node, f"the expression is nested more than {MAX_DEPTH} levels deep")
        if isinstance(node, ast.Constant):
            if isinstance(node.value, bool) or not isinstance(node.value, int | float):
                raise _fail(node, f"only numbers are allowed as constants, not {node.value!r:.40}")
            try:
                return float(node.value)
            except OverflowError:
                raise _fail(node, "this number is too large") from None
        if isinstance(node, ast.Name):
            if node.id in FUNCTIONS:
                raise _fail(node, f"'{node.id}' is a function: call it, e.g. {node.id}(x)")
            _check_name(node, node.id)
            if node.id not in self.env:
                raise _fail(node, f"undefined name '{node.id}': define it as a variable first")
            return self.env[node.id]
        if isinstance(node, ast.UnaryOp):
            if isinstance(node.op, ast.USub):
                operand = self.value(node.operand, depth + 1)
                if isinstance(operand, float):
                    return -operand
                return self.apply(node, "-", torch.neg, _same, [operand])
            if isinstance(node.op, ast.UAdd):
                return self.value(node.operand, depth + 1)
            raise _fail(node, "only unary minus is allowed")
        if isinstance(node, ast.BinOp):
            return self.binop(node, depth)
        if isinstance(node, ast.Call):
            return self.call(node, depth)
        raise _fail(node, _describe(node))

    def binop(self, node: ast.BinOp, depth: int) -> Value:
        if type(node.op) not in _BINARY:
            raise _fail(node, "only + - * / ** @ are allowed")
        symbol, fn = _BINARY[type(node.op)]
        if isinstance(node.op, ast.Pow):
            exponent = _exponent(node)
            if isinstance(node.left, ast.BinOp) and isinstance(node.left.op, ast.Pow):
                raise _fail(node, "powers of powers are not allowed")
            base = self.value(node.left, depth + 1)
            return self.apply(node, "**", fn, _elementwise, [base, exponent])
        left = self.value(node.left, depth + 1)
        right = self.value(node.right, depth + 1)
        rule = matmul_shape if symbol == "@" else _elementwise
        return self.apply(node, symbol, fn, rule, [left, right])

    def call(self, node: ast.Call, depth: int) -> Value:
        if not isinstance(node.func, ast.Name):
            if isinstance(node.func, ast.Attribute):
                raise _fail(node, "method calls (x.f()) are not part of the language")
            raise _fail(node, "only the listed functions can be called, by name")
        name = node.func.id
        if name not in FUNCTIONS:
            known = ", ".join(sorted(FUNCTIONS))
            raise _fail(node, f"unknown function '{name}'; the functions are: {known}")
        if node.keywords:
            raise _fail(node, "keyword arguments are not allowed")
        if any(isinstance(a, ast.Starred) for a in node.args):
            raise _fail(node, "starred arguments (*x) are not allowed")
        spec = FUNCTIONS[name]
        if len(node.args) != spec.arity:
            raise _fail(node, f"{name} takes {spec.arity} argument(s), got {len(node.args)}")
        args = [self.value(a, depth + 1) for a in node.args]
        return self.apply(node, f"{name}(...)", spec.fn, spec.shape, args)


def _exponent(node: ast.BinOp) -> float:
    exp = node.right
    sign = 1.0
    if isinstance(exp, ast.UnaryOp) and isinstance(exp.op, ast.USub | ast.UAdd):
        sign = -1.0 if isinstance(exp.op, ast.USub) else 1.0
        exp = exp.operand
    if not (
        isinstance(exp, ast.Constant)
        and isinstance(exp.value, int | float)
        and not isinstance(exp.value, bool)
    ):
        raise _fail(node, "the exponent must be a plain number such as 2 or -0.5")
    try:
        value = sign * float(exp.value)
    except OverflowError:
        raise _fail(node, "the exponent is too large") from None
    if not abs(value) <= MAX_EXPONENT:
        raise _fail(node, f"the exponent {value:g} is too large; |exponent| <= {MAX_EXPONENT}")
    return value


def _as_tensor(name: str, value: object) -> torch.Tensor:
    if isinstance(value, torch.Tensor):
        tensor = value
    elif isinstance(value, bool) or not isinstance(value, int | float | list | tuple):
        raise ExpressionError(f"variable '{name}' must be a tensor, a number or a list of numbers")
    else:
        try:
            tensor = torch.tensor(value, dtype=torch.float32)
        except (TypeError, ValueError, RuntimeError, OverflowError):
            raise ExpressionError(
                f"variable '{name}' is not a number or a rectangular list of numbers"
            ) from None
    if tensor.numel() > MAX_NUMEL:
        raise ExpressionError(
            f"variable '{name}' has {tensor.numel():,} elements; the limit is {MAX_NUMEL:,}"
        )
    if not (tensor.is_floating_point() or tensor.is_complex()):
        tensor = tensor.float()
    return tensor


def evaluate(
    program: str, variables: Mapping[str, torch.Tensor | float | list]
) -> dict[str, torch.Tensor]:
    """Run a program over the given variables; return every assigned name as a tensor."""
    env: dict[str, Value] = {}
    for name, value in variables.items():
        if not isinstance(name, str) or not name.isidentifier() or name.startswith("_"):
            raise ExpressionError(f"'{name}' is not a valid variable name")
        if name in FUNCTIONS:
            raise ExpressionError(f"'{name}' is a function name; pick another variable name")
        env[name] = _as_tensor(name, value)
    tree = _parse(program)
    _check(tree)
    results: dict[str, torch.Tensor] = {}
    evaluator = _Evaluator(env)
    for stmt in tree.body:
        target = _assignment_target(stmt)
        value = evaluator.value(stmt.value)
        if not isinstance(value, torch.Tensor):
            value = torch.tensor(value)
        env[target.id] = value
        results.pop(target.id, None)
        results[target.id] = value
    return results


_SHAPE_SPEC = re.compile(r"^\s*randn\s*\(\s*(\d+(?:\s*,\s*\d+)*)\s*,?\s*\)\s*$")


def parse_value(text: str, seed: int = 0) -> torch.Tensor:
    """A variable's value typed in a widget: ``2``, ``1.0, -1.3``, ``[[1, 2], [3, 4]]`` or ``randn(3, 2)``."""
    if len(text) > MAX_VALUE_CHARS:
        raise ExpressionError(f"the value is longer than {MAX_VALUE_CHARS:,} characters")
    match = _SHAPE_SPEC.match(text)
    if match:
        shape = [int(s) for s in match.group(1).split(",")]
        if math.prod(shape) > MAX_NUMEL or len(shape) > 4:
            raise ExpressionError(f"randn{tuple(shape)} is too large; the limit is {MAX_NUMEL:,}")
        return torch.randn(shape, generator=torch.Generator().manual_seed(seed))
    stripped = text.strip()
    if not stripped:
        raise ExpressionError("the value is empty: type a number, a list or randn(3, 2)")
    if not stripped.startswith("["):
        stripped = f"[{stripped}]"
    try:
        data = json.loads(stripped)
    except (ValueError, RecursionError):
        raise ExpressionError(
            f"cannot read {text.strip()[:40]!r}: type a number, a list such as 1.0, -1.3, "
            "a nested list such as [[1, 2], [3, 4]] or a shape such as randn(3, 2)"
        ) from None
    if isinstance(data, list) and len(data) == 1 and not text.strip().startswith("["):
        data = data[0]
    return _as_tensor("value", data)
