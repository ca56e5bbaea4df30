"""The user's functions that come in both modes: ``mode="forward"`` or ``"reverse"``, or (the
default, None) chosen from the shapes: reverse for a gradient of many inputs, forward otherwise.

>>> gradient(lambda x: x[0] ** 2 + 3 * x[1], [1.0, 2.0], mode="reverse")
array([2., 3.])
"""

from __future__ import annotations

import math
from collections.abc import Callable
from concurrent.futures import Executor
from typing import Any

import numpy as np

from ..core.dual import shape
from . import forward, parallel, reverse
from . import sparse as _sparse
from .pytrees import over_trees


def _reverse(mode: str) -> bool:
    if mode not in ("forward", "reverse"):
        raise ValueError(f"mode must be 'forward' or 'reverse', not {mode!r}")
    return mode == "reverse"


# From this many inputs on, mode=None takes reverse mode for a gradient (and for a Jacobian with at
# most a quarter as many outputs as inputs). Measured (docs/performance.md): on array code reverse
# is ~1.7x faster at n = 256 and 100x faster from n = 1000; on scalar loops forward stays ~2x
# faster up to n ~ 500. Below 256 forward is one pass and never loses much.
REVERSE_FROM = 256


def _no_reverse_rule(e: TypeError) -> bool:
    """Is this the tape's TypeError for a function it has no rule for (forward mode may have one)?"""
    return str(e).startswith("reverse mode has no derivative rule")


def _chosen(f: Callable[[Any], Any], x: Any, chunk: int | None, outputs: bool) -> bool:
    """mode=None: should reverse mode run? For many inputs and (``outputs``) few outputs."""
    n = math.prod(shape(forward._input(x, complex_ok=True)))  # np.size would compute a lazy Dask array
    if chunk is not None or n < REVERSE_FROM or np.iscomplexobj(x):
        return False
    if not outputs:
        return True
    try:
        m = int(np.size(forward._one(f(forward._input(x)))))  # one plain evaluation for f(x)'s size
    except Exception:  # f needs derivatives to run, or fails: forward mode will say why
        return False
    return 4 * m <= n


def _forward_only(name: str, mode: str | None, sparse: bool) -> None:
    if mode not in (None, "forward") or sparse:
        raise ValueError(f"{name}(..., executor=...) runs the chunks of directions in forward mode: drop mode= (and, for hessian, sparse=)")


class _Gradient:
    """x -> forward.gradient(f, x): a Hessian's rows as a function that pickles (a class, not a lambda)."""

    def __init__(self, f: Callable[[Any], Any]) -> None:
        self.f = f

    def __call__(self, x: Any) -> Any:
        return forward.gradient(self.f, x)


def _either(mode: str | None, chosen: bool, reverse_fn: Callable[[], Any], forward_fn: Callable[[], Any]) -> Any:
    """The mode asked for; without one (None), reverse where ``chosen`` (falling back to forward where
    the tape has no rule), else forward."""
    if mode is None:
        return _auto(reverse_fn, forward_fn) if chosen else forward_fn()
    return reverse_fn() if _reverse(mode) else forward_fn()


def _auto(reverse_fn: Callable[[], Any], forward_fn: Callable[[], Any]) -> Any:
    """Reverse mode, or forward mode where the tape has no rule for a step of f."""
    try:
        return reverse_fn()
    except TypeError as e:
        if not _no_reverse_rule(e):
            raise
    return forward_fn()


@over_trees("jacobian")
def jacobian(
    f: Callable[[Any], Any],
    x: Any,
    chunk: int | None = None,
    mode: str | None = None,
    sparse: bool = False,
    sparsity: Any = None,
    executor: Executor | None = None,
) -> Any:
    """The Jacobian of f at x, of shape ``f(x).shape + x.shape``: n/chunk vectorized forward passes,
    or (``mode="reverse"``) one backward sweep per output. Without ``mode``, reverse mode runs for
    many inputs (``REVERSE_FROM``) and at most a quarter as many outputs, forward mode otherwise.

    ``sparse=True`` gives a SciPy CSR matrix of shape (f(x).size, x.size) from a coloring of the
    sparsity pattern: ``sparsity`` is the pattern (`jacobian_sparsity`) or, to reuse it across
    calls, ``coloring(pattern)``; None detects it on every call (docs/sparse.md).

    ``executor`` (a `concurrent.futures.Executor`: processes, or a Dask Client's) runs the chunks
    of directions in forward mode on its workers: the serial Jacobian, bit for bit (docs/scaling.md).

    >>> import numpy as np
    >>> jacobian(lambda x: np.stack([x[0] * x[1], x[0] + 3 * x[1]]), [2.0, 5.0], mode="reverse")
    array([[5., 2.],
           [1., 3.]])
    """
    if executor is not None:
        _forward_only("jacobian", mode, False)
        if sparse or sparsity is not None:  # the compressed directions, chunk by chunk on the workers
            return _sparse.jacobian(f, x, sparsity, "forward", executor)
        return parallel.jacobian(f, x, executor, chunk)
    if sparse or sparsity is not None:
        return _sparse.jacobian(f, x, sparsity, mode)
    return _either(mode, _chosen(f, x, chunk, True) if mode is None else False,
                   lambda: reverse.jacobian(f, x), lambda: forward.jacobian(f, x, chunk))


@over_trees("gradient")
def gradient(f: Callable[[Any], Any], x: Any, chunk: int | None = None, mode: str | None = None) -> Any:
    """The gradient of a scalar-valued f at x, with x's shape: n/chunk forward passes, or
    (``mode="reverse"``) one backward sweep on a tape. Without ``mode`` (or ``chunk``), reverse
    mode runs from ``REVERSE_FROM`` inputs on, and forward mode where the tape has no rule for a step.

    >>> gradient(lambda x: x[0] ** 2 + 3 * x[1], [1.0, 2.0])
    array([2., 3.])
    """
    return _either(mode, _chosen(f, x, chunk, False) if mode is None else False,
                   lambda: reverse.gradient(f, x), lambda: forward.gradient(f, x, chunk))


@over_trees("hessian")
def hessian(
    f: Callable[[Any], Any],
    x: Any,
    chunk: int | None = None,
    mode: str = "forward",
    sparse: bool = False,
    sparsity: Any = None,
    executor: Executor | None = None,
) -> Any:
    """The Hessian of a scalar-valued f at x, of shape ``x.shape + x.shape``: forward over forward,
    or (``mode="reverse"``) forward over reverse, a tape of Duals.

    ``sparse=True`` gives a symmetric SciPy CSR matrix of shape (x.size, x.size) from a star
    coloring: ``sparsity`` is the pattern (`hessian_sparsity`), ``coloring(pattern, symmetric=True)``
    to reuse it, or None to detect it on every call (docs/sparse.md). ``executor`` spreads the
    Hessian's columns (forward over forward) over its workers, as for `jacobian`.

    >>> hessian(lambda x: x[0] ** 2 * x[1], [1.0, 2.0], mode="reverse")
    array([[4., 2.],
           [2., 0.]])
    """
    if executor is not None:
        _forward_only("hessian", None if mode == "forward" else mode, sparse or sparsity is not None)
        return parallel.jacobian(_Gradient(f), x, executor, chunk)
    if sparse or sparsity is not None:
        return _sparse.hessian(f, x, sparsity)
    return reverse.hessian(f, x, chunk) if _reverse(mode) else forward.hessian(f, x, chunk)
