"""The command line: ``dualdiff "(x + y)**2" x=1 y=2`` prints the value and every partial derivative,
computed in forward mode (dual numbers) and in reverse mode (the tape), and whether they agree.

Expressions are parsed and evaluated by expression.py, never by eval or exec.

Exit codes: 0 success, 1 the two modes disagree, 2 bad input, 3 an output that cannot be written (checked
before anything is computed).
"""

from __future__ import annotations

import argparse
import difflib
import json
import math
import shlex
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from .._meta import __version__, doc
from ..api.taylor import taylor
from .expression import CONSTANTS, MAX_LENGTH, MAX_VARIABLES, Expression, InputError, evaluate, functions, parse
from .graph import GraphvizMissing, check_target, trace_expression

RTOL, ATOL = 1e-10, 1e-12  # how close forward and reverse mode must be to "agree"
CANNOT_WRITE = 3  # the exit code for an output that cannot be written

# --- the analysis the command line prints ---


@dataclass
class Report:
    """Everything the command line computes for one expression at one point."""

    expression: str
    point: dict[str, float]
    value: float
    forward: dict[str, float]
    reverse: dict[str, float] | None
    hessian: list[list[float]] | None = None
    taylor: list[float] | None = None  # --order k: the Taylor coefficients f^(j)(x)/j!, j = 0..k

    @property
    def agree(self) -> bool | None:
        """True when every forward partial matches its reverse partial (None without a tape)."""
        if self.reverse is None:
            return None
        return all(close(self.forward[k], self.reverse[k]) for k in self.forward)


def close(a: float, b: float) -> bool:
    """Forward and reverse results agree: equal, both nan, or within RTOL relative / ATOL absolute.

    >>> close(6.0, 6.000000000000001), close(float("nan"), float("nan")), close(1.0, 1.1)
    (True, True, False)
    """
    if a == b or (a != a and b != b):
        return True
    return math.isfinite(a) and math.isfinite(b) and math.isclose(a, b, rel_tol=RTOL, abs_tol=ATOL)


def parse_point(assignments: Sequence[str]) -> dict[str, float]:
    """``["x=1", "y=pi/4"]`` -> ``{"x": 1.0, "y": 0.785...}``; a value may be a constant expression.

    >>> parse_point(["x=1", "y=2*pi"])
    {'x': 1.0, 'y': 6.283185307179586}
    """
    point: dict[str, float] = {}
    funcs = functions()
    if len(assignments) > MAX_VARIABLES:
        raise InputError(f"too many variables ({len(assignments)}; the limit is {MAX_VARIABLES})")
    for item in assignments:
        name, sep, value = item.partition("=")
        name = name.strip()
        if not sep:
            raise InputError(f"expected name=value after the expression, got {item!r} (quote the expression if it has spaces)")
        if not name.isidentifier() or not name.isascii() or name.startswith("_"):
            msg = f"{name!r} is not a variable name: use letters, digits and _, not starting with _ or a digit"
            raise InputError(msg, item, 0, len(name))
        if name in funcs or name in CONSTANTS:
            kind = "function" if name in funcs else "constant"
            raise InputError(f"{name} is the name of a dualdiff {kind}; pick another variable name", item, 0, len(name))
        if name in point:
            raise InputError(f"{name} is given twice", item, 0, len(name))
        if len(value) > MAX_LENGTH:
            raise InputError(f"the value of {name} is too long")
        try:
            v = float(evaluate(parse(value), {}))
        except InputError as e:
            raise InputError(f"in the value of {name}: {e.message}", value, e.start, e.end) from None
        if math.isnan(v):
            raise InputError(f"the value of {name} is not a number (nan)", item)
        if math.isinf(v):
            raise InputError(f"the value of {name} is infinite ({value.strip()} overflows to {fmt(v)}): give a finite number", item)
        point[name] = v
    return point


def analyze(text: str, point: dict[str, float], hessian: bool = False, order: int | None = None) -> Report:
    """Value and partial derivatives of the expression ``text`` at ``point``, in both modes.

    >>> r = analyze("(x + y)**2", {"x": 1.0, "y": 2.0})
    >>> r.value, r.forward, r.reverse, r.agree
    (9.0, {'x': 6.0, 'y': 6.0}, {'x': 6.0, 'y': 6.0}, True)
    """
    from ..api.modes import gradient
    from ..api.modes import hessian as forward_hessian

    names = list(point)
    expr = parse(text, names)
    x = np.array([point[n] for n in names], dtype=float)

    def f(v: Any) -> Any:
        return evaluate(expr, {n: v[i] for i, n in enumerate(names)})

    value = float(_plain(evaluate(expr, dict(point))))
    with np.errstate(all="ignore"):
        grad = gradient(f, x) if names else np.zeros(0)
        forward = {n: float(g) for n, g in zip(names, grad, strict=True)}
        report = Report(text, dict(point), value, forward, _reverse(expr, point))
        if hessian:
            h = forward_hessian(f, x) if names else np.zeros((0, 0))
            report.hessian = [[float(v) for v in row] for row in np.reshape(h, (len(names), len(names)))]
        if order is not None:
            report.taylor = _taylor(expr, point, order)
    return report


