"""What the two number types, `Dual` (forward) and `Var` (reverse), share.

Operators without a fast path are rules of the table; comparisons look at values only (a branch
picks a piece of a piecewise function, and the derivative of that piece is exact).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import numpy as np

from . import rules
from .elementwise import Elementwise


def value_of(x: Any) -> Any:
    """One level of value: a Dual's or Var's ``.value``, anything else as it is."""
    return x.value if isinstance(x, Number) else x


class Number:
    """Base of Dual and Var: the operators they share.

    >>> from dualdiff import Dual
    >>> x = Dual(7.5, 1.0)
    >>> (x // 2).derivative, (x % 2).derivative, x > 7, abs(-x).derivative
    (0.0, 1.0, True, 1.0)
    """

    __slots__ = ()
    value: Any

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

    @property
    def shape(self) -> tuple[int, ...]:
        return getattr(self.value, "shape", ())

    @property
    def ndim(self) -> int:
        return getattr(self.value, "ndim", 0)

    @property
    def size(self) -> int:
        return int(np.prod(self.shape))


class ArrayNumber(Number):
    """What array-valued Duals and Vars add: a length, iteration and a dtype. Scalars have none of
    them, so that NumPy never takes a scalar for a sequence; indexing is each mode's own."""

    __slots__ = ()

    @property
    def dtype(self) -> Any:
        return self.value.dtype

    def __len__(self) -> int:
        return len(self.value)

    def __iter__(self) -> Iterator[Any]:
        for i in range(len(self)):
            yield self[i]  # type: ignore[index]


def implementer(*tables: dict[Any, Any]) -> Callable[..., Callable[[Any], Any]]:
    """A decorator factory: ``@implements(np.f)`` then registers the function in every table (NEP 18).

    >>> table: dict = {}
    >>> @implementer(table)(np.ptp)
    ... def ptp(a): return "mine"
    >>> table[np.ptp] is ptp
    True
    """

    def implements(*funcs: Any) -> Callable[[Any], Any]:
        def deco(impl: Any) -> Any:
            for table in tables:
                for f in funcs:
                    table[f] = impl
            return impl

        return deco

    return implements


def rule_method(rule: Any) -> Callable[..., Any]:
    """A method that applies ``rule`` to self: object arrays of Duals or Vars call x.sin(), x.hypot(y)."""
    return lambda self, *others: rule(self, *others)


for _name, _rule in vars(rules).items():
    if isinstance(_rule, Elementwise) and not hasattr(Number, _name):
        setattr(Number, _name, rule_method(_rule))
