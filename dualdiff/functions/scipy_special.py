"""scipy.special's functions that are not ufuncs, so NEP 13 never sees a Dual in them: each is
registered with `register_foreign`, which wraps SciPy's function once scipy.special is imported
(calls without Duals or Vars still go to SciPy's own code). Their elementwise rules are in
`rules/special.py`.

Each is a composite of functions that have rules, written as SciPy computes it (so its value is
SciPy's to rounding), and differentiates in both modes to every order:

- ``logsumexp(a, axis, b, keepdims, return_sign)``: SciPy's stable sum, the largest entries split
  out: ``log1p(s) + log(m) + A`` with ``A`` the maximum (a constant: the sum does not depend on it),
  ``m`` the weights of the entries equal to it (times ``exp(a - A)``, which is 1 there but carries
  their tangents) and ``s`` the others' ``b exp(a - A)`` over ``m``; negative sums follow SciPy's sign
  rules. A zero weight ``b`` drops its entry from the value, as in SciPy, but a moving weight still
  gets its derivative ``exp(a - out)``;
- ``softmax(x, axis)``: ``exp(x - max) / sum``; ``log_softmax(x, axis)``: ``(x - max) - log(sum)``,
  the maximum a constant (both are invariant under a shift);
- ``multigammaln(a, d)``: ``d (d - 1) / 4 log(pi) + sum_j gammaln(a - (j - 1) / 2)``, the dimension
  d a plain integer;
- ``perm(N, k)`` and ``comb(N, k, repetition)`` (``exact=False``): ``poch(N - k + 1, k)`` and
  ``binom(N, k)``, 0 where SciPy gives 0;
- ``diric(x, n)``: ``sin(n x / 2) / (n sin(x / 2))``, ``+-1`` where SciPy takes the limit, n a
  plain integer;
- ``polygamma(n, x)``: the rule ``polygamma(n)``, n an integer constant.

>>> import numpy as np, scipy.special as sp
>>> import dualdiff as dd
>>> g = dd.gradient(lambda a: sp.logsumexp(a), np.array([0.0, np.log(3.0)]))
>>> np.allclose(g, [0.25, 0.75]) and np.allclose(g, sp.softmax([0.0, np.log(3.0)]))
True
"""

from __future__ import annotations

import math
import operator
from collections.abc import Callable
from typing import Any

import numpy as np
import scipy.special as _sp

from ..core.functions import HANDLERS, register_foreign
from ..core.number import Number, plain
from ..rules import special
from .shapes import _as_operand


def _scipy(name: str) -> Callable[..., Any]:
    """SciPy's own function, under dualdiff's wrapper if it is installed."""
    f = getattr(_sp, name)
    return f.__wrapped__ if getattr(f, "__dualdiff__", None) is not None else f


def _operand(a: Any) -> Any:
    """A Dual or Var as it is; anything else as a float array (SciPy's ``asarray`` with floating promotion)."""
    a = _as_operand(a)
    if isinstance(a, Number):
        if np.iscomplexobj(plain(a)):
            raise TypeError("dualdiff differentiates scipy.special's reductions of real numbers only, not complex ones")
        return a
    a = np.asarray(a)
    return a if a.dtype.kind in "fc" else a.astype(float)


def _plain_int(name: str, what: str, n: Any) -> Any:
    if isinstance(n, Number):
        raise TypeError(f"scipy.special.{name}: dualdiff has no derivative with respect to {what}; pass it as a plain integer")
    return n


def _integer_order(n: Any) -> int:
    if type(n) in HANDLERS:
        raise TypeError("scipy.special.polygamma: dualdiff has no derivative with respect to the order n; pass it as a plain number")
    k = int(n) if np.ndim(n) == 0 and n == n and abs(n) != math.inf else -1
    if k < 0 or k != n:
        raise TypeError(f"scipy.special.polygamma of a Dual or Var takes one integer order n >= 0, not {n!r}")
    return k


