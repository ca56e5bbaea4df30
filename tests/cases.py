"""The one case table every NumPy function and elementwise rule is run through (by test_cases.py).

A row is ``R(id, f, x0, *marks)``: ``f`` takes one flat float vector and unpacks it into the
operands (``x[:6].reshape(2, 3)``, ...), so one runner handles any arity; ``x0`` is the point (an
int n means ``P(n)``: n distinct values in (0.5, 1.5), no ties, no kinks nearby). The id's first
word (up to the first "-") names what the row covers: a rule of ``dualdiff.rules.table.TABLE`` or a
NumPy function (``sum``, ``linalg.norm``, ``fft.rfft``); the coverage test reads it.

Marks: ``FIRST`` skips the second-order step (non-smooth rows); ``xfail(reason, *steps)`` marks a
package bug (strict: fixing the bug turns the row into a failure, so un-mark it then); ``Tol`` widens
the finite-difference tolerance of one row.

``VALUES`` rows are for functions registered as "values only" (indices, flags, dtypes): given a Dual
or a Var, they must return what NumPy returns on the plain values. ``REFUSED`` rows must raise
TypeError (``out=``, an integer ``dtype=``). ``EXCLUDED`` lists the table entries that have no row,
each with the reason.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

STEPS = ("value", "forward", "reverse", "hessian", "hessian_reverse")  # the runner's steps, in order


@dataclass(frozen=True)
class Bug:
    reason: str
    steps: tuple[str, ...]


@dataclass(frozen=True)
class Tol:
    rtol: float = 1e-5
    atol: float = 1e-6


FIRST = "first-order only"  # a mark: the row is not smooth enough for the second-order step


def xfail(reason: str, *steps: str) -> Bug:
    """A package bug: the named steps (all by default) fail, with a one-line reproduction as reason."""
    assert all(s in STEPS for s in steps), steps
    return Bug(reason, steps or STEPS)


@dataclass(frozen=True)
class Case:
    id: str
    f: Callable[[Any], Any]
    x0: np.ndarray
    second: bool = True
    bugs: tuple[Bug, ...] = ()
    tol: Tol = Tol()


def P(n: int, lo: float = 0.5, hi: float = 1.5) -> np.ndarray:
    """n distinct values in (lo, hi), evenly spaced (gap (hi - lo) / n) and shuffled; none on a grid point."""
    k = np.random.default_rng(n).permutation(n)
    return lo + (hi - lo) * (k + 0.37) / n


def point(x0: Any) -> np.ndarray:
    """An int n is ``P(n)``; anything else is flattened to a float vector."""
    return P(x0) if isinstance(x0, int) else np.asarray(x0, dtype=float).ravel()


def R(id: str, f: Callable[[Any], Any], x0: Any = 6, *marks: Any) -> Case:
    """A row: ``R(id, f, x0, *marks)``; x0 an int n (``P(n)``) or an array (flattened)."""
    return Case(
        id, f, point(x0),
        second=FIRST not in marks,
        bugs=tuple(m for m in marks if isinstance(m, Bug)),
        tol=next((m for m in marks if isinstance(m, Tol)), Tol()),
    )


# --- constants the differentiated operand meets ---
_rng = np.random.default_rng(7)
A = _rng.normal(size=(3, 3)) * 0.5 + 2 * np.eye(3)  # well conditioned
B = _rng.normal(size=(3, 2))
C3 = np.array([0.3, -1.2, 0.8])
C23 = _rng.normal(size=(2, 3))
MASK23 = np.array([[True, False, True], [False, True, True]])
NANMASK = np.array([False, True, False, False, True, False])
XP = np.array([0.0, 0.7, 1.3, 2.0])  # interp's knots (P's values stay 0.02 away from them)


def tup(a: Any) -> Any:
    """A nested tuple of an array's entries."""
    return tuple(tup(r) for r in a) if np.ndim(a) else float(a)


def mat(r: int, c: int | None = None, shift: float = 0.0, seed: int = 0) -> np.ndarray:
    m = np.random.default_rng(seed).normal(size=(r, r if c is None else c)) * 0.5
    return m + shift * np.eye(*m.shape)


def spd(n: int, seed: int = 0) -> np.ndarray:
    b = mat(n, seed=seed)
    return b @ b.T + n * np.eye(n)


CM22 = np.r_[mat(2, shift=1).flat, mat(2, seed=3).flat]  # a complex 2 x 2 matrix (real parts, imaginary parts)
EIG = np.diag([1.0, 2.0, 3.5]) + np.triu(mat(3, seed=4), 1) + 0.05 * mat(3, seed=5)  # real, distinct eigenvalues
REM = np.array([2.3, -1.7, 3.1, 0.7, 0.9, -1.3])  # x / y far from integers: remainder and friends are smooth here


def ri(z: Any) -> Any:
    """A complex result as one real vector: real parts, then imaginary parts."""
    return np.concatenate([np.ravel(np.real(z)), np.ravel(np.imag(z))])


def flat(parts: Any) -> Any:
    """Several results (a tuple, a list, a named tuple) as one flat vector."""
    return np.concatenate([np.ravel(p) for p in parts])


def cplx(x: Any) -> Any:
    """The first half of x as real parts, the second as imaginary parts."""
    n = len(x) // 2
    return x[:n] + 1j * x[n:]


def quiet(f: Callable[[], Any]) -> Any:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        return f()


def _numpy_accepts(f: Callable[[], Any]) -> bool:
    try:
        quiet(f)
        return True
    except ValueError:
        return False


# what the installed NumPy still has: rows for the rest would test NumPy, not dualdiff
CROSS_2D = _numpy_accepts(lambda: np.cross(np.ones(2), np.ones(2)))  # 2-element vectors: deprecated in 2.0, refused by 2.5
ROW_STACK = hasattr(np, "row_stack")  # an alias of vstack, gone in NumPy 2.5


# --- package bugs: a one-line reproduction, expected vs got (strict xfails: fixing one fails its rows, then un-mark them) ---
# (none open)


