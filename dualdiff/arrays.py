"""NumPy's non-elementwise functions on Duals (NEP 18), one entry a function.

Most entries are *linear*: the derivative goes through the same function as the value, with axes
shifted by one when the Dual carries several directions (leading axis of the derivative).
Others are *composite*: written with entries already here, so their derivatives follow.
Ufunc methods (``np.add.reduce``, ``np.maximum.accumulate``) come here too.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NoReturn

import numpy as np

from . import elementwise
from .dual import ARRAY_FUNCTIONS, Dual, _new, is_batched, lift, ndim, shape


def no_rule(what: str) -> NoReturn:
    raise TypeError(
        f"dualdiff has no derivative rule for {what}, so it cannot carry the derivative through it. "
        "Register one with dualdiff.register_function (see docs/numpy.md), or compute the value "
        "with x.value if you do not need its derivative."
    )


def implements(*funcs: Any) -> Callable[[Any], Any]:
    """Register the decorated function as the Dual implementation of NumPy's ``funcs``."""

    def deco(impl: Any) -> Any:
        for f in funcs:
            ARRAY_FUNCTIONS[f] = impl
        return impl

    return deco


def batch(x: Dual) -> tuple[int, ...]:
    """``(k,)`` when ``x`` carries k directions, else ``()``: prepend it to derivative shapes."""
    return shape(x._d)[:1] if is_batched(x) else ()


def promote(items: Any) -> list[Dual]:
    """Make every item a Dual of the newest tag among them; constants get a zero derivative."""
    items = list(items)
    duals = [a for a in items if isinstance(a, Dual)]
    t = max(a._t for a in duals)
    k = next((batch(a) for a in duals if a._t == t and is_batched(a)), ())
    return [
        a if isinstance(a, Dual) and a._t == t else _new(a, np.zeros(k + shape(a)), t)
        for a in (np.asarray(a) if isinstance(a, (list, tuple)) else a for a in items)
    ]


def shift(axis: Any, k: tuple[int, ...], nd: int) -> Any:
    """The derivative's axis for a value axis: non-negative axes move past the direction axis."""
    if not k:
        return axis
    if axis is None:
        return tuple(range(1, nd + 1))
    if isinstance(axis, (tuple, list)):
        return tuple(a + 1 if a >= 0 else a for a in axis)
    return axis + 1 if axis >= 0 else axis


def linear(x: Any, fv: Callable[[Any], Any], fd: Callable[[Any, tuple[int, ...]], Any]) -> Any:
    """A linear function of ``x``: ``fv`` maps the value, ``fd(d, k)`` the derivative."""
    if not isinstance(x, Dual):
        return fv(x)
    return _new(_scalar(fv(x._v)), _scalar(fd(x._d, batch(x))), x._t)


def _scalar(v: Any) -> Any:
    """NumPy's float64 scalars and 0-d arrays become Python floats, as a Dual's scalar parts are elsewhere (x[i])."""
    t = type(v)
    return float(v) if t is np.float64 or (t is np.ndarray and v.ndim == 0 and v.dtype == np.float64) else v


def _tuple(s: Any) -> tuple[int, ...]:
    return tuple(s) if isinstance(s, (tuple, list)) else (s,)


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


def _lift(d: Any, k: tuple[int, ...], outdim: int) -> Any:
    return lift(d, ndim(d) - 1, outdim) if k else d


@implements(np.concatenate)
def concatenate(arrays: Any, axis: Any = 0, **kw: Any) -> Any:
    xs = promote(arrays)
    if axis is None:
        xs, axis = [ravel(x) for x in xs], 0
    k = batch(xs[0])
    n = ndim(xs[0])
    return _new(np.concatenate([x._v for x in xs], axis), np.concatenate([x._d for x in xs], shift(axis % n, k, n)), xs[0]._t)


@implements(np.stack)
def stack(arrays: Any, axis: int = 0, **kw: Any) -> Any:
    xs = promote(arrays)
    n = ndim(xs[0]) + 1
    return concatenate([expand_dims(x, axis % n) for x in xs], axis % n)


@implements(np.hstack)
def hstack(tup: Any, **kw: Any) -> Any:
    xs = [atleast_1d(x) for x in tup]
    return concatenate(xs, 0 if ndim(xs[0]) == 1 else 1)