@register_foreign("scipy.special", "polygamma")
def _polygamma(n: Any, x: Any) -> Any:
    """scipy.special.polygamma(n, x) of a Dual or Var: ``polygamma(n)(x)``, n an integer constant.

    SciPy's polygamma is a Python function that makes arrays of its arguments before it calls any ufunc,
    so NEP 13 never sees a Dual there: `register_foreign` puts a wrapper in its place that sends Duals and
    Vars here, and everything else to SciPy's own function.

    >>> import scipy.special as sp
    >>> from dualdiff import derivative
    >>> round(float(derivative(lambda t: sp.polygamma(1, t), 1.0)), 10)  # polygamma(2, 1) = -2 zeta(3)
    -2.4041138063
    """
    return special.polygamma(_integer_order(n))(x)


def _axes(axis: Any, n: int) -> tuple[int, ...]:
    if axis is None:
        return tuple(range(n))
    axes = (axis,) if np.ndim(axis) == 0 else tuple(axis)
    out = tuple(int(operator.index(a)) % n if -n <= a < n else int(a) for a in axes)
    bad = [a for a in out if not 0 <= a < n]
    if bad:
        raise np.exceptions.AxisError(bad[0], n)
    return out


def _scalar(y: Any) -> Any:
    """A 0-d result as a scalar, as SciPy returns it (``out[()]``)."""
    if np.ndim(plain(y)) == 0 and isinstance(plain(y), np.ndarray):
        return np.sum(y) if isinstance(y, Number) else y[()]
    return y


@register_foreign("scipy.special", "logsumexp")
def logsumexp(a: Any, axis: Any = None, b: Any = None, keepdims: bool = False, return_sign: bool = False) -> Any:
    """scipy.special.logsumexp of Duals and Vars: ``log(sum(b * exp(a)))`` along ``axis``, stably.

    The value is SciPy's (its algorithm, the same operations); the derivative is the softmax
    ``b exp(a - out)`` (times the sign with ``return_sign=True``, whose sign output is a plain array).

    >>> import numpy as np, scipy.special as sp
    >>> from dualdiff import Dual
    >>> y = sp.logsumexp(Dual(np.array([1.0, 2.0]), np.array([1.0, 0.0])), b=[1.0, -1.0], return_sign=True)
    >>> bool(np.isclose(y[0].value, np.log(np.e**2 - np.e))), y[1]
    (True, np.float64(-1.0))
    """
    a = _operand(a)
    b = None if b is None else _operand(b)
    if b is not None:
        a, b = np.broadcast_arrays(a, b)
    if np.ndim(plain(a)) == 0:
        a = np.reshape(a, (1,))
        b = None if b is None else np.reshape(b, (1,))
    av = np.asarray(plain(a))
    bv = None if b is None else np.asarray(plain(b))
    axes = _axes(axis, av.ndim)
    if av.size == 0:  # -inf, with no derivative: SciPy's own result
        return _scipy("logsumexp")(av, axis=axis, b=bv, keepdims=keepdims, return_sign=return_sign)
    with np.errstate(all="ignore"):
        # where the stable sum is not finite, SciPy takes the direct one (inf, -inf, nan): no derivative there
        direct = np.sum(np.exp(av) if bv is None else bv * np.exp(av), axis=axes, keepdims=True)
        sign_direct = np.sign(direct)
        out_direct = np.log(np.abs(direct) if return_sign else direct)
        # SciPy's stable sum: entries of zero weight are left out, the largest ones split off the sum
        dropped = None if bv is None else bv == 0
        am = av if dropped is None else np.where(dropped, -np.inf, av)
        top = np.max(am, axis=axes, keepdims=True)  # a constant: log(sum(b exp(a - top))) + top does not depend on it
        tied = am == top
        x = a - top
        if dropped is not None:
            x = np.where(dropped, -np.inf, x)
        e = np.exp(x)
        e = e if b is None else b * e
        m = np.sum(np.where(tied, e, 0.0), axis=axes, keepdims=True)  # the weights of the largest entries (exp(0) = 1)
        s = np.sum(np.where(tied, 0.0, e), axis=axes, keepdims=True)
        sv = plain(s)
        s = np.where(sv == 0, s, s / m)
        sv = plain(s)
        sign = np.sign(sv + 1) * np.sign(plain(m))
        s = np.where(sv < -1, -s - 2, s)
        out = np.log1p(s) + np.log(np.abs(m)) + top
        if not return_sign:
            out = np.where(sign < 0, np.nan, out)
        if isinstance(b, Number) and dropped is not None:
            out = _zero_weights(out, a, b, av, dropped, sign, axes)
        finite = np.isfinite(plain(out))
        out = np.where(finite, out, out_direct)
        sign = np.where(finite, sign, sign_direct)
    if not keepdims:
        out, sign = np.squeeze(out, axis=axes), np.squeeze(sign, axis=axes)
    out, sign = _scalar(out), sign[()] if sign.ndim == 0 else sign
    return (out, sign) if return_sign else out


