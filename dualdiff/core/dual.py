"""The dual number: a value and its derivative, carried together through arithmetic.

With eps**2 = 0, (a + a' eps)(b + b' eps) = ab + (a'b + ab') eps: every operator below computes its
value and, beside it, the derivative by the chain rule. Elementwise functions come from the table
in `rules/table.py`; NumPy's other functions (sum, dot, reshape, ...) are primitives and composites of
the one function table (`core/functions.py`), whose forward maps `apply_primitive` runs.

A derivative may carry several directions at once: then its shape is ``(k,) + value.shape``.
Each differentiation has a tag (a fresh increasing integer); when Duals of two tags meet, the newer
one is the outer number and the older is a constant to it, so nested derivatives never mix.
The tags `derivative` and friends allocate start at `AUTO_TAGS` (10**9); a tag given by hand
(``Dual(..., tag=k)``) must be below it, so the two never collide and hand-made Duals are always
older than (constants to) every automatic differentiation.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable
from typing import Any

import numpy as np

from ..rules import elementwise
from ..rules import table as rules
from ..rules.elementwise import FAST_PATH_MISSES, fresh, scale, scale_by_constant
from . import functions, temporaries
from .number import ArrayNumber, Number, plain, to_objects
from .temporaries import reusable

AUTO_TAGS = 10**9  # the first tag `new_tag` hands out; tags given by hand (tag=k) stay below it
new_tag = itertools.count(AUTO_TAGS).__next__  # thread-safe: a C iterator, never the same tag twice
_new_object = object.__new__
_NUMBERS = (float, int)
_PLAIN = (np.ndarray, float, int, np.float64)

_DROP = (
    "{what} would drop the Dual's derivative. {hint}"
    "If you mean to drop it, use x.value explicitly."
)
_FLOAT_HINT = (
    "Use dualdiff's functions (dualdiff.sin or np.sin) instead of the math module, and build arrays "
    "of Duals with dualdiff.stack instead of writing them into a float array. "
)


def _hand_tag(tag: Any) -> int:
    """A tag given by hand: an integer below AUTO_TAGS, which the automatic tags start at."""
    if isinstance(tag, (bool, np.bool_)) or not isinstance(tag, (int, np.integer)):
        raise TypeError(f"Dual(..., tag=...) takes an integer tag, not {type(tag).__name__}")
    if tag >= AUTO_TAGS:
        raise ValueError(
            f"Dual(..., tag={tag}): tags from {AUTO_TAGS} up are reserved for the differentiations that "
            f"derivative, gradient, ... start; pick a hand-made tag below {AUTO_TAGS} (the larger tag "
            "is the outer number; hand-made tags are constants to every automatic one)"
        )
    return int(tag)


def _new(v: Any, d: Any, t: int) -> Dual:
    r = _new_object(Dual if type(v) is float or not getattr(v, "ndim", 0) else DualArray)
    r._v = v
    r._d = d
    r._t = t
    return r


def _as_value(x: Any) -> Any:
    t = type(x)
    if t is float or isinstance(x, Dual):
        return x
    if t is int or t is bool or isinstance(x, np.integer) or isinstance(x, np.bool_):
        return float(x)
    if t is np.float64:
        return float(x)
    if isinstance(x, (np.floating, np.complexfloating, complex)):
        return x
    if isinstance(x, (list, tuple, np.ndarray)):
        a = np.asarray(x)
        if a.dtype == object:
            raise TypeError(
                "Dual() needs numbers or a float array; to build an array of Duals use dualdiff.stack"
            )
        if a.dtype.kind in "biu":
            return a.astype(float)
        if a.dtype.kind in "fc":
            return a
    raise TypeError(f"Dual() takes a number or an array of them, not {t.__name__}")


def ndim(x: Any) -> int:
    """Number of array dimensions of a value (0 for scalars), Duals included."""
    return getattr(x, "ndim", 0)


def shape(x: Any) -> tuple[int, ...]:
    """Shape of a value (``()`` for scalars), Duals included."""
    return getattr(x, "shape", ())


def is_batched(x: Dual) -> bool:
    """True when ``x`` carries several directions: derivative shape ``(k,) + value.shape``."""
    return ndim(x._d) > ndim(x._v)


def lift(d: Any, vdim: int, outdim: int) -> Any:
    """Insert axes after the direction axis so a batched tangent broadcasts against ``outdim``."""
    if outdim <= vdim:
        return d
    s = shape(d)
    return d.reshape(s[:1] + (1,) * (outdim - vdim) + s[1:])


class Dual(Number):
    """A dual number ``value + derivative * eps`` with ``eps**2 = 0``.

    ``value`` may be a float, a NumPy scalar or an array (then ``derivative`` has the value's shape,
    or ``(k,) + value.shape`` for k directions at once). Duals are immutable.

    ``tag`` (default 0) is for nesting by hand: of two Duals that meet, the one with the larger tag
    is the outer number. A hand-made tag must be an integer below ``AUTO_TAGS`` (10**9): the tags
    that `derivative`, `gradient`, ... allocate are at or above it, so a hand-made Dual is always a
    constant to them and never mistaken for one of theirs.

    Comparisons (``==``, ``<``, ...) look at values; hashing is by identity, so two Duals of equal
    value are still two keys of a dict or set (and ``functools.lru_cache`` never hands one
    differentiation's Dual to another).

    >>> x = Dual(5.0, 1.0)
    >>> y = 2 * x**2 + 2
    >>> y.value, y.derivative
    (52.0, 20.0)
    """

    __slots__ = ("_v", "_d", "_t")
    __array_priority__ = 1000.0
    _v: Any
    _d: Any
    _t: int

    def __new__(cls, value: Any, derivative: Any = 0.0, tag: int = 0) -> Dual:
        # a Dual of an array is a DualArray: indexable. A scalar Dual is not a sequence, so NumPy
        # calls float() when it is written into a float array, and gets our TypeError.
        scalar = isinstance(value, (float, int)) or not np.ndim(value)
        return _new_object(Dual if scalar else DualArray)

    def __init__(self, value: Any, derivative: Any = 0.0, tag: int = 0) -> None:
        v = _as_value(value)
        d = _as_value(derivative)
        vs, ds = shape(v), shape(d)
        if ds != vs:
            if ds == ():
                d = np.full(vs, d)
            elif ds[1:] != vs:
                raise ValueError(
                    f"a Dual's derivative has the value's shape {vs} (or (k,) + {vs} for k "
                    f"directions), not {ds}"
                )
        self._v, self._d, self._t = v, d, _hand_tag(tag)

    @property
    def value(self) -> Any:
        """The primal value."""
        return self._v

    @property
    def derivative(self) -> Any:
        """The derivative (tangent) carried beside the value."""
        return self._d

    @property
    def tag(self) -> int:
        """Which differentiation this Dual belongs to: 0 (or what was given) for Duals built by hand,
        ``AUTO_TAGS`` and up for those of `derivative`, `gradient`, ..."""
        return self._t

    def __reduce__(self) -> tuple[Any, ...]:  # copy and pickle rebuild the same Dual, tag included
        return (_new, (self._v, self._d, self._t))

    # --- arithmetic: value and derivative side by side; plain floats and same-shaped arrays take
    # short paths (the rules' dispatch costs as much as a 100 x 100 tangent's arithmetic), and a
    # float result is built inline (a call to a constructor costs as much as its derivative) ---
    def __add__(self, other: Any) -> Any:
        v = self._v
        to = type(other)
        if type(v) is float:
            if to is Dual and other._t == self._t and type(other._v) is float:
                r = _new_object(Dual)
                r._v, r._d, r._t = v + other._v, self._d + other._d, self._t
                return r
            if to is float or to is int:
                r = _new_object(Dual)
                r._v, r._d, r._t = v + other, self._d, self._t
                return r
        elif _same_arrays(self, other):
            into = None  # a temporary operand, whose arrays take the result (core/temporaries.py)
            if v.size >= temporaries.MIN_SIZE:
                into = self if reusable(self, True, 1, other) else other if reusable(other, False, 0, self) else None
            return _elementwise(np.add, self, other, into)
        elif _array_constant(self, other):
            reuse = v.size >= temporaries.MIN_SIZE and reusable(self, True, 1, other)
            return _new(np.add(v, other, out=v) if reuse else v + other, self._d, self._t)
        return rules.add(self, other)

    def __radd__(self, other: Any) -> Any:
        if type(self._v) is float and (type(other) is float or type(other) is int):
            r = _new_object(Dual)
            r._v, r._d, r._t = other + self._v, self._d, self._t
            return r
        if _array_constant(self, other):
            v = self._v
            reuse = v.size >= temporaries.MIN_SIZE and reusable(self, False, 1, other)
            return _new(np.add(other, v, out=v) if reuse else other + v, self._d, self._t)
        return rules.add(other, self)

    def __sub__(self, other: Any) -> Any:
        v = self._v
        to = type(other)
        if type(v) is float:
            if to is Dual and other._t == self._t and type(other._v) is float:
                r = _new_object(Dual)
                r._v, r._d, r._t = v - other._v, self._d - other._d, self._t
                return r
            if to is float or to is int:
                r = _new_object(Dual)
                r._v, r._d, r._t = v - other, self._d, self._t
                return r
        elif _same_arrays(self, other):
            into = None  # a temporary operand, whose arrays take the result (core/temporaries.py)
            if v.size >= temporaries.MIN_SIZE:
                into = self if reusable(self, True, 1, other) else other if reusable(other, False, 0, self) else None
            return _elementwise(np.subtract, self, other, into)
        elif _array_constant(self, other):
            reuse = v.size >= temporaries.MIN_SIZE and reusable(self, True, 1, other)
            return _new(np.subtract(v, other, out=v) if reuse else v - other, self._d, self._t)
        return rules.subtract(self, other)

    def __rsub__(self, other: Any) -> Any:
        if type(self._v) is float and (type(other) is float or type(other) is int):
            r = _new_object(Dual)
            r._v, r._d, r._t = other - self._v, -self._d, self._t
            return r
        if _array_constant(self, other):
            return _new(other - self._v, -self._d, self._t)
        return rules.subtract(other, self)

    # The short paths below multiply only by nonzero numbers: a zero factor goes to the rules,
    # where a constant 0 times an infinite derivative is 0 (see elementwise.scale_by_constant).
    def __mul__(self, other: Any) -> Any:  # (uv)' = u'v + uv'
        v = self._v
        if type(v) is float:
            to = type(other)
            if to is Dual and other._t == self._t and type(other._v) is float and v and other._v:
                r = _new_object(Dual)
                r._v, r._d, r._t = v * other._v, self._d * other._v + v * other._d, self._t
                return r
            if (to is float or to is int) and other:
                r = _new_object(Dual)
                r._v, r._d, r._t = v * other, self._d * other, self._t
                return r
        elif other is self and type(v) is np.ndarray:  # x * x: (x**2)' = 2 x x', two passes instead of three
            return rules.square(self)
        elif _same_arrays(self, other):
            a, b = None, None
            if v.size >= temporaries.MIN_SIZE:
                if reusable(self, True, 1, other):
                    a, b = self, other
                elif reusable(other, False, 0, self):
                    a, b = other, self
            if a is not None:  # a is a temporary: the product goes into its arrays
                d = a._d
                t = b._d * a._v
                np.multiply(d, b._v, out=d)
                return _new(np.multiply(a._v, b._v, out=a._v), np.add(d, t, out=d), self._t)
            d = self._d * other._v  # one buffer for the tangent: a large temporary costs as much as the product
            d += other._d * v
            return _new(v * other._v, d, self._t)
        elif _array_factor(self, other):
            if v.size >= temporaries.MIN_SIZE and reusable(self, True, 1, other):
                return _new(np.multiply(v, other, out=v), np.multiply(self._d, other, out=self._d), self._t)
            return _new(v * other, self._d * other, self._t)
        return rules.multiply(self, other)

    def __rmul__(self, other: Any) -> Any:
        if type(self._v) is float and (type(other) is float or type(other) is int) and other:
            r = _new_object(Dual)
            r._v, r._d, r._t = other * self._v, other * self._d, self._t
            return r
        if _array_factor(self, other):
            if self._v.size >= temporaries.MIN_SIZE and reusable(self, False, 0, other):
                return _new(np.multiply(other, self._v, out=self._v), np.multiply(other, self._d, out=self._d), self._t)
            return _new(other * self._v, other * self._d, self._t)
        return rules.multiply(other, self)

    def __truediv__(self, other: Any) -> Any:  # (u/v)' = (u' - q v') / v with q = u/v
        v = self._v
        if type(v) is float:
            try:
                if type(other) is Dual:
                    if other._t == self._t and type(other._v) is float and v:
                        q = v / other._v
                        r = _new_object(Dual)
                        r._v, r._d, r._t = q, (self._d - q * other._d) / other._v, self._t
                        return r
                elif type(other) in _NUMBERS:
                    r = _new_object(Dual)
                    r._v, r._d, r._t = v / other, self._d / other, self._t
                    return r
            except ZeroDivisionError:  # IEEE answers (inf, nan) come from the general rule
                pass
        elif type(other) is DualArray and other._t == self._t and type(v) is np.ndarray and type(other._v) is np.ndarray:
            if is_batched(self) == is_batched(other) and v.ndim == other._v.ndim:  # arrays: 3 passes, not 8
                with np.errstate(divide="ignore", invalid="ignore"):
                    reuse = v.size >= temporaries.MIN_SIZE and reusable(self, True, 1, other)
                    qa = np.divide(v, other._v, out=v) if reuse else v / other._v
                    d = qa * other._d
                    if type(d) is np.ndarray and type(self._d) is np.ndarray and d.shape == self._d.shape:
                        np.subtract(self._d, d, out=d)  # (u' - q v') / v in one buffer
                        return _new(qa, np.divide(d, other._v, out=d), self._t)
                    return _new(qa, (self._d - d) / other._v, self._t)  # nested tangents: no buffer to reuse
        return rules.divide(self, other)

    def __rtruediv__(self, other: Any) -> Any:
        v = self._v
        if type(v) is float and type(other) in _NUMBERS and v and other:
            q = other / v
            r = _new_object(Dual)
            r._v, r._d, r._t = q, -q * self._d / v, self._t
            return r
        return rules.divide(other, self)

    def __pow__(self, other: Any) -> Any:  # (u**c)' = c u**(c-1) u', and x**0 has derivative 0
        v = self._v
        if type(v) is float and (type(other) is float or type(other) is int):
            if other == 2 and v:
                r = _new_object(Dual)
                r._v, r._d, r._t = v * v, 2.0 * v * self._d, self._t
                return r
            if other != 0 and v > 0.0:  # no special point: the plain power rule
                try:
                    y = v**other
                    if y > 1e-290:  # else y lost digits to underflow, and c y / x would too: the rule
                        r = _new_object(Dual)
                        r._v, r._d, r._t = y, other * y / v * self._d, self._t
                        return r
                except OverflowError:
                    pass
            elif other == 0:
                r = _new_object(Dual)  # the constant 1
                r._v, r._d, r._t = 1.0, scale_by_constant(0.0, self._d), self._t
                return r
        elif type(v) is np.ndarray and type(other) in _NUMBERS and other == 2 and type(self._d) is np.ndarray:
            return _new(v * v, self._d * (2.0 * v), self._t)  # the square, without the power rule's guards
        return rules.power(self, other)

    def __neg__(self) -> Dual:
        return _new(-self._v, -self._d, self._t)

    def __round__(self, ndigits: int | None = None) -> Any:
        if ndigits is None:
            return rules.rint(self)
        return _new(np.round(plain(self), ndigits), 0.0 * self._d, self._t)

    # Identity, as for Vars: __eq__ compares values (and gives an array for arrays), so hashing the
    # value would let a dict or lru_cache find a different Dual (of a finished differentiation)
    # under an equal value. Distinct live Duals have distinct identity hashes, so a dict lookup
    # only ever matches the same Dual (the `is` check comes before __eq__).
    __hash__ = object.__hash__

    # --- conversions that would lose the derivative refuse, and say what to do ---
    def __float__(self) -> float:
        raise TypeError(_DROP.format(what="float() of a Dual (math functions and float arrays call it)", hint=_FLOAT_HINT))

    def __int__(self) -> int:
        raise TypeError(_DROP.format(what="int() of a Dual", hint="Use np.floor or np.rint to round a Dual. "))

    def __complex__(self) -> complex:
        raise TypeError(_DROP.format(what="complex() of a Dual", hint=""))

    def __index__(self) -> int:
        raise TypeError(_DROP.format(what="Using a Dual as an index", hint=""))

    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
        if dtype is not None and np.dtype(dtype) != object:
            raise TypeError(_DROP.format(what=f"Converting a Dual to a {np.dtype(dtype)} array", hint=_FLOAT_HINT))
        return to_objects(self)


class DualArray(Dual, ArrayNumber):
    """A Dual whose value is an array: it indexes, iterates and has a dtype like one.

    >>> x = Dual([1.0, 2.0, 3.0], [1.0, 0.0, 0.0])
    >>> x[0], len(x), x.dtype
    (Dual(1.0, 1.0), 3, dtype('float64'))
    """

    __slots__ = ()

    # indexing picks the same entries of value and derivative
    def __getitem__(self, index: Any) -> Dual:
        if isinstance(index, Dual):
            raise TypeError(_DROP.format(what="Using a Dual as an index", hint=""))
        v, d = self._v, self._d
        if type(index) is slice and type(v) is np.ndarray and type(d) is np.ndarray:  # x[1:], x[:-1]: views of both
            return _new(v[index], d[:, index] if d.ndim > v.ndim else d[index], self._t)
        v = v[index]
        if is_batched(self):
            d = self._d[(slice(None),) + (index if isinstance(index, tuple) else (index,))]
        else:
            d = self._d[index]
            d = float(d) if type(d) is np.float64 else d
        return _new(float(v) if type(v) is np.float64 else v, d, self._t)

    def __setitem__(self, index: Any, item: Any) -> None:
        raise TypeError(
            "Duals are immutable: build the array instead, e.g. dualdiff.stack([...]) of entries, "
            "np.where(mask, new, x), or np.concatenate of pieces"
        )


def _same_arrays(a: Dual, b: Any) -> bool:
    """b is a Dual of a's tag whose value and tangent are plain arrays of a's shapes (no broadcasting,
    no nesting): the operators' array short paths."""
    return (
        type(b) is DualArray and b._t == a._t and type(a._v) is np.ndarray and type(b._v) is np.ndarray
        and type(a._d) is np.ndarray and type(b._d) is np.ndarray and a._v.shape == b._v.shape and a._d.shape == b._d.shape
    )


def _array_constant(a: Dual, c: Any) -> bool:
    """c is a constant that leaves a's shape and its tangent's kind as they are."""
    tc = type(c)
    return type(a._v) is np.ndarray and (tc is float or tc is int or (tc is np.ndarray and c.shape == a._v.shape and c.dtype.kind in "fi"))


def _array_factor(a: Dual, c: Any) -> bool:
    """`_array_constant`, and a finite nonzero Python number (a 0 or inf factor goes to the rules)."""
    tc = type(c)
    return type(a._v) is np.ndarray and (tc is float or tc is int) and c != 0 and math.isfinite(c) and type(a._d) is np.ndarray


def _elementwise(ufunc: Any, a: Dual, b: Dual, into: Dual | None) -> Dual:
    """a + b or a - b of same-shaped array Duals, into the arrays of ``into`` (a temporary) if given."""
    if into is None:
        return _new(ufunc(a._v, b._v), ufunc(a._d, b._d), a._t)
    return _new(ufunc(a._v, b._v, out=into._v), ufunc(a._d, b._d, out=into._d), a._t)


def apply(rule: elementwise.Elementwise, args: tuple[Any, ...]) -> Dual:
    """Forward mode for one elementwise rule: the value, and the sum of partial * tangent."""
    if len(args) == 1:
        return apply_unary(rule, args[0])
    t = max(a._t for a in args if isinstance(a, Dual))
    xs = tuple(a._v if isinstance(a, Dual) and a._t == t else a for a in args)
    # plain arrays and numbers go straight to the ufunc; nested Duals through the rule again
    y = rule.ufunc(*xs) if all(type(a) in _PLAIN for a in xs) and ndim(xs[0]) + ndim(xs[1]) else rule(*xs)
    outdim = ndim(y)
    tangent: Any = None
    batched = owned = False
    with np.errstate(all="ignore"):
        for i, a in enumerate(args):
            if isinstance(a, Dual) and a._t == t:
                d = a._d
                if is_batched(a):
                    batched = True
                    d = lift(d, ndim(a._v), outdim)
                p = rule.partial(i, xs, y)
                if tangent is not None and type(p) is float and p == -1.0:  # subtract: one pass
                    inplace = owned and type(d) is np.ndarray and shape(tangent) == shape(d)
                    tangent = np.subtract(tangent, d, out=tangent) if inplace else tangent - d
                    owned = type(tangent) is np.ndarray
                    continue
                if rule.own_product is not None:
                    term = rule.own_product(p, d)
                elif rule.bilinear and not _moves(args[1 - i], t):  # c * u, c a constant: c = 0 gives 0
                    term = scale_by_constant(p, d)
                else:
                    term = scale(p, d, rule.fresh_partials and fresh(p, y, *xs))
                if tangent is None:
                    tangent, owned = term, term is not d and fresh(term)
                elif owned and type(term) is np.ndarray and shape(tangent) == shape(term):  # our buffer: no allocation
                    tangent = np.add(tangent, term, out=tangent)
                else:
                    tangent = tangent + term
                    owned = type(tangent) is np.ndarray
    want = ((shape(tangent)[0],) if batched else ()) + shape(y)
    if shape(tangent) != want:
        tangent = np.broadcast_to(tangent, want)
    return _new(y, tangent, t)


def apply_unary(rule: elementwise.Elementwise, x: Dual) -> Dual:
    """Forward mode for a one-argument rule: f(v) and f'(v) * d."""
    v = x._v
    if type(v) is float:  # the hot path: the rule's math twin and its partial on floats, no dispatch
        try:
            y = rule.scalar(v)  # type: ignore[misc]
            p = (rule.on_floats or rule.float_partials())[0](v, y)
        except FAST_PATH_MISSES:  # math raised (log of 0): the rule answers as IEEE arithmetic does
            y = rule(v)
            p = rule.partial(0, (v,), y)
        d = x._d
        if type(d) is float:
            d = p * d
        else:
            with np.errstate(all="ignore"):
                d = scale(p, d)
        out = _new_object(Dual)  # built inline: a call costs as much as the derivative
        out._v, out._d, out._t = y, d, x._t
        return out
    d = x._d
    if type(v) is np.ndarray and type(d) is np.ndarray and v.dtype.kind == "f":  # arrays: no dispatch either
        y = rule.ufunc(v)
        with np.errstate(all="ignore"):
            p = rule.partials[0](v, y)
            if type(p) is not np.ndarray or p.dtype.kind != "f":  # a number, or a selection (bool)
                return _new(y, scale(p, d), x._t)
            if p.shape == d.shape and p.dtype == d.dtype and rule.fresh_partials and fresh(p, v, y):
                return _new(y, np.multiply(p, d, out=p), x._t)
            return _new(y, p * d, x._t)
    if rule.complex_form is not None and np.iscomplexobj(v):
        return rule.complex_form(x)
    y = rule(v)
    with np.errstate(all="ignore"):
        p = rule.partial(0, (v,), y)
        return _new(y, scale(p, d, rule.fresh_partials and fresh(p, v, y)), x._t)


def public_function(rule: elementwise.Elementwise) -> Callable[..., Any]:
    """``rule`` as users call it (``dualdiff.sin``): a plain function, since Python calls a function
    about three times faster than an object's ``__call__``, with the derivative of a float Dual worked
    out inline (a scalar computation is mostly such calls). Anything else goes to the rule itself,
    which ``.rule`` names.

    >>> sin = public_function(rules.sin)
    >>> sin(Dual(0.0, 2.0)), sin.rule is rules.sin
    (Dual(0.0, 2.0), True)
    """
    scalar = rule.scalar or rule  # a rule without a math twin computes floats itself, slower
    partial = None  # the partial on floats, bound on first use (the table's helpers are defined by then)

    def call(x: Any) -> Any:
        nonlocal partial
        if type(x) is Dual:
            v, d = x._v, x._d
            if type(v) is float and type(d) is float:
                if partial is None:
                    partial = rule.float_partials()[0]
                try:
                    y = scalar(v)
                    p = partial(v, y)
                except FAST_PATH_MISSES:  # math raised (log of 0): apply_unary answers as IEEE arithmetic does
                    return apply_unary(rule, x)
                out = _new_object(Dual)
                out._v, out._d, out._t = y, p * d, x._t
                return out
            return apply_unary(rule, x)
        return rule(x)

    def call_rule(*args: Any) -> Any:  # two arguments or more: the rule's own dispatch
        return rule(*args)

    fn: Callable[..., Any] = call if rule.unary else call_rule
    fn.__name__ = fn.__qualname__ = rule.name
    fn.__doc__ = rule.__doc__
    fn.__module__ = "dualdiff"
    fn.rule = rule  # type: ignore[attr-defined]
    return fn


def _moves(a: Any, t: int) -> bool:
    return isinstance(a, Dual) and a._t == t


# --- the careful pass: telling a zero of the function from a zero of the point ---
# The tags of careful passes (api/forward.py runs one when a derivative comes out nan, and the tape
# when a gradient does). A Dual of such a tag stands for a tangent (or a gradient): its value is the
# tangent, and its derivative part says, entry by entry, whether it depends on the seed at all (nan)
# or cannot (0). A zero that cannot move makes 0 of an infinite partial; any other zero (x**3 or
# x - x at 0: a zero of the point) meets it as nan, which is honest, since cbrt(x**3) has slope 1.
DEPENDENCE: set[int] = set()


def seed_dependence(seed: Any, tag: int) -> Dual:
    """``seed`` as a careful tangent of tag ``tag``: every nonzero entry depends on the seed.

    >>> seed_dependence(np.array([1.0, 0.0]), 7)
    Dual(array([1., 0.]), array([nan,  0.]), tag=7)
    """
    flags = np.where(np.asarray(seed) != 0, np.nan, 0.0)
    return _new(seed, float(flags) if flags.ndim == 0 else flags, tag)


def _careful(p: Any, d: Any, constant: bool) -> Any:
    """scale(p, d) for a careful tangent d; None for any other Dual."""
    if d._t not in DEPENDENCE:
        return None
    t, w = d._v, plain(d._d)
    with np.errstate(all="ignore"):
        prod = scale_by_constant(p, t) if constant else scale(p, t)
        if constant and np.any(plain(p) == 0):  # times a constant 0: the product cannot move either
            w = np.where(plain(p) == 0, 0.0, w)
        still = (plain(t) == 0) & (w == 0)
        if np.any(still) and has_nan(prod):  # a nan at any level of a nested product
            prod = np.where(still, 0.0, prod)
            if type(prod) is np.ndarray and prod.ndim == 0:  # a scalar stays a Python number
                prod = prod.item()
    s = shape(prod)
    if shape(w) != s:
        w = np.broadcast_to(w, s)
    return _new(prod, float(w) if s == () and not isinstance(w, float) else w, d._t)


def foreign_array(x: Any) -> bool:
    """An array of another library that follows NumPy's protocols (Dask, CuPy): a payload the rules
    compute on with its own functions, never converted to NumPy (a Dask array stays lazy).

    >>> foreign_array(np.ones(2)), foreign_array(np.float64(1.0)), foreign_array([1.0])
    (False, False, False)
    """
    return (
        not isinstance(x, (np.ndarray, np.generic, Number))
        and (hasattr(x, "__array_function__") or hasattr(x, "__array_namespace__"))
        and hasattr(x, "dtype")
    )


def has_nan(x: Any) -> bool:
    """Does x (a number, array, or Dual at any depth) hold a nan? For a foreign array (a lazy Dask
    array) it says no rather than compute it.

    >>> has_nan(np.array([1.0, np.inf])), has_nan(Dual(1.0, float("nan"))), has_nan(3)
    (False, True, False)
    """
    if type(x) is np.ndarray and x.dtype == np.float64:  # the common case, first: one pass, nothing else
        low = x.min() if x.size else 0.0  # min propagates a nan: no temporary array
        return bool(low != low)
    while isinstance(x, Dual):
        if has_nan(x._d):
            return True
        x = x._v
    if isinstance(x, (float, complex)):
        return x != x
    if foreign_array(x):
        return False
    a = np.asarray(x)
    if a.dtype.kind not in "fc":
        return False
    if a.dtype.kind == "c":
        return bool(np.isnan(a).any())
    low = a.min() if a.size else 0.0  # min propagates a nan: one pass, no temporary array
    return bool(low != low)


def batch(x: Dual) -> tuple[int, ...]:
    """``(k,)`` when ``x`` carries k directions, else ``()``: prepend it to derivative shapes."""
    return shape(x._d)[:1] if is_batched(x) else ()


def apply_primitive(prim: functions.Primitive, xs: tuple[Any, ...], params: dict[str, Any]) -> Any:
    """Forward mode for a primitive of the function table: its value, and its jvp of the tangents."""
    if len(xs) == 1:
        return _apply_one(prim, xs[0], params)
    t = -1
    for x in xs:
        if isinstance(x, Dual) and x._t > t:
            t = x._t
    if not prim.analytic and t in functions.HOLOMORPHIC:
        functions.not_analytic(prim.name)
    vals: list[Any] = []  # one loop over the operands: this runs for every concatenate, stack, where
    ds: list[Any] = []
    k: tuple[int, ...] = ()
    for x in xs:
        if isinstance(x, Dual) and x._t == t:
            vals.append(x._v)
            ds.append(x._d)
            if not k and ndim(x._d) > ndim(x._v):
                k = shape(x._d)[:1]
        else:
            vals.append(x)
            ds.append(None)
    y = prim.value(*vals, **params)
    if prim.linear:
        d = prim.jvp(ds, tuple(vals), y, k, **params)
    else:
        with np.errstate(all="ignore"):
            d = prim.jvp(ds, tuple(vals), y, k, **params)
    if isinstance(y, tuple):
        return tuple(_dual_of(a, b, k, t) for a, b in zip(y, d, strict=True))
    return _dual_of(y, d, k, t)


def _apply_one(prim: functions.Primitive, x: Dual, params: dict[str, Any]) -> Any:
    """`apply_primitive` for one operand (reshape, sum, transpose, inv, ...): no tags to compare.
    A linear map is applied to the tangent directly, without floating-point guards it cannot need."""
    v, d = x._v, x._d
    if not prim.analytic and x._t in functions.HOLOMORPHIC:
        functions.not_analytic(prim.name)
    k = shape(d)[:1] if ndim(d) > ndim(v) else ()
    y = prim.value(v, **params)
    if prim.tangent is not None:
        return _dual_of(y, prim.tangent(d, k, params), k, x._t)
    with np.errstate(all="ignore"):
        dy = prim.jvp([d], (v,), y, k, **params)
    if isinstance(y, tuple):
        return tuple(_dual_of(a, b, k, x._t) for a, b in zip(y, dy, strict=True))
    return _dual_of(y, dy, k, x._t)


def _dual_of(y: Any, d: Any, k: tuple[int, ...], t: int) -> Any:
    """A result Dual; a constant output (d None: an integer, a sign) stays a plain value."""
    if type(y) is np.ndarray and type(d) is np.ndarray and y.ndim and d.shape == k + y.shape:  # the common case
        r = _new_object(DualArray)
        r._v, r._d, r._t = y, d, t
        return r
    if d is None:
        return y
    y = float(y) if type(y) is np.float64 or (type(y) is np.ndarray and y.ndim == 0 and y.dtype == np.float64) else y
    want = k + shape(y)
    if shape(d) != want:
        d = np.broadcast_to(d, want)
    elif type(d) is np.float64 or (type(d) is np.ndarray and d.ndim == 0 and d.dtype == np.float64):
        d = float(d)
    return _new(y, d, t)


for _cls in (Dual, DualArray):
    elementwise.HANDLERS[_cls] = (1, apply)
    elementwise.CAREFUL[_cls] = _careful
    elementwise.UNARY[_cls] = apply_unary
    functions.HANDLERS[_cls] = (1, apply_primitive)


def lift_batched(d: Any, k: tuple[int, ...], outdim: int) -> Any:
    """A tangent (with k directions on a leading axis, or none) made to broadcast against ``outdim`` dims."""
    return lift(d, ndim(d) - 1, outdim) if k else d


def unbroadcast(g: Any, target: tuple[int, ...]) -> Any:
    """A cotangent summed down to an operand's shape: the transpose of broadcasting it."""
    s = shape(g)
    if s == target:
        return g
    lead = len(s) - len(target)
    axes = tuple(range(lead)) + tuple(lead + i for i, n in enumerate(target) if n == 1 and s[lead + i] != 1)
    g = np.sum(g, axis=axes) if axes else g
    return np.reshape(g, target) if shape(g) != target else g
