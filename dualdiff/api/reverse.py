"""The user's reverse-mode functions: record f on the tape, then one backward sweep per output.

`modes.gradient(f, x, mode="reverse")` and friends land here; `vjp` and `hvp` are public.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from ..core.dual import Dual, _new, new_tag, shape
from ..core.tape import Var, _leaf
from .forward import _directions, _input, _part


def _record(f: Callable[[Any], Any], x: Any) -> tuple[Var, Any, int]:
    """Run f on a fresh leaf; return the leaf, f's result as one Var (or constant), and the tag."""
    t = new_tag()
    leaf = _leaf(x, t, "x")
    return leaf, _result(f(leaf), t), t


def _result(r: Any, t: int) -> Any:
    if isinstance(r, Var):
        if r._t > t:  # leaked from a differentiation that is finished: only its value is meaningful
            return _result(r.value, t)
        return r
    if isinstance(r, (list, tuple)) or (isinstance(r, np.ndarray) and r.dtype == object):
        items = np.asarray(r, dtype=object)
        flat = list(items.flat)
        if any(isinstance(e, Var) for e in flat):
            return np.reshape(np.stack(flat), items.shape)
        return np.array(flat, dtype=float).reshape(items.shape)
    if isinstance(r, (float, int, np.ndarray, np.number, np.bool_, Dual)):
        return r
    raise TypeError(
        f"the function returned a {type(r).__name__}; dualdiff differentiates functions that "
        "return numbers or arrays of numbers"
    )


def _sweep(leaf: Var, y: Any, t: int, seed: Any) -> Any:
    """The leaf's gradient after one backward sweep from ``y`` seeded with ``seed``."""
    if not isinstance(y, Var) or y._t != t:  # y does not depend on the leaf
        return np.zeros(leaf.shape) if leaf.shape else 0.0
    y.backward(seed)
    g = leaf.grad
    if g is None:
        return np.zeros(leaf.shape) if leaf.shape else 0.0
    return g


def gradient(f: Callable[[Any], Any], x: Any) -> Any:
    """The gradient of a scalar-valued f at x by one backward sweep (reverse mode).

    >>> gradient(lambda x: x[0] ** 2 + 3 * x[1], [1.0, 2.0])
    array([2., 3.])
    """
    leaf, y, t = _record(f, _input(x))
    if shape(y) != ():
        raise ValueError(
            f"gradient needs f to return a scalar, but it returned shape {shape(y)}; "
            "use jacobian(f, x) or vjp(f, x, u) for vector-valued functions"
        )
    return _sweep(leaf, y, t, 1.0)


def jacobian(f: Callable[[Any], Any], x: Any) -> Any:
    """The Jacobian of f at x, of shape ``f(x).shape + x.shape``: one backward sweep per output.

    >>> import numpy as np
    >>> jacobian(lambda x: np.stack([x[0] * x[1], x[0] + 3 * x[1]]), [2.0, 5.0])
    array([[5., 2.],
           [1., 3.]])
    """
    x = _input(x)
    leaf, y, t = _record(f, x)
    out = shape(y)
    rows = []
    for i in range(int(np.prod(out))):
        seed = np.zeros(out)
        seed.flat[i] = 1.0
        rows.append(_sweep(leaf, y, t, seed if out else 1.0))
    if not rows:
        return np.zeros(out + shape(x))
    return np.reshape(np.stack(rows) if shape(x) or len(rows) > 1 else rows[0], out + shape(x))


def vjp(f: Callable[[Any], Any], x: Any, u: Any) -> tuple[Any, Any]:
    """``(f(x), u^T J)`` in one backward sweep; ``u`` has f(x)'s shape, the result x's shape.

    >>> vjp(lambda x: x * x, [1.0, 2.0], [1.0, 10.0])
    (array([1., 4.]), array([ 2., 40.]))
    """
    leaf, y, t = _record(f, _input(x))
    u = _input(u, "u")
    if shape(u) != shape(y):
        raise ValueError(f"u must have f(x)'s shape {shape(y)}, not {shape(u)}")
    value = y.value if isinstance(y, Var) and y._t == t else y
    return value, _sweep(leaf, y, t, u)


def hvp(f: Callable[[Any], Any], x: Any, v: Any) -> Any:
    """The Hessian of a scalar-valued f at x times ``v`` (forward over reverse: a tape of Duals).

    >>> hvp(lambda x: x[0] ** 2 * x[1], [1.0, 2.0], [1.0, 0.0])
    array([4., 2.])
    """
    x, v = _input(x), _input(v, "v")
    if shape(v) != shape(x):
        raise ValueError(f"v must have x's shape {shape(x)}, not {shape(v)}")
    return _forward_over_reverse(f, x, v)


def _forward_over_reverse(f: Callable[[Any], Any], x: Any, seed: Any) -> Any:
    td = new_tag()
    g = gradient(f, _new(x, seed, td))
    h = _part(g, td, True)
    if h is None:
        return np.zeros(shape(seed)) if shape(seed) else 0.0
    return h if shape(h) == shape(seed) else np.broadcast_to(h, shape(seed)).copy()


def hessian(f: Callable[[Any], Any], x: Any, chunk: int | None = None) -> Any:
    """The Hessian of a scalar-valued f at x, ``x.shape + x.shape``: forward over reverse, ``chunk``
    directions (Hessian columns) per backward sweep.

    >>> hessian(lambda x: x[0] ** 2 * x[1], [1.0, 2.0])
    array([[4., 2.],
           [2., 0.]])
    """
    x = _input(x)
    if shape(x) == ():
        return _forward_over_reverse(f, x, 1.0)
    cols = [_forward_over_reverse(f, x, seed) for seed in _directions(x, chunk)]
    if not cols:
        return np.zeros(shape(x) + shape(x))
    t = np.concatenate(cols, axis=0)
    return np.reshape(np.moveaxis(t, 0, -1), shape(x) + shape(x))
