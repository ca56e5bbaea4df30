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
    duals = [a for a in items if type(a) is Dual]
    t = max(a._t for a in duals)
    k = next((batch(a) for a in duals if a._t == t and is_batched(a)), ())
    return [
        a if type(a) is Dual and a._t == t else _new(a, np.zeros(k + shape(a)), t)
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
    if type(x) is not Dual:
        return fv(x)
    return _new(fv(x._v), fd(x._d, batch(x)), x._t)


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
    while type(x) is Dual:
        x = x._v
    return x


# --- products: bilinear, (ab)' = a'b + ab' ---
@implements(np.matmul)
def matmul(a: Any, b: Any, **kw: Any) -> Any:
    a, b = promote([a, b])
    k = batch(a) or batch(b)
    v = np.matmul(a._v, b._v)
    da = np.einsum(_mm_subscripts(ndim(a), ndim(b), len(batch(a)), 0), a._d, b._v)
    db = np.einsum(_mm_subscripts(ndim(a), ndim(b), 0, len(batch(b))), a._v, b._d)
    return _new(v, _bsum(da, db, k, v), a._t)


def _mm_subscripts(na: int, nb: int, ka: int, kb: int) -> str:
    """einsum subscripts for matmul of an na-dim by an nb-dim array, either with a direction axis."""
    a = "ij" if na >= 2 else "j"
    b = "jl" if nb >= 2 else "j"
    out = ("i" if na >= 2 else "") + ("l" if nb >= 2 else "")
    return ("z" * ka) + "..." + a + "," + ("z" * kb) + "..." + b + "->" + ("z" if ka or kb else "") + "..." + out


def _bsum(da: Any, db: Any, k: tuple[int, ...], v: Any) -> Any:
    want = k + shape(v)
    s = da + db
    return s if shape(s) == want else np.broadcast_to(s, want)


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


def ufunc_method(ufunc: Any, method: str, inputs: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    if method == "reduce" and ufunc in _REDUCE:
        return _REDUCE[ufunc](*inputs, **kwargs)
    if method == "accumulate" and ufunc in _ACCUMULATE:
        axis = kwargs.pop("axis", 0)
        return _ACCUMULATE[ufunc](*inputs, axis=axis, **kwargs)
    if method == "__call__" and ufunc is np.matmul:
        return matmul(*inputs)
    what = f"numpy.{ufunc.__name__}" + ("" if method == "__call__" else f".{method}")
    if method == "__call__" and kwargs:
        what += f" with {', '.join(sorted(kwargs))}="
    no_rule(what)


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
    if not any(type(e) is Dual for e in flat):
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


# Methods that mirror ndarray's, so that x.sum(axis=0) and x.T read as they do on arrays.
def _method(f: Any) -> Any:
    return lambda self, *a, **k: f(self, *a, **k)


for _name in ("sum", "mean", "reshape", "ravel", "transpose", "swapaxes", "squeeze", "dot", "copy"):
    setattr(Dual, _name, _method(getattr(np, _name)))
Dual.T = property(lambda self: transpose(self))  # type: ignore[attr-defined]
Dual.flatten = lambda self, order="C": ravel(self, order)  # type: ignore[attr-defined]
