"""Shared checks for the NumPy-layer tests: central differences, exact columns, one direction at a time."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

import dualdiff as dd


def plain(f: Callable[[Any], Any], x: np.ndarray) -> np.ndarray:
    """f on plain floats, as one float array (tuples of outputs are concatenated, flattened)."""
    r = f(x)
    if isinstance(r, (tuple, list)):
        return np.concatenate([np.ravel(np.asarray(p, dtype=float)) for p in r])
    return np.asarray(r, dtype=float)


def dual_out(f: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """f with tuple/list outputs joined into one flat Dual, the way `plain` joins plain outputs."""

    def g(x: Any) -> Any:
        r = f(x)
        if isinstance(r, (tuple, list)):
            return np.concatenate([np.ravel(p) for p in r])
        return r

    return g


def fd_jacobian(f: Callable[[Any], Any], x: np.ndarray, h: float = 1e-6) -> np.ndarray:
    """Central differences, shape f(x).shape + x.shape."""
    x = np.asarray(x, dtype=float)
    cols = []
    for i in range(x.size):
        e = np.zeros(x.size)
        e[i] = h
        e = e.reshape(x.shape)
        cols.append((plain(f, x + e) - plain(f, x - e)) / (2 * h))
    out = plain(f, x).shape
    return np.moveaxis(np.array(cols), 0, -1).reshape(out + x.shape)


def exact_linear(f: Callable[[Any], Any], x: np.ndarray) -> np.ndarray:
    """The Jacobian of a linear (or affine) f, column by column: f(e_i) - f(0)."""
    x = np.asarray(x, dtype=float)
    f0 = plain(f, np.zeros(x.shape))
    cols = [plain(f, np.eye(x.size)[i].reshape(x.shape)) - f0 for i in range(x.size)]
    return np.moveaxis(np.array(cols), 0, -1).reshape(plain(f, x).shape + x.shape)


def one_at_a_time(f: Callable[[Any], Any], x: np.ndarray) -> np.ndarray:
    """The Jacobian from one jvp per basis vector (no batching)."""
    x = np.asarray(x, dtype=float)
    cols = [np.asarray(dd.jvp(f, x, np.eye(x.size)[i].reshape(x.shape))[1]) for i in range(x.size)]
    return np.moveaxis(np.array(cols), 0, -1).reshape(np.shape(cols[0]) + x.shape)


def assert_fd(f: Callable[[Any], Any], x: np.ndarray, rtol: float = 1e-6, atol: float = 1e-6) -> np.ndarray:
    """jacobian(f) agrees with central differences; returns it."""
    g = dual_out(f)
    J = dd.jacobian(g, x)
    np.testing.assert_allclose(J, fd_jacobian(f, x), rtol=rtol, atol=atol)
    return J
