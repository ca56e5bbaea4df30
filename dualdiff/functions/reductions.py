"""Reductions on Duals (NEP 18): sum, mean, prod, cumsum, cumprod, max, min, var, std, average.

sum, mean and cumsum are linear; the others are composites of entries already written, so their
derivatives (and derivatives of derivatives) follow.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from . import composites
from .arrays import _no_out, _plain_value, _shift, implements, linear, no_rule, shift
from .dual import Dual, ndim, shape
from .shapes import _axes, concatenate, moveaxis, ravel, reshape, take_along_axis, transpose


# --- reductions ---
@implements(np.sum)
def sum(a: Any, axis: Any = None, dtype: Any = None, out: Any = None, keepdims: bool = False, **kw: Any) -> Any:
    _no_out(out, "sum")
    n = ndim(a)
    return linear(a, lambda v: np.sum(v, axis=axis, keepdims=keepdims), lambda d, k: np.sum(d, axis=shift(axis, k, n), keepdims=keepdims))


@implements(np.mean)
def mean(a: Any, axis: Any = None, dtype: Any = None, out: Any = None, keepdims: bool = False, **kw: Any) -> Any:
    _no_out(out, "mean")
    n = ndim(a)
    return linear(
        a, lambda v: np.mean(v, axis=axis, keepdims=keepdims), lambda d, k: np.mean(d, axis=shift(axis, k, n), keepdims=keepdims)
    )


def _gather(a: Any, axis: Any) -> tuple[Any, tuple[int, ...], tuple[int, ...]]:
    """``a`` with the reduced axes moved last and merged into one, the result's shape, and its keepdims shape."""
    n, s = ndim(a), shape(a)
    ax = _axes(axis, n)
    rest = tuple(i for i in range(n) if i not in ax)
    b = transpose(a, rest + ax) if n else a
    size = int(np.prod([s[i] for i in ax], dtype=int))
    out = tuple(s[i] for i in rest)
    return reshape(b, out + (size,)), out, tuple(1 if i in ax else s[i] for i in range(n))


def _ungather(r: Any, out: tuple[int, ...], keep: tuple[int, ...], keepdims: bool) -> Any:
    return reshape(r, keep if keepdims else out)


# --- more reductions: composites, so derivatives (and derivatives of derivatives) follow ---
@implements(np.cumsum)
def cumsum(a: Any, axis: Any = None, dtype: Any = None, out: Any = None) -> Any:
    _no_out(out, "cumsum")
    if axis is None:
        a, axis = ravel(a), 0
    n = ndim(a)
    return linear(a, lambda v: np.cumsum(v, axis), lambda d, k: np.cumsum(d, _shift(axis % n, k, n)))


@implements(np.prod)
def prod(
    a: Any, axis: Any = None, dtype: Any = None, out: Any = None, keepdims: bool = False, initial: Any = None, where: Any = None
) -> Any:
    """Pairwise products, log2(n) vectorized steps; exact where entries are 0 (no division)."""
    _no_out(out, "prod")
    _no_where(where, "prod")
    b, rest, keep = _gather(a, axis)
    b = composites.pairwise_product(b)
    r = _ungather(b, rest, keep, keepdims)
    return r if initial is None else r * initial


@implements(np.cumprod)
def cumprod(a: Any, axis: Any = None, dtype: Any = None, out: Any = None) -> Any:
    _no_out(out, "cumprod")
    return _scan(np.multiply, a, axis)


def _scan(op: Any, a: Any, axis: Any) -> Any:
    """Running ``op`` by doubling (Hillis-Steele): log2(n) vectorized steps of an elementwise rule, no division."""
    if axis is None:
        a, axis = ravel(a), 0
    y = moveaxis(a, axis, -1)
    n, s = shape(y)[-1], 1
    while s < n:
        y = concatenate([y[..., :s], op(y[..., s:], y[..., :-s])], -1)
        s *= 2
    return moveaxis(y, -1, axis)


def _pick(arg: Any, name: str, a: Any, axis: Any, out: Any, keepdims: bool, where: Any) -> Any:
    """max and min take one entry: its derivative goes with it (the first one at a tie)."""
    _no_out(out, name)
    _no_where(where, name)
    b, rest, keep = _gather(a, axis)
    idx = arg(_plain_value(b), axis=-1, keepdims=True)
    return _ungather(take_along_axis(b, idx, -1), rest, keep, keepdims)


@implements(np.max, np.amax)
def max_(a: Any, axis: Any = None, out: Any = None, keepdims: bool = False, initial: Any = None, where: Any = None) -> Any:
    r = _pick(np.argmax, "max", a, axis, out, keepdims, where)
    return r if initial is None else np.maximum(r, initial)


@implements(np.min, np.amin)
def min_(a: Any, axis: Any = None, out: Any = None, keepdims: bool = False, initial: Any = None, where: Any = None) -> Any:
    r = _pick(np.argmin, "min", a, axis, out, keepdims, where)
    return r if initial is None else np.minimum(r, initial)


@implements(np.var)
def var(
    a: Any, axis: Any = None, dtype: Any = None, out: Any = None, ddof: float = 0, keepdims: bool = False, *,
    where: Any = None, mean: Any = None, correction: Any = None,
) -> Any:
    _no_out(out, "var")
    _no_where(where, "var")
    ddof = ddof if correction is None else correction
    m = np.mean(a, axis=axis, keepdims=True) if mean is None else mean
    dev = a - m
    count = int(np.prod(shape(a), dtype=int)) // max(1, int(np.prod(shape(m), dtype=int)))
    return np.sum(dev * dev, axis=axis, keepdims=keepdims) / (count - ddof)


@implements(np.std)
def std(a: Any, *args: Any, **kwargs: Any) -> Any:
    return np.sqrt(var(a, *args, **kwargs))


@implements(np.average)
def average(a: Any, axis: Any = None, weights: Any = None, returned: bool = False, *, keepdims: bool = False) -> Any:
    if weights is None:
        r = np.mean(a, axis=axis, keepdims=keepdims)
        wsum: Any = np.full(shape(r), float(np.prod(shape(a), dtype=int) / max(1, np.prod(shape(r), dtype=int))))
    else:
        w = weights if isinstance(weights, Dual) else np.asarray(weights)
        if ndim(w) != ndim(a):
            if axis is None or ndim(w) != 1:
                raise TypeError("numpy.average: 1-D weights need an axis; otherwise weights must have the shape of a")
            w = reshape(w, tuple(-1 if i == axis % ndim(a) else 1 for i in range(ndim(a))))
        wsum = np.sum(np.broadcast_to(w, np.broadcast_shapes(shape(a), shape(w))), axis=axis, keepdims=keepdims)
        r = np.sum(a * w, axis=axis, keepdims=keepdims) / wsum
    return (r, np.broadcast_to(wsum, shape(r))) if returned else r


def _no_where(where: Any, name: str) -> None:
    if where is not None and where is not True:
        no_rule(f"numpy.{name} with where=")
