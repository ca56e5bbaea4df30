# ruff: noqa: E221
"""Rules for ``scipy.special`` functions, one line a rule, with the same `Elementwise` machinery.

Imported only when SciPy is installed (it is never required). Each rule registers its ufunc, so
``scipy.special.erf(x)`` on a Dual finds it through NEP 13, as ``np.sin(x)`` does. Partials are written
with rules (exp, log, psi, ...) so derivatives of every order follow.

>>> import scipy.special as sp
>>> from dualdiff import Dual, derivative
>>> sp.expit(Dual(0.0, 1.0)).derivative
0.25
>>> round(float(derivative(lambda t: derivative(sp.gammaln, t), 1.0)), 12)  # trigamma(1) = pi**2 / 6
1.644934066848
"""

from __future__ import annotations

import functools
import math

import scipy.special as sp

from .rules.elementwise import Elementwise as E
from .rules.table import _where, exp, log

SQRT_PI, LOG_SQRT_2PI = math.sqrt(math.pi), 0.5 * math.log(2 * math.pi)


@functools.cache
def polygamma(n: int) -> E:
    """The n-th derivative of digamma as a rule; its own derivative is polygamma(n + 1).

    >>> round(float(polygamma(1)(1.0)), 12)  # pi**2 / 6
    1.644934066848
    """
    return E(functools.partial(sp.polygamma, n), None, lambda x, out: polygamma(n + 1)(x), name=f"polygamma_{n}")


# name    value (ufunc, math twin)   partial derivative(s) (args..., out)
erf      = E(sp.erf, math.erf, lambda x, out: 2 / SQRT_PI * exp(-x * x))
erfc     = E(sp.erfc, math.erfc, lambda x, out: -2 / SQRT_PI * exp(-x * x))
expit    = E(sp.expit, None, lambda x, out: out * (1 - out))
logit    = E(sp.logit, None, lambda x, out: 1 / (x * (1 - x)))
psi      = E(sp.psi, None, lambda x, out: polygamma(1)(x))
gammaln  = E(sp.gammaln, math.lgamma, lambda x, out: psi(x))
xlogy    = E(sp.xlogy, None, lambda x, y, out: log(y), lambda x, y, out: _where(x == 0, 0.0, x / y))
ndtr     = E(sp.ndtr, None, lambda x, out: exp(-x * x / 2 - LOG_SQRT_2PI))
log_ndtr = E(sp.log_ndtr, None, lambda x, out: exp(-x * x / 2 - LOG_SQRT_2PI - out))

__all__ = ["erf", "erfc", "expit", "logit", "psi", "gammaln", "xlogy", "ndtr", "log_ndtr", "polygamma"]
