"""The table of elementwise rules: one line a function, its value beside its local derivative(s).

Both modes read this table: forward mode multiplies each partial into the tangent, the reverse tape
into the incoming gradient. A partial gets the primal arguments and the primal result ``out`` and
may use any function of this table, so derivatives of derivatives come out of the same lines.

Conventions at special points (see docs/conventions.md, tested in tests/test_special_points.py and
against exact derivatives in tests/test_oracle.py): abs'(+0.0) = +1 and abs'(-0.0) = -1 (the sign bit
decides); sign' = floor' = ... = 0, a selection (False: "does not follow"); sqrt'(0) = cbrt'(0) = inf
and log'(0) = inf (at -0.0 too: the side where they are real), and 0 times them is 0 only where the
zero cannot move (elementwise.scale, the careful pass of core/dual.py); at a tie of maximum or
minimum the whole derivative goes to the second argument, and to a nan argument where there is one;
the partials of x**y, y x**(y-1) and x**y log x, take 0 * inf as 0 (so x**0 is 1 with derivative 0
in x everywhere, and 0**y is 0 with derivative 0 in y for y > 0) and keep the tangents of x and y.
Outside a function's real domain (log of a negative, x // 0, ...) every derivative is nan, like the value.

A partial is a formula of table rules, so a nested differentiation differentiates it again: it has to
be right at every order, not only as a number. Where the textbook formula overflows, underflows or
cancels although the derivative is a float (1 - tanh(x)**2, x / (x**2 + y**2)), another one is used.
Plain floats take the math twins (`Elementwise.float_partials`): keep hot partials to rules, operators
and module names (a builtin in a partial makes its globals slower to look up). Where a hot partial
needs a helper (a call costs as much as the arithmetic), ``floats=`` gives its form on Python floats,
tested to agree with it.
"""

from __future__ import annotations

import math
import operator
import re
from typing import Any

import numpy as np

from .elementwise import Elementwise as E
from .elementwise import array_namespace

LN2, LN10 = math.log(2.0), math.log(10.0)


def _plain(x: Any) -> Any:
    """The innermost primal value: a piecewise-constant derivative does not depend on the rest."""
    while hasattr(x, "value") and not isinstance(x, (np.ndarray, np.generic)):
        x = x.value
    return x


def _sign_bit(x: Any, out: Any) -> Any:
    v = _plain(x)
    return math.copysign(1.0, v) if type(v) is float else np.copysign(1.0, v)


def _where(cond: Any, a: Any, b: Any) -> Any:
    if isinstance(cond, (bool, np.bool_)):
        return a if cond else b
    xp = array_namespace((cond, a, b))
    return np.where(cond, a, b) if xp is None else xp.where(cond, a, b)


def _zero(*args: Any) -> bool:
    """The partial of a step function: False, "the output does not follow this argument" (see
    elementwise._select: an infinite or nan tangent beside it moves nothing)."""
    return False


def _steps(x: Any, y: Any, out: Any) -> Any:
    """0, the derivative of a piecewise constant, but nan at y == 0 (x // 0 is inf or nan: no number
    to differentiate), as out - out: nan with nan tangents, so every order is nan there."""
    return _where(y == 0, out - out, 0.0)


def _or_nan(out: Any, d: Any) -> Any:
    """d, and nan where the value is nan (outside the domain): the value itself, tangents included,
    so that every order of a nested differentiation is nan there too."""
    return _where(out != out, out, d)


def _times_value(a: Any, b: Any) -> Any:
    with np.errstate(invalid="ignore"):
        p = np.multiply(a, b)
    bad = p != p
    return np.where(bad & (a == a) & (b == b), 0.0, p) if np.any(bad) else p


def _times_float(a: float, b: float) -> float:
    p = a * b
    return 0.0 if p != p and a == a and b == b else p


def _any(cond: Any) -> bool:
    return bool(cond) if isinstance(cond, (bool, np.bool_)) else bool(np.any(cond))


