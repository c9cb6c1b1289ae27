"""Parsing and the static checks: the whitelist, bounded blocks, the cost of a run, free names."""

import ast
import re

import torch

from core.expressions.limits import (
    MAX_BLOCK_DEPTH,
    MAX_EXECUTED,
    MAX_NODES,
    MAX_PROGRAM_CHARS,
    MAX_RANGE,
    MAX_STATEMENTS,
    ExpressionError,
)
from core.expressions.shapes import FUNCTIONS
from core.i18n import N_

_REFUSED = {
    ast.Attribute: N_("attributes (x.something) are not part of the language"),
    ast.Subscript: N_("indexing (x[...]) is not part of the language"),
    ast.Import: N_("imports are not allowed"),
    ast.ImportFrom: N_("imports are not allowed"),
    ast.Lambda: N_("lambdas are not allowed"),
    ast.ListComp: N_("comprehensions are not allowed"),
    ast.SetComp: N_("comprehensions are not allowed"),
    ast.DictComp: N_("comprehensions are not allowed"),
    ast.GeneratorExp: N_("comprehensions are not allowed"),
    ast.JoinedStr: N_("strings are not part of the language"),
    ast.NamedExpr: N_("the walrus operator := is not allowed"),
    ast.Starred: N_("starred arguments (*x) are not allowed"),
    ast.FunctionDef: N_("defining functions is not allowed"),
    ast.AsyncFunctionDef: N_("defining functions is not allowed"),
    ast.ClassDef: N_("defining classes is not allowed"),
    ast.Await: N_("await is not allowed"),
    ast.Yield: N_("yield is not allowed"),
    ast.YieldFrom: N_("yield is not allowed"),
    ast.IfExp: N_("conditional expressions are not allowed: write an if block"),
    ast.Compare: N_("comparisons only appear as an if condition, e.g. if sum(x) > 0:"),
    ast.BoolOp: N_("and/or are not part of the language: nest one if inside another"),
    ast.While: N_("while loops are not allowed: use for i in range(k) with k at most 20"),
    ast.Break: N_("break is not part of the language: a loop always runs range(k) times"),
    ast.Continue: N_("continue is not part of the language: use an if inside the loop"),
    ast.Pass: N_("pass is not part of the language: leave the empty block (or else) out"),
    ast.AugAssign: N_("augmented assignment (r += x) is not allowed: write r = r + x"),
    ast.AnnAssign: N_("annotations (r: float = ...) are not part of the language"),
    ast.AsyncFor: N_("async for is not allowed"),
    ast.With: N_("with blocks are not allowed"),
    ast.Try: N_("try blocks are not allowed"),
    ast.Delete: N_("del is not allowed"),
    ast.Global: N_("global is not allowed"),
    ast.Nonlocal: N_("nonlocal is not allowed"),
    ast.Return: N_("return is not part of the language"),
    ast.Raise: N_("raise is not allowed"),
    ast.Assert: N_("assert is not allowed"),
    ast.Match: N_("match blocks are not part of the language"),
    ast.List: N_("list literals belong in the variable widgets, not in the program"),
    ast.Tuple: N_("tuples are not part of the language"),
    ast.Dict: N_("dictionaries are not part of the language"),
    ast.Set: N_("sets are not part of the language"),
}

Value = torch.Tensor | float


def _where(node: ast.AST) -> tuple[int, int]:
    return getattr(node, "lineno", 1), getattr(node, "col_offset", 0) + 1


def _fail(node: ast.AST, message: str, **values: object) -> ExpressionError:
    """The error for `node`: `message` an English template marked N_, filled from `values`."""
    return ExpressionError(message, *_where(node), **values)


def _refuse(node: ast.AST) -> ExpressionError:
    """The error for a construct outside the language, saying what it is."""
    if type(node) in _REFUSED:
        return _fail(node, _REFUSED[type(node)])
    return _fail(node, N_("'{name}' is not part of the language"), name=type(node).__name__)


