"""Taylor mode's workloads for ``benchmarks/run.py`` (keys 6a-6e; ``--only 6`` runs them alone).

6a, 6b: the cost of order 32 over order 16 for ``dualdiff.taylor`` of f(x) = exp(x) sin(x) + log(1 + x),
  on a scalar and on 1000 points, checked against the closed form of its coefficients. Truncated
  Taylor arithmetic grows as order**2, so the ratio is at most 4 (less where NumPy's per-call
  overhead, which grows as order, dominates); the target is 5.
6c-6e: ``derivative(f, x, order=k)`` (one Taylor pass) against k nested ``derivative`` calls
  (Duals of Duals: 2**k and more) at k = 4, 8, 12, for f(x) = exp(sin(x)), both checked against
  the k-th derivative by Faa di Bruno's formula (an independent recurrence, below). The nested
  order-12 run takes seconds, so it is timed once.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from typing import Any

import numpy as np
from workloads import Impl, Target, Workload

import dualdiff

SIZES = {"full": dict(n=1000, orders=(4, 8, 12)), "quick": dict(n=1000, orders=(4, 8, 12)), "check": dict(n=50, orders=(4, 6))}
ONE_RUN = 12  # from this order on, the nested calls take seconds: one run, by the check


def f_series(x: Any) -> Any:
    return np.exp(x) * np.sin(x) + np.log(1 + x)


def f_series_coefficients(x: Any, order: int) -> np.ndarray:
    """(e^x sin x)^(k) = 2^(k/2) e^x sin(x + k pi/4); log(1 + x)^(k) = (-1)^(k+1) (k-1)! / (1 + x)^k."""
    rows = []
    for k in range(order + 1):
        d = 2 ** (k / 2) * np.exp(x) * np.sin(x + k * np.pi / 4)
        d = d + (np.log(1 + x) if k == 0 else (-1) ** (k + 1) * math.factorial(k - 1) / (1 + x) ** k)
        rows.append(d / math.factorial(k))
    return np.array(rows)


def f_nested(x: Any) -> Any:
    return np.exp(np.sin(x))


def exp_sin_derivative(x: float, k: int) -> float:
    """d^k/dx^k exp(sin x) by the recurrence y^(n+1) = sum_j C(n, j) y^(j) s^(n+1-j) with s = sin:
    (y' = y cos x, so y^(n+1) = (y cos)^(n)), independent of dualdiff."""
    s = [math.sin(x), math.cos(x), -math.sin(x), -math.cos(x)]  # sin's derivatives repeat
    y = [math.exp(math.sin(x))]
    for n in range(k):
        y.append(sum(math.comb(n, j) * y[j] * s[(n + 1 - j) % 4] for j in range(n + 1)))
    return y[k]


def nested(f: Callable[[Any], Any], k: int) -> Callable[[float], Any]:
    g = f
    for _ in range(k):
        g = (lambda h: lambda s: dualdiff.derivative(h, s))(g)
    return g


def growth(kind: str, n: int | None) -> Workload:
    x = 0.3 if n is None else np.linspace(0.1, 0.9, n)
    where = "a scalar" if n is None else f"{n} points"
    key = "6a" if n is None else "6b"
    return Workload(
        key, f"Taylor mode: order 32 over order 16, exp(x) sin(x) + log(1 + x) on {where}",
        [
            Impl("taylor, order 16", "dualdiff", lambda: dualdiff.taylor(f_series, x, 16)),
            Impl("taylor, order 32", "dualdiff", lambda: dualdiff.taylor(f_series, x, 32)[:17]),
        ],
        reference=lambda: f_series_coefficients(x, 16), reference_name="closed form",
        targets=[Target("taylor order 32 / order 16 (k**2 growth: about 4)", "taylor, order 32", "taylor, order 16", 5.0)],
    )


def versus_nested(k: int, key: str) -> Workload:
    x, want = 0.3, exp_sin_derivative(0.3, k)
    taylor_name, nested_name = f"derivative(f, x, order={k}) (Taylor)", f"{k} nested derivative calls"
    impls = [Impl(taylor_name, "dualdiff", lambda: dualdiff.derivative(f_nested, x, order=k))]
    checks = []
    if k < ONE_RUN:
        impls.append(Impl(nested_name, "dualdiff", lambda: nested(f_nested, k)(x)))
    else:  # seconds: run once by the check, which keeps its time for the table
        nested_name += " (one run)"
        once: dict[str, float] = {}

        def check_once() -> tuple[str, float, float]:
            t = time.perf_counter()
            d = nested(f_nested, k)(x)
            once["seconds"] = time.perf_counter() - t
            return f"{nested_name} vs Faa di Bruno recurrence", abs(d - want) / abs(want), 1e-9

        impls.append(Impl(nested_name, "dualdiff", timed=lambda: once["seconds"]))
        checks.append(check_once)
    targets = [Target(f"Taylor / nested at order {k}", taylor_name, nested_name, 1.0)] if k >= 8 else []
    return Workload(key, f"k-th derivative of exp(sin(x)), k = {k}: one Taylor pass vs nested Duals", impls,
                    reference=lambda: want, reference_name="Faa di Bruno recurrence", checks=checks, targets=targets)


def build(mode: str, only: set[str] | None = None) -> list[Workload]:
    """The Taylor workloads of a run ("full", "quick" or "check"), or those of ``only`` (keys, or 6 for all)."""
    sizes = SIZES[mode]
    makers: dict[str, Callable[[], Workload]] = {
        "6a": lambda: growth(mode, None),
        "6b": lambda: growth(mode, int(sizes["n"])),  # type: ignore[call-overload]
    }
    for key, k in zip(("6c", "6d", "6e"), sizes["orders"], strict=False):  # type: ignore[call-overload]
        makers[key] = lambda k=k, key=key: versus_nested(k, key)
    return [make() for key, make in makers.items() if only is None or key in only or key[:1] in only]
