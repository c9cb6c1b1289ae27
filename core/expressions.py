"""A safe little language for autograd programs such as ``e = a * b; f = c * e + d * e``.

The program is parsed with :mod:`ast` and walked against a whitelist: numbers, names,
``+ - * / ** @``, unary minus, assignments and calls to a few functions, and two blocks of
bounded control flow, indented with spaces as in Python, so one program records different
graphs for different inputs (define-by-run)::

    y = x
    for i in range(3):          # k a whole number 0..20, written in the program
        y = y * w + i           # i is a plain number in the body
    if sum(y) > 0:              # one comparison (< > <= >= == !=) of single numbers
        r = y * y
    elif mean(y) == 0:
        r = y
    else:
        r = exp(y) - 1

Blocks nest at most ``MAX_BLOCK_DEPTH`` deep; with every loop unrolled and the costlier branch
of every ``if`` taken, a program runs at most ``MAX_EXECUTED`` statements and ``MAX_EXECUTED``
operations, which is checked before anything runs. Nothing is ever ``eval``-ed.

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

from core.graph.custom import myexp

MAX_PROGRAM_CHARS = 2_000
MAX_NODES = 600
MAX_DEPTH = 40
MAX_STATEMENTS = 40
MAX_EXPONENT = 10
MAX_NUMEL = 100_000  # elements in any one tensor
MAX_PROGRAM_NUMEL = 2_000_000  # elements in all the tensors a program makes, together
MAX_VALUE_CHARS = 4_000
MAX_BLOCK_DEPTH = 3  # if/for blocks inside one another
MAX_RANGE = 20  # the largest k in for i in range(k)
MAX_EXECUTED = 200  # statements, and operations, a run may execute with its loops unrolled


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
    ast.IfExp: "conditional expressions are not allowed: write an if block",
    ast.Compare: "comparisons only appear as an if condition, e.g. if sum(x) > 0:",
    ast.BoolOp: "and/or are not part of the language: nest one if inside another",
    ast.While: "while loops are not allowed: use for i in range(k) with k at most 20",
    ast.Break: "break is not part of the language: a loop always runs range(k) times",
    ast.Continue: "continue is not part of the language: use an if inside the loop",
    ast.Pass: "pass is not part of the language: leave the empty block (or else) out",
    ast.AugAssign: "augmented assignment (r += x) is not allowed: write r = r + x",
    ast.AnnAssign: "annotations (r: float = ...) are not part of the language",
    ast.AsyncFor: "async for is not allowed",
    ast.With: "with blocks are not allowed",
    ast.Try: "try blocks are not allowed",
    ast.Delete: "del is not allowed",
    ast.Global: "global is not allowed",
    ast.Nonlocal: "nonlocal is not allowed",
    ast.Return: "return is not part of the language",
    ast.Raise: "raise is not allowed",
    ast.Assert: "assert is not allowed",
    ast.Match: "match blocks are not part of the language",
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


_TAB_INDENT = re.compile(r"^[ ]*\t", re.MULTILINE)


def _parse(program: str) -> ast.Module:
    if not isinstance(program, str):
        raise ExpressionError("the program must be text")
    if len(program) > MAX_PROGRAM_CHARS:
        raise ExpressionError(
            f"the program is {len(program):,} characters long; the limit is {MAX_PROGRAM_CHARS:,}"
        )
    if not program.strip():
        raise ExpressionError("the program is empty: write an assignment such as r = x * y")
    tab = _TAB_INDENT.search(program)
    if tab:
        line = program.count("\n", 0, tab.start()) + 1
        raise ExpressionError("indent blocks with spaces, not tabs", line, tab.end() - tab.start())
    try:
        tree = ast.parse(program, mode="exec")
    except IndentationError as err:
        raise ExpressionError(
            f"indentation: {err.msg}; indent each block's lines by the same number of spaces",
            err.lineno or 1,
            max(err.offset or 1, 1),
        ) from None
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
    statements = sum(1 for node in ast.walk(tree) if isinstance(node, ast.stmt))
    if statements > MAX_STATEMENTS:
        raise ExpressionError(
            f"the program has {statements} statements; the limit is {MAX_STATEMENTS}"
        )
    return tree


_EXPRESSION_NODES = (
    ast.Name,
    ast.Load,
    ast.Constant,
    ast.BinOp,
    ast.UnaryOp,
    ast.Call,
    ast.operator,
    ast.unaryop,
)
_COMPARE = {
    ast.Lt: ("<", lambda a, b: a < b),
    ast.Gt: (">", lambda a, b: a > b),
    ast.LtE: ("<=", lambda a, b: a <= b),
    ast.GtE: (">=", lambda a, b: a >= b),
    ast.Eq: ("==", lambda a, b: a == b),
    ast.NotEq: ("!=", lambda a, b: a != b),
}
_RANGE = "range"


def _check(tree: ast.Module) -> None:
    """Static walk: refuse anything outside the language, blocks nested too deep, and loops
    that would run too much, before computing anything."""
    _check_block(tree.body, 0)
    statements = operations = 0
    for stmt in tree.body:
        s, o = _cost(stmt)
        statements, operations = statements + s, operations + o
        for count, what in ((statements, "statements"), (operations, "operations")):
            if count > MAX_EXECUTED:
                raise _fail(
                    stmt,
                    f"with its loops unrolled the program would run up to {count:,} {what} "
                    f"by the end of this line; the limit is {MAX_EXECUTED}",
                )


def _check_block(stmts: list[ast.stmt], depth: int) -> None:
    for stmt in stmts:
        _check_statement(stmt, depth)


def _check_statement(stmt: ast.stmt, depth: int) -> None:
    """One statement at ``depth`` enclosing blocks: an assignment, an if or a for."""
    if isinstance(stmt, ast.Assign):
        _assignment_target(stmt)
        _check_expression(stmt.value)
        return
    if isinstance(stmt, ast.Expr):
        raise _fail(stmt, "each line must be an assignment, e.g. r = x * y")
    if not isinstance(stmt, ast.If | ast.For):
        raise _fail(stmt, _describe(stmt))
    if depth + 1 > MAX_BLOCK_DEPTH:
        raise _fail(stmt, f"blocks (if/for) nest at most {MAX_BLOCK_DEPTH} deep")
    if isinstance(stmt, ast.If):
        _check_condition(stmt.test)
        _check_block(stmt.body, depth + 1)
        if _is_elif(stmt):
            _check_statement(stmt.orelse[0], depth)  # elif: the same level as its if
        else:
            _check_block(stmt.orelse, depth + 1)
        return
    _range_count(stmt)
    target = stmt.target
    if not isinstance(target, ast.Name):
        raise _fail(stmt, "the loop variable is one plain name, e.g. for i in range(3):")
    _check_target_name(target)
    if stmt.orelse:
        raise _fail(stmt.orelse[0], "for ... else is not part of the language")
    _check_block(stmt.body, depth + 1)


def _is_elif(stmt: ast.If) -> bool:
    """An ``elif`` parses as an if alone in the else block, starting in the if's own column."""
    return (
        len(stmt.orelse) == 1
        and isinstance(stmt.orelse[0], ast.If)
        and stmt.orelse[0].col_offset == stmt.col_offset
    )


