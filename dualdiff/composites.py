"""NumPy functions written with other NumPy functions, once for both modes.

Every call inside dispatches on its arguments (NEP 18): on Duals it runs forward mode's entries, on
tape variables the tape's, so one definition serves both modes and the derivatives follow.

>>> import numpy as np
>>> from dualdiff import Dual, Var
>>> np.stack([Dual(1.0, 1.0), 2.0]).derivative
array([1., 0.])
>>> w = Var(np.array([1.0, 2.0]))
>>> y = np.dot(np.stack([w, 3 * w]), np.array([1.0, 1.0])).sum()
>>> y.backward()
>>> w.grad
array([4., 4.])
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .dual import ARRAY_FUNCTIONS
from .number import implementer
from .tape import TAPE_FUNCTIONS

both = implementer(ARRAY_FUNCTIONS, TAPE_FUNCTIONS)  # register for Duals and tape variables alike


@both(np.stack)
def stack(arrays: Any, axis: int = 0, **kw: Any) -> Any:
    xs = list(arrays)
    n = np.ndim(xs[0]) + 1
    return np.concatenate([np.expand_dims(x, axis % n) for x in xs], axis % n)


@both(np.hstack)
def hstack(tup: Any, **kw: Any) -> Any:
    xs = [np.reshape(x, (1,)) if np.ndim(x) == 0 else x for x in tup]
    return np.concatenate(xs, 0 if np.ndim(xs[0]) == 1 else 1)


@both(np.vstack)
def vstack(tup: Any, **kw: Any) -> Any:
    return np.concatenate([np.reshape(x, (1, -1)) if np.ndim(x) < 2 else x for x in tup], 0)


def pairwise_product(b: Any) -> Any:
    """The products along the last axis, kept as a length-1 axis: pairs multiplied in log2(n)
    vectorized steps, so a zero entry needs no division and every derivative stays exact.

    >>> pairwise_product(np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]))
    array([[  6.],
           [120.]])
    """
    rest = np.shape(b)[:-1]
    if np.shape(b)[-1] == 0:
        b = np.ones(rest + (1,))
    while np.shape(b)[-1] > 1:
        if np.shape(b)[-1] % 2:
            b = np.concatenate([b, np.ones(rest + (1,))], -1)
        b = b[..., 0::2] * b[..., 1::2]
    return b


@both(np.dot)
def dot(a: Any, b: Any, out: Any = None) -> Any:
    if out is not None:
        raise TypeError("numpy.dot(..., out=...) would write a Dual into a plain array; use the returned value")
    if np.ndim(a) == 0 or np.ndim(b) == 0:
        return a * b
    if np.ndim(b) <= 2:
        return np.matmul(a, b)
    return np.tensordot(a, b, axes=([-1], [-2]))
