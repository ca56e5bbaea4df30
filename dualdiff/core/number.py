"""What the two number types, `Dual` (forward) and `Var` (reverse), share: operators without a fast
path, comparisons, NumPy's protocols (NEP 13 ufuncs and their methods, NEP 18 functions) and the
ndarray-like methods. Each is written once here, so the two modes cannot drift apart.

Comparisons look at values only: a branch picks a piece of a piecewise function, and the
derivative of that piece is exact.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import numpy as np

from ..rules import table as rules
from ..rules.elementwise import BY_UFUNC, UNARY, Elementwise, rule_for
from .functions import FUNCTIONS, no_rule, refuse


def value_of(x: Any) -> Any:
    """One level of value: a Dual's or Var's ``.value``, anything else as it is."""
    return x.value if isinstance(x, Number) else x


def plain(x: Any) -> Any:
    """The innermost value: no Dual or Var at any level (indices, flags and branches use it)."""
    while isinstance(x, Number):
        x = x.value
    return x


def show(v: Any, spec: str = "") -> str:
    """A value as the reprs of Dual and Var show it: a NumPy scalar as its number (``1.5``, not
    ``np.float64(1.5)``), an array as NumPy prints it; a format ``spec`` applies to every number.

    >>> show(np.float32(1.5)), show(np.float64(2.0), ".2f"), show(np.array([1.0, 2.5]), ".2f")
    ('1.5', '2.00', 'array([1.00, 2.50])')
    """
    if isinstance(v, Number):
        return format(v, spec) if spec else repr(v)
    if isinstance(v, np.ndarray) and spec:
        body = np.array2string(v, separator=", ", prefix="array(", formatter={"all": lambda e: format(e, spec)})
        return f"array({body})"
    if isinstance(v, np.generic):
        return format(v, spec) if spec else str(v)
    return format(v, spec) if spec else repr(v)


class Number:
    """Base of Dual and Var: the operators, protocols and methods they share.

    >>> from dualdiff import Dual
    >>> x = Dual(7.5, 1.0)
    >>> (x // 2).derivative, (x % 2).derivative, x > 7, abs(-x).derivative
    (0.0, 1.0, True, 1.0)
    """

    __slots__ = ()
    value: Any

    # the arithmetic through the rules; Dual and Var override these with their short paths
    def __add__(self, other: Any) -> Any:
        return rules.add(self, other)

    def __radd__(self, other: Any) -> Any:
        return rules.add(other, self)

    def __sub__(self, other: Any) -> Any:
        return rules.subtract(self, other)

    def __rsub__(self, other: Any) -> Any:
        return rules.subtract(other, self)

    def __mul__(self, other: Any) -> Any:
        return rules.multiply(self, other)

    def __rmul__(self, other: Any) -> Any:
        return rules.multiply(other, self)

    def __truediv__(self, other: Any) -> Any:
        return rules.divide(self, other)

    def __rtruediv__(self, other: Any) -> Any:
        return rules.divide(other, self)

    def __pow__(self, other: Any) -> Any:
        return rules.power(self, other)

    def __neg__(self) -> Any:
        return rules.negative(self)

    def __rpow__(self, other: Any) -> Any:
        return rules.power(other, self)

    def __floordiv__(self, other: Any) -> Any:
        return rules.floor_divide(self, other)

    def __rfloordiv__(self, other: Any) -> Any:
        return rules.floor_divide(other, self)

    def __mod__(self, other: Any) -> Any:
        return rules.remainder(self, other)

    def __rmod__(self, other: Any) -> Any:
        return rules.remainder(other, self)

    def __divmod__(self, other: Any) -> tuple[Any, Any]:
        return rules.floor_divide(self, other), rules.remainder(self, other)

    def __rdivmod__(self, other: Any) -> tuple[Any, Any]:
        return rules.floor_divide(other, self), rules.remainder(other, self)

    def __pos__(self) -> Any:
        return self

    def __abs__(self) -> Any:
        return rules.absolute(self)

    def __matmul__(self, other: Any) -> Any:
        return np.matmul(self, other)

    def __rmatmul__(self, other: Any) -> Any:
        return np.matmul(other, self)

    def __floor__(self) -> Any:
        return rules.floor(self)

    def __ceil__(self) -> Any:
        return rules.ceil(self)

    def __trunc__(self) -> Any:
        return rules.trunc(self)

    def __lt__(self, other: Any) -> Any:
        return self.value < value_of(other)

    def __le__(self, other: Any) -> Any:
        return self.value <= value_of(other)

    def __gt__(self, other: Any) -> Any:
        return self.value > value_of(other)

    def __ge__(self, other: Any) -> Any:
        return self.value >= value_of(other)

    def __eq__(self, other: Any) -> Any:  # type: ignore[override]
        return self.value == value_of(other)

    def __ne__(self, other: Any) -> Any:  # type: ignore[override]
        return self.value != value_of(other)

    def __bool__(self) -> bool:
        return bool(self.value)

    def __repr__(self) -> str:
        return self._text("")

    def __format__(self, spec: str) -> str:
        """``f"{y:.3f}"``: the repr with ``spec`` applied to every number, value and derivative alike
        (each entry of an array); an empty spec is ``str(y)``.

        >>> from dualdiff import Dual
        >>> y = Dual(1.0, 2.0) / 3
        >>> f"{y:.3f}", f"{Dual([1.0, 2.0], [0.5, 0.25]):.1e}"
        ('Dual(0.333, 0.667)', 'Dual(array([1.0e+00, 2.0e+00]), array([5.0e-01, 2.5e-01]))')
        """
        return self._text(spec) if spec else str(self)

    def _text(self, spec: str) -> str:
        """``Dual(value, derivative[, tag=t])`` or ``Var(value[, name=... or op=...])``, each number by `show`."""
        parts = [show(self.value, spec)]
        derivative = getattr(self, "derivative", None)  # a Dual's; a Var shows its name or op instead
        if derivative is not None:
            tag = getattr(self, "tag", 0)
            parts += [show(derivative, spec)] + ([f"tag={tag}"] if tag else [])
        else:
            name, op = getattr(self, "name", ""), getattr(self, "op", "")
            parts += [f"name={name!r}"] if name else [f"op={op!r}"] if op else []
        return f"{type(self).__name__.removesuffix('Array')}({', '.join(parts)})"

    @property
    def shape(self) -> tuple[int, ...]:
        return getattr(self.value, "shape", ())

    @property
    def ndim(self) -> int:
        return getattr(self.value, "ndim", 0)

    @property
    def size(self) -> int:
        return int(np.prod(self.shape))

    # --- NumPy's protocols ---
    def __array_ufunc__(self, ufunc: Any, method: str, *inputs: Any, **kwargs: Any) -> Any:
        if method == "__call__" and not kwargs:  # the common case: np.sin(x), ndarray * x
            rule = BY_UFUNC.get(ufunc)
            if rule is not None:
                if len(inputs) == 1:
                    h = UNARY.get(type(inputs[0]))  # straight to the number type's handler
                    return rule(inputs[0]) if h is None or not rule.unary else h(rule, inputs[0])
                if not any(_is_objects(a) for a in inputs):
                    return rule(*inputs)
        return ufunc_call(ufunc, method, inputs, kwargs)

    def __array_function__(self, func: Any, types: Any, args: Any, kwargs: Any) -> Any:
        impl = FUNCTIONS.get(func)
        if impl is None:
            no_rule(f"numpy.{qualname(func)}")
        return impl(*args, **kwargs)

    # --- methods that mirror ndarray's, so that x.sum(axis=0) and x.T read as they do on arrays ---
    def reshape(self, *shape: Any, order: str = "C") -> Any:
        return np.reshape(self, shape[0] if len(shape) == 1 else shape, order=order)

    def transpose(self, *axes: Any) -> Any:
        return np.transpose(self, (axes[0] if len(axes) == 1 else axes) or None)

    @property
    def T(self) -> Any:
        return np.transpose(self)

    @property
    def mT(self) -> Any:
        return np.swapaxes(self, -1, -2)

    @property
    def real(self) -> Any:
        return np.real(self)

    @property
    def imag(self) -> Any:
        return np.imag(self)

    def flatten(self, order: str = "C") -> Any:
        return np.ravel(self, order)

    def conj(self) -> Any:
        return np.conjugate(self)

    conjugate = conj

    def astype(self, dtype: Any, *args: Any, **kwargs: Any) -> Any:
        dt = np.dtype(dtype)
        if dt.kind == "O":
            return np.asarray(self, dtype=object)
        if dt.kind not in "fc":
            raise TypeError(f"x.astype({dt}) would drop the derivative; use np.floor or np.rint to round, or x.value")
        return self if dt == getattr(self.value, "dtype", np.dtype(float)) else np.astype(self, dt)

    def tolist(self) -> Any:
        return np.asarray(self, dtype=object).tolist()

    def item(self, *index: Any) -> Any:
        if not index:
            if self.size != 1:
                raise ValueError("can only convert an array of size 1 to a Python scalar")
            return np.reshape(self, ())
        return self[index[0] if len(index) == 1 else index]  # type: ignore[index]

    def sort(self, *args: Any, **kwargs: Any) -> None:
        raise TypeError("Duals and Vars are immutable, so x.sort() cannot sort in place: use x = np.sort(x)")

    def fill(self, value: Any) -> None:
        raise TypeError("Duals and Vars are immutable, so x.fill() cannot write in place: use np.full_like(x, value)")


def _forward_method(f: Any) -> Callable[..., Any]:
    return lambda self, *a, **k: f(self, *a, **k)


# the rest of ndarray's methods are the NumPy function of the same name
for _name in (
    "sum", "mean", "prod", "max", "min", "ptp", "cumsum", "cumprod", "var", "std", "clip", "argmax", "argmin", "argsort",
    "trace", "diagonal", "repeat", "take", "round", "nonzero", "any", "all", "ravel", "swapaxes", "squeeze", "dot", "copy",
    "searchsorted", "compress", "choose", "argpartition", "partition",
):
    if not hasattr(Number, _name):
        setattr(Number, _name, _forward_method(getattr(np, _name)))


class ArrayNumber(Number):
    """What array-valued Duals and Vars add: a length and iteration. Scalars have none of them, so
    that NumPy never takes a scalar for a sequence; indexing is each mode's own."""

    __slots__ = ()

    @property
    def dtype(self) -> Any:  # scalars have none: NumPy would then call float() on them (np.mean of objects)
        return self.value.dtype

    def __len__(self) -> int:
        return len(self.value)

    def __iter__(self) -> Iterator[Any]:
        for i in range(len(self)):
            yield self[i]  # type: ignore[index]


def rule_method(rule: Any) -> Callable[..., Any]:
    """A method that applies ``rule`` to self: object arrays of Duals or Vars call x.sin(), x.hypot(y)."""
    return lambda self, *others: rule(self, *others)


def add_rule_method(rule: Elementwise) -> None:
    """Let object arrays of Duals and Vars find ``rule`` as a method (NumPy calls x.sin() on them)."""
    if rule.name.isidentifier() and not hasattr(Number, rule.name):
        setattr(Number, rule.name, rule_method(rule))


for _rule in vars(rules).values():
    if isinstance(_rule, Elementwise):
        add_rule_method(_rule)


def qualname(func: Any) -> str:
    """``linalg.solve`` for np.linalg.solve, ``sum`` for np.sum: how error messages name a function."""
    mod = getattr(func, "__module__", "numpy") or "numpy"
    name = getattr(func, "__name__", repr(func))
    return name if mod in ("numpy", "numpy.core") else f"{mod.removeprefix('numpy.')}.{name}"


# --- object arrays: what np.asarray(number) gives, for library code that calls it ---
def _is_objects(a: Any) -> bool:
    return isinstance(a, np.ndarray) and a.dtype == object


def from_objects(a: Any) -> Any:
    """One Dual or Var from an object array (or nested list) of scalar ones and numbers.

    This is how results come back from library code that called ``np.asarray`` on a Dual.

    >>> from dualdiff import Dual
    >>> from_objects([Dual(1.0, 1.0), 2.0, Dual(3.0, 0.5)])
    Dual(array([1., 2., 3.]), array([1. , 0. , 0.5]))
    """
    a = np.asarray(a, dtype=object)
    flat = list(a.flat)
    if not any(isinstance(e, Number) for e in flat):
        return np.array(flat).reshape(a.shape) if flat else np.zeros(a.shape)
    return np.reshape(np.stack(flat), a.shape)


def to_objects(x: Number) -> np.ndarray:
    """An object array of scalar Duals or Vars, each keeping its derivative (slower, but exact)."""
    out = np.empty(x.shape, dtype=object)
    if x.shape == ():
        out[()] = x
    for i in np.ndindex(*x.shape) if x.shape else ():
        out[i] = x[i]  # type: ignore[index]
    return out


# --- ufuncs called with keywords, and the ufunc methods (reduce, accumulate, outer, at, reduceat) ---
_REDUCE = {np.add: np.sum, np.multiply: np.prod, np.maximum: np.max, np.minimum: np.min, np.fmax: np.nanmax, np.fmin: np.nanmin}
_ACCUMULATE = {np.add: np.cumsum, np.multiply: np.cumprod}
# gufuncs of NumPy 2 that are products: their einsum subscripts
_GUFUNC_PRODUCTS = {"vecdot": "...i,...i->...", "matvec": "...ij,...j->...i", "vecmat": "...i,...ij->...j"}


def ufunc_call(ufunc: Any, method: str, inputs: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    """A ufunc or one of its methods on Duals and Vars: the rule table for values, NumPy's
    functions for the methods, and a clear TypeError for what would drop a derivative."""
    out = kwargs.pop("out", None)
    if method != "at" and any(o is not None for o in (out if isinstance(out, tuple) else (out,))):
        refuse(f"{ufunc.__name__}", out=out)
    if method == "at":
        raise TypeError(
            f"numpy.{ufunc.__name__}.at writes into an array in place, which cannot carry a derivative "
            "(Duals and Vars are immutable); build the result instead, e.g. with np.where or np.concatenate"
        )
    inputs = tuple(from_objects(a) if _is_objects(a) else a for a in inputs)
    boolean = all(t[-1] == "?" for t in ufunc.types if "O" not in t)
    dtype = kwargs.pop("dtype", None)
    if dtype is not None and np.dtype(dtype).kind not in "fc" and not boolean:
        raise TypeError(f"numpy.{ufunc.__name__}(..., dtype={np.dtype(dtype)}) would drop the derivative; leave dtype= out")
    if method == "__call__" and ufunc in FUNCTIONS:  # matmul, vecdot, ...: registered like NumPy's functions
        return FUNCTIONS[ufunc](*inputs, **kwargs)
    if method == "__call__":
        refuse(ufunc.__name__, where=kwargs.pop("where", None))
        kwargs.pop("casting", None)
        kwargs.pop("order", None)
        kwargs.pop("subok", None)
        if kwargs:
            refuse(ufunc.__name__, **kwargs)
        return _call(ufunc, inputs)
    if method == "reduce":
        return _reduce(ufunc, inputs[0], **kwargs)
    if method == "accumulate":
        return _accumulate(ufunc, inputs[0], **kwargs)
    if method == "outer" and not kwargs:
        a, b = inputs
        return ufunc(np.reshape(a, np.shape(a) + (1,) * np.ndim(b)), b)
    if method == "reduceat":
        return _reduceat(ufunc, *inputs, **kwargs)
    no_rule(f"numpy.{ufunc.__name__}.{method}" + (f" with {', '.join(sorted(kwargs))}=" if kwargs else ""))


def _call(ufunc: Any, inputs: tuple[Any, ...]) -> Any:
    rule = rule_for(ufunc)
    if rule is not None:
        return rule(*inputs)
    impl = FUNCTIONS.get(ufunc)  # matmul, conjugate, ...: registered like NumPy's functions
    if impl is not None:
        return impl(*inputs)
    if ufunc.__name__ in _GUFUNC_PRODUCTS:
        return np.einsum(_GUFUNC_PRODUCTS[ufunc.__name__], *inputs)
    if all(t[-1] in "?bBhHiIlLqQ" for t in ufunc.types if "O" not in t):
        return ufunc(*[plain(a) for a in inputs])  # comparisons, isnan, signbit, integer functions: no derivative
    no_rule(f"{_module(ufunc)}.{ufunc.__name__}")


def _module(ufunc: Any) -> str:
    """scipy.special for SciPy's ufuncs, numpy for NumPy's: how error messages name them."""
    return "numpy" if getattr(np, ufunc.__name__, None) is ufunc else "scipy.special"


def _reduce(ufunc: Any, a: Any, axis: Any = 0, dtype: Any = None, keepdims: bool = False, initial: Any = None, where: Any = True) -> Any:
    if all(t[-1] == "?" for t in ufunc.types if "O" not in t):
        return ufunc.reduce(plain(a), axis=axis, keepdims=keepdims, where=plain(where))
    if ufunc in _REDUCE and (initial is None or ufunc is not np.fmax and ufunc is not np.fmin):
        kw: dict[str, Any] = {"axis": axis, "keepdims": keepdims}
        if initial is not None:
            kw["initial"] = initial
        if where is not True:
            kw["where"] = where
        return _REDUCE[ufunc](a, **kw)
    rule = rule_for(ufunc)
    if rule is None or rule.nargs != 2:
        no_rule(f"numpy.{ufunc.__name__}.reduce")
    refuse(f"{ufunc.__name__}.reduce", where=where)
    if axis is None:
        a, axis = np.ravel(a), 0
    axes = tuple(sorted(x % np.ndim(a) for x in (axis if isinstance(axis, tuple) else (axis,))))
    r = a
    for ax in reversed(axes):  # one axis at a time, left to right along each: NumPy's order
        b = np.moveaxis(r, ax, 0)
        r = b[0] if initial is None else rule(initial, b[0])
        for i in range(1, np.shape(b)[0]):
            r = rule(r, b[i])
    if keepdims:
        r = np.expand_dims(r, axes)
    return r


def _accumulate(ufunc: Any, a: Any, axis: int = 0, dtype: Any = None) -> Any:
    if ufunc in _ACCUMULATE:
        return _ACCUMULATE[ufunc](a, axis=axis)
    rule = rule_for(ufunc)
    if rule is None or rule.nargs != 2:
        no_rule(f"numpy.{ufunc.__name__}.accumulate")
    b = np.moveaxis(a, axis, 0)
    rows = [b[0]]
    for i in range(1, np.shape(b)[0]):
        rows.append(rule(rows[-1], b[i]))
    return np.moveaxis(np.stack(rows), 0, axis)


def _reduceat(ufunc: Any, a: Any, indices: Any, axis: int = 0, dtype: Any = None) -> Any:
    idx = [int(i) for i in np.asarray(indices)]
    b = np.moveaxis(a, axis, 0)
    n = np.shape(b)[0]
    parts = []
    for j, i in enumerate(idx):
        end = idx[j + 1] if j + 1 < len(idx) else n
        parts.append(ufunc.reduce(b[i:end], axis=0) if end > i else b[i])
    return np.moveaxis(np.stack(parts), 0, axis)
