"""Forward mode for the user, each function a thin layer over one Dual evaluation
(`modes.py` puts these and reverse mode's behind one ``mode=`` argument).

Every call takes a fresh tag, seeds its input with it, and reads back only its own tag's part,
so calls nest (hessians, derivatives inside functions being differentiated) without mixing. A tag
is live while its call runs. A Dual of a finished call that a closure kept, found inside a result,
counts as its value (a constant, as the arithmetic took it), so no call ever returns another,
finished call's Dual; a result that is wholly such a Dual (a memoised result of an earlier call)
is refused. Results must be numbers: a tuple holding a string, None or a dict is refused.
Arrays of n inputs are seeded with up to ``chunk`` directions at once: n/chunk vectorized passes.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

import numpy as np

from ..core.dual import AUTO_TAGS, DEPENDENCE, Dual, DualArray, _new, foreign_array, has_nan, new_tag, seed_dependence, shape
from ..core.functions import HOLOMORPHIC
from ..core.number import Number, from_objects
from ..core.taylor import check_order, expand, kth_derivative

F = TypeVar("F", bound=Callable[..., Any])
CHUNK_BUDGET = 2**20  # entries of the seed matrix (chunk * n) one pass may hold


def default_chunk(n: int) -> int:
    """How many directions one pass carries for n inputs: all of them while chunk * n <= 2**20.

    >>> default_chunk(10), default_chunk(1000), default_chunk(4096)
    (10, 1000, 256)
    """
    return max(1, min(n, CHUNK_BUDGET // max(n, 1)))


# The tags of the differentiations running now (in any thread). A Dual whose tag was allocated
# (AUTO_TAGS and up) but is not here belongs to a differentiation that has finished: a cache or a
# closure kept it. Only its value means something now; its derivative belongs to that finished
# call and is never handed out as if it were a number of this one.
_LIVE: set[int] = set()
_DUALS = (Dual, DualArray)


def _start(x: Any = None) -> int:
    """A fresh tag, live until the caller's ``finally: _finish(tag)``; a complex input point makes it
    a differentiation of a holomorphic function (a step that is not complex-analytic then refuses)."""
    tag = new_tag()
    _LIVE.add(tag)
    if x is not None and np.iscomplexobj(x) and not isinstance(x, Number):
        HOLOMORPHIC.add(tag)
    return tag


def _finish(tag: int) -> None:
    _LIVE.discard(tag)
    HOLOMORPHIC.discard(tag)


def _dead(t: int) -> bool:
    return t >= AUTO_TAGS and t not in _LIVE


def _live(x: Any) -> Any:
    """``x`` without the Duals of finished differentiations (each replaced by its value), at any depth.

    Hand-made Duals (tags below AUTO_TAGS) and those of running differentiations stay as they are.
    """
    if not isinstance(x, Dual):
        return x
    if _dead(x._t):
        return _live(x._v)
    v, d = _live(x._v), _live(x._d)
    return x if v is x._v and d is x._d else _new(v, d, x._t)


_STALE = (
    "the function returned a {kind} of a differentiation that had finished before this one started "
    "(a cache or a closure kept it from an earlier call): it does not depend on this call's input, and "
    "its derivative belongs to that call. Keep only plain values across calls (x.value), or compute "
    "the result again"
)


def _refuse_stale(r: Any, tag: int) -> None:
    """A result (or an entry of a tuple or list) that is a whole Dual or Var of a differentiation
    finished before ``tag`` began is a memoised result of an earlier call: refuse it rather than
    give its derivative as 0. (Inside a result of this call such a Dual is a constant, as it was
    when the arithmetic used it, and counts as its value.)"""
    stack = [r]
    while stack:
        e = stack.pop()
        if isinstance(e, Number):
            t = e._t  # type: ignore[attr-defined]
            if t < tag and _dead(t):
                raise TypeError(_STALE.format(kind=type(e).__name__))
        elif isinstance(e, (list, tuple)):
            stack.extend(e)
        elif isinstance(e, np.ndarray) and e.dtype == object:
            stack.extend(e.flat)


_NUMBER_TYPES = (float, int, complex, np.number, np.bool_)
_FINE = (Number, *_NUMBER_TYPES)
_NOT_NUMBERS = (
    "dualdiff differentiates functions that return numbers or arrays of numbers (a tuple or list of "
    "them is one array): return only the numbers, and pass anything else out another way (e.g. "
    "append it to a list the function closes over)"
)


def _check_numbers(r: Any) -> None:
    """Refuse a result that is not numbers: a string, None or a dict inside a tuple would otherwise
    be read as a constant (a derivative of 0), or turn into nan."""
    stack = [r]
    while stack:
        e = stack.pop()
        if isinstance(e, _FINE):
            continue
        if isinstance(e, np.ndarray):
            if e.dtype == object:
                stack.extend(e.flat)
                continue
            if e.dtype.kind in "biufc":
                continue
        elif isinstance(e, (list, tuple)):
            stack.extend(e)
            continue
        what = type(e).__name__ if not isinstance(e, np.ndarray) else f"array of dtype {e.dtype}"
        inside = "" if e is r else f"{type(r).__name__} holding a "
        shown = repr(e)
        shown = shown if len(shown) <= 40 else shown[:37] + "..."
        raise TypeError(f"the function returned a {inside}{what} ({shown}); {_NOT_NUMBERS}")


def _part(r: Any, tag: int, tangent: bool) -> Any:
    """The value (tangent=False) or derivative (True) of result ``r`` for the differentiation ``tag``.

    None stands for a zero derivative. A Dual of a newer tag, or of an older one that has finished,
    has leaked out of a differentiation (a closure or a cache kept it): only its value is
    meaningful now, and no Dual of a finished differentiation is ever part of what is returned.
    """
    if isinstance(r, Dual):
        t = r._t
        if t == tag:
            return _live(r._d if tangent else r._v)
        if t > tag or _dead(t):
            return _part(r._v, tag, tangent)
        return None if tangent else _live(r)
    if isinstance(r, (list, tuple)) or (isinstance(r, np.ndarray) and r.dtype == object):
        return _part(_one(r), tag, tangent)
    _check_numbers(r)
    return None if tangent else r


def _one(r: Any) -> Any:
    """A result as one Dual or array: a tuple, list or object array of numbers (Duals among them)
    becomes one; anything that is not numbers is refused."""
    _check_numbers(r)
    if isinstance(r, (list, tuple)) or (isinstance(r, np.ndarray) and r.dtype == object):
        return from_objects(np.array(r, dtype=object) if isinstance(r, (list, tuple)) else r)
    return r


def _evaluate(f: Callable[..., Any], x: Any, seed: Any, tag: int) -> tuple[Any, Any]:
    """f's value and derivative along ``seed``: a fast pass, then a careful one if a nan came out."""
    value, d = _evaluate_once(f, x, seed, seed, tag)
    if _nan_beyond(value, d):
        value, d = _evaluate_carefully(f, x, seed, tag)
    return value, d