def _pow_x(x: Any, y: Any, out: Any) -> Any:
    """y x**(y-1), and 0 at y == 0 even where x**-1 is inf (x**0 is 1, and 0 * inf is 0 here)."""
    p = power(x, y - 1)
    rounded = (y - 1 == y) | (y - 1 == -1)  # |y| >= 2**53 or < 2**-53: y - 1 is not exact
    if _any(rounded):  # its parity may be: for x < 0, out / x has the sign (and the nan) of x**(y-1)
        p = p if _complex(x) else _where(rounded & (x < 0), out / x, p)
    return _times(1.0 * y, p)  # 1.0 *: an int 0 would not count as 0 against inf in the chain rule


def _pow_y(x: Any, y: Any, out: Any) -> Any:
    """x**y log x, and 0 where x == 0 < y (0**y is 0): log x is real for x > 0 only, so at x = -0.0
    the value beside it is that of x > 0 too (out is -inf at y = -1). Where x is a constant 0 (not
    a number of any differentiation) and y > 0, 0**y is 0 for every y nearby: the constant 0, so that
    no order meets log(0) = -inf (a gradient through it would be 0 * inf in reverse mode)."""
    if _any(x == 0):
        out = _where(x == 0, power(x + 0.0, y), out)
        if isinstance(x, (float, int, np.ndarray, np.generic)):
            return _where((x == 0) & (y > 0), 0.0, _times(out, log(x)))
    return _times(out, log(x))


def _atan2_y(y: Any, x: Any, out: Any) -> Any:  # x / (x**2 + y**2), without squaring (1e200**2 overflows)
    r = hypot(x, y)
    return x / r / r


def _atan2_x(y: Any, x: Any, out: Any) -> Any:
    r = hypot(x, y)
    return -y / r / r


def _complex(x: Any) -> bool:
    v = _plain(x)
    return type(v) is complex or getattr(getattr(v, "dtype", None), "kind", "") == "c"


def _one_minus_square(x: Any) -> Any:
    """1 - x**2, right to rounding at every order: (1 - x)(1 + x) near ±1, where 1 - x*x cancels, and
    1 - x*x near 0, where the tangent of (1 - x)(1 + x), -(1 + x) + (1 - x), cancels instead."""
    if _complex(x):  # either form is the analytic one; complex numbers have no order to branch on
        return 1 - x * x
    return _where((x > -0.5) & (x < 0.5), 1 - x * x, (1 - x) * (1 + x))


def _hypot1(x: Any) -> Any:
    """sqrt(x**2 + 1) without squaring x (1e200**2 overflows); sqrt(x*x + 1) on complex numbers,
    where hypot is not the analytic function."""
    return sqrt(x * x + 1) if _complex(x) else hypot(x, 1.0)


def _sech2_value(x: Any) -> Any:
    with np.errstate(over="ignore"):  # cosh overflows to inf where sech**2 underflows to 0: right
        c = cosh(x)
        if type(c) is np.ndarray:  # one buffer: large temporaries cost as much as the arithmetic
            return np.divide(1.0, np.multiply(c, c, out=c), out=c)
        return 1 / (c * c)


def _half_over(r: Any) -> Any:
    """0.5 / r, sqrt's slope from its value: +inf at -0.0 as at +0.0 (the side where sqrt is real),
    in one buffer on arrays."""
    if type(r) is np.ndarray:
        q = np.add(r, 0.0)
        return np.divide(0.5, q, out=q)
    return 0.5 / (r + 0.0)


def _logistic_value(z: Any) -> Any:
    return exp(-logaddexp(0.0 * z, -z))  # 1 / (1 + exp(-z)) with no overflow on either side


# a * b with 0 * inf = 0 (nan stays nan): the partials of x**y, where the formula meets 0 * inf
_times = E(_times_value, _times_float, lambda a, b, out: b, lambda a, b, out: a, name="_times")
_times.bilinear = True
_times.own_product = _times
# helpers whose every derivative stays finite where the function saturates (no inf meets a 0)
_sech2 = E(_sech2_value, lambda x: 1 / math.cosh(x) ** 2, lambda x, out: -2.0 * out * tanh(x), name="_sech2")
_logistic = E(_logistic_value, lambda z: 1 / (1 + math.exp(-z)), lambda z, out: out * _logistic(-z), name="_logistic")
# 0 with a nan slope: a derivative that is 0 itself but has no derivative of its own (the norm's at 0)
_flat = E(lambda x: 0.0 * np.real(x), lambda x: 0.0, lambda x, out: math.nan, name="_flat")
# sqrt of a sum of squares (the 2-norm): at 0 the minimum-norm subgradient, 0, and nan beyond it
_norm_root = E(np.sqrt, math.sqrt, lambda s, out: _where(s == 0, _flat(s), 0.5 / (out + 0.0)), name="_norm_root")

