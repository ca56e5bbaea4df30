"""Expressions for the command line, parsed into a small grammar and evaluated without eval.

``parse`` reads the text with Python's ``ast`` module and walks the tree against the grammar:
numbers, the named variables, ``+ - * / ** % //``, parentheses, and calls of dualdiff's elementwise
functions (``sin(x)``, ``exp``, ``hypot(x, y)``, ...) with the constants ``pi`` and ``e``. Anything
else (attributes, subscripts, lambdas, imports, unknown names) is refused with a caret under the
offending part, and so is input too long or too deeply nested. ``evaluate`` walks the checked
tree node by node, on floats, Duals or tape variables alike: nothing is passed to eval or exec.

>>> e = parse("(x + y)**2", ["x", "y"])
>>> evaluate(e, {"x": 1.0, "y": 2.0})
9.0
"""

from __future__ import annotations

import ast
import importlib
import importlib.util
import math
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..rules.elementwise import Elementwise
from ..rules.table import TABLE

MAX_LENGTH = 2000  # characters in an expression or a value
MAX_DEPTH = 100  # nesting of parentheses
MAX_TREE_DEPTH = 1000  # operations inside operations (a flat sum of 1000 terms is this deep)
MAX_VARIABLES = 200  # name=value pairs: the Hessian has this many squared entries
CONSTANTS = {"pi": math.pi, "e": math.e}

_BINARY: dict[type, tuple[str, str]] = {  # ast operator -> (Python operator, rule name)
    ast.Add: ("+", "add"), ast.Sub: ("-", "subtract"), ast.Mult: ("*", "multiply"),
    ast.Div: ("/", "divide"), ast.Pow: ("**", "power"), ast.Mod: ("%", "remainder"),
    ast.FloorDiv: ("//", "floor_divide"),
}
_REFUSED = {  # constructs people try, and what we say about them
    ast.Attribute: "attribute access (a.b) is not allowed",
    ast.Subscript: "subscripts (x[i]) are not allowed: each variable is a single number",
    ast.Lambda: "lambda is not allowed",
    ast.ListComp: "comprehensions are not allowed", ast.SetComp: "comprehensions are not allowed",
    ast.DictComp: "comprehensions are not allowed", ast.GeneratorExp: "comprehensions are not allowed",
    ast.Compare: "comparisons are not allowed: the expression must compute a number",
    ast.BoolOp: "and/or are not allowed: the expression must compute a number",
    ast.IfExp: "conditional expressions (a if c else b) are not allowed",
    ast.NamedExpr: "assignments (:=) are not allowed",
    ast.Starred: "starred arguments are not allowed",
    ast.List: "lists are not allowed", ast.Tuple: "tuples are not allowed",
    ast.Dict: "dicts are not allowed", ast.Set: "sets are not allowed",
    ast.JoinedStr: "strings are not allowed", ast.Await: "await is not allowed",
    ast.Yield: "yield is not allowed", ast.YieldFrom: "yield is not allowed",
}
_OPERATOR_HINTS = {
    ast.BitXor: "^ is not a power here (as in Python it is bitwise xor); write x**2",
    ast.MatMult: "@ (matrix product) is not allowed: the variables are numbers",
}


class InputError(ValueError):
    """A mistake in the user's input, with the text and the columns to underline.

    >>> print(InputError("unknown name 'z'", "x + z", 4, 5))
    unknown name 'z'
      x + z
          ^
    """

    def __init__(self, message: str, text: str = "", start: int | None = None, end: int | None = None) -> None:
        super().__init__(message)
        self.message, self.text, self.start = message, text, start
        self.end = end if end is not None and start is not None and end > start else (None if start is None else start + 1)

    def __str__(self) -> str:
        if self.start is None or not self.text:
            return self.message
        start = min(self.start, len(self.text))
        width = max(1, min(self.end or start + 1, len(self.text) + 1) - start)
        return f"{self.message}\n  {self.text}\n  {' ' * start}{'^' * width}"


def functions() -> dict[str, Elementwise]:
    """The functions an expression may call: every elementwise function dualdiff exports, by name
    (and scipy.special's, such as erf and gammaln, when SciPy is installed).

    >>> fs = functions()
    >>> fs["sin"].nargs, fs["hypot"].nargs, "open" in fs
    (1, 2, False)
    """
    found: dict[str, Elementwise] = dict(TABLE)
    found["abs"] = TABLE["absolute"]
    if importlib.util.find_spec("scipy") is not None:  # scipy.special's rules (erf, gammaln, ...) with SciPy
        special = importlib.import_module("dualdiff.rules.special")
        for name in special.__all__:
            found.setdefault(name, getattr(special, name))
    return {name: f for name, f in sorted(found.items()) if isinstance(f, Elementwise)}


@dataclass(frozen=True)
class Expression:
    """A parsed expression that passed the grammar check: its text, tree and the variables it uses."""

    text: str
    tree: ast.expr
    names: tuple[str, ...]

    def __call__(self, **values: Any) -> Any:
        return evaluate(self, values)


