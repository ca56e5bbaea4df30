"""Taylor mode: a number that carries a truncated Taylor series, x(t) = c0 + c1 t + ... + cK t**K.

A Dual is such a series cut after c1. Carrying K + 1 coefficients, the same arithmetic gives the
k-th derivative (k! ck) of everything computed from x, at a cost that grows as K**2, where K nested
Duals cost 2**K. `Taylor` keeps the coefficients on a leading axis (``coefficients[k]`` has the
value's shape) and a tag, like a Dual, so that Taylor numbers and Duals nest in both directions:
of two that meet, the newer tag is the outer number and the older a constant to it (its
coefficients may then be Duals, or a Dual's parts Taylor numbers).

How an elementwise rule y = f(u) gets its coefficients. From y' = f'(u) u',

    y_k = (1/k) sum_{j=1..k} j u_j w_{k-j},        w = f'(u), a series itself,

and y_k needs w only up to order k - 1, which depends on u and y only up to order k - 1.

- The general scheme reads the rule table (`rules/table.py`): the rule's partials are NumPy
  expressions of the arguments and the result ``out``; evaluated on Taylor numbers of order K - 1
  they give the series w (their own rules recurse the same way, one order lower). A partial that
  does not use ``out`` needs one such evaluation. One that does (exp's is ``out`` itself) is
  circular: it is first evaluated with ``out``'s coefficients past the value set to nan; if no nan
  comes out, it did not use them. Otherwise it is iterated: out correct to order m gives w correct
  to order m, hence y correct to order m + 1, so at most K rounds (stopping at a fixed point) give
  every order exactly. That costs K evaluations, and a partial that calls its own rule (expit's
  ``out * expit(-x)``) would recurse into K more at each order: while the scheme runs, results are
  therefore remembered by the coefficients they were computed from (`_MEMO`), so each sub-expression
  is evaluated once per round of new coefficients. The table's own rules that use ``out`` have the
  hand-written recurrences of `core/series.py`; the fallback serves SciPy's and users' rules.
- Hand-written recurrences (`series.RECURRENCES`, in core/series.py), each O(K**2) and evaluated order by order: add, subtract,
  multiply (the Cauchy product), divide, power with a constant exponent, sqrt, cbrt, exp, exp2,
  expm1, the logarithms, sin and cos together (s' = c u', c' = -s u'), sinh and cosh together,
  tan (w = 1 + y**2), tanh (w = 1 - y**2), and the table's helpers the logistic (w = y - y**2), sech
  and the norm's square root, where present. They are cheaper than the general scheme (one pass,
  no partial to evaluate) and exact where it would have to iterate. w_0 comes from the table where
  it is more accurate than the recurrence's own (tanh's 1/cosh**2 near saturation).
- Partials that are constants (abs, sign, floor, maximum, deg2rad, ...) give y_k = w u_k.

Conventions (docs/conventions.md), at every order: a constant 0 factor makes a product 0, and a
selection (maximum's, a step's partial) picks a series or nothing; otherwise products of
coefficients are IEEE (0 times inf is nan: a zero series may be a truncated or cancelled one, so
it cannot say that the input stays still); where the value is nan every
coefficient is nan; a piecewise rule follows the piece its value is on (abs at ±0.0 by the sign bit,
maximum at a tie the second argument), so its series is that piece's series.

NumPy's other functions (`core/functions.py`): a linear primitive (sum, reshape, concatenate,
where, ...) maps each coefficient; the products matmul and einsum are multilinear, so their
coefficients are Cauchy products; any other primitive (inv, det, ...) raises a TypeError naming it.

>>> import numpy as np
>>> x = Taylor([0.5, 1.0, 0.0, 0.0])        # x = 0.5 + t
>>> y = np.exp(x)
>>> bool(np.allclose(y.coefficients, np.exp(0.5) / np.array([1, 1, 2, 6])))
True
"""

from __future__ import annotations

import math
import operator
from collections.abc import Callable
from typing import Any

