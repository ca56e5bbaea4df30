"""User rules: a NumPy function or an elementwise function dualdiff does not know yet. Both reach
forward and reverse mode alike, because both modes read the same tables."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..core.functions import FUNCTIONS
from ..core.number import add_rule_method
from ..rules.elementwise import Elementwise


def register_function(func: Any, impl: Any = None) -> Any:
    """Tell dualdiff how to carry derivatives through ``func`` (a NumPy function, or any function
    dispatched through ``__array_function__``): ``impl`` receives the same arguments, Duals or Vars
    included, and returns the result. Written with NumPy functions, it differentiates in both
    modes. Without ``impl`` it works as a decorator.

    >>> import numpy as np, dualdiff
    >>> @dualdiff.register_function(np.linalg.matrix_rank)  # a NumPy function with no rule yet
    ... def matrix_rank(a, *args, **kwargs):  # the rank is an integer: no derivative to carry
    ...     return np.linalg.matrix_rank(a.value, *args, **kwargs)
    >>> float(dualdiff.derivative(lambda t: np.linalg.matrix_rank(t * np.eye(3)) * t, 2.0))
    3.0
    """
    if impl is None:
        return lambda f: register_function(func, f)
    FUNCTIONS[func] = impl
    return impl


def register_elementwise(
    func: Any, *partials: Callable[..., Any], scalar: Callable[..., Any] | None = None, name: str | None = None
) -> Elementwise:
    """Add an elementwise rule: ``func`` computes values (a ufunc, or any vectorized function), and one
    ``partial(*args, out)`` per argument gives its local derivative from the arguments and the result.
    Partials may use dualdiff's (or NumPy's) functions, so derivatives of derivatives work too.
    A ufunc is then found by ``func(dual)`` itself (NEP 13); otherwise call the returned rule.

    >>> import numpy as np, dualdiff
    >>> softplus = dualdiff.register_elementwise(lambda x: np.logaddexp(0.0, x), lambda x, out: 1 - np.exp(-out), name="softplus")
    >>> float(dualdiff.derivative(softplus, 0.0))
    0.5
    """
    rule = Elementwise(func, scalar, *partials, name=name)
    rule.fresh_partials = False  # a user's partial may return an array it keeps: never write into it
    add_rule_method(rule)  # object arrays of Duals or Vars call x.name()
    return rule