def _nan_beyond(value: Any, d: Any) -> bool:
    """A nan in the derivative where the value is not nan (0 times inf somewhere on the way)?"""
    if not has_nan(d):
        return False
    if isinstance(d, Dual) or isinstance(value, Dual):
        return True
    with np.errstate(invalid="ignore"):
        return bool(np.any(np.isnan(d) & ~np.isnan(value)))


def _evaluate_carefully(f: Callable[..., Any], x: Any, seed: Any, tag: int) -> tuple[Any, Any]:
    """f again, each tangent carrying which entries depend on the seed (see core/dual.DEPENDENCE),
    so that 0 times inf is 0 only where the zero cannot move, and nan where it is a zero of the point."""
    dep, again = new_tag(), new_tag()  # dep < again: the careful tangents are constants to f's Duals
    _LIVE.update((dep, again))
    DEPENDENCE.add(dep)
    if tag in HOLOMORPHIC:
        HOLOMORPHIC.add(again)
    try:
        value, d = _evaluate_once(f, x, seed_dependence(seed, dep), seed, again)
    finally:
        DEPENDENCE.discard(dep)
        _finish(dep)
        _finish(again)
    return _live(value), _live(d)  # dep has finished: its Duals count as their values, the tangents


def _evaluate_once(f: Callable[..., Any], x: Any, seed: Any, plain_seed: Any, tag: int) -> tuple[Any, Any]:
    r = f(_new(x, seed, tag))
    if type(r) in _DUALS and r._t == tag:  # the common case: a Dual of this call
        v, d = r._v, r._d
        return (_live(v) if isinstance(v, Dual) else v), (_live(d) if isinstance(d, Dual) else d)
    _refuse_stale(r, tag)
    r = _one(r)
    value = _part(r, tag, False)
    d = _part(r, tag, True)
    if d is None:
        zshape = shape(plain_seed)[: np.ndim(plain_seed) - len(shape(x))] + shape(value)
        d = np.zeros(zshape) if zshape else 0.0
    return value, d