def _check_text(text: str) -> None:
    if len(text) > MAX_LENGTH:
        raise InputError(f"the input is too long ({len(text)} characters; the limit is {MAX_LENGTH})")
    if not text.strip():
        raise InputError("the expression is empty")
    for i, ch in enumerate(text):
        if not (" " <= ch <= "~"):
            raise InputError(f"character {ch!r} is not allowed: use plain ASCII on one line", text, i)
    depth = 0
    for i, ch in enumerate(text):
        depth += (ch == "(") - (ch == ")")
        if depth > MAX_DEPTH:
            raise InputError(f"the expression is nested too deeply (more than {MAX_DEPTH} parentheses)", text, i)


def _depth_ok(tree: ast.AST, text: str) -> None:
    stack = [(tree, 1)]
    while stack:
        node, d = stack.pop()
        if d > MAX_TREE_DEPTH:
            raise InputError(f"the expression is nested too deeply (more than {MAX_TREE_DEPTH} levels)", text, *_span(node))
        stack.extend((c, d + 1) for c in ast.iter_child_nodes(node))


def _span(node: ast.AST) -> tuple[int | None, int | None]:
    return getattr(node, "col_offset", None), getattr(node, "end_col_offset", None)


def parse(text: str, variables: Sequence[str] = ()) -> Expression:
    """Parse ``text`` into an `Expression` that may use ``variables``, or raise `InputError`.

    >>> parse("(x + y)**2", ["x", "y"]).names
    ('x', 'y')
    >>> print(parse("x.__class__", ["x"]))
    Traceback (most recent call last):
    ...
    dualdiff.tools.expression.InputError: attribute access (a.b) is not allowed
      x.__class__
       ^^^^^^^^^^
    """
    _check_text(text)
    try:
        tree = ast.parse(text.strip(), mode="eval").body
    except SyntaxError as e:
        lead = len(text) - len(text.lstrip())
        start = lead + (e.offset or 1) - 1
        end = lead + e.end_offset - 1 if e.end_offset and e.lineno == e.end_lineno else None
        raise InputError(f"syntax error: {e.msg}", text, start, end) from None
    except (RecursionError, MemoryError, ValueError):
        raise InputError("the expression is too large or too deeply nested to parse") from None
    lead = len(text) - len(text.lstrip())
    if lead:
        for node in ast.walk(tree):
            if hasattr(node, "col_offset"):
                node.col_offset += lead  # type: ignore[attr-defined]
                node.end_col_offset = (getattr(node, "end_col_offset", 0) or 0) + lead  # type: ignore[attr-defined]
    _depth_ok(tree, text)
    used: list[str] = []
    funcs = functions()
    allowed = dict.fromkeys(variables)  # ordered, for the messages
    callees = {id(n.func) for n in ast.walk(tree) if isinstance(n, ast.Call)}
    for node in ast.walk(tree):  # breadth first: the outermost offending part is reported
        if id(node) not in callees:
            _check_node(node, text, allowed, funcs, used)
    return Expression(text, tree, tuple(used))


def _check_node(node: ast.AST, text: str, variables: dict[str, None], funcs: dict[str, Elementwise], used: list[str]) -> None:
    where = (text, *_span(node))
    if isinstance(node, (ast.operator, ast.unaryop, ast.expr_context)):
        return  # checked with their BinOp / UnaryOp
    if isinstance(node, ast.Constant):
        if isinstance(node.value, bool) or not isinstance(node.value, (int, float)):
            raise InputError(f"{type(node.value).__name__} constants are not allowed: only real numbers", *where)
        try:
            v = float(node.value)
        except OverflowError:
            v = math.inf
        if not math.isfinite(v):
            raise InputError("this number is too large for a float (it would be inf)", *where)
    elif isinstance(node, ast.Name):
        _check_name(node, text, variables, funcs, used, called=False)
    elif isinstance(node, ast.BinOp):
        if type(node.op) not in _BINARY:
            msg = _OPERATOR_HINTS.get(type(node.op), f"the operator {type(node.op).__name__} is not allowed")
            raise InputError(msg, text, *_operator_span(node, text))
    elif isinstance(node, ast.UnaryOp):
        if not isinstance(node.op, (ast.USub, ast.UAdd)):
            raise InputError("only unary + and - are allowed", *where)
    elif isinstance(node, ast.Call):
        if not isinstance(node.func, ast.Name):
            raise InputError("only dualdiff's functions may be called, by name: sin(x), exp(x), ...", text, *_span(node.func))
        f = _check_name(node.func, text, variables, funcs, used, called=True)
        assert f is not None
        starred = next((a for a in node.args if isinstance(a, ast.Starred)), None)
        if starred is not None:  # before the count: hypot(*x) has one argument, but that is not what is wrong
            raise InputError(f"starred arguments (*{ast.unparse(starred.value)}) are not allowed: each variable is a single "
                             f"number, so write the arguments out, as in {node.func.id}({', '.join('xyzuvw'[:f.nargs])})",
                             text, *_span(starred))
        if node.keywords:
            kw = node.keywords[0]
            what = "keyword arguments are not allowed" if kw.arg is not None else "** unpacking is not allowed"
            raise InputError(what, text, *_span(kw))
        if len(node.args) != f.nargs:
            raise InputError(f"{node.func.id}() takes {f.nargs} argument(s), got {len(node.args)}", *where)
    elif type(node) in _REFUSED:
        s, e = _span(node)
        if isinstance(node, ast.Attribute) and e is not None:
            s = e - len(node.attr) - 1  # point at ".attr"
        raise InputError(_REFUSED[type(node)], text, s, e)
    else:
        raise InputError(f"{type(node).__name__} is not allowed in an expression", *where)


