"""Reductions: sum and cumsum are the linear primitives (the transpose of a sum broadcasts the
cotangent back; of a running sum, a running sum from the other end); mean, prod, cumprod, max, min,
var, std and the rest are composites, so every order of derivative follows in both modes.

Keywords are honoured as NumPy's are (``axis`` tuples and negatives, ``keepdims``, ``where``,
``initial``, a floating ``dtype``) or refused with a TypeError (``out``, an integer ``dtype``).
"""

from __future__ import annotations

import builtins
from typing import Any

import numpy as np

from ..core.dual import shape
from ..core.functions import linear, refuse, register
from ..core.number import plain
from . import shapes
from .shapes import _as_operand, _axes, moveaxis, ravel, reshape, take_along_axis, transpose


def _float_dtype(name: str, dtype: Any) -> None:
    if dtype is not None and np.dtype(dtype).kind not in "fc":
        raise TypeError(f"numpy.{name}(..., dtype={np.dtype(dtype)}) would drop the derivative; leave dtype= out")


def _reduced(name: str, a: Any, out: Any, dtype: Any, where: Any, identity: float) -> Any:
    """A reduction's operand, its keywords honoured or refused: ``where=False`` entries become the
    reduction's identity (0 for sum, 1 for prod), so they change neither value nor derivative."""
    refuse(name, out=out)
    _float_dtype(name, dtype)
    a = _as_operand(a)
    return a if where is True else np.where(where, a, identity)


def _keep(y_shape: tuple[int, ...], axes: tuple[int, ...], n: int) -> tuple[int, ...]:
    """The shape of a reduction over ``axes`` with keepdims, from the shape without."""
    it = iter(y_shape)
    return tuple(1 if i in axes else next(it) for i in range(n))


def _sum_vjp(i: int, g: Any, xs: tuple[Any, ...], y: Any, axis: tuple[int, ...], keepdims: bool) -> Any:
    s = np.shape(xs[0])
    if not keepdims:
        g = np.reshape(g, _keep(np.shape(g), axis, len(s)))
    return np.broadcast_to(g, s)


_sum = linear(
    "sum",
    lambda x, axis, keepdims: np.sum(x, axis=axis, keepdims=keepdims),
    _sum_vjp,
    batched=lambda d, k, axis, keepdims: np.sum(d, axis=tuple(a + 1 for a in axis), keepdims=keepdims),
)


@register(np.sum)
def sum(
    a: Any, axis: Any = None, dtype: Any = None, out: Any = None, keepdims: bool = False, initial: Any = None, where: Any = True
) -> Any:
    a = _reduced("sum", a, out, dtype, where, 0.0)
    r = _sum(a, axis=_axes(axis, np.ndim(plain(a))), keepdims=bool(keepdims))
    return r if initial is None else r + initial


@register(np.mean)
def mean(a: Any, axis: Any = None, dtype: Any = None, out: Any = None, keepdims: bool = False, *, where: Any = True) -> Any:
    refuse("mean", out=out)
    _float_dtype("mean", dtype)
    a = _as_operand(a)
    ax = _axes(axis, np.ndim(plain(a)))
    count = np.sum(np.broadcast_to(np.asarray(plain(where)), shape(a)), axis=ax, keepdims=keepdims) if where is not True else (
        int(np.prod([shape(a)[i] for i in ax], dtype=int))
    )
    return sum(a, axis=ax, keepdims=keepdims, where=where) / count


def _cumsum_vjp(i: int, g: Any, xs: tuple[Any, ...], y: Any, axis: int) -> Any:
    return np.flip(np.cumsum(np.flip(g, axis), axis=axis), axis)


_cumsum = linear(
    "cumsum",
    lambda x, axis: np.cumsum(x, axis=axis),
    _cumsum_vjp,
    batched=lambda d, k, axis: np.cumsum(d, axis=axis + 1),
)


