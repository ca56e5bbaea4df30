"""The user's reverse-mode functions: record f on the tape, then one backward sweep per output.

`modes.gradient(f, x, mode="reverse")` and friends land here; `vjp` and `hvp` are public.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from ..core.dual import DEPENDENCE, _new, has_nan, new_tag, seed_dependence, shape
from ..core.number import Number, plain
from ..core.tape import Var, _leaf
from .forward import _LIVE, _check_numbers, _dead, _directions, _input, _live, _part, _refuse_stale, _start, keeps_dtype


def _record(f: Callable[[Any], Any], x: Any, t: int) -> tuple[Var, Any]:
    """Run f on a fresh leaf of tag ``t`` (live: from `_start`); return the leaf and f's result as
    one Var (or constant)."""
    leaf = _leaf(x, t, "x")
    r = f(leaf)
    _refuse_stale(r, t)
    return leaf, _result(r, t)


def _result(r: Any, t: int) -> Any:
    """f's result as one Var or constant. A Var of a newer tag, or of a finished older one, leaked
    out of another differentiation (a closure or a cache kept it): only its value means something."""
    if isinstance(r, Var):
        if r._t > t or _dead(r._t):
            return _result(r.value, t)
        return r
    _check_numbers(r)  # a tuple (y, "aux") would otherwise be read as a constant, None as nan
    if isinstance(r, (list, tuple)) or (isinstance(r, np.ndarray) and r.dtype == object):
        items = np.array(r, dtype=object) if isinstance(r, (list, tuple)) else r
        flat = [_result(e, t) if isinstance(e, Number) else e for e in items.flat]
        if any(isinstance(e, Number) for e in flat):
            return np.reshape(np.stack(flat), items.shape)
        return np.array(flat, dtype=complex if any(np.iscomplexobj(e) for e in flat) else float).reshape(items.shape)
    return _live(r)  # a Dual (forward over reverse) of a finished differentiation counts as its value


def _sweep(leaf: Var, y: Any, t: int, seed: Any) -> Any:
    """The leaf's gradient after one backward sweep from ``y`` seeded with ``seed``.

    A sweep reaches a real leaf as the real part, Re(seed^T J). For a complex y of a real x, a second
    sweep seeded with 1j * seed gives -Im(seed^T J), and together they make the complex seed^T J,
    as forward mode gives it (a real part alone would drop the imaginary one silently)."""
    if not isinstance(y, Var) or y._t != t:  # y does not depend on the leaf
        return np.zeros(leaf.shape) if leaf.shape else 0.0
    g = _one_sweep(leaf, y, seed)
    if _is_complex(y.value) and not _is_complex(leaf.value):
        g = g - 1j * _one_sweep(leaf, y, 1j * np.asarray(seed) if shape(seed) else 1j * seed)
    return g


def _one_sweep(leaf: Var, y: Var, seed: Any) -> Any:
    y.backward(seed)
    g = leaf.grad
    if g is None:
        return np.zeros(leaf.shape) if leaf.shape else 0.0
    return _live(g)


def _is_complex(v: Any) -> bool:
    return np.iscomplexobj(plain(v))


def gradient(f: Callable[[Any], Any], x: Any) -> Any:
    """The gradient of a scalar-valued f at x by one backward sweep (reverse mode).

    >>> gradient(lambda x: x[0] ** 2 + 3 * x[1], [1.0, 2.0])
    array([2., 3.])
    """
    x = _input(x)
    t = _start()
    try:
        leaf, y = _record(f, x, t)
        if shape(y) != ():
            raise ValueError(
                f"gradient needs f to return a scalar, but it returned shape {shape(y)}; "
                "use jacobian(f, x) or vjp(f, x, u) for vector-valued functions"
            )
        return _sweep(leaf, y, t, 1.0)
    finally:
        _LIVE.discard(t)


def jacobian(f: Callable[[Any], Any], x: Any) -> Any:
    """The Jacobian of f at x, of shape ``f(x).shape + x.shape``: one backward sweep per output.

    >>> import numpy as np
    >>> jacobian(lambda x: np.stack([x[0] * x[1], x[0] + 3 * x[1]]), [2.0, 5.0])
    array([[5., 2.],
           [1., 3.]])
    """
    x = _input(x)
    t = _start()
    try:
        leaf, y = _record(f, x, t)
        out = shape(y)
        rows = []
        for i in range(int(np.prod(out))):
            seed = np.zeros(out)
            seed.flat[i] = 1.0
            rows.append(_sweep(leaf, y, t, seed if out else 1.0))
    finally:
        _LIVE.discard(t)
    if not rows:
        return np.zeros(out + shape(x))
    return np.reshape(np.stack(rows) if shape(x) or len(rows) > 1 else rows[0], out + shape(x))


@keeps_dtype
def vjp(f: Callable[[Any], Any], x: Any, u: Any) -> tuple[Any, Any]:
    """``(f(x), u^T J)`` in one backward sweep; ``u`` has f(x)'s shape, the result x's shape.

    >>> vjp(lambda x: x * x, [1.0, 2.0], [1.0, 10.0])
    (array([1., 4.]), array([ 2., 40.]))
    """
    x = _input(x)
    t = _start()
    try:
        leaf, y = _record(f, x, t)
        u = _input(u, "u", complex_ok=True)  # the cotangent of a complex output may be complex
        if shape(u) != shape(y):
            raise ValueError(f"u must have f(x)'s shape {shape(y)}, not {shape(u)}")
        value = _live(y.value) if isinstance(y, Var) and y._t == t else y
        return value, _sweep(leaf, y, t, u)
    finally:
        _LIVE.discard(t)


@keeps_dtype
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
    td = _start()
    try:
        g = gradient(f, _new(x, seed, td))
        h = _part(g, td, True)
    finally:
        _LIVE.discard(td)
    if h is not None and has_nan(h) and not has_nan(_part(g, td, False)):  # 0 times inf on the way
        h = _forward_over_reverse_carefully(f, x, seed)
    if h is None:
        return np.zeros(shape(seed)) if shape(seed) else 0.0
    return h if shape(h) == shape(seed) else np.broadcast_to(h, shape(seed)).copy()


def _forward_over_reverse_carefully(f: Callable[[Any], Any], x: Any, seed: Any) -> Any:
    """`_forward_over_reverse` with careful tangents (see core/dual.DEPENDENCE), after a nan."""
    dep, td = new_tag(), new_tag()
    _LIVE.update((dep, td))
    DEPENDENCE.add(dep)
    try:
        g = gradient(f, _new(x, seed_dependence(seed, dep), td))
        h = _part(g, td, True)
    finally:
        DEPENDENCE.discard(dep)
        _LIVE.difference_update((dep, td))
    return None if h is None else _live(h)


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
