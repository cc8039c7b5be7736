"""The safe expression language: cost functions of a curve and breakpoint conditions.

Text is parsed once with :func:`ast.parse` and every node is checked against a strict
whitelist while it is converted to the small node classes below; nothing the user wrote is
ever evaluated. A cost is differentiated symbolically (exact dJ/dw and dJ/db) and compiled to
one straight-line Python function of ``(w, b)``; a condition is compiled to nested closures
over numpy values. Numbers follow numpy float64 rules: overflow gives inf, 0/0 gives nan, and
no Python exception or numpy warning escapes.
"""

from __future__ import annotations

import ast
import math
import operator
import re
import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import reduce
from typing import Any, NoReturn

import numpy as np

MAX_LENGTH = 500
"""Longest expression accepted, in characters."""
MAX_BRACKETS = 50
"""Deepest nesting of brackets, checked on the raw text because ast.parse can blow the stack."""
MAX_DEPTH = 100
"""Deepest parsed tree (long chains such as ``w+w+...+w``), which bounds our own recursion."""

COST_VARIABLES = ("w", "b")
CONDITION_VARIABLES = ("step", "w", "b", "dw", "db", "cost", "prev_cost", "alpha")
FUNCTIONS = ("exp", "log", "sqrt", "abs", "sin", "cos", "tanh", "sigmoid", "norm", "min", "max")
_VECTORS = ("w", "dw")  # the condition variables that may hold a numpy vector


class ExprError(ValueError):
    """A bad expression, or one that cannot be evaluated, reported as one line.

    ``str(err)`` reads like ``unknown name 'x' at position 4 (allowed: w, b)``.

    Attributes:
        text: The whole expression as the user wrote it.
        position: 0-based column of the offending token in ``text``.
        token: The offending token as written ("" at the end of the text).
        message: What is wrong, without position or hint.
        hint: What would be accepted instead, or "".
    """

    def __init__(self, message: str, *, text: str, position: int, token: str = "", hint: str = ""):
        self.text, self.position, self.token = text, position, token
        self.message, self.hint = message, hint
        line = f"{message} at position {position}" + (f" ({hint})" if hint else "")
        # User text can hold newlines or control characters; the report must stay one line.
        super().__init__("".join(c if c.isprintable() else repr(c)[1:-1] for c in line))


# --- Nodes: compared by identity, so shared subtrees cost nothing to hash. -----------------


@dataclass(frozen=True, slots=True, eq=False)
class _Num:
    value: float


@dataclass(frozen=True, slots=True, eq=False)
class _Var:
    name: str


@dataclass(frozen=True, slots=True, eq=False)
class _Index:
    name: str
    index: int
    position: int
    token: str


@dataclass(frozen=True, slots=True, eq=False)
class _Neg:
    operand: _Node


@dataclass(frozen=True, slots=True, eq=False)
class _Bin:
    op: str  # one of + - * / **
    left: _Node
    right: _Node


@dataclass(frozen=True, slots=True, eq=False)
class _Call:
    func: str  # a FUNCTIONS name other than min/max, or the internal "sign"
    arg: _Node


@dataclass(frozen=True, slots=True, eq=False)
class _Select:
    """``x`` where ``a op b`` holds or ``a`` is nan, else ``y``: min/max and their derivatives."""

    op: str  # "<=" for min, ">=" for max
    a: _Node
    b: _Node
    x: _Node
    y: _Node


@dataclass(frozen=True, slots=True, eq=False)
class _Compare:
    ops: tuple[str, ...]
    operands: tuple[_Node, ...]
    labels: tuple[tuple[int, str], ...]  # (position, text) of each operand, for errors


@dataclass(frozen=True, slots=True, eq=False)
class _Logic:
    op: str  # and, or, not
    operands: tuple[_Node, ...]


_Node = _Num | _Var | _Index | _Neg | _Bin | _Call | _Select | _Compare | _Logic

# --- Scalar arithmetic on Python floats that never raises (used by costs and folding). -------


def _numpy_scalar(ufunc: Callable[..., Any], *args: float) -> float:
    """Numpy's answer for the rare inputs where Python float math raises instead."""
    with np.errstate(all="ignore"):
        return float(ufunc(*args))


def _div(x: float, y: float) -> float:
    return x / y if y else _numpy_scalar(np.divide, x, y)


