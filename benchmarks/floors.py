"""The floors: what the same derivative costs without a library.

`MiniDual` is the smallest dual number that runs every workload (floats, and arrays with the
direction axis first); the other functions are hand-written tangents and backprop. A library
cannot beat these by much: they are the bar dualdiff is measured against.
"""

from __future__ import annotations

import math
from types import SimpleNamespace
from typing import Any

import numpy as np


class MiniDual:
    """value + derivative * eps, nothing else: no tags, no checks, no NumPy protocols."""

    __slots__ = ("v", "d")
    __array_ufunc__ = None  # ndarray (op) MiniDual defers to MiniDual's reflected operator

    def __init__(self, v: Any, d: Any) -> None:
        self.v, self.d = v, d

    def __add__(self, o: Any) -> MiniDual:
        return MiniDual(self.v + o.v, self.d + o.d) if type(o) is MiniDual else MiniDual(self.v + o, self.d)

    __radd__ = __add__

    def __sub__(self, o: Any) -> MiniDual:
        return MiniDual(self.v - o.v, self.d - o.d) if type(o) is MiniDual else MiniDual(self.v - o, self.d)

    def __rsub__(self, o: Any) -> MiniDual:
        return MiniDual(o - self.v, -self.d)

    def __mul__(self, o: Any) -> MiniDual:
        if type(o) is MiniDual:
            return MiniDual(self.v * o.v, self.d * o.v + self.v * o.d)
        return MiniDual(self.v * o, self.d * o)

    __rmul__ = __mul__

    def __truediv__(self, o: Any) -> MiniDual:
        if type(o) is MiniDual:
            q = self.v / o.v
            return MiniDual(q, (self.d - q * o.d) / o.v)
        return MiniDual(self.v / o, self.d / o)

    def __rtruediv__(self, o: Any) -> MiniDual:
        q = o / self.v
        return MiniDual(q, -q * self.d / self.v)

    def __pow__(self, c: float) -> MiniDual:  # constant exponents only
        return MiniDual(self.v**c, c * self.v ** (c - 1) * self.d)

    def __neg__(self) -> MiniDual:
        return MiniDual(-self.v, -self.d)


def _namespace(lib: Any) -> SimpleNamespace:
    """The minimal class's sin, cos, ... on top of ``lib`` (math for floats, numpy for arrays)."""
    sin_, cos_, exp_, log_, sqrt_, tanh_ = lib.sin, lib.cos, lib.exp, lib.log, lib.sqrt, lib.tanh

    def sin(x: MiniDual) -> MiniDual:
        return MiniDual(sin_(x.v), cos_(x.v) * x.d)

    def cos(x: MiniDual) -> MiniDual:
        return MiniDual(cos_(x.v), -sin_(x.v) * x.d)

    def exp(x: MiniDual) -> MiniDual:
        e = exp_(x.v)
        return MiniDual(e, e * x.d)

    def log(x: MiniDual) -> MiniDual:
        return MiniDual(log_(x.v), x.d / x.v)

    def sqrt(x: MiniDual) -> MiniDual:
        r = sqrt_(x.v)
        return MiniDual(r, 0.5 / r * x.d)

    def tanh(x: MiniDual) -> MiniDual:
        t = tanh_(x.v)
        return MiniDual(t, (1.0 - t * t) * x.d)

    return SimpleNamespace(sin=sin, cos=cos, exp=exp, log=log, sqrt=sqrt, tanh=tanh)


mini_math = _namespace(math)
mini_numpy = _namespace(np)


def mini_shifts(x: MiniDual) -> tuple[MiniDual, MiniDual]:
    """(x_{i-1}, x_{i+1}) with zero boundary; the derivative's last axis is the value's axis."""
    zv = np.zeros(1)
    zd = np.zeros(x.d.shape[:-1] + (1,))
    left = MiniDual(np.concatenate((zv, x.v[:-1])), np.concatenate((zd, x.d[..., :-1]), axis=-1))
    right = MiniDual(np.concatenate((x.v[1:], zv)), np.concatenate((x.d[..., 1:], zd), axis=-1))
    return left, right


mini_numpy.shifts = mini_shifts


def elementwise_tangent(x: np.ndarray, v: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Hand-written (f(x), f'(x) v) for `workloads.elementwise`."""
    s, c = np.sin(x), np.cos(x)
    e = np.exp(-0.25 * x * x)
    t = np.tanh(x)
    r = np.sqrt(1.0 + x * x)
    y = s * e + t / r + 0.5 * x
    dy = (c * e - 0.5 * x * s * e + (1.0 - t * t) / r - t * x / (r * r * r) + 0.5) * v
    return y, dy


def elementwise_by_operation(x: np.ndarray, v: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """`workloads.elementwise`'s tangent as forward mode computes it, one operation at a time (each
    operation's value and tangent from its operands'), in raw NumPy with every buffer reused that
    can be: the floor of per-operation forward mode, which `elementwise_tangent`'s fused algebra
    (shared products, one expression for the whole derivative) is not."""
    s, ds = np.sin(x), np.cos(x)
    ds *= v
    a, da = -0.25 * x, -0.25 * v
    t = v * a
    da *= x
    da += t
    a *= x
    e = np.exp(a)
    de = e * da
    th, dth = np.tanh(x), np.cosh(x)  # tanh' = 1 / cosh**2, as dualdiff computes it (accurate at saturation)
    dth *= dth
    np.divide(1.0, dth, out=dth)
    dth *= v
    q, dq = x * x, 2.0 * x
    dq *= v
    q += 1.0
    r = np.sqrt(q)
    dr = r + 0.0
    np.divide(0.5, dr, out=dr)
    dr *= dq
    y, dy = s * e, ds * e
    dy += s * de
    tr = th / r
    dtr = tr * dr
    np.subtract(dth, dtr, out=dtr)
    dtr /= r
    y += tr
    dy += dtr
    y += 0.5 * x
    dy += 0.5 * v
    return y, dy


def elementwise_grad(x: np.ndarray) -> np.ndarray:
    """Hand-written backprop of sum(elementwise(x)): the elementwise derivative itself."""
    return elementwise_tangent(x, np.ones_like(x))[1]


def net_backprop(w: np.ndarray, data: Any) -> np.ndarray:
    """Hand-written backprop of `workloads.net_loss`."""
    X, Y, n1, h, o = data.X, data.Y, data.n1, data.hidden, data.outputs
    W1 = w[:n1].reshape(X.shape[1], h)
    W2 = w[n1:].reshape(h, o)
    H = np.tanh(X @ W1)
    dP = (2.0 / X.shape[0]) * (H @ W2 - Y)
    dA = (dP @ W2.T) * (1.0 - H * H)
    return np.concatenate(((X.T @ dA).ravel(), (H.T @ dP).ravel()))