# name         value (ufunc, math twin)   partial derivative(s) (args..., out)
add           = E(np.add, operator.add, lambda x, y, out: 1.0, lambda x, y, out: 1.0)
subtract      = E(np.subtract, operator.sub, lambda x, y, out: 1.0, lambda x, y, out: -1.0)
multiply      = E(np.multiply, operator.mul, lambda x, y, out: y, lambda x, y, out: x)
multiply.bilinear = True  # a factor that does not move is a constant: c = 0 gives 0 * u, not 0 * u'
divide        = E(np.divide, operator.truediv, lambda x, y, out: 1 / y, lambda x, y, out: -out / y)
floor_divide  = E(np.floor_divide, operator.floordiv, _steps, _steps)
remainder     = E(np.remainder, operator.mod, lambda x, y, out: _or_nan(out, 1.0), lambda x, y, out: _or_nan(out, -floor_divide(x, y)))
fmod          = E(np.fmod, math.fmod, lambda x, y, out: _or_nan(out, 1.0), lambda x, y, out: _or_nan(out, -rint((x - out) / y)))
power         = E(np.power, math.pow, _pow_x, _pow_y)
float_power   = E(np.float_power, math.pow, _pow_x, _pow_y)
negative      = E(np.negative, operator.neg, lambda x, out: -1.0)
positive      = E(np.positive, operator.pos, lambda x, out: 1.0)
absolute      = E(np.absolute, math.fabs, _sign_bit)
fabs          = E(np.fabs, math.fabs, _sign_bit)
sign          = E(np.sign, None, _zero)
floor         = E(np.floor, None, _zero)
ceil          = E(np.ceil, None, _zero)
trunc         = E(np.trunc, None, _zero)
rint          = E(np.rint, None, _zero)
square        = E(np.square, lambda x: x * x, lambda x, out: 2 * x)
reciprocal    = E(np.reciprocal, lambda x: 1 / x, lambda x, out: -out * out)
sqrt          = E(np.sqrt, math.sqrt, lambda x, out: _half_over(out), floats=lambda x, out: 0.5 / out)
cbrt          = E(np.cbrt, getattr(math, "cbrt", None), lambda x, out: power(out, -2.0) / 3)
exp           = E(np.exp, math.exp, lambda x, out: out)
exp2          = E(np.exp2, getattr(math, "exp2", None), lambda x, out: out * LN2)
expm1         = E(np.expm1, math.expm1, lambda x, out: exp(x))
log           = E(np.log, math.log, lambda x, out: _or_nan(out, 1 / (x + 0.0)), floats=lambda x, out: 1 / x)
log2          = E(np.log2, math.log2, lambda x, out: _or_nan(out, 1 / (x * LN2 + 0.0)))
log10         = E(np.log10, math.log10, lambda x, out: _or_nan(out, 1 / (x * LN10 + 0.0)))
log1p         = E(np.log1p, math.log1p, lambda x, out: _or_nan(out, 1 / (1 + x)))
logaddexp     = E(np.logaddexp, None, lambda x, y, out: _logistic(x - y), lambda x, y, out: _logistic(y - x))
logaddexp2    = E(np.logaddexp2, None, lambda x, y, out: _logistic((x - y) * LN2), lambda x, y, out: _logistic((y - x) * LN2))
sin           = E(np.sin, math.sin, lambda x, out: cos(x))
cos           = E(np.cos, math.cos, lambda x, out: -sin(x))
tan           = E(np.tan, math.tan, lambda x, out: 1 + out * out)
arcsin        = E(np.arcsin, math.asin, lambda x, out: 1 / sqrt(_one_minus_square(x)))
arccos        = E(np.arccos, math.acos, lambda x, out: -1 / sqrt(_one_minus_square(x)))
arctan        = E(np.arctan, math.atan, lambda x, out: 1 / (1 + x * x))
arctan2       = E(np.arctan2, math.atan2, _atan2_y, _atan2_x)
sinh          = E(np.sinh, math.sinh, lambda x, out: cosh(x))
cosh          = E(np.cosh, math.cosh, lambda x, out: sinh(x))
tanh          = E(np.tanh, math.tanh, lambda x, out: _sech2(x), floats=lambda x, out: 1 / cosh(x) ** 2)  # 1 - out**2 cancels from x = 19
arcsinh       = E(np.arcsinh, math.asinh, lambda x, out: 1 / _hypot1(x))
arccosh       = E(np.arccosh, math.acosh, lambda x, out: 1 / (sqrt(x - 1) * sqrt(x + 1)))
arctanh       = E(np.arctanh, math.atanh, lambda x, out: _or_nan(out, 1 / _one_minus_square(x)))
hypot         = E(np.hypot, math.hypot, lambda x, y, out: x / out, lambda x, y, out: y / out)
maximum       = E(np.maximum, None, lambda x, y, out: (x > y) | (x != x), lambda x, y, out: np.logical_not((x > y) | (x != x)))
minimum       = E(np.minimum, None, lambda x, y, out: (x < y) | (x != x), lambda x, y, out: np.logical_not((x < y) | (x != x)))
fmax          = E(np.fmax, None, lambda x, y, out: (x > y) | (y != y), lambda x, y, out: np.logical_not((x > y) | (y != y)))
fmin          = E(np.fmin, None, lambda x, y, out: (x < y) | (y != y), lambda x, y, out: np.logical_not((x < y) | (y != y)))
heaviside     = E(np.heaviside, None, _zero, lambda x, y, out: x == 0)
deg2rad       = E(np.deg2rad, math.radians, lambda x, out: math.pi / 180)
rad2deg       = E(np.rad2deg, math.degrees, lambda x, out: 180 / math.pi)
radians       = E(np.radians, math.radians, lambda x, out: math.pi / 180)
degrees       = E(np.degrees, math.degrees, lambda x, out: 180 / math.pi)