def _pow(x: float, y: float) -> float:
    try:
        result = x**y
    except (OverflowError, ZeroDivisionError):
        return _numpy_scalar(np.power, x, y)
    # A negative float to a fractional power is complex in Python, nan in numpy.
    return _numpy_scalar(np.power, x, y) if isinstance(result, complex) else result


def _exp(x: float) -> float:
    try:
        return math.exp(x)
    except OverflowError:
        return math.inf


def _guarded(function: Callable[[float], float], ufunc: Any) -> Callable[[float], float]:
    """Wrap a math function so domain errors (log(0), sqrt(-1), sin(inf)) give numpy's answer."""

    def guarded(x: float) -> float:
        try:
            return function(x)
        except (ValueError, OverflowError):
            return _numpy_scalar(ufunc, x)

    return guarded


def _sigmoid(z: float) -> float:
    if z >= 0:
        return 1.0 / (1.0 + math.exp(-z))
    e = math.exp(z)  # z < 0 (or nan), so this cannot overflow
    return e / (1.0 + e)


def _sign(x: float) -> float:
    return 1.0 if x > 0 else -1.0 if x < 0 else x * 0.0  # keeps 0.0 and nan


_SCALAR_FUNCTIONS: dict[str, Callable[[float], float]] = {
    "exp": _exp,
    "log": _guarded(math.log, np.log),
    "sqrt": _guarded(math.sqrt, np.sqrt),
    "abs": abs,
    "norm": abs,  # the norm of a single number
    "sin": _guarded(math.sin, np.sin),
    "cos": _guarded(math.cos, np.cos),
    "tanh": math.tanh,
    "sigmoid": _sigmoid,
    "sign": _sign,
}
_SCALAR_OPS: dict[str, Callable[[float, float], float]] = {"+": operator.add, "-": operator.sub}
_SCALAR_OPS |= {"*": operator.mul, "/": _div, "**": _pow}  # float + and * overflow to inf

# --- Building nodes: constant folding always, trivial simplification for derivatives. ------

_ZERO, _ONE = _Num(0.0), _Num(1.0)


def _is(node: _Node, value: float) -> bool:
    return isinstance(node, _Num) and node.value == value


def _fold(node: _Node) -> _Node:
    """Replace an operation on constants by its value (never raises: all helpers are total)."""
    match node:
        case _Neg(_Num(v)):
            return _Num(-v)
        case _Bin(op, _Num(x), _Num(y)):
            return _Num(_SCALAR_OPS[op](x, y))
        case _Call(func, _Num(x)):
            return _Num(_SCALAR_FUNCTIONS[func](x))
        case _Select(op, _Num(a), _Num(b), x, y):
            return x if (a <= b if op == "<=" else a >= b) or a != a else y
    return node


def _neg(x: _Node) -> _Node:
    return x.operand if isinstance(x, _Neg) else _fold(_Neg(x))


def _add(x: _Node, y: _Node) -> _Node:
    return y if _is(x, 0) else x if _is(y, 0) else _fold(_Bin("+", x, y))


def _sub(x: _Node, y: _Node) -> _Node:
    return x if _is(y, 0) else _neg(y) if _is(x, 0) else _fold(_Bin("-", x, y))


def _mul(x: _Node, y: _Node) -> _Node:
    if isinstance(y, _Num) and not isinstance(x, _Num):
        x, y = y, x  # constants first, so 2*(3*w) can become 6*w below
    if _is(x, 0) or _is(y, 0):
        return _ZERO
    if _is(x, 1):
        return y
    if _is(x, -1):
        return _neg(y)
    if isinstance(x, _Num) and isinstance(y, _Bin) and y.op == "*" and isinstance(y.left, _Num):
        return _mul(_Num(x.value * y.left.value), y.right)
    return _fold(_Bin("*", x, y))


def _divide(x: _Node, y: _Node) -> _Node:
    return _ZERO if _is(x, 0) else x if _is(y, 1) else _fold(_Bin("/", x, y))


def _power(x: _Node, y: _Node) -> _Node:
    return _ONE if _is(y, 0) else x if _is(y, 1) else _fold(_Bin("**", x, y))


