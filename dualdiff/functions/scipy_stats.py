"""``scipy.stats``: distributions' methods of Duals and Vars, in both modes and to every order.

SciPy's distributions are instances (``scipy.stats.norm`` is a ``norm_gen``) whose methods convert
their arguments with ``np.asarray``, so a Dual never reaches NumPy's dispatch. Each method here is
installed with `register_foreign` on the distribution's class (``"norm.__class__.logpdf"``), so every
instance takes it: ``scipy.stats.norm`` however it was imported (``from scipy.stats import norm``
before dualdiff too), frozen distributions (``norm(loc, scale).logpdf(x)``, whose own instance is a
copy), and pickling the instance still works. Calls without Duals or Vars go to SciPy unchanged.

Each method is a composite written as SciPy computes it: the standardized ``z = (x - loc) / scale``,
the distribution's own formula (the same special functions, whose rules are in `rules/special.py`),
then ``pdf / scale`` or ``logpdf - log(scale)``; so values equal SciPy's to rounding. Around the
formula, SciPy's conventions, decided on the plain values: outside the support the pdf is 0, the
logpdf ``-inf``, the cdf 0 or 1 (their derivative 0); invalid parameters (``scale <= 0``, a shape
``<= 0``) or nan give nan, with a nan derivative (as every rule outside its domain); the result
broadcasts x, loc, scale and the shapes, and a 0-d result is a scalar. Where an argument is
invalid the formula is evaluated at a harmless point, so no warning and no nan derivative leaks into
the valid entries (in reverse mode neither).

- ``norm``: pdf ``exp(-z**2/2) / sqrt(2 pi)``, logpdf ``-z**2/2 - log(sqrt(2 pi))``, cdf ``ndtr(z)``,
  logcdf ``log_ndtr(z)``, sf ``ndtr(-z)``, logsf ``log_ndtr(-z)``, ppf ``ndtri(q) scale + loc``,
  isf ``-ndtri(q) scale + loc``.
- ``t``: logpdf ``log(poch(df/2, 1/2)) - (log(df) + log(pi))/2 - (df + 1)/2 log1p(z**2/df)`` (the
  normal's at ``df = inf``), pdf its exp; cdf ``stdtr(df, z)``, sf ``stdtr(df, -z)``, their logs.
- ``chi2``: logpdf ``xlogy(df/2 - 1, z) - z/2 - gammaln(df/2) - log(2) df/2``, pdf its exp, cdf
  ``chdtr(df, z)``, sf ``chdtrc(df, z)``, their logs.
- ``gamma``: logpdf ``xlogy(a - 1, z) - z - gammaln(a)``, pdf its exp, cdf ``gammainc(a, z)``, sf
  ``gammaincc(a, z)``, their logs.
- ``beta``: logpdf ``xlog1py(b - 1, -z) + xlogy(a - 1, z) - betaln(a, b)``, pdf SciPy's own ufunc
  with its rule, cdf ``betainc(a, b, z)``, sf ``betaincc(a, b, z)``, their logs.
- ``poisson``: logpmf ``xlogy(k, mu) - gammaln(k + 1) - mu``, pmf its exp, cdf ``pdtr(floor(k), mu)``,
  in mu (k and loc are integers: a Dual there is refused).
- ``dirichlet``: logpdf ``sum((alpha - 1) log x) - (sum(gammaln(alpha)) - gammaln(sum(alpha)))``, pdf
  its exp, in x and alpha (x with one entry fewer than alpha gets ``1 - sum(x)`` as its last, as SciPy).
- ``multivariate_normal``: logpdf ``-(rank log(2 pi) + log pdet(cov) + |whiten(x - mean)|**2) / 2``,
  pdf its exp, entropy ``(rank (log(2 pi) + 1) + log pdet(cov)) / 2``. A constant cov is SciPy's own
  (its eigendecomposition, the nonzero eigenvalues only with ``allow_singular=True``, ``-inf`` off its
  support; a ``Covariance`` object too); a moving cov goes through ``np.linalg.cholesky`` of its lower
  triangle (what SciPy reads).

Refused, with a TypeError naming the method (no derivative with respect to them): t's df in cdf,
logcdf, sf and logsf (stdtr), chi2's df and gamma's a in their cdf and sf, beta's a and b in its cdf
and sf, poisson's k and loc. A moving covariance that is singular raises ``LinAlgError``.

>>> import numpy as np, scipy.stats
>>> import dualdiff as dd
>>> g = dd.gradient(lambda p: scipy.stats.norm.logpdf(1.0, loc=p[0], scale=p[1]), np.array([0.5, 2.0]))
>>> np.allclose(g, [(1.0 - 0.5) / 4.0, (1.0 - 0.5) ** 2 / 8.0 - 1 / 2.0])
True
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any, NamedTuple

import numpy as np
import scipy.stats  # noqa: F401  (loaded: the distributions are patched in it)
from scipy.stats import _multivariate

from ..core.functions import register_foreign
from ..core.number import Number, plain
from ..rules import special as S
from .shapes import _as_operand

_NORM_C = np.sqrt(2 * np.pi)  # SciPy's _norm_pdf_C and _norm_pdf_logC, computed as SciPy does
_NORM_LOGC = np.log(_NORM_C)
_LOG_2PI = np.log(2 * np.pi)


def _operand(a: Any) -> Any:
    """A Dual or Var as it is, anything else as a float array (SciPy's ``asarray`` and float promotion)."""
    a = _as_operand(a)
    if isinstance(a, Number):
        return a
    a = np.asarray(a)
    return a if a.dtype.kind in "fc" else a.astype(float)


def _scalar(y: Any) -> Any:
    """SciPy's ``output[()]``: a 0-d result is a scalar."""
    if np.ndim(plain(y)) == 0 and isinstance(plain(y), np.ndarray):
        return np.sum(y) if isinstance(y, Number) else y[()]
    return y


def _moves(a: Any) -> bool:
    """Does ``a`` hold a Dual or Var (itself, or in a list)?"""
    return isinstance(a, Number) or (isinstance(a, (list, tuple)) and any(_moves(e) for e in a))


def _refuse(method: str, **args: Any) -> None:
    for name, a in args.items():
        if _moves(a):
            raise TypeError(
                f"scipy.stats.{method}: dualdiff has no derivative with respect to {name}; pass it as a plain number"
            )


def _substitute(cond: Any, a: Any, safe: float) -> Any:
    """``a`` where cond holds, a harmless ``safe`` elsewhere (the entries the result does not use)."""
    return a if cond.all() else np.where(cond, a, safe)


def _finish(cond: Any, value: Any, other: Any, bad: Any, *moving: Any) -> Any:
    """SciPy's output: ``value`` where cond holds, the plain ``other`` elsewhere (``place``), of cond's
    (the broadcast) shape, a 0-d one a scalar. Where an argument is invalid (``bad``: SciPy's nan) the
    derivative is nan too, as everywhere outside a function's domain."""
    out = other if not cond.any() else value if cond.all() else np.where(cond, value, other)
    movers = [m for m in moving if isinstance(m, Number)]
    if movers and bad.any():
        poison = movers[0] * np.nan
        for m in movers[1:]:
            poison = poison + m * np.nan
        out = np.where(bad, poison, out)
    if np.shape(plain(out)) != cond.shape:
        out = np.broadcast_to(out, cond.shape)
        out = out if isinstance(out, Number) else out.copy()
    return _scalar(out)


# --- the distributions' standardized functions, written as SciPy's _pdf, _logpdf, ... ---
def _norm_pdf(x: Any) -> Any:
    return np.exp(-(x**2) / 2.0) / _NORM_C


def _norm_logpdf(x: Any) -> Any:
    return -(x**2) / 2.0 - _NORM_LOGC


def _t_logpdf(x: Any, df: Any) -> Any:
    return np.log(S.poch(0.5 * df, 0.5)) - 0.5 * (np.log(df) + np.log(np.pi)) - (df + 1) / 2 * np.log1p(x * x / df)


def _normal_at_infinity(normal: Callable[[Any], Any], student: Callable[[Any, Any], Any]) -> Callable[[Any, Any], Any]:
    """SciPy's ``apply_where(df == inf, ...)``: the normal's formula where df is infinite, Student's elsewhere."""

    def f(x: Any, df: Any) -> Any:
        infinite = np.asarray(plain(df)) == np.inf
        if not infinite.any():
            return student(x, df)
        if infinite.all():
            return normal(x)
        return np.where(infinite, normal(x), student(x, np.where(infinite, 1.0, df)))

    return f


def _log(f: Callable[..., Any]) -> Callable[..., Any]:
    """SciPy's default ``_logcdf`` and ``_logsf``: the log of ``_cdf`` and ``_sf``."""

    def logf(*args: Any) -> Any:
        with np.errstate(divide="ignore"):
            return np.log(f(*args))

    return logf


def _exp(f: Callable[..., Any]) -> Callable[..., Any]:
    return lambda *args: np.exp(f(*args))


def _chi2_logpdf(x: Any, df: Any) -> Any:
    return S.xlogy(df / 2.0 - 1, x) - x / 2.0 - S.gammaln(df / 2.0) - (np.log(2) * df) / 2.0


def _gamma_logpdf(x: Any, a: Any) -> Any:
    return S.xlogy(a - 1.0, x) - x - S.gammaln(a)


def _beta_logpdf(x: Any, a: Any, b: Any) -> Any:
    return S.xlog1py(b - 1.0, -x) + S.xlogy(a - 1.0, x) - S.betaln(a, b)


def _beta_pdf(x: Any, a: Any, b: Any) -> Any:
    if S._beta_pdf is None:  # an older SciPy: its beta pdf is exp(logpdf) there too
        return np.exp(_beta_logpdf(x, a, b))
    with np.errstate(over="ignore"):
        return S._beta_pdf(x, a, b)


def _cdf_t(x: Any, df: Any) -> Any:
    return S.stdtr(df, x)


def _sf_t(x: Any, df: Any) -> Any:
    return S.stdtr(df, -x)


def _chi2_cdf(x: Any, df: Any) -> Any:
    return S.chdtr(df, x)


def _chi2_sf(x: Any, df: Any) -> Any:
    return S.chdtrc(df, x)


def _gamma_cdf(x: Any, a: Any) -> Any:
    return S.gammainc(a, x)


def _gamma_sf(x: Any, a: Any) -> Any:
    return S.gammaincc(a, x)


def _beta_cdf(x: Any, a: Any, b: Any) -> Any:
    return S.betainc(a, b, x)


def _beta_sf(x: Any, a: Any, b: Any) -> Any:
    return S.betaincc(a, b, x)


class _Continuous(NamedTuple):
    """One of SciPy's continuous distributions: its shape parameters (which its cdf and sf cannot
    differentiate), its standardized support, a point inside it, and its functions by method."""

    name: str
    shapes: tuple[str, ...]
    support: tuple[float, float]
    inside: float
    funcs: dict[str, Callable[..., Any]]


_t_pdf = _normal_at_infinity(_norm_pdf, lambda x, df: np.exp(_t_logpdf(x, df)))
_CONTINUOUS = [
    _Continuous("norm", (), (-np.inf, np.inf), 0.0, {
        "pdf": _norm_pdf, "logpdf": _norm_logpdf, "cdf": S.ndtr, "logcdf": S.log_ndtr,
        "sf": lambda x: S.ndtr(-x), "logsf": lambda x: S.log_ndtr(-x), "ppf": S.ndtri, "isf": lambda q: -S.ndtri(q),
    }),
    _Continuous("t", ("df",), (-np.inf, np.inf), 0.0, {
        "pdf": _t_pdf, "logpdf": _normal_at_infinity(_norm_logpdf, _t_logpdf),
        "cdf": _cdf_t, "logcdf": _log(_cdf_t), "sf": _sf_t, "logsf": _log(_sf_t),
    }),
    _Continuous("chi2", ("df",), (0.0, np.inf), 1.0, {
        "pdf": _exp(_chi2_logpdf), "logpdf": _chi2_logpdf,
        "cdf": _chi2_cdf, "logcdf": _log(_chi2_cdf), "sf": _chi2_sf, "logsf": _log(_chi2_sf),
    }),
    _Continuous("gamma", ("a",), (0.0, np.inf), 1.0, {
        "pdf": _exp(_gamma_logpdf), "logpdf": _gamma_logpdf,
        "cdf": _gamma_cdf, "logcdf": _log(_gamma_cdf), "sf": _gamma_sf, "logsf": _log(_gamma_sf),
    }),
    _Continuous("beta", ("a", "b"), (0.0, 1.0), 0.5, {
        "pdf": _beta_pdf, "logpdf": _beta_logpdf,
        "cdf": _beta_cdf, "logcdf": _log(_beta_cdf), "sf": _beta_sf, "logsf": _log(_beta_sf),
    }),
]

# method -> (value outside the support, value beyond its edge, which edge: +1 upper (cdf), -1 lower (sf), 0 none)
_OUTSIDE = {
    "pdf": (0.0, 0.0, 0), "logpdf": (-np.inf, -np.inf, 0),
    "cdf": (0.0, 1.0, 1), "logcdf": (-np.inf, 0.0, 1), "sf": (0.0, 1.0, -1), "logsf": (-np.inf, 0.0, -1),
}


def _continuous(d: _Continuous, kind: str, x: Any, shapes: tuple[Any, ...], loc: Any, scale: Any) -> Any:
    """rv_continuous's pdf, logpdf, cdf, ... of Duals and Vars: SciPy's conditions on the plain values,
    the distribution's formula where they hold."""
    if kind not in ("pdf", "logpdf"):
        _refuse(f"{d.name}.{kind}", **dict(zip(d.shapes, shapes, strict=True)))
    x, loc, scale = _operand(x), _operand(loc), _operand(scale)
    shapes = tuple(_operand(s) for s in shapes)
    values = [np.asarray(plain(s)) for s in shapes]
    scale_v = np.asarray(plain(scale))
    with np.errstate(invalid="ignore"):
        valid = scale_v > 0
        for v in values:  # SciPy's default _argcheck: every shape parameter positive
            valid = valid & (v > 0)
    if kind in ("ppf", "isf"):
        return _quantile(d, kind, x, shapes, loc, scale, valid)
    z = (x - loc) / scale
    zv = np.asarray(plain(z))
    lo, hi = d.support
    outside, edge_value, edge = _OUTSIDE[kind]
    with np.errstate(invalid="ignore"):
        inside = ((lo <= zv) & (zv <= hi)) if edge == 0 else ((lo < zv) & (zv < hi))
        cond = valid & inside
        other = np.full(cond.shape, outside)
        if edge:
            other[((zv >= hi) if edge > 0 else (zv <= lo)) & valid] = edge_value
        bad = np.broadcast_to(~valid | np.isnan(zv), cond.shape)
        other[bad] = np.nan
    if not cond.any():
        return _finish(cond, None, other, bad, z, *shapes)
    value = d.funcs[kind](_substitute(cond, z, d.inside), *(_substitute(cond, s, 1.0) for s in shapes))
    if kind == "pdf":
        value = value / _substitute(cond, scale, 1.0)
    elif kind == "logpdf":
        value = value - np.log(_substitute(cond, scale, 1.0))
    return _finish(cond, value, other, bad, z, *shapes)


def _quantile(d: _Continuous, kind: str, q: Any, shapes: tuple[Any, ...], loc: Any, scale: Any, valid: Any) -> Any:
    """rv_continuous's ppf and isf: ``f(q) scale + loc`` inside (0, 1), the support's edges at 0 and 1."""
    qv = np.asarray(plain(q))
    loc_v = np.asarray(plain(loc))
    valid = valid & (loc_v == loc_v)
    cond = valid & (0 < qv) & (qv < 1)
    other: Any = np.full(cond.shape, np.nan)
    lo, hi = d.support
    at_zero, at_one = (lo, hi) if kind == "ppf" else (hi, lo)
    edges = np.zeros(cond.shape, bool)
    for where, bound in ((valid & (qv == 0), at_zero), (valid & (qv == 1), at_one)):
        if where.any():  # an infinite edge is a constant; a finite one moves with loc and scale
            other = np.where(where, bound if math.isinf(bound) else bound * scale + loc, other)
            edges = edges | where
    bad = ~cond & ~edges  # nan: invalid arguments, q outside [0, 1]
    if not cond.any():
        return _finish(cond, None, other, bad, q, loc, scale, *shapes)
    f = d.funcs[kind]
    value = f(_substitute(cond, q, 0.5), *(_substitute(cond, s, 1.0) for s in shapes))
    value = value * _substitute(cond, scale, 1.0) + _substitute(cond, loc, 0.0)
    return _finish(cond, value, other, bad, q, loc, scale, *shapes)


def _continuous_method(d: _Continuous, kind: str) -> None:
    def method(self: Any, x: Any, *args: Any, **kwds: Any) -> Any:
        shapes, loc, scale = self._parse_args(*args, **kwds)
        return _continuous(d, kind, x, shapes, loc, scale)

    method.__name__ = kind
    method.__qualname__ = f"{d.name}.{kind}"
    method.__doc__ = f"scipy.stats.{d.name}.{kind} of Duals and Vars: SciPy's formula and conventions, differentiable."
    register_foreign("scipy.stats", f"{d.name}.__class__.{kind}")(method)  # on the class: every instance takes it


for _d in _CONTINUOUS:
    for _kind in _d.funcs:
        _continuous_method(_d, _kind)


# --- poisson: rv_discrete's pmf, logpmf and cdf, in mu ---
def _clip01(p: Any) -> Any:
    """SciPy's ``np.clip(p, 0, 1)`` in value; the derivative kept where p is 0 or 1 itself."""
    pv = np.asarray(plain(p))
    if ((pv >= 0) & (pv <= 1)).all():
        return p
    return np.where(pv > 1, 1.0, np.where(pv < 0, 0.0, p))


def _poisson_logpmf(k: Any, mu: Any) -> Any:
    return S.xlogy(k, mu) - S.gammaln(k + 1) - mu


def _poisson(kind: str, self: Any, k: Any, args: tuple[Any, ...], kwds: dict[str, Any]) -> Any:
    shapes, loc, _ = self._parse_args(*args, **kwds)
    _refuse(f"poisson.{kind}", k=k, loc=loc)
    mu = _operand(shapes[0])
    k = np.asarray(np.asarray(k) - np.asarray(loc))
    mu_v = np.asarray(plain(mu))
    valid = mu_v >= 0
    with np.errstate(invalid="ignore"):
        if kind == "cdf":
            cond = valid & (k >= 0) & (k < np.inf) & np.isfinite(k)
            other = np.zeros(cond.shape)
            other[np.broadcast_to(k >= np.inf, cond.shape)] = 1.0
            other[np.broadcast_to(np.isneginf(k), cond.shape)] = 0.0
        else:
            cond = valid & (k >= 0) & (k <= np.inf) & (np.floor(k) == k)
            other = np.full(cond.shape, 0.0 if kind == "pmf" else -np.inf)
        bad = np.broadcast_to(~valid | np.isnan(k), cond.shape)
        other[bad] = np.nan
    if not cond.any():
        return _finish(cond, None, other, bad, mu)
    ks, mus = np.where(cond, k, 0.0), _substitute(cond, mu, 1.0)
    if kind == "logpmf":
        value = _poisson_logpmf(ks, mus)
    elif kind == "pmf":
        value = _clip01(np.exp(_poisson_logpmf(ks, mus)))
    else:
        value = _clip01(S.pdtr(np.floor(ks), mus))
    return _finish(cond, value, other, bad, mu)


def _poisson_method(kind: str) -> None:
    def method(self: Any, k: Any, *args: Any, **kwds: Any) -> Any:
        return _poisson(kind, self, k, args, kwds)

    method.__name__ = kind
    method.__qualname__ = f"poisson.{kind}"
    method.__doc__ = f"scipy.stats.poisson.{kind} of Duals and Vars, in mu: SciPy's formula and conventions."
    register_foreign("scipy.stats", f"poisson.__class__.{kind}")(method)


for _kind in ("pmf", "logpmf", "cdf"):
    _poisson_method(_kind)


# --- multivariate_normal ---
def _squeeze(out: Any) -> Any:
    """SciPy's ``_squeeze_output``: singleton axes dropped, a 0-d result a scalar."""
    return _scalar(np.squeeze(out))


def _quantiles(x: Any, dim: int) -> Any:
    """multivariate_normal's ``_process_quantiles``: the last axis holds the components."""
    x = _operand(x)
    n = np.ndim(plain(x))
    if n == 0:
        return np.reshape(x, (1,))
    if n == 1:
        return np.reshape(x, (-1, 1) if dim == 1 else (1, -1))
    return x


def _full_cov(cov: Any, dim: int) -> Any:
    """multivariate_normal's ``_process_parameters_psd`` for the covariance: a matrix, of its lower
    triangle (the one SciPy's ``eigh`` reads) mirrored."""
    c = _operand(cov)
    n = np.ndim(plain(c))
    if dim == 1:
        c = np.reshape(c, (1, 1))
    elif n == 0:
        c = c * np.eye(dim)
    elif n == 1:
        c = np.diag(c)
    return np.tril(c) + np.swapaxes(np.tril(c, -1), -1, -2)


def _mvn_logpdf(self: Any, x: Any, mean: Any, cov: Any, allow_singular: bool) -> tuple[Any, Any]:
    """The log-density, and the points off a singular covariance's support (or None)."""
    moving = _moves(cov)
    mean_v = None if mean is None else np.asarray(plain(_operand(mean)))
    cov_v = np.asarray(plain(_operand(cov))) if moving else cov
    dim, mean_p, cov_object = self._process_parameters(mean_v, cov_v, allow_singular)  # SciPy's checks and errors
    mean_d = mean_p if mean is None else np.reshape(_operand(mean), (dim,))
    x = _quantiles(x, dim)
    dev = x - mean_d
    if not moving:
        log_det, rank = cov_object.log_pdet, cov_object.rank
        if np.ndim(plain(dev)) > 1:
            log_det, rank = log_det[..., np.newaxis], rank[..., np.newaxis]
        maha = np.sum(np.square(cov_object._whiten(dev)), axis=-1)
        out = -0.5 * (rank * _LOG_2PI + log_det + maha)
        off = None
        if np.any(cov_object.rank < dim):
            off = ~cov_object._support_mask(np.asarray(plain(x)) - np.asarray(mean_p))
        return out, off
    if cov_object.rank < dim:
        raise np.linalg.LinAlgError(
            "scipy.stats.multivariate_normal: the covariance moves and is singular; its pseudo-determinant has no "
            "derivative there. Pass a constant covariance (allow_singular=True), or a positive definite one."
        )
    L = np.linalg.cholesky(_full_cov(cov, dim))
    log_det = 2.0 * np.sum(np.log(np.diagonal(L)))
    dv = np.shape(plain(dev))
    z = np.linalg.solve(L, np.swapaxes(np.reshape(dev, (-1, dim)), 0, 1))
    maha = np.reshape(np.sum(z * z, axis=0), dv[:-1])
    return -0.5 * (dim * _LOG_2PI + log_det + maha), None


def _mvn_logpdf_method(self: Any, x: Any, mean: Any = None, cov: Any = 1, allow_singular: bool = False) -> Any:
    """scipy.stats.multivariate_normal.logpdf of Duals and Vars, in x, mean and cov."""
    out, off = _mvn_logpdf(self, x, mean, cov, allow_singular)
    if off is not None and np.any(off):
        out = np.where(off, -np.inf, out)
    return _squeeze(out)


def _mvn_pdf_method(self: Any, x: Any, mean: Any = None, cov: Any = 1, allow_singular: bool = False) -> Any:
    """scipy.stats.multivariate_normal.pdf of Duals and Vars, in x, mean and cov."""
    out, off = _mvn_logpdf(self, x, mean, cov, allow_singular)
    out = np.exp(out)
    if off is not None and np.any(off):
        out = np.where(off, 0.0, out)
    return _squeeze(out)


def _mvn_entropy_method(self: Any, mean: Any = None, cov: Any = 1) -> Any:
    """scipy.stats.multivariate_normal.entropy of Duals and Vars: in cov (the mean does not enter)."""
    mean_v = None if mean is None else np.asarray(plain(_operand(mean)))
    if not _moves(cov):
        dim, _, cov_object = self._process_parameters(mean_v, cov)
        return 0.5 * (cov_object.rank * (_LOG_2PI + 1) + cov_object.log_pdet)
    dim, _, cov_object = self._process_parameters(mean_v, np.asarray(plain(_operand(cov))))
    if cov_object.rank < dim:
        raise np.linalg.LinAlgError(
            "scipy.stats.multivariate_normal.entropy: the covariance moves and is singular; its pseudo-determinant "
            "has no derivative there"
        )
    L = np.linalg.cholesky(_full_cov(cov, dim))
    return 0.5 * (dim * (_LOG_2PI + 1) + 2.0 * np.sum(np.log(np.diagonal(L))))


register_foreign("scipy.stats", "multivariate_normal.__class__.logpdf")(_mvn_logpdf_method)
register_foreign("scipy.stats", "multivariate_normal.__class__.pdf")(_mvn_pdf_method)
register_foreign("scipy.stats", "multivariate_normal.__class__.entropy")(_mvn_entropy_method)


# --- dirichlet ---
def _dirichlet_logpdf(x: Any, alpha: Any) -> Any:
    alpha = _operand(alpha)
    alpha_v = _multivariate._dirichlet_check_parameters(np.asarray(plain(alpha)))  # SciPy's checks and errors
    x = _operand(x)
    xv = np.asarray(plain(x))
    _multivariate._dirichlet_check_input(alpha_v, xv)
    if xv.shape[0] != alpha_v.shape[0]:  # the last component, 1 - sum(x), as SciPy appends it
        x = np.concatenate([x, np.reshape(1 - np.sum(x, 0), (1,) + xv.shape[1:])])
    ln_b = np.sum(S.gammaln(alpha)) - S.gammaln(np.sum(alpha))
    return -ln_b + np.sum(np.transpose(S.xlogy(alpha - 1, np.transpose(x))), 0)


def _dirichlet_logpdf_method(self: Any, x: Any, alpha: Any) -> Any:
    """scipy.stats.dirichlet.logpdf of Duals and Vars, in x and alpha."""
    return _squeeze(_dirichlet_logpdf(x, alpha))


def _dirichlet_pdf_method(self: Any, x: Any, alpha: Any) -> Any:
    """scipy.stats.dirichlet.pdf of Duals and Vars, in x and alpha."""
    return _squeeze(np.exp(_dirichlet_logpdf(x, alpha)))


register_foreign("scipy.stats", "dirichlet.__class__.logpdf")(_dirichlet_logpdf_method)
register_foreign("scipy.stats", "dirichlet.__class__.pdf")(_dirichlet_pdf_method)