CASES: list[Case] = [
    # ===== elementwise rules (TABLE), through NumPy's ufuncs and Python's operators =====
    R("negative", np.negative, P(6, -1, 1)),
    R("negative-operator", lambda x: -x, P(6, -1, 1)),
    R("positive", np.positive, P(6, -1, 1)),
    R("positive-operator", lambda x: +x, P(6, -1, 1)),
    R("absolute", np.absolute, P(6, -1, 1)),
    R("absolute-builtin", lambda x: abs(x), P(6, -1, 1)),
    R("fabs", np.fabs, P(6, -1, 1)),
    R("sign", lambda x: np.sign(x) * x, P(6, -1, 1)),
    R("floor", lambda x: np.floor(x) + x, P(6, -2.3, 2.3)),
    R("ceil", lambda x: np.ceil(x) * x, P(6, -2.3, 2.3)),
    R("trunc", lambda x: np.trunc(x) * x, P(6, -2.3, 2.3)),
    R("rint", lambda x: np.rint(x) * x, P(6, -2.3, 2.3)),
    R("square", np.square, P(6, -1, 1)),
    R("reciprocal", np.reciprocal, 6),
    R("sqrt", np.sqrt, 6),
    R("cbrt", np.cbrt, P(6, -1, 1)),
    R("exp", np.exp, P(6, -1, 1)),
    R("exp2", np.exp2, P(6, -1, 1)),
    R("expm1", np.expm1, P(6, -1, 1)),
    R("log", np.log, 6),
    R("log2", np.log2, 6),
    R("log10", np.log10, 6),
    R("log1p", np.log1p, P(6, -0.5, 1)),
    R("sin", np.sin, P(6, -2, 2)),
    R("cos", np.cos, P(6, -2, 2)),
    R("tan", np.tan, P(6, -1, 1)),
    R("arcsin", np.arcsin, P(6, -0.9, 0.9)),
    R("arccos", np.arccos, P(6, -0.9, 0.9)),
    R("arctan", np.arctan, P(6, -2, 2)),
    R("sinh", np.sinh, P(6, -1, 1)),
    R("cosh", np.cosh, P(6, -1, 1)),
    R("tanh", np.tanh, P(6, -1, 1)),
    R("arcsinh", np.arcsinh, P(6, -2, 2)),
    R("arccosh", np.arccosh, P(6, 1.2, 2.5)),
    R("arctanh", np.arctanh, P(6, -0.9, 0.9)),
    R("deg2rad", np.deg2rad, P(6, -90, 90)),
    R("rad2deg", np.rad2deg, P(6, -1, 1)),
    R("radians", np.radians, P(6, -90, 90)),
    R("degrees", np.degrees, P(6, -1, 1)),
    R("add", lambda x: np.add(x[:3], x[3:]), 6),
    R("add-operator-broadcast", lambda x: x[:2, None] + x[2:].reshape(1, 4), 6),
    R("add-scalar-dual", lambda x: x[0] + x[1:], 6),
    R("subtract", lambda x: np.subtract(x[:3], x[3:]), 6),
    R("subtract-operator", lambda x: x[:3] - x[3:], 6),
    R("multiply", lambda x: np.multiply(x[:3], x[3:]), 6),
    R("multiply-operator-broadcast", lambda x: x[:3, None] * x[3:], 6),
    R("divide", lambda x: np.divide(x[:3], x[3:]), 6),
    R("divide-operator-const-left", lambda x: 1.5 / x, 6),
    R("floor_divide", lambda x: np.floor_divide(x[:3], x[3:]) * x[:3], REM),
    R("floor_divide-operator", lambda x: (x[:3] // x[3:]) * x[3:], REM),
    R("floor_divide-divmod", lambda x: flat(divmod(x[:3], x[3:])), REM),
    R("remainder", lambda x: np.remainder(x[:3], x[3:]), REM),
    R("remainder-operator", lambda x: x % 0.7, P(6, 0.1, 2.0)),
    R("remainder-operator-left", lambda x: 5.0 % x, P(6, 1.1, 1.9)),
    R("fmod", lambda x: np.fmod(x[:3], x[3:]), REM),
    R("power", lambda x: np.power(x[:3], x[3:]), 6),
    R("power-operator-const", lambda x: x**2.5, 6),
    R("power-operator-int-negative-base", lambda x: x**3, P(6, -1, 1)),
    R("power-operator-const-base", lambda x: 2.0**x, P(6, -1, 1)),
    R("float_power", lambda x: np.float_power(x[:3], x[3:]), 6),
    R("logaddexp", lambda x: np.logaddexp(x[:3], x[3:]), P(6, -1, 1)),
    R("logaddexp2", lambda x: np.logaddexp2(x[:3], x[3:]), P(6, -1, 1)),
    R("arctan2", lambda x: np.arctan2(x[:3], x[3:]), P(6, -1, 1)),
    R("hypot", lambda x: np.hypot(x[:3], x[3:]), P(6, -1, 1)),
    R("maximum", lambda x: np.maximum(x[:3], x[3:]), 6),
    R("maximum-const", lambda x: np.maximum(x, 1.0), 6),
    R("minimum", lambda x: np.minimum(x[:3], x[3:]), 6),
    R("fmax", lambda x: np.fmax(x[:3], x[3:]), 6),
    R("fmin", lambda x: np.fmin(x[:3], x[3:]), 6),
    R("heaviside", lambda x: np.heaviside(x[:3] - 1.0, x[3:]) * x[:3], 6),
    R("heaviside-at-zero", lambda x: np.heaviside(np.array([0.0, 1.5, -0.5]), x), 3),
    R("add-reduce-axis", lambda x: np.add.reduce(x.reshape(2, 3), axis=1), 6),
    R("multiply-accumulate", lambda x: np.multiply.accumulate(x), 6),
    R("add-outer", lambda x: np.add.outer(x[:2], x[2:]), 6),
    R("add-reduceat", lambda x: np.add.reduceat(x, [0, 2, 5]), 6),
    R("hypot-reduce", lambda x: np.hypot.reduce(x.reshape(2, 3), axis=0), 6),
    R("maximum-reduce", lambda x: np.maximum.reduce(x.reshape(2, 3), axis=-1), 6),
    R("maximum-accumulate-axis1", lambda x: np.maximum.accumulate(x.reshape(2, 3), axis=1), 6),
    R("subtract-reduce", lambda x: np.subtract.reduce(x), 6),
    R("add-reduce-axis-tuple-keepdims", lambda x: np.add.reduce(x.reshape(2, 3, 2), axis=(0, 2), keepdims=True), 12),
    R("multiply-outer", lambda x: np.multiply.outer(x[:2], x[2:].reshape(2, 2)), 6),
    R("add-dtype-float", lambda x: np.add(x, x * x, dtype=float), 6),
    R("power-zero-exponent", lambda x: x**0 + np.power(x, 0.0) * x, P(6, -1, 1)),
    # 0 times sqrt's infinite slope at 0, where the zero cannot move: 0 in both modes (docs/conventions.md)
    R("sqrt-beside-a-constant-zero", lambda x: np.sqrt(np.concatenate([x, [0.0]])) * 2.0, 3),
    R("maximum-over-an-unmoving-sqrt-at-zero", lambda x: np.maximum(x + 1.0, np.sqrt(np.zeros(3) * x)), 3),
    R("multiply-by-a-zero-mask-of-sqrt", lambda x: np.array([1.0, 0.0, 1.0]) * np.sqrt(x * np.array([1.0, 0.0, 1.0])) + x, 3),
    # ===== operands of every kind NumPy accepts: ndarray, list, tuple, NumPy scalar, 0-d array, plain on the left =====
    R("multiply-ndarray", lambda x: x * C3, 3),
    R("multiply-ndarray-left", lambda x: C3 * x, 3),
    R("multiply-list", lambda x: x * C3.tolist(), 3),
    R("multiply-list-left", lambda x: C3.tolist() * x, 3),
    R("multiply-tuple", lambda x: x * tuple(C3), 3),
    R("multiply-tuple-left", lambda x: tuple(C3) * x, 3),
    R("multiply-f64", lambda x: x * np.float64(1.7), 3),
    R("multiply-f64-left", lambda x: np.float64(1.7) * x, 3),
    R("multiply-0d", lambda x: x * np.array(1.7), 3),
    R("multiply-0d-left", lambda x: np.array(1.7) * x, 3),
    R("multiply-scalar-dual-ndarray-left", lambda x: C3 * x[0], 3),
    R("add-ndarray-left", lambda x: C3 + x, 3),
    R("add-list-left", lambda x: C3.tolist() + x, 3),
    R("add-tuple", lambda x: x + tuple(C3), 3),
    R("add-f64-left", lambda x: np.float64(1.7) + x, 3),
    R("add-0d-left", lambda x: np.array(1.7) + x, 3),
    R("subtract-ndarray-left", lambda x: C3 - x, 3),
    R("subtract-list-left", lambda x: C3.tolist() - x, 3),
    R("divide-ndarray-left", lambda x: C3 / x, 3),
    R("divide-tuple-left", lambda x: tuple(C3) / x, 3),
    R("power-ndarray-left", lambda x: np.abs(C3) ** x, 3),
    R("power-f64-left", lambda x: np.float64(1.7) ** x, 3),
    R("where-compare-ndarray-left", lambda x: np.where(np.ones(6) < x, x, -x), 6),
    R("where-compare-0d-left", lambda x: np.where(np.array(1.0) >= x, x * x, x), 6),
    R("where-compare-list", lambda x: np.where(x > [1.0] * 6, x, 2 * x), 6),
    R("matmul-ndarray-left", lambda x: A @ x.reshape(3, 2), 6),
    R("matmul-ndarray", lambda x: x.reshape(2, 3) @ A, 6),
    R("matmul-list-left", lambda x: A.tolist() @ x.reshape(3, 2), 6),
    R("matmul-list", lambda x: np.matmul(x.reshape(2, 3), A.tolist()), 6),
    R("matmul-tuple-left", lambda x: np.matmul(tup(A), x.reshape(3, 2)), 6),
    R("matmul-vector-left", lambda x: C3 @ x.reshape(3, 2), 6),
    R("matmul-vector", lambda x: x.reshape(2, 3) @ C3, 6),
    R("matmul-both", lambda x: x[:6].reshape(2, 3) @ x[6:].reshape(3, 2), 12),
    R("matmul-vector-vector", lambda x: x[:3] @ x[3:], 6),
    R("matmul-stacked", lambda x: x[:12].reshape(2, 2, 3) @ x[12:].reshape(3, 2), 18),
    R("matmul-stacked-ndarray-left", lambda x: np.stack([A, A.T]) @ x.reshape(3, 2), 6),
    R("matmul-dtype", lambda x: np.matmul(x.reshape(2, 3), A, dtype=float), 6),
    R("dot-ndarray", lambda x: np.dot(x.reshape(2, 3), A), 6),
    R("dot-ndarray-left", lambda x: np.dot(A, x.reshape(3, 2)), 6),
    R("dot-list", lambda x: np.dot(x.reshape(2, 3), A.tolist()), 6),
    R("dot-tuple-left", lambda x: np.dot(tup(A), x.reshape(3, 2)), 6),
    R("dot-f64", lambda x: np.dot(x, np.float64(1.7)), 6),
    R("dot-0d-left", lambda x: np.dot(np.array(1.7), x), 6),
    R("dot-vectors", lambda x: np.dot(x[:3], x[3:]), 6),
    R("dot-method", lambda x: x.reshape(2, 3).dot(C3), 6),
    R("dot-nd", lambda x: np.dot(x[:6].reshape(2, 3), x[6:].reshape(2, 3, 2)), 18),
    R("inner-ndarray", lambda x: np.inner(x.reshape(2, 3), A), 6),
    R("inner-ndarray-left", lambda x: np.inner(A, x.reshape(2, 3)), 6),
    R("inner-list", lambda x: np.inner(x[:3], C3.tolist()), 3),
    R("inner-tuple-left", lambda x: np.inner(tuple(C3), x[:3]), 3),
    R("inner-f64", lambda x: np.inner(x, np.float64(1.7)), 3),
    R("inner-0d-left", lambda x: np.inner(np.array(1.7), x), 3),
    R("inner-both", lambda x: np.inner(x[:6].reshape(2, 3), x[6:].reshape(2, 3)), 12),
    R("tensordot-ndarray", lambda x: np.tensordot(x.reshape(2, 3), A, axes=1), 6),
    R("tensordot-ndarray-left", lambda x: np.tensordot(A, x.reshape(3, 2), axes=1), 6),
    R("tensordot-list", lambda x: np.tensordot(x.reshape(2, 3), A.tolist(), axes=([1], [0])), 6),
    R("tensordot-tuple-left", lambda x: np.tensordot(tup(B), x.reshape(3, 2), axes=2), 6),
    R("tensordot-f64", lambda x: np.tensordot(x, np.float64(1.7), axes=0), 6),
    R("tensordot-0d-left", lambda x: np.tensordot(np.array(1.7), x, axes=0), 6),
    R("tensordot-both-negative-axes", lambda x: np.tensordot(x[:6].reshape(2, 3), x[6:].reshape(3, 2), axes=([-1], [-2])), 12),
    R("tensordot-both-axes2", lambda x: np.tensordot(x[:12].reshape(2, 3, 2), x[12:].reshape(3, 2), axes=2), 18),
    R("kron-ndarray", lambda x: np.kron(x.reshape(2, 3), B), 6),
    R("kron-ndarray-left", lambda x: np.kron(B, x.reshape(2, 3)), 6),
    R("kron-list", lambda x: np.kron(x[:3], C3.tolist()), 3),
    R("kron-tuple-left", lambda x: np.kron(tuple(C3), x[:3]), 3),
    R("kron-f64", lambda x: np.kron(x, np.float64(1.7)), 3),
    R("kron-0d-left", lambda x: np.kron(np.array(1.7), x), 3),
    R("kron-both", lambda x: np.kron(x[:4].reshape(2, 2), x[4:]), 6),
    R("cross-ndarray", lambda x: np.cross(x, C3), 3),
    R("cross-ndarray-left", lambda x: np.cross(C3, x), 3),
    R("cross-list", lambda x: np.cross(x, C3.tolist()), 3),
    R("cross-tuple-left", lambda x: np.cross(tuple(C3), x), 3),
    R("cross-both-stacked", lambda x: np.cross(x[:6].reshape(2, 3), x[6:].reshape(2, 3)), 12),
    R("cross-axis0", lambda x: np.cross(x[:6].reshape(3, 2), x[6:].reshape(3, 2), axis=0), 12),
    *([R("cross-2d-vectors", lambda x: quiet(lambda: np.cross(x[:2], x[2:])), 4),
       R("cross-2d-3d", lambda x: quiet(lambda: np.cross(x[:2], x[2:])), 5)] if CROSS_2D else []),
    R("cross-axisa-axisb-axisc", lambda x: np.cross(x[:6].reshape(3, 2), x[6:].reshape(2, 3), axisa=0, axisb=1, axisc=0), 12),
    R("linalg.solve-ndarray-left", lambda x: np.linalg.solve(A, x), 3),
    R("linalg.solve-list-left", lambda x: np.linalg.solve(A.tolist(), x), 3),
    R("linalg.solve-tuple-left", lambda x: np.linalg.solve(tup(A), x.reshape(3, 2)), 6),
    R("linalg.solve-ndarray", lambda x: np.linalg.solve(x.reshape(3, 3), C3), mat(3, shift=2)),
    R("linalg.solve-list", lambda x: np.linalg.solve(x.reshape(3, 3), C3.tolist()), mat(3, shift=2)),
    R("linalg.solve-tuple", lambda x: np.linalg.solve(x.reshape(3, 3), tup(B)), mat(3, shift=2)),
    R("linalg.solve-both", lambda x: np.linalg.solve(x[:9].reshape(3, 3), x[9:]), np.r_[mat(3, shift=2).ravel(), C3]),
    R("linalg.solve-both-matrix", lambda x: np.linalg.solve(x[:4].reshape(2, 2), x[4:].reshape(2, 2)), np.r_[mat(2, shift=2).flat, P(4)]),
    R("linalg.solve-stacked", lambda x: np.linalg.solve(x[:8].reshape(2, 2, 2), x[8:].reshape(2, 2, 1)),
      np.r_[mat(2, shift=2).ravel(), mat(2, shift=2, seed=1).ravel(), 1, 2, 3, 4]),
    R("concatenate-ndarray", lambda x: np.concatenate([x, C3]), 3),
    R("concatenate-ndarray-left", lambda x: np.concatenate([C3, x]), 3),
    R("concatenate-list", lambda x: np.concatenate([x, C3.tolist()]), 3),
    R("concatenate-tuple-left", lambda x: np.concatenate((tuple(C3), x)), 3),
    R("concatenate-axis-neg", lambda x: np.concatenate([x.reshape(2, 3), C23, x.reshape(2, 3)], axis=-1), 6),
    R("concatenate-axis-none", lambda x: np.concatenate([x.reshape(2, 3), C3], axis=None), 6),
    R("concatenate-dtype", lambda x: np.concatenate([x, C3], dtype=float), 3),
    R("concat", lambda x: np.concat([x[:2], x[2:]]), 6),
    R("stack-ndarray", lambda x: np.stack([x, C3]), 3),
    R("stack-ndarray-left", lambda x: np.stack([C3, x], axis=-1), 3),
    R("stack-list", lambda x: np.stack([x, C3.tolist()], axis=1), 3),
    R("stack-tuple", lambda x: np.stack((tuple(C3), x)), 3),
    R("stack-f64-0d", lambda x: np.stack([x[0], np.float64(1.7), np.array(0.3), x[1]]), 3),
    R("stack-axis-neg", lambda x: np.stack([x.reshape(2, 3), 2 * x.reshape(2, 3)], axis=-2), 6),
    R("where-ndarray", lambda x: np.where(C3 > 0, x, C3), 3),
    R("where-ndarray-left", lambda x: np.where(C3 > 0, C3, x), 3),
    R("where-list", lambda x: np.where([True, False, True], x, C3.tolist()), 3),
    R("where-tuple", lambda x: np.where((True, False, True), tuple(C3), x), 3),
    R("where-f64", lambda x: np.where(C3 > 0, x, np.float64(1.7)), 3),
    R("where-0d-left", lambda x: np.where(C3 > 0, np.array(1.7), x), 3),
    R("where-both-broadcast", lambda x: np.where(MASK23, x[:3], x[3:9].reshape(2, 3)), 9),
    R("where-dual-condition", lambda x: np.where(x > 1.0, x, x * x), 6),
    R("where-scalar-condition", lambda x: np.where(True, x, C3), 3),
    R("where-scalar-dual-branch", lambda x: np.where(C3 > 0, x[0], x[1:]), 4),
    R("polyval-ndarray", lambda x: np.polyval(x, C3), 3),
    R("polyval-list", lambda x: np.polyval(x, C3.tolist()), 3),
    R("polyval-tuple", lambda x: np.polyval(x, tuple(C3)), 3),
    R("polyval-f64", lambda x: np.polyval(x, np.float64(1.7)), 3),
    R("polyval-0d", lambda x: np.polyval(x, np.array(1.7)), 3),
    R("polyval-ndarray-left", lambda x: np.polyval(C3, x), 3),
    R("polyval-list-left", lambda x: np.polyval(C3.tolist(), x), 3),
    R("polyval-both", lambda x: np.polyval(x[:3], x[3:]), 6),
    R("polyval-2d-x", lambda x: np.polyval(x[:3], x[3:].reshape(3, 1)), 6),
    R("average-weights-ndarray", lambda x: np.average(x, weights=np.abs(C3)), 3),
    R("average-weights-list", lambda x: np.average(x, weights=np.abs(C3).tolist()), 3),
    R("average-weights-tuple", lambda x: np.average(x, weights=tuple(np.abs(C3))), 3),
    R("average-weights-dual", lambda x: np.average(C3, weights=x), 3),
    R("average-weights-both-axis", lambda x: np.average(x[:6].reshape(2, 3), axis=1, weights=x[6:]), 9),
    R("average-weights-1d-axis0", lambda x: np.average(x.reshape(2, 3), axis=0, weights=[0.3, 0.7]), 6),
    R("average-weights-axis-tuple", lambda x: np.average(x.reshape(2, 3, 2), axis=(0, -1), weights=P(12).reshape(2, 3, 2)), 12),
    R("einsum-ndarray", lambda x: np.einsum("ij,jk->ik", x.reshape(2, 3), A), 6),
    R("einsum-ndarray-left", lambda x: np.einsum("ij,jk->ik", A, x.reshape(3, 2)), 6),
    R("einsum-list", lambda x: np.einsum("ij,j->i", x.reshape(2, 3), C3.tolist()), 6),
    R("einsum-tuple-left", lambda x: np.einsum("i,ij->j", tuple(C3), x.reshape(3, 2)), 6),
    R("einsum-f64", lambda x: np.einsum("i,->i", x, np.float64(1.7)), 3),
    R("einsum-0d-left", lambda x: np.einsum(",i->i", np.array(1.7), x), 3),
    R("einsum-trace", lambda x: np.einsum("ii", x.reshape(3, 3)), 9),
    R("einsum-diagonal", lambda x: np.einsum("ii->i", x.reshape(3, 3)), 9),
    R("einsum-implicit", lambda x: np.einsum("ij,jk", x[:6].reshape(2, 3), x[6:].reshape(3, 2)), 12),
    R("einsum-ellipsis", lambda x: np.einsum("...ij,...j->...i", x[:12].reshape(2, 2, 3), x[12:].reshape(2, 3)), 18),
    R("einsum-three", lambda x: np.einsum("i,ij,j->", x[:2], x[2:8].reshape(2, 3), x[8:]), 11),
    R("einsum-sublist", lambda x: np.einsum(x[:6].reshape(2, 3), [0, 1], x[6:], [1], [0]), 9),
    R("einsum-optimize", lambda x: np.einsum("ij,jk,kl->il", x.reshape(2, 3), A, B, optimize=True), 6),
    R("einsum-same-operand-twice", lambda x: np.einsum("ij,ij->", x.reshape(2, 3), x.reshape(2, 3)), 6),
    R("einsum-implicit-scalar", lambda x: np.einsum("i,i", x[:3], x[3:]), 6),
    R("einsum-broadcast-ellipsis-left", lambda x: np.einsum("...i,i->...", x.reshape(2, 3), C3), 6),
    R("einsum-ellipsis-broadcast-1", lambda x: np.einsum("...ij,...jk->...ik", x[:12].reshape(2, 2, 3), x[12:].reshape(1, 3, 2)), 18),
    R("outer-ndarray", lambda x: np.outer(x, C3), 3),
    R("outer-ndarray-left", lambda x: np.outer(C3, x), 3),
    R("outer-list", lambda x: np.outer(x, C3.tolist()), 3),
    R("outer-tuple-left", lambda x: np.outer(tuple(C3), x), 3),
    R("outer-f64", lambda x: np.outer(x, np.float64(1.7)), 3),
    R("outer-0d-left", lambda x: np.outer(np.array(1.7), x), 3),
    R("outer-both-2d", lambda x: np.outer(x[:4].reshape(2, 2), x[4:]), 6),
    R("convolve-ndarray", lambda x: np.convolve(x, C3), 5),
    R("convolve-ndarray-left", lambda x: np.convolve(C3, x), 5),
    R("convolve-list-same", lambda x: np.convolve(x, C3.tolist(), mode="same"), 5),
    R("convolve-tuple-valid", lambda x: np.convolve(x, tuple(C3), mode="valid"), 5),
    R("convolve-f64", lambda x: np.convolve(x, np.float64(1.7)), 5),
    R("convolve-0d-left", lambda x: np.convolve(np.array(1.7), x), 5),
    R("convolve-both", lambda x: np.convolve(x[:4], x[4:]), 7),
    R("correlate", lambda x: np.correlate(x[:5], x[5:], mode="full"), 8),
    R("correlate-ndarray-valid", lambda x: np.correlate(x, C3), 5),
    # ===== shapes =====
    R("reshape", lambda x: np.reshape(x, (2, 3)), 6),
    R("reshape-neg1-F", lambda x: np.reshape(x, (3, -1), order="F"), 6),
    R("reshape-method", lambda x: x.reshape(3, 2).reshape(-1) * x, 6),
    R("transpose", lambda x: np.transpose(x.reshape(2, 3)), 6),
    R("transpose-axes-neg", lambda x: np.transpose(x.reshape(2, 3, 2), (-1, 0, 1)), 12),
    R("transpose-T", lambda x: x.reshape(2, 3).T @ C23, 6),
    R("permute_dims", lambda x: np.permute_dims(x.reshape(2, 3, 2), (1, 2, 0)), 12),
    R("broadcast_to", lambda x: np.broadcast_to(x.reshape(3, 1), (2, 3, 4)), 3),
    R("broadcast_to-scalar-dual", lambda x: np.broadcast_to(x[0], (2, 3)) * x[1:4], 4),
    R("broadcast_arrays", lambda x: flat(np.broadcast_arrays(x[:3, None], x[3:5], C23.T)), 5),
    R("ravel", lambda x: np.ravel(x.reshape(2, 3).T), 6),
    R("ravel-F", lambda x: np.ravel(x.reshape(2, 3), order="F"), 6),
    R("squeeze", lambda x: np.squeeze(x.reshape(1, 6, 1)), 6),
    R("squeeze-axis-tuple-neg", lambda x: np.squeeze(x.reshape(1, 3, 1, 2), axis=(0, -2)), 6),
    R("expand_dims-axis-tuple-neg", lambda x: np.expand_dims(x.reshape(2, 3), (0, -1)), 6),
    R("expand_dims", lambda x: np.expand_dims(x, 1), 6),
    R("swapaxes", lambda x: np.swapaxes(x.reshape(2, 3, 2), 0, -1), 12),
    R("moveaxis", lambda x: np.moveaxis(x.reshape(2, 3, 2), 0, -1), 12),
    R("moveaxis-tuples", lambda x: np.moveaxis(x.reshape(2, 3, 2), (0, 1), (-1, 0)), 12),
    R("rollaxis", lambda x: np.rollaxis(x.reshape(2, 3, 2), 2, 0), 12),
    R("atleast_1d", lambda x: np.atleast_1d(x[0]) * x, 6),
    R("atleast_1d-several", lambda x: flat(np.atleast_1d(x[0], x[1:])), 6),
    R("atleast_2d", lambda x: np.atleast_2d(x), 6),
    R("atleast_2d-scalar", lambda x: np.atleast_2d(x[0]) * x.reshape(2, 3), 6),
    R("atleast_3d", lambda x: flat(np.atleast_3d(x[0], x[1:3], x[3:].reshape(1, 3))), 6),
    R("hstack", lambda x: np.hstack([x.reshape(2, 3), C23]), 6),
    R("hstack-1d", lambda x: np.hstack([x, C3, x[0]]), 6),
    R("vstack", lambda x: np.vstack([x.reshape(2, 3), C3, x[:3]]), 6),
    *([R("row_stack", lambda x: quiet(lambda: np.row_stack([x[:3], C3])), 3)] if ROW_STACK else []),
    R("dstack", lambda x: np.dstack([x.reshape(2, 3), C23]), 6),
    R("column_stack", lambda x: np.column_stack([x[:3], C3, x[3:].reshape(3, 1)]), 6),
    R("block", lambda x: np.block([[x[:4].reshape(2, 2), C23[:, :1]], [C3[:2].reshape(1, 2), x[4:5].reshape(1, 1)]]), 5),
    R("block-1d", lambda x: np.block([x[:2], C3, x[2:]]), 6),
    R("block-3-levels", lambda x: np.block([[[x[None, None, :2]], [C23[:1, None, :2]]], [[x[None, None, 2:4]], [x[None, None, 4:]]]]), 6),
    R("append", lambda x: np.append(x.reshape(2, 3), C3), 6),
    R("append-axis", lambda x: np.append(x.reshape(2, 3), x[:3].reshape(1, 3), axis=0), 6),
    R("split", lambda x: flat(np.split(x.reshape(2, 6), 3, axis=1)[::-1]), 12),
    R("split-indices", lambda x: flat(np.split(x, [1, 4])[::-1]), 6),
    R("split-empty-piece", lambda x: flat(np.split(x, [2, 2, 9])), 6),
    R("array_split", lambda x: flat(np.array_split(x, 4)[::-1]), 6),
    R("hsplit", lambda x: flat(np.hsplit(x.reshape(2, 4), [1, 3])[::-1]), 8),
    R("vsplit", lambda x: flat(np.vsplit(x.reshape(4, 2), 2)[::-1]), 8),
    R("dsplit", lambda x: flat(np.dsplit(x.reshape(1, 2, 4), [3])[::-1]), 8),
    R("flip", lambda x: np.flip(x), 6),
    R("flip-axis-tuple-neg", lambda x: np.flip(x.reshape(2, 3, 2), axis=(0, -1)), 12),
    R("fliplr", lambda x: np.fliplr(x.reshape(2, 3)), 6),
    R("flipud", lambda x: np.flipud(x.reshape(2, 3)), 6),
    R("rot90", lambda x: np.rot90(x.reshape(2, 3)), 6),
    R("rot90-k2", lambda x: np.rot90(x.reshape(2, 3), 2), 6),
    R("rot90-k3-axes", lambda x: np.rot90(x.reshape(2, 3, 2), -1, axes=(0, 2)), 12),
    R("roll", lambda x: np.roll(x.reshape(2, 3), 2), 6),
    R("roll-axis-tuple", lambda x: np.roll(x.reshape(2, 3, 2), (1, -1), axis=(0, -1)), 12),
    R("roll-negative", lambda x: np.roll(x, -4), 6),
    R("tile", lambda x: np.tile(x.reshape(2, 3), (2, 1, 2)), 6),
    R("tile-int", lambda x: np.tile(x[:3], 3), 3),
    R("repeat", lambda x: np.repeat(x, 2), 6),
    R("repeat-axis-counts", lambda x: np.repeat(x.reshape(3, 2), [1, 0, 2], axis=0), 6),
    R("repeat-axis-neg", lambda x: np.repeat(x.reshape(3, 2), 3, axis=-1), 6),
    R("take", lambda x: np.take(x, [0, 4, 4, 2]), 6),
    R("take-axis-neg", lambda x: np.take(x.reshape(2, 3), [[2, 0], [1, 1]], axis=-1), 6),
    R("take-wrap", lambda x: np.take(x, [7, -8, 1], mode="wrap"), 6),
    R("take-clip", lambda x: np.take(x, [9, -3, 1], mode="clip"), 6),
    R("take-scalar-index", lambda x: np.take(x.reshape(2, 3), 4) * x, 6),
    R("take_along_axis", lambda x: np.take_along_axis(x.reshape(2, 3), np.array([[2, 0], [1, 1]]), axis=1), 6),
    R("take_along_axis-axis-none", lambda x: np.take_along_axis(x.reshape(2, 3), np.array([5, 0]), axis=None), 6),
    R("compress", lambda x: np.compress([True, False, True], x.reshape(2, 3), axis=1), 6),
    R("compress-dual-condition", lambda x: np.compress(x > 1.0, x), 6),
    R("extract", lambda x: np.extract(MASK23, x.reshape(2, 3)), 6),
    R("delete", lambda x: np.delete(x, [0, 2]), 6),
    R("delete-axis", lambda x: np.delete(x.reshape(2, 3), 1, axis=1), 6),
    R("insert", lambda x: np.insert(x[:4], [1, 3], x[4:]), 6),
    R("insert-axis-const", lambda x: np.insert(x.reshape(2, 3), 1, C3, axis=0), 6),
    R("insert-scalar", lambda x: np.insert(x, 2, 7.5), 6),
    R("diagonal", lambda x: np.diagonal(x.reshape(2, 3)), 6),
    R("diagonal-offset-axes", lambda x: np.diagonal(x.reshape(2, 3, 2), 1, 0, 2), 12),
    R("diagonal-negative-axes", lambda x: np.diagonal(x.reshape(2, 3, 2), -1, -1, -3), 12),
    R("diag-1d", lambda x: np.diag(x, -1), 4),
    R("diag-2d", lambda x: np.diag(x.reshape(2, 3), 1), 6),
    R("diagflat", lambda x: np.diagflat(x.reshape(2, 2), 1), 4),
    R("tril", lambda x: np.tril(x.reshape(3, 3), -1), 9),
    R("tril-1d", lambda x: np.tril(x), 3),
    R("triu", lambda x: np.triu(x.reshape(2, 2, 3), 1), 12),
    R("trace", lambda x: np.trace(x.reshape(3, 3)), 9),
    R("trace-offset-axes", lambda x: np.trace(x.reshape(2, 3, 2), -1, 2, 1), 12),
    R("trace-dtype", lambda x: np.trace(x.reshape(2, 3), dtype=float), 6),
    R("diff", lambda x: np.diff(x), 6),
    R("diff-n2-axis0", lambda x: np.diff(x.reshape(3, 2), 2, axis=0), 6),
    R("diff-prepend-append", lambda x: np.diff(x.reshape(2, 3), prepend=0.5, append=x[:2].reshape(2, 1)), 6),
    R("ediff1d", lambda x: np.ediff1d(x), 6),
    R("ediff1d-ends", lambda x: np.ediff1d(x.reshape(2, 3), to_end=x[:2], to_begin=[0.5]), 6),
    R("pad", lambda x: np.pad(x.reshape(2, 3), 1), 6),
    R("pad-constant-values", lambda x: np.pad(x.reshape(2, 3), ((1, 0), (0, 2)), constant_values=(0.5, 2.0)), 6),
    R("pad-edge", lambda x: np.pad(x.reshape(2, 3), (2, 1), mode="edge"), 6),
    R("pad-wrap", lambda x: np.pad(x, 4, mode="wrap"), 6),
    R("pad-reflect", lambda x: np.pad(x.reshape(2, 3), ((1, 1), (2, 2)), mode="reflect"), 6),
    R("pad-symmetric", lambda x: np.pad(x, (3, 2), mode="symmetric"), 6),
    R("resize", lambda x: np.resize(x, (3, 4)), 6),
    R("resize-smaller", lambda x: np.resize(x.reshape(2, 3), 4), 6),
    R("astype", lambda x: np.astype(x, np.float64), 6),
    R("astype-method", lambda x: x.astype(float) * x, 6),
    R("shape", lambda x: x.reshape(np.shape(x.reshape(2, 3))[::-1]), 6),
    R("ndim", lambda x: x * np.ndim(x.reshape(2, 3)), 6),
    R("size", lambda x: x * np.size(x.reshape(2, 3), 1), 6),
    R("copy", lambda x: np.copy(x) * x, 6),
    # ===== reductions =====
    R("sum", np.sum, 6),
    R("sum-axis0", lambda x: np.sum(x.reshape(2, 3), axis=0), 6),
    R("sum-axis-neg-keepdims", lambda x: np.sum(x.reshape(2, 3), axis=-1, keepdims=True), 6),
    R("sum-axis-tuple", lambda x: np.sum(x.reshape(2, 3, 2), axis=(0, -1)), 12),
    R("sum-axis-tuple-keepdims", lambda x: np.sum(x.reshape(2, 3, 2), axis=(2, 0), keepdims=True), 12),
    R("sum-where", lambda x: np.sum(x.reshape(2, 3), axis=1, where=MASK23), 6),
    R("sum-initial", lambda x: np.sum(x.reshape(2, 3), axis=0, initial=2.5), 6),
    R("sum-dtype", lambda x: np.sum(x, dtype=float), 6),
    R("sum-method", lambda x: x.reshape(2, 3).sum(axis=1), 6),
    R("sum-scalar", lambda x: np.sum(x[0]) * x, 6),
    R("sum-where-keepdims-axis-none", lambda x: np.sum(x.reshape(2, 3), where=MASK23, keepdims=True), 6),
    R("mean", np.mean, 6),
    R("mean-axis-tuple-keepdims", lambda x: np.mean(x.reshape(2, 3, 2), axis=(0, 2), keepdims=True), 12),
    R("mean-axis-neg", lambda x: np.mean(x.reshape(2, 3), axis=-2), 6),
    R("mean-where", lambda x: np.mean(x.reshape(2, 3), axis=1, where=MASK23), 6),
    R("mean-dtype", lambda x: np.mean(x, dtype=float), 6),
    R("mean-where-axis-none", lambda x: np.mean(x.reshape(2, 3), where=MASK23), 6),
    R("cumsum", np.cumsum, 6),
    R("cumsum-axis-neg", lambda x: np.cumsum(x.reshape(2, 3), axis=-1), 6),
    R("cumsum-axis-none-2d", lambda x: np.cumsum(x.reshape(2, 3)), 6),
    R("cumsum-dtype", lambda x: np.cumsum(x, dtype=float), 6),
    R("cumulative_sum", lambda x: np.cumulative_sum(x.reshape(2, 3), axis=1), 6),
    R("cumulative_sum-include-initial", lambda x: np.cumulative_sum(x.reshape(2, 3), axis=0, include_initial=True), 6),
    R("cumulative_sum-include-initial-axis-neg", lambda x: np.cumulative_sum(x.reshape(2, 3), axis=-1, include_initial=True), 6),
    R("prod", np.prod, 6),
    R("prod-axis-tuple-keepdims", lambda x: np.prod(x.reshape(2, 3, 2), axis=(0, -1), keepdims=True), 12),
    R("prod-where-initial", lambda x: np.prod(x.reshape(2, 3), axis=1, where=MASK23, initial=1.5), 6),
    R("prod-dtype", lambda x: np.prod(x.reshape(2, 3), axis=0, dtype=float), 6),
    R("prod-with-zero", lambda x: np.prod(np.concatenate([x, [0.0]])), 6),
    R("prod-axis-none-keepdims", lambda x: np.prod(x.reshape(2, 3), keepdims=True), 6),
    R("cumprod", np.cumprod, 6),
    R("cumprod-axis0", lambda x: np.cumprod(x.reshape(3, 2), axis=0), 6),
    R("cumulative_prod", lambda x: np.cumulative_prod(x.reshape(2, 3), axis=-1), 6),
    R("cumulative_prod-include-initial", lambda x: np.cumulative_prod(x, include_initial=True), 6),
    R("cumulative_prod-include-initial-axis-neg", lambda x: np.cumulative_prod(x.reshape(2, 3), axis=-1, include_initial=True), 6),
    R("max", np.max, 6),
    R("max-axis-neg-keepdims", lambda x: np.max(x.reshape(2, 3), axis=-1, keepdims=True), 6),
    R("max-axis-tuple", lambda x: np.max(x.reshape(2, 3, 2), axis=(0, 2)), 12),
    R("max-initial", lambda x: np.max(x.reshape(3, 2), axis=1, initial=1.0), 6),
    R("max-where", lambda x: np.max(x.reshape(2, 3), axis=1, where=MASK23, initial=-5.0), 6),
    R("max-method", lambda x: x.reshape(2, 3).max(0), 6),
    R("max-keepdims-axis-none", lambda x: np.max(x.reshape(2, 3), keepdims=True), 6),
    R("max-scalar", lambda x: np.max(x[0]) * x, 6),
    R("amax", lambda x: np.amax(x.reshape(2, 3), axis=0), 6),
    R("min", np.min, 6),
    R("min-axis-tuple-keepdims", lambda x: np.min(x.reshape(2, 3, 2), axis=(-1, 0), keepdims=True), 12),
    R("min-initial-where", lambda x: np.min(x.reshape(2, 3), axis=0, where=MASK23, initial=5.0), 6),
    R("amin", lambda x: np.amin(x.reshape(2, 3), axis=1), 6),
    R("ptp", lambda x: np.ptp(x), 6),
    R("ptp-axis-keepdims", lambda x: np.ptp(x.reshape(2, 3), axis=1, keepdims=True), 6),
    R("ptp-axis-tuple", lambda x: np.ptp(x.reshape(2, 3, 2), axis=(0, 2)), 12),
    R("var", np.var, 6),
    R("var-ddof-axis", lambda x: np.var(x.reshape(2, 3), axis=1, ddof=1), 6),
    R("var-axis-tuple-keepdims", lambda x: np.var(x.reshape(2, 3, 2), axis=(0, -1), keepdims=True), 12),
    R("var-where", lambda x: np.var(x.reshape(2, 3), axis=1, where=MASK23), 6),
    R("var-correction", lambda x: np.var(x, correction=1.5), 6),
    R("var-dtype", lambda x: np.var(x, dtype=float), 6),
    R("var-mean-keyword", lambda x: np.var(x.reshape(2, 3), axis=1, mean=np.mean(x.reshape(2, 3), axis=1, keepdims=True)), 6),
    R("std", np.std, 6),
    R("std-ddof-axis-neg", lambda x: np.std(x.reshape(2, 3), axis=-2, ddof=1), 6),
    R("std-where-keepdims", lambda x: np.std(x.reshape(2, 3), axis=1, where=MASK23, keepdims=True), 6),
    R("average", lambda x: np.average(x), 6),
    R("average-axis-keepdims", lambda x: np.average(x.reshape(2, 3), axis=1, keepdims=True), 6),
    R("average-returned", lambda x: flat(np.average(x.reshape(2, 3), axis=0, weights=MASK23 + 0.5, returned=True)), 6),
    # ===== selection =====
    R("clip", lambda x: np.clip(x, 0.8, 1.2), 6),
    R("clip-arrays", lambda x: np.clip(x[:3], x[3:] - 0.3, C3 + 1.0), 6),
    R("clip-keywords", lambda x: np.clip(x, min=0.9), 6),
    R("clip-method", lambda x: x.clip(None, 1.1), 6),
    R("sort", np.sort, 6),
    R("sort-axis0", lambda x: np.sort(x.reshape(3, 2), axis=0), 6),
    R("sort-axis-none", lambda x: np.sort(x.reshape(2, 3), axis=None), 6),
    R("sort-stable-axis-neg", lambda x: np.sort(x.reshape(2, 3), axis=-2, kind="stable"), 6),
    R("partition", lambda x: np.sort(np.partition(x, 2)[:3]), 6),
    R("partition-axis0", lambda x: np.partition(x.reshape(3, 2), 1, axis=0)[1], 6),
    R("round", lambda x: np.round(x, 1) * x, 6),
    R("round-method", lambda x: x.round(1) + x, 6),
    R("around", lambda x: np.around(x) * x, 6),
    R("fix", lambda x: np.fix(x) * x, P(6, -2.3, 2.3)),
    R("select", lambda x: np.select([x[:3] < 1.0, x[:3] > 1.2], [x[:3], x[3:] ** 2], default=0.5), 6),
    R("select-default-dual", lambda x: np.select([MASK23], [x[:6].reshape(2, 3)], default=x[6:]), 9),
    R("piecewise", lambda x: np.piecewise(x, [x < 1.0, x >= 1.0], [lambda t: t**2, lambda t: np.sin(t)]), 6),
    R("piecewise-otherwise", lambda x: np.piecewise(x, [x < 0.8], [lambda t: 2 * t, 0.5]), 6),
    R("piecewise-scalar", lambda x: np.piecewise(x[0], [x[0] < 1.0], [lambda t: t**2, lambda t: t**3]) * x, 6),
    R("nan_to_num", lambda x: np.nan_to_num(np.where(NANMASK, np.nan, x), nan=2.0), 6),
    R("nan_to_num-inf", lambda x: np.nan_to_num(np.where(NANMASK, [np.inf, -np.inf] * 3, x), posinf=9.0, neginf=-9.0), 6),
    R("full_like", lambda x: np.full_like(x, x[0]) * x, 6),
    R("full_like-const", lambda x: np.full_like(x, 2.0) + x, 6),
    R("asarray_chkfinite", lambda x: np.asarray_chkfinite(x) * x, 6),
    # ===== products (the rest) =====
    R("vdot", lambda x: np.vdot(x[:6].reshape(2, 3), x[6:]), 12),
    R("vecdot", lambda x: np.vecdot(x[:6].reshape(2, 3), x[6:]), 9),
    R("vecdot-axis0", lambda x: np.vecdot(x[:6].reshape(2, 3), C23, axis=0), 6),
    R("linalg.multi_dot", lambda x: np.linalg.multi_dot([x[:6].reshape(2, 3), A, x[6:].reshape(3, 2)]), 12),
    R("linalg.matrix_power", lambda x: np.linalg.matrix_power(x.reshape(3, 3), 3), mat(3, shift=1)),
    R("linalg.matrix_power-zero", lambda x: np.linalg.matrix_power(x.reshape(2, 2), 0) * x.reshape(2, 2), 4),
    R("linalg.matrix_power-negative", lambda x: np.linalg.matrix_power(x.reshape(3, 3), -2), mat(3, shift=2)),
    R("linalg.outer", lambda x: np.linalg.outer(x[:2], x[2:]), 5),
    R("linalg.tensordot", lambda x: np.linalg.tensordot(x.reshape(2, 3), A, axes=1), 6),
    R("linalg.matmul", lambda x: np.linalg.matmul(x.reshape(2, 3), B), 6),
    R("linalg.vecdot", lambda x: np.linalg.vecdot(x[:6].reshape(2, 3), x[6:], axis=-1), 9),
    R("linalg.cross", lambda x: np.linalg.cross(x[:6].reshape(2, 3), x[6:]), 9),
    R("linalg.matrix_transpose", lambda x: np.linalg.matrix_transpose(x.reshape(2, 3, 1)), 6),
    # ===== statistics =====
    R("nansum", lambda x: np.nansum(np.where(NANMASK, np.nan, x)), 6),
    R("nansum-axis-keepdims", lambda x: np.nansum(np.where(NANMASK, np.nan, x).reshape(2, 3), axis=1, keepdims=True), 6),
    R("nanmean", lambda x: np.nanmean(np.where(NANMASK, np.nan, x).reshape(3, 2), axis=0), 6),
    R("nanmax", lambda x: np.nanmax(np.where(NANMASK, np.nan, x).reshape(2, 3), axis=1), 6),
    R("nanmin", lambda x: np.nanmin(np.where(NANMASK, np.nan, x)), 6),
    R("nanprod", lambda x: np.nanprod(np.where(NANMASK, np.nan, x).reshape(2, 3), axis=1), 6),
    R("nancumsum", lambda x: np.nancumsum(np.where(NANMASK, np.nan, x)), 6),
    R("nancumprod", lambda x: np.nancumprod(np.where(NANMASK, np.nan, x).reshape(2, 3), axis=1), 6),
    R("nanvar", lambda x: np.nanvar(np.where(NANMASK, np.nan, x).reshape(2, 3), axis=1), 6),
    R("nanstd", lambda x: np.nanstd(np.where(NANMASK, np.nan, x), ddof=1), 6),
    R("nanmedian", lambda x: np.nanmedian(x.reshape(2, 3), axis=1), 6),
    R("nanquantile", lambda x: np.nanquantile(x, [0.3, 0.8]), 6),
    R("nanpercentile", lambda x: np.nanpercentile(x.reshape(2, 3), 40, axis=0), 6),
    R("quantile", lambda x: np.quantile(x, 0.3), 6),
    R("quantile-array-q", lambda x: np.quantile(x, [0.25, 0.75]), 6),
    R("quantile-axis-keepdims", lambda x: np.quantile(x.reshape(2, 3), 0.6, axis=1, keepdims=True), 6),
    R("quantile-q-dual", lambda x: np.quantile(x[:5], x[5] / 2), 6),
    R("percentile", lambda x: np.percentile(x.reshape(2, 3), [10, 90], axis=0), 6),
    R("percentile-keepdims-axis-none", lambda x: np.percentile(x.reshape(2, 3), 30, keepdims=True), 6),
    R("quantile-array-q-axis-neg-keepdims", lambda x: np.quantile(x.reshape(2, 3), [0.2, 0.9], axis=-1, keepdims=True), 6),
    R("median-axis-tuple", lambda x: np.median(x.reshape(2, 3, 2), axis=(0, 2)), 12),
    R("median", lambda x: np.median(x), 6),
    R("median-odd-axis", lambda x: np.median(x.reshape(2, 3), axis=1), 6),
    R("median-keepdims", lambda x: np.median(x.reshape(3, 2), axis=0, keepdims=True), 6),
    R("cov", lambda x: np.cov(x.reshape(2, 4)), 8),
    R("cov-rowvar-bias", lambda x: np.cov(x.reshape(4, 2), rowvar=False, bias=True), 8),
    R("cov-y-ddof", lambda x: np.cov(x[:4], x[4:], ddof=0), 8),
    R("cov-1d", lambda x: np.cov(x), 6),
    R("cov-y-rowvar-false", lambda x: np.cov(x[:6].reshape(3, 2), x[6:].reshape(3, 1), rowvar=False), 9),
    R("corrcoef", lambda x: np.corrcoef(x.reshape(3, 4)), 12),
    R("corrcoef-y", lambda x: np.corrcoef(x[:4], x[4:]), 8),
    R("trapezoid", lambda x: np.trapezoid(x), 6),
    R("trapezoid-x-dual", lambda x: np.trapezoid(x[:4], x=np.cumsum(x[4:])), 8),
    R("trapezoid-dx-axis0", lambda x: np.trapezoid(x.reshape(3, 2), dx=0.5, axis=0), 6),
    R("trapezoid-x-ndarray-2d", lambda x: np.trapezoid(x.reshape(2, 3), x=np.array([0.0, 0.4, 1.1])), 6),
    R("trapezoid-x-list-2d", lambda x: np.trapezoid(x.reshape(2, 3), x=[0.0, 0.4, 1.1]), 6),
    R("linspace", lambda x: np.linspace(x[0], x[1], 5), 2),
    R("linspace-endpoint-retstep", lambda x: flat(np.linspace(x[0], x[1], 4, endpoint=False, retstep=True)), 2),
    R("linspace-arrays", lambda x: np.linspace(x[:2], x[2:], 3), 4),
    R("linspace-const-start", lambda x: np.linspace(0.5, x[0], 4), 1),
    R("linspace-num1", lambda x: np.linspace(x[0], x[1], 1), 2),
    R("linspace-arrays-no-endpoint", lambda x: np.linspace(x[:2], x[2:], 3, endpoint=False), 4),
    R("gradient", lambda x: np.gradient(x), 6),
    R("gradient-spacing-edge2", lambda x: np.gradient(x, 0.5, edge_order=2), 6),
    R("gradient-coordinates", lambda x: np.gradient(x, [0.0, 0.3, 0.5, 1.1, 1.2, 2.0]), 6),
    R("gradient-2d", lambda x: flat(np.gradient(x.reshape(2, 3))), 6),
    R("gradient-2d-axis-neg-spacings", lambda x: flat(np.gradient(x.reshape(3, 4), 0.5, [0.0, 1.0, 1.5, 3.0], axis=(0, -1))), 12),
    R("sinc", np.sinc, P(6, -1.5, 1.5)),
    R("sinc-at-zero", np.sinc, [0.0, 0.3, -0.7]),
    R("interp", lambda x: np.interp(x[:3], XP, x[3:7]), 7),
    R("interp-const-fp", lambda x: np.interp(x, XP, [1.0, -0.5, 2.0, 0.3]), 6),
    R("interp-left-right", lambda x: np.interp(2.2 * x - 0.5, XP, x[2:6], left=-1.0, right=3.0), 6),
    # ===== numpy.linalg =====
    R("linalg.inv", lambda x: np.linalg.inv(x.reshape(3, 3)), mat(3, shift=2)),
    R("linalg.inv-stacked", lambda x: np.linalg.inv(x.reshape(2, 2, 2)), np.stack([mat(2, shift=2), mat(2, shift=2, seed=1)])),
    R("linalg.det", lambda x: np.linalg.det(x.reshape(3, 3)), mat(3, shift=2)),
    R("linalg.det-stacked", lambda x: np.linalg.det(x.reshape(2, 2, 2)), np.stack([mat(2, shift=2), mat(2, shift=2, seed=1)])),
    R("linalg.slogdet", lambda x: np.linalg.slogdet(x.reshape(3, 3))[1], mat(3, shift=2)),
    R("linalg.slogdet-sign", lambda x: np.prod(np.linalg.slogdet(x.reshape(3, 3) - 2 * np.eye(3))), mat(3, shift=2)),
    R("linalg.cholesky", lambda x: np.linalg.cholesky(x.reshape(3, 3)), spd(3)),
    R("linalg.cholesky-upper", lambda x: np.linalg.cholesky(x.reshape(3, 3), upper=True), spd(3)),
    R("linalg.eigh", lambda x: flat([w ** (i + 1) for i, w in enumerate(np.linalg.eigh(x.reshape(3, 3)))]), spd(3)),
    R("linalg.eigh-upper", lambda x: flat([a**2 for a in np.linalg.eigh(x.reshape(3, 3), UPLO="U")]), spd(3)),
    R("linalg.eigvalsh", lambda x: np.linalg.eigvalsh(x.reshape(3, 3)), spd(3)),
    R("linalg.svd", lambda x: flat([p**2 for p in np.linalg.svd(x.reshape(3, 3))]), mat(3, shift=1)),
    R("linalg.svd-tall", lambda x: flat([p**2 for p in np.linalg.svd(x.reshape(4, 2), False)]), mat(4, 2, shift=1)),
    R("linalg.svd-wide", lambda x: flat([p**2 for p in np.linalg.svd(x.reshape(2, 4), False)]), mat(2, 4, shift=1)),
    R("linalg.svd-values", lambda x: np.linalg.svd(x.reshape(3, 2), compute_uv=False), mat(3, 2, shift=1)),
    R("linalg.svdvals", lambda x: np.linalg.svdvals(x.reshape(2, 3)), mat(2, 3, shift=1)),
    # np.real: NumPy 2.5 returns complex eigenvalues (0 imaginary parts here) where dualdiff keeps them real
    R("linalg.eig", lambda x: flat([np.real(w) ** (i + 1) for i, w in enumerate(np.linalg.eig(x.reshape(3, 3)))]), EIG),
    R("linalg.eigvals", lambda x: np.sort(np.real(np.linalg.eigvals(x.reshape(3, 3)))), EIG),
    R("linalg.pinv", lambda x: np.linalg.pinv(x.reshape(4, 3)), mat(4, 3, shift=1)),
    R("linalg.pinv-wide", lambda x: np.linalg.pinv(x.reshape(2, 3)), mat(2, 3, shift=1)),
    R("linalg.lstsq", lambda x: flat(np.linalg.lstsq(x[:12].reshape(4, 3), x[12:])[:2]), np.r_[mat(4, 3).flat, P(4)]),
    R("linalg.lstsq-const-b", lambda x: np.linalg.lstsq(x.reshape(4, 3), [1.0, 2.0, 0.5, -1.0])[0], mat(4, 3, shift=1)),
    R("linalg.qr", lambda x: flat(np.linalg.qr(x.reshape(4, 3))), mat(4, 3, shift=1)),
    R("linalg.qr-square", lambda x: flat(np.linalg.qr(x.reshape(3, 3))), mat(3, shift=1)),
    R("linalg.norm", lambda x: np.linalg.norm(x), P(6, -1, 1)),
    R("linalg.norm-ord1", lambda x: np.linalg.norm(x, 1), P(6, -1, 1)),
    R("linalg.norm-ord-inf", lambda x: np.linalg.norm(x, np.inf), P(6, -1, 1)),
    R("linalg.norm-ord-neginf", lambda x: np.linalg.norm(x, -np.inf), P(6, -1, 1)),
    R("linalg.norm-ord3", lambda x: np.linalg.norm(x, 3), P(6, -1, 1)),
    R("linalg.norm-ord0", lambda x: x * np.linalg.norm(x, 0), P(6, -1, 1)),
    R("linalg.norm-fro", lambda x: np.linalg.norm(x.reshape(2, 3), "fro"), P(6, -1, 1)),
    R("linalg.norm-nuc", lambda x: np.linalg.norm(x.reshape(2, 3), "nuc"), mat(2, 3, shift=1)),
    R("linalg.norm-matrix-ord1", lambda x: np.linalg.norm(x.reshape(2, 3), 1), P(6, -1, 1)),
    R("linalg.norm-matrix-ord-neg1", lambda x: np.linalg.norm(x.reshape(2, 3), -1), P(6, -1, 1)),
    R("linalg.norm-matrix-ord-inf", lambda x: np.linalg.norm(x.reshape(2, 3), np.inf), P(6, -1, 1)),
    R("linalg.norm-matrix-ord2", lambda x: np.linalg.norm(x.reshape(2, 3), 2), mat(2, 3, shift=1)),
    R("linalg.norm-matrix-ord-neg2", lambda x: np.linalg.norm(x.reshape(3, 3), -2), mat(3, shift=1)),
    R("linalg.norm-axis-keepdims", lambda x: np.linalg.norm(x.reshape(2, 3), axis=1, keepdims=True), P(6, -1, 1)),
    R("linalg.norm-axis-tuple-3d", lambda x: np.linalg.norm(x.reshape(2, 3, 2), axis=(0, -1)), P(12, -1, 1)),
    R("linalg.norm-keepdims-none", lambda x: np.linalg.norm(x.reshape(2, 3), keepdims=True), P(6, -1, 1)),
    R("linalg.norm-matrix-axes-reversed", lambda x: np.linalg.norm(x.reshape(2, 3), ord=1, axis=(1, 0)), P(6, -1, 1)),
    R("linalg.norm-scalar", lambda x: np.linalg.norm(x[0]) * x, P(6, -1, 1)),
    R("linalg.vector_norm", lambda x: np.linalg.vector_norm(x.reshape(2, 3)), P(6, -1, 1)),
    R("linalg.vector_norm-axis-tuple-ord1", lambda x: np.linalg.vector_norm(x.reshape(2, 3, 2), axis=(0, 2), ord=1), P(12, -1, 1)),
    R("linalg.vector_norm-keepdims-ord3", lambda x: np.linalg.vector_norm(x.reshape(2, 3), axis=-1, keepdims=True, ord=3), P(6, -1, 1)),
    R("linalg.matrix_norm", lambda x: np.linalg.matrix_norm(x.reshape(2, 2, 3)), P(12, -1, 1)),
    R("linalg.matrix_norm-nuc-keepdims", lambda x: np.linalg.matrix_norm(x.reshape(2, 3), ord="nuc", keepdims=True), mat(2, 3, shift=1)),
    R("linalg.matrix_norm-inf", lambda x: np.linalg.matrix_norm(x.reshape(2, 3), ord=np.inf), P(6, -1, 1)),
    R("linalg.matrix_norm-neg2", lambda x: np.linalg.matrix_norm(x.reshape(3, 2), ord=-2), mat(3, 2, shift=1)),
    R("linalg.trace", lambda x: np.linalg.trace(x.reshape(2, 3, 3), offset=1), 18),
    R("linalg.diagonal", lambda x: np.linalg.diagonal(x.reshape(2, 2, 3), offset=-1), 12),
    # ===== complex values and numpy.fft (results as real vectors: real parts, then imaginary parts) =====
    R("real", lambda x: np.real(np.exp(1j * x)), P(6, -1, 1)),
    R("real-of-real", lambda x: np.real(x) * x, 6),
    R("real-attribute", lambda x: cplx(x).real, 6),
    R("imag", lambda x: np.imag(cplx(x) ** 2), P(6, -1, 1)),
    R("imag-of-real", lambda x: np.imag(x) + x, 6),
    R("conjugate", lambda x: np.real(cplx(x) * np.conjugate(cplx(x) ** 2)), P(6, -1, 1)),
    R("conj", lambda x: ri(np.conj(cplx(x)) * (1 + 2j)), 6),
    R("angle", lambda x: np.angle(cplx(x)), P(6, -1, 1)),
    R("angle-deg", lambda x: np.angle(cplx(x), deg=True), P(6, -1, 1)),
    R("absolute-complex", lambda x: np.abs(cplx(x)), P(6, -1, 1)),
    R("sign-complex", lambda x: ri(np.sign(cplx(x))), P(6, -1, 1)),
    R("real_if_close", lambda x: np.real_if_close(x * (1 + 1e-18j)), 6),
    R("real_if_close-stays-complex", lambda x: ri(np.real_if_close(cplx(x))), 6),
    R("sum-complex", lambda x: ri(np.sum(cplx(x).reshape(2, 2) ** 2, axis=0)), 8),
    R("var-complex", lambda x: np.var(cplx(x)), P(8, -1, 1)),
    R("linalg.norm-complex", lambda x: np.linalg.norm(cplx(x)), P(6, -1, 1)),
    R("linalg.svdvals-complex", lambda x: np.linalg.svdvals(cplx(x).reshape(2, 2)), CM22, FIRST),  # 2nd order: refused
    R("fft.fft", lambda x: ri(np.fft.fft(x)), 6),
    R("fft.fft-n-pad-norm", lambda x: ri(np.fft.fft(x, n=8, norm="ortho")), 6),
    R("fft.fft-n-crop-axis0", lambda x: ri(np.fft.fft(x.reshape(3, 2), n=2, axis=0)), 6),
    R("fft.fft-complex", lambda x: ri(np.fft.fft(cplx(x))), 8),
    R("fft.ifft", lambda x: ri(np.fft.ifft(cplx(x), norm="forward")), 8),
    R("fft.fft2", lambda x: ri(np.fft.fft2(x.reshape(2, 3))), 6),
    R("fft.ifft2", lambda x: ri(np.fft.ifft2(cplx(x).reshape(2, 3))), 12),
    R("fft.fftn", lambda x: ri(np.fft.fftn(x.reshape(2, 3, 2), axes=(0, 2))), 12),
    R("fft.ifftn", lambda x: ri(np.fft.ifftn(x.reshape(2, 3), s=(2, 4), axes=(0, 1))), 6),
    R("fft.rfft", lambda x: ri(np.fft.rfft(x)), 6),
    R("fft.rfft-odd-n", lambda x: ri(np.fft.rfft(x, n=5)), 6),
    R("fft.rfft2", lambda x: ri(np.fft.rfft2(x.reshape(2, 4))), 8),
    R("fft.rfftn", lambda x: ri(np.fft.rfftn(x.reshape(2, 3, 2))), 12),
    R("fft.irfft", lambda x: np.fft.irfft(cplx(x)), 8),
    R("fft.irfft-n-odd", lambda x: np.fft.irfft(cplx(x), n=5), 6),
    R("fft.irfft2", lambda x: np.fft.irfft2(cplx(x).reshape(2, 3)), 12),
    R("fft.irfftn", lambda x: np.fft.irfftn(cplx(x).reshape(2, 2, 2), s=(2, 2, 3), axes=(0, 1, 2)), 16),
    R("fft.hfft", lambda x: np.fft.hfft(cplx(x)), 8),
    R("fft.ihfft", lambda x: ri(np.fft.ihfft(x)), 6),
    R("fft.fftshift", lambda x: np.fft.fftshift(x.reshape(2, 3)), 6),
    R("fft.ifftshift", lambda x: np.fft.ifftshift(x.reshape(2, 3), axes=1), 6),
    # ===== silent derivative drops: functions registered "values only" whose result moves with x =====
    R("unique", lambda x: np.unique(x), 6),
    R("bincount-weights", lambda x: np.bincount([0, 2, 2, 1, 0, 2], weights=x), 6),
    R("histogram_bin_edges", lambda x: np.histogram_bin_edges(x, bins=3), 6),
    R("histogram-weights", lambda x: np.histogram(x[:3], bins=2, weights=x[3:])[0], 6),
    R("histogram-edges", lambda x: np.histogram(x, bins=3)[1], 6),
    R("histogram-density", lambda x: np.histogram(x, bins=2, density=True)[0], 6),
]


# --- values only: given a Dual or a Var, the same result as NumPy's on the plain values ---
@dataclass(frozen=True)
class ValueCase:
    id: str
    f: Callable[[Any], Any]
    x0: np.ndarray
    bugs: tuple[Bug, ...] = ()


def V(id: str, f: Callable[[Any], Any], *args: Any) -> ValueCase:
    """A values-only row: ``V(id, f[, x0][, bugs...])``, x0 as for `R` (default 6)."""
    x0 = next((a for a in args if not isinstance(a, Bug)), 6)
    return ValueCase(id, f, point(x0), tuple(a for a in args if isinstance(a, Bug)))


SORTED = np.array([0.6, 0.9, 1.0, 1.3])
VALUES: list[ValueCase] = [
    V("argsort", np.argsort),
    V("argsort-axis0-stable", lambda x: np.argsort(x.reshape(2, 3), axis=0, stable=True)),
    V("argmax", np.argmax),
    V("argmax-axis-keepdims", lambda x: np.argmax(x.reshape(2, 3), axis=-1, keepdims=True)),
    V("argmin", lambda x: np.argmin(x.reshape(2, 3), axis=0)),
    V("argpartition", lambda x: np.sort(np.argpartition(x, 2)[:3])),
    V("nanargmax", lambda x: np.nanargmax(np.where(NANMASK, np.nan, x))),
    V("nanargmin", lambda x: np.nanargmin(np.where(NANMASK, np.nan, x))),
    V("nonzero", lambda x: np.nonzero(np.floor(x.reshape(2, 3)))),
    V("where-one-argument", lambda x: np.where(np.floor(x))),
    V("argwhere", lambda x: np.argwhere(np.floor(x))),
    V("flatnonzero", lambda x: np.flatnonzero(np.floor(x))),
    V("count_nonzero", lambda x: np.count_nonzero(np.floor(x.reshape(2, 3)), axis=0)),
    V("searchsorted", lambda x: np.searchsorted(SORTED, x)),
    V("searchsorted-sorted-dual", lambda x: np.searchsorted(np.sort(x), [0.7, 1.1], side="right")),
    V("digitize", lambda x: np.digitize(x, SORTED)),
    V("isclose", lambda x: np.isclose(x, P(6) + [0, 1e-9, 0, 1, 0, 0])),
    V("allclose", lambda x: np.allclose(x, x * (1 + 1e-12))),
    V("array_equal", lambda x: np.array_equal(x, P(6))),
    V("array_equiv", lambda x: np.array_equiv(x.reshape(1, 6), x)),
    V("result_type", lambda x: np.result_type(x, np.float32)),
    V("can_cast", lambda x: np.can_cast(x, np.float32)),
    V("iscomplexobj", np.iscomplexobj),
    V("isrealobj", np.isrealobj),
    V("iscomplex", np.iscomplex),
    V("isreal", np.isreal),
    V("zeros_like", lambda x: np.zeros_like(x.reshape(2, 3))),
    V("ones_like", lambda x: np.ones_like(x)),
    V("empty_like", lambda x: np.empty_like(x.reshape(3, 2)).shape),
    V("may_share_memory", lambda x: np.may_share_memory(x, np.zeros(2))),
    V("shares_memory", lambda x: np.shares_memory(x, np.zeros(2))),
    V("any", lambda x: np.any(x > 1.2)),
    V("any-dual", lambda x: np.any(np.floor(x.reshape(2, 3)), axis=1)),
    V("all", lambda x: np.all(x)),
    V("histogram", lambda x: np.histogram(x, bins=3)[0]),
    V("histogram-range", lambda x: np.histogram(x, bins=2, range=(0.0, 2.0))),
    V("histogram_bin_edges", lambda x: np.histogram_bin_edges(x, bins=[0.0, 1.0, 2.0])),
    V("bincount", lambda x: np.bincount(np.array([0, 2, 2, 1]))),
    V("isin", lambda x: np.isin(np.floor(x), [1.0])),
    V("lexsort", lambda x: np.lexsort((x, np.floor(x)))),
    V("array2string", lambda x: np.array2string(x, precision=3)),
    V("array_repr", lambda x: np.array_repr(x.reshape(2, 3))),
    V("array_str", np.array_str),
    V("tril_indices_from", lambda x: np.tril_indices_from(x.reshape(2, 3), 1)),
    V("triu_indices_from", lambda x: np.triu_indices_from(x.reshape(3, 3)), 9),
    V("diag_indices_from", lambda x: np.diag_indices_from(x.reshape(3, 3)), 9),
    V("less-ndarray-left", lambda x: np.ones(6) < x),
    V("greater_equal-0d-left", lambda x: np.array(1.0) >= x),
    V("greater-list", lambda x: x > [1.0] * 6),
    V("equal-f64", lambda x: x == np.float64(P(6)[0])),
    V("not_equal-tuple", lambda x: x != tuple(P(6))),
    V("less_equal", lambda x: np.less_equal(x[:3], x[3:]), 6),
    V("isnan", lambda x: np.isnan(np.where(NANMASK, np.nan, x))),
    V("isfinite", lambda x: np.isfinite(np.where(NANMASK, np.inf, x))),
    V("signbit", lambda x: np.signbit(x - 1.0)),
]

# --- refused: a keyword that would drop the derivative raises TypeError (with a Dual and with a Var) ---
REFUSED: list[tuple[str, Callable[[Any], Any]]] = [
    ("sum-out", lambda x: np.sum(x, out=np.empty(()))),
    ("sum-dtype-int", lambda x: np.sum(x, dtype=int)),
    ("mean-out", lambda x: np.mean(x.reshape(2, 3), axis=0, out=np.empty(3))),
    ("prod-out", lambda x: np.prod(x, out=np.empty(()))),
    ("cumsum-out", lambda x: np.cumsum(x, out=np.empty(6))),
    ("cumsum-dtype-int", lambda x: np.cumsum(x, dtype=np.int64)),
    ("max-out", lambda x: np.max(x, out=np.empty(()))),
    ("min-out", lambda x: np.min(x.reshape(2, 3), axis=1, out=np.empty(2))),
    ("var-out", lambda x: np.var(x, out=np.empty(()))),
    ("clip-out", lambda x: np.clip(x, 0.7, 1.2, out=np.empty(6))),
    ("matmul-out", lambda x: np.matmul(x.reshape(2, 3), A, out=np.empty((2, 3)))),
    ("dot-out", lambda x: np.dot(x.reshape(2, 3), A, out=np.empty((2, 3)))),
    ("outer-out", lambda x: np.outer(x, x, out=np.empty((6, 6)))),
    ("einsum-out", lambda x: np.einsum("i,i->", x, x, out=np.empty(()))),
    ("concatenate-out", lambda x: np.concatenate([x, x], out=np.empty(12))),
    ("stack-out", lambda x: np.stack([x, x], out=np.empty((2, 6)))),
    ("take-out", lambda x: np.take(x, [0, 1], out=np.empty(2))),
    ("trace-out", lambda x: np.trace(x.reshape(2, 3), out=np.empty(()))),
    ("round-out", lambda x: np.round(x, out=np.empty(6))),
    ("add-out", lambda x: np.add(x, x, out=np.empty(6))),
    ("sin-out", lambda x: np.sin(x, out=np.empty(6))),
    ("multiply-dtype-int", lambda x: np.multiply(x, x, dtype=int)),
    ("add-at", lambda x: np.add.at(x, [0], 1.0)),
    ("sin-where", lambda x: np.sin(x, where=x > 1.0)),
    ("astype-int", lambda x: np.astype(x, int)),
    ("astype-method-int", lambda x: x.astype(np.int32)),
    ("svd-vectors-complex", lambda x: np.linalg.svd((x + 1j * x).reshape(2, 3), full_matrices=False)[0]),
]

# --- entries of the tables that have no row, each with the reason ---
EXCLUDED: dict[Any, str] = {}
