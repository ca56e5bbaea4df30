"""NumPy's non-elementwise functions on the tape, one entry a function: the forward value beside
its transpose, the backward rule. Forward mode's twins are in shapes.py, reductions.py, products.py
and the other modules that arrays.py loads; tests/test_tape.py checks every entry against them,
which keeps both honest.

>>> import numpy as np
>>> from dualdiff import Var
>>> w = Var(np.array([[1.0, 2.0], [3.0, 4.0]]))
>>> y = np.sum(np.transpose(w) @ np.array([1.0, 10.0]))
>>> y.backward()
>>> w.grad
array([[ 1.,  1.],
       [10., 10.]])
"""

from __future__ import annotations

from typing import Any

import numpy as np

from . import composites, rules
from .dual import ARRAY_FUNCTIONS, Dual, ndim, shape
from .tape import TAPE_FUNCTIONS, Var, _node, _shape_of, _split, _tuple, _unary, implements, no_rule


def _back_reshape(g: Any, s: tuple[int, ...]) -> tuple[Any]:
    return (np.reshape(g, s),)


@implements(np.reshape)
def reshape(a: Any, shape: Any = None, order: str = "C", **kw: Any) -> Any:
    s = _tuple(kw.get("newshape", shape))
    if order != "C":
        no_rule(f"numpy.reshape(order={order!r})")
    return _unary(a, "reshape", lambda v: np.reshape(v, s), _back_reshape, _shape_of(a))


@implements(np.ravel)
def ravel(a: Any, order: str = "C") -> Any:
    return reshape(a, -1, order=order)


@implements(np.squeeze)
def squeeze(a: Any, axis: Any = None) -> Any:
    return _unary(a, "squeeze", lambda v: np.squeeze(v, axis), _back_reshape, _shape_of(a))


@implements(np.expand_dims)
def expand_dims(a: Any, axis: Any) -> Any:
    return _unary(a, "expand_dims", lambda v: np.expand_dims(v, axis), _back_reshape, _shape_of(a))


@implements(np.transpose)
def transpose(a: Any, axes: Any = None) -> Any:
    n = ndim(a)
    ax = tuple(range(n))[::-1] if axes is None else tuple(x % n for x in axes)
    back = tuple(int(i) for i in np.argsort(ax))
    return _unary(a, "transpose", lambda v: np.transpose(v, ax), lambda g, b: (np.transpose(g, b),), back)


@implements(np.swapaxes)
def swapaxes(a: Any, axis1: int, axis2: int) -> Any:
    return _unary(a, "swapaxes", lambda v: np.swapaxes(v, axis1, axis2), lambda g, s: (np.swapaxes(g, *s),), (axis1, axis2))


@implements(np.moveaxis)
def moveaxis(a: Any, source: Any, destination: Any) -> Any:
    return _unary(
        a, "moveaxis", lambda v: np.moveaxis(v, source, destination), lambda g, s: (np.moveaxis(g, s[1], s[0]),), (source, destination)
    )


@implements(np.broadcast_to)
def broadcast_to(array: Any, shape: Any, subok: bool = False) -> Any:
    s = _tuple(shape)
    return _unary(array, "broadcast_to", lambda v: np.broadcast_to(v, s), lambda g, _: (g,), None)  # backward sums it back


@implements(np.sum)
def sum(a: Any, axis: Any = None, dtype: Any = None, out: Any = None, keepdims: bool = False, **kw: Any) -> Any:
    _no_out(out, "sum")
    s = _shape_of(a)
    return _unary(a, "sum", lambda v: np.sum(v, axis=axis, keepdims=keepdims), _back_sum, (s, axis, keepdims))


def _back_sum(g: Any, saved: Any) -> tuple[Any]:
    s, axis, keepdims = saved
    if axis is not None and not keepdims:
        n = len(s)
        g = np.expand_dims(g, tuple(sorted(a % n for a in _tuple(axis))))
    return (np.broadcast_to(g, s),)