def _range_count(stmt: ast.For) -> int:
    """k in ``for i in range(k):``, a whole number 0..MAX_RANGE written in the program."""
    header = f"a loop runs over range(k) with k a whole number from 0 to {MAX_RANGE}"
    call = stmt.iter
    if not (
        isinstance(call, ast.Call)
        and isinstance(call.func, ast.Name)
        and call.func.id == _RANGE
        and not call.keywords
    ):
        raise _fail(call, f"{header}, e.g. for i in range(3):")
    if len(call.args) != 1:
        raise _fail(call, f"{header}: range takes one number here, e.g. range(3)")
    (arg,) = call.args
    if not isinstance(arg, ast.Constant):
        raise _fail(arg, f"{header}, written as a number, not computed")
    k = arg.value
    if isinstance(k, bool) or not isinstance(k, int):
        raise _fail(arg, f"{header}, not {str(k)[:20]!r}")
    if not 0 <= k <= MAX_RANGE:
        raise _fail(arg, f"range({str(k)[:20]}) is too long: {header}")
    return k


def _check_condition(test: ast.expr) -> None:
    if not isinstance(test, ast.Compare):
        raise _fail(
            test,
            "an if condition is one comparison of single numbers, e.g. if sum(x) > 0:"
            if not isinstance(test, ast.BoolOp | ast.UnaryOp)
            else "and/or/not are not part of the language: nest one if inside another",
        )
    if len(test.ops) != 1:
        raise _fail(test, "one comparison per condition: nest ifs instead of a < b < c")
    if type(test.ops[0]) not in _COMPARE:
        raise _fail(test, "the comparisons are < > <= >= == !=")
    _check_expression(test.left)
    _check_expression(test.comparators[0])