def _input(x: Any, name: str = "x", complex_ok: bool = False) -> Any:
    """An input point: a float, a float array, or (nested calls) a Dual or Var as it is; a list
    holding Duals or Vars becomes one of them. A complex point (``complex_ok``) stays complex."""
    if type(x) is np.ndarray and x.dtype == np.float64:  # the common case: nothing to check or convert
        return x
    if isinstance(x, Number):
        return x
    if x is None:  # np.asarray(None, float) is nan: a missing point must not become a nan derivative
        raise TypeError(f"{name} must be a number or an array of numbers, not None")
    if foreign_array(x):  # a Dask or CuPy array stays what it is: the rules run on its own functions
        return x if getattr(x.dtype, "kind", "f") in "fc" else x.astype(float)
    if np.iscomplexobj(x) if not isinstance(x, (list, tuple)) else any(isinstance(e, complex) for e in np.ravel(np.asarray(x, object))):
        if complex_ok:
            return complex(x) if np.ndim(x) == 0 else np.asarray(x, dtype=complex)
        raise TypeError(
            f"{name} is complex: a real-valued function has no complex derivative. derivative, jacobian and jvp take a "
            "complex point for a holomorphic f (giving f'(z)); otherwise split z = a + 1j * b and differentiate in a and b"
        )
    if isinstance(x, (bool, int, float, np.number)):
        return float(x)
    try:
        return np.asarray(x, dtype=float)
    except (TypeError, ValueError):
        objects = np.asarray(x, dtype=object) if isinstance(x, (list, tuple)) else None
        if objects is not None and any(isinstance(e, Number) for e in objects.flat):
            return from_objects(objects)
        raise TypeError(f"{name} must be a number or an array of numbers, not {type(x).__name__}") from None


def float_dtype(x: Any) -> np.dtype | None:
    """The floating dtype a leaf's derivatives keep: a float32 array's or scalar's (lists, integers
    and float64 give None: float64, as the computation runs)."""
    if isinstance(x, (np.ndarray, np.floating)) and x.dtype.kind == "f" and x.dtype != np.float64:
        return x.dtype
    return None


def keep_dtype(r: Any, dtype: np.dtype | None) -> Any:
    """A plain float result cast to ``dtype`` (a leaf's floating dtype); anything else as it is."""
    if dtype is None or isinstance(r, Number):
        return r
    if isinstance(r, np.ndarray) and r.dtype.kind == "f":
        return r.astype(dtype)
    if isinstance(r, (float, np.floating)):
        return dtype.type(r)
    if isinstance(r, tuple):  # jvp's and vjp's (value, derivative)
        return tuple(keep_dtype(e, dtype) for e in r)
    return r


def keeps_dtype(fn: F) -> F:
    """``fn(f, x, ...)`` with its result in x's floating dtype (float32 in, float32 out)."""

    @functools.wraps(fn)
    def kept(f: Callable[..., Any], x: Any, *args: Any, **kwargs: Any) -> Any:
        return keep_dtype(fn(f, x, *args, **kwargs), float_dtype(x))

    return kept  # type: ignore[return-value]


def _scalar_input(x: Any, fn: str) -> Any:
    x = _input(x, complex_ok=True)
    if shape(x) != ():
        raise ValueError(f"{fn}(f, x) takes a scalar x (got shape {shape(x)}); for arrays use gradient or jacobian")
    return x


@keeps_dtype
def derivative(f: Callable[[Any], Any], x: Any, order: int = 1) -> Any:
    """f'(x) at a scalar x; f may return a scalar or an array (then the result has its shape).
    ``order=k`` gives the k-th derivative, from one Taylor-mode pass (cost k**2, not 2**k).

    >>> derivative(lambda x: 2 * x**2 + 2, 5.0)
    20.0
    >>> derivative(lambda x: x * derivative(lambda y: x + y, 1.0), 1.0)  # tags keep them apart
    1.0
    >>> derivative(lambda x: x**5, 1.0, order=3)                          # 60 x**2
    60.0
    """
    order = check_order(order, "derivative")
    x = _scalar_input(x, "derivative")
    tag = _start(x)
    try:
        if order != 1:
            return kth_derivative(expand(f, x, 1.0, order, tag), order)
        return _evaluate(f, x, 1.0, tag)[1]
    finally:
        _finish(tag)