import numpy as np

from ..rules import elementwise
from . import dual, functions
from .dual import AUTO_TAGS, Dual
from .number import ArrayNumber, Number, from_objects, plain, to_objects
from .series import RECURRENCES, by_constant, constant_series, mul, sum0, weights

_new_object = object.__new__
_PLAIN = (np.ndarray, float, int, np.floating, np.integer)


class Taylor(Number):
    """A truncated Taylor series: ``coefficients[k]`` is the k-th coefficient (f^(k)/k!), and
    ``coefficients[0]`` the value. Arithmetic, NumPy's elementwise functions and its linear ones
    carry the whole series. `dualdiff.taylor` builds these; by hand, ``tag`` (default 0) says which
    of two nested numbers is the outer one (the larger), as for a Dual, and must be below AUTO_TAGS.

    >>> t = Taylor([2.0, 1.0, 0.0])             # 2 + t, to order 2
    >>> (t * t).coefficients                     # (2 + t)**2 = 4 + 4t + t**2
    array([4., 4., 1.])
    >>> t.value, t.order
    (2.0, 2)
    """

    __slots__ = ("_c", "_t")
    __array_priority__ = 1000.0
    _c: Any
    _t: int

    def __new__(cls, coefficients: Any, tag: int = 0) -> Taylor:
        return _new_object(Taylor if np.ndim(coefficients) <= 1 else TaylorArray)

    def __init__(self, coefficients: Any, tag: int = 0) -> None:
        c = coefficients if isinstance(coefficients, Number) else np.asarray(coefficients, dtype=float)
        if np.ndim(c) < 1 or len(c) < 1:
            raise ValueError("a Taylor number needs its coefficients on a leading axis: [value, c1, c2, ...]")
        if isinstance(tag, (bool, np.bool_)) or not isinstance(tag, (int, np.integer)) or tag >= AUTO_TAGS:
            raise ValueError(f"Taylor(..., tag=...) takes an integer tag below {AUTO_TAGS} (larger ones are automatic)")
        self._c, self._t = c, int(tag)

    @property
    def coefficients(self) -> Any:
        """The coefficients, ``(order + 1,) + value.shape``: the value, f', f''/2!, ..."""
        return self._c

    @property
    def value(self) -> Any:
        """The value: the zeroth coefficient."""
        v = self._c[0]
        return float(v) if type(v) is np.float64 else v

    @property
    def order(self) -> int:
        """The highest power of t carried."""
        return len(self._c) - 1

    @property
    def tag(self) -> int:
        """Which expansion this number belongs to (the larger tag is the outer number)."""
        return self._t

    def __reduce__(self) -> tuple[Any, ...]:
        return (_new, (self._c, self._t))

    def __repr__(self) -> str:
        tag = f", tag={self._t}" if self._t else ""
        return f"Taylor({self._c!r}{tag})"

    def __neg__(self) -> Any:
        return _new(-self._c, self._t)

    __hash__ = object.__hash__  # identity, as for Duals: __eq__ compares values

    def __float__(self) -> float:
        raise TypeError(
            "float() of a Taylor number would drop its higher coefficients. Use dualdiff's functions "
            "(np.sin, dualdiff.sin) rather than the math module; if you mean to drop them, use x.value."
        )

    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
        if dtype is not None and np.dtype(dtype) != object:
            raise TypeError(f"converting a Taylor number to a {np.dtype(dtype)} array would drop its higher coefficients; use x.value")
        return to_objects(self)


class TaylorArray(Taylor, ArrayNumber):
    """A Taylor number whose value is an array: it indexes and iterates like one.

    >>> x = TaylorArray([[1.0, 2.0], [1.0, 0.0]])
    >>> x[1].coefficients, len(x)
    (array([2., 0.]), 2)
    """

    __slots__ = ()

    def __getitem__(self, index: Any) -> Taylor:
        if isinstance(index, Number):
            raise TypeError("a Taylor number cannot be an index; use x.value")
        return _new(self._c[(slice(None),) + (index if isinstance(index, tuple) else (index,))], self._t)

    def __setitem__(self, index: Any, item: Any) -> None:
        raise TypeError("Taylor numbers are immutable: build the array instead (np.where, np.concatenate, dualdiff.stack)")


