# ruff: noqa: E221
"""Rules for ``scipy.special`` functions, one line a rule, with the same `Elementwise` machinery.

Imported only when SciPy is installed (it is never required). Each rule registers its ufunc, so
``scipy.special.erf(x)`` on a Dual finds it through NEP 13, as ``np.sin(x)`` does. Partials are written
with rules (exp, log, psi, jv, ...) so derivatives of every order follow.

>>> import scipy.special as sp
>>> from dualdiff import Dual, derivative
>>> sp.expit(Dual(0.0, 1.0)).derivative
0.25
>>> round(float(derivative(lambda t: derivative(sp.gammaln, t), 1.0)), 12)  # trigamma(1) = pi**2 / 6
1.644934066848
>>> round(float(derivative(lambda t: sp.jv(2.5, t), 1.5)), 12) == round(float((sp.jv(1.5, 1.5) - sp.jv(3.5, 1.5)) / 2), 12)
True

Some arguments are constants: a Bessel function's order, the ``a`` of ``gammainc``. Differentiating
one raises a TypeError that names the function, rather than returning a wrong number:

>>> derivative(lambda v: sp.jv(v, 1.5), 2.0)
Traceback (most recent call last):
...
TypeError: scipy.special.jv: dualdiff has no derivative with respect to the order v; pass it as a plain number

At special points a partial keeps the tangents of its arguments (a second derivative by nesting
differentiates the partial itself), and outside a function's real domain, where its value is nan,
so is its derivative.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable
from typing import Any

import numpy as np
import scipy.special as sp

from .elementwise import Elementwise as E
from .table import _sign_bit, _where, _zero, cos, exp, floor, log, log1p, sin

PI, NAN = math.pi, math.nan
SQRT_PI, LOG_SQRT_2PI = math.sqrt(math.pi), 0.5 * math.log(2 * math.pi)


def _constant(fn: str, what: str) -> Callable[..., Any]:
    """The partial of an argument dualdiff cannot differentiate: asking for it raises, naming the function."""

    def refuse(*args: Any) -> Any:
        raise TypeError(f"scipy.special.{fn}: dualdiff has no derivative with respect to {what}; pass it as a plain number")

    return refuse


def _nan(x: Any) -> Any:
    """nan, with a nan tangent wherever x moves: where a function's value is nan, so is every derivative.

    Partials guard log and log1p themselves: the table's log'(x) = 1/x is finite for x < 0.
    """
    return x * NAN


def _xdivy_value(x: Any, y: Any) -> Any:
    return np.divide(x, np.where((x == 0) & (y == 0), 1.0, y))


# x / y, but 0 where x == y == 0: the y-partial of x*log(y) and kin, which is 0 where x == 0 for every y.
# As a rule of its own, its derivatives stay true there too: d/dx is 1/y (inf at y = 0), not 0.
_xdivy = E(_xdivy_value, None, lambda x, y, out: 1 / y, lambda x, y, out: -_xdivy(x, y * y), name="xdivy")


_scipy_polygamma = getattr(sp.polygamma, "__wrapped__", sp.polygamma)
# scipy.special.zeta(s, q) is a Python function too, but it hands q to this ufunc as it is: NEP 13 sees a Dual
_hurwitz_zeta = getattr(getattr(sp, "_ufuncs", None), "_zeta", None) or (lambda s, q: sp.zeta(s, q))


@functools.cache
def polygamma(n: int) -> E:
    """The n-th derivative of digamma as a rule; its own derivative is polygamma(n + 1).

    >>> round(float(polygamma(1)(1.0)), 12)  # pi**2 / 6
    1.644934066848
    """
    if n == 0:
        return psi
    return E(functools.partial(_scipy_polygamma, n), None, lambda x, out: polygamma(n + 1)(x), name=f"polygamma_{n}")


def _x_over(x: Any, y: Any, outside: Any) -> Any:
    # the y-partial of x * log(y): x / y, 0 on x == 0 (for every y); nan off it where log(y) is (y < 0)
    return _where(outside & (x != 0), _nan(x + y), _xdivy(x, y))


def _unscale(x: Any, out: Any) -> Any:
    # i0e(x) = exp(-|x|) i0(x) and kin: the derivative of exp(-|x|) brings -sign(x) out. At x = 0 the sign bit
    # decides, as for abs: i0e'(+0.0) = -1, i0e'(-0.0) = +1; sign(x) is a constant under nesting
    return _sign_bit(x, out) * out


def _rgamma_prime(x: Any, out: Any) -> Any:
    # -psi(x) / gamma(x) for x > 0; for x <= 0, where gamma has its poles and 1/gamma its zeros, the derivative
    # of the reflection 1/gamma(x) = gamma(1 - x) sin(pi x) / pi: the same function, finite at every integer
    return _where(x > 0, -out * psi(x), gamma(1 - x) * (cos(PI * x) - psi(1 - x) * sin(PI * x) / PI))


def _gammainc_x(a: Any, x: Any, out: Any) -> Any:
    # x**(a - 1) exp(-x) / gamma(a); loggamma is nan for a < 0, as gammainc is; xlogy gives x**0 = 1 at x = 0
    return _where(x < 0, _nan(x), exp(xlogy(a - 1, x) - x - loggamma(a)))


def _log_ratio(x: Any, y: Any) -> Any:
    # log(x / y), but where x or y is 0 the quotient forgets the other one's tangent: there log(x) - log(y)
    return _where((x == 0) | (y == 0), log(x) - log(y), log(x / y))


def _entropy(x: Any, y: Any, partial: Any) -> Any:
    # rel_entr and kl_div are inf outside x >= 0, y >= 0 (an invalid argument): their derivatives nan
    return _where((x >= 0) & (y >= 0), partial, _nan(x + y))


def _stdtr_t(df: Any, t: Any, out: Any) -> Any:
    # Student's t density, in scipy.stats.t's log-poch form; the normal density at df = inf, nan where stdtr is (df <= 0)
    d = _where((df > 0) & (df < math.inf), df, 1.0)
    density = exp(log(poch(0.5 * d, 0.5)) - 0.5 * (log(d) + math.log(PI)) - (d + 1) / 2 * log1p(t * t / d))
    return _where(df == math.inf, exp(-t * t / 2 - LOG_SQRT_2PI), _where(df > 0, density, _nan(t)))


def _pdtr_m(k: Any, m: Any, out: Any) -> Any:
    # -pmf(floor(k), m), the Poisson mass (x**0 = 1 at m = 0); 0 at k = inf, nan where pdtr is (k < 0, m < 0)
    finite = (k >= 0) & (k < math.inf)
    j = floor(_where(finite, k, 0.0))
    pmf = exp(xlogy(j, m) - m - gammaln(j + 1))
    return _where((k < 0) | (m < 0) | (k != k), _nan(k + m), _where(finite, -pmf, 0.0))


def _bdtr_p(k: Any, n: Any, p: Any, out: Any) -> Any:
    # d/dp betainc(n - j, j + 1, 1 - p) = -p**j (1 - p)**(n - j - 1) / B(n - j, j + 1), j = floor(k): 0 at j >= n
    # (where bdtr is 1), nan where bdtr is (j < 0, j > n, p outside [0, 1])
    j = floor(k)
    inside = (j >= 0) & (j < n)
    jj, nn = _where(inside, j, 0.0), _where(inside, n, 1.0)
    density = exp(xlogy(jj, p) + xlog1py(nn - jj - 1, -p) - betaln(nn - jj, jj + 1))
    bad = (j < 0) | (j > n) | (p < 0) | (p > 1) | (k != k) | (p != p)
    return _where(bad, _nan(k + n + p), _where(inside, -density, 0.0))


def _betainc_x(a: Any, b: Any, x: Any, out: Any) -> Any:
    # the beta density x**(a-1) (1-x)**(b-1) / B(a, b); nan where betainc is (x outside [0, 1], a or b < 0)
    density = exp(xlogy(a - 1, x) + xlog1py(b - 1, -x) - betaln(a, b))
    return _where((x < 0) | (x > 1) | (a < 0) | (b < 0), _nan(x), density)


def _beta_pdf_x(x: Any, a: Any, b: Any, out: Any) -> Any:
    # d/dx of x**(a-1) (1-x)**(b-1) / B(a, b): out ((a-1)/x - (b-1)/(1-x)), the quotients 0 where a = 1 (b = 1)
    return out * (_xdivy(a - 1, x) - _xdivy(b - 1, 1 - x))


# erfcx'(x) = 2 x erfcx(x) - 2 / sqrt(pi) cancels as x grows; from x = 10 on, its asymptotic series
# -1 / (sqrt(pi) x**2) * sum((2n + 1)!! (-1 / (2 x**2))**n), whose 17 terms are exact to rounding there
_ERFCX_SERIES = [math.prod(range(1, 2 * n + 2, 2)) for n in range(17)]


def _erfcx_prime(x: Any, out: Any) -> Any:
    big = x >= 10
    t = _where(big, x, 10.0)  # the series is evaluated only where it is used: no overflow elsewhere
    u = -1 / (2 * t * t)
    s = 0.0
    for c in reversed(_ERFCX_SERIES):
        s = c + u * s
    return _where(big, -s / (SQRT_PI * t) / t, 2 * x * out - 2 / SQRT_PI)


# name    value (ufunc, math twin)   partial derivative(s) (args..., out)
erf       = E(sp.erf, math.erf, lambda x, out: 2 / SQRT_PI * exp(-x * x))
erfc      = E(sp.erfc, math.erfc, lambda x, out: -2 / SQRT_PI * exp(-x * x))
erfcx     = E(sp.erfcx, None, _erfcx_prime)
erfinv    = E(sp.erfinv, None, lambda x, out: SQRT_PI / 2 * exp(out * out))
erfcinv   = E(sp.erfcinv, None, lambda x, out: -SQRT_PI / 2 * exp(out * out))
expit     = E(sp.expit, None, lambda x, out: out * expit(-x))  # not out * (1 - out): 1 - out cancels for large x
logit     = E(sp.logit, None, lambda x, out: _where((x < 0) | (x > 1), _nan(x), 1 / (x * (1 - x))))
log_expit = E(sp.log_expit, None, lambda x, out: expit(-x))
ndtr      = E(sp.ndtr, None, lambda x, out: exp(-x * x / 2 - LOG_SQRT_2PI))
log_ndtr  = E(sp.log_ndtr, None, lambda x, out: exp(-x * x / 2 - LOG_SQRT_2PI - out))
ndtri     = E(sp.ndtri, None, lambda x, out: exp(out * out / 2 + LOG_SQRT_2PI))
gamma     = E(sp.gamma, math.gamma, lambda x, out: out * psi(x))
rgamma    = E(sp.rgamma, None, _rgamma_prime)
psi       = E(sp.psi, None, lambda x, out: polygamma(1)(x))
gammaln   = E(sp.gammaln, math.lgamma, lambda x, out: psi(x))
loggamma  = E(sp.loggamma, None, lambda x, out: _where(x < 0, _nan(x), psi(x)))
beta      = E(sp.beta, None, lambda a, b, out: out * (psi(a) - psi(a + b)), lambda a, b, out: out * (psi(b) - psi(a + b)))
betaln    = E(sp.betaln, None, lambda a, b, out: psi(a) - psi(a + b), lambda a, b, out: psi(b) - psi(a + b))
gammainc  = E(sp.gammainc, None, _constant("gammainc", "a"), _gammainc_x)
gammaincc = E(sp.gammaincc, None, _constant("gammaincc", "a"), lambda a, x, out: -_gammainc_x(a, x, out))
zeta      = E(_hurwitz_zeta, None, _constant("zeta", "s"), lambda s, q, out: -s * zeta(s + 1, q), name="zeta")
gammasgn  = E(sp.gammasgn, None, _zero)
poch      = E(sp.poch, None, lambda z, m, out: out * (psi(z + m) - psi(z)), lambda z, m, out: out * psi(z + m))
binom     = E(sp.binom, None, lambda n, k, out: out * (psi(n + 1) - psi(n - k + 1)), lambda n, k, out: out * (psi(n - k + 1) - psi(k + 1)))
stdtr     = E(sp.stdtr, None, _constant("stdtr", "df"), _stdtr_t)
chdtr     = E(sp.chdtr, None, _constant("chdtr", "v"), lambda v, x, out: _gammainc_x(v / 2, x / 2, out) / 2)
chdtrc    = E(sp.chdtrc, None, _constant("chdtrc", "v"), lambda v, x, out: -_gammainc_x(v / 2, x / 2, out) / 2)
pdtr      = E(sp.pdtr, None, _zero, _pdtr_m)  # a step function of k
bdtr      = E(sp.bdtr, None, _zero, _constant("bdtr", "n"), _bdtr_p)  # a step function of k
betainc   = E(sp.betainc, None, _constant("betainc", "a"), _constant("betainc", "b"), _betainc_x)
betaincc  = E(sp.betaincc, None, _constant("betaincc", "a"), _constant("betaincc", "b"), lambda a, b, x, out: -_betainc_x(a, b, x, out))
xlogy     = E(sp.xlogy, None, lambda x, y, out: _where(y < 0, _nan(x + y), log(y)), lambda x, y, out: _x_over(x, y, y < 0))
xlog1py   = E(sp.xlog1py, None, lambda x, y, out: _where(y < -1, _nan(x + y), log1p(y)), lambda x, y, out: _x_over(x, 1 + y, y < -1))
entr      = E(sp.entr, None, lambda x, out: _where(x < 0, _nan(x), -log(x) - 1))
rel_entr  = E(sp.rel_entr, None, lambda x, y, out: _entropy(x, y, _log_ratio(x, y) + 1), lambda x, y, out: _entropy(x, y, -_xdivy(x, y)))
kl_div    = E(sp.kl_div, None, lambda x, y, out: _entropy(x, y, _log_ratio(x, y)), lambda x, y, out: _entropy(x, y, 1 - _xdivy(x, y)))
j0        = E(sp.j0, None, lambda x, out: -j1(x))
j1        = E(sp.j1, None, lambda x, out: (j0(x) - jv(2, x)) / 2)
jv        = E(sp.jv, None, _constant("jv", "the order v"), lambda v, x, out: (jv(v - 1, x) - jv(v + 1, x)) / 2)
y0        = E(sp.y0, None, lambda x, out: -y1(x))
y1        = E(sp.y1, None, lambda x, out: (y0(x) - yv(2, x)) / 2)
yv        = E(sp.yv, None, _constant("yv", "the order v"), lambda v, x, out: (yv(v - 1, x) - yv(v + 1, x)) / 2)
yn        = E(sp.yn, None, _constant("yn", "the order n"), lambda n, x, out: (yn(n - 1, x) - yn(n + 1, x)) / 2)
i0        = E(sp.i0, None, lambda x, out: i1(x))
i0e       = E(sp.i0e, None, lambda x, out: i1e(x) - _unscale(x, out))
i1        = E(sp.i1, None, lambda x, out: (i0(x) + iv(2, x)) / 2)
i1e       = E(sp.i1e, None, lambda x, out: (i0e(x) + ive(2, x)) / 2 - _unscale(x, out))
iv        = E(sp.iv, None, _constant("iv", "the order v"), lambda v, x, out: (iv(v - 1, x) + iv(v + 1, x)) / 2)
ive       = E(sp.ive, None, _constant("ive", "the order v"), lambda v, x, out: (ive(v - 1, x) + ive(v + 1, x)) / 2 - _unscale(x, out))
k0        = E(sp.k0, None, lambda x, out: -k1(x))
k0e       = E(sp.k0e, None, lambda x, out: out - k1e(x))
k1        = E(sp.k1, None, lambda x, out: -(k0(x) + kv(2, x)) / 2)
k1e       = E(sp.k1e, None, lambda x, out: out - (k0e(x) + kve(2, x)) / 2)
kv        = E(sp.kv, None, _constant("kv", "the order v"), lambda v, x, out: -(kv(v - 1, x) + kv(v + 1, x)) / 2)
kve       = E(sp.kve, None, _constant("kve", "the order v"), lambda v, x, out: out - (kve(v - 1, x) + kve(v + 1, x)) / 2)
kn        = E(sp.kn, None, _constant("kn", "the order n"), lambda n, x, out: -(kn(n - 1, x) + kn(n + 1, x)) / 2)
digamma   = psi  # the same ufunc in SciPy
# scipy.stats.beta.pdf's ufunc (Boost's beta density), private: the beta distribution's pdf uses it, to equal SciPy's value
_beta_ufunc = getattr(getattr(sp, "_ufuncs", None), "_beta_pdf", None)
_beta_pdf = None if _beta_ufunc is None else E(
    _beta_ufunc, None, _beta_pdf_x,
    lambda x, a, b, out: xlogy(out, x) - out * (psi(a) - psi(a + b)),
    lambda x, a, b, out: xlog1py(out, -x) - out * (psi(b) - psi(a + b)),
    name="beta_pdf",
)

__all__ = [
    "erf", "erfc", "erfcx", "erfinv", "erfcinv", "expit", "logit", "log_expit", "ndtr", "log_ndtr", "ndtri",
    "gamma", "rgamma", "psi", "digamma", "polygamma", "gammaln", "loggamma", "beta", "betaln", "gammainc", "gammaincc", "zeta",
    "gammasgn", "poch", "binom", "stdtr", "chdtr", "chdtrc", "pdtr", "bdtr", "betainc", "betaincc",
    "xlogy", "xlog1py", "entr", "rel_entr", "kl_div",
    "j0", "j1", "jv", "y0", "y1", "yv", "yn", "i0", "i0e", "i1", "i1e", "iv", "ive", "k0", "k0e", "k1", "k1e", "kv", "kve", "kn",
]
