"""``numpy.linalg``: each primitive states its value, its forward rule (jvp) and its reverse rule
(vjp) side by side, the standard matrix-calculus results; the rest are composites.

Every rule computes with NumPy functions on the operands' values, so nested differentiation
(Hessians, forward over reverse) goes through the same rules again. Conventions,
documented in docs/numpy.md:

- LAPACK reads one triangle of the matrix given to ``cholesky``, ``eigh`` and ``eigvalsh``; the other
  triangle does not move the result, so its tangent is ignored (as finite differences see it).
- ``det``, ``slogdet``, ``inv`` and ``solve`` need a nonsingular matrix; ``eigh`` distinct eigenvalues;
  ``svdvals`` distinct nonzero singular values; ``pinv`` and ``lstsq`` a rank that does not change nearby.
- ``norm`` is written with sqrt, sum, abs, max: at x = 0 the 2-norm's derivative is 0 (the
  minimum-norm subgradient, so that norm(x)**2 has its exact gradient 0 there), and every derivative
  beyond the first is nan there (the cone's curvature is infinite).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..core.dual import lift_batched, ndim, shape
from ..core.functions import Primitive, no_rule, register
from ..core.number import Number, plain
from ..rules.table import _norm_root
from .shapes import _as_operand, moveaxis

_SlogdetResult = type(np.linalg.slogdet(np.eye(1)))
_EighResult = type(np.linalg.eigh(np.eye(1)))


def _real_only(name: str, a: Any) -> Any:
    """These rules are for real matrices: a complex one is refused, never differentiated wrongly."""
    if np.iscomplexobj(plain(a)):
        raise TypeError(f"numpy.linalg.{name} of a complex matrix is not supported on Duals and Vars (only real matrices)")
    return a


def _mT(a: Any) -> Any:
    return np.swapaxes(a, -1, -2)


def _one_triangle(d: Any, UPLO: str) -> Any:
    """The tangent LAPACK sees: the given triangle, mirrored."""
    if UPLO.upper() == "L":
        return np.tril(d) + _mT(np.tril(d, -1))
    return np.triu(d) + _mT(np.triu(d, 1))


def _sym_cotangent(g: Any, UPLO: str) -> Any:
    """The transpose of `_one_triangle`: a cotangent folded onto the triangle LAPACK reads."""
    gs = g + _mT(g)
    eye = np.eye(np.shape(g)[-1])
    half = gs * (1 - 0.5 * eye)
    return np.tril(half) if UPLO.upper() == "L" else np.triu(half)


# --- inv: d inv(A) = -inv(A) dA inv(A); its transpose -inv(A)^T g inv(A)^T ---
_inv = Primitive(
    "linalg.inv",
    np.linalg.inv,
    lambda ds, xs, y, k: -(y @ ds[0] @ y),
    lambda i, g, xs, y: -(_mT(y) @ g @ _mT(y)),
)


@register(np.linalg.inv)
def inv(a: Any) -> Any:
    return _inv(_as_operand(a))


# --- solve: x = A^-1 b, dx = A^-1 (db - dA x); gb = A^-T g, gA = -gb x^T ---
def _solve_jvp(ds: list[Any], xs: tuple[Any, ...], x: Any, k: tuple[int, ...]) -> Any:
    av, bv = xs
    vec = np.ndim(bv) == 1
    xm = x[..., None] if vec else x
    n = np.ndim(xm)  # b may stack more matrices than A: tangents get axes after the direction axis
    rhs: Any = 0.0
    if ds[1] is not None:
        db = ds[1]
        rhs = lift_batched(db[..., None] if vec else db, k if np.ndim(db) > np.ndim(bv) else (), n)
    if ds[0] is not None:
        da = ds[0]
        rhs = rhs - lift_batched(da, k if np.ndim(da) > np.ndim(av) else (), n) @ xm
    dx = np.linalg.solve(av, rhs)
    return dx[..., 0] if vec else dx


def _solve_vjp(i: int, g: Any, xs: tuple[Any, ...], x: Any) -> Any:
    a = xs[0]
    vec = np.ndim(xs[1]) == 1
    gb = np.linalg.solve(_mT(a), g[..., None] if vec else g)
    if i == 1:
        return gb[..., 0] if vec else gb
    ga = -(gb @ _mT(x[..., None] if vec else x))
    return _unstack(ga, np.shape(a))


def _unstack(g: Any, s: tuple[int, ...]) -> Any:
    while np.ndim(g) > len(s):
        g = np.sum(g, axis=0)
    return g


_solve = Primitive("linalg.solve", np.linalg.solve, _solve_jvp, _solve_vjp)


@register(np.linalg.solve)
def solve(a: Any, b: Any) -> Any:
    """A 1-D b is a vector, as in NumPy 2."""
    return _solve(_as_operand(a), _as_operand(b))


def _trace_inv_times(a: Any, da: Any) -> Any:
    """tr(A^-1 dA), one per direction (and per stacked matrix)."""
    try:
        m = np.linalg.solve(a, da)
    except np.linalg.LinAlgError:
        raise np.linalg.LinAlgError("the matrix is singular: the derivative of det/slogdet (through inv(A)) does not exist here") from None
    return np.trace(m, axis1=-2, axis2=-1)


# --- det: d det(A) = det(A) tr(A^-1 dA); its transpose det(A) A^-T g ---
_det = Primitive(
    "linalg.det",
    np.linalg.det,
    lambda ds, xs, y, k: y * _trace_inv_times(xs[0], ds[0]),
    lambda i, g, xs, y: np.expand_dims(g * y, (-2, -1)) * _mT(np.linalg.inv(xs[0])),
)


@register(np.linalg.det)
def det(a: Any) -> Any:
    return _det(_as_operand(a))


# --- slogdet: the sign is piecewise constant; d log|det A| = tr(A^-1 dA) ---
_logabsdet = Primitive(
    "linalg.slogdet",
    lambda a: np.linalg.slogdet(a)[1],
    lambda ds, xs, y, k: _trace_inv_times(xs[0], ds[0]),
    lambda i, g, xs, y: np.expand_dims(g, (-2, -1)) * _mT(np.linalg.inv(xs[0])),
)


@register(np.linalg.slogdet)
def slogdet(a: Any) -> Any:
    a = _as_operand(a)
    return _SlogdetResult(np.linalg.slogdet(plain(a))[0], _logabsdet(a))


# --- cholesky: A = L L^T, dL = L Phi(L^-1 dA L^-T), Phi = lower triangle with half the diagonal ---
def _phi(x: Any) -> Any:
    return np.tril(x) - 0.5 * x * np.eye(np.shape(x)[-1])


def _cholesky_jvp(ds: list[Any], xs: tuple[Any, ...], L: Any, k: tuple[int, ...]) -> Any:
    dA = _one_triangle(ds[0], "L")
    s = np.linalg.solve(L, _mT(np.linalg.solve(L, dA)))  # L^-1 dA L^-T, dA symmetric
    return L @ _phi(s)


def _cholesky_vjp(i: int, g: Any, xs: tuple[Any, ...], L: Any) -> Any:
    # the transpose of the jvp: S = L^-T Phi(L^T g) L^-1, folded onto the triangle LAPACK reads
    p = _phi(_mT(L) @ g)
    s = _mT(np.linalg.solve(_mT(L), _mT(np.linalg.solve(_mT(L), p))))
    return _sym_cotangent(s, "L")


_cholesky = Primitive("linalg.cholesky", np.linalg.cholesky, _cholesky_jvp, _cholesky_vjp)


@register(np.linalg.cholesky)
def cholesky(a: Any, /, *, upper: bool = False) -> Any:
    a = _real_only("cholesky", _as_operand(a))
    if upper:  # LAPACK then reads the upper triangle, which is the lower one of A^T
        return _mT(_cholesky(_mT(a)))
    return _cholesky(a)


# --- eigh: A = V diag(w) V^T; dw_i = v_i^T dA v_i, dV = V (F o V^T dA V), F_ij = 1 / (w_j - w_i) ---
def _eigh_F(w: Any) -> Any:
    n = np.shape(w)[-1]
    eye = np.eye(n)
    gap = w[..., None, :] - w[..., :, None]
    return np.where(eye == 1, 0.0, 1.0 / (gap + eye))


def _repeated(w: Any) -> Any:
    """Which eigenvalues (sorted) equal a neighbour to rounding: there a single eigenvalue has no
    derivative (the cluster's sum does, but not its members), and its vectors none at all."""
    w = np.asarray(plain(w))
    close = np.abs(np.diff(w, axis=-1)) <= 8 * np.finfo(float).eps * np.max(np.abs(w), axis=-1, keepdims=True)
    pad = np.zeros(close.shape[:-1] + (1,), bool)
    return np.concatenate([close, pad], -1) | np.concatenate([pad, close], -1)


def _eigh_jvp(ds: list[Any], xs: tuple[Any, ...], y: Any, k: tuple[int, ...], UPLO: str) -> Any:
    w, V = y
    M = _mT(V) @ _one_triangle(ds[0], UPLO) @ V
    return np.where(_repeated(w), np.nan, np.diagonal(M, axis1=-2, axis2=-1)), V @ (_eigh_F(w) * M)


def _eigh_vjp(i: int, g: Any, xs: tuple[Any, ...], y: Any, UPLO: str) -> Any:
    w, V = y
    gw, gV = g
    inner: Any = 0.0
    if gw is not None:
        gw = np.where(_repeated(w) & (np.asarray(plain(gw)) != 0), np.nan, gw)  # see _repeated
        inner = inner + gw[..., None, :] * np.eye(np.shape(w)[-1])
    if gV is not None:
        inner = inner + _eigh_F(w) * (_mT(V) @ gV)
    return _sym_cotangent(V @ inner @ _mT(V), UPLO)


_eigh = Primitive("linalg.eigh", lambda a, UPLO: tuple(np.linalg.eigh(a, UPLO)), _eigh_jvp, _eigh_vjp)


@register(np.linalg.eigh)
def eigh(a: Any, UPLO: str = "L") -> Any:
    w, V = _eigh(_real_only("eigh", _as_operand(a)), UPLO=UPLO)
    return _EighResult(w, V)


@register(np.linalg.eigvalsh)
def eigvalsh(a: Any, UPLO: str = "L") -> Any:
    return eigh(a, UPLO)[0]


# --- svd (distinct singular values): ds_i = u_i^T dA v_i; the vectors by the standard formulas ---
def _svd_value(a: Any, full_matrices: bool) -> Any:
    u, s, vh = np.linalg.svd(a, full_matrices=False)
    return u, s, vh


def _svd_jvp(ds: list[Any], xs: tuple[Any, ...], y: Any, k: tuple[int, ...], full_matrices: bool) -> Any:
    u, s, vh = y
    v = _mT(vh)
    dA = ds[0]
    dP = _mT(u) @ dA @ v  # k x k
    dS = np.diagonal(dP, axis1=-2, axis2=-1)
    s2 = s * s
    n = np.shape(s)[-1]
    eye = np.eye(n)
    F = np.where(eye == 1, 0.0, 1.0 / (s2[..., None, :] - s2[..., :, None] + eye))
    sym = dP * s[..., None, :] + s[..., :, None] * _mT(dP)
    dU = u @ (F * sym)
    dV = v @ (F * (s[..., :, None] * dP + _mT(dP) * s[..., None, :]))
    m, nn = np.shape(xs[0])[-2:]
    if m > n:  # the part of dA outside u's span
        dU = dU + (dA @ v - u @ dP) / s[..., None, :]
    if nn > n:
        dV = dV + (_mT(dA) @ u - v @ _mT(dP)) / s[..., None, :]
    return dU, dS, _mT(dV)


def _svd_vjp(i: int, g: Any, xs: tuple[Any, ...], y: Any, full_matrices: bool) -> Any:
    u, s, vh = y
    v = _mT(vh)
    gu, gs, gvh = g
    n = np.shape(s)[-1]
    eye = np.eye(n)
    s2 = s * s
    F = np.where(eye == 1, 0.0, 1.0 / (s2[..., None, :] - s2[..., :, None] + eye))
    m, nn = np.shape(xs[0])[-2:]
    gA: Any = 0.0
    if gs is not None:
        gA = gA + u @ (gs[..., :, None] * eye) @ vh
    if gu is not None:
        J = F * (_mT(u) @ gu)
        gA = gA + u @ ((J + _mT(J)) * s[..., None, :]) @ vh
        if m > n:
            gA = gA + (np.eye(m) - u @ _mT(u)) @ gu / s[..., None, :] @ vh
    if gvh is not None:
        gv = _mT(gvh)
        K = F * (_mT(v) @ gv)
        gA = gA + u @ (s[..., :, None] * (K + _mT(K))) @ vh
        if nn > n:
            gA = gA + u @ _mT((np.eye(nn) - v @ vh) @ gv / s[..., None, :])
    return gA + 0.0 * xs[0] if np.ndim(gA) == 0 else gA


_svd = Primitive("linalg.svd", lambda a, full_matrices: _svd_value(a, full_matrices), _svd_jvp, _svd_vjp)
_svdvals = Primitive(
    "linalg.svdvals",
    lambda a: np.linalg.svd(a, compute_uv=False),
    lambda ds, xs, s, k: _svdvals_jvp(ds[0], xs[0]),
    lambda i, g, xs, s: _svdvals_vjp(g, xs[0]),
)


def _svdvals_jvp(dA: Any, a: Any) -> Any:
    """ds_i = Re(u_i^H dA v_i)."""
    u, s, vh = np.linalg.svd(a, full_matrices=False)
    return np.real(np.diagonal(_mT(np.conjugate(u)) @ dA @ _mT(np.conjugate(vh)), axis1=-2, axis2=-1))


def _svdvals_vjp(g: Any, a: Any) -> Any:
    """The transpose, in the convention dL = Re(c dA): c = conj(U diag(g) V^H)."""
    u, s, vh = np.linalg.svd(a, full_matrices=False)
    return np.conjugate((u * np.expand_dims(g, -2)) @ vh)


@register(np.linalg.svd)
def svd(a: Any, full_matrices: bool = True, compute_uv: bool = True, hermitian: bool = False) -> Any:
    a = _as_operand(a)
    if not compute_uv:
        return _svdvals(a)
    m, n = shape(a)[-2:]
    if full_matrices and m != n:
        no_rule("numpy.linalg.svd(full_matrices=True) of a non-square matrix (the extra singular vectors are not unique); "
                "pass full_matrices=False")
    u, s, vh = _svd(_real_only("svd", a), full_matrices=full_matrices)
    return type(np.linalg.svd(np.eye(1)))(u, s, vh)


@register(np.linalg.svdvals) if hasattr(np.linalg, "svdvals") else (lambda f: f)
def svdvals(x: Any, /) -> Any:
    return _svdvals(_as_operand(x))


# --- eig of a real matrix with real, distinct eigenvalues: dw = diag(V^-1 dA V), dV = V (F o V^-1 dA V) ---
def _eig_value(a: Any) -> Any:
    w, V = np.linalg.eig(a)
    if np.iscomplexobj(w) and np.any(np.imag(w) != 0):
        raise TypeError("numpy.linalg.eig: dualdiff differentiates real matrices with real eigenvalues only; this one has complex ones")
    w, V = np.real(w), np.real(V)
    return w, V


def _eig_jvp(ds: list[Any], xs: tuple[Any, ...], y: Any, k: tuple[int, ...]) -> Any:
    w, V = y
    M = np.linalg.solve(V, ds[0] @ V)
    F = _eigh_F(w)
    dV = V @ (F * M)
    # keep each column's norm at 1, as LAPACK does
    dV = dV - V * np.sum(V * dV, axis=-2, keepdims=True)
    return np.diagonal(M, axis1=-2, axis2=-1), dV


def _eig_vjp(i: int, g: Any, xs: tuple[Any, ...], y: Any) -> Any:
    w, V = y
    gw, gV = g
    inner: Any = 0.0
    if gw is not None:
        inner = inner + gw[..., None, :] * np.eye(np.shape(w)[-1])
    if gV is not None:
        gV = gV - V * np.sum(V * gV, axis=-2, keepdims=True)
        inner = inner + _eigh_F(w) * (_mT(V) @ gV)
    return np.linalg.solve(_mT(V), inner @ _mT(V))


_eig = Primitive("linalg.eig", _eig_value, _eig_jvp, _eig_vjp)


@register(np.linalg.eig)
def eig(a: Any) -> Any:
    w, V = _eig(_real_only("eig", _as_operand(a)))
    return type(np.linalg.eig(np.eye(1)))(w, V)


@register(np.linalg.eigvals)
def eigvals(a: Any) -> Any:
    return eig(a)[0]


# --- pinv, for a rank that does not change nearby (Golub and Pereyra 1973), X = pinv(A):
# dX = -X dA X + X X^T dA^T (I - A X) + (I - X A) dA^T X^T X; the vjp is its transpose
def _pinv_jvp(ds: list[Any], xs: tuple[Any, ...], X: Any, k: tuple[int, ...], **kw: Any) -> Any:
    A, dA = xs[0], ds[0]
    m, n = np.shape(A)[-2:]
    dAT = _mT(dA)
    return -(X @ dA @ X) + X @ _mT(X) @ dAT @ (np.eye(m) - A @ X) + (np.eye(n) - X @ A) @ dAT @ _mT(X) @ X


def _pinv_vjp(i: int, g: Any, xs: tuple[Any, ...], X: Any, **kw: Any) -> Any:
    A = xs[0]
    m, n = np.shape(A)[-2:]
    XT, gT = _mT(X), _mT(g)
    return -(XT @ g @ XT) + (np.eye(m) - A @ X) @ gT @ X @ XT + XT @ X @ gT @ (np.eye(n) - X @ A)


_pinv = Primitive("linalg.pinv", lambda a, **kw: np.linalg.pinv(a, **kw), _pinv_jvp, _pinv_vjp)


@register(np.linalg.pinv)
def pinv(a: Any, rcond: Any = None, hermitian: bool = False, *, rtol: Any = None) -> Any:
    kw: dict[str, Any] = {"hermitian": hermitian}
    if rcond is not None:
        kw["rcond"] = rcond
    if rtol is not None:
        kw["rtol"] = rtol
    return _pinv(_real_only("pinv", _as_operand(a)), **kw)


@register(np.linalg.lstsq)
def lstsq(a: Any, b: Any, rcond: Any = None) -> Any:
    """x = pinv(A) b; residuals and singular values follow from x and A."""
    a, b = _as_operand(a), _as_operand(b)
    if rcond is None:
        rcond = np.finfo(float).eps * max(shape(a))
    _, res, rank, s = np.linalg.lstsq(plain(a), plain(b), rcond=rcond)
    x = pinv(a, rcond=rcond) @ b
    if shape(res) != (0,):
        r = b - a @ x
        res = np.sum(r * r, axis=0)
        res = res if ndim(res) else np.reshape(res, (1,))
    return x, res, rank, svdvals(a) if isinstance(a, Number) else s


@register(np.linalg.qr)
def qr(a: Any, mode: str = "reduced") -> Any:
    """For a tall or square A of full rank: Q R = A by Gram-Schmidt written with the primitives
    above (Cholesky of A^T A), so both modes follow."""
    a = _as_operand(a)
    if mode != "reduced" or shape(a)[-2] < shape(a)[-1]:
        no_rule(f"numpy.linalg.qr(mode={mode!r}) of a wide matrix")
    Rt = cholesky(_mT(a) @ a)
    R = _mT(Rt)
    sign = np.sign(np.diagonal(np.linalg.qr(plain(a))[1], axis1=-2, axis2=-1))
    Q = _mT(solve(Rt, _mT(a)))
    return type(np.linalg.qr(np.eye(1)))(Q * sign[..., None, :], R * sign[..., :, None])


# --- norms: composites of sqrt, sum, abs, max, so derivatives of every order follow ---
@register(np.linalg.norm)
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


def _abs2(x: Any) -> Any:
    """|x|^2: x x for real x (smooth at 0 to every order), Re(x conj(x)) for complex x."""
    return np.real(x * np.conjugate(x)) if np.iscomplexobj(plain(x)) else x * x


def _vector_norm(x: Any, ord: Any, axis: Any, keepdims: bool) -> Any:
    if ord is None or ord == 2:
        return _norm_root(np.sum(_abs2(x), axis=axis, keepdims=keepdims))
    if ord == np.inf:
        return np.max(np.abs(x), axis=axis, keepdims=keepdims)
    if ord == -np.inf:
        return np.min(np.abs(x), axis=axis, keepdims=keepdims)
    if ord == 0:  # a count: piecewise constant
        return np.sum(plain(x) != 0, axis=axis, keepdims=keepdims).astype(float)
    if ord == 1:
        return np.sum(np.abs(x), axis=axis, keepdims=keepdims)
    return np.sum(np.abs(x) ** ord, axis=axis, keepdims=keepdims) ** (1.0 / ord)


def _matrix_norm(x: Any, ord: Any, axis: tuple[int, int], keepdims: bool) -> Any:
    n = ndim(x)
    r0, c0 = axis[0] % n, axis[1] % n
    if ord is None or ord == "fro":
        r = _norm_root(np.sum(_abs2(x), axis=(r0, c0), keepdims=True))
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


@register(np.linalg.vector_norm)
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


@register(np.linalg.matrix_norm)
def matrix_norm(x: Any, /, *, keepdims: bool = False, ord: Any = "fro") -> Any:
    return _matrix_norm(x, ord, (-2, -1), keepdims)


# --- NumPy 2's array-API spellings in numpy.linalg ---
@register(np.linalg.trace)
def trace(x: Any, /, *, offset: int = 0, dtype: Any = None) -> Any:
    return np.trace(x, offset, axis1=-2, axis2=-1)


@register(np.linalg.diagonal)
def diagonal(x: Any, /, *, offset: int = 0) -> Any:
    return np.diagonal(x, offset, axis1=-2, axis2=-1)