def _zero_weights(out: Any, a: Any, b: Any, av: Any, dropped: Any, sign: Any, axes: tuple[int, ...]) -> Any:
    """``out + log1p(sign * sum(b exp(a - out)))`` over the entries of zero weight: 0 in value (b = 0 there),
    but the derivative of every order that the sum has in those weights (exp(a - out) for the first)."""
    keep = dropped & np.isfinite(av)  # an infinite or nan entry of zero weight has no derivative to give
    if not keep.any():
        return out
    ov = plain(out)
    base = np.where(np.isfinite(ov), out, 0.0)
    gap = np.minimum(np.where(keep, a, 0.0) - base, 700.0)  # exp(700) is finite: b exp(.) stays 0 in value
    t = np.sum(np.where(keep, b * np.exp(gap), 0.0), axis=axes, keepdims=True)
    return out + np.log1p(sign * t)


@register_foreign("scipy.special", "softmax")
def softmax(x: Any, axis: Any = None) -> Any:
    """scipy.special.softmax of Duals and Vars: ``exp(x - max) / sum(exp(x - max))`` along ``axis``.

    >>> import numpy as np, scipy.special as sp
    >>> import dualdiff as dd
    >>> J = dd.jacobian(sp.softmax, np.zeros(2))
    >>> np.allclose(J, [[0.25, -0.25], [-0.25, 0.25]])
    True
    """
    x = _operand(x)
    top = np.max(np.asarray(plain(x)), axis=axis, keepdims=True)  # a constant: softmax is invariant under a shift
    e = np.exp(x - top)
    return e / np.sum(e, axis=axis, keepdims=True)


@register_foreign("scipy.special", "log_softmax")
def log_softmax(x: Any, axis: Any = None) -> Any:
    """scipy.special.log_softmax of Duals and Vars: ``(x - max) - log(sum(exp(x - max)))`` along ``axis``.

    >>> import numpy as np, scipy.special as sp
    >>> import dualdiff as dd
    >>> np.allclose(dd.jacobian(sp.log_softmax, np.zeros(2)), [[0.5, -0.5], [-0.5, 0.5]])
    True
    """
    x = _operand(x)
    top = np.max(np.asarray(plain(x)), axis=axis, keepdims=True)
    top = np.where(np.isfinite(top), top, 0.0) if top.ndim else (top if np.isfinite(top) else 0)
    t = x - top
    with np.errstate(divide="ignore"):
        out = np.log(np.sum(np.exp(t), axis=axis, keepdims=True))
    return t - out


@register_foreign("scipy.special", "multigammaln")
def multigammaln(a: Any, d: Any) -> Any:
    """scipy.special.multigammaln(a, d) of a Dual or Var: ``d (d-1)/4 log(pi) + sum_j gammaln(a - (j-1)/2)``.

    >>> import scipy.special as sp
    >>> from dualdiff import derivative
    >>> bool(abs(derivative(lambda t: sp.multigammaln(t, 2), 3.0) - (sp.psi(3.0) + sp.psi(2.5))) < 1e-14)
    True
    """
    d = np.asarray(_plain_int("multigammaln", "the dimension d", d))[()]
    if not np.isscalar(d) or (np.floor(d) != d):
        raise ValueError("d should be a positive integer (dimension)")
    a = _operand(a)
    av = np.asarray(plain(a))
    if np.any(av <= 0.5 * (d - 1)):
        raise ValueError(f"condition a ({av}) > 0.5 * (d-1) ({0.5 * (d - 1)}) not met")
    res = (d * (d - 1) * 0.25) * np.log(np.pi)
    return res + np.sum(np.stack([special.gammaln(a - (j - 1.0) / 2) for j in range(1, int(d) + 1)]), axis=0)


