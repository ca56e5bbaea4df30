"""Pictures for learning: a function with its tangent line (matplotlib, optional).

`tangent_line` needs nothing but dualdiff; `plot_tangent` draws with matplotlib, which is an
optional extra: ``pip install 'dualdiff-ad[plot]'``.

>>> tangent_line(lambda x: 2 * x**2 + 2, 5.0)   # the seed's example: y = 20x - 48 touches at x = 5
(20.0, -48.0)
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from ..api.forward import derivative


def tangent_line(f: Callable[[Any], Any], x0: float) -> tuple[float, float]:
    """Slope and intercept of the tangent of f at x0: y = slope * x + intercept.

    The slope is f'(x0), exact (forward mode); the line passes through (x0, f(x0)).

    >>> tangent_line(lambda x: 2 * x**3 + 4, 5.0)
    (150.0, -496.0)
    """
    x0 = float(x0)
    slope = float(derivative(f, x0))
    return slope, float(f(x0)) - slope * x0


def _pyplot() -> Any:
    try:
        import matplotlib.pyplot as plt
    except ImportError:
        raise ImportError(
            "plot_tangent draws with matplotlib, which is not installed: pip install 'dualdiff-ad[plot]' "
            "(or pip install matplotlib); tangent_line(f, x0) gives the numbers without it"
        ) from None
    return plt


def plot_tangent(
    f: Callable[[Any], Any],
    x0: float,
    lo: float = -10.0,
    hi: float = 10.0,
    step: float = 0.1,
    ax: Any = None,
    label: str = "f(x)",
) -> Any:
    """Draw f on [lo, hi) and its tangent at x0 (matplotlib); returns the Axes.

    f is called on a NumPy array of x values, so write it with operators and NumPy functions.

    >>> import matplotlib; matplotlib.use("Agg")
    >>> ax = plot_tangent(lambda x: 2 * x**2 + 2, 5.0)
    >>> [line.get_label() for line in ax.get_lines()][:2]
    ['f(x)', 'tangent at x = 5: y = 20x - 48']
    >>> ax.figure.savefig(__import__("io").BytesIO(), format="png")
    """
    plt = _pyplot()
    slope, intercept = tangent_line(f, x0)
    xs = np.arange(lo, hi, step)
    if ax is None:
        _, ax = plt.subplots(figsize=(6, 4))
    sign = "-" if intercept < 0 else "+"
    ax.plot(xs, np.broadcast_to(f(xs), xs.shape), label=label)
    ax.plot(xs, slope * xs + intercept, label=f"tangent at x = {x0:g}: y = {slope:g}x {sign} {abs(intercept):g}")
    ax.plot([x0], [slope * x0 + intercept], "o", color="black", label="_point of contact")
    ax.set_xlabel("x")
    ax.set_ylabel("y")
    ax.legend()
    return ax