# not complex-analytic: on complex values these are composites of real, imag and the rules above
absolute.complex_form = lambda z: hypot(np.real(z), np.imag(z))
sign.complex_form = lambda z: z / absolute(z)

# name -> rule: the package's exports, the command line's grammar and the docs' list read it
TABLE: dict[str, E] = {name: rule for name, rule in globals().items() if isinstance(rule, E) and not name.startswith("_")}

# name -> its derivative, one formula an argument (d/dx, then d/dy), written with the table's own names.
# Each rule's docstring states it and shows it beside the rule's own derivative at a point; the docs'
# tests run every such example and fail for a rule left out here. Special points: docs/conventions.md.
DERIVATIVES: dict[str, tuple[str, ...]] = {
    "add": ("1.0", "1.0"),
    "subtract": ("1.0", "-1.0"),
    "multiply": ("y", "x"),
    "divide": ("1 / y", "-x / y**2"),
    "floor_divide": ("0.0", "0.0"),
    "remainder": ("1.0", "-floor(x / y)"),
    "fmod": ("1.0", "-trunc(x / y)"),
    "power": ("y * x**(y - 1)", "x**y * log(x)"),
    "float_power": ("y * x**(y - 1)", "x**y * log(x)"),
    "negative": ("-1.0",),
    "positive": ("1.0",),
    "absolute": ("sign(x)",),
    "fabs": ("sign(x)",),
    "sign": ("0.0",),
    "floor": ("0.0",),
    "ceil": ("0.0",),
    "trunc": ("0.0",),
    "rint": ("0.0",),
    "square": ("2 * x",),
    "reciprocal": ("-1 / x**2",),
    "sqrt": ("1 / (2 * sqrt(x))",),
    "cbrt": ("1 / (3 * cbrt(x)**2)",),
    "exp": ("exp(x)",),
    "exp2": ("exp2(x) * log(2)",),
    "expm1": ("exp(x)",),
    "log": ("1 / x",),
    "log2": ("1 / (x * log(2))",),
    "log10": ("1 / (x * log(10))",),
    "log1p": ("1 / (1 + x)",),
    "logaddexp": ("exp(x) / (exp(x) + exp(y))", "exp(y) / (exp(x) + exp(y))"),
    "logaddexp2": ("exp2(x) / (exp2(x) + exp2(y))", "exp2(y) / (exp2(x) + exp2(y))"),
    "sin": ("cos(x)",),
    "cos": ("-sin(x)",),
    "tan": ("1 + tan(x)**2",),
    "arcsin": ("1 / sqrt(1 - x**2)",),
    "arccos": ("-1 / sqrt(1 - x**2)",),
    "arctan": ("1 / (1 + x**2)",),
    "arctan2": ("y / (x**2 + y**2)", "-x / (x**2 + y**2)"),
    "sinh": ("cosh(x)",),
    "cosh": ("sinh(x)",),
    "tanh": ("1 - tanh(x)**2",),
    "arcsinh": ("1 / sqrt(x**2 + 1)",),
    "arccosh": ("1 / sqrt(x**2 - 1)",),
    "arctanh": ("1 / (1 - x**2)",),
    "hypot": ("x / hypot(x, y)", "y / hypot(x, y)"),
    "maximum": ("1.0 if x > y else 0.0", "0.0 if x > y else 1.0"),
    "minimum": ("1.0 if x < y else 0.0", "0.0 if x < y else 1.0"),
    "fmax": ("1.0 if x > y else 0.0", "0.0 if x > y else 1.0"),
    "fmin": ("1.0 if x < y else 0.0", "0.0 if x < y else 1.0"),
    "heaviside": ("0.0", "1.0 if x == 0 else 0.0"),
    "deg2rad": ("pi / 180",),
    "rad2deg": ("180 / pi",),
    "radians": ("pi / 180",),
    "degrees": ("180 / pi",),
}
_EXAMPLE_AT = {"arccosh": (2.0,)}  # where the example's usual point (0.5, or 1.5 and 0.5) is outside the domain


