"""Running a checked program: every operation's size checked before it is computed."""

import ast
import json
import math
import re
from collections.abc import Callable, Mapping

import torch

from core.expressions.checks import (
    _COMPARE,
    Value,
    _assignment_target,
    _check,
    _check_name,
    _fail,
    _parse,
    _range_count,
    _refuse,
)
from core.expressions.limits import (
    MAX_DEPTH,
    MAX_DIMS,
    MAX_EXECUTED,
    MAX_EXPONENT,
    MAX_NUMEL,
    MAX_PROGRAM_NUMEL,
    MAX_VALUE_CHARS,
    ExpressionError,
    Message,
    extent,
    shape_problem,
)
from core.expressions.shapes import (
    _BINARY,
    FUNCTIONS,
    Shape,
    _elementwise,
    _same,
    _ShapeError,
    matmul_shape,
)
from core.i18n import N_


def _shape_of(value: Value) -> Shape:
    return tuple(value.shape) if isinstance(value, torch.Tensor) else ()


def _shape(value: Value) -> str | Message:
    return str(tuple(value.shape)) if isinstance(value, torch.Tensor) else Message(N_("a number"))


def _shapes(args: list) -> str | Message:
    """The operands' shapes in words: "(2,)", or "(2,) and a number"."""
    if len(args) == 2:
        return Message(N_("{a} and {b}"), {"a": _shape(args[0]), "b": _shape(args[1])})
    return _shape(args[0])