_TAYLORS = (Taylor, TaylorArray)


def _new(c: Any, t: int) -> Taylor:
    r = _new_object(TaylorArray if np.ndim(c) > 1 else Taylor)
    r._c, r._t = c, t
    return r


def make(coefficients: Any, tag: int) -> Taylor:
    """A Taylor number of an automatic tag (for `dualdiff.taylor`, which allocates it)."""
    return _new(coefficients, tag)


# --- operands: whose expansion is this, and its coefficients broadcast to one shape ---
def _newest(args: tuple[Any, ...]) -> tuple[int, int] | None:
    """(tag, order) of the outermost Taylor number among ``args``; None when a newer Dual is outer."""
    tag, dual_tag, order = -1, -1, 0
    for a in args:
        if isinstance(a, Taylor):
            if a._t > tag:
                tag, order = a._t, a.order
            elif a._t == tag:
                order = min(order, a.order)  # the common part: the higher coefficients of one are unknown
        elif isinstance(a, Dual):
            dual_tag = max(dual_tag, a._t)
        elif isinstance(a, Number):
            raise TypeError(
                f"Taylor numbers do not mix with {type(a).__name__} (the reverse-mode tape): take the Taylor "
                "expansion outside the taped function, or use nested derivative calls (forward mode) instead"
            )
    if dual_tag == tag:
        raise ValueError(f"a Dual and a Taylor number share the tag {tag}: give nested numbers different tags")
    return None if dual_tag > tag else (tag, order)


def _full(c: Any, K: int, s: tuple[int, ...]) -> Any:
    """Coefficients ``(K+1,) + s``: cut to order K and broadcast to the operands' common shape."""
    c = c[: K + 1]
    cs = np.shape(c)[1:]
    if cs == s:
        return c
    return np.broadcast_to(np.reshape(c, (K + 1,) + (1,) * (len(s) - len(cs)) + cs), (K + 1,) + s)


def _operands(args: tuple[Any, ...], t: int, K: int) -> tuple[list[Any], list[Any], tuple[int, ...]]:
    """The operands' values (a constant as it is) and coefficients (None for a constant)."""
    xs, cs = [], []
    for a in args:
        if isinstance(a, Taylor) and a._t == t:
            xs.append(a.value)
            cs.append(a._c)
        else:
            xs.append(np.asarray(a, dtype=float) if isinstance(a, (list, tuple)) else a)
            cs.append(None)
    s = np.broadcast_shapes(*(np.shape(x) if not isinstance(x, Number) else x.shape for x in xs))
    return xs, [None if c is None else _full(c, K, s) for c in cs], s


def _complex(c: Any) -> bool:
    while isinstance(c, Number):
        c = c.value
    return np.iscomplexobj(c)


# --- the general scheme: the rule's partials, evaluated on Taylor numbers one order lower ---
def _general(rule: elementwise.Elementwise, y0: Any, xs: list[Any], cs: list[Any], K: int, s: tuple[int, ...], t: int) -> Any:
    lower = tuple(x if c is None else _new(c[:K], t) for x, c in zip(xs, cs, strict=True))
    moving = [i for i, c in enumerate(cs) if c is not None]
    jw = weights(K, s)

    def orders(out: Any) -> Any:
        total: Any = None
        for i in moving:
            w = rule.partial(i, lower, out)
            if isinstance(w, Taylor) and w._t == t:
                wc = _full(w._c, K - 1, s)
                ju = jw * cs[i][1:]
                term: Any = np.stack([sum0(mul(ju[:k], wc[k - 1 :: -1])) / k for k in range(1, K + 1)])
            else:  # a constant partial (abs, maximum, floor, deg2rad, ...): y_k = w u_k
                term = by_constant(w, cs[i][1:])
            total = term if total is None else total + term
        return total

    if K == 1:
        with np.errstate(all="ignore"):
            return orders(_new(constant_series(y0, 0, s), t))
    outermost = _MEMO[0] is None
    if outermost:
        _MEMO[0] = {}
    try:
        return _first_then_iterate(orders, y0, K, s, t)
    finally:
        if outermost:
            _MEMO[0] = None