def _derive(node: _Node, var: str) -> _Node:
    """The exact derivative of a cost tree with respect to ``var``, simplified as it is built."""
    match node:
        case _Num():
            return _ZERO
        case _Var(name):
            return _ONE if name == var else _ZERO
        case _Neg(x):
            return _neg(_derive(x, var))
        case _Bin("+" | "-" as op, x, y):
            return (_add if op == "+" else _sub)(_derive(x, var), _derive(y, var))
        case _Bin("*", x, y):
            return _add(_mul(_derive(x, var), y), _mul(x, _derive(y, var)))
        case _Bin("/", x, y):
            # x'/y - (x/y)*y'/y reuses the value node x/y instead of computing y*y.
            dx, dy = _derive(x, var), _derive(y, var)
            return _sub(_divide(dx, y), _divide(_mul(node, dy), y))
        case _Bin("**", x, y):
            # v*u**(v-1)*u' + u**v*log(u)*v'; the log term vanishes for a constant exponent,
            # which also keeps 0**2 differentiable at 0.
            dx, dy = _derive(x, var), _derive(y, var)
            by_base = _mul(_mul(y, _power(x, _sub(y, _ONE))), dx)
            by_exponent = _ZERO if _is(dy, 0) else _mul(_mul(node, _fold(_Call("log", x))), dy)
            return _add(by_base, by_exponent)
        case _Call(func, x):
            dx = _derive(x, var)
            if _is(dx, 0):
                return _ZERO
            outer: dict[str, Callable[[], _Node]] = {
                "exp": lambda: node,
                "log": lambda: _divide(_ONE, x),
                "sqrt": lambda: _divide(_Num(0.5), node),
                "abs": lambda: _fold(_Call("sign", x)),
                "sin": lambda: _fold(_Call("cos", x)),
                "cos": lambda: _neg(_fold(_Call("sin", x))),
                "tanh": lambda: _sub(_ONE, _mul(node, node)),
                "sigmoid": lambda: _mul(node, _sub(_ONE, node)),
            }
            return _mul(outer[func](), dx)
        case _Select(op, a, b, x, y):
            dx, dy = _derive(x, var), _derive(y, var)
            same = dx is dy or (
                isinstance(dx, _Num) and isinstance(dy, _Num) and dx.value == dy.value
            )
            return dx if same else _fold(_Select(op, a, b, dx, dy))
    raise AssertionError(f"not a cost node: {node!r}")  # the parser never builds one


# --- Parsing: ast.parse, then a strict whitelist walk. ---------------------------------------

_WHITESPACE = str.maketrans("\t\n\r\f\v", "     ")
_TOKEN = re.compile(r"\.?\d(?:[eE][+-]|[\w.])*|\w+|\*\*|//|<<|>>|[<>=!]=|\S")
_BIN_OPS = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/", ast.Pow: "**"}
_OTHER_OPS = {ast.FloorDiv: "//", ast.Mod: "%", ast.MatMult: "@", ast.LShift: "<<"}
_OTHER_OPS |= {ast.RShift: ">>", ast.BitOr: "|", ast.BitAnd: "&", ast.BitXor: "^"}
_COMPARE_OPS = {ast.Lt: "<", ast.LtE: "<=", ast.Gt: ">", ast.GtE: ">=", ast.Eq: "=="}
_COMPARE_OPS |= {ast.NotEq: "!="}
_DESCRIBED = {ast.Lambda: "lambda is", ast.IfExp: "'if ... else' is", ast.NamedExpr: "':=' is"}
_DESCRIBED |= {ast.Tuple: "tuples are", ast.List: "lists are", ast.Set: "sets are"}
_DESCRIBED |= {ast.Dict: "dicts are", ast.JoinedStr: "strings are", ast.Starred: "'*' is"}


def _shorten(text: str) -> str:
    return text if len(text) <= 30 else text[:27] + "..."