class _Evaluator:
    def __init__(self, env: dict[str, Value]):
        self.env = env
        self.results: dict[str, torch.Tensor] = {}
        self.statements = 0  # executed so far; _check bounds them before the run
        self.operations = 0
        self.spent = sum(extent(v.shape) for v in env.values() if isinstance(v, torch.Tensor))
        if self.spent > MAX_PROGRAM_NUMEL:
            raise ExpressionError(
                N_("the variables hold {n} elements together; the limit for a program is {limit}"),
                n=f"{self.spent:,}",
                limit=f"{MAX_PROGRAM_NUMEL:,}",
            )

    def apply(self, node: ast.AST, what: str, fn: Callable, rule: Callable, args: list) -> Value:
        """Work out the result's shape, check it and the program's budget, then compute."""
        if all(not isinstance(a, torch.Tensor) for a in args):
            args = [torch.tensor(float(a)) for a in args]
        try:
            shape, left, right = rule(*[_shape_of(a) for a in args])
        except _ShapeError as err:
            raise _fail(
                node,
                N_("{what} cannot take {operands}: {problem}"),
                what=what,
                operands=_shapes(args),
                problem=err.problem,
            ) from None
        numel = math.prod(shape)
        if numel > MAX_NUMEL:
            raise _fail(
                node,
                N_(
                    "{what} would make a tensor of shape {shape} ({n} elements); the limit is {limit}"
                ),
                what=what,
                shape=shape,
                n=f"{numel:,}",
                limit=f"{MAX_NUMEL:,}",
            )
        problem = shape_problem(shape)  # empty sizes count too: (10**6, 0) is a million rows
        if problem:
            raise _fail(
                node,
                N_("{what} would make a tensor of shape {shape}: {problem}"),
                what=what,
                shape=shape,
                problem=problem,
            )
        cost = extent(shape)
        for side, copied, arg in ((N_("left"), left, args[0]), (N_("right"), right, args[-1])):
            if copied > MAX_NUMEL:
                raise _fail(
                    node,
                    N_(
                        "{what} would copy its {side} operand of shape {shape} to the broadcast "
                        "batch ({n} elements); the limit is {limit}"
                    ),
                    what=what,
                    side=Message(side),
                    shape=_shape(arg),
                    n=f"{copied:,}",
                    limit=f"{MAX_NUMEL:,}",
                )
            if copied > math.prod(_shape_of(arg)):  # a real copy, kept for backward
                cost += copied
        if self.spent + cost > MAX_PROGRAM_NUMEL:
            raise _fail(
                node,
                N_(
                    "{what} would make a tensor of shape {shape}, bringing the program's tensors "
                    "to {n} elements in all; the limit is {limit}"
                ),
                what=what,
                shape=shape,
                n=f"{self.spent + cost:,}",
                limit=f"{MAX_PROGRAM_NUMEL:,}",
            )
        self.spent += cost
        self.operations += 1
        if self.operations > MAX_EXECUTED:  # not reached: _check bounds the unrolled program
            raise _fail(
                node, N_("the program ran more than {limit} operations"), limit=MAX_EXECUTED
            )
        try:
            result = fn(*args)
        except (RuntimeError, ValueError, TypeError) as err:
            raise _fail(
                node, N_("{what} failed: {error}"), what=what, error=str(err).splitlines()[0]
            ) from None
        if tuple(result.shape) != shape:  # the arithmetic above disagrees with PyTorch: refuse
            raise _fail(
                node,
                N_("{what} gave shape {got}, expected {shape}"),
                what=what,
                got=tuple(result.shape),
                shape=shape,
            )
        return result

    def run(self, stmts: list[ast.stmt]) -> None:
        """Execute a checked block in order: assignments, if/elif/else, for over range(k)."""
        for stmt in stmts:
            self.statements += 1
            if self.statements > MAX_EXECUTED:  # not reached: _check bounds the program
                raise _fail(
                    stmt, N_("the program ran more than {limit} statements"), limit=MAX_EXECUTED
                )
            if isinstance(stmt, ast.If):
                self.run(stmt.body if self.condition(stmt.test) else stmt.orelse)
            elif isinstance(stmt, ast.For):
                for i in range(_range_count(stmt)):
                    self.env[stmt.target.id] = float(i)
                    self.run(stmt.body)
            else:
                target = _assignment_target(stmt)
                value = self.value(stmt.value)
                if not isinstance(value, torch.Tensor):
                    value = torch.tensor(value)
                self.env[target.id] = value
                self.results.pop(target.id, None)
                self.results[target.id] = value

    def condition(self, test: ast.Compare) -> bool:
        """An if's test: both sides single numbers, compared as Python floats."""
        symbol, compare = _COMPARE[type(test.ops[0])]
        sides = []
        for node in (test.left, test.comparators[0]):
            value = self.value(node)
            if isinstance(value, torch.Tensor):
                if value.numel() != 1 or value.is_complex():
                    raise _fail(
                        node,
                        N_(
                            "{symbol} compares single numbers, not a tensor of shape {shape}: "
                            "reduce it first, e.g. sum(x) or mean(x)"
                        ),
                        symbol=symbol,
                        shape=tuple(value.shape),
                    )
                value = float(value.detach().reshape(()).item())
            sides.append(value)
        return bool(compare(*sides))

    def value(self, node: ast.AST, depth: int = 0) -> Value:
        if depth > MAX_DEPTH:
            raise _fail(
                node, N_("the expression is nested more than {limit} levels deep"), limit=MAX_DEPTH
            )
        if isinstance(node, ast.Constant):
            if isinstance(node.value, bool) or not isinstance(node.value, int | float):
                raise _fail(
                    node,
                    N_("only numbers are allowed as constants, not {value}"),
                    value=f"{node.value!r:.40}",
                )
            try:
                return float(node.value)
            except OverflowError:
                raise _fail(node, N_("this number is too large")) from None
        if isinstance(node, ast.Name):
            if node.id in FUNCTIONS:
                raise _fail(
                    node, N_("'{name}' is a function: call it, e.g. {name}(x)"), name=node.id
                )
            _check_name(node, node.id)
            if node.id not in self.env:
                raise _fail(
                    node, N_("undefined name '{name}': define it as a variable first"), name=node.id
                )
            return self.env[node.id]
        if isinstance(node, ast.UnaryOp):
            if isinstance(node.op, ast.USub):
                operand = self.value(node.operand, depth + 1)
                if isinstance(operand, float):
                    return -operand
                return self.apply(node, "-", torch.neg, _same, [operand])
            if isinstance(node.op, ast.UAdd):
                return self.value(node.operand, depth + 1)
            raise _fail(node, N_("only unary minus is allowed"))
        if isinstance(node, ast.BinOp):
            return self.binop(node, depth)
        if isinstance(node, ast.Call):
            return self.call(node, depth)
        raise _refuse(node)

    def binop(self, node: ast.BinOp, depth: int) -> Value:
        if type(node.op) not in _BINARY:
            raise _fail(node, N_("only + - * / ** @ are allowed"))
        symbol, fn = _BINARY[type(node.op)]
        if isinstance(node.op, ast.Pow):
            exponent = _exponent(node)
            if isinstance(node.left, ast.BinOp) and isinstance(node.left.op, ast.Pow):
                raise _fail(node, N_("powers of powers are not allowed"))
            base = self.value(node.left, depth + 1)
            return self.apply(node, "**", fn, _elementwise, [base, exponent])
        left = self.value(node.left, depth + 1)
        right = self.value(node.right, depth + 1)
        rule = matmul_shape if symbol == "@" else _elementwise
        return self.apply(node, symbol, fn, rule, [left, right])

    def call(self, node: ast.Call, depth: int) -> Value:
        if not isinstance(node.func, ast.Name):
            if isinstance(node.func, ast.Attribute):
                raise _fail(node, N_("method calls (x.f()) are not part of the language"))
            raise _fail(node, N_("only the listed functions can be called, by name"))
        name = node.func.id
        if name not in FUNCTIONS:
            known = ", ".join(sorted(FUNCTIONS))
            raise _fail(
                node,
                N_("unknown function '{name}'; the functions are: {known}"),
                name=name,
                known=known,
            )
        if node.keywords:
            raise _fail(node, N_("keyword arguments are not allowed"))
        if any(isinstance(a, ast.Starred) for a in node.args):
            raise _fail(node, N_("starred arguments (*x) are not allowed"))
        spec = FUNCTIONS[name]
        if len(node.args) != spec.arity:
            raise _fail(
                node,
                N_("{name} takes {arity} argument(s), got {n}"),
                name=name,
                arity=spec.arity,
                n=len(node.args),
            )
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
        raise _fail(node, N_("the exponent must be a plain number such as 2 or -0.5"))
    try:
        value = sign * float(exp.value)
    except OverflowError:
        raise _fail(node, N_("the exponent is too large")) from None
    if not abs(value) <= MAX_EXPONENT:
        raise _fail(
            node,
            N_("the exponent {value} is too large; |exponent| <= {limit}"),
            value=f"{value:g}",
            limit=MAX_EXPONENT,
        )
    return value