@implements(np.vstack)
def vstack(tup: Any, **kw: Any) -> Any:
    return concatenate([atleast_2d(x) for x in tup], 0)


@implements(np.atleast_1d)
def atleast_1d(*arys: Any) -> Any:
    out = [a if ndim(a) >= 1 else reshape(a, (1,)) for a in arys]
    return out[0] if len(out) == 1 else tuple(out)


@implements(np.atleast_2d)
def atleast_2d(*arys: Any) -> Any:
    out = [a if ndim(a) >= 2 else reshape(a, (1, -1)) for a in arys]
    return out[0] if len(out) == 1 else tuple(out)


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


def _no_out(out: Any, name: str) -> None:
    if out is not None:
        raise TypeError(f"numpy.{name}(..., out=...) would write a Dual into a plain array; use the returned value")


# --- selection ---
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


def _plain_value(x: Any) -> Any:
    while isinstance(x, Dual):
        x = x._v
    return x


# --- products: bilinear, (ab)' = a'b + ab' ---
@implements(np.matmul)
def matmul(a: Any, b: Any, **kw: Any) -> Any:
    """(AB)' = A'B + AB'; constants add no term, and against one matrix all directions go in one BLAS call."""
    t = max(x._t for x in (a, b) if isinstance(x, Dual))
    ma, mb = isinstance(a, Dual) and a._t == t, isinstance(b, Dual) and b._t == t
    av, bv = a._v if ma else a, b._v if mb else b
    v = np.matmul(av, bv)
    na, nb = ndim(av), ndim(bv)
    d: Any = None
    if ma:
        d = np.tensordot(a._d, bv, ([-1], [0])) if nb == 2 else _matmul_term(a._d, batch(a), av, bv, 0)
    if mb:
        if na == 2:
            term = np.moveaxis(np.tensordot(av, b._d, ([1], [-2 if nb >= 2 else -1])), 0, -2 if nb >= 2 else -1)
        else:
            term = _matmul_term(b._d, batch(b), av, bv, 1)
        d = term if d is None else _add(d, term)
    k = batch(a) if ma and batch(a) else (batch(b) if mb else ())
    want = k + shape(v)
    return _new(_scalar(v), _scalar(d) if shape(d) == want else np.broadcast_to(d, want), t)


def _matmul_term(d: Any, k: tuple[int, ...], av: Any, bv: Any, which: int) -> Any:
    """The term of one operand's tangent, stacked matrices and 1-D operands as matmul reads them."""
    na, nb = ndim(av), ndim(bv)
    a2 = av if na >= 2 else np.expand_dims(av, 0)
    b2 = bv if nb >= 2 else np.expand_dims(bv, -1)
    n = max(ndim(a2), ndim(b2))
    if which == 0:
        r = np.matmul(_lift(d if na >= 2 else np.expand_dims(d, -2), k, n), b2)
    else:
        r = np.matmul(a2, _lift(d if nb >= 2 else np.expand_dims(d, -1), k, n))
    r = r if na >= 2 else np.squeeze(r, -2)
    return r if nb >= 2 else np.squeeze(r, -1)


@implements(np.dot)
def dot(a: Any, b: Any, out: Any = None) -> Any:
    _no_out(out, "dot")
    if ndim(a) == 0 or ndim(b) == 0:
        return a * b
    if ndim(b) <= 2:
        return matmul(a, b)
    return np.tensordot(a, b, axes=([-1], [-2]))


# --- ufunc methods: np.add.reduce is sum, np.multiply.reduce is prod, ... ---
_REDUCE = {np.add: np.sum, np.maximum: np.max, np.minimum: np.min, np.multiply: np.prod}
_ACCUMULATE = {np.add: np.cumsum, np.multiply: np.cumprod}
# gufuncs of NumPy 2 that are products: their einsum subscripts
_GUFUNC_PRODUCTS = {"vecdot": "...i,...i->...", "matvec": "...ij,...j->...i", "vecmat": "...i,...ij->...j"}


