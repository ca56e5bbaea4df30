"""Selection on Duals (NEP 18): where, clip, sort, round, full_like, ...: the derivative follows the
entries that are picked. Functions that return indices, flags or dtypes (argsort, argmax, nonzero,
isclose, ...) see plain values.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .arrays import _lift, _no_out, _plain_value, batch, implements, promote
from .dual import ARRAY_FUNCTIONS, Dual, _new, ndim, shape
from .shapes import broadcast_to, ravel, take_along_axis


# --- selection: the derivative follows the entries that are picked ---
@implements(np.where)
def where(condition: Any, x: Any = None, y: Any = None) -> Any:
    cond = np.asarray(_plain_value(condition))
    if x is None or y is None:
        return np.where(cond)
    a, b = promote([x, y])
    out = np.where(cond, a._v, b._v)
    k, n = batch(a) or batch(b), ndim(out)
    c = np.reshape(cond, (1,) * (len(k) + n - cond.ndim) + cond.shape)
    d = np.where(c, _lift(a._d, batch(a), n), _lift(b._d, batch(b), n))
    return _new(out, d if shape(d) == k + shape(out) else np.broadcast_to(d, k + shape(out)), a._t)


@implements(np.clip)
def clip(a: Any, a_min: Any = None, a_max: Any = None, out: Any = None, *, min: Any = None, max: Any = None, **kw: Any) -> Any:
    _no_out(out, "clip")
    lo = a_min if a_min is not None else min
    hi = a_max if a_max is not None else max
    r = a if lo is None else np.maximum(a, lo)
    return r if hi is None else np.minimum(r, hi)


@implements(np.sort)
def sort(a: Any, axis: Any = -1, kind: Any = None, order: Any = None, **kw: Any) -> Any:
    if axis is None:
        a, axis = ravel(a), -1
    return take_along_axis(a, np.argsort(_plain_value(a), axis=axis, kind=kind, **kw), axis)


@implements(np.round, np.around)
def round_(a: Any, decimals: int = 0, out: Any = None) -> Any:
    _no_out(out, "round")
    return _new(np.round(a._v, decimals), 0.0 * a._d, a._t)  # piecewise constant


@implements(np.real)
def real(val: Any) -> Any:
    return val


@implements(np.full_like)
def full_like(a: Any, fill_value: Any, dtype: Any = None, **kw: Any) -> Any:
    if isinstance(fill_value, Dual):
        return broadcast_to(fill_value, shape(a))
    return np.full_like(_plain_value(a), _plain_value(fill_value), dtype=dtype, **kw)


@implements(np.asarray_chkfinite)
def asarray_chkfinite(a: Any, dtype: Any = None, order: Any = None) -> Any:
    if not np.isfinite(_plain_value(a)).all():
        raise ValueError("array must not contain infs or NaNs")
    return a


def _on_values(f: Any) -> Any:
    """Functions whose result does not depend smoothly on values (indices, flags, dtypes) see plain values."""

    def plain(*args: Any, **kwargs: Any) -> Any:
        return f(*[_plain_value(a) for a in args], **{k: _plain_value(v) for k, v in kwargs.items()})

    return plain


for _f in (
    np.argsort, np.argmax, np.argmin, np.nonzero, np.argwhere, np.flatnonzero, np.count_nonzero, np.searchsorted,
    np.isclose, np.allclose, np.array_equal, np.array_equiv, np.result_type, np.iscomplexobj, np.isrealobj,
    np.iscomplex, np.isreal, np.zeros_like, np.ones_like, np.empty_like, np.may_share_memory, np.shares_memory,
    np.imag, np.any, np.all, np.digitize, np.can_cast,
):
    ARRAY_FUNCTIONS[_f] = _on_values(_f)