def _taylor(expr: Expression, point: dict[str, float], order: int) -> list[float]:
    """The Taylor coefficients to ``order`` in the one variable of ``point`` (Taylor mode, one pass)."""
    if len(point) != 1:
        raise InputError(f"--order expands in one variable: give exactly one name=value (got {len(point)})")
    (name, x0), = point.items()
    return [float(c) for c in taylor(lambda v: evaluate(expr, {name: v}), x0, order)]


def _plain(v: Any) -> Any:
    while hasattr(v, "value") and not isinstance(v, (np.ndarray, np.generic)):
        v = v.value
    return v


def _reverse(expr: Expression, point: dict[str, float]) -> dict[str, float]:
    from ..core.tape import Var

    xs = {n: Var(v, name=n) for n, v in point.items()}
    z = evaluate(expr, xs)
    if isinstance(z, Var):
        z.backward()
    return {n: float(x.grad) if x.grad is not None else 0.0 for n, x in xs.items()}


# --- printing ---


def fmt(v: float, digits: int = 12) -> str:
    """A number as the command line prints it: up to ``digits`` significant digits.

    >>> fmt(6.0), fmt(3.3000000000000003), fmt(float("inf")), fmt(1e-20)
    ('6', '3.3', 'inf', '1e-20')
    """
    return f"{v + 0.0:.{digits}g}"  # + 0.0 turns -0.0 into 0.0


