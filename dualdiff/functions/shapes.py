"""Shape functions: reshape, transpose, broadcast_to and concatenate are the linear primitives,
each stated with its map on tangents and its transpose; everything else (squeeze, stack, split,
flip, roll, tile, repeat, pad, diagonal, ...) is a composite of them and of indexing, so it works
in both modes with no second copy.
"""

from __future__ import annotations

import builtins
from typing import Any

import numpy as np

from ..core.dual import DualArray, _new, lift_batched, ndim, shape, unbroadcast
from ..core.functions import Primitive, linear, refuse, register
from ..core.number import from_objects, plain


def _tuple(s: Any) -> tuple[int, ...]:
    return tuple(int(i) for i in s) if isinstance(s, (tuple, list)) else (int(s),)


def _axes(axis: Any, n: int) -> tuple[int, ...]:
    """Axes as sorted non-negative ints; None is every axis."""
    return tuple(range(n)) if axis is None else tuple(sorted(int(x) % n for x in _tuple(axis))) if n else ()


def _as_operand(a: Any) -> Any:
    """A list or tuple as NumPy reads it; one that holds Duals or Vars becomes one of them."""
    if not isinstance(a, (list, tuple)):
        return a
    b = np.asarray(a)
    return from_objects(b) if b.dtype == object else b


# --- reshape: the tangent is reshaped the same way; the cotangent reshaped back ---
_reshape = linear(
    "reshape",
    lambda x, shape, order="C": np.reshape(x, shape, order=order),
    lambda i, g, xs, y, shape, order="C": np.reshape(g, np.shape(xs[0]), order=order),
    batched=lambda d, k, shape, order="C": (
        np.reshape(d, k + shape) if order == "C" else np.stack([np.reshape(e, shape, order=order) for e in d])
    ),
)


