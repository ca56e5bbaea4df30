"""Shape functions on Duals (NEP 18): reshape, transpose, concatenate, stack, split, flip, roll, tile,
take, diff, ... All are linear: the derivative is reshaped (or indexed) the same way as the value.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .arrays import _lift, _no_out, _shift, _tuple, batch, implements, linear, promote, shift
from .dual import _new, ndim, shape


# --- shape functions: linear, the derivative is reshaped the same way ---
@implements(np.reshape)
def reshape(a: Any, shape: Any = None, order: str = "C", **kw: Any) -> Any:
    s = _tuple(kw.get("newshape", shape))
    return linear(a, lambda v: np.reshape(v, s, order=order), lambda d, k: np.reshape(d, k + s, order=order))


@implements(np.ravel)
def ravel(a: Any, order: str = "C") -> Any:
    return reshape(a, -1, order=order)


@implements(np.transpose)
def transpose(a: Any, axes: Any = None) -> Any:
    n = ndim(a)
    ax = tuple(range(n))[::-1] if axes is None else tuple(x % n for x in axes)
    return linear(a, lambda v: np.transpose(v, ax), lambda d, k: np.transpose(d, (0,) * len(k) + tuple(x + len(k) for x in ax)))


@implements(np.swapaxes)
def swapaxes(a: Any, axis1: int, axis2: int) -> Any:
    n = ndim(a)
    return linear(a, lambda v: np.swapaxes(v, axis1, axis2), lambda d, k: np.swapaxes(d, axis1 % n + len(k), axis2 % n + len(k)))


@implements(np.moveaxis)
def moveaxis(a: Any, source: Any, destination: Any) -> Any:
    n = ndim(a)
    src = tuple(s % n for s in _tuple(source))
    dst = tuple(s % n for s in _tuple(destination))
    return linear(
        a,
        lambda v: np.moveaxis(v, src, dst),
        lambda d, k: np.moveaxis(d, tuple(s + len(k) for s in src), tuple(s + len(k) for s in dst)),
    )


@implements(np.squeeze)
def squeeze(a: Any, axis: Any = None) -> Any:
    ax = tuple(i for i, s in enumerate(shape(a)) if s == 1) if axis is None else _tuple(axis)
    ax = tuple(x % ndim(a) for x in ax)
    return linear(a, lambda v: np.squeeze(v, ax), lambda d, k: np.squeeze(d, shift(ax, k, ndim(a))))


@implements(np.expand_dims)
def expand_dims(a: Any, axis: Any) -> Any:
    n = ndim(a) + len(_tuple(axis))
    ax = tuple(x % n for x in _tuple(axis))
    return linear(a, lambda v: np.expand_dims(v, ax), lambda d, k: np.expand_dims(d, shift(ax, k, n)))


@implements(np.broadcast_to)
def broadcast_to(array: Any, shape: Any, subok: bool = False) -> Any:
    s = _tuple(shape)
    n = len(s)
    return linear(array, lambda v: np.broadcast_to(v, s), lambda d, k: np.broadcast_to(_lift(d, k, n), k + s))


@implements(np.concatenate)
def concatenate(arrays: Any, axis: Any = 0, **kw: Any) -> Any:
    xs = promote(arrays)
    if axis is None:
        xs, axis = [ravel(x) for x in xs], 0
    k = batch(xs[0])
    n = ndim(xs[0])
    return _new(np.concatenate([x._v for x in xs], axis), np.concatenate([x._d for x in xs], shift(axis % n, k, n)), xs[0]._t)








@implements(np.atleast_1d)
def atleast_1d(*arys: Any) -> Any:
    out = [a if ndim(a) >= 1 else reshape(a, (1,)) for a in arys]
    return out[0] if len(out) == 1 else tuple(out)


@implements(np.atleast_2d)
def atleast_2d(*arys: Any) -> Any:
    out = [a if ndim(a) >= 2 else reshape(a, (1, -1)) for a in arys]
    return out[0] if len(out) == 1 else tuple(out)


# --- questions about shape, and copies (a Dual is immutable: its copy is itself) ---
@implements(np.shape)
def _shape(a: Any) -> tuple[int, ...]:
    return shape(a)


@implements(np.ndim)
def _ndim(a: Any) -> int:
    return ndim(a)


@implements(np.size)
def _size(a: Any, axis: Any = None) -> int:
    return int(np.prod(shape(a))) if axis is None else shape(a)[axis]


@implements(np.copy)
def copy(a: Any, order: str = "K", subok: bool = False) -> Any:
    return a


def _axes(axis: Any, n: int) -> tuple[int, ...]:
    return tuple(range(n)) if axis is None else tuple(sorted(x % n for x in _tuple(axis)))


# --- more shape functions: all linear, written with indexing or the entries above ---
@implements(np.split, np.array_split)
def split(ary: Any, indices_or_sections: Any, axis: int = 0) -> list[Any]:
    axis = axis % ndim(ary)
    f = np.array_split if isinstance(indices_or_sections, int) and shape(ary)[axis] % indices_or_sections else np.split
    pieces = f(np.arange(shape(ary)[axis]), indices_or_sections)
    before = (slice(None),) * axis
    return [ary[before + (slice(int(p[0]), int(p[-1]) + 1) if len(p) else slice(0, 0),)] for p in pieces]


@implements(np.hsplit)
def hsplit(ary: Any, indices_or_sections: Any) -> list[Any]:
    return split(ary, indices_or_sections, 1 if ndim(ary) > 1 else 0)


@implements(np.vsplit)
def vsplit(ary: Any, indices_or_sections: Any) -> list[Any]:
    return split(ary, indices_or_sections, 0)


@implements(np.flip)
def flip(m: Any, axis: Any = None) -> Any:
    ax = _axes(axis, ndim(m))
    return m[tuple(slice(None, None, -1) if i in ax else slice(None) for i in range(ndim(m)))]


@implements(np.fliplr)
def fliplr(m: Any) -> Any:
    return flip(m, 1)


@implements(np.flipud)
def flipud(m: Any) -> Any:
    return flip(m, 0)


@implements(np.rot90)
def rot90(m: Any, k: int = 1, axes: Any = (0, 1)) -> Any:
    a0, a1 = axes
    perm = list(range(ndim(m)))
    perm[a0], perm[a1] = perm[a1], perm[a0]
    k %= 4
    if k == 0:
        return m
    if k == 2:
        return flip(flip(m, a0), a1)
    return transpose(flip(m, a1), perm) if k == 1 else flip(transpose(m, perm), a1)


@implements(np.roll)
def roll(a: Any, shift: Any, axis: Any = None) -> Any:
    if axis is None:
        return reshape(roll(ravel(a), shift, 0), shape(a))
    n = ndim(a)
    ax = tuple(x % n for x in axis) if isinstance(axis, (tuple, list)) else axis % n
    return linear(a, lambda v: np.roll(v, shift, ax), lambda d, k: np.roll(d, shift, _shift(ax, k, n)))


@implements(np.tile)
def tile(A: Any, reps: Any) -> Any:
    r = _tuple(reps)
    n = max(ndim(A), len(r))
    r = (1,) * (n - len(r)) + r
    return linear(A, lambda v: np.tile(v, r), lambda d, k: np.tile(_lift(d, k, n), (1,) * len(k) + r))


@implements(np.repeat)
def repeat(a: Any, repeats: Any, axis: Any = None) -> Any:
    if axis is None:
        a, axis = ravel(a), 0
    n = ndim(a)
    return linear(a, lambda v: np.repeat(v, repeats, axis), lambda d, k: np.repeat(d, repeats, _shift(axis % n, k, n)))


@implements(np.diagonal)
def diagonal(a: Any, offset: int = 0, axis1: int = 0, axis2: int = 1) -> Any:
    n = ndim(a)
    return linear(
        a,
        lambda v: np.diagonal(v, offset, axis1, axis2),
        lambda d, k: np.diagonal(d, offset, axis1 % n + len(k), axis2 % n + len(k)),
    )


@implements(np.trace)
def trace(a: Any, offset: int = 0, axis1: int = 0, axis2: int = 1, dtype: Any = None, out: Any = None) -> Any:
    _no_out(out, "trace")
    return np.sum(diagonal(a, offset, axis1, axis2), axis=-1)


@implements(np.diag)
def diag(v: Any, k: int = 0) -> Any:
    if ndim(v) == 2:
        return diagonal(v, k)
    off = k
    return linear(v, lambda x: np.diag(x, off), lambda d, b: np.stack([np.diag(e, off) for e in d]) if b else np.diag(d, off))


@implements(np.tril)
def tril(m: Any, k: int = 0) -> Any:
    m = broadcast_to(m, shape(m)[-1:] * 2) if ndim(m) == 1 else m
    off = k
    return linear(m, lambda v: np.tril(v, off), lambda d, b: np.tril(d, off))


@implements(np.triu)
def triu(m: Any, k: int = 0) -> Any:
    m = broadcast_to(m, shape(m)[-1:] * 2) if ndim(m) == 1 else m
    off = k
    return linear(m, lambda v: np.triu(v, off), lambda d, b: np.triu(d, off))


@implements(np.atleast_3d)
def atleast_3d(*arys: Any) -> Any:
    out = [a if ndim(a) >= 3 else reshape(a, {0: (1, 1, 1), 1: (1, -1, 1), 2: shape(a) + (1,)}[ndim(a)]) for a in arys]
    return out[0] if len(out) == 1 else tuple(out)


@implements(np.dstack)
def dstack(tup: Any) -> Any:
    return concatenate([atleast_3d(x) for x in tup], 2)


@implements(np.column_stack)
def column_stack(tup: Any) -> Any:
    return concatenate([reshape(x, (-1, 1)) if ndim(x) < 2 else x for x in tup], 1)


@implements(np.append)
def append(arr: Any, values: Any, axis: Any = None) -> Any:
    if axis is None:
        return concatenate([ravel(arr), ravel(values)], 0)
    return concatenate([arr, values], axis)


@implements(np.delete)
def delete(arr: Any, obj: Any, axis: Any = None) -> Any:
    if axis is None:
        arr, axis = ravel(arr), 0
    return take(arr, np.delete(np.arange(shape(arr)[axis]), obj), axis)


@implements(np.take)
def take(a: Any, indices: Any, axis: Any = None, out: Any = None, mode: str = "raise") -> Any:
    _no_out(out, "take")
    if axis is None:
        a, axis = ravel(a), 0
    n = ndim(a)
    return linear(a, lambda v: np.take(v, indices, axis, mode=mode), lambda d, k: np.take(d, indices, _shift(axis % n, k, n), mode=mode))


@implements(np.take_along_axis)
def take_along_axis(arr: Any, indices: Any, axis: Any = -1) -> Any:
    if axis is None:
        arr, axis = ravel(arr), 0
    n, idx = ndim(arr), np.asarray(indices)
    return linear(
        arr,
        lambda v: np.take_along_axis(v, idx, axis),
        lambda d, k: np.take_along_axis(d, idx[None] if k else idx, _shift(axis % n, k, n)),
    )


@implements(np.diff)
def diff(a: Any, n: int = 1, axis: int = -1, prepend: Any = None, append: Any = None) -> Any:
    axis = axis % ndim(a)
    edge = shape(a)[:axis] + (1,) + shape(a)[axis + 1 :]
    parts = [p if ndim(p) == ndim(a) else broadcast_to(p, edge) for p in (prepend, a, append) if p is not None]
    a = concatenate(parts, axis) if len(parts) > 1 else a
    before = (slice(None),) * axis
    for _ in range(n):
        a = a[before + (slice(1, None),)] - a[before + (slice(None, -1),)]
    return a