@implements(np.mean)
def mean(a: Any, axis: Any = None, dtype: Any = None, out: Any = None, keepdims: bool = False, **kw: Any) -> Any:
    _no_out(out, "mean")
    s = _shape_of(a)
    count = int(np.prod(s)) if axis is None else int(np.prod([s[i] for i in _tuple(axis)]))
    return sum(a, axis=axis, keepdims=keepdims) / count


def _no_out(out: Any, name: str) -> None:
    if out is not None:
        raise TypeError(f"numpy.{name}(..., out=...) would write a Var into a plain array; use the returned value")


@implements(np.concatenate)
def concatenate(arrays: Any, axis: Any = 0, **kw: Any) -> Any:
    xs: list[Any] = [np.asarray(a) if isinstance(a, (list, tuple)) else a for a in arrays]
    if axis is None:
        xs, axis = [ravel(x) for x in xs], 0
    t, vals, pos = _split(xs)
    out = np.concatenate(vals, axis)
    ax = axis % ndim(out)
    bounds = np.cumsum([0] + [shape(v)[ax] for v in vals])
    pieces = [(slice(None),) * ax + (slice(int(bounds[i]), int(bounds[i + 1])),) for i in pos]
    return _node(out, t, "concatenate", tuple(xs[i] for i in pos), lambda g, p: [g[i] for i in p], pieces)








@implements(np.where)
def where(condition: Any, x: Any = None, y: Any = None) -> Any:
    cond = np.asarray(_plain(condition))
    if x is None or y is None:
        return np.where(cond)
    t, (a, b), pos = _split([x, y])
    return _node(np.where(cond, a, b), t, "where", tuple((x, y)[i] for i in pos), _back_where, (cond, pos))


def _back_where(g: Any, saved: Any) -> list[Any]:
    cond, pos = saved
    return [np.where(cond, g, 0.0) if i == 0 else np.where(cond, 0.0, g) for i in pos]


def _plain(x: Any) -> Any:
    while isinstance(x, (Var, Dual)):
        x = x.value
    return x


@implements(np.matmul)
def matmul(a: Any, b: Any, **kw: Any) -> Any:
    t, (av, bv), pos = _split([a, b])
    return _node(np.matmul(av, bv), t, "matmul", tuple((a, b)[i] for i in pos), _back_matmul, (av, bv, pos))


def _back_matmul(g: Any, saved: Any) -> list[Any]:
    a, b, pos = saved
    a2 = np.reshape(a, (1,) + shape(a)) if ndim(a) == 1 else a  # a vector is a row ...
    b2 = np.reshape(b, shape(b) + (1,)) if ndim(b) == 1 else b  # ... or a column
    out2 = np.broadcast_shapes(shape(a2)[:-2], shape(b2)[:-2]) + (shape(a2)[-2], shape(b2)[-1])
    g2 = np.reshape(g, out2)
    result = []
    for i in pos:
        if i == 0:
            ga = np.matmul(g2, np.swapaxes(b2, -1, -2))
            result.append(np.reshape(ga, shape(ga)[:-2] + shape(ga)[-1:]) if ndim(a) == 1 else ga)
        else:
            gb = np.matmul(np.swapaxes(a2, -1, -2), g2)
            result.append(np.reshape(gb, shape(gb)[:-1]) if ndim(b) == 1 else gb)
    return result




# questions about shape, and copies of immutable numbers, are the same for Vars as for Duals
for _f in (np.shape, np.ndim, np.size, np.copy):
    TAPE_FUNCTIONS[_f] = ARRAY_FUNCTIONS[_f]


@implements(np.iscomplexobj)
def _iscomplexobj(x: Any) -> bool:
    return bool(np.iscomplexobj(_plain(x)))


@implements(np.isrealobj)
def _isrealobj(x: Any) -> bool:
    return not _iscomplexobj(x)


# --- composites: written with the entries above, so their gradients follow ---
@implements(np.flip)
def flip(m: Any, axis: Any = None) -> Any:
    axes = range(ndim(m)) if axis is None else [a % ndim(m) for a in _tuple(axis)]
    return m[tuple(slice(None, None, -1) if i in axes else slice(None) for i in range(ndim(m)))]


