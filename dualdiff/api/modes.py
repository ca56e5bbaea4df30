"""The user's functions that come in both modes: ``mode="forward"`` (the default) or ``"reverse"``.

>>> gradient(lambda x: x[0] ** 2 + 3 * x[1], [1.0, 2.0], mode="reverse")
array([2., 3.])
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from . import forward, reverse
from .pytrees import over_trees


def _reverse(mode: str) -> bool:
    if mode not in ("forward", "reverse"):
        raise ValueError(f"mode must be 'forward' or 'reverse', not {mode!r}")
    return mode == "reverse"


@over_trees("jacobian")
def jacobian(f: Callable[[Any], Any], x: Any, chunk: int | None = None, mode: str = "forward") -> Any:
    """The Jacobian of f at x, of shape ``f(x).shape + x.shape``: n/chunk vectorized forward passes,
    or (``mode="reverse"``) one backward sweep per output.

    >>> import numpy as np
    >>> jacobian(lambda x: np.stack([x[0] * x[1], x[0] + 3 * x[1]]), [2.0, 5.0], mode="reverse")
    array([[5., 2.],
           [1., 3.]])
    """
    return reverse.jacobian(f, x) if _reverse(mode) else forward.jacobian(f, x, chunk)


@over_trees("gradient")
def gradient(f: Callable[[Any], Any], x: Any, chunk: int | None = None, mode: str = "forward") -> Any:
    """The gradient of a scalar-valued f at x, with x's shape: n/chunk forward passes, or
    (``mode="reverse"``) one backward sweep on a tape.

    >>> gradient(lambda x: x[0] ** 2 + 3 * x[1], [1.0, 2.0])
    array([2., 3.])
    """
    return reverse.gradient(f, x) if _reverse(mode) else forward.gradient(f, x, chunk)


@over_trees("hessian")
def hessian(f: Callable[[Any], Any], x: Any, chunk: int | None = None, mode: str = "forward") -> Any:
    """The Hessian of a scalar-valued f at x, of shape ``x.shape + x.shape``: forward over forward,
    or (``mode="reverse"``) forward over reverse, a tape of Duals.

    >>> hessian(lambda x: x[0] ** 2 * x[1], [1.0, 2.0], mode="reverse")
    array([[4., 2.],
           [2., 0.]])
    """
    return reverse.hessian(f, x, chunk) if _reverse(mode) else forward.hessian(f, x, chunk)