def _first_then_iterate(orders: Callable[[Any], Any], y0: Any, K: int, s: tuple[int, ...], t: int) -> Any:
    with np.errstate(all="ignore"):
        first = constant_series(y0, K - 1, s)
        if isinstance(first, np.ndarray):
            first[1:] = np.nan  # out's unknown coefficients: a nan that comes through says the partial read them
        else:
            first = np.concatenate([first[:1], np.full((K - 1,) + s, np.nan)])
        y = orders(_new(first, t))
        return y if not _leaked(y, y0) else _iterate(orders, y, y0, K, s, t)


def _iterate(orders: Callable[[Any], Any], y: Any, y0: Any, K: int, s: tuple[int, ...], t: int) -> Any:
    """Rounds of y = orders(out), out = y0 and y's orders below K: each fixes one more order."""
    with np.errstate(all="ignore"):
        for _ in range(K):  # out correct to order m gives y correct to m + 1: at most K rounds
            out = np.concatenate([constant_series(y0, 0, s), y[: K - 1]])
            again = orders(_new(out, t))
            if _same(again, y):
                break
            y = again
        return y


# While the general scheme iterates, the same sub-expressions of a partial come back each round with the
# same coefficients (expit's partial out * expit(-x): only out changes). Results are remembered by
# content for the length of the outermost iteration, so a partial that calls its own rule costs a
# power of K, not K factorial. Keys hold the coefficients themselves: a hit is the same computation.
_MEMO: list[dict[Any, Any] | None] = [None]


def _key(rule: elementwise.Elementwise, args: tuple[Any, ...]) -> Any:
    parts: list[Any] = [id(rule)]
    for a in args:
        if isinstance(a, Taylor) and type(a._c) is np.ndarray:
            parts.append((a._t, a._c.shape, a._c.dtype.str, a._c.tobytes()))
        elif type(a) is float:
            parts.append(a.hex())  # -0.0 and 0.0 apart (abs's sign bit), a nan equal to itself
        elif type(a) is int:
            parts.append(a)
        elif type(a) is np.ndarray:
            parts.append((a.shape, a.dtype.str, a.tobytes()))
        else:
            return None  # Duals inside: not remembered
    return tuple(parts)


def _leaked(y: Any, y0: Any) -> bool:
    """Did a nan reach the coefficients where the value is not nan?"""
    if isinstance(y, np.ndarray) and not isinstance(y0, Number):
        return bool(np.any(np.isnan(y) & ~np.isnan(np.asarray(y0, dtype=float))))
    return _any_nan(y)


def _any_nan(x: Any) -> bool:
    if isinstance(x, Dual):
        return _any_nan(x.value) or _any_nan(x.derivative)
    if isinstance(x, Taylor):
        return _any_nan(x._c)
    return bool(np.any(np.isnan(x)))


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, Dual) and isinstance(b, Dual):
        return _same(a.value, b.value) and _same(a.derivative, b.derivative)
    if isinstance(a, Number) or isinstance(b, Number):
        return False
    return bool(np.array_equal(a, b, equal_nan=True))


# --- the handlers: elementwise rules and primitives on Taylor numbers ---
def apply(rule: elementwise.Elementwise, args: tuple[Any, ...]) -> Any:
    """An elementwise rule on Taylor numbers (and constants, and Duals of older tags)."""
    memo = _MEMO[0]
    if memo is not None:
        key = _key(rule, args)
        if key is not None:
            hit = memo.get(key)
            if hit is None:
                hit = memo[key] = _apply(rule, args)
            return hit
    return _apply(rule, args)