@register(np.cumsum, np.cumulative_sum) if hasattr(np, "cumulative_sum") else register(np.cumsum)
def cumsum(a: Any, axis: Any = None, dtype: Any = None, out: Any = None, *, include_initial: bool = False) -> Any:
    refuse("cumsum", out=out)
    _float_dtype("cumsum", dtype)
    a = _as_operand(a)
    if axis is None:
        a, axis = ravel(a), 0
    r = _cumsum(a, axis=int(axis) % np.ndim(plain(a)))
    if include_initial:
        s = list(shape(r))
        s[axis] = 1
        r = shapes.concatenate([np.zeros(s), r], axis)
    return r


def _gather(a: Any, axis: Any) -> tuple[Any, tuple[int, ...], tuple[int, ...]]:
    """``a`` with the reduced axes moved last and merged into one, the result's shape, and its keepdims shape."""
    n, s = np.ndim(plain(a)), shape(a)
    ax = _axes(axis, n)
    rest = tuple(i for i in range(n) if i not in ax)
    b = transpose(a, rest + ax) if n else a
    size = int(np.prod([s[i] for i in ax], dtype=int))
    out = tuple(s[i] for i in rest)
    return reshape(b, out + (size,)), out, tuple(1 if i in ax else s[i] for i in range(n))


def pairwise_product(b: Any) -> Any:
    """The products along the last axis, kept as a length-1 axis: pairs multiplied in log2(n)
    vectorized steps, so a zero entry needs no division and every derivative stays exact.

    >>> pairwise_product(np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]))
    array([[  6.],
           [120.]])
    """
    rest = shape(b)[:-1]
    if shape(b)[-1] == 0:
        return np.ones(rest + (1,))
    while shape(b)[-1] > 1:
        if shape(b)[-1] % 2:
            b = shapes.concatenate([b, np.ones(rest + (1,))], -1)
        b = b[..., 0::2] * b[..., 1::2]
    return b


@register(np.prod)
def prod(
    a: Any, axis: Any = None, dtype: Any = None, out: Any = None, keepdims: bool = False, initial: Any = None, where: Any = True
) -> Any:
    """Pairwise products, log2(n) vectorized steps; exact where entries are 0 (no division)."""
    b, rest, keep = _gather(_reduced("prod", a, out, dtype, where, 1.0), axis)
    r = reshape(pairwise_product(b), keep if keepdims else rest)
    return r if initial is None else r * initial


@register(np.cumprod, np.cumulative_prod) if hasattr(np, "cumulative_prod") else register(np.cumprod)
def cumprod(a: Any, axis: Any = None, dtype: Any = None, out: Any = None, *, include_initial: bool = False) -> Any:
    refuse("cumprod", out=out)
    _float_dtype("cumprod", dtype)
    r = scan(np.multiply, _as_operand(a), axis)
    if include_initial:
        ax = 0 if axis is None else axis
        s = list(shape(r))
        s[ax] = 1
        r = shapes.concatenate([np.ones(s), r], ax)
    return r


def scan(op: Any, a: Any, axis: Any) -> Any:
    """Running ``op`` by doubling (Hillis-Steele): log2(n) vectorized steps of an elementwise rule, no division."""
    if axis is None:
        a, axis = ravel(a), 0
    y = moveaxis(a, axis, -1)
    n, s = shape(y)[-1], 1
    while s < n:
        y = shapes.concatenate([y[..., :s], op(y[..., s:], y[..., :-s])], -1)
        s *= 2
    return moveaxis(y, -1, axis)


def pick(arg: Any, name: str, a: Any, axis: Any, out: Any, keepdims: bool, initial: Any, where: Any, fill: float) -> Any:
    """max and min take one entry: its derivative goes with it (the first one at a tie)."""
    refuse(name, out=out)
    a = _as_operand(a)
    if where is not True:
        if initial is None:
            raise ValueError(f"reduction operation '{name}' does not have an identity, so to use a where mask one has to specify 'initial'")
        a = np.where(where, a, fill)
    b, rest, keep = _gather(a, axis)
    if shape(b)[-1] == 0:
        if initial is None:
            raise ValueError(f"zero-size array to reduction operation {name} which has no identity")
        return np.full(keep if keepdims else rest, initial) + 0.0
    idx = arg(plain(b), axis=-1, keepdims=True)
    r = reshape(take_along_axis(b, idx, -1), keep if keepdims else rest)
    if initial is None:
        return r
    return np.maximum(r, initial) if fill < 0 else np.minimum(r, initial)