@register(np.reshape)
def reshape(a: Any, shape: Any = None, order: str = "C", *, newshape: Any = None, copy: Any = None) -> Any:
    s = newshape if shape is None else shape
    s = (int(s),) if isinstance(s, (int, np.integer)) else tuple(s)
    a = _as_operand(a)
    if -1 in s:  # the tangent may carry directions: resolve -1 on the value's size
        known = int(np.prod([n for n in s if n != -1]))
        s = tuple(int(np.prod(_shape_of(a))) // max(known, 1) if n == -1 else n for n in s)
    return _reshape(a, shape=s, order=order)


def _shape_of(a: Any) -> tuple[int, ...]:
    return shape(a) if hasattr(a, "shape") else np.shape(a)


# --- transpose: a permutation of axes; its transpose is the inverse permutation ---
_transpose = linear(
    "transpose",
    lambda x, axes: np.transpose(x, axes),
    lambda i, g, xs, y, axes: np.transpose(g, tuple(int(j) for j in np.argsort(axes))),
    batched=lambda d, k, axes: np.transpose(d, (0,) + tuple(a + 1 for a in axes)),
)


@register(np.transpose, np.permute_dims) if hasattr(np, "permute_dims") else register(np.transpose)
def transpose(a: Any, axes: Any = None) -> Any:
    n = ndim(a)
    ax = tuple(range(n))[::-1] if axes is None else tuple(int(x) % n for x in axes)
    return _transpose(_as_operand(a), axes=ax)


# --- broadcast_to: the transpose sums the broadcast axes away ---
_broadcast_to = linear(
    "broadcast_to",
    lambda x, shape: np.broadcast_to(x, shape),
    lambda i, g, xs, y, shape: unbroadcast(g, np.shape(xs[0])),
    batched=lambda d, k, shape: np.broadcast_to(lift_batched(d, k, len(shape)), k + shape),
)


@register(np.broadcast_to)
def broadcast_to(array: Any, shape: Any, subok: bool = False) -> Any:
    return _broadcast_to(_as_operand(array), shape=_tuple(shape))


@register(np.broadcast_arrays)
def broadcast_arrays(*args: Any, subok: bool = False) -> tuple[Any, ...]:
    s = np.broadcast_shapes(*(np.shape(plain(a)) for a in args))
    return tuple(broadcast_to(a, s) for a in args)


# --- concatenate: tangents side by side (zeros for constants); the cotangent is cut back into pieces ---
def _concatenate_jvp(ds: list[Any], xs: tuple[Any, ...], y: Any, k: tuple[int, ...], axis: int) -> Any:
    full = [  # every tangent of its operand's whole shape: a scalar 0 or an unbatched tangent broadcast out
        d if d is None or np.shape(d) == k + np.shape(x) else np.broadcast_to(lift_batched(d, k, np.ndim(y)), k + np.shape(x))
        for d, x in zip(ds, xs, strict=True)
    ]
    return _side_by_side(full, xs, k, axis)


def _side_by_side(ds: list[Any], xs: Any, k: tuple[int, ...], axis: int) -> Any:
    """Tangents of their operands' whole shapes (None, a constant's: zeros) concatenated along ``axis``."""
    return np.concatenate([np.zeros(k + shape(x)) if d is None else d for d, x in zip(ds, xs, strict=True)], axis + len(k))


def _concatenate_vjp(i: int, g: Any, xs: tuple[Any, ...], y: Any, axis: int) -> Any:
    start = builtins.sum(np.shape(x)[axis] for x in xs[:i])
    return g[(slice(None),) * axis + (slice(start, start + np.shape(xs[i])[axis]),)]


_concatenate = Primitive("concatenate", lambda *xs, axis: np.concatenate(xs, axis), _concatenate_jvp, _concatenate_vjp)
_concatenate.linear = True


@register(np.concatenate, np.concat) if hasattr(np, "concat") else register(np.concatenate)
def concatenate(arrays: Any, axis: Any = 0, out: Any = None, *, dtype: Any = None, casting: Any = None) -> Any:
    if out is not None:
        refuse("concatenate", out=out)
    fast = None if axis is None else _concatenate_duals(arrays, axis)
    if fast is not None:
        return fast
    xs = [_as_operand(a) for a in arrays]
    if axis is None:
        xs, axis = [ravel(x) for x in xs], 0
    return _concatenate(*xs, axis=int(axis) % builtins.max(1, ndim(xs[0])))


def _concatenate_duals(arrays: Any, axis: Any) -> Any:
    """The common case without the primitive's dispatch (at n = 100 it costs as much as NumPy's
    work): array Duals of one differentiation, with plain tangents of one batch, beside float
    constants (a shift, a padding). None for anything else, which takes the general way."""
    t = k = None
    vals, ds = [], []
    for a in arrays:
        if type(a) is DualArray:
            v, d = a._v, a._d
            if type(v) is not np.ndarray or type(d) is not np.ndarray or (t is not None and a._t != t):
                return None
            kx = d.shape[:1] if d.ndim > v.ndim else ()
            if (d.shape[1:] if kx else d.shape) != v.shape or (k is not None and kx != k):
                return None
            t, k = a._t, kx
            vals.append(v)
            ds.append(d)
        else:
            a = np.asarray(a) if type(a) is list or type(a) is tuple else a
            if type(a) is not np.ndarray or a.dtype.kind not in "fi":
                return None
            vals.append(a)
            ds.append(None)
    if t is None or k is None:
        return None
    if type(axis) is not int or not 0 <= axis < vals[0].ndim:
        axis = int(axis) % builtins.max(1, vals[0].ndim)
    return _new(np.concatenate(vals, axis), _side_by_side(ds, vals, k, axis), t)  # an array of the tangent's shape


# --- composites: reshape, transpose, concatenate and indexing, so both modes follow ---
@register(np.ravel)
def ravel(a: Any, order: str = "C") -> Any:
    return reshape(a, -1, order=order)


@register(np.squeeze)
def squeeze(a: Any, axis: Any = None) -> Any:
    s = shape(a)
    ax = tuple(i for i, n in enumerate(s) if n == 1) if axis is None else _axes(axis, len(s))
    for i in ax:
        if s[i] != 1:
            raise ValueError("cannot select an axis to squeeze out which has size not equal to one")
    return reshape(a, tuple(n for i, n in enumerate(s) if i not in ax))


@register(np.expand_dims)
def expand_dims(a: Any, axis: Any) -> Any:
    n = ndim(a) + len(_tuple(axis))
    ax = _axes(axis, n)
    it = iter(shape(a))
    return reshape(a, tuple(1 if i in ax else next(it) for i in range(n)))


@register(np.swapaxes)
def swapaxes(a: Any, axis1: int, axis2: int) -> Any:
    perm = list(range(ndim(a)))
    i, j = axis1 % ndim(a), axis2 % ndim(a)
    perm[i], perm[j] = perm[j], perm[i]
    return transpose(a, perm)


@register(np.moveaxis)
def moveaxis(a: Any, source: Any, destination: Any) -> Any:
    n = ndim(a)
    src = [int(s) % n for s in _tuple(source)]
    dst = [int(s) % n for s in _tuple(destination)]
    order = [i for i in range(n) if i not in src]
    for d, s in sorted(zip(dst, src, strict=True)):
        order.insert(d, s)
    return transpose(a, order)


@register(np.rollaxis)
def rollaxis(a: Any, axis: int, start: int = 0) -> Any:
    n = ndim(a)
    axis, start = axis % n, start + n if start < 0 else start
    if axis < start:
        start -= 1
    return a if axis == start else moveaxis(a, axis, start)


@register(np.atleast_1d)
def atleast_1d(*arys: Any) -> Any:
    out = [a if ndim(a) >= 1 else reshape(a, (1,)) for a in map(_as_operand, arys)]
    return out[0] if len(out) == 1 else tuple(out)


@register(np.atleast_2d)
def atleast_2d(*arys: Any) -> Any:
    out = [a if ndim(a) >= 2 else reshape(a, (1, -1)) for a in map(_as_operand, arys)]
    return out[0] if len(out) == 1 else tuple(out)


@register(np.atleast_3d)
def atleast_3d(*arys: Any) -> Any:
    out = [a if ndim(a) >= 3 else reshape(a, {0: (1, 1, 1), 1: (1, -1, 1), 2: shape(a) + (1,)}[ndim(a)]) for a in map(_as_operand, arys)]
    return out[0] if len(out) == 1 else tuple(out)


@register(np.stack)
def stack(arrays: Any, axis: int = 0, out: Any = None, *, dtype: Any = None, casting: Any = None) -> Any:
    refuse("stack", out=out)
    xs = [_as_operand(x) for x in arrays]
    n = ndim(xs[0]) + 1
    return concatenate([expand_dims(x, axis % n) for x in xs], axis % n)


@register(np.hstack)
def hstack(tup: Any, *, dtype: Any = None, casting: Any = None) -> Any:
    xs = atleast_1d(*tup)
    xs = [xs] if not isinstance(xs, tuple) else list(xs)
    return concatenate(xs, 0 if ndim(xs[0]) == 1 else 1)


@register(np.vstack, np.row_stack) if hasattr(np, "row_stack") else register(np.vstack)
def vstack(tup: Any, *, dtype: Any = None, casting: Any = None) -> Any:
    return concatenate([atleast_2d(x) for x in tup], 0)


@register(np.dstack)
def dstack(tup: Any) -> Any:
    return concatenate([atleast_3d(x) for x in tup], 2)


@register(np.column_stack)
def column_stack(tup: Any) -> Any:
    return concatenate([reshape(x, (-1, 1)) if ndim(x) < 2 else x for x in map(_as_operand, tup)], 1)


@register(np.block)
def block(arrays: Any) -> Any:
    def depth(a: Any) -> int:
        return 1 + depth(a[0]) if isinstance(a, list) else 0

    def build(a: Any, level: int, total: int) -> Any:
        if not isinstance(a, list):
            a = _as_operand(a)
            return reshape(a, (1,) * (total - ndim(a)) + shape(a)) if ndim(a) < total else a
        return concatenate([build(x, level + 1, total) for x in a], level - depth(arrays))

    d = depth(arrays)
    total = builtins.max(d, builtins.max(ndim(x) for x in _leaves(arrays)))
    return build(arrays, 0, total)


def _leaves(a: Any) -> list[Any]:
    return [y for x in a for y in _leaves(x)] if isinstance(a, list) else [_as_operand(a)]


@register(np.append)
def append(arr: Any, values: Any, axis: Any = None) -> Any:
    if axis is None:
        return concatenate([ravel(arr), ravel(values)], 0)
    return concatenate([arr, values], axis)


@register(np.split)
def split(ary: Any, indices_or_sections: Any, axis: int = 0) -> list[Any]:
    if isinstance(indices_or_sections, (int, np.integer)) and shape(ary)[axis] % int(indices_or_sections):
        raise ValueError("array split does not result in an equal division")
    return array_split(ary, indices_or_sections, axis)


@register(np.array_split)
def array_split(ary: Any, indices_or_sections: Any, axis: int = 0) -> list[Any]:
    ary = _as_operand(ary)
    axis = axis % ndim(ary)
    pieces = np.array_split(np.arange(shape(ary)[axis]), indices_or_sections)
    before = (slice(None),) * axis
    return [ary[before + (slice(int(p[0]), int(p[-1]) + 1) if len(p) else slice(0, 0),)] for p in pieces]


@register(np.hsplit)
def hsplit(ary: Any, indices_or_sections: Any) -> list[Any]:
    return split(ary, indices_or_sections, 1 if ndim(ary) > 1 else 0)


@register(np.vsplit)
def vsplit(ary: Any, indices_or_sections: Any) -> list[Any]:
    return split(ary, indices_or_sections, 0)


@register(np.dsplit)
def dsplit(ary: Any, indices_or_sections: Any) -> list[Any]:
    return split(ary, indices_or_sections, 2)


@register(np.flip)
def flip(m: Any, axis: Any = None) -> Any:
    ax = _axes(axis, ndim(m))
    return m[tuple(slice(None, None, -1) if i in ax else slice(None) for i in range(ndim(m)))]


@register(np.fliplr)
def fliplr(m: Any) -> Any:
    return flip(m, 1)


@register(np.flipud)
def flipud(m: Any) -> Any:
    return flip(m, 0)


@register(np.rot90)
def rot90(m: Any, k: int = 1, axes: Any = (0, 1)) -> Any:
    a0, a1 = (int(a) % ndim(m) for a in axes)
    perm = list(range(ndim(m)))
    perm[a0], perm[a1] = perm[a1], perm[a0]
    k %= 4
    if k == 0:
        return m
    if k == 2:
        return flip(flip(m, a0), a1)
    return transpose(flip(m, a1), perm) if k == 1 else flip(transpose(m, perm), a1)


@register(np.roll)
def roll(a: Any, shift: Any, axis: Any = None) -> Any:
    if axis is None:
        return reshape(roll(ravel(a), shift, 0), shape(a))
    shifts, axes = np.broadcast_arrays(np.asarray(shift), np.asarray(axis))
    for s, ax in zip(shifts.ravel(), axes.ravel(), strict=True):
        ax = int(ax) % ndim(a)
        n = shape(a)[ax]
        idx = (np.arange(n) - int(s)) % n if n else np.arange(0)
        a = a[(slice(None),) * ax + (idx,)]
    return a


@register(np.tile)
def tile(A: Any, reps: Any) -> Any:
    A = _as_operand(A)
    r = _tuple(reps)
    n = builtins.max(ndim(A), len(r))
    r = (1,) * (n - len(r)) + r
    s = (1,) * (n - ndim(A)) + shape(A)
    b = reshape(A, tuple(x for d in s for x in (1, d)))  # a length-1 axis before each axis ...
    b = broadcast_to(b, tuple(x for rd in zip(r, s, strict=True) for x in rd))  # ... repeated reps times
    return reshape(b, tuple(x * y for x, y in zip(r, s, strict=True)))


@register(np.repeat)
def repeat(a: Any, repeats: Any, axis: Any = None) -> Any:
    a = _as_operand(a)
    if axis is None:
        a, axis = ravel(a), 0
    axis = axis % ndim(a)
    idx = np.repeat(np.arange(shape(a)[axis]), repeats)
    return a[(slice(None),) * axis + (idx,)]


@register(np.take)
def take(a: Any, indices: Any, axis: Any = None, out: Any = None, mode: str = "raise") -> Any:
    refuse("take", out=out)
    a = _as_operand(a)
    if axis is None:
        a, axis = ravel(a), 0
    axis = axis % ndim(a)
    n = shape(a)[axis]
    idx = np.asarray(indices)
    if mode == "wrap":
        idx = idx % n
    elif mode == "clip":
        idx = np.clip(idx, 0, n - 1)
    return a[(slice(None),) * axis + (idx,)]


@register(np.take_along_axis)
def take_along_axis(arr: Any, indices: Any, axis: Any = -1) -> Any:
    if axis is None:
        arr, axis = ravel(arr), 0
    idx = np.asarray(indices)
    axis = axis % ndim(arr)
    full: list[Any] = [np.arange(n).reshape(tuple(-1 if j == i else 1 for j in range(ndim(arr)))) for i, n in enumerate(shape(arr))]
    full[axis] = idx
    return arr[tuple(full)]


@register(np.compress)
def compress(condition: Any, a: Any, axis: Any = None, out: Any = None) -> Any:
    refuse("compress", out=out)
    idx = np.flatnonzero(np.asarray(plain(condition)))
    return take(a, idx, axis)


@register(np.extract)
def extract(condition: Any, arr: Any) -> Any:
    return ravel(arr)[np.flatnonzero(np.asarray(plain(condition)))]


@register(np.delete)
def delete(arr: Any, obj: Any, axis: Any = None) -> Any:
    if axis is None:
        arr, axis = ravel(arr), 0
    return take(arr, np.delete(np.arange(shape(arr)[axis]), obj), axis)


@register(np.insert)
def insert(arr: Any, obj: Any, values: Any, axis: Any = None) -> Any:
    """NumPy's own insert on index arrays says where each entry comes from (its broadcasting rules
    included); the result then picks entries of arr and values."""
    arr, vals = _as_operand(arr), _as_operand(values)
    n, m = int(np.prod(shape(arr))), int(np.prod(shape(vals)))
    src = np.insert(np.arange(n).reshape(shape(arr)), obj, (-1 - np.arange(m)).reshape(shape(vals)), axis=axis)
    return concatenate([ravel(arr), ravel(vals)])[np.where(src >= 0, src, n - 1 - src)]


@register(np.diagonal)
def diagonal(a: Any, offset: int = 0, axis1: int = 0, axis2: int = 1) -> Any:
    b = moveaxis(a, (axis1, axis2), (-2, -1))
    rows, cols = shape(b)[-2:]
    i = np.arange(builtins.max(0, builtins.min(rows + builtins.min(offset, 0), cols - builtins.max(offset, 0))))
    return b[..., i - builtins.min(offset, 0), i + builtins.max(offset, 0)]


@register(np.diag)
def diag(v: Any, k: int = 0) -> Any:
    v = _as_operand(v)
    if ndim(v) == 2:
        return diagonal(v, k)
    n = shape(v)[0] + abs(k)
    rows, cols = np.indices((n, n))
    on = cols - rows == k
    pick = np.where(on, np.minimum(rows, cols), 0)  # which entry of v lands at (row, col)
    return np.where(on, v[pick], 0.0)


@register(np.diagflat)
def diagflat(v: Any, k: int = 0) -> Any:
    return diag(ravel(v), k)


@register(np.tril)
def tril(m: Any, k: int = 0) -> Any:
    m = _as_operand(m)
    m = broadcast_to(m, shape(m)[-1:] * 2) if ndim(m) == 1 else m
    return np.where(np.tri(*shape(m)[-2:], k, dtype=bool), m, 0.0)


@register(np.triu)
def triu(m: Any, k: int = 0) -> Any:
    m = _as_operand(m)
    m = broadcast_to(m, shape(m)[-1:] * 2) if ndim(m) == 1 else m
    return np.where(np.tri(*shape(m)[-2:], k - 1, dtype=bool), 0.0, m)


@register(np.trace)
def trace(a: Any, offset: int = 0, axis1: int = 0, axis2: int = 1, dtype: Any = None, out: Any = None) -> Any:
    refuse("trace", out=out)
    return np.sum(diagonal(a, offset, axis1, axis2), axis=-1)


@register(np.diff)
def diff(a: Any, n: int = 1, axis: int = -1, prepend: Any = np._NoValue, append: Any = np._NoValue) -> Any:  # type: ignore[attr-defined]
    a = _as_operand(a)
    axis = axis % ndim(a)
    edge = shape(a)[:axis] + (1,) + shape(a)[axis + 1 :]
    parts = [a]
    if prepend is not np._NoValue:  # type: ignore[attr-defined]
        p = _as_operand(prepend)
        parts.insert(0, p if ndim(p) == ndim(a) else broadcast_to(p, edge))
    if append is not np._NoValue:  # type: ignore[attr-defined]
        p = _as_operand(append)
        parts.append(p if ndim(p) == ndim(a) else broadcast_to(p, edge))
    a = concatenate(parts, axis) if len(parts) > 1 else a
    before = (slice(None),) * axis
    for _ in range(n):
        a = a[before + (slice(1, None),)] - a[before + (slice(None, -1),)]
    return a


@register(np.ediff1d)
def ediff1d(ary: Any, to_end: Any = None, to_begin: Any = None) -> Any:
    d = diff(ravel(ary))
    before = [ravel(_as_operand(to_begin))] if to_begin is not None else []
    parts = before + [d] + ([ravel(_as_operand(to_end))] if to_end is not None else [])
    return concatenate(parts) if len(parts) > 1 else d


@register(np.pad)
def pad(array: Any, pad_width: Any, mode: Any = "constant", **kwargs: Any) -> Any:
    """Every mode NumPy has that picks or repeats entries (constant, edge, wrap, reflect, symmetric)
    is an index map plus constants; the statistical and ramp modes are refused."""
    a = _as_operand(array)
    widths = np.broadcast_to(np.asarray(pad_width, dtype=int), (ndim(a), 2))
    if mode not in ("constant", "edge", "wrap", "reflect", "symmetric", "empty"):
        raise TypeError(f"numpy.pad(mode={mode!r}) is not supported; use 'constant', 'edge', 'wrap', 'reflect' or 'symmetric'")
    if kwargs.get("reflect_type", "even") != "even":
        refuse("pad", reflect_type=kwargs["reflect_type"])
    for ax in range(ndim(a)):
        before, after = (int(w) for w in widths[ax])
        n = shape(a)[ax]
        if mode in ("constant", "empty"):
            cv = np.broadcast_to(np.asarray(kwargs.get("constant_values", 0), dtype=float), (ndim(a), 2))[ax]
            s = list(shape(a))
            parts = []
            if before:
                s[ax] = before
                parts.append(np.full(tuple(s), cv[0]))
            parts.append(a)
            if after:
                s[ax] = after
                parts.append(np.full(tuple(s), cv[1]))
            a = concatenate(parts, ax) if len(parts) > 1 else a
            continue
        idx = np.pad(np.arange(n), (before, after), mode=mode)  # NumPy's own index map for this mode
        a = a[(slice(None),) * ax + (idx,)]
    return a


@register(np.resize)
def resize(a: Any, new_shape: Any) -> Any:
    s = _tuple(new_shape)
    flat = ravel(a)
    total = int(np.prod(s))
    return reshape(flat[np.arange(total) % builtins.max(1, shape(flat)[0])], s)


# --- astype between floating types: linear, the cotangent cast back ---
_astype = linear(
    "astype",
    lambda x, dtype: np.astype(x, dtype),
    lambda i, g, xs, y, dtype: np.astype(g, np.result_type(plain(xs[0]))),
    batched=lambda d, k, dtype: np.astype(d, dtype),
)


if hasattr(np, "astype"):

    @register(np.astype)
    def astype(x: Any, dtype: Any, /, *, copy: bool = True, device: Any = None) -> Any:
        if np.dtype(dtype).kind not in "fc":
            raise TypeError(f"astype({np.dtype(dtype)}) would drop the derivative; use np.floor or np.rint to round, or x.value")
        return _astype(x, dtype=np.dtype(dtype))


# --- questions about shape, and copies (Duals and Vars are immutable: a copy is the number itself) ---
@register(np.shape)
def _shape(a: Any) -> tuple[int, ...]:
    return shape(a) if not isinstance(a, (list, tuple)) else np.shape(np.asarray(a, dtype=object))


@register(np.ndim)
def _ndim(a: Any) -> int:
    return ndim(a) if not isinstance(a, (list, tuple)) else np.ndim(np.asarray(a, dtype=object))


@register(np.size)
def _size(a: Any, axis: Any = None) -> int:
    return int(np.prod(_shape(a))) if axis is None else _shape(a)[axis]


@register(np.copy)
def copy(a: Any, *args: Any, **kwargs: Any) -> Any:
    dtype = kwargs.get("dtype", args[0] if args and not isinstance(args[0], str) else None)
    if dtype is not None and np.dtype(dtype).kind not in "fcO":
        raise TypeError(f"converting a Dual or Var to a {np.dtype(dtype)} array would drop its derivative; use x.value")
    return a