def _docstring(name: str, rule: E, formulas: tuple[str, ...]) -> str:
    """A rule's docstring: what it computes, its derivative, and an example checking the formula at a point
    (the numbers shown are the rule's own partials there, to 6 digits)."""
    args = ("x", "y")[: rule.nargs]
    call = f"{name}({', '.join(args)})"
    at = _EXAMPLE_AT.get(name, (0.5,) if rule.nargs == 1 else (1.5, 0.5))
    out = rule(*at)
    numpy_name = getattr(rule.ufunc, "__name__", name)
    doc = [
        f"``{call}``, elementwise on floats, NumPy arrays, Duals and tape variables, with its derivative"
        f" (``np.{numpy_name}`` on a Dual or a Var finds this rule):",
        "",
        *[f"    d/d{a} {call} = {f}" for a, f in zip(args, formulas, strict=True)],
        "",
    ]
    used = {w for f in formulas for w in re.findall(r"[a-z_][a-z0-9_]*", f)}
    doc.append(">>> from dualdiff import " + ", ".join(["Dual", *sorted((used & TABLE.keys()) | {name})]))
    if "pi" in used:
        doc.append(">>> from math import pi")
    doc.append(f">>> {', '.join(args)} = {', '.join(map(repr, at))}")
    for i, (a, f) in enumerate(zip(args, formulas, strict=True)):
        moving = ", ".join(f"Dual({b}, 1.0)" if b == a else b for b in args)
        shown = repr(float(f"{float(rule.partial(i, at, out)):.6g}"))
        doc += [f">>> {name}({moving}).derivative, {f'({f})' if ' if ' in f else f}    # d/d{a}, and the formula", f"({shown}, {shown})"]
    return "\n".join(doc)


for _name, _formulas in DERIVATIVES.items():
    TABLE[_name].__doc__ = _docstring(_name, TABLE[_name], _formulas)
