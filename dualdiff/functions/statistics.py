"""Statistics and sampling on Duals (NEP 18): ptp, nansum, nanmean, nanmax, nanmin, quantile, percentile,
median, cov, trapezoid, linspace, interp. All are composites of the entries in the other modules.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..core.dual import ndim, shape
from ..core.functions import no_rule, refuse, register
from ..core.number import Number
from ..core.number import plain as _plain_value
from .reductions import _gather, pick
from .selection import sort
from .shapes import _as_operand, atleast_2d, concatenate, moveaxis, reshape, squeeze, transpose


# --- statistics and sampling: composites of the entries in shapes, reductions and selection ---
def _nan_as(a: Any, identity: float) -> Any:
    """a with its nan entries replaced by a reduction's identity: the nan-reductions are the reductions of it."""
    a = _as_operand(a)
    return np.where(np.isnan(_plain_value(a)), identity, a)


@register(np.nansum)
def nansum(a: Any, axis: Any = None, dtype: Any = None, out: Any = None, keepdims: bool = False, **kw: Any) -> Any:
    refuse("nansum", out=out)
    return np.sum(_nan_as(a, 0.0), axis=axis, keepdims=keepdims, **kw)


@register(np.nanmean)
def nanmean(a: Any, axis: Any = None, dtype: Any = None, out: Any = None, keepdims: bool = False, **kw: Any) -> Any:
    count = np.sum(~np.isnan(_plain_value(a)), axis=axis, keepdims=keepdims)
    return nansum(a, axis, out=out, keepdims=keepdims) / count


@register(np.nanmax)
def nanmax(a: Any, axis: Any = None, out: Any = None, keepdims: bool = False, **kw: Any) -> Any:
    return pick(np.nanargmax, "nanmax", a, axis, out, keepdims, kw.get("initial"), kw.get("where", True), -np.inf)


@register(np.nanmin)
def nanmin(a: Any, axis: Any = None, out: Any = None, keepdims: bool = False, **kw: Any) -> Any:
    return pick(np.nanargmin, "nanmin", a, axis, out, keepdims, kw.get("initial"), kw.get("where", True), np.inf)


@register(np.quantile)
def quantile(
    a: Any, q: Any, axis: Any = None, out: Any = None, overwrite_input: bool = False, method: str = "linear",
    keepdims: bool = False, **kw: Any,
) -> Any:
    """Linear interpolation between the sorted entries around q (n - 1): the derivative follows them."""
    refuse("quantile", out=out)
    if method != "linear" or kw.get("weights") is not None:
        no_rule(f"numpy.quantile with method={method!r} or weights")
    b, rest, keep = _gather(_as_operand(a), axis)  # the reduced axes merged into the last one
    s = sort(b, -1)
    n = shape(s)[-1]
    q = q if isinstance(q, Number) else np.asarray(q, dtype=float)
    pos = q * (n - 1)
    lo = np.floor(_plain_value(pos)).astype(int)
    hi = np.minimum(lo + 1, n - 1)
    w = pos - lo
    r = s[..., lo] * (1 - w) + s[..., hi] * w  # rest + q.shape
    nq = ndim(q)
    r = moveaxis(r, tuple(range(-nq, 0)), tuple(range(nq))) if nq else r
    return reshape(r, shape(q) + (keep if keepdims else rest))


@register(np.percentile)
def percentile(a: Any, q: Any, axis: Any = None, out: Any = None, overwrite_input: bool = False, method: str = "linear",
               keepdims: bool = False, **kw: Any) -> Any:
    q = q / 100 if isinstance(q, Number) else np.asarray(q, dtype=float) / 100
    return quantile(a, q, axis, out, overwrite_input, method, keepdims, **kw)


@register(np.median)
def median(a: Any, axis: Any = None, out: Any = None, overwrite_input: bool = False, keepdims: bool = False) -> Any:
    return quantile(a, 0.5, axis, out, keepdims=keepdims)