def _check_expression(expr: ast.expr) -> None:
    for node in ast.walk(expr):
        if not isinstance(node, _EXPRESSION_NODES):
            raise _fail(node, _describe(node))
        if isinstance(node, ast.Constant) and (
            isinstance(node.value, bool) or not isinstance(node.value, int | float)
        ):
            kind = "strings" if isinstance(node.value, str | bytes) else repr(node.value)[:20]
            raise _fail(node, f"only numbers are allowed as constants, not {kind}")
        if isinstance(node, ast.Name):
            _check_name(node, node.id)
            if node.id == _RANGE:
                raise _fail(node, "range(k) only appears in a loop: for i in range(k):")
        if isinstance(node, ast.Call):
            if isinstance(node.func, ast.Attribute):
                raise _fail(node, "method calls (x.f()) are not part of the language")
            if not isinstance(node.func, ast.Name):
                raise _fail(node.func, _describe(node.func))
            if node.func.id == _RANGE:
                raise _fail(node, "range(k) only appears in a loop: for i in range(k):")
            if node.func.id not in FUNCTIONS:
                known = ", ".join(sorted(FUNCTIONS))
                raise _fail(node, f"unknown function '{node.func.id}'; the functions are: {known}")
            if node.keywords:
                raise _fail(node, "keyword arguments are not allowed")


def _operations(expr: ast.expr) -> int:
    """At most how many tensor operations an expression runs (a negative literal is none)."""
    count = 0
    for node in ast.walk(expr):
        if isinstance(node, ast.BinOp | ast.Call):
            count += 1
        elif isinstance(node, ast.UnaryOp) and not isinstance(node.operand, ast.Constant):
            count += 1
    return count


def _cost(stmt: ast.stmt) -> tuple[int, int]:
    """At most how many statements and operations a checked statement runs, loops unrolled."""
    if isinstance(stmt, ast.Assign):
        return 1, _operations(stmt.value)
    if isinstance(stmt, ast.If):
        body, orelse = _block_cost(stmt.body), _block_cost(stmt.orelse)
        test = _operations(stmt.test.left) + _operations(stmt.test.comparators[0])
        return 1 + max(body[0], orelse[0]), test + max(body[1], orelse[1])
    if isinstance(stmt, ast.For):
        k = _range_count(stmt)
        statements, operations = _block_cost(stmt.body)
        return 1 + k * statements, k * operations
    raise _fail(stmt, _describe(stmt))  # not reached: _check_block refused it


def _block_cost(stmts: list[ast.stmt]) -> tuple[int, int]:
    costs = [_cost(s) for s in stmts]
    return sum(c[0] for c in costs), sum(c[1] for c in costs)


def _check_name(node: ast.AST, name: str) -> None:
    if name.startswith("_"):
        raise _fail(node, f"names starting with an underscore are not allowed: '{name}'")


def _check_target_name(target: ast.Name) -> None:
    _check_name(target, target.id)
    if target.id in FUNCTIONS:
        raise _fail(target, f"'{target.id}' is a function name; pick another variable name")
    if target.id == _RANGE:
        raise _fail(target, "'range' is kept for loops; pick another variable name")