@implements(np.clip)
def clip(a: Any, a_min: Any = None, a_max: Any = None, out: Any = None, **kw: Any) -> Any:
    _no_out(out, "clip")
    lo, hi = kw.get("min", a_min), kw.get("max", a_max)
    r = a if lo is None else np.maximum(a, lo)
    return r if hi is None else np.minimum(r, hi)


@implements(np.take)
def take(a: Any, indices: Any, axis: Any = None, out: Any = None, mode: str = "raise") -> Any:
    _no_out(out, "take")
    if axis is None:
        return ravel(a)[np.asarray(indices)]
    return a[(slice(None),) * (axis % ndim(a)) + (np.asarray(indices),)]


@implements(np.take_along_axis)
def take_along_axis(arr: Any, indices: Any, axis: Any = -1) -> Any:
    if axis is None:
        arr, axis = ravel(arr), 0
    idx = np.asarray(indices)
    full: list[Any] = list(np.indices(idx.shape, sparse=True))  # every other axis indexes itself
    full[axis % ndim(arr)] = idx
    return arr[tuple(full)]


def _pick(arg: Any, a: Any, axis: Any, keepdims: bool, name: str) -> Any:
    """max/min: the entry that argmax/argmin picks (the first at a tie, as forward mode does)."""
    if axis is None:
        r = ravel(a)[int(arg(_plain(a)))]
        return reshape(r, (1,) * ndim(a)) if keepdims else r
    if not isinstance(axis, int):
        no_rule(f"numpy.{name} over several axes")
    r = take_along_axis(a, np.expand_dims(arg(_plain(a), axis=axis), axis), axis)
    return r if keepdims else squeeze(r, axis)


@implements(np.max, np.amax)
def max_(a: Any, axis: Any = None, out: Any = None, keepdims: bool = False, **kw: Any) -> Any:
    _no_out(out, "max")
    return _pick(np.argmax, a, axis, keepdims, "max")


@implements(np.min, np.amin)
def min_(a: Any, axis: Any = None, out: Any = None, keepdims: bool = False, **kw: Any) -> Any:
    _no_out(out, "min")
    return _pick(np.argmin, a, axis, keepdims, "min")


@implements(np.sort)
def sort(a: Any, axis: Any = -1, kind: Any = None, order: Any = None) -> Any:
    if axis is None:
        a, axis = ravel(a), -1
    return take_along_axis(a, np.argsort(_plain(a), axis=axis, kind=kind), axis)


@implements(np.prod)
def prod(a: Any, axis: Any = None, dtype: Any = None, out: Any = None, keepdims: bool = False, **kw: Any) -> Any:
    """Pairwise products in log2(n) vectorized steps: exact where entries are 0 (no division)."""
    _no_out(out, "prod")
    if axis is None:
        b = ravel(a)
    elif isinstance(axis, int):
        b = moveaxis(a, axis, -1)
    else:
        no_rule("numpy.prod over several axes")
    b = composites.pairwise_product(b)
    r = squeeze(b, -1)
    if keepdims:
        r = reshape(r, (1,) * ndim(a)) if axis is None else expand_dims(r, axis)
    return r


@implements(np.cumsum)
def cumsum(a: Any, axis: Any = None, dtype: Any = None, out: Any = None) -> Any:
    _no_out(out, "cumsum")
    if axis is None:
        a, axis = ravel(a), 0
    ax = axis % ndim(a)
    # the transpose of a running sum is a running sum from the other end
    back = lambda g, _: (np.flip(np.cumsum(np.flip(g, ax), axis=ax), ax),)
    return _unary(a, "cumsum", lambda v: np.cumsum(v, axis=ax), back, None)


@implements(np.diagonal)
def diagonal(a: Any, offset: int = 0, axis1: int = 0, axis2: int = 1) -> Any:
    b = moveaxis(a, (axis1, axis2), (-2, -1))
    rows, cols = shape(b)[-2:]
    i = np.arange(max(0, min(rows + min(offset, 0), cols - max(offset, 0))))
    return b[..., i - min(offset, 0), i + max(offset, 0)]