def _apply(rule: elementwise.Elementwise, args: tuple[Any, ...]) -> Any:
    found = _newest(args)
    if found is None:
        return dual.apply(rule, args)  # a newer Dual is the outer number: forward mode, Taylor values inside
    t, K = found
    xs, cs, s = _operands(args, t, K)
    if any(c is not None and _complex(c) for c in cs) or any(_complex(x) for x in xs):
        raise TypeError(f"Taylor mode takes real numbers; {rule.name} got a complex one (expand the real and imaginary parts)")
    y0 = rule(*xs)
    if K == 0:
        return _new(constant_series(y0, 0, np.shape(plain(y0))), t)
    with np.errstate(all="ignore"):
        hand = RECURRENCES.get(rule)
        higher = hand(y0, xs, cs, K, s) if hand is not None else None
        if higher is None:
            higher = _general(rule, y0, xs, cs, K, s, t)
    return _new(_assemble(y0, higher, cs, K, s), t)


def apply_unary(rule: elementwise.Elementwise, x: Any) -> Any:
    return apply(rule, (x,))


def _assemble(y0: Any, higher: Any, cs: list[Any], K: int, s: tuple[int, ...]) -> Any:
    """Value and orders 1..K as one coefficient array; a nan value has nan coefficients."""
    if isinstance(higher, list):
        higher = np.stack(higher)
    if isinstance(y0, Number) or isinstance(higher, Number):
        return np.concatenate([np.reshape(np.broadcast_to(y0, s), (1,) + s), np.broadcast_to(higher, (K,) + s)])
    c = np.empty((K + 1,) + s)
    c[0] = y0
    c[1:] = higher
    # No "an input whose coefficients past the value are 0 moves nothing" here: a zero series may be
    # a truncated one (x**4 to order 3: sqrt of it is x**2, not 0) or a cancellation (x - x), so an
    # infinite slope beside it gives nan, never a guessed 0. A constant 0 factor does give 0.
    if np.isnan(c[0]).any():
        c[1:] = np.where(np.isnan(c[0]), np.nan, c[1:])
    return c


# products: multilinear in their operands, so a coefficient of the result is a Cauchy sum
MULTILINEAR = {"matmul", "einsum"}


def apply_primitive(prim: functions.Primitive, xs: tuple[Any, ...], params: dict[str, Any]) -> Any:
    """A primitive of the function table on Taylor numbers: linear ones map each coefficient,
    products are Cauchy sums, and anything else is refused with the function's name."""
    found = _newest(xs)
    if found is None:
        return dual.apply_primitive(prim, xs, params)
    t, K = found
    mine = [isinstance(x, Taylor) and x._t == t for x in xs]
    cs = [x._c[: K + 1] if m else None for x, m in zip(xs, mine, strict=True)]
    vals = tuple(x.value if m else x for x, m in zip(xs, mine, strict=True))
    if prim.linear:
        if len(xs) == 1 and prim.tangent is not None:
            c = prim.tangent(cs[0], (K + 1,), params)
        else:
            y0 = prim.value(*vals, **params)
            full = [c if c is not None else constant_series(x, K, np.shape(plain(x))) for c, x in zip(cs, vals, strict=True)]
            c = prim.jvp(full, vals, y0, (K + 1,), **params)
        return _result(c, t)
    if prim.name in MULTILINEAR:
        moving = [i for i, m in enumerate(mine) if m]
        rows = []
        for k in range(K + 1):
            total: Any = None
            for split in _splits(k, len(moving)):
                ops = list(vals)
                for i, j in zip(moving, split, strict=True):
                    ops[i] = cs[i][j]  # type: ignore[index]
                term = prim.value(*ops, **params)
                total = term if total is None else total + term
            rows.append(total)
        return _result(np.stack(rows), t)
    raise TypeError(
        f"Taylor mode has no rule for numpy.{prim.name}: only elementwise functions, linear maps (sum, reshape, "
        "concatenate, where, ...) and products (matmul, einsum) carry Taylor coefficients. Use nested "
        "derivative calls (or hessian) for a function through it."
    )