def _operator_span(node: ast.BinOp, text: str) -> tuple[int | None, int | None]:
    lo, hi = node.left.end_col_offset, node.right.col_offset
    if lo is None or hi is None:
        return _span(node)
    gap = text[lo:hi]
    stripped = gap.strip("() ")
    i = gap.find(stripped) if stripped else 0
    return lo + i, lo + i + max(1, len(stripped))


def _check_name(
    node: ast.Name, text: str, variables: dict[str, None], funcs: dict[str, Elementwise], used: list[str], called: bool
) -> Elementwise | None:
    name, where = node.id, (text, *_span(node))
    if name.startswith("__"):
        raise InputError(f"dunder names like {name} are not allowed", *where)
    if called:
        if name in funcs:
            return funcs[name]
        if name in variables or name in CONSTANTS:
            raise InputError(f"{name} is a number, not a function", *where)
        raise InputError(f"unknown function {name}(); the functions are: {', '.join(funcs)}", *where)
    if name in variables:
        if name not in used:
            used.append(name)
    elif name in funcs:
        raise InputError(f"{name} is a function: call it, as in {name}(x)", *where)
    elif name not in CONSTANTS:
        known = ", ".join(list(variables) + list(CONSTANTS))
        raise InputError(f"unknown name {name!r}: give its value on the command line ({name}=...); known names: {known}", *where)
    return None


def evaluate(expr: Expression, values: dict[str, Any]) -> Any:
    """Evaluate a parsed expression with numbers, Duals or tape variables for its variables.

    The walk is iterative, so long sums do not hit Python's recursion limit. Operations on plain
    floats follow IEEE rules (1/0 is inf) like everything else in dualdiff.

    >>> from dualdiff import Dual
    >>> e = parse("(x + y)**2", ["x", "y"])
    >>> evaluate(e, {"x": 1.0, "y": 2.0}), evaluate(e, {"x": Dual(1.0, 1.0), "y": 2.0}).derivative
    (9.0, 6.0)
    """
    funcs = functions()
    stack: list[tuple[ast.expr, bool]] = [(expr.tree, False)]
    out: list[Any] = []
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        while stack:
            node, ready = stack.pop()
            if isinstance(node, ast.Constant):
                out.append(float(node.value))
            elif isinstance(node, ast.Name):
                out.append(values[node.id] if node.id in values else CONSTANTS[node.id])
            elif not ready:
                stack.append((node, True))
                kids = [node.left, node.right] if isinstance(node, ast.BinOp) else (
                    [node.operand] if isinstance(node, ast.UnaryOp) else list(node.args))  # type: ignore[attr-defined]
                stack.extend((k, False) for k in reversed(kids))
            elif isinstance(node, ast.BinOp):
                b, a = out.pop(), out.pop()
                out.append(_binary(type(node.op), a, b, funcs))
            elif isinstance(node, ast.UnaryOp):
                a = out.pop()
                out.append(-a if isinstance(node.op, ast.USub) else a)
            else:
                call: ast.Call = node  # type: ignore[assignment]
                n = len(call.args)
                args = out[len(out) - n:]
                del out[len(out) - n:]
                out.append(funcs[call.func.id](*args))  # type: ignore[attr-defined]
    return out[0]


_OPS: dict[str, Callable[[Any, Any], Any]] = {
    "+": lambda a, b: a + b, "-": lambda a, b: a - b, "*": lambda a, b: a * b, "/": lambda a, b: a / b,
    "**": lambda a, b: a**b, "%": lambda a, b: a % b, "//": lambda a, b: a // b,
}


def _binary(op: type, a: Any, b: Any, funcs: dict[str, Elementwise]) -> Any:
    symbol, rule = _BINARY[op]
    if type(a) is float and type(b) is float:
        return funcs[rule](a, b)  # the rule answers 1/0 and overflow as IEEE does, without raising
    return _OPS[symbol](a, b)  # Duals and tape variables: their operators (and the tape's labels)
