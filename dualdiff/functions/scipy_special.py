"""scipy.special's functions that are not ufuncs, so NEP 13 never sees a Dual in them: each is
registered with `register_foreign`, which wraps SciPy's function once scipy.special is imported
(calls without Duals or Vars still go to SciPy's own code). Their elementwise rules are in
`rules/special.py`.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ..core.functions import HANDLERS, register_foreign
from ..rules import special


def _integer_order(n: Any) -> int:
    if type(n) in HANDLERS:
        raise TypeError("scipy.special.polygamma: dualdiff has no derivative with respect to the order n; pass it as a plain number")
    k = int(n) if np.ndim(n) == 0 and n == n and abs(n) != math.inf else -1
    if k < 0 or k != n:
        raise TypeError(f"scipy.special.polygamma of a Dual or Var takes one integer order n >= 0, not {n!r}")
    return k


@register_foreign("scipy.special", "polygamma")
def _polygamma(n: Any, x: Any) -> Any:
    """scipy.special.polygamma(n, x) of a Dual or Var: ``polygamma(n)(x)``, n an integer constant.

    SciPy's polygamma is a Python function that makes arrays of its arguments before it calls any ufunc,
    so NEP 13 never sees a Dual there: `register_foreign` puts a wrapper in its place that sends Duals and
    Vars here, and everything else to SciPy's own function.

    >>> import scipy.special as sp
    >>> from dualdiff import derivative
    >>> round(float(derivative(lambda t: sp.polygamma(1, t), 1.0)), 10)  # polygamma(2, 1) = -2 zeta(3)
    -2.4041138063
    """
    return special.polygamma(_integer_order(n))(x)


