"""The table of elementwise rules: one line a function, its value beside its local derivative(s).

Both modes read this table: forward mode multiplies each partial into the tangent, the reverse tape
into the incoming gradient. A partial gets the primal arguments and the primal result ``out`` and
may use any function of this table, so derivatives of derivatives come out of the same lines.

Conventions at special points (see docs/conventions.md, tested in tests/test_special_points.py):
abs'(+0.0) = +1 and abs'(-0.0) = -1 (the sign bit decides); sign' = floor' = ... = 0;
sqrt'(0) = cbrt'(0) = inf and log'(0) = inf, but 0 times anything is 0 in the chain rule; at a tie of maximum or
minimum the whole derivative goes to the second argument; for x**y the x-partial is 0 where y == 0
(so x**0 is 1 with derivative 0 everywhere) and the y-partial is 0 where x == 0 < y.
"""

from __future__ import annotations

import math
import operator
from typing import Any

import numpy as np

from .elementwise import Elementwise as E

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
    return np.where(cond, a, b)


def _zero(*args: Any) -> float:
    return 0.0


def _pow_x(x: Any, y: Any, out: Any) -> Any:
    return _where(y == 0, 0.0, y * power(x, y - 1))


def _pow_y(x: Any, y: Any, out: Any) -> Any:
    return _where((x == 0) & (y > 0), 0.0, out * log(x))


# name         value (ufunc, math twin)   partial derivative(s) (args..., out)
add           = E(np.add, operator.add, lambda x, y, out: 1.0, lambda x, y, out: 1.0)
subtract      = E(np.subtract, operator.sub, lambda x, y, out: 1.0, lambda x, y, out: -1.0)
multiply      = E(np.multiply, operator.mul, lambda x, y, out: y, lambda x, y, out: x)
divide        = E(np.divide, operator.truediv, lambda x, y, out: 1 / y, lambda x, y, out: -out / y)
floor_divide  = E(np.floor_divide, operator.floordiv, _zero, _zero)
remainder     = E(np.remainder, operator.mod, lambda x, y, out: 1.0, lambda x, y, out: -floor_divide(x, y))
fmod          = E(np.fmod, math.fmod, lambda x, y, out: 1.0, lambda x, y, out: -trunc(x / y))
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
sqrt          = E(np.sqrt, math.sqrt, lambda x, out: 0.5 / out)
cbrt          = E(np.cbrt, getattr(math, "cbrt", None), lambda x, out: 1 / (3 * out * out))
exp           = E(np.exp, math.exp, lambda x, out: out)
exp2          = E(np.exp2, getattr(math, "exp2", None), lambda x, out: out * LN2)
expm1         = E(np.expm1, math.expm1, lambda x, out: out + 1)
log           = E(np.log, math.log, lambda x, out: 1 / x)
log2          = E(np.log2, math.log2, lambda x, out: 1 / (x * LN2))
log10         = E(np.log10, math.log10, lambda x, out: 1 / (x * LN10))
log1p         = E(np.log1p, math.log1p, lambda x, out: 1 / (1 + x))
logaddexp     = E(np.logaddexp, None, lambda x, y, out: exp(x - out), lambda x, y, out: exp(y - out))
logaddexp2    = E(np.logaddexp2, None, lambda x, y, out: exp2(x - out), lambda x, y, out: exp2(y - out))
sin           = E(np.sin, math.sin, lambda x, out: cos(x))
cos           = E(np.cos, math.cos, lambda x, out: -sin(x))
tan           = E(np.tan, math.tan, lambda x, out: 1 + out * out)
arcsin        = E(np.arcsin, math.asin, lambda x, out: 1 / sqrt(1 - x * x))
arccos        = E(np.arccos, math.acos, lambda x, out: -1 / sqrt(1 - x * x))
arctan        = E(np.arctan, math.atan, lambda x, out: 1 / (1 + x * x))
arctan2       = E(np.arctan2, math.atan2, lambda y, x, out: x / (x * x + y * y), lambda y, x, out: -y / (x * x + y * y))
sinh          = E(np.sinh, math.sinh, lambda x, out: cosh(x))
cosh          = E(np.cosh, math.cosh, lambda x, out: sinh(x))
tanh          = E(np.tanh, math.tanh, lambda x, out: 1 - out * out)
arcsinh       = E(np.arcsinh, math.asinh, lambda x, out: 1 / sqrt(x * x + 1))
arccosh       = E(np.arccosh, math.acosh, lambda x, out: 1 / sqrt(x * x - 1))
arctanh       = E(np.arctanh, math.atanh, lambda x, out: 1 / (1 - x * x))
hypot         = E(np.hypot, math.hypot, lambda x, y, out: x / out, lambda x, y, out: y / out)
maximum       = E(np.maximum, None, lambda x, y, out: x > y, lambda x, y, out: 1 - (x > y))
minimum       = E(np.minimum, None, lambda x, y, out: x < y, lambda x, y, out: 1 - (x < y))
fmax          = E(np.fmax, None, lambda x, y, out: (x > y) | (y != y), lambda x, y, out: 1 - ((x > y) | (y != y)))
fmin          = E(np.fmin, None, lambda x, y, out: (x < y) | (y != y), lambda x, y, out: 1 - ((x < y) | (y != y)))
heaviside     = E(np.heaviside, None, _zero, lambda x, y, out: x == 0)
deg2rad       = E(np.deg2rad, math.radians, lambda x, out: math.pi / 180)
rad2deg       = E(np.rad2deg, math.degrees, lambda x, out: 180 / math.pi)
radians       = E(np.radians, math.radians, lambda x, out: math.pi / 180)
degrees       = E(np.degrees, math.degrees, lambda x, out: 180 / math.pi)

# not complex-analytic: on complex values these are composites of real, imag and the rules above
absolute.complex_form = lambda z: hypot(np.real(z), np.imag(z))
sign.complex_form = lambda z: z / absolute(z)

# name -> rule: the package's exports, the command line's grammar and the docs' list read it
TABLE: dict[str, E] = {name: rule for name, rule in globals().items() if isinstance(rule, E)}
