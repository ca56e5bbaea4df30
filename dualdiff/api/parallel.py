"""Jacobians spread over an executor: the directions of a forward-mode Jacobian are independent of
each other, so their chunks can run anywhere, one vectorized pass per chunk, and be put side by side.

Any `concurrent.futures.Executor` will do: a `ProcessPoolExecutor` on one machine, or a Dask
`distributed.Client`'s ``get_executor()`` on a cluster. ``f`` travels pickled (by cloudpickle when
plain pickle cannot send it: a lambda, a closure); the chunks are the serial ones, so the result is
the serial Jacobian bit for bit.
"""

from __future__ import annotations

import math
import pickle
from collections.abc import Callable
from concurrent.futures import Executor
from typing import Any

import numpy as np

from ..core.dual import shape
from .forward import _directions, _evaluate, _finish, _input, _start


def _dumps(f: Callable[[Any], Any]) -> bytes:
    """f as bytes a worker process can load: pickle, or cloudpickle for what pickle cannot send."""
    try:
        return b"p" + pickle.dumps(f)
    except (pickle.PicklingError, AttributeError, TypeError) as plain_error:
        try:
            import cloudpickle
        except ImportError:
            raise TypeError(
                f"f cannot be sent to the executor's workers ({plain_error}); define it at module level, or "
                "install cloudpickle (pip install cloudpickle), which sends lambdas and closures"
            ) from None
        try:
            return b"c" + cloudpickle.dumps(f)
        except Exception as error:  # an open file, a lock, a generator: nothing can send these
            raise TypeError(f"f cannot be sent to the executor's workers: {error}") from None


def _loads(payload: bytes) -> Callable[[Any], Any]:
    if payload[:1] == b"c":
        import cloudpickle

        return cloudpickle.loads(payload[1:])  # type: ignore[no-any-return]
    return pickle.loads(payload[1:])  # type: ignore[no-any-return]


def _chunk(payload: bytes, x: Any, seed: np.ndarray) -> tuple[Any, Any]:
    """One chunk of directions, in a worker: f's value and its derivatives along ``seed``."""
    f = _loads(payload)
    tag = _start(x)
    try:
        return _evaluate(f, x, seed, tag)
    finally:
        _finish(tag)


def jacobian(f: Callable[[Any], Any], x: Any, executor: Executor, chunk: int | None = None) -> Any:
    """The forward-mode Jacobian of f at x, its chunks of directions mapped over ``executor``.

    ``chunk`` (directions a pass) defaults to n / (2 * workers) when the executor tells its number
    of workers, else to n / 8: enough chunks to keep every worker busy, each large enough to pay for
    sending it.

    >>> from concurrent.futures import ThreadPoolExecutor
    >>> with ThreadPoolExecutor(2) as pool:
    ...     jacobian(lambda v: v * v, [1.0, 2.0, 3.0], pool)
    array([[2., 0., 0.],
           [0., 4., 0.],
           [0., 0., 6.]])
    """
    if not isinstance(executor, Executor):
        raise TypeError(
            f"executor must be a concurrent.futures.Executor (a ProcessPoolExecutor, or a Dask Client's "
            f"get_executor()), not {type(executor).__name__}"
        )
    x = _input(x)
    n = math.prod(shape(x))
    if chunk is None:
        workers = getattr(executor, "_max_workers", None) or 4
        chunk = max(1, math.ceil(n / (2 * workers)))
    if n == 0:
        return np.zeros(shape(np.asarray(f(x))) + shape(x))
    value, t = evaluate(f, x, list(_directions(x, chunk)), executor)
    t = t.transpose(tuple(range(1, t.ndim)) + (0,))
    return np.reshape(t, shape(value) + shape(x))


def evaluate(f: Callable[[Any], Any], x: Any, seeds: list[np.ndarray], executor: Executor) -> tuple[Any, np.ndarray]:
    """f's value and its derivatives along each chunk of directions (seeds: arrays of shape
    ``(k,) + x.shape``), the chunks run on ``executor``'s workers, their parts stacked in order.
    Sparse Jacobians send their compressed directions this way too.

    >>> from concurrent.futures import ThreadPoolExecutor
    >>> with ThreadPoolExecutor(2) as pool:
    ...     value, d = evaluate(lambda v: v * v, np.array([1.0, 2.0]), [np.eye(2)[:1], np.eye(2)[1:]], pool)
    >>> value, d
    (array([1., 4.]), array([[2., 0.],
           [0., 4.]]))
    """
    payload = _dumps(f)
    futures = [executor.submit(_chunk, payload, x, seed) for seed in seeds]
    parts = [future.result() for future in futures]
    return parts[0][0], np.concatenate([np.asarray(d) for _, d in parts], axis=0)