def _assignment_target(stmt: ast.stmt) -> ast.Name:
    if isinstance(stmt, ast.Expr):
        raise _fail(stmt, "each line must be an assignment, e.g. r = x * y")
    if not isinstance(stmt, ast.Assign):
        raise _fail(stmt, _describe(stmt))
    if len(stmt.targets) != 1 or not isinstance(stmt.targets[0], ast.Name):
        raise _fail(stmt, "assign to exactly one plain name, e.g. r = x * y")
    target = stmt.targets[0]
    _check_target_name(target)
    return target


def free_names(program: str) -> list[str]:
    """Names a program reads before assigning them (its inputs), in order of appearance."""
    try:
        tree = _parse(program)
        _check(tree)
    except ExpressionError:
        return []
    free: list[str] = []
    _free_in(tree.body, set(), free)
    return [n for n in free if n.isidentifier() and not n.startswith("_")]


def _free_in(stmts: list[ast.stmt], assigned: set[str], free: list[str]) -> set[str]:
    """Walk a block in order: add names read before any assignment to ``free``; return the
    names assigned by its end (on some path: a branch's names count after the if)."""

    def reads(expr: ast.expr) -> None:
        for node in ast.walk(expr):
            if isinstance(node, ast.Name) and node.id not in assigned:
                if node.id not in FUNCTIONS and node.id not in free:
                    free.append(node.id)

    for stmt in stmts:
        if isinstance(stmt, ast.Assign):
            reads(stmt.value)
            assigned.add(stmt.targets[0].id)
        elif isinstance(stmt, ast.If):
            reads(stmt.test)
            body = _free_in(stmt.body, set(assigned), free)
            orelse = _free_in(stmt.orelse, set(assigned), free)
            assigned |= body | orelse
        elif isinstance(stmt, ast.For):
            assigned.add(stmt.target.id)
            assigned |= _free_in(stmt.body, set(assigned), free)
    return assigned


def _shape_of(value: Value) -> Shape:
    return tuple(value.shape) if isinstance(value, torch.Tensor) else ()


def _shape(value: Value) -> str:
    return str(tuple(value.shape)) if isinstance(value, torch.Tensor) else "a number"


class _Evaluator:
    def __init__(self, env: dict[str, Value]):
        self.env = env
        self.results: dict[str, torch.Tensor] = {}
        self.statements = 0  # executed so far; _check bounds them before the run
        self.operations = 0
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
        self.operations += 1
        if self.operations > MAX_EXECUTED:  # not reached: _check bounds the unrolled program
            raise _fail(node, f"the program ran more than {MAX_EXECUTED} operations")
        try:
            result = fn(*args)
        except (RuntimeError, ValueError, TypeError) as err:
            raise _fail(node, f"{what} failed: {str(err).splitlines()[0]}") from None
        if tuple(result.shape) != shape:  # the arithmetic above disagrees with PyTorch: refuse
            raise _fail(node, f"{what} gave shape {tuple(result.shape)}, expected {shape}")
        return result

    def run(self, stmts: list[ast.stmt]) -> None:
        """Execute a checked block in order: assignments, if/elif/else, for over range(k)."""
        for stmt in stmts:
            self.statements += 1
            if self.statements > MAX_EXECUTED:  # not reached: _check bounds the program
                raise _fail(stmt, f"the program ran more than {MAX_EXECUTED} statements")
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
                        f"{symbol} compares single numbers, not a tensor of shape "
                        f"{tuple(value.shape)}: reduce it first, e.g. sum(x) or mean(x)",
                    )
                value = float(value.detach().reshape(()).item())
            sides.append(value)
        return bool(compare(*sides))

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
    """Run a program over the given variables; return every assigned name as a tensor (the
    last value each took, in the order of their last assignment; loop variables left out)."""
    env: dict[str, Value] = {}
    for name, value in variables.items():
        if not isinstance(name, str) or not name.isidentifier() or name.startswith("_"):
            raise ExpressionError(f"'{name}' is not a valid variable name")
        if name in FUNCTIONS:
            raise ExpressionError(f"'{name}' is a function name; pick another variable name")
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
