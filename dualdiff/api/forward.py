"""Forward mode for the user, each function a thin layer over one Dual evaluation
(`modes.py` puts these and reverse mode's behind one ``mode=`` argument).

Every call takes a fresh tag, seeds its input with it, and reads back only its own tag's part,
so calls nest (hessians, derivatives inside functions being differentiated) without mixing.
Arrays of n inputs are seeded with up to ``chunk`` directions at once: n/chunk vectorized passes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import numpy as np

from ..core.dual import Dual, _new, new_tag, shape
from ..core.number import Number, from_objects

CHUNK_BUDGET = 2**20  # entries of the seed matrix (chunk * n) one pass may hold


def default_chunk(n: int) -> int:
    """How many directions one pass carries for n inputs: all of them while chunk * n <= 2**20.

    >>> default_chunk(10), default_chunk(1000), default_chunk(4096)
    (10, 1000, 256)
    """
    return max(1, min(n, CHUNK_BUDGET // max(n, 1)))


def _part(r: Any, tag: int, tangent: bool) -> Any:
    """The value (tangent=False) or derivative (True) of result ``r`` for the differentiation ``tag``.

    None stands for a zero derivative. A Dual of a newer tag has leaked out of a differentiation
    that is finished (a closure kept it): only its value is meaningful now.
    """
    if isinstance(r, Dual):
        if r._t == tag:
            return r._d if tangent else r._v
        if r._t > tag:
            return _part(r._v, tag, tangent)
        return None if tangent else r
    if isinstance(r, np.ndarray) and r.dtype == object:
        return _part(from_objects(r), tag, tangent)
    if isinstance(r, (list, tuple)):
        return _part(from_objects(np.array(r, dtype=object)), tag, tangent)
    if isinstance(r, (float, int, np.ndarray, np.number, np.bool_)):
        return None if tangent else r
    raise TypeError(
        f"the function returned a {type(r).__name__}; dualdiff differentiates functions that "
        "return numbers or arrays of numbers"
    )


def _evaluate(f: Callable[..., Any], x: Any, seed: Any, tag: int) -> tuple[Any, Any]:
    r = f(_new(x, seed, tag))
    value = _part(r, tag, False)
    d = _part(r, tag, True)
    if d is None:
        zshape = shape(seed)[: np.ndim(seed) - len(shape(x))] + shape(value)
        d = np.zeros(zshape) if zshape else 0.0
    return value, d


def _input(x: Any, name: str = "x") -> Any:
    """An input point: a float, a float array, or (nested calls) a Dual or Var as it is; a list
    holding Duals or Vars becomes one of them."""
    if isinstance(x, Number):
        return x
    if np.iscomplexobj(x) if not isinstance(x, (list, tuple)) else any(isinstance(e, complex) for e in np.ravel(np.asarray(x, object))):
        raise TypeError(
            f"{name} is complex: dualdiff differentiates at real points. Split z = a + ib and differentiate in a and b "
            "(the function may use complex numbers inside)"
        )
    if isinstance(x, (bool, int, float, np.number)):
        return float(x)
    try:
        return np.asarray(x, dtype=float)
    except (TypeError, ValueError):
        objects = np.asarray(x, dtype=object) if isinstance(x, (list, tuple)) else None
        if objects is not None and any(isinstance(e, Number) for e in objects.flat):
            return from_objects(objects)
        raise TypeError(f"{name} must be a number or an array of numbers, not {type(x).__name__}") from None


def _scalar_input(x: Any, fn: str) -> Any:
    x = _input(x)
    if shape(x) != ():
        raise ValueError(f"{fn}(f, x) takes a scalar x (got shape {shape(x)}); for arrays use gradient or jacobian")
    return x


def derivative(f: Callable[[Any], Any], x: Any) -> Any:
    """f'(x) at a scalar x; f may return a scalar or an array (then the result has its shape).

    >>> derivative(lambda x: 2 * x**2 + 2, 5.0)
    20.0
    >>> derivative(lambda x: x * derivative(lambda y: x + y, 1.0), 1.0)  # tags keep them apart
    1.0
    """
    x = _scalar_input(x, "derivative")
    return _evaluate(f, x, 1.0, new_tag())[1]


def _directions(x: Any, chunk: int | None) -> Iterator[np.ndarray]:
    n = int(np.prod(shape(x)))
    k = default_chunk(n) if chunk is None else int(chunk)
    if k < 1:
        raise ValueError(f"chunk must be a positive number of directions, not {chunk}")
    for start in range(0, n, k):
        m = min(k, n - start)
        seed = np.zeros((m, n))
        seed[np.arange(m), start + np.arange(m)] = 1.0
        yield seed.reshape((m,) + shape(x))


def jacobian(f: Callable[[Any], Any], x: Any, chunk: int | None = None) -> Any:
    """The Jacobian of f at x, of shape ``f(x).shape + x.shape``, in n/chunk vectorized passes.

    >>> import numpy as np
    >>> jacobian(lambda x: np.stack([x[0] * x[1], x[0] + 3 * x[1]]), [2.0, 5.0])
    array([[5., 2.],
           [1., 3.]])
    """
    x = _input(x)
    tag = new_tag()
    parts = [_evaluate(f, x, seed, tag) for seed in _directions(x, chunk)]
    if not parts:  # x has no entries
        return np.zeros(shape(_part(f(x), tag, False)) + shape(x))
    value = parts[0][0]
    t = parts[0][1] if len(parts) == 1 else np.concatenate([d for _, d in parts], axis=0)
    return np.reshape(np.moveaxis(t, 0, -1), shape(value) + shape(x))


def gradient(f: Callable[[Any], Any], x: Any, chunk: int | None = None) -> Any:
    """The gradient of a scalar-valued f at x (an array or list), with x's shape, in n/chunk passes.

    >>> gradient(lambda x: x[0] ** 2 + 3 * x[1], [1.0, 2.0])
    array([2., 3.])
    """
    return jacobian(_scalar_valued(f), _input(x), chunk)


def _scalar_valued(f: Callable[[Any], Any]) -> Callable[[Any], Any]:
    def checked(z: Any) -> Any:
        r = f(z)
        if shape(r) != ():
            raise ValueError(
                f"gradient needs f to return a scalar, but it returned shape {shape(r)}; "
                "use jacobian(f, x) for vector-valued functions"
            )
        return r

    return checked


def hessian(f: Callable[[Any], Any], x: Any, chunk: int | None = None) -> Any:
    """The Hessian of a scalar-valued f at x, of shape ``x.shape + x.shape`` (forward over forward).

    >>> hessian(lambda x: x[0] ** 2 * x[1], [1.0, 2.0])
    array([[4., 2.],
           [2., 0.]])
    """
    x = _input(x)
    if shape(x) == ():
        return derivative(lambda z: derivative(f, z), x)
    return jacobian(lambda z: gradient(f, z, chunk), x, chunk)


def jvp(f: Callable[[Any], Any], x: Any, v: Any) -> tuple[Any, Any]:
    """``(f(x), J v)`` in one forward pass. ``v`` has x's shape, or ``x.shape + (k,)`` for k directions
    at once (then J v has shape ``f(x).shape + (k,)``).

    >>> jvp(lambda x: x[0] * x[1], [2.0, 5.0], [1.0, 0.0])
    (10.0, 5.0)
    """
    x = _input(x)
    v = _input(v, "v")
    tag = new_tag()
    if shape(v) == shape(x):
        return _evaluate(f, x, v, tag)
    if shape(v)[:-1] == shape(x):
        value, d = _evaluate(f, x, np.moveaxis(v, -1, 0), tag)
        return value, np.moveaxis(d, 0, -1)
    raise ValueError(f"v must have x's shape {shape(x)} (or {shape(x)} + (k,) for k directions), not {shape(v)}")
