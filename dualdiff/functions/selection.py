"""Selection: ``where`` is the primitive (linear in its two branches, the condition a constant);
clip, sort, partition, select, piecewise, nan_to_num, round and the like are composites, so the
derivative follows the entries that are picked. Functions that return indices, flags or dtypes
(argsort, argmax, nonzero, isclose, ...) see plain values.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..core.dual import lift_batched, shape, unbroadcast
from ..core.functions import FUNCTIONS, Primitive, refuse, register
from ..core.number import Number, plain
from .shapes import _as_operand, broadcast_to, ravel, take_along_axis


def _where_jvp(ds: list[Any], xs: tuple[Any, ...], y: Any, k: tuple[int, ...], cond: Any) -> Any:
    n = np.ndim(y)
    a, b = (0.0 if d is None else lift_batched(d, k, n) for d in ds)
    c = np.reshape(cond, (1,) * (len(k) + n - cond.ndim) + cond.shape)
    return np.where(c, a, b)


def _where_vjp(i: int, g: Any, xs: tuple[Any, ...], y: Any, cond: Any) -> Any:
    picked = np.where(cond, g, 0.0) if i == 0 else np.where(cond, 0.0, g)
    return unbroadcast(picked, np.shape(xs[i]))


_where = Primitive("where", lambda x, y, cond: np.where(cond, x, y), _where_jvp, _where_vjp)
_where.linear = True


@register(np.where)
def where(condition: Any, x: Any = None, y: Any = None) -> Any:
    cond = np.asarray(plain(condition))
    if x is None and y is None:
        return np.nonzero(cond)
    return _where(_as_operand(x), _as_operand(y), cond=cond.astype(bool))


@register(np.clip)
def clip(a: Any, a_min: Any = None, a_max: Any = None, out: Any = None, *, min: Any = None, max: Any = None, **kw: Any) -> Any:
    refuse("clip", out=out)
    lo = a_min if a_min is not None else min
    hi = a_max if a_max is not None else max
    r = _as_operand(a) if lo is None else np.maximum(a, lo)
    return r if hi is None else np.minimum(r, hi)


@register(np.sort)
def sort(a: Any, axis: Any = -1, kind: Any = None, order: Any = None, *, stable: Any = None) -> Any:
    a = _as_operand(a)
    if axis is None:
        a, axis = ravel(a), -1
    return take_along_axis(a, np.argsort(plain(a), axis=axis, kind=kind or ("stable" if stable else None)), axis)


@register(np.partition)
def partition(a: Any, kth: Any, axis: Any = -1, kind: str = "introselect", order: Any = None) -> Any:
    a = _as_operand(a)
    if axis is None:
        a, axis = ravel(a), -1
    return take_along_axis(a, np.argpartition(plain(a), kth, axis=axis), axis)


@register(np.round, np.around)
def round_(a: Any, decimals: int = 0, out: Any = None) -> Any:
    """Piecewise constant: the derivative is 0 (a - a keeps the derivative's shape and type)."""
    refuse("round", out=out)
    a = _as_operand(a)
    return (a - a) + np.round(plain(a), decimals)


@register(np.fix)
def fix(x: Any, out: Any = None) -> Any:
    refuse("fix", out=out)
    return np.trunc(x)


@register(np.select)
def select(condlist: Any, choicelist: Any, default: Any = 0) -> Any:
    r = _as_operand(default)
    for cond, choice in zip(reversed(list(condlist)), reversed(list(choicelist)), strict=True):
        r = where(cond, choice, r)
    s = np.broadcast_shapes(*(np.shape(plain(c)) for c in list(condlist) + list(choicelist)), np.shape(plain(default)))
    return broadcast_to(r, s) if shape(r) != s else r


@register(np.piecewise)
def piecewise(x: Any, condlist: Any, funclist: Any, *args: Any, **kw: Any) -> Any:
    xv = np.asarray(plain(x))
    conds = [np.asarray(plain(c), dtype=bool) for c in (condlist if isinstance(condlist, list) else [condlist])]
    if len(funclist) == len(conds) + 1:  # the last function is for where no condition holds
        conds.append(~np.any(conds, axis=0))
    r: Any = np.zeros(xv.shape)
    for cond, f in zip(conds, funclist, strict=False):
        piece = f(x, *args, **kw) if callable(f) else f
        r = where(np.broadcast_to(cond, xv.shape), piece, r)
    return r


@register(np.nan_to_num)
def nan_to_num(x: Any, copy: bool = True, nan: float = 0.0, posinf: Any = None, neginf: Any = None) -> Any:
    v = np.asarray(plain(x))
    big = np.finfo(float).max
    r = where(np.isnan(v), nan, x)
    r = where(np.isposinf(v), big if posinf is None else posinf, r)
    return where(np.isneginf(v), -big if neginf is None else neginf, r)


@register(np.full_like)
def full_like(a: Any, fill_value: Any, dtype: Any = None, **kw: Any) -> Any:
    if isinstance(fill_value, Number):
        return broadcast_to(fill_value, shape(a))
    return np.full_like(plain(a), plain(fill_value), dtype=dtype, **kw)


@register(np.asarray_chkfinite)
def asarray_chkfinite(a: Any, dtype: Any = None, order: Any = None) -> Any:
    if not np.isfinite(plain(a)).all():
        raise ValueError("array must not contain infs or NaNs")
    return a


@register(np.unique)
def unique(ar: Any, return_index: bool = False, return_inverse: bool = False, return_counts: bool = False, axis: Any = None,
           **kw: Any) -> Any:
    """The unique values are entries of ar: each carries the derivative of its first occurrence."""
    if axis is not None:
        raise TypeError("numpy.unique(..., axis=...) is not supported on Duals and Vars; leave axis= out")
    flat = ravel(_as_operand(ar))
    values, index, inverse, counts = np.unique(plain(flat), return_index=True, return_inverse=True, return_counts=True, **kw)
    inverse = inverse.reshape(np.shape(plain(ar)))
    extra = [r for r, want in ((index, return_index), (inverse, return_inverse), (counts, return_counts)) if want]
    return (flat[index], *extra) if extra else flat[index]


@register(np.bincount)
def bincount(x: Any, weights: Any = None, minlength: int = 0) -> Any:
    """Counts are integers; with weights, the sums are linear in them: a 0/1 matrix times the weights."""
    bins = np.asarray(plain(x))
    if weights is None:
        return np.bincount(bins, minlength=minlength)
    n = max(minlength, int(bins.max()) + 1 if bins.size else 0)
    onehot = (np.arange(n)[:, None] == bins[None, :]).astype(float)
    return onehot @ _as_operand(weights)


@register(np.histogram_bin_edges)
def histogram_bin_edges(a: Any, bins: Any = 10, range: Any = None, weights: Any = None) -> Any:
    """Equal-width edges from the data's min to max move with them; given edges are constants."""
    if not isinstance(bins, (int, np.integer)) or range is not None:
        return np.histogram_bin_edges(plain(a), bins, range, plain(weights))
    a = ravel(_as_operand(a))
    lo, hi = np.min(a), np.max(a)
    if np.asarray(plain(lo)) == np.asarray(plain(hi)):  # NumPy widens an empty range by 0.5 each way
        lo, hi = lo - 0.5, hi + 0.5
    return lo + (hi - lo) * np.linspace(0.0, 1.0, int(bins) + 1)


@register(np.histogram)
def histogram(a: Any, bins: Any = 10, range: Any = None, density: Any = None, weights: Any = None) -> Any:
    """The counts see values (they are piecewise constant); weighted counts and the edges carry derivatives."""
    counts, edges = np.histogram(plain(a), bins, range, density=None, weights=None)
    if isinstance(bins, (int, np.integer)) and range is None:
        edges = histogram_bin_edges(a, bins)
    if weights is not None or density:
        which = np.clip(np.searchsorted(np.asarray(plain(edges)), plain(np.ravel(_as_operand(a))), "right") - 1, 0, len(counts) - 1)
        w = np.ones(np.size(plain(a))) if weights is None else ravel(_as_operand(weights))
        counts = bincount(which, w, minlength=len(counts))
        if density:
            counts = counts / np.sum(counts) / np.diff(edges)
    return counts, edges


def _on_values(f: Any) -> Any:
    """Functions whose result does not depend smoothly on values (indices, flags, dtypes) see plain values."""

    def on_values(*args: Any, **kwargs: Any) -> Any:
        return f(*[_deep_plain(a) for a in args], **{k: _deep_plain(v) for k, v in kwargs.items()})

    return on_values


def _deep_plain(a: Any) -> Any:
    if isinstance(a, (list, tuple)):
        return type(a)(_deep_plain(x) for x in a)
    return plain(a)


for _f in (
    np.argsort, np.argmax, np.argmin, np.nonzero, np.argwhere, np.flatnonzero, np.count_nonzero, np.searchsorted,
    np.isclose, np.allclose, np.array_equal, np.array_equiv, np.result_type, np.iscomplexobj, np.isrealobj,
    np.iscomplex, np.isreal, np.zeros_like, np.ones_like, np.empty_like, np.may_share_memory, np.shares_memory,
    np.any, np.all, np.digitize, np.can_cast, np.argpartition, np.nanargmax, np.nanargmin,
    np.isin, np.lexsort, np.array2string,
    np.array_repr, np.array_str, np.tril_indices_from, np.triu_indices_from, np.diag_indices_from,
):
    FUNCTIONS[_f] = _on_values(_f)
