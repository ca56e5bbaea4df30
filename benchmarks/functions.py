"""The functions being differentiated, each written once against a namespace ``m`` of math functions.

``m`` is `math`, NumPy, `dualdiff`, the minimal class's namespace or a peer's (autograd.numpy,
jax.numpy, torch, ...), so every implementation runs exactly the same operations.
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import numpy as np

CHAIN_STEPS = 200
OPS_PER_STEP = 28


def step(x: Any, m: Any) -> Any:
    """One Euler step x + h g(x) of a bounded g: 28 operations, so the derivative stays O(1)."""
    s = m.sin(x)  # 1
    c = m.cos(0.5 * x)  # 2
    t = m.tanh(x / 3.0)  # 2
    q = m.sqrt(1.0 + x**2)  # 3
    e = m.exp(-0.1 * x * x)  # 3
    lg = m.log(1.5 + s * s)  # 3
    g = s * c - t + q / (2.0 + e) - 0.3 * lg + x**3 / (1.0 + x**4)  # 12
    return x + 0.01 * g  # 2


def chain(x: Any, m: Any, steps: int = CHAIN_STEPS) -> Any:
    """The scalar chain: ``steps`` steps of 28 mixed operations."""
    for _ in range(steps):
        x = step(x, m)
    return x


def elementwise(x: Any, m: Any) -> Any:
    """An elementwise-heavy function: sin, exp, tanh, sqrt, *, +, /."""
    s = m.sin(x)
    e = m.exp(-0.25 * x * x)
    t = m.tanh(x)
    r = m.sqrt(1.0 + x * x)
    return s * e + t / r + 0.5 * x


def tridiagonal(x: Any, m: Any) -> Any:
    """F_i = x_{i-1} - 2 x_i + x_{i+1} + sin(x_i) x_i**2 with x_0 = x_{n+1} = 0."""
    left, right = m.shifts(x)
    return left - 2.0 * x + right + m.sin(x) * x**2


def tridiagonal_jacobian(x: np.ndarray) -> np.ndarray:
    """The exact Jacobian of `tridiagonal`, the reference for the Jacobian workload."""
    n = len(x)
    J = np.diag(-2.0 + np.cos(x) * x**2 + 2.0 * x * np.sin(x))
    J[np.arange(n - 1), np.arange(1, n)] = 1.0
    J[np.arange(1, n), np.arange(n - 1)] = 1.0
    return J


def numpy_shifts(x: Any) -> tuple[Any, Any]:
    """(x_{i-1}, x_{i+1}) with zero boundary, for NumPy arrays and dualdiff's array Duals alike."""
    return np.concatenate(([0.0], x[:-1])), np.concatenate((x[1:], [0.0]))


numpy_ns = SimpleNamespace(
    sin=np.sin, cos=np.cos, exp=np.exp, log=np.log, sqrt=np.sqrt, tanh=np.tanh, sum=np.sum, reshape=np.reshape, shifts=numpy_shifts
)


def elementwise_loss(x: Any, m: Any) -> Any:
    """A scalar loss of an elementwise function: sum(elementwise(x))."""
    return m.sum(elementwise(x, m))


def net_data(n_weights: int, batch: int = 32, seed: int = 0) -> SimpleNamespace:
    """A two-layer tanh network with about ``n_weights`` weights (inputs = outputs = hidden / 5) and its data."""
    inputs = max(2, round((n_weights / 10) ** 0.5))  # 2 * inputs * (5 * inputs) weights
    hidden = 5 * inputs
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((batch, inputs))
    Y = rng.standard_normal((batch, inputs))
    w = rng.standard_normal(2 * inputs * hidden) / np.sqrt(inputs)
    return SimpleNamespace(X=X, Y=Y, w=w, n1=inputs * hidden, hidden=hidden, outputs=inputs)


def net_loss(w: Any, data: Any, m: Any, X: Any = None, Y: Any = None) -> Any:
    """mean over the batch of |tanh(x W1) W2 - y|^2, the weights flattened into one vector ``w``."""
    X = data.X if X is None else X
    Y = data.Y if Y is None else Y
    W1 = m.reshape(w[: data.n1], (X.shape[1], data.hidden))
    W2 = m.reshape(w[data.n1 :], (data.hidden, data.outputs))
    R = m.tanh(X @ W1) @ W2 - Y
    return m.sum(R * R) / X.shape[0]