def _as_tensor(name: str, value: object) -> torch.Tensor:
    if isinstance(value, torch.Tensor):
        tensor = value
    elif isinstance(value, bool) or not isinstance(value, int | float | list | tuple):
        raise ExpressionError(
            N_("variable '{name}' must be a tensor, a number or a list of numbers"), name=name
        )
    else:
        try:
            tensor = torch.tensor(value, dtype=torch.float32)
        except (TypeError, ValueError, RuntimeError, OverflowError):
            raise ExpressionError(
                N_("variable '{name}' is not a number or a rectangular list of numbers"), name=name
            ) from None
    if tensor.numel() > MAX_NUMEL:
        raise ExpressionError(
            N_("variable '{name}' has {n} elements; the limit is {limit}"),
            name=name,
            n=f"{tensor.numel():,}",
            limit=f"{MAX_NUMEL:,}",
        )
    problem = shape_problem(tuple(tensor.shape))
    if problem:
        raise ExpressionError(
            N_("variable '{name}' of shape {shape}: {problem}"),
            name=name,
            shape=tuple(tensor.shape),
            problem=problem,
        )
    if not (tensor.is_floating_point() or tensor.is_complex()):
        tensor = tensor.float()
    return tensor


def evaluate(
    program: str, variables: Mapping[str, torch.Tensor | float | list]
) -> dict[str, torch.Tensor]:
    """Run a program over the given variables; return every assigned name as a tensor (the
    last value each took, in the order of their last assignment; loop variables left out)."""
    env: dict[str, Value] = {}
    for name, value in variables.items():
        if not isinstance(name, str) or not name.isidentifier() or name.startswith("_"):
            raise ExpressionError(N_("'{name}' is not a valid variable name"), name=name)
        if name in FUNCTIONS:
            raise ExpressionError(
                N_("'{name}' is a function name; pick another variable name"), name=name
            )
        env[name] = _as_tensor(name, value)
    tree = _parse(program)
    _check(tree)
    evaluator = _Evaluator(env)
    evaluator.run(tree.body)
    return evaluator.results


_SHAPE_SPEC = re.compile(r"^\s*randn\s*\(\s*(\d+(?:\s*,\s*\d+)*)\s*,?\s*\)\s*$")


def parse_value(text: str, seed: int = 0) -> torch.Tensor:
    """A variable's value typed in a widget: ``2``, ``1.0, -1.3``, ``[[1, 2], [3, 4]]`` or ``randn(3, 2)``."""
    if len(text) > MAX_VALUE_CHARS:
        raise ExpressionError(
            N_("the value is longer than {limit} characters"), limit=f"{MAX_VALUE_CHARS:,}"
        )
    match = _SHAPE_SPEC.match(text)
    if match:
        shape = [int(s) for s in match.group(1).split(",")]
        if len(shape) > MAX_DIMS:
            raise ExpressionError(
                N_("randn takes at most {limit} sizes, not {n}"), limit=MAX_DIMS, n=len(shape)
            )
        problem = shape_problem(tuple(shape))
        if problem:
            shown = ", ".join(str(s) if len(str(s)) <= 12 else str(s)[:12] + "…" for s in shape)
            raise ExpressionError(
                N_("randn({sizes}) is too large: {problem}"), sizes=shown, problem=problem
            )
        return torch.randn(shape, generator=torch.Generator().manual_seed(seed))
    stripped = text.strip()
    if not stripped:
        raise ExpressionError(N_("the value is empty: type a number, a list or randn(3, 2)"))
    if not stripped.startswith("["):
        stripped = f"[{stripped}]"
    try:
        data = json.loads(stripped)
    except (ValueError, RecursionError):
        raise ExpressionError(
            N_(
                "cannot read {text}: type a number, a list such as 1.0, -1.3, a nested list "
                "such as [[1, 2], [3, 4]] or a shape such as randn(3, 2)"
            ),
            text=repr(text.strip()[:40]),
        ) from None
    if isinstance(data, list) and len(data) == 1 and not text.strip().startswith("["):
        data = data[0]
    return _as_tensor("value", data)