class _Parser:
    """Turns one expression text into a validated node tree, or raises ExprError."""

    def __init__(self, text: str, variables: tuple[str, ...], *, cost: bool):
        self.text, self.variables, self.cost = text, variables, cost
        self.used: set[str] = set()
        self.indexes = False  # whether the text indexes a vector, like w[0]
        self.source, self.shift = "", 0

    def fail(
        self, message: str, position: int, token: str | None = None, hint: str = ""
    ) -> NoReturn:
        token = self.token_at(position) if token is None else token
        raise ExprError(message, text=self.text, position=position, token=token, hint=hint)

    def parse(self) -> _Node:
        text = self.text
        if len(text) > MAX_LENGTH:
            self.fail(
                f"expression is too long ({len(text)} characters)",
                MAX_LENGTH,
                "",
                f"at most {MAX_LENGTH}",
            )
        normal = text.translate(_WHITESPACE)  # same length, so positions still match text
        depth = 0
        for i, char in enumerate(normal):
            if not char.isprintable():
                self.fail("invalid character", i, char)
            depth = depth + 1 if char in "([{" else max(depth - 1, 0) if char in ")]}" else depth
            if depth > MAX_BRACKETS:
                self.fail("expression is nested too deeply", i, char, f"at most {MAX_BRACKETS}")
        self.source = normal.lstrip(" ")  # ast.parse treats leading spaces as an indent
        self.shift = len(normal) - len(self.source)
        if not self.source.strip():
            example = "(w - 3)**2" if self.cost else "cost < 1e-3"
            self.fail("empty expression", 0, "", f"for example {example}")
        try:
            with warnings.catch_warnings():
                # Python only warns about junk like "1and w"; reject it rather than print.
                warnings.simplefilter("error", SyntaxWarning)
                tree = ast.parse(self.source, mode="eval")
        except SyntaxError as exc:
            self.syntax_error(exc)
        except (RecursionError, MemoryError, ValueError):
            self.fail("expression is too complex", 0, "")
        if self.cost:
            node = self.number(tree.body, 0)
            if "w" not in self.used:
                self.fail("a cost must use w", 0, "", "for example (w - 3)**2")
            return node
        return self.condition(tree.body, 0)

    def syntax_error(self, exc: SyntaxError) -> NoReturn:
        offset = exc.offset or 0  # SyntaxError offsets count characters, 1-based
        if exc.lineno != 1 or not 0 < offset <= len(self.source.rstrip()):
            self.fail("unexpected end of expression", len(self.text), "")
        position = self.shift + offset - 1
        if "never closed" in exc.msg:
            self.fail(f"'{self.text[position]}' is never closed", position)
        self.fail(f"unexpected token '{self.token_at(position)}'", position)

    def at(self, col: int | None) -> int:
        """Position in the text of an ast column, which counts UTF-8 bytes."""
        col = col or 0
        if not self.source.isascii():
            col = len(self.source.encode()[:col].decode(errors="ignore"))
        return self.shift + col

    def segment(self, node: ast.expr) -> str:
        return self.text[self.at(node.col_offset) : self.at(node.end_col_offset)]

    def between(self, left: ast.expr, right: ast.expr) -> int:
        """Position of an operator, which ast does not record, between its two operands."""
        position = self.at(left.end_col_offset)
        while position < self.at(right.col_offset) and self.text[position] in " ()":
            position += 1
        return position

    def number(self, node: ast.expr, depth: int) -> _Node:
        result = self.convert(node, depth)
        if isinstance(result, _Compare | _Logic):
            self.fail("a comparison cannot be used as a number", self.at(node.col_offset))
        return result

    def condition(self, node: ast.expr, depth: int) -> _Node:
        result = self.convert(node, depth)
        if not isinstance(result, _Compare | _Logic):
            self.fail(
                f"'{_shorten(self.segment(node))}' is not a condition",
                self.at(node.col_offset),
                hint="compare it, for example cost < 1e-3",
            )
        return result

    def convert(self, node: ast.expr, depth: int) -> _Node:
        position, depth = self.at(node.col_offset), depth + 1
        if depth > MAX_DEPTH:
            self.fail("expression is nested too deeply", position, hint=f"at most {MAX_DEPTH}")
        match node:
            case ast.Constant(value=bool()):
                self.fail(f"'{self.segment(node)}' is not allowed", position, hint="use numbers")
            case ast.Constant(value=int() | float() as number):
                try:
                    return _Num(float(number))
                except OverflowError:  # an integer literal beyond float range
                    return _Num(math.inf)
            case ast.Constant(value=str() | bytes()):
                self.fail("strings are not allowed", position)
            case ast.Constant(value=complex()):
                self.fail("complex numbers are not allowed", position)
            case ast.Constant():
                self.fail(f"'{self.segment(node)}' is not allowed", position, hint="use numbers")
            case ast.Name(id=name):
                return self.name(name, position)
            case ast.UnaryOp(op=ast.USub(), operand=operand):
                return _fold(_Neg(self.number(operand, depth)))
            case ast.UnaryOp(op=ast.UAdd(), operand=operand):
                return self.number(operand, depth)
            case ast.UnaryOp(op=ast.Not(), operand=operand) if not self.cost:
                return _Logic("not", (self.condition(operand, depth),))
            case ast.UnaryOp(op=ast.Not()):
                self.fail("'not' is not allowed in a cost", position)
            case ast.UnaryOp():
                self.fail(f"'{self.token_at(position)}' is not allowed", position)
            case ast.BinOp(left=left, op=op, right=right):
                symbol = _BIN_OPS.get(type(op))
                if symbol is None:
                    other = _OTHER_OPS.get(type(op), "?")
                    self.fail(f"operator '{other}' is not allowed", self.between(left, right))
                return _fold(_Bin(symbol, self.number(left, depth), self.number(right, depth)))
            case ast.Compare(left=left, ops=ops, comparators=comparators):
                return self.compare(left, ops, comparators, depth)
            case ast.BoolOp(op=op, values=values):
                word = "and" if isinstance(op, ast.And) else "or"
                if self.cost:
                    where = self.between(values[0], values[1])
                    self.fail(f"'{word}' is not allowed in a cost", where)
                return _Logic(word, tuple(self.condition(v, depth) for v in values))
            case ast.Call():
                return self.call(node, depth)
            case ast.Subscript():
                return self.index(node)
            case ast.Attribute(value=value, attr=attr):
                where = self.at(value.end_col_offset)
                self.fail(f"attribute access '.{attr}' is not allowed", where, f".{attr}")
        what = _DESCRIBED.get(type(node))
        if what is None:
            self.fail(f"'{self.token_at(position)}' is not allowed", position)
        return self.fail(f"{what} not allowed", position)

    def token_at(self, position: int) -> str:
        match = _TOKEN.match(self.text, position)
        return match.group() if match else ""

    def name(self, name: str, position: int) -> _Node:
        if name in self.variables:
            self.used.add(name)
            return _Var(name)
        token = self.token_at(position)
        if name.startswith("_"):
            self.fail(f"'{token}' is not allowed", position)
        if name in FUNCTIONS:
            self.fail(f"'{token}' is a function", position, hint=f"call it, for example {name}(w)")
        return self.fail(f"unknown name '{token}'", position, hint=self.allowed)

    @property
    def allowed(self) -> str:
        return "allowed: " + ", ".join(self.variables)

    def compare(
        self, left: ast.expr, ops: list[ast.cmpop], right: list[ast.expr], depth: int
    ) -> _Node:
        if self.cost:
            where = self.between(left, right[0])
            self.fail("comparisons are not allowed in a cost", where, hint="a cost is a number")
        operands = [left, *right]
        symbols = []
        for op, before, after in zip(ops, operands[:-1], right, strict=True):
            if type(op) not in _COMPARE_OPS:
                where = self.between(before, after)
                self.fail(f"'{self.token_at(where)}' is not allowed", where)
            symbols.append(_COMPARE_OPS[type(op)])
        nodes = tuple(self.number(operand, depth) for operand in operands)
        labels = tuple((self.at(o.col_offset), self.segment(o)) for o in operands)
        return _Compare(tuple(symbols), nodes, labels)

    def call(self, node: ast.Call, depth: int) -> _Node:
        func, position = node.func, self.at(node.col_offset)
        if not isinstance(func, ast.Name):
            self.convert(func, depth)  # reports attribute access and other junk precisely
            self.fail("only named functions can be called", position, hint=self.functions)
        name = func.id
        if name not in FUNCTIONS:
            if name.startswith("_"):
                self.fail(f"'{self.token_at(position)}' is not allowed", position)
            what = "not a function" if name in self.variables else "an unknown function"
            self.fail(f"'{self.token_at(position)}' is {what}", position, hint=self.functions)
        if node.keywords:
            keyword = node.keywords[0]
            self.fail("keyword arguments are not allowed", self.at(keyword.col_offset))
        args = [self.number(arg, depth) for arg in node.args]
        if name in ("min", "max"):
            if len(args) < 2:
                self.fail(f"{name}() needs 2 or more arguments (got {len(args)})", position)
            op = "<=" if name == "min" else ">="
            return reduce(lambda a, b: _fold(_Select(op, a, b, a, b)), args)
        if len(args) != 1:
            self.fail(f"{name}() takes 1 argument (got {len(args)})", position)
        if self.cost and name == "norm":
            name = "abs"  # a curve's w is a single number, and the norm of a number is abs
        return _fold(_Call(name, args[0]))

    @property
    def functions(self) -> str:
        return "allowed: " + ", ".join(FUNCTIONS)

    def index(self, node: ast.Subscript) -> _Node:
        position, value, index = self.at(node.col_offset), node.value, node.slice
        if not isinstance(value, ast.Name):
            return self.fail("only w[i] or dw[i] can be indexed", position)
        self.name(value.id, position)  # an unknown name is the clearer report
        if self.cost or value.id not in _VECTORS:
            whose = "a curve's " if self.cost else ""
            hint = f"write {value.id}, not {self.segment(node)}"
            self.fail(f"{whose}{value.id} is a single number", position, hint=hint)
        if not (isinstance(index, ast.Constant) and type(index.value) is int):
            where = self.at(index.col_offset)
            self.fail("an index must be a whole number", where, hint=f"for example {value.id}[0]")
        self.used.add(value.id)
        self.indexes = True
        return _Index(value.id, index.value, position, self.segment(node))