def _table(rows: list[list[str]]) -> list[str]:
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    return ["  " + "  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() for r in rows]


def render_text(r: Report, digits: int = 12) -> str:
    """The human-readable report.

    >>> print(render_text(analyze("(x + y)**2", {"x": 1.0, "y": 2.0})))
    f = (x + y)**2  at x = 1, y = 2
    <BLANKLINE>
    value  f = 9
    <BLANKLINE>
      partial  forward mode  reverse mode  agree
      df/dx    6             6             yes
      df/dy    6             6             yes
    """
    at = ", ".join(f"{n} = {fmt(v, digits)}" for n, v in r.point.items())
    lines = [f"f = {r.expression.strip()}" + (f"  at {at}" if at else ""), "", f"value  f = {fmt(r.value, digits)}"]
    if not math.isfinite(r.value):
        lines.append(f"note: the value is {fmt(r.value)} (overflow, a pole or outside the domain); see {doc('conventions')}")
    if not r.forward:
        lines += ["", "no variables: nothing to differentiate (give some, e.g. x=1)"]
        return "\n".join(lines)
    rows = [["partial", "forward mode", "reverse mode", "agree"]]
    for n, fv in r.forward.items():
        rv = None if r.reverse is None else r.reverse[n]
        rows.append([f"df/d{n}", fmt(fv, digits), "n/a" if rv is None else fmt(rv, digits),
                     "n/a" if rv is None else ("yes" if close(fv, rv) else f"NO (differ by {fmt(abs(fv - rv), 3)})")])
    lines += [""] + _table(rows)
    if r.agree is False:
        singular = r.reverse is not None and any(not math.isfinite(v) for v in [*r.forward.values(), *r.reverse.values()])
        lines.append("forward and reverse mode DISAGREE: " + (
            f"at a singular point (an inf or nan) the modes may differ, see {doc('conventions')}" if singular
            else "please report this expression as a bug"))
    if r.hessian is not None:
        names = list(r.point)
        rows = [["Hessian"] + names] + [[n] + [fmt(v, digits) for v in row] for n, row in zip(names, r.hessian, strict=True)]
        lines += ["", "second derivatives (forward over forward):"] + _table(rows)
    if r.taylor is not None:
        lines += ["", "higher derivatives (Taylor mode):"] + _table(_taylor_rows(r, digits))
        lines += ["", "Taylor polynomial:", "  " + polynomial(r.taylor, *next(iter(r.point.items())), digits)]
    return "\n".join(lines)


def _taylor_rows(r: Report, digits: int) -> list[list[str]]:
    name = next(iter(r.point))
    rows = [["k", f"d^k f/d{name}^k", "coefficient f^(k)/k!"]]
    for k, c in enumerate(r.taylor or []):
        rows.append([str(k), fmt(c * math.factorial(k), digits), fmt(c, digits)])
    return rows


def polynomial(coefficients: Sequence[float], name: str, at: float, digits: int = 12) -> str:
    """The Taylor polynomial as text, in powers of (name - at).

    >>> polynomial([1.0, -2.0, 0.0, 0.5], "x", 1.0)
    '1 - 2 (x - 1) + 0.5 (x - 1)^3'
    >>> polynomial([0.0, 1.0], "x", 0.0)
    '0 + x'
    """
    base = name if at == 0 else f"({name} {'-' if at > 0 else '+'} {fmt(abs(at), digits)})"
    text = fmt(coefficients[0], digits)
    for k, c in enumerate(coefficients[1:], start=1):
        if c == 0:
            continue
        power = base if k == 1 else f"{base}^{k}"
        sign = "-" if c < 0 else "+"
        size = "" if abs(c) == 1 else fmt(abs(c), digits) + " "
        text += f" {sign} {size}{power}"
    return text


def _json_number(v: float) -> float | str:
    return v if math.isfinite(v) else ("nan" if v != v else ("inf" if v > 0 else "-inf"))


def render_json(r: Report, graph: str | None = None) -> str:
    """The report as one JSON object; inf and nan become the strings "inf", "-inf", "nan".

    >>> print(render_json(analyze("1/x", {"x": 0.0})))
    {"expression": "1/x", "point": {"x": 0.0}, "value": "inf", "forward": {"x": "-inf"}, "reverse": {"x": "-inf"}, "agree": true}
    """
    def nums(d: dict[str, float] | None) -> dict[str, float | str] | None:
        return None if d is None else {k: _json_number(v) for k, v in d.items()}

    out: dict[str, Any] = {
        "expression": r.expression, "point": nums(r.point), "value": _json_number(r.value),
        "forward": nums(r.forward), "reverse": nums(r.reverse), "agree": r.agree,
    }
    if r.hessian is not None:
        out["hessian"] = [[_json_number(v) for v in row] for row in r.hessian]
    if r.taylor is not None:
        out["taylor"] = {"coefficients": [_json_number(c) for c in r.taylor],
                         "derivatives": [_json_number(c * math.factorial(k)) for k, c in enumerate(r.taylor)]}
    if graph is not None:
        out["graph"] = graph
    return json.dumps(out)


# --- the program ---

EXAMPLES = """\
examples:
  dualdiff "(x + y)**2" x=1 y=2                  value 9, df/dx = df/dy = 6 in both modes
  dualdiff "2*x**2 + 2" x=5                      the tangent's slope at 5 is 20
  dualdiff "sin(x) * exp(y)" x=pi/4 y=0 --hessian
  dualdiff "exp(sin(x))" x=0.3 --order 5         derivatives up to the 5th and the Taylor polynomial
  dualdiff "(x + y)**2" x=1 y=2 --graph text     the computational graph, forward and backward
  dualdiff "(x + y)**2" x=1 y=2 --graph-out graph.svg   a picture (.png and .pdf need Graphviz's dot)
  dualdiff "hypot(x, y)" x=3 y=4 --json          one JSON object, for scripts
  python -m dualdiff                              the worked chain-rule demo

grammar: numbers, your variables, + - * / ** % //, parentheses, pi, e and the functions
  abs, sqrt, exp, log, sin, cos, tan, arctan2, hypot, maximum, ... (all of dualdiff's elementwise functions)
exit codes: 0 success, 1 the modes disagree, 2 bad input, 3 the --graph-out file cannot be written
"""


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="dualdiff",
        description="Value and exact partial derivatives of an expression, in forward and reverse mode.",
        epilog=EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("expression", help='the function, quoted: "(x + y)**2"')
    p.add_argument("assignments", nargs="*", metavar="name=value", help="the point: x=1 y=2 (values may use pi, e, ...)")
    p.add_argument("--hessian", action="store_true", help="also print the matrix of second derivatives")
    p.add_argument("--order", type=int, choices=range(1, 101), metavar="K",
                   help="also print the derivatives up to the K-th (1-100) and the Taylor polynomial (one variable)")
    p.add_argument("--graph", choices=["text", "dot", "svg"], help="also print the computational graph as text, Graphviz DOT or SVG")
    p.add_argument("--graph-out", metavar="FILE", help="write the graph to FILE (.dot, .svg; .png or .pdf with Graphviz installed)")
    p.add_argument("--json", action="store_true", help="print one JSON object instead of text")
    p.add_argument("--digits", type=int, default=12, choices=range(1, 18), metavar="N", help="significant digits (1-17, default 12)")
    p.add_argument("--version", action="version", version=f"dualdiff {__version__}")
    return p


_VALUED = {"--graph", "--graph-out", "--digits", "--order"}


def _split_argv(argv: Sequence[str], known: Sequence[str] = ()) -> list[str]:
    """Options first, then positionals after "--", so that an expression may start with "-".

    An argument that starts with "--" but is no option of ``known`` (nor an abbreviation of one)
    raises `InputError`: it may be an expression such as "--x", which must then come after "--".
    """
    options: list[str] = []
    positional: list[str] = []
    it = iter(argv)
    for a in it:
        if a == "--":
            positional.extend(it)
        elif a.startswith("--") or a in ("-h",):
            flag = a.partition("=")[0]
            if known and a != "-h" and not any(k.startswith(flag) for k in known):
                raise InputError(_not_an_option(a, list(argv), known))
            options.append(a)
            if a in _VALUED:
                options.append(next(it, ""))
        else:
            positional.append(a)
    return options + ["--"] + positional


def _not_an_option(a: str, argv: list[str], known: Sequence[str]) -> str:
    """What to say about ``a``, which starts with -- but is no option: a misspelt option, or an
    expression that starts with -- (it must then come after a lone --, which ends the options)."""
    msg = f"unrecognized arguments: {a}"  # argparse's words, then what to do
    close = difflib.get_close_matches(a.partition("=")[0], known, n=1)
    if close:
        msg += f" (did you mean {close[0]}?)"
    options: list[str] = []
    others: list[str] = []
    it = iter(b for b in argv if b != a)
    for b in it:
        if b.startswith("--"):
            options += [b, next(it, "")] if b in _VALUED else [b]
        else:
            others.append(b)
    if not any("=" not in b for b in others):  # no other expression: perhaps this is it
        words = [*options, "--", a, *others]
        msg += f"; an expression that starts with -- goes after a lone -- (the end of the options): dualdiff {shlex.join(words)}"
    return msg


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line on ``argv`` (default ``sys.argv[1:]``); returns the exit code.

    >>> main(["x**3", "x=2"])
    f = x**3  at x = 2
    <BLANKLINE>
    value  f = 8
    <BLANKLINE>
      partial  forward mode  reverse mode  agree
      df/dx    12            12            yes
    0
    """
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser()
    known = [o for action in parser._actions for o in action.option_strings if o.startswith("--")]
    try:
        split = _split_argv(argv, known)
    except InputError as e:
        return _refuse(e, "--json" in argv[: argv.index("--") if "--" in argv else len(argv)])
    try:
        args = parser.parse_args(split)
    except SystemExit as e:  # argparse has printed the usage or the help
        return int(e.code or 0)
    if args.graph_out:  # before any computation: a long one must not end in "cannot write"
        try:
            check_target(args.graph_out)
        except (GraphvizMissing, OSError, ValueError) as e:
            return _cannot_write(str(e), args.json)
    try:
        point = parse_point(args.assignments)
        report = analyze(args.expression, point, hessian=args.hessian, order=args.order)
    except InputError as e:
        return _refuse(e, args.json)
    except (TypeError, ValueError) as e:  # a rule that has no derivative here (a Bessel function's order)
        return _refuse(InputError(f"cannot differentiate {args.expression.strip()}: {e}"), args.json)
    status = 0 if report.agree is not False else 1
    graph_text = None
    if args.graph or args.graph_out:
        try:
            g = trace_expression(args.expression, point)
        except (TypeError, ValueError) as e:
            return _refuse(InputError(f"cannot draw the graph of {args.expression.strip()}: {e}"), args.json)
        if args.graph:
            graph_text = {"text": g.text, "dot": g.dot, "svg": g.svg}[args.graph](digits=args.digits)
        if args.graph_out:
            try:
                path = g.save(args.graph_out, digits=args.digits)
                print(f"dualdiff: wrote {path}", file=sys.stderr)
            except (GraphvizMissing, OSError, ValueError) as e:  # checked above, yet it can still fail (a full disk)
                print(f"dualdiff: {e}", file=sys.stderr)
                status = CANNOT_WRITE
    if args.json:
        print(render_json(report, graph_text))
    else:
        print(render_text(report, args.digits))
        if graph_text is not None:
            print()
            print(graph_text)
    return status


def _cannot_write(message: str, as_json: bool) -> int:
    """Say why the output cannot be written (and, with --json, also as JSON); its exit code."""
    print(f"dualdiff: {message}", file=sys.stderr)
    if as_json:
        print(json.dumps({"error": message}))
    return CANNOT_WRITE


def _refuse(e: InputError, as_json: bool) -> int:
    """Say what is wrong with the input (and, with --json, also as JSON); the exit code for bad input."""
    print(f"dualdiff: {e}", file=sys.stderr)
    if as_json:
        print(json.dumps({"error": e.message, "column": e.start}))
    return 2