_TAB_INDENT = re.compile(r"^[ ]*\t", re.MULTILINE)


def _parse(program: str) -> ast.Module:
    if not isinstance(program, str):
        raise ExpressionError(N_("the program must be text"))
    if len(program) > MAX_PROGRAM_CHARS:
        raise ExpressionError(
            N_("the program is {n} characters long; the limit is {limit}"),
            n=f"{len(program):,}",
            limit=f"{MAX_PROGRAM_CHARS:,}",
        )
    if not program.strip():
        raise ExpressionError(N_("the program is empty: write an assignment such as r = x * y"))
    tab = _TAB_INDENT.search(program)
    if tab:
        line = program.count("\n", 0, tab.start()) + 1
        raise ExpressionError(
            N_("indent blocks with spaces, not tabs"), line, tab.end() - tab.start()
        )
    try:
        tree = ast.parse(program, mode="exec")
    except IndentationError as err:
        raise ExpressionError(
            N_("indentation: {error}; indent each block's lines by the same number of spaces"),
            err.lineno or 1,
            max(err.offset or 1, 1),
            error=err.msg,
        ) from None
    except SyntaxError as err:
        raise ExpressionError(
            N_("syntax error: {error}"), err.lineno or 1, max(err.offset or 1, 1), error=err.msg
        ) from None
    except (ValueError, RecursionError, MemoryError, OverflowError):
        raise ExpressionError(
            N_("the program cannot be parsed (too deep or invalid characters)")
        ) from None
    count = sum(1 for _ in ast.walk(tree))
    if count > MAX_NODES:
        raise ExpressionError(
            N_("the program has {n} syntax nodes; the limit is {limit}"), n=count, limit=MAX_NODES
        )
    statements = sum(1 for node in ast.walk(tree) if isinstance(node, ast.stmt))
    if statements > MAX_STATEMENTS:
        raise ExpressionError(
            N_("the program has {n} statements; the limit is {limit}"),
            n=statements,
            limit=MAX_STATEMENTS,
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
        for count, what in (
            (
                statements,
                N_(
                    "with its loops unrolled the program would run up to {n} statements by "
                    "the end of this line; the limit is {limit}"
                ),
            ),
            (
                operations,
                N_(
                    "with its loops unrolled the program would run up to {n} operations by "
                    "the end of this line; the limit is {limit}"
                ),
            ),
        ):
            if count > MAX_EXECUTED:
                raise _fail(stmt, what, n=f"{count:,}", limit=MAX_EXECUTED)


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
        raise _fail(stmt, N_("each line must be an assignment, e.g. r = x * y"))
    if not isinstance(stmt, ast.If | ast.For):
        raise _refuse(stmt)
    if depth + 1 > MAX_BLOCK_DEPTH:
        raise _fail(stmt, N_("blocks (if/for) nest at most {limit} deep"), limit=MAX_BLOCK_DEPTH)
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
        raise _fail(stmt, N_("the loop variable is one plain name, e.g. for i in range(3):"))
    _check_target_name(target)
    if stmt.orelse:
        raise _fail(stmt.orelse[0], N_("for ... else is not part of the language"))
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
    top = MAX_RANGE
    call = stmt.iter
    if not (
        isinstance(call, ast.Call)
        and isinstance(call.func, ast.Name)
        and call.func.id == _RANGE
        and not call.keywords
    ):
        raise _fail(
            call,
            N_(
                "a loop runs over range(k) with k a whole number from 0 to {top}, e.g. for i in range(3):"
            ),
            top=top,
        )
    if len(call.args) != 1:
        raise _fail(
            call,
            N_(
                "a loop runs over range(k) with k a whole number from 0 to {top}: range takes "
                "one number here, e.g. range(3)"
            ),
            top=top,
        )
    (arg,) = call.args
    if not isinstance(arg, ast.Constant):
        raise _fail(
            arg,
            N_(
                "a loop runs over range(k) with k a whole number from 0 to {top}, written as a "
                "number, not computed"
            ),
            top=top,
        )
    k = arg.value
    if isinstance(k, bool) or not isinstance(k, int):
        raise _fail(
            arg,
            N_("a loop runs over range(k) with k a whole number from 0 to {top}, not {k}"),
            top=top,
            k=repr(str(k)[:20]),
        )
    if not 0 <= k <= MAX_RANGE:
        raise _fail(
            arg,
            N_(
                "range({k}) is too long: a loop runs over range(k) with k a whole number from "
                "0 to {top}"
            ),
            k=str(k)[:20],
            top=top,
        )
    return k


def _check_condition(test: ast.expr) -> None:
    if not isinstance(test, ast.Compare):
        raise _fail(
            test,
            N_("an if condition is one comparison of single numbers, e.g. if sum(x) > 0:")
            if not isinstance(test, ast.BoolOp | ast.UnaryOp)
            else N_("and/or/not are not part of the language: nest one if inside another"),
        )
    if len(test.ops) != 1:
        raise _fail(test, N_("one comparison per condition: nest ifs instead of a < b < c"))
    if type(test.ops[0]) not in _COMPARE:
        raise _fail(test, N_("the comparisons are < > <= >= == !="))
    _check_expression(test.left)
    _check_expression(test.comparators[0])


def _check_expression(expr: ast.expr) -> None:
    for node in ast.walk(expr):
        if not isinstance(node, _EXPRESSION_NODES):
            raise _refuse(node)
        if isinstance(node, ast.Constant) and (
            isinstance(node.value, bool) or not isinstance(node.value, int | float)
        ):
            if isinstance(node.value, str | bytes):
                raise _fail(node, N_("only numbers are allowed as constants, not strings"))
            raise _fail(
                node,
                N_("only numbers are allowed as constants, not {value}"),
                value=repr(node.value)[:20],
            )
        if isinstance(node, ast.Name):
            _check_name(node, node.id)
            if node.id == _RANGE:
                raise _fail(node, N_("range(k) only appears in a loop: for i in range(k):"))
        if isinstance(node, ast.Call):
            if isinstance(node.func, ast.Attribute):
                raise _fail(node, N_("method calls (x.f()) are not part of the language"))
            if not isinstance(node.func, ast.Name):
                raise _refuse(node.func)
            if node.func.id == _RANGE:
                raise _fail(node, N_("range(k) only appears in a loop: for i in range(k):"))
            if node.func.id not in FUNCTIONS:
                known = ", ".join(sorted(FUNCTIONS))
                raise _fail(
                    node,
                    N_("unknown function '{name}'; the functions are: {known}"),
                    name=node.func.id,
                    known=known,
                )
            if node.keywords:
                raise _fail(node, N_("keyword arguments are not allowed"))


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
    raise _refuse(stmt)  # not reached: _check_block refused it


def _block_cost(stmts: list[ast.stmt]) -> tuple[int, int]:
    costs = [_cost(s) for s in stmts]
    return sum(c[0] for c in costs), sum(c[1] for c in costs)


def _check_name(node: ast.AST, name: str) -> None:
    if name.startswith("_"):
        raise _fail(
            node, N_("names starting with an underscore are not allowed: '{name}'"), name=name
        )


def _check_target_name(target: ast.Name) -> None:
    _check_name(target, target.id)
    if target.id in FUNCTIONS:
        raise _fail(
            target, N_("'{name}' is a function name; pick another variable name"), name=target.id
        )
    if target.id == _RANGE:
        raise _fail(target, N_("'range' is kept for loops; pick another variable name"))


def _assignment_target(stmt: ast.stmt) -> ast.Name:
    if isinstance(stmt, ast.Expr):
        raise _fail(stmt, N_("each line must be an assignment, e.g. r = x * y"))
    if not isinstance(stmt, ast.Assign):
        raise _refuse(stmt)
    if len(stmt.targets) != 1 or not isinstance(stmt.targets[0], ast.Name):
        raise _fail(stmt, N_("assign to exactly one plain name, e.g. r = x * y"))
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