# --- Compiling a cost to straight-line Python. -----------------------------------------------


def _literal(value: float) -> str:
    if math.isnan(value):
        return "_nan"
    text = repr(value) if math.isfinite(value) else "_inf" if value > 0 else "-_inf"
    return f"({text})" if text.startswith("-") else text


class _ScalarCode:
    """Source text of one function of Python floats, one operation a line.

    This is why compiling it is safe: the text is built only from our own templates below,
    variable names the parser checked against COST_VARIABLES or CONDITION_VARIABLES,
    temporaries t0, t1, ..., helper names bound in a namespace without builtins, and float
    constants written with repr(). No other character of the user's text reaches it.
    Identical lines are shared, so the value and both derivatives of a cost compute each
    subexpression once.
    """

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.by_line: dict[str, str] = {}
        self.by_id: dict[int, str] = {}
        self.keep: list[_Node] = []  # holds nodes alive so their id() stays unique

    def name(self, node: _Node) -> str:
        known = self.by_id.get(id(node))
        if known is not None:
            return known
        line = self.line(node)
        if isinstance(node, _Num | _Var):
            result = line
        elif line in self.by_line:
            result = self.by_line[line]
        else:
            result = self.by_line[line] = f"t{len(self.lines)}"
            self.lines.append(f"    {result} = {line}")
        self.by_id[id(node)] = result
        self.keep.append(node)
        return result

    def line(self, node: _Node) -> str:
        match node:
            case _Num(value):
                return _literal(value)
            case _Var(name):
                return name
            case _Neg(x):
                return f"-{self.name(x)}"
            case _Bin("**", x, _Num(n)) if n.is_integer() and 2 <= n <= 16:
                # Python's float ** raises OverflowError; repeated multiplication gives inf.
                if n == 2:
                    return f"{self.name(x)} * {self.name(x)}"
                if n % 2:
                    return f"{self.name(_Bin('**', x, _Num(n - 1)))} * {self.name(x)}"
                half = self.name(_Bin("**", x, _Num(n // 2)))
                return f"{half} * {half}"
            case _Bin("**", x, y):
                return f"_pow({self.name(x)}, {self.name(y)})"
            case _Bin("/", x, y) if not _is(y, 0) and isinstance(y, _Num):
                return f"{self.name(x)} / {self.name(y)}"
            case _Bin("/", x, y):
                a, b = self.name(x), self.name(y)
                return f"{a} / {b} if {b} else _div({a}, {b})"
            case _Bin(op, x, y):
                return f"{self.name(x)} {op} {self.name(y)}"
            case _Call(func, x):
                return f"_{func}({self.name(x)})"
            case _Select(op, a, b, x, y):
                a_, b_, x_, y_ = self.name(a), self.name(b), self.name(x), self.name(y)
                return f"{x_} if {a_} {op} {b_} or {a_} != {a_} else {y_}"
            case _Compare(ops, operands):
                first, *rest = (self.name(operand) for operand in operands)
                return first + "".join(f" {op} {name}" for op, name in zip(ops, rest, strict=True))
            case _Logic("not", (x,)):
                return f"not {self.name(x)}"
            case _Logic(op, operands):
                return f" {op} ".join(self.name(operand) for operand in operands)
        raise AssertionError(f"not a scalar node: {node!r}")  # _Index needs numpy


_HELPERS: dict[str, object] = {f"_{name}": f for name, f in _SCALAR_FUNCTIONS.items()}
_HELPERS |= {"_pow": _pow, "_div": _div, "_inf": math.inf, "_nan": math.nan}


def _compile_scalar(outputs: list[_Node], parameters: str) -> Callable[..., Any]:
    code = _ScalarCode()
    names = [code.name(node) for node in outputs]
    result = names[0] if len(names) == 1 else f"({', '.join(names)},)"
    source = f"def f({parameters}):\n" + "".join(f"{line}\n" for line in code.lines)
    namespace: dict[str, Any] = {"__builtins__": {}, **_HELPERS}
    exec(compile(source + f"    return {result}\n", "<gdtui.expr>", "exec"), namespace)
    return namespace["f"]


# --- Compiling to closures over numpy values (conditions, and cost grids). -----------------


def _sigmoid_array(z: Any) -> Any:
    e = np.exp(-np.abs(z))  # exp of a non-positive number cannot overflow
    return np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))[()]


def _norm(x: Any) -> Any:
    return np.linalg.norm(x) if np.ndim(x) else np.abs(x)


_NUMPY_FUNCTIONS: dict[str, Callable[[Any], Any]] = {
    name: getattr(np, name) for name in ("exp", "log", "sqrt", "abs", "sin", "cos", "tanh", "sign")
}
_NUMPY_FUNCTIONS |= {"sigmoid": _sigmoid_array, "norm": _norm}
# On np.float64 and arrays Python's operators follow numpy rules (inf, nan, warnings).
_NUMPY_OPS: dict[str, Callable[[Any, Any], Any]] = {"+": operator.add, "-": operator.sub}
_NUMPY_OPS |= {"*": operator.mul, "/": operator.truediv, "**": operator.pow}
_NUMPY_OPS |= {"<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge}
_NUMPY_OPS |= {"==": operator.eq, "!=": operator.ne}
_Env = Mapping[str, Any]


def _compile_numpy(node: _Node, text: str) -> Callable[[_Env], Any]:
    """Closures over np.float64 scalars and arrays; the caller holds np.errstate."""
    match node:
        case _Num(value):
            constant = np.float64(value)
            return lambda env: constant
        case _Var(name):
            return operator.itemgetter(name)
        case _Index(name, i, position, token):

            def index(env: _Env) -> Any:
                vector = env[name]
                if isinstance(vector, np.ndarray) and i < len(vector):
                    return vector[i]
                if isinstance(vector, np.ndarray):
                    problem, hint = f"{token} is out of range", f"{name} has {len(vector)} values"
                else:
                    problem, hint = f"{name} is a single number", f"write {name}, not {token}"
                raise ExprError(problem, text=text, position=position, token=token, hint=hint)

            return index
        case _Neg(x):
            f = _compile_numpy(x, text)
            return lambda env: -f(env)
        case _Bin(op, x, y):
            fn, f, g = _NUMPY_OPS[op], _compile_numpy(x, text), _compile_numpy(y, text)
            return lambda env: fn(f(env), g(env))
        case _Call(func, x):
            function, f = _NUMPY_FUNCTIONS[func], _compile_numpy(x, text)
            return lambda env: function(f(env))
        case _Select(op, a, b, x, y) if x is a and y is b:
            # Only min/max reach here (derivatives are compiled by _ScalarCode); each argument
            # is compiled and evaluated once, else nested min(min(...)) would cost 2**depth.
            pick, fa, fb = _NUMPY_OPS[op], _compile_numpy(a, text), _compile_numpy(b, text)

            def select(env: _Env) -> Any:
                va, vb = fa(env), fb(env)
                return np.where(pick(va, vb) | (va != va), va, vb)[()]

            return select
        case _Compare(ops, operands, labels):
            tests, fs = [_NUMPY_OPS[op] for op in ops], [_compile_numpy(o, text) for o in operands]

            def compare(env: _Env) -> bool:
                values = [f(env) for f in fs]
                for value, (position, label) in zip(values, labels, strict=True):
                    if isinstance(value, np.ndarray):
                        known = label in _VECTORS
                        problem = f"{label if known else repr(label)} is a vector"
                        hint = f"use {label}[i] or norm({label})" if known else "compare w[i]"
                        raise ExprError(
                            problem, text=text, position=position, token=label, hint=hint
                        )
                return all(t(a, b) for t, a, b in zip(tests, values, values[1:], strict=False))

            return compare
        case _Logic(op, operands):
            fs = [_compile_numpy(o, text) for o in operands]
            if op == "not":
                return lambda env: not fs[0](env)
            combine = all if op == "and" else any
            return lambda env: combine(f(env) for f in fs)
    raise AssertionError(f"unknown node: {node!r}")


# --- The public objects. ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True, eq=False)
class Cost:
    """A parsed cost J(w, b) of a curve, with its exact derivatives.

    Attributes:
        text: The expression as written.
        uses_b: True iff the expression mentions b.
        evaluate: The hot-loop form of :meth:`value_and_gradient`: ``evaluate(w, b)`` returns
            ``(J, dw, db)`` for float arguments without entering ``np.errstate``, so the
            caller must hold ``np.errstate(all="ignore")`` around its loop.
    """

    text: str
    uses_b: bool
    evaluate: Callable[[float, float], tuple[float, float, float]] = field(repr=False)
    _value: Callable[[float, float], float] = field(repr=False)
    _grid: Callable[[_Env], Any] = field(repr=False)

    def value(self, w: float, b: float = 0.0) -> float:
        """Return J(w, b)."""
        with np.errstate(all="ignore"):
            return float(self._value(float(w), float(b)))

    def value_and_gradient(self, w: float, b: float = 0.0) -> tuple[float, float, float]:
        """Return (J, dJ/dw, dJ/db); dJ/db is 0.0 when the cost does not use b."""
        with np.errstate(all="ignore"):
            cost, dw, db = self.evaluate(float(w), float(b))
        return float(cost), float(dw), float(db)

    def grid(self, w: np.ndarray, b: np.ndarray | float = 0.0) -> np.ndarray:
        """Return J over arrays of w and b, broadcast together like numpy does, for plots.

        The result has the broadcast shape even when the cost ignores b, and may hold inf
        and nan where the cost is not finite.
        """
        w_array, b_array = np.asarray(w, dtype=np.float64), np.asarray(b, dtype=np.float64)
        with np.errstate(all="ignore"):
            values = self._grid({"w": w_array, "b": b_array})
        shape = np.broadcast_shapes(w_array.shape, b_array.shape)
        return np.broadcast_to(np.asarray(values, dtype=np.float64), shape).copy()


@dataclass(frozen=True, slots=True, eq=False)
class Condition:
    """A parsed breakpoint condition such as ``cost > prev_cost`` or ``abs(dw) < 1e-3``.

    Attributes:
        text: The expression as written.
        variables: The condition variables it uses.
    """

    text: str
    variables: frozenset[str]
    _order: tuple[str, ...] = field(repr=False)  # the parameters of _scalar
    _scalar: Callable[..., bool] | None = field(repr=False)  # None when it indexes a vector
    _vector: Callable[[_Env], bool] = field(repr=False)

    def __call__(self, env: Mapping[str, object]) -> bool:
        """Return whether the condition holds for the named values in ``env``.

        A variable that is missing or None (b on a w-only curve, prev_cost at step 0) makes
        the condition False.

        Raises:
            ExprError: For w[i] out of range, indexing a single number, or comparing a vector.
        """
        values = [env.get(name) for name in self._order]
        if any(value is None for value in values):
            return False
        try:
            numbers = [value for value in values if isinstance(value, int | float)]
            if self._scalar is not None and len(numbers) == len(values):
                # Python floats through helpers that never warn: no np.errstate (2 us) needed.
                return self._scalar(*map(float, numbers))
            with np.errstate(all="ignore"):
                arrays = {
                    n: np.asarray(v, dtype=np.float64)[()]
                    for n, v in zip(self._order, values, strict=True)
                }
                return bool(self._vector(arrays))
        except ExprError:
            raise
        except (ArithmeticError, TypeError, ValueError) as exc:
            message = f"cannot evaluate: {exc}".splitlines()[0]
            raise ExprError(message, text=self.text, position=0) from exc


def parse_cost(text: str) -> Cost:
    """Parse a curve's cost J(w, b), such as ``w**4 - 3*w**2 + w``.

    Raises:
        ExprError: If the text is not a valid cost.
    """
    parser = _Parser(text, COST_VARIABLES, cost=True)
    try:
        tree = parser.parse()
        gradient = [tree, _derive(tree, "w"), _derive(tree, "b")]
        evaluate = _compile_scalar(gradient, "w, b=0.0")
        value = _compile_scalar([tree], "w, b=0.0")
    except RecursionError:
        parser.fail("expression is too complex", 0, "")
    return Cost(text, "b" in parser.used, evaluate, value, _compile_numpy(tree, text))


def parse_condition(text: str) -> Condition:
    """Parse a breakpoint condition, such as ``w[0] > 2 and norm(dw) < 0.1``.

    Raises:
        ExprError: If the text is not a valid condition.
    """
    parser = _Parser(text, CONDITION_VARIABLES, cost=False)
    tree = parser.parse()
    order = tuple(sorted(parser.used))
    scalar = None if parser.indexes else _compile_scalar([tree], ", ".join(order))
    return Condition(text, frozenset(order), order, scalar, _compile_numpy(tree, text))
