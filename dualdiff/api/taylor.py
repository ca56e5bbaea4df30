"""Taylor mode for the user: the Taylor coefficients of f at x, to any order, in one pass.

``taylor(f, x, order)`` seeds x with a Taylor number x + t (a fresh tag, like `derivative`'s) and
reads back the coefficients of f(x + t): f(x), f'(x), f''(x)/2!, ... The arithmetic is in
`core/taylor.py`; its cost grows as order**2, where nested `derivative` calls cost 2**order.
``derivative(f, x, order=k)`` is k! times the k-th coefficient.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from ..core.number import Number
from ..core.taylor import check_order, expand
from .forward import _finish, _input, _start


def taylor(f: Callable[[Any], Any], x: Any, order: int, v: Any = None) -> Any:
    """The Taylor coefficients of ``t -> f(x + t v)`` at t = 0, up to ``order``: an array of shape
    ``(order + 1,) + f(x).shape`` holding f, f', f''/2!, ..., f^(order)/order! along v.

    ``x`` is a float or an array. Without ``v`` the direction is all ones, which for an elementwise
    f gives each entry's own series; for a function of several inputs give the direction ``v``
    (x's shape). Coefficient k times k! is the k-th derivative (`derivative(f, x, order=k)`).

    >>> import numpy as np
    >>> np.round(taylor(np.exp, 0.0, 4), 6)                      # 1, 1, 1/2, 1/6, 1/24
    array([1.      , 1.      , 0.5     , 0.166667, 0.041667])
    >>> taylor(lambda x: x**3, [1.0, 2.0], 3)                    # elementwise: one column each
    array([[ 1.,  8.],
           [ 3., 12.],
           [ 3.,  6.],
           [ 1.,  1.]])
    >>> taylor(lambda p: p[0] * p[1], [2.0, 3.0], 2, v=[1.0, -1.0])   # (2 + t)(3 - t) = 6 + t - t**2
    array([ 6.,  1., -1.])
    """
    order = check_order(order, "taylor")
    x = _input(x)
    shape = x.shape if isinstance(x, Number) else np.shape(x)
    if v is None:
        v = np.ones(shape) if shape else 1.0
    else:
        v = _input(v, "v")
        if np.shape(v) != shape:
            raise ValueError(f"v is the direction of the expansion and has x's shape {shape}, not {np.shape(v)}")
    tag = _start()
    try:
        c = expand(f, x, v, order, tag)
    finally:
        _finish(tag)
    return c