def _directions(x: Any, chunk: int | None) -> Iterator[np.ndarray]:
    n = math.prod(shape(x))
    k = default_chunk(n) if chunk is None else int(chunk)
    if k < 1:
        raise ValueError(f"chunk must be a positive number of directions, not {chunk}")
    for start in range(0, n, k):  # k >= n: one pass, the identity
        m = min(k, n - start)
        seed = np.zeros(m * n)
        seed[start :: n + 1] = 1.0  # the ones at (i, start + i), i < m, through a flat view (np.eye costs twice as much)
        yield seed.reshape((m,) + shape(x))


def jacobian(f: Callable[[Any], Any], x: Any, chunk: int | None = None) -> Any:
    """The Jacobian of f at x, of shape ``f(x).shape + x.shape``, in n/chunk vectorized passes.

    >>> import numpy as np
    >>> jacobian(lambda x: np.stack([x[0] * x[1], x[0] + 3 * x[1]]), [2.0, 5.0])
    array([[5., 2.],
           [1., 3.]])
    """
    x = _input(x, complex_ok=True)
    tag = _start(x)
    try:
        parts = [_evaluate(f, x, seed, tag) for seed in _directions(x, chunk)]
        if not parts:  # x has no entries
            return np.zeros(shape(_part(f(x), tag, False)) + shape(x))
    finally:
        _finish(tag)
    value = parts[0][0]
    t = parts[0][1] if len(parts) == 1 else np.concatenate([d for _, d in parts], axis=0)
    if type(t) is np.ndarray:  # directions last: a transpose (np.moveaxis costs more)
        t = t.T if t.ndim == 2 else t.transpose(tuple(range(1, t.ndim)) + (0,))
    else:  # a Dual of an outer differentiation
        t = np.moveaxis(t, 0, -1)
    want = shape(value) + shape(x)
    return t if shape(t) == want else np.reshape(t, want)


def gradient(f: Callable[[Any], Any], x: Any, chunk: int | None = None) -> Any:
    """The gradient of a scalar-valued f at x (an array or list), with x's shape, in n/chunk passes.

    >>> gradient(lambda x: x[0] ** 2 + 3 * x[1], [1.0, 2.0])
    array([2., 3.])
    """
    return jacobian(_scalar_valued(f), _input(x), chunk)  # a complex x is refused: see _input


def _scalar_valued(f: Callable[[Any], Any]) -> Callable[[Any], Any]:
    def checked(z: Any) -> Any:
        r = _one(f(z))  # a tuple (y, "aux") is refused here, (y1, y2) has shape (2,)
        if shape(r) != ():
            raise ValueError(
                f"gradient needs f to return a scalar, but it returned shape {shape(r)}; "
                "use jacobian(f, x) for vector-valued functions"
            )
        return r

    return checked


def hessian(f: Callable[[Any], Any], x: Any, chunk: int | None = None) -> Any:
    """The Hessian of a scalar-valued f at x, of shape ``x.shape + x.shape`` (forward over forward).

    >>> hessian(lambda x: x[0] ** 2 * x[1], [1.0, 2.0])
    array([[4., 2.],
           [2., 0.]])
    """
    x = _input(x)
    if shape(x) == ():
        return derivative(lambda z: derivative(f, z), x)
    return jacobian(lambda z: gradient(f, z, chunk), x, chunk)


@keeps_dtype
def jvp(f: Callable[[Any], Any], x: Any, v: Any) -> tuple[Any, Any]:
    """``(f(x), J v)`` in one forward pass. ``v`` has x's shape, or ``x.shape + (k,)`` for k directions
    at once (then J v has shape ``f(x).shape + (k,)``).

    >>> jvp(lambda x: x[0] * x[1], [2.0, 5.0], [1.0, 0.0])
    (10.0, 5.0)
    """
    x = _input(x, complex_ok=True)
    v = _input(v, "v", complex_ok=True)
    if shape(v) == shape(x) or shape(v)[:-1] == shape(x):
        tag = _start(x)
        try:
            if shape(v) == shape(x):
                return _evaluate(f, x, v, tag)
            value, d = _evaluate(f, x, np.moveaxis(v, -1, 0), tag)
            return value, np.moveaxis(d, 0, -1)
        finally:
            _finish(tag)
    raise ValueError(f"v must have x's shape {shape(x)} (or {shape(x)} + (k,) for k directions), not {shape(v)}")