@register(np.cov)
def cov(m: Any, y: Any = None, rowvar: bool = True, bias: bool = False, ddof: Any = None, fweights: Any = None, aweights: Any = None,
        **kw: Any) -> Any:
    if fweights is not None or aweights is not None:
        no_rule("numpy.cov with fweights or aweights")
    X = atleast_2d(m)
    if not rowvar and shape(X)[0] != 1:
        X = transpose(X)
    if y is not None:
        Y = atleast_2d(y)
        X = concatenate([X, Y if rowvar or shape(Y)[0] == 1 else transpose(Y)], 0)
    ddof = (0 if bias else 1) if ddof is None else ddof
    Xc = X - np.mean(X, axis=1, keepdims=True)
    return squeeze(Xc @ transpose(Xc) / (shape(X)[1] - ddof))


@register(np.trapezoid)
def trapezoid(y: Any, x: Any = None, dx: float = 1.0, axis: int = -1) -> Any:
    y, x = _as_operand(y), _as_operand(x)
    n = ndim(y)
    axis = axis % n
    if x is None:
        d: Any = dx
    else:
        d = np.diff(x, axis=-1 if ndim(x) == 1 else axis)
        if ndim(x) == 1:
            d = reshape(d, tuple(-1 if i == axis else 1 for i in range(n)))
    before = (slice(None),) * axis
    return np.sum(d * (y[before + (slice(1, None),)] + y[before + (slice(None, -1),)]) / 2.0, axis=axis)


@register(np.linspace)
def linspace(start: Any, stop: Any, num: int = 50, endpoint: bool = True, retstep: bool = False, dtype: Any = None,
             axis: int = 0, **kw: Any) -> Any:
    if axis != 0:
        no_rule("numpy.linspace with axis")
    div = (num - 1) if endpoint else num
    t = np.arange(num, dtype=float) / max(div, 1)
    nd = max(ndim(start), ndim(stop))
    r = start + (stop - start) * np.reshape(t, (-1,) + (1,) * nd)
    if endpoint and num > 1:  # as NumPy: the last sample is exactly stop
        r = concatenate([r[:-1], np.broadcast_to(stop, (1,) + shape(r)[1:])], 0) if shape(stop) == shape(r)[1:] else r
    return (r, (stop - start) / max(div, 1)) if retstep else r


@register(np.interp)
def interp(x: Any, xp: Any, fp: Any, left: Any = None, right: Any = None, period: Any = None) -> Any:
    """Piecewise linear: the slope of the piece x falls in (the right one at a knot); 0 outside xp."""
    if isinstance(xp, Number) or period is not None:
        no_rule("numpy.interp with a Dual xp or a period")
    xp = np.asarray(xp, dtype=float)
    fp = fp if isinstance(fp, Number) else np.asarray(fp, dtype=float)
    xv = _plain_value(x)
    i = np.clip(np.searchsorted(xp, xv, "right") - 1, 0, len(xp) - 2)
    w = (x - xp[i]) / (xp[i + 1] - xp[i])
    y = fp[i] * (1 - w) + fp[i + 1] * w
    y = np.where(xv < xp[0], fp[0] if left is None else left, y)
    return np.where(xv > xp[-1], fp[-1] if right is None else right, y)


@register(np.nanprod)
def nanprod(a: Any, axis: Any = None, dtype: Any = None, out: Any = None, keepdims: bool = False, **kw: Any) -> Any:
    refuse("nanprod", out=out)
    return np.prod(_nan_as(a, 1.0), axis=axis, keepdims=keepdims, **kw)


@register(np.nancumsum)
def nancumsum(a: Any, axis: Any = None, dtype: Any = None, out: Any = None) -> Any:
    return np.cumsum(_nan_as(a, 0.0), axis=axis, out=out)


