"""Truncated Taylor series arithmetic: the coefficient recurrences Taylor mode uses where they are
cheaper than its general scheme (core/taylor.py), one function a rule, and the table that maps the
rules of `rules/table.py` to them.

A recurrence gets (y0, values, coefficients, K, shape): the result's value, the operands' values,
their coefficient arrays (orders 0..K on a leading axis; None for a constant operand), and gives
the result's orders 1..K. Products of coefficients are IEEE (0 times inf is nan): a zero series may
be a truncated or cancelled one, so it cannot say that an input stays still.

>>> import numpy as np
>>> RECURRENCES[rules.exp](1.0, [0.0], [np.array([0.0, 1.0, 0.0, 0.0])], 3, ())   # e**t: 1, 1/2, 1/6
array([1.        , 0.5       , 0.16666667])
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from ..rules import elementwise
from ..rules import table as rules
from .number import Number, plain

_PLAIN = (np.ndarray, float, int, np.floating, np.integer)


# --- series filled one order after another ---
class _Fill:
    """Coefficients computed in order: a preallocated array for plain numbers; a list (stacked on
    demand) once one is a Dual, which is immutable."""

    def __init__(self, first: Any, K: int, s: tuple[int, ...]) -> None:
        self.rows: list[Any] | None = None
        self.a: Any = None
        if isinstance(first, _PLAIN) and not isinstance(first, Number):
            self.a = np.zeros((K + 1,) + s)
            self.a[0] = first
        else:
            self.rows = [first]
        self.n = 1

    def put(self, v: Any) -> None:
        if self.rows is None and isinstance(v, Number):
            self.rows = list(self.a[: self.n])
        if self.rows is None:
            self.a[self.n] = v
        else:
            self.rows.append(v)
        self.n += 1

    def back(self, k: int) -> Any:
        """Rows k, k-1, ..., 0, stacked."""
        if self.rows is None:
            return self.a[k::-1]
        return np.stack(self.rows[k::-1])

    def forward(self, k: int) -> Any:
        """Rows 0, ..., k, stacked."""
        if self.rows is None:
            return self.a[: k + 1]
        return np.stack(self.rows[: k + 1])

    def higher(self) -> Any:
        return self.a[1:] if self.rows is None else np.stack(self.rows[1:])


def mul(a: Any, b: Any) -> Any:
    """A product of coefficients, by IEEE arithmetic: 0 times inf is nan. Past an infinite
    coefficient (sqrt's slope at 0) a zero cannot say whether the input stays still."""
    return a * b


def by_constant(c: Any, series: Any) -> Any:
    """A constant factor times a series: a selection (a True/False partial, maximum's or a step
    function's) picks the series or nothing, and a constant 0 makes the product 0, whatever the
    series is (an unselected infinity moves nothing)."""
    if isinstance(c, (bool, np.bool_)) or (type(c) is np.ndarray and c.dtype == bool):
        return np.where(c, series, 0.0)
    if isinstance(series, np.ndarray) and not isinstance(c, Number) and not np.isfinite(series).all():
        return np.where(np.asarray(c) == 0, 0.0, c * series)
    return c * series


def sum0(x: Any) -> Any:
    return np.sum(x, axis=0)


def weights(K: int, s: tuple[int, ...]) -> np.ndarray:
    """1, 2, ..., K on the coefficient axis."""
    return np.arange(1.0, K + 1).reshape((K,) + (1,) * len(s))


def _conv(a: Any, b: Any, k: int) -> Any:
    """sum_{j=0..k} a_j b_{k-j}, with 0 times inf = 0."""
    return sum0(mul(a[: k + 1], b[k::-1]))


def _cauchy(a: Any, b: Any, K: int) -> list[Any]:
    """Orders 1..K of the product of two series."""
    return [_conv(a, b, k) for k in range(1, K + 1)]


# --- hand-written recurrences: each gets (y0, values, coefficients, K, shape), gives orders 1..K ---
def _add(y0: Any, xs: list[Any], cs: list[Any], K: int, s: tuple[int, ...]) -> Any:
    a, b = cs
    return b[1:] if a is None else a[1:] if b is None else a[1:] + b[1:]


def _subtract(y0: Any, xs: list[Any], cs: list[Any], K: int, s: tuple[int, ...]) -> Any:
    a, b = cs
    return -b[1:] if a is None else a[1:] if b is None else a[1:] - b[1:]


def _negative(y0: Any, xs: list[Any], cs: list[Any], K: int, s: tuple[int, ...]) -> Any:
    return -cs[0][1:]


def _multiply(y0: Any, xs: list[Any], cs: list[Any], K: int, s: tuple[int, ...]) -> Any:
    a, b = cs
    if a is None or b is None:
        return by_constant(xs[0] if a is None else xs[1], b[1:] if a is None else a[1:])
    return _cauchy(a, b, K)


def _square(y0: Any, xs: list[Any], cs: list[Any], K: int, s: tuple[int, ...]) -> Any:
    return _cauchy(cs[0], cs[0], K)


def _divide(y0: Any, xs: list[Any], cs: list[Any], K: int, s: tuple[int, ...]) -> Any:
    """q = a / b: b q = a, so q_k = (a_k - sum_{j=1..k} b_j q_{k-j}) / b_0."""
    a, b = cs
    if b is None:
        return a[1:] / xs[1]
    r = _inv(xs[1])
    q = _Fill(y0, K, s)
    for k in range(1, K + 1):
        tail = sum0(mul(b[1 : k + 1], q.back(k - 1)))
        q.put(mul(-tail if a is None else a[k] - tail, r))
    return q.higher()


def _reciprocal(y0: Any, xs: list[Any], cs: list[Any], K: int, s: tuple[int, ...]) -> Any:
    return _divide(y0, [1.0, xs[0]], [None, cs[0]], K, s)


def _inv(x: Any) -> Any:
    """1 / x, inf at 0 (IEEE, as NumPy) rather than a ZeroDivisionError."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return 1.0 / np.float64(x) if isinstance(x, (int, float)) else 1.0 / x


def _exp_series(y0: Any, ju: Any, K: int, s: tuple[int, ...]) -> Any:
    """y' = y u' (ju the weighted u_j): y_k = (1/k) sum_{j=1..k} j u_j y_{k-j}."""
    y = _Fill(y0, K, s)
    for k in range(1, K + 1):
        y.put(sum0(mul(ju[:k], y.back(k - 1))) / k)
    return y.higher()


def _exp(y0: Any, xs: list[Any], cs: list[Any], K: int, s: tuple[int, ...]) -> Any:
    return _exp_series(y0, weights(K, s) * cs[0][1:], K, s)


def _exp2(y0: Any, xs: list[Any], cs: list[Any], K: int, s: tuple[int, ...]) -> Any:
    return _exp_series(y0, weights(K, s) * (cs[0][1:] * rules.LN2), K, s)


def _expm1(y0: Any, xs: list[Any], cs: list[Any], K: int, s: tuple[int, ...]) -> Any:
    return _exp_series(rules.exp(xs[0]), weights(K, s) * cs[0][1:], K, s)  # expm1' = exp


def _log_series(base: Any, c: Any, u: Any, K: int, s: tuple[int, ...], y0: Any) -> Any:
    """y = c log(a) with a_0 = base, a_j = u_j: a y' = c a', so
    y_k = (c u_k - (1/k) sum_{j=1..k-1} j y_j u_{k-j}) / a_0."""
    r = _inv(base)
    y = _Fill(y0, K, s)
    jw = weights(K, s)
    for k in range(1, K + 1):
        num = c * u[k]
        if k > 1:
            num = num - sum0(mul(jw[: k - 1] * y.forward(k - 1)[1:], u[k - 1 : 0 : -1])) / k
        y.put(mul(num, r))
    return y.higher()


def _log(y0: Any, xs: list[Any], cs: list[Any], K: int, s: tuple[int, ...]) -> Any:
    return _log_series(xs[0], 1.0, cs[0], K, s, y0)


def _log2(y0: Any, xs: list[Any], cs: list[Any], K: int, s: tuple[int, ...]) -> Any:
    return _log_series(xs[0], 1 / rules.LN2, cs[0], K, s, y0)


def _log10(y0: Any, xs: list[Any], cs: list[Any], K: int, s: tuple[int, ...]) -> Any:
    return _log_series(xs[0], 1 / rules.LN10, cs[0], K, s, y0)


def _log1p(y0: Any, xs: list[Any], cs: list[Any], K: int, s: tuple[int, ...]) -> Any:
    return _log_series(1.0 + xs[0], 1.0, cs[0], K, s, y0)


def _sqrt(y0: Any, xs: list[Any], cs: list[Any], K: int, s: tuple[int, ...]) -> Any:
    """y**2 = u: y_k = (u_k - sum_{j=1..k-1} y_j y_{k-j}) / (2 y_0); at y_0 = 0 the factor is inf
    (sqrt's slope) and 0 times it stays 0, as at first order."""
    u = cs[0]
    r = 0.5 * _inv(y0)
    y = _Fill(y0, K, s)
    for k in range(1, K + 1):
        num = u[k]
        if k > 1:
            row = y.forward(k - 1)[1:]
            num = num - sum0(mul(row, row[::-1]))
        y.put(mul(num, r))
    return y.higher()


def _power_series(y0: Any, u: Any, c: Any, K: int, s: tuple[int, ...]) -> Any:
    """y = u**c, u y' = c y u': y_k = (1 / (k u_0)) sum_{j=1..k} ((c + 1) j - k) u_j y_{k-j}.
    Needs u_0 != 0 (the callers check)."""
    r = _inv(u[0])
    y = _Fill(y0, K, s)
    jw = weights(K, s)
    for k in range(1, K + 1):
        coef = (c + 1) * jw[:k] - k
        y.put(mul(sum0(mul(coef * u[1 : k + 1], y.back(k - 1))), r) / k)
    return y.higher()


def _int_power(u: Any, n: int, K: int) -> Any:
    """u**n for an integer n >= 1 by repeated squaring of series (exact where u_0 = 0 too)."""
    result, base = None, u
    while n:
        if n & 1:
            result = base if result is None else np.stack([_conv(result, base, k) for k in range(K + 1)])
        n >>= 1
        if n:
            base = np.stack([_conv(base, base, k) for k in range(K + 1)])
    return result[1:]  # type: ignore[index]


def _nonzero(x: Any) -> bool:
    return bool(np.all(plain(x) != 0))


def _power(y0: Any, xs: list[Any], cs: list[Any], K: int, s: tuple[int, ...]) -> Any:
    u, v = cs
    if v is None:  # a constant exponent
        c = xs[1]
        cp = plain(c)
        if np.ndim(cp) == 0 and not isinstance(c, Number):
            if cp == 0:  # x**0 is 1 with derivative 0 at every x, 0 included
                return np.zeros((K,) + s)
            if cp == 1:
                return u[1:]
        if _nonzero(xs[0]):
            return _power_series(y0, u, c, K, s)
        if not isinstance(c, Number) and np.ndim(cp) == 0 and cp == int(cp) and 0 < cp <= 2**20:
            return _int_power(u, int(cp), K)
        return None  # u_0 = 0 and a fractional exponent: the general scheme
    if bool(np.all(plain(xs[0]) > 0)):  # x**y = exp(y log x), the value as the rule gives it
        logx0 = rules.log(xs[0])
        if u is None:
            w: Any = mul(logx0, v[1:])
        else:
            logx = np.concatenate([np.reshape(np.broadcast_to(logx0, s), (1,) + s), _log_series(xs[0], 1.0, u, K, s, logx0)])
            w = np.stack(_cauchy(v, logx, K))
        return _exp_series(y0, weights(K, s) * w, K, s)
    return None  # x <= 0 somewhere: the general scheme, with the table's conventions at 0


def constant_series(x: Any, K: int, s: tuple[int, ...]) -> Any:
    if isinstance(x, Number):
        return np.stack([np.broadcast_to(x, s)] + [np.zeros(s)] * K)
    c = np.zeros((K + 1,) + s)
    c[0] = x
    return c


def _cbrt(y0: Any, xs: list[Any], cs: list[Any], K: int, s: tuple[int, ...]) -> Any:
    return _power_series(y0, cs[0], 1 / 3, K, s) if _nonzero(xs[0]) else None


def _pair(first: Any, second: Any, sign: float, K: int, s: tuple[int, ...], ju: Any) -> tuple[Any, Any]:
    """f and g with f' = g u', g' = sign f u' (sin and cos: sign -1; sinh and cosh: +1), together."""
    f, g = _Fill(first, K, s), _Fill(second, K, s)
    for k in range(1, K + 1):
        fk = sum0(mul(ju[:k], g.back(k - 1))) / k
        gk = sum0(mul(ju[:k], f.back(k - 1))) / k
        f.put(fk)
        g.put(sign * gk)
    return f.higher(), g.higher()


def _sin(y0: Any, xs: list[Any], cs: list[Any], K: int, s: tuple[int, ...]) -> Any:
    return _pair(y0, rules.cos(xs[0]), -1.0, K, s, weights(K, s) * cs[0][1:])[0]


def _cos(y0: Any, xs: list[Any], cs: list[Any], K: int, s: tuple[int, ...]) -> Any:
    return _pair(y0, rules.sin(xs[0]), -1.0, K, s, -weights(K, s) * cs[0][1:])[0]  # cos' = -sin: u -> -u


def _sinh(y0: Any, xs: list[Any], cs: list[Any], K: int, s: tuple[int, ...]) -> Any:
    return _pair(y0, rules.cosh(xs[0]), 1.0, K, s, weights(K, s) * cs[0][1:])[0]


def _cosh(y0: Any, xs: list[Any], cs: list[Any], K: int, s: tuple[int, ...]) -> Any:
    return _pair(y0, rules.sinh(xs[0]), 1.0, K, s, weights(K, s) * cs[0][1:])[0]


def _slope_of_value(a: float, b: float, rule: elementwise.Elementwise) -> Callable[..., Any]:
    """Rules whose slope is a polynomial of their value, w = c + a y + b y**2: tan (1 + y**2), tanh
    (1 - y**2), the logistic (y - y**2). y and w are built together; w_0 is the table's partial (for
    tanh 1/cosh**2, accurate where 1 - y**2 cancels), w_k = a y_k + b (y y)_k past it."""

    def series(y0: Any, xs: list[Any], cs: list[Any], K: int, s: tuple[int, ...]) -> Any:
        ju = weights(K, s) * cs[0][1:]
        y, w = _Fill(y0, K, s), _Fill(rule.partial(0, (xs[0],), y0), K, s)
        for k in range(1, K + 1):
            y.put(sum0(mul(ju[:k], w.back(k - 1))) / k)
            if k < K:
                w.put(a * y.forward(k)[k] + b * _conv(y.forward(k), y.forward(k), k))
        return y.higher()

    return series


def _sech2(y0: Any, xs: list[Any], cs: list[Any], K: int, s: tuple[int, ...]) -> Any:
    """y = sech(u)**2: y' = -2 y tanh(u) u', with tanh's series from its own recurrence."""
    th = np.concatenate([np.reshape(np.broadcast_to(rules.tanh(xs[0]), s), (1,) + s),
                         _slope_of_value(0.0, -1.0, rules.tanh)(rules.tanh(xs[0]), xs, [cs[0][:K]], K - 1, s)]) if K > 1 else None
    ju = weights(K, s) * cs[0][1:]
    y, w = _Fill(y0, K, s), _Fill(-2.0 * y0 * rules.tanh(xs[0]), K, s)
    for k in range(1, K + 1):
        y.put(sum0(mul(ju[:k], w.back(k - 1))) / k)
        if k < K:
            w.put(-2.0 * _conv(y.forward(k), th, k))
    return y.higher()


_Recurrence = Callable[[Any, list[Any], list[Any], int, tuple[int, ...]], Any]
RECURRENCES: dict[elementwise.Elementwise, _Recurrence] = {
    rules.add: _add, rules.subtract: _subtract, rules.negative: _negative, rules.multiply: _multiply,
    rules.square: _square, rules.divide: _divide, rules.reciprocal: _reciprocal, rules.power: _power,
    rules.float_power: _power, rules.sqrt: _sqrt, rules.cbrt: _cbrt, rules.exp: _exp, rules.exp2: _exp2,
    rules.expm1: _expm1, rules.log: _log, rules.log2: _log2, rules.log10: _log10, rules.log1p: _log1p,
    rules.sin: _sin, rules.cos: _cos, rules.sinh: _sinh, rules.cosh: _cosh,
    rules.tan: _slope_of_value(0.0, 1.0, rules.tan), rules.tanh: _slope_of_value(0.0, -1.0, rules.tanh),
}
# the table's private helpers that partials are written with (where present): the logistic function
# (logaddexp's partials), sech**2 (tanh's), the 2-norm's square root
for _name, _hand in (("_logistic", lambda r: _slope_of_value(1.0, -1.0, r)), ("_sech2", lambda r: _sech2), ("_norm_root", lambda r: _sqrt)):
    _rule = getattr(rules, _name, None)
    if isinstance(_rule, elementwise.Elementwise):
        RECURRENCES[_rule] = _hand(_rule)