def _splits(k: int, m: int) -> list[tuple[int, ...]]:
    """The ways to write k as an ordered sum of m nonnegative integers."""
    if m == 1:
        return [(k,)]
    return [(j, *rest) for j in range(k + 1) for rest in _splits(k - j, m - 1)]


def _result(c: Any, t: int) -> Any:
    if isinstance(c, tuple):  # a primitive with several outputs
        return tuple(_result(e, t) for e in c)
    if c is None:
        return None
    return _new(c, t)


for _cls in _TAYLORS:
    elementwise.HANDLERS[_cls] = (3, apply)  # above Dual (1) and Var (2): the tags then decide
    elementwise.UNARY[_cls] = apply_unary
    functions.HANDLERS[_cls] = (3, apply_primitive)


def check_order(order: Any, fn: str) -> int:
    """The order of an expansion: a nonnegative integer (not a bool, not a float).

    >>> check_order(3, "taylor")
    3
    >>> check_order(2.5, "taylor")
    Traceback (most recent call last):
    TypeError: taylor(..., order=2.5): the order is a whole number of derivatives (an int)
    """
    if isinstance(order, (bool, np.bool_)) or not isinstance(order, (int, np.integer)):
        raise TypeError(f"{fn}(..., order={order!r}): the order is a whole number of derivatives (an int)")
    if order < 0:
        raise ValueError(f"{fn}(..., order={order}): the order must be 0 or more")
    return operator.index(order)


def kth_derivative(coefficients: Any, k: int) -> Any:
    """k! times the k-th coefficient: the k-th derivative (a float for a scalar).

    >>> kth_derivative(np.array([1.0, 1.0, 0.5, 1 / 6]), 3)
    1.0
    """
    d = coefficients[k] * float(math.factorial(k))
    return float(d) if type(d) is np.float64 else d


def expand(f: Callable[[Any], Any], x: Any, v: Any, order: int, tag: int) -> Any:
    """The Taylor coefficients of t -> f(x + t v) to ``order``, in the expansion ``tag`` (the caller
    allocates it and keeps it live): an array ``(order + 1,) + f(x).shape``.

    >>> import numpy as np
    >>> expand(np.exp, 0.0, 1.0, 3, 10**9 - 1)
    array([1.        , 1.        , 0.5       , 0.16666667])
    """
    if _complex(x) or _complex(v):
        raise TypeError("taylor and derivative(..., order=k) take a real point and direction")
    s = np.shape(plain(x)) if isinstance(x, Number) else np.shape(x)
    if isinstance(x, Number):
        seed = np.stack([np.broadcast_to(x, s), np.broadcast_to(v, s)][: order + 1] + [np.zeros(s)] * (order - 1))
    else:
        seed = np.zeros((order + 1,) + s)
        seed[: min(order, 1) + 1] = (x, v)[: order + 1]
    r = f(_new(seed, tag))
    return _read(r, tag, order)


def _read(r: Any, tag: int, K: int) -> Any:
    """The result's coefficients in the expansion ``tag``; a constant has zeros past its value."""
    if isinstance(r, Taylor) and r._t == tag:
        return r._c
    if isinstance(r, (Taylor, Dual)) and r._t > tag:  # leaked from a finished call: only its value means something now
        return _read(r.value, tag, K)
    if isinstance(r, (list, tuple)) or (isinstance(r, np.ndarray) and r.dtype == object):
        return _read(from_objects(r), tag, K)
    if not isinstance(r, Number):
        a = np.asarray(r)
        if a.dtype.kind not in "biuf":
            raise TypeError(f"taylor expands functions that return real numbers or arrays of them, not {type(r).__name__}")
        return constant_series(a.astype(float), K, a.shape)
    return constant_series(r, K, np.shape(plain(r)))

