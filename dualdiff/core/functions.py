"""The machinery behind NumPy's non-elementwise functions on Duals (NEP 18).

``implements`` registers an entry; ``linear`` writes a linear one (the derivative goes through the
same function as the value), with ``shift`` moving axes by one when the Dual carries several directions
(leading axis of the derivative), and ``promote`` brings operands to one tag. Also here: ufunc methods
(``np.add.reduce``, ``np.maximum.accumulate``), object arrays of scalar Duals, the user-rule registration
and the ndarray-like methods of Dual. The entries themselves are in ``shapes.py``, ``reductions.py``,
``selection.py``, ``products.py`` and ``statistics.py``; importing this module registers them all.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NoReturn

import numpy as np

from . import elementwise
from .dual import ARRAY_FUNCTIONS, Dual, _new, is_batched, lift, ndim, shape
from .number import Number, implementer, rule_method


def no_rule(what: str) -> NoReturn:
    raise TypeError(
        f"dualdiff has no derivative rule for {what}, so it cannot carry the derivative through it. "
        "Register one with dualdiff.register_function (see docs/numpy.md), or compute the value "
        "with x.value if you do not need its derivative."
    )


implements = implementer(ARRAY_FUNCTIONS)  # register the decorated function as NumPy's funcs for Duals


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


_shift = shift  # np.roll's argument is also called shift


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


def _lift(d: Any, k: tuple[int, ...], outdim: int) -> Any:
    return lift(d, ndim(d) - 1, outdim) if k else d


def _no_out(out: Any, name: str) -> None:
    if out is not None:
        raise TypeError(f"numpy.{name}(..., out=...) would write a Dual into a plain array; use the returned value")


def _plain_value(x: Any) -> Any:
    while isinstance(x, Dual):
        x = x._v
    return x


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
    return reshape(np.stack(promote(flat)), a.shape)


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
    func: Any, *partials: Callable[..., Any], scalar: Callable[..., Any] | None = None, name: str | None = None
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
    rule = elementwise.Elementwise(func, scalar, *partials, name=name)
    rule.fresh_partials = False  # a user's partial may return an array it keeps: never write into it
    if rule.name.isidentifier() and not hasattr(Number, rule.name):
        setattr(Number, rule.name, rule_method(rule))  # object arrays of Duals or Vars call x.name()
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


# The entries, one module a concern. They import the machinery above, so they load last; importing them
# registers them, and ufunc_method, from_objects and the methods above call a few of them.
from . import selection, statistics  # noqa: E402, F401
from .products import einsum, matmul  # noqa: E402
from .reductions import _scan  # noqa: E402
from .shapes import ravel, reshape, transpose  # noqa: E402