def _exact(name: str, exact: bool) -> None:
    if exact:
        raise TypeError(f"scipy.special.{name}(..., exact=True) counts in integers, which have no derivative; use exact=False")


def _zero_unless(cond: Any, vals: Any) -> Any:
    """SciPy's ``vals[~cond] = 0``, a scalar result a scalar."""
    return _scalar(vals if np.all(cond) else np.where(cond, vals, 0.0))


@register_foreign("scipy.special", "perm")
def perm(N: Any, k: Any, exact: bool = False) -> Any:
    """scipy.special.perm(N, k) of Duals and Vars (``exact=False``): ``poch(N - k + 1, k)``, 0 where SciPy's is.

    >>> import scipy.special as sp
    >>> from dualdiff import derivative
    >>> bool(abs(derivative(lambda n: sp.perm(n, 2.0), 5.0) - 9.0) < 1e-12)   # d/dN N (N - 1)
    True
    """
    _exact("perm", exact)
    k, N = _operand(k), _operand(N)
    kv, nv = plain(k), plain(N)
    return _zero_unless((kv <= nv) & (nv >= 0) & (kv >= 0), special.poch(N - k + 1, k))


@register_foreign("scipy.special", "comb")
def comb(N: Any, k: Any, *, exact: bool = False, repetition: bool = False) -> Any:
    """scipy.special.comb(N, k) of Duals and Vars (``exact=False``): ``binom(N, k)``, 0 where SciPy's is;
    with ``repetition=True`` ``binom(N + k - 1, k)``, 1 where k = 0 and N >= 0.

    >>> import scipy.special as sp
    >>> from dualdiff import derivative
    >>> bool(abs(derivative(lambda n: sp.comb(n, 2.0), 5.0) - 4.5) < 1e-12)   # d/dN N (N - 1) / 2
    True
    """
    _exact("comb", exact)
    k, N = _operand(k), _operand(N)
    kv, nv = plain(k), plain(N)
    if repetition:
        one = (kv == 0) & (nv >= 0)
        vals = special.binom(N + k - 1, k)
        return _scalar(vals if not np.any(one) else np.where(one, 1.0, vals))
    return _zero_unless((kv <= nv) & (nv >= 0) & (kv >= 0), special.binom(N, k))


@register_foreign("scipy.special", "diric")
def diric(x: Any, n: Any) -> Any:
    """scipy.special.diric(x, n) of a Dual or Var: ``sin(n x / 2) / (n sin(x / 2))``, n a plain integer.

    Where ``|sin(x / 2)|`` is below SciPy's threshold the value is SciPy's limit ``+-1``, a constant
    (the derivative there, at ``x = 2 pi m``, is 0); nan where n is not a positive integer.

    >>> import numpy as np, scipy.special as sp
    >>> from dualdiff import derivative
    >>> x = 1.3
    >>> f = lambda t: np.sin(3 * t / 2) / (3 * np.sin(t / 2))
    >>> bool(abs(derivative(lambda t: sp.diric(t, 3), x) - derivative(f, x)) < 1e-14)
    True
    """
    n = np.asarray(_plain_int("diric", "n", n))
    x = _operand(x)
    xv = np.asarray(plain(x))
    n = n + (xv - xv)
    x = x + (n - n)
    xv = np.asarray(plain(x))
    eps = np.finfo(xv.dtype if xv.dtype.kind == "f" else float).eps
    minval = 1e-11 if eps < 1e-18 else 1e-7 if eps < 1e-15 else 1e-3
    bad = (n <= 0) | (n != np.floor(n))
    with np.errstate(all="ignore"):
        half = xv / 2
        near = ~bad & (np.abs(np.sin(half)) < minval)
        limit = np.power(-1.0, np.round(half / np.pi) * (n - 1))
        ok = ~bad & ~near
        nn = np.where(ok, n, 1.0)
        h = x / 2 if ok.all() else np.where(ok, x / 2, 1.0)
        y = np.sin(nn * h) / (nn * np.sin(h))
    out = y if ok.all() else np.where(ok, y, np.where(near, limit, np.nan))
    return out
