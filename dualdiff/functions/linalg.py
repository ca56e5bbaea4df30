"""``numpy.linalg`` on Duals: the standard forward rules, each next to the value it differentiates.

Every rule computes the value with NumPy on the Dual's value, then the tangent from the value and dA
(or db) with NumPy functions again, so nested Duals (Hessians) go through the same rules. Conventions,
documented in docs/numpy.md:

- LAPACK reads one triangle of the matrix given to ``cholesky``, ``eigh`` and ``eigvalsh``; the other
  triangle does not move the result, so its tangent is ignored (as finite differences see it).
- ``det``, ``slogdet``, ``inv`` and ``solve`` need a nonsingular matrix; ``eigh`` distinct eigenvalues;
  ``svdvals`` distinct nonzero singular values; ``pinv`` and ``lstsq`` a rank that does not change nearby.
- ``norm`` is written with sqrt, sum, abs, max: at x = 0 the 2-norm's derivative is 0 (a subgradient),
  not nan, because sqrt's infinite slope meets a zero tangent.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .arrays import _lift, _no_out, _plain_value, _scalar, batch, implements, no_rule
from .dual import Dual, _new, ndim, shape
from .shapes import moveaxis

_SlogdetResult = type(np.linalg.slogdet(np.eye(1)))
_EighResult = type(np.linalg.eigh(np.eye(1)))


def _mT(a: Any) -> Any:
    return np.swapaxes(a, -1, -2)


def _one_triangle(d: Any, UPLO: str) -> Any:
    """The tangent LAPACK sees: the given triangle, mirrored."""
    if UPLO.upper() == "L":
        return np.tril(d) + _mT(np.tril(d, -1))
    return np.triu(d) + _mT(np.triu(d, 1))


def _singular(what: str) -> np.linalg.LinAlgError:
    return np.linalg.LinAlgError(f"{what}: the matrix is singular, so its derivative (through inv(A)) does not exist here")


@implements(np.linalg.inv)
def inv(a: Any) -> Any:
    """d inv(A) = -inv(A) dA inv(A)."""
    ai = np.linalg.inv(a._v)
    return _new(ai, -(ai @ a._d @ ai), a._t)


@implements(np.linalg.solve)
def solve(a: Any, b: Any) -> Any:
    """x = A^-1 b, dx = A^-1 (db - dA x). A 1-D b is a vector, as in NumPy 2."""
    t = max(x._t for x in (a, b) if isinstance(x, Dual))
    ma, mb = isinstance(a, Dual) and a._t == t, isinstance(b, Dual) and b._t == t
    av, bv = a._v if ma else a, b._v if mb else b
    x = np.linalg.solve(av, bv)
    vec = ndim(bv) == 1
    xm = x[..., None] if vec else x
    n = ndim(xm)  # b may stack more matrices than A: tangents get axes after the direction axis
    rhs: Any = 0.0
    if mb:
        rhs = _lift(b._d[..., None] if vec else b._d, batch(b), n)
    if ma:
        rhs = rhs - _lift(a._d, batch(a), n) @ xm
    dx = np.linalg.solve(av, rhs)
    return _new(x, dx[..., 0] if vec else dx, t)


def _trace_inv_times(a: Any, what: str) -> Any:
    """tr(A^-1 dA), one per direction (and per stacked matrix)."""
    try:
        m = np.linalg.solve(a._v, a._d)
    except np.linalg.LinAlgError:
        raise _singular(what) from None
    return np.trace(m, axis1=-2, axis2=-1)


@implements(np.linalg.det)
def det(a: Any) -> Any:
    """d det(A) = det(A) tr(A^-1 dA)."""
    v = _scalar(np.linalg.det(a._v))
    return _new(v, _scalar(v * _trace_inv_times(a, "numpy.linalg.det")), a._t)


@implements(np.linalg.slogdet)
def slogdet(a: Any) -> Any:
    """The sign is piecewise constant; d log|det A| = tr(A^-1 dA)."""
    sign, logabsdet = np.linalg.slogdet(a._v)
    return _SlogdetResult(sign, _new(_scalar(logabsdet), _scalar(_trace_inv_times(a, "numpy.linalg.slogdet")), a._t))


@implements(np.linalg.cholesky)
def cholesky(a: Any, /, *, upper: bool = False) -> Any:
    """A = L L^T: dL = L Phi(L^-1 dA L^-T), Phi = lower triangle with half the diagonal."""
    L = _mT(np.linalg.cholesky(a._v, upper=True)) if upper else np.linalg.cholesky(a._v)
    dA = _one_triangle(a._d, "U" if upper else "L")
    s = np.linalg.solve(L, _mT(np.linalg.solve(L, dA)))  # L^-1 dA L^-T, dA symmetric
    n = shape(a)[-1]
    phi = np.tril(s) - 0.5 * s * np.eye(n)
    r = _new(L, L @ phi, a._t)
    return _mT(r) if upper else r


@implements(np.linalg.eigh)
def eigh(a: Any, UPLO: str = "L") -> Any:
    """A = V diag(w) V^T: dw_i = v_i^T dA v_i, dV = V (F o V^T dA V), F_ij = 1 / (w_j - w_i) off the diagonal."""
    w, V = np.linalg.eigh(a._v, UPLO)
    M = _mT(V) @ _one_triangle(a._d, UPLO) @ V
    n = shape(w)[-1]
    eye = np.eye(n)
    gap = w[..., None, :] - w[..., :, None]
    F = np.where(eye == 1, 0.0, 1.0 / (gap + eye))
    dw = np.diagonal(M, axis1=-2, axis2=-1)
    return _EighResult(_new(w, dw, a._t), _new(V, V @ (F * M), a._t))


@implements(np.linalg.eigvalsh)
def eigvalsh(a: Any, UPLO: str = "L") -> Any:
    return eigh(a, UPLO)[0]


@implements(np.linalg.svdvals)
def svdvals(x: Any, /) -> Any:
    """ds_i = u_i^T dA v_i (distinct singular values)."""
    if isinstance(x._v, Dual):  # nested: the eigenvalues of A^T A carry every order of derivative
        m, n = shape(x)[-2:]
        g = _mT(x) @ x if m >= n else x @ _mT(x)
        return np.sqrt(np.flip(np.maximum(np.linalg.eigvalsh(g), 0.0), axis=-1))
    u, s, vt = np.linalg.svd(x._v, full_matrices=False)
    ds = np.einsum("...ji,...jk,...ik->...i", u, x._d, vt) if not batch(x) else np.einsum("...ji,z...jk,...ik->z...i", u, x._d, vt)
    return _new(s, ds, x._t)


@implements(np.linalg.svd)
def svd(a: Any, full_matrices: bool = True, compute_uv: bool = True, hermitian: bool = False) -> Any:
    if compute_uv:
        no_rule("numpy.linalg.svd with compute_uv=True (singular vectors); use np.linalg.svd(a, compute_uv=False) or eigh")
    return svdvals(a)


@implements(np.linalg.pinv)
def pinv(a: Any, rcond: Any = None, hermitian: bool = False, *, rtol: Any = None) -> Any:
    """Golub & Pereyra, for a rank that does not change nearby:
    dP = -P dA P + P P^T dA^T (I - A P) + (I - P A) dA^T P^T P."""
    kw = {} if rcond is None else {"rcond": rcond}
    if rtol is not None:
        kw["rtol"] = rtol
    A, dA = a._v, a._d
    P = np.linalg.pinv(A, hermitian=hermitian, **kw)
    m, n = shape(a)[-2:]
    dAT = _mT(dA)
    d = -(P @ dA @ P) + P @ _mT(P) @ dAT @ (np.eye(m) - A @ P) + (np.eye(n) - P @ A) @ dAT @ _mT(P) @ P
    return _new(P, d, a._t)


@implements(np.linalg.lstsq)
def lstsq(a: Any, b: Any, rcond: Any = None) -> Any:
    """x = pinv(A) b; residuals and singular values follow from x and A."""
    if rcond is None:
        rcond = np.finfo(float).eps * max(shape(a))
    _, res, rank, s = np.linalg.lstsq(_plain_value(a), _plain_value(b), rcond=rcond)
    x = np.linalg.pinv(a, rcond=rcond) @ b
    if shape(res) != (0,):
        r = b - a @ x
        res = np.sum(r * r, axis=0)
        res = res if ndim(res) else np.reshape(res, (1,))
    return x, res, rank, svdvals(a) if isinstance(a, Dual) else s


@implements(np.linalg.matrix_power)
def matrix_power(a: Any, n: int) -> Any:
    if n < 0:
        a, n = inv(a), -n
    result: Any = np.broadcast_to(np.eye(shape(a)[-1]), shape(a))
    while n:
        if n & 1:
            result = a @ result
        n >>= 1
        if n:
            a = a @ a
    return result


@implements(np.linalg.multi_dot)
def multi_dot(arrays: Any, *, out: Any = None) -> Any:
    _no_out(out, "linalg.multi_dot")
    r = arrays[0]
    for x in arrays[1:]:
        r = r @ x
    return r


# --- norms: composites of sqrt, sum, abs, max, so derivatives of every order follow ---
@implements(np.linalg.norm)
def norm(x: Any, ord: Any = None, axis: Any = None, keepdims: bool = False) -> Any:
    n = ndim(x)
    if axis is None and (ord is None or n == 1):
        r = _vector_norm(np.ravel(x), ord, 0, False)
        return np.reshape(r, (1,) * n) if keepdims else r
    if axis is None:
        axis = (0, 1)
    if isinstance(axis, int) or len(axis) == 1:
        return _vector_norm(x, ord, axis if isinstance(axis, int) else axis[0], keepdims)
    return _matrix_norm(x, ord, tuple(axis), keepdims)


def _vector_norm(x: Any, ord: Any, axis: Any, keepdims: bool) -> Any:
    if ord is None or ord == 2:
        return np.sqrt(np.sum(x * x, axis=axis, keepdims=keepdims))
    if ord == np.inf:
        return np.max(np.abs(x), axis=axis, keepdims=keepdims)
    if ord == -np.inf:
        return np.min(np.abs(x), axis=axis, keepdims=keepdims)
    if ord == 0:  # a count: piecewise constant
        return np.sum(_plain_value(x) != 0, axis=axis, keepdims=keepdims).astype(float)
    if ord == 1:
        return np.sum(np.abs(x), axis=axis, keepdims=keepdims)
    return np.sum(np.abs(x) ** ord, axis=axis, keepdims=keepdims) ** (1.0 / ord)


def _matrix_norm(x: Any, ord: Any, axis: tuple[int, int], keepdims: bool) -> Any:
    n = ndim(x)
    r0, c0 = axis[0] % n, axis[1] % n
    if ord is None or ord == "fro":
        r = np.sqrt(np.sum(x * x, axis=(r0, c0), keepdims=True))
    elif ord in (1, -1, np.inf, -np.inf):
        col = ord in (1, -1)  # 1-norm: largest column sum; inf-norm: largest row sum
        sums = np.sum(np.abs(x), axis=r0 if col else c0, keepdims=True)
        r = (np.max if ord > 0 else np.min)(sums, axis=c0 if col else r0, keepdims=True)
    elif ord in (2, -2, "nuc"):
        s = svdvals(moveaxis(x, (r0, c0), (-2, -1)))
        s = np.sum(s, axis=-1) if ord == "nuc" else (s[..., 0] if ord == 2 else s[..., -1])
        r = np.expand_dims(s, (r0, c0) if r0 < c0 else (c0, r0))
    else:
        raise ValueError(f"invalid norm order {ord!r} for matrices")
    return r if keepdims else np.squeeze(r, axis=(r0, c0))


@implements(np.linalg.vector_norm)
def vector_norm(x: Any, /, *, axis: Any = None, keepdims: bool = False, ord: Any = 2) -> Any:
    if axis is None:
        r = _vector_norm(np.ravel(x), ord, 0, False)
        return np.reshape(r, (1,) * ndim(x)) if keepdims else r
    if isinstance(axis, tuple) and len(axis) > 1:
        nx = ndim(x)
        ax = tuple(a % nx for a in axis)
        rest = [i for i in range(nx) if i not in ax]
        y = np.reshape(np.transpose(x, rest + list(ax)), tuple(shape(x)[i] for i in rest) + (-1,))
        r = _vector_norm(y, ord, -1, False)
        return np.reshape(r, tuple(1 if i in ax else shape(x)[i] for i in range(nx))) if keepdims else r
    return _vector_norm(x, ord, axis, keepdims)


@implements(np.linalg.matrix_norm)
def matrix_norm(x: Any, /, *, keepdims: bool = False, ord: Any = "fro") -> Any:
    return _matrix_norm(x, ord, (-2, -1), keepdims)


# --- NumPy 2's array-API spellings in numpy.linalg ---
@implements(np.linalg.matrix_transpose)
def matrix_transpose(x: Any, /) -> Any:
    return _mT(x)


@implements(np.linalg.trace)
def trace(x: Any, /, *, offset: int = 0, dtype: Any = None) -> Any:
    return np.trace(x, offset, axis1=-2, axis2=-1)


@implements(np.linalg.diagonal)
def diagonal(x: Any, /, *, offset: int = 0) -> Any:
    return np.diagonal(x, offset, axis1=-2, axis2=-1)


@implements(np.linalg.outer)
def outer(x1: Any, x2: Any, /) -> Any:
    return np.outer(x1, x2)


@implements(np.linalg.cross)
def cross(x1: Any, x2: Any, /, *, axis: int = -1) -> Any:
    return np.cross(x1, x2, axis=axis)


@implements(np.linalg.tensordot)
def tensordot(x1: Any, x2: Any, /, *, axes: Any = 2) -> Any:
    return np.tensordot(x1, x2, axes)


@implements(np.linalg.matmul)
def matmul(x1: Any, x2: Any, /) -> Any:
    return np.matmul(x1, x2)


@implements(np.linalg.vecdot)
def vecdot(x1: Any, x2: Any, /, *, axis: int = -1) -> Any:
    return np.sum(x1 * x2, axis=axis)