@register(np.max, np.amax)
def max_(a: Any, axis: Any = None, out: Any = None, keepdims: bool = False, initial: Any = None, where: Any = True) -> Any:
    return pick(np.argmax, "max", a, axis, out, keepdims, initial, where, -np.inf)


@register(np.min, np.amin)
def min_(a: Any, axis: Any = None, out: Any = None, keepdims: bool = False, initial: Any = None, where: Any = True) -> Any:
    return pick(np.argmin, "min", a, axis, out, keepdims, initial, where, np.inf)


@register(np.ptp)
def ptp(a: Any, axis: Any = None, out: Any = None, keepdims: bool = False) -> Any:
    refuse("ptp", out=out)
    return max_(a, axis, keepdims=keepdims) - min_(a, axis, keepdims=keepdims)


@register(np.var)
def var(
    a: Any, axis: Any = None, dtype: Any = None, out: Any = None, ddof: float = 0, keepdims: bool = False, *,
    where: Any = True, mean: Any = None, correction: Any = None,
) -> Any:
    refuse("var", out=out)
    _float_dtype("var", dtype)
    a = _as_operand(a)
    ddof = ddof if correction is None else correction
    m = globals()["mean"](a, axis=axis, keepdims=True, where=where) if mean is None else mean
    dev = a - m
    sq = np.real(dev * np.conjugate(dev)) if np.iscomplexobj(plain(dev)) else dev * dev  # |dev|^2
    ax = _axes(axis, np.ndim(plain(a)))
    if where is True:
        count: Any = int(np.prod([shape(a)[i] for i in ax], dtype=int))
    else:
        count = np.sum(np.broadcast_to(np.asarray(plain(where)), shape(a)), axis=ax, keepdims=keepdims)
    return sum(sq, axis=ax, keepdims=keepdims, where=where) / np.maximum(count - ddof, 0)


@register(np.std)
def std(a: Any, axis: Any = None, dtype: Any = None, out: Any = None, ddof: float = 0, keepdims: bool = False, **kw: Any) -> Any:
    v = var(a, axis, dtype, out, ddof, keepdims, **kw)
    a = _as_operand(a)
    one = int(np.prod([shape(a)[i] for i in _axes(axis, np.ndim(plain(a)))], dtype=int)) == 1
    if one and (kw.get("correction") if kw.get("correction") is not None else ddof) == 0 and kw.get("where", True) is True:
        # the std of one value is the constant 0, every derivative 0; as sqrt of a variance that is 0
        # by cancellation (x - mean x) it would be nan, which no pass can tell from a cone's tip
        return np.zeros(shape(v)) if shape(v) else 0.0
    return np.sqrt(v)


@register(np.average)
def average(a: Any, axis: Any = None, weights: Any = None, returned: bool = False, *, keepdims: bool = False) -> Any:
    a = _as_operand(a)
    if weights is None:
        r = mean(a, axis=axis, keepdims=keepdims)
        n = np.prod(shape(a), dtype=int) / builtins.max(1, np.prod(shape(r), dtype=int))
        wsum: Any = np.full(shape(r), float(n))
    else:
        w = _as_operand(weights)
        if np.ndim(plain(w)) != np.ndim(plain(a)):
            if axis is None:
                raise TypeError("Axis must be specified when shapes of a and weights differ.")
            if np.ndim(plain(w)) != 1:
                raise TypeError("1D weights expected when shapes of a and weights differ.")
            w = reshape(w, tuple(-1 if i == axis % np.ndim(plain(a)) else 1 for i in range(np.ndim(plain(a)))))
        wsum = sum(shapes.broadcast_to(w, np.broadcast_shapes(shape(a), shape(w))), axis=axis, keepdims=keepdims)
        r = sum(a * w, axis=axis, keepdims=keepdims) / wsum
    return (r, shapes.broadcast_to(wsum, shape(r))) if returned else r