@register(np.nancumprod)
def nancumprod(a: Any, axis: Any = None, dtype: Any = None, out: Any = None) -> Any:
    return np.cumprod(_nan_as(a, 1.0), axis=axis, out=out)


@register(np.nanvar)
def nanvar(a: Any, axis: Any = None, dtype: Any = None, out: Any = None, ddof: float = 0, keepdims: bool = False, **kw: Any) -> Any:
    a = _as_operand(a)
    return np.var(a, axis=axis, out=out, ddof=ddof, keepdims=keepdims, where=~np.isnan(_plain_value(a)))


@register(np.nanstd)
def nanstd(a: Any, axis: Any = None, dtype: Any = None, out: Any = None, ddof: float = 0, keepdims: bool = False, **kw: Any) -> Any:
    return np.sqrt(nanvar(a, axis, dtype, out, ddof, keepdims))


@register(np.nanmedian)
def nanmedian(a: Any, axis: Any = None, out: Any = None, overwrite_input: bool = False, keepdims: bool = False) -> Any:
    return nanquantile(a, 0.5, axis, out, keepdims=keepdims)


@register(np.nanquantile)
def nanquantile(a: Any, q: Any, axis: Any = None, out: Any = None, overwrite_input: bool = False, method: str = "linear",
                keepdims: bool = False, **kw: Any) -> Any:
    if np.isnan(_plain_value(a)).any():
        no_rule("numpy.nanquantile of an array that holds nan")
    return quantile(a, q, axis, out, keepdims=keepdims, method=method)


@register(np.nanpercentile)
def nanpercentile(a: Any, q: Any, axis: Any = None, out: Any = None, overwrite_input: bool = False, method: str = "linear",
                  keepdims: bool = False, **kw: Any) -> Any:
    return nanquantile(a, np.asarray(q) / 100, axis, out, keepdims=keepdims, method=method)


@register(np.corrcoef)
def corrcoef(x: Any, y: Any = None, rowvar: bool = True, **kw: Any) -> Any:
    c = cov(x, y, rowvar)
    if ndim(c) == 0:
        return c / c
    d = np.sqrt(np.diagonal(c))
    return c / np.reshape(d, (-1, 1)) / np.reshape(d, (1, -1))


@register(np.gradient)
def gradient(f: Any, *varargs: Any, axis: Any = None, edge_order: int = 1) -> Any:
    """NumPy's finite differences are linear in f: along each axis, a constant matrix (NumPy's own
    stencil applied to the identity) times f, so both modes and every order follow."""
    f = _as_operand(f)
    n = ndim(f)
    axes = list(range(n)) if axis is None else [a % n for a in (axis if isinstance(axis, (tuple, list)) else (axis,))]
    spacing = list(varargs) if len(varargs) != 1 else list(varargs) * len(axes)
    if any(isinstance(h, Number) for h in spacing):
        no_rule("numpy.gradient with differentiated spacings")
    out = []
    for i, ax in enumerate(axes):
        m = shape(f)[ax]
        M = np.gradient(np.eye(m), *([spacing[i]] if spacing else []), axis=0, edge_order=edge_order)
        out.append(moveaxis(np.tensordot(M, moveaxis(f, ax, 0), axes=([1], [0])), 0, ax))
    return out[0] if len(out) == 1 else tuple(out)


@register(np.sinc)
def sinc(x: Any) -> Any:
    """sin(pi x) / (pi x); near 0 (|pi x| < 0.1) its Taylor polynomial, where the quotient's derivatives
    would cancel: there the series is exact to rounding for the value and its first six derivatives."""
    x = _as_operand(x)
    u = np.pi * x
    near = np.abs(np.asarray(_plain_value(u))) < 0.1
    u2 = u * u
    series = 1 - u2 / 6 * (1 - u2 / 20 * (1 - u2 / 42 * (1 - u2 / 72 * (1 - u2 / 110 * (1 - u2 / 156)))))
    return np.where(near, series, np.sin(u) / np.where(near, 1.0, u))