def ufunc_method(ufunc: Any, method: str, inputs: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    inputs = tuple(from_objects(a) if _is_objects(a) else a for a in inputs)
    if method == "reduce" and ufunc in _REDUCE:
        kwargs.setdefault("axis", 0)  # ufunc.reduce reduces axis 0 by default, np.sum all axes
        return _REDUCE[ufunc](*inputs, **kwargs)
    if method == "accumulate" and ufunc in _ACCUMULATE:
        axis = kwargs.pop("axis", 0)
        return _ACCUMULATE[ufunc](*inputs, axis=axis, **kwargs)
    if method == "accumulate" and ufunc in (np.maximum, np.minimum) and set(kwargs) <= {"axis"}:
        return _scan(ufunc, inputs[0], kwargs.get("axis", 0))
    if method == "outer" and ufunc in elementwise.BY_UFUNC and not kwargs:
        a, b = inputs
        return elementwise.BY_UFUNC[ufunc](reshape(a, shape(a) + (1,) * ndim(b)), b)
    if method == "__call__" and not kwargs:
        if ufunc is np.matmul:
            return matmul(*inputs)
        if ufunc.__name__ in _GUFUNC_PRODUCTS:
            return einsum(_GUFUNC_PRODUCTS[ufunc.__name__], *inputs)
        if ufunc is np.conjugate:  # Duals are real
            return inputs[0]
        if all(t[-1] in "?" for t in ufunc.types):  # comparisons, isnan, signbit: no derivative to carry
            return ufunc(*[_plain_value(a) for a in inputs])
    what = f"numpy.{ufunc.__name__}" + ("" if method == "__call__" else f".{method}")
    if kwargs:
        what += f" with {', '.join(sorted(kwargs))}="
    no_rule(what)


def _is_objects(a: Any) -> bool:
    return isinstance(a, np.ndarray) and a.dtype == object


# --- object arrays of scalar Duals: what np.asarray(dual) gives, for library code that calls it ---
def to_objects(x: Dual) -> np.ndarray:
    """An object array of scalar Duals, each keeping its derivative (slower, but exact)."""
    out = np.empty(x.shape, dtype=object)
    if x.shape == ():
        out[()] = x
    for i in np.ndindex(*x.shape) if x.shape else ():
        out[i] = x[i]
    return out


def from_objects(a: Any) -> Any:
    """One Dual from an object array (or nested list) of scalar Duals and numbers.

    This is how results come back from library code that called ``np.asarray`` on a Dual.

    >>> from dualdiff import Dual
    >>> from_objects([Dual(1.0, 1.0), 2.0, Dual(3.0, 0.5)])
    Dual(array([1., 2., 3.]), array([1. , 0. , 0.5]))
    """
    a = np.asarray(a, dtype=object)
    flat = list(a.flat)
    if not any(isinstance(e, Dual) for e in flat):
        return np.array(flat, dtype=float).reshape(a.shape)
    return reshape(stack(promote(flat)), a.shape)


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



_shift = shift  # np.roll's argument is also called shift


def _axes(axis: Any, n: int) -> tuple[int, ...]:
    return tuple(range(n)) if axis is None else tuple(sorted(x % n for x in _tuple(axis)))


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
    if shape(b)[-1] == 0:
        b = np.ones(rest + (1,))
    while shape(b)[-1] > 1:
        if shape(b)[-1] % 2:
            b = concatenate([b, np.ones(rest + (1,))], -1)
        b = b[..., 0::2] * b[..., 1::2]
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


# --- selection: the derivative follows the entries that are picked ---
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


# --- products: multilinear, each written as one einsum; the derivative is one einsum per Dual operand ---
_LETTERS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"


@implements(np.einsum)
def einsum(*operands: Any, out: Any = None, optimize: Any = False, **kw: Any) -> Any:
    _no_out(out, "einsum")
    if not isinstance(operands[0], str):
        raise TypeError("dualdiff supports numpy.einsum with a subscripts string, e.g. np.einsum('ij,j->i', A, x)")
    subs, ops = operands[0].replace(" ", ""), list(operands[1:])
    ins = subs.split("->")[0].split(",")
    if "->" in subs:
        res = subs.split("->")[1]
    else:  # implicit output: the letters used once, in order, after the broadcast axes
        letters = "".join(ins).replace(".", "")
        res = ("..." if "..." in subs else "") + "".join(sorted(c for c in set(letters) if letters.count(c) == 1))
    t = max(a._t for a in ops if isinstance(a, Dual))
    mine = [isinstance(a, Dual) and a._t == t for a in ops]
    vals = [a._v if m else a for a, m in zip(ops, mine, strict=True)]
    v = np.einsum(",".join(ins) + "->" + res, *vals, optimize=optimize)
    z = next(c for c in _LETTERS if c not in subs)
    k: tuple[int, ...] = ()
    d: Any = None
    for i, a in enumerate(ops):
        if mine[i]:
            ka = batch(a)
            k = k or ka
            s = ",".join((z if j == i and ka else "") + s for j, s in enumerate(ins)) + "->" + (z if ka else "") + res
            term = np.einsum(s, *(a._d if j == i else x for j, x in enumerate(vals)), optimize=optimize)
            d = term if d is None else _add(d, term)
    want = k + shape(v)
    return _new(_scalar(v), _scalar(d) if shape(d) == want else np.broadcast_to(d, want), t)


def _add(d: Any, term: Any) -> Any:
    if ndim(term) > ndim(d):  # only one of them carries the direction axis: broadcast over it
        return term + d
    return d + term


@implements(np.tensordot)
def tensordot(a: Any, b: Any, axes: Any = 2) -> Any:
    na, nb = ndim(a), ndim(b)
    if isinstance(axes, int):
        xa, xb = list(range(na - axes, na)), list(range(axes))
    else:
        xa, xb = [x % na for x in _tuple(axes[0])], [x % nb for x in _tuple(axes[1])]
    la, lb = list(_LETTERS[:na]), list(_LETTERS[na : na + nb])
    for i, j in zip(xa, xb, strict=True):
        lb[j] = la[i]
    res = [c for i, c in enumerate(la) if i not in xa] + [c for j, c in enumerate(lb) if j not in xb]
    return einsum("".join(la) + "," + "".join(lb) + "->" + "".join(res), a, b)


@implements(np.inner)
def inner(a: Any, b: Any) -> Any:
    if ndim(a) == 0 or ndim(b) == 0:
        return a * b
    return tensordot(a, b, ([-1], [-1]))


@implements(np.outer)
def outer(a: Any, b: Any, out: Any = None) -> Any:
    _no_out(out, "outer")
    return einsum("i,j->ij", ravel(a), ravel(b))


@implements(np.vdot)
def vdot(a: Any, b: Any) -> Any:
    return einsum("i,i->", ravel(a), ravel(b))


@implements(np.kron)
def kron(a: Any, b: Any) -> Any:
    n = max(ndim(a), ndim(b))
    sa, sb = (1,) * (n - ndim(a)) + shape(a), (1,) * (n - ndim(b)) + shape(b)
    la, lb = _LETTERS[:n], _LETTERS[n : 2 * n]
    r = einsum(la + "," + lb + "->" + "".join(x + y for x, y in zip(la, lb, strict=True)), reshape(a, sa), reshape(b, sb))
    return reshape(r, tuple(x * y for x, y in zip(sa, sb, strict=True)))


@implements(np.cross)
def cross(a: Any, b: Any, axisa: int = -1, axisb: int = -1, axisc: int = -1, axis: Any = None) -> Any:
    if axis is not None:
        axisa = axisb = axisc = axis
    a, b = moveaxis(a, axisa, -1), moveaxis(b, axisb, -1)
    if shape(a)[-1] == shape(b)[-1] == 2:
        return a[..., 0] * b[..., 1] - a[..., 1] * b[..., 0]
    a, b = (concatenate([x, np.zeros(shape(x)[:-1] + (1,))], -1) if shape(x)[-1] == 2 else x for x in (a, b))
    i, j = [1, 2, 0], [2, 0, 1]
    return moveaxis(a[..., i] * b[..., j] - a[..., j] * b[..., i], -1, axisc)


@implements(np.polyval)
def polyval(p: Any, x: Any) -> Any:
    y: Any = 0.0
    for i in range(len(p)):
        y = y * x + p[i]
    return y


# --- statistics and sampling: composites of the entries above ---
@implements(np.ptp)
def ptp(a: Any, axis: Any = None, out: Any = None, keepdims: bool = False) -> Any:
    _no_out(out, "ptp")
    return max_(a, axis, keepdims=keepdims) - min_(a, axis, keepdims=keepdims)


@implements(np.nansum)
def nansum(a: Any, axis: Any = None, dtype: Any = None, out: Any = None, keepdims: bool = False, **kw: Any) -> Any:
    _no_out(out, "nansum")
    return np.sum(np.where(np.isnan(_plain_value(a)), 0.0, a), axis=axis, keepdims=keepdims)


@implements(np.nanmean)
def nanmean(a: Any, axis: Any = None, dtype: Any = None, out: Any = None, keepdims: bool = False, **kw: Any) -> Any:
    count = np.sum(~np.isnan(_plain_value(a)), axis=axis, keepdims=keepdims)
    return nansum(a, axis, out=out, keepdims=keepdims) / count


@implements(np.nanmax)
def nanmax(a: Any, axis: Any = None, out: Any = None, keepdims: bool = False, **kw: Any) -> Any:
    return _pick(np.nanargmax, "nanmax", a, axis, out, keepdims, kw.get("where"))


@implements(np.nanmin)
def nanmin(a: Any, axis: Any = None, out: Any = None, keepdims: bool = False, **kw: Any) -> Any:
    return _pick(np.nanargmin, "nanmin", a, axis, out, keepdims, kw.get("where"))


@implements(np.quantile)
def quantile(
    a: Any, q: Any, axis: Any = None, out: Any = None, overwrite_input: bool = False, method: str = "linear",
    keepdims: bool = False, **kw: Any,
) -> Any:
    """Linear interpolation between the sorted entries around q (n - 1): the derivative follows them."""
    _no_out(out, "quantile")
    if method != "linear" or kw.get("weights") is not None:
        no_rule(f"numpy.quantile with method={method!r} or weights")
    nd, flat = ndim(a), axis is None
    if flat:
        a, axis = ravel(a), 0
    s = moveaxis(sort(a, axis), axis, -1)
    n = shape(s)[-1]
    q = q if isinstance(q, Dual) else np.asarray(q, dtype=float)
    pos = q * (n - 1)
    lo = np.floor(_plain_value(pos)).astype(int)
    hi = np.minimum(lo + 1, n - 1)
    w = pos - lo
    r = s[..., lo] * (1 - w) + s[..., hi] * w
    r = moveaxis(r, -1, 0) if ndim(q) else r
    if keepdims:
        r = reshape(r, shape(q) + (1,) * nd) if flat else expand_dims(r, axis % ndim(s) + ndim(q))
    return r


@implements(np.percentile)
def percentile(a: Any, q: Any, axis: Any = None, out: Any = None, overwrite_input: bool = False, method: str = "linear",
               keepdims: bool = False, **kw: Any) -> Any:
    q = q / 100 if isinstance(q, Dual) else np.asarray(q, dtype=float) / 100
    return quantile(a, q, axis, out, overwrite_input, method, keepdims, **kw)


@implements(np.median)
def median(a: Any, axis: Any = None, out: Any = None, overwrite_input: bool = False, keepdims: bool = False) -> Any:
    return quantile(a, 0.5, axis, out, keepdims=keepdims)


@implements(np.cov)
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


@implements(np.trapezoid)
def trapezoid(y: Any, x: Any = None, dx: float = 1.0, axis: int = -1) -> Any:
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


@implements(np.linspace)
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


@implements(np.interp)
def interp(x: Any, xp: Any, fp: Any, left: Any = None, right: Any = None, period: Any = None) -> Any:
    """Piecewise linear: the slope of the piece x falls in (the right one at a knot); 0 outside xp."""
    if isinstance(xp, Dual) or period is not None:
        no_rule("numpy.interp with a Dual xp or a period")
    xp = np.asarray(xp, dtype=float)
    fp = fp if isinstance(fp, Dual) else np.asarray(fp, dtype=float)
    xv = _plain_value(x)
    i = np.clip(np.searchsorted(xp, xv, "right") - 1, 0, len(xp) - 2)
    w = (x - xp[i]) / (xp[i + 1] - xp[i])
    y = fp[i] * (1 - w) + fp[i + 1] * w
    y = np.where(xv < xp[0], fp[0] if left is None else left, y)
    return np.where(xv > xp[-1], fp[-1] if right is None else right, y)


# --- user rules ---
def register_function(func: Any, impl: Any = None) -> Any:
    """Tell dualdiff how to carry derivatives through ``func`` (a NumPy function, or any function
    dispatched through ``__array_function__``): ``impl`` receives the same arguments, Duals included,
    and must return the Dual result. Without ``impl`` it works as a decorator.

    >>> import numpy as np, dualdiff
    >>> @dualdiff.register_function(np.linalg.matrix_rank)  # a NumPy function with no rule yet
    ... def matrix_rank(a, *args, **kwargs):  # the rank is an integer: no derivative to carry
    ...     return np.linalg.matrix_rank(a.value, *args, **kwargs)
    >>> float(dualdiff.derivative(lambda t: np.linalg.matrix_rank(t * np.eye(3)) * t, 2.0))
    3.0
    """
    if impl is None:
        return lambda f: register_function(func, f)
    ARRAY_FUNCTIONS[func] = impl
    return impl


def register_elementwise(
    func: Any, *partials: Callable[..., Any], scalar: Callable[..., Any] | None = None, singular: bool = False, name: str | None = None
) -> elementwise.Elementwise:
    """Add an elementwise rule: ``func`` computes values (a ufunc, or any vectorized function), and one
    ``partial(*args, out)`` per argument gives its local derivative from the arguments and the result.
    Partials may use dualdiff's (or NumPy's) functions, so derivatives of derivatives work too.
    A ufunc is then found by ``func(dual)`` itself (NEP 13); otherwise call the returned rule.

    >>> import numpy as np, dualdiff
    >>> softplus = dualdiff.register_elementwise(lambda x: np.logaddexp(0.0, x), lambda x, out: 1 - np.exp(-out), name="softplus")
    >>> float(dualdiff.derivative(softplus, 0.0))
    0.5
    """
    rule = elementwise.Elementwise(func, scalar, *partials, name=name, singular=singular)
    if rule.nargs == 1 and rule.name.isidentifier() and not hasattr(Dual, rule.name):
        setattr(Dual, rule.name, lambda self: rule(self))  # object arrays of Duals call x.name()
    return rule


# Methods that mirror ndarray's, so that x.sum(axis=0) and x.T read as they do on arrays.
def _method(f: Any) -> Any:
    return lambda self, *a, **k: f(self, *a, **k)


for _name in (
    "sum", "mean", "reshape", "ravel", "transpose", "swapaxes", "squeeze", "dot", "copy", "prod", "max", "min", "cumsum",
    "cumprod", "var", "std", "clip", "argmax", "argmin", "argsort", "trace", "diagonal", "repeat", "take", "round",
    "nonzero", "any", "all",
):
    setattr(Dual, _name, _method(getattr(np, _name)))
Dual.conj = Dual.conjugate = lambda self: self  # type: ignore[attr-defined]
# ndarray's methods also take shapes and axes spread out: x.reshape(2, 3), x.transpose(1, 0)
Dual.reshape = lambda self, *s, order="C": reshape(self, s[0] if len(s) == 1 else s, order)  # type: ignore[attr-defined]
Dual.transpose = lambda self, *axes: transpose(self, (axes[0] if len(axes) == 1 else axes) or None)  # type: ignore[attr-defined]
Dual.T = property(lambda self: transpose(self))  # type: ignore[attr-defined]
Dual.flatten = lambda self, order="C": ravel(self, order)  # type: ignore[attr-defined]


def _astype(self: Dual, dtype: Any, *args: Any, **kwargs: Any) -> Any:
    dt = np.dtype(dtype)
    if dt.kind == "O":
        return to_objects(self)
    if dt.kind != "f":
        raise TypeError(f"x.astype({dt}) of a Dual would drop its derivative; use np.floor or np.rint to round, or x.value")
    return linear(self, lambda v: np.asarray(v).astype(dt), lambda d, k: np.asarray(d).astype(dt)) if dt != np.float64 else self


Dual.astype = _astype  # type: ignore[attr-defined]
Dual.tolist = lambda self: to_objects(self).tolist()  # type: ignore[attr-defined]  # nested lists of scalar Duals
Dual.item = lambda self, *i: self[i] if i else reshape(self, ())  # type: ignore[attr-defined]


def _sort_in_place(self: Dual, *args: Any, **kwargs: Any) -> None:
    raise TypeError("Duals are immutable, so x.sort() cannot sort in place: use x = np.sort(x)")


Dual.sort = _sort_in_place  # type: ignore[attr-defined]


# Object arrays of Duals call methods named after two-argument ufuncs too (np.hypot(objects, y) calls x.hypot(y)).
for _rule in list(elementwise.BY_UFUNC.values()):
    if _rule.nargs == 2 and not hasattr(Dual, _rule.name):
        setattr(Dual, _rule.name, lambda self, other, _r=_rule: _r(self, other))