@implements(np.trace)
def trace(a: Any, offset: int = 0, axis1: int = 0, axis2: int = 1, dtype: Any = None, out: Any = None) -> Any:
    _no_out(out, "trace")
    return sum(diagonal(a, offset, axis1, axis2), axis=-1)


@implements(np.var)
def var(a: Any, axis: Any = None, dtype: Any = None, out: Any = None, ddof: float = 0, keepdims: bool = False, **kw: Any) -> Any:
    _no_out(out, "var")
    dev = a - mean(a, axis=axis, keepdims=True)
    n = int(np.prod(shape(a))) // int(np.prod(shape(mean(_plain(a), axis=axis, keepdims=True))))
    return sum(dev * dev, axis=axis, keepdims=keepdims) / (n - ddof)


@implements(np.std)
def std(a: Any, axis: Any = None, dtype: Any = None, out: Any = None, ddof: float = 0, keepdims: bool = False, **kw: Any) -> Any:
    return rules.sqrt(var(a, axis=axis, out=out, ddof=ddof, keepdims=keepdims))


@implements(np.outer)
def outer(a: Any, b: Any, out: Any = None) -> Any:
    _no_out(out, "outer")
    return reshape(ravel(a), (-1, 1)) * reshape(ravel(b), (1, -1))


@implements(np.inner)
def inner(a: Any, b: Any) -> Any:
    if ndim(a) == 0 or ndim(b) == 0:
        return a * b
    return matmul(a, swapaxes(b, -1, -2) if ndim(b) > 1 else b)


@implements(np.real)
def real(val: Any) -> Any:
    return val


# --- numpy.linalg: each the transpose of its forward rule ---
@implements(np.linalg.norm)
def norm(x: Any, ord: Any = None, axis: Any = None, keepdims: bool = False) -> Any:
    if ord not in (None, 2, "fro") or (ord == 2 and (ndim(x) > 1 and axis is None)):
        no_rule(f"numpy.linalg.norm(ord={ord!r})")
    return rules.sqrt(sum(x * x, axis=axis, keepdims=keepdims))


@implements(np.linalg.inv)
def inv(a: Any) -> Any:
    t, (av,), pos = _split([a])
    y = np.linalg.inv(av)
    return _node(y, t, "inv", (a,), _back_inv, y)


def _back_inv(g: Any, y: Any) -> tuple[Any]:  # d(A^-1) = -A^-1 dA A^-1, transposed
    yt = np.swapaxes(y, -1, -2)
    return (-np.matmul(np.matmul(yt, g), yt),)


@implements(np.linalg.solve)
def solve(a: Any, b: Any) -> Any:
    t, (av, bv), pos = _split([a, b])
    x = np.linalg.solve(av, bv)
    return _node(x, t, "solve", tuple((a, b)[i] for i in pos), _back_solve, (av, x, pos))


def _back_solve(g: Any, saved: Any) -> list[Any]:  # x = A^-1 b: gb = A^-T g, gA = -gb x^T
    a, x, pos = saved
    gb = np.linalg.solve(np.swapaxes(a, -1, -2), g)
    if ndim(x) == 1:
        ga = -np.reshape(gb, (-1, 1)) * np.reshape(x, (1, -1))
    else:
        ga = -np.matmul(gb, np.swapaxes(x, -1, -2))
    return [ga if i == 0 else gb for i in pos]


@implements(np.linalg.det)
def det(a: Any) -> Any:
    t, (av,), pos = _split([a])
    d = np.linalg.det(av)
    return _node(d, t, "det", (a,), _back_det, (av, d))


def _back_det(g: Any, saved: Any) -> tuple[Any]:  # d det = det * tr(A^-1 dA)
    a, d = saved
    return (np.swapaxes(np.linalg.inv(a), -1, -2) * np.expand_dims(np.expand_dims(g * d, -1), -1),)
