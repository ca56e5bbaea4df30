"""``scipy.linalg``: its functions differentiate in both modes and to every order.

SciPy does not dispatch, so each function here is installed with `register_foreign`: a call that
holds a Dual or a Var comes here, every other call goes to SciPy unchanged (the wrapper is
transparent). Loaded when ``scipy.linalg`` is imported, before or after dualdiff.

What each function is:

- composites of NumPy's differentiable functions (so every order and both modes follow by dispatch):
  ``solve``, ``solve_triangular``, ``cholesky``, ``cho_factor``, ``cho_solve``, ``lu_solve``, ``lu``,
  ``expm`` (Higham's 2005 scaling and squaring with Pade approximants), ``inv``, ``det``, ``eigh``,
  ``eigvalsh``, ``svd``, ``svdvals``, ``solve_continuous_lyapunov``;
- primitives with their jvp and vjp side by side: ``lu_factor``, ``pinv``, ``solve_sylvester``,
  ``sqrtm`` (its rules solve Sylvester equations, so they differentiate again).

Conventions:

- What SciPy reads is what moves the result: ``assume_a='sym'|'her'|'pos'`` and ``eigh`` read the
  triangle named by ``lower`` (the other triangle's tangent is ignored, as finite differences see it),
  ``'diagonal'``, ``'tridiagonal'`` and the triangular structures read their band, ``solve_triangular``,
  ``cho_solve`` and ``lu_solve`` read their triangles only.
- Values equal SciPy's to rounding (they are computed by LAPACK through NumPy; ``expm``'s are as
  close to the exact ones as SciPy's, or closer); ``eigh`` and ``svd`` flip their vectors' signs to SciPy's own.
- ``overwrite_*`` are permissions and are ignored; ``check_finite`` is honoured; ``driver`` and
  ``lapack_driver`` pick an algorithm and do not change the mathematical result.
- Where no derivative exists (a singular matrix for ``lu_factor``, a singular Sylvester equation for
  ``solve_sylvester`` and ``sqrtm``, repeated eigenvalues or singular values for ``eigh`` and ``svd``)
  a ``LinAlgError`` says so; nothing returns a wrong number.
- ``eigh``, ``svd`` (vectors) and ``pinv`` take real matrices, ``cholesky`` and ``cho_factor`` what
  NumPy's rule takes (real ones); the rest take complex ones too (checked in forward mode).
- ``cho_factor``'s ``c`` holds in the triangle the factor leaves what the installed SciPy's does: ``a``'s own
  entries (before 1.18) or zeros.
- Stacked matrices (leading batch axes) are handled as SciPy does: the batch axes broadcast.

>>> import numpy as np, scipy.linalg
>>> import dualdiff as dd
>>> A = np.array([[4.0, 1.0], [2.0, 3.0]])
>>> g = dd.gradient(lambda x: np.sum(scipy.linalg.solve(A * x, np.ones(2))), 2.0)
>>> bool(np.isclose(g, -np.sum(np.linalg.solve(A, np.ones(2))) / 4))
True
>>> E = np.array([[0.0, 1.0], [0.0, 0.0]])
>>> dd.jvp(scipy.linalg.expm, np.zeros((2, 2)), E)[1]   # the Frechet derivative at 0 is E
array([[0., 1.],
       [0., 0.]])
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np
import scipy.linalg as _sl

from ..core.functions import Primitive, refuse, register_foreign
from ..core.number import Number, plain
from .linalg import _pinv_jvp, _pinv_vjp  # the same formula as numpy.linalg.pinv's
from .shapes import _as_operand

LinAlgError = np.linalg.LinAlgError
_NO = object()  # "not passed", for SciPy's deprecated keywords


def _scipy(name: str) -> Callable[..., Any]:
    """SciPy's own function, under dualdiff's wrapper if it is installed."""
    f = getattr(_sl, name)
    return f.__wrapped__ if getattr(f, "__dualdiff__", None) is not None else f


def _refuse(name: str, **keywords: Any) -> None:
    """`refuse`, naming the SciPy function."""
    try:
        refuse(name, **keywords)
    except TypeError as e:
        raise TypeError(str(e).replace(f"numpy.{name}", f"scipy.linalg.{name}", 1)) from None


def _finite(check_finite: bool, *arrays: Any) -> None:
    """SciPy's check_finite: its ValueError for inf and nan."""
    if check_finite:
        for a in arrays:
            if not np.all(np.isfinite(np.asarray(plain(a)))):
                raise ValueError("array must not contain infs or NaNs")


def _complex(a: Any) -> bool:
    return bool(np.iscomplexobj(plain(a)))


def _real_only(name: str, *arrays: Any) -> None:
    if any(_complex(a) for a in arrays):
        raise TypeError(f"scipy.linalg.{name} of a complex matrix: dualdiff differentiates it for real matrices only")


def _shape(a: Any) -> tuple[int, ...]:
    return tuple(np.shape(plain(a)))


def _mT(a: Any) -> Any:
    return np.swapaxes(a, -1, -2)


def _mH(a: Any) -> Any:
    """The conjugate transpose (the transpose, for real values)."""
    return _mT(np.conjugate(a)) if _complex(a) else _mT(a)


def _square(name: str, a: Any) -> None:
    s = _shape(a)
    if len(s) < 2:
        raise ValueError(f"scipy.linalg.{name}: expected at least ndim=2, got ndim={len(s)}")
    if s[-1] != s[-2]:
        raise ValueError(f"scipy.linalg.{name}: expected a square matrix, got shape {s}")


def _over_batch(fn: Callable[..., Any], cores: tuple[Any, ...], *arrays: Any) -> Any:
    """``fn`` of one matrix set, over SciPy's batch axes: each array has ``cores`` core axes (``"1|2"``:
    2 if it has at least 2, else 1), the leading axes broadcast; results are stacked back."""
    shapes = [_shape(a) for a in arrays]
    nd = [(2 if len(s) >= 2 else 1) if c == "1|2" else c for c, s in zip(cores, shapes, strict=True)]
    batches = [s[: len(s) - c] for s, c in zip(shapes, nd, strict=True)]
    if not any(batches):
        return fn(*arrays)
    batch = np.broadcast_shapes(*batches)
    outs = []
    for idx in np.ndindex(*batch):
        parts = []
        for a, b in zip(arrays, batches, strict=True):
            own = idx[len(batch) - len(b) :]
            parts.append(a[tuple(i if n != 1 else 0 for i, n in zip(own, b, strict=True))] if b else a)
        outs.append(fn(*parts))

    def stack(items: list[Any]) -> Any:
        first = items[0]
        return np.reshape(np.stack(items), batch + _shape(first))

    if isinstance(outs[0], tuple):
        return tuple(stack([o[j] for o in outs]) for j in range(len(outs[0])))
    return stack(outs)


# --- the structure SciPy reads: the matrix its solver sees, as a function of the given one ---
_STRUCTURES = {
    None: "general", "general": "general", "gen": "general", "banded": "general",
    "diagonal": "diagonal", "tridiagonal": "tridiagonal",
    "upper triangular": "upper", "lower triangular": "lower",
    "sym": "sym", "symmetric": "sym", "her": "her", "hermitian": "her", "pos": "her", "positive definite": "her",
}


def _read(a: Any, assume_a: Any, lower: bool) -> Any:
    """The matrix SciPy's solver for ``assume_a`` sees: the triangle named by ``lower`` mirrored
    (conjugated for 'her' and 'pos', whose diagonal is read as real), the band of a banded structure."""
    kind = _STRUCTURES.get(assume_a)
    if kind is None:
        raise ValueError(f"{assume_a} is not a recognized matrix structure")
    n = _shape(a)[-1]
    if kind == "general":
        return a
    if kind == "diagonal":
        return a * np.eye(n)
    if kind == "tridiagonal":
        r = np.arange(n)
        return a * (np.abs(r[:, None] - r[None, :]) <= 1)
    if kind in ("upper", "lower"):
        return np.triu(a) if kind == "upper" else np.tril(a)
    strict = np.tril(a, -1) if lower else np.triu(a, 1)
    if kind == "her" and _complex(a):
        return strict + _mH(strict) + np.real(a * np.eye(n))
    return strict + _mT(strict) + a * np.eye(n)


def _solve_general(a: Any, b: Any) -> Any:
    """np.linalg.solve with SciPy's reading of shapes: a 1 x 1 ``a`` divides any ``b``."""
    if int(np.prod(_shape(a))) == 1:
        if plain(a).item() == 0:
            raise LinAlgError("A singular matrix detected.")
        return b / np.reshape(a, ())
    return np.linalg.solve(a, b)


@register_foreign("scipy.linalg", "solve")
def solve(
    a: Any,
    b: Any,
    lower: bool = False,
    overwrite_a: bool = False,
    overwrite_b: bool = False,
    check_finite: bool = True,
    assume_a: str | None = None,
    transposed: bool = False,
) -> Any:
    """``a @ x = b`` (``a.T @ x = b`` if transposed): np.linalg.solve of the matrix SciPy reads for
    ``assume_a`` (dx = A^-1 (db - dA x), through NumPy's rule)."""
    a, b = np.atleast_2d(_as_operand(a)), np.atleast_1d(_as_operand(b))
    _finite(check_finite, a, b)
    _square("solve", a)
    if assume_a == "pos":
        _positive_definite(a, lower)
    a = _read(a, assume_a, lower)
    if transposed:
        if _complex(a):
            # SciPy raises this very error for complex matrices; a Dual gets the same answer as a plain array
            raise NotImplementedError("scipy.linalg.solve can currently not solve a^T x = b or a^H x = b for complex matrices.")
        a = _mT(a)
    return _solve_general(a, b)


def _positive_definite(a: Any, lower: bool) -> None:
    """SciPy's potrf fails on a matrix that is not positive definite: so does dualdiff."""
    try:
        np.linalg.cholesky(plain(_read(plain(a), "pos", lower)))
    except LinAlgError:
        raise LinAlgError("The leading minor of the matrix is not positive definite (assume_a='pos').") from None


@register_foreign("scipy.linalg", "inv")
def inv(a: Any, overwrite_a: bool = False, check_finite: bool = True, *, assume_a: str | None = None, lower: bool = False) -> Any:
    """np.linalg.inv of the matrix SciPy reads (d inv = -inv dA inv, through NumPy's rule).

    With ``assume_a='diagonal'`` SciPy inverts the diagonal entries and leaves the others as they are;
    dualdiff computes that same function."""
    a = _as_operand(a)
    _finite(check_finite, a)
    _square("inv", a)
    if assume_a == "tridiagonal":
        raise KeyError("tridiagonal")  # as SciPy's inv
    if assume_a == "diagonal":
        eye = np.eye(_shape(a)[-1])
        d = np.sum(a * eye, axis=-1)
        if np.any(plain(d) == 0):
            raise LinAlgError("A singular matrix detected.")
        return a * (1 - eye) + (1 / d)[..., None] * eye
    if assume_a == "pos":
        _positive_definite(a, lower)
    return np.linalg.inv(_read(a, assume_a, lower))


@register_foreign("scipy.linalg", "det")
def det(a: Any, overwrite_a: bool = False, check_finite: bool = True) -> Any:
    """np.linalg.det (d det = det tr(A^-1 dA), through NumPy's rule: a singular matrix raises)."""
    a = _as_operand(a)
    _finite(check_finite, a)
    _square("det", a)
    return np.linalg.det(a)


# --- triangular solves: the triangle SciPy reads, then np.linalg.solve ---
def _triangle(a: Any, lower: bool, unit_diagonal: bool = False) -> Any:
    n = _shape(a)[-1]
    if unit_diagonal:
        return (np.tril(a, -1) if lower else np.triu(a, 1)) + np.eye(n)
    return np.tril(a) if lower else np.triu(a)


def _op(t: Any, trans: Any) -> Any:
    """op(T) of LAPACK's trans: 0 or 'N' T, 1 or 'T' T^T, 2 or 'C' T^H."""
    if trans in (0, "N", "n"):
        return t
    if trans in (1, "T", "t"):
        return _mT(t)
    if trans in (2, "C", "c"):
        return _mH(t)
    raise ValueError(f"trans must be 0, 1, 2 or 'N', 'T', 'C', not {trans!r}")


def _nonsingular_triangle(t: Any, name: str) -> None:
    zero = np.nonzero(np.diagonal(plain(t), axis1=-2, axis2=-1) == 0)
    if np.size(zero[-1]):
        raise LinAlgError(f"singular matrix: resolution failed at diagonal {int(zero[-1][0])} (scipy.linalg.{name})")


@register_foreign("scipy.linalg", "solve_triangular")
def solve_triangular(
    a: Any,
    b: Any,
    trans: Any = 0,
    lower: bool = False,
    unit_diagonal: bool = False,
    overwrite_b: bool = False,
    check_finite: bool = True,
) -> Any:
    """op(T) x = b for the triangle T of ``a`` named by ``lower`` (unit diagonal if asked): a
    composite of np.tril/np.triu and np.linalg.solve."""
    a, b = _as_operand(a), _as_operand(b)
    _finite(check_finite, a, b)
    _square("solve_triangular", a)
    t = _triangle(a, lower, unit_diagonal)
    _nonsingular_triangle(t, "solve_triangular")
    return np.linalg.solve(_op(t, trans), b)


# --- Cholesky: np.linalg.cholesky reads the triangle SciPy reads ---
@register_foreign("scipy.linalg", "cholesky")
def cholesky(a: Any, lower: bool = False, overwrite_a: bool = False, check_finite: bool = True) -> Any:
    """A = L L^H (lower) or U^H U: np.linalg.cholesky, which reads the same triangle
    (dL = L Phi(L^-1 dA L^-T), through NumPy's rule)."""
    a = _as_operand(a)
    _finite(check_finite, a)
    _square("cholesky", a)
    return np.linalg.cholesky(a, upper=not lower)


# SciPy before 1.18 leaves a's own entries in the triangle the factor does not use; 1.18 zeroes it
_CHO_KEEPS_A = bool(_sl.cho_factor(np.array([[4.0, 2.0], [2.0, 3.0]]))[0][1, 0] == 2.0)


@register_foreign("scipy.linalg", "cho_factor")
def cho_factor(a: Any, lower: bool = False, overwrite_a: bool = False, check_finite: bool = True) -> tuple[Any, bool]:
    """``(c, lower)`` for `cho_solve`: c holds the factor in the triangle named by ``lower`` and, as
    the installed SciPy does, either ``a``'s own entries in the other one (as LAPACK leaves them) or
    zeros (SciPy 1.18 and newer); cho_solve never reads it."""
    a = _as_operand(a)
    factor = cholesky(a, lower=lower, check_finite=check_finite)
    if not _CHO_KEEPS_A:
        return factor, lower
    return factor + (np.triu(a, 1) if lower else np.tril(a, -1)), lower


@register_foreign("scipy.linalg", "cho_solve")
def cho_solve(c_and_lower: Any, b: Any, overwrite_b: bool = False, check_finite: bool = True) -> Any:
    """A x = b with A = L L^H (x = L^-H L^-1 b) or U^H U (x = U^-1 U^-H b); only c's triangle is read."""
    c, lower = c_and_lower
    c, b = _as_operand(c), _as_operand(b)
    _finite(check_finite, c, b)
    _square("cho_solve", c)
    t = _triangle(c, lower)
    _nonsingular_triangle(t, "cho_solve")
    vec = len(_shape(b)) == 1  # a vector, for every matrix of a stack
    r = b[:, None] if vec else b
    x = np.linalg.solve(_mH(t), np.linalg.solve(t, r)) if lower else np.linalg.solve(t, np.linalg.solve(_mH(t), r))
    return x[..., 0] if vec else x


# --- LU: P A = L U; with M = L^-1 P dA U^-1, dL = L tril(M, -1), dU = triu(M) U ---
def _perm(piv: Any) -> np.ndarray:
    """LAPACK's row interchanges as a permutation: A[perm] = L U."""
    piv = np.asarray(plain(piv))
    perm = np.arange(piv.shape[-1])
    for i, p in enumerate(piv):
        perm[i], perm[p] = perm[p], perm[i]
    return perm


def _unpack(lu: Any) -> tuple[Any, Any]:
    n = _shape(lu)[-1]
    return np.tril(lu, -1) + np.eye(n), np.triu(lu)


def _right_solve(x: Any, u: Any) -> Any:
    """X U^-1."""
    return _mT(np.linalg.solve(_mT(u), _mT(x)))


def _lu_factor_value(a: Any) -> tuple[Any, Any]:
    if isinstance(a, Number):
        return _lu_factor(a)
    return tuple(_scipy("lu_factor")(a, check_finite=False))


def _lu_nonsingular(u: Any) -> None:
    zero = np.nonzero(np.diagonal(plain(u)) == 0)[0]
    if zero.size:
        raise LinAlgError(
            f"scipy.linalg.lu_factor: U's diagonal number {int(zero[0]) + 1} is exactly zero (a singular matrix); "
            "dualdiff's derivative of the LU factors needs a nonsingular one"
        )


def _lu_factor_jvp(ds: list[Any], xs: tuple[Any, ...], y: Any, k: tuple[int, ...]) -> Any:
    lu, piv = y
    L, U = _unpack(lu)
    _lu_nonsingular(U)
    M = _right_solve(np.linalg.solve(L, ds[0][..., _perm(piv), :]), U)
    return L @ np.tril(M, -1) + np.triu(M) @ U, None


def _lu_factor_vjp(i: int, g: Any, xs: tuple[Any, ...], y: Any) -> Any:
    # the transpose: Mbar = tril(L^T tril(G, -1), -1) + triu(triu(G) U^T), gA = P^T L^-T Mbar U^-T
    lu, piv = y
    G = g[0]
    L, U = _unpack(lu)
    _lu_nonsingular(U)
    Mbar = np.tril(_mT(L) @ np.tril(G, -1), -1) + np.triu(np.triu(G) @ _mT(U))
    Z = _right_solve(np.linalg.solve(_mT(L), Mbar), _mT(U))
    return Z[..., np.argsort(_perm(piv)), :]


_lu_factor = Primitive("scipy.linalg.lu_factor", _lu_factor_value, _lu_factor_jvp, _lu_factor_vjp)


@register_foreign("scipy.linalg", "lu_factor")
def lu_factor(a: Any, overwrite_a: bool = False, check_finite: bool = True) -> tuple[Any, Any]:
    """``(lu, piv)`` of a square matrix: lu = tril(L, -1) + U with P A = L U, the same pivots as SciPy.
    d(lu) = tril(dL, -1) + dU, dL = L tril(M, -1), dU = triu(M) U, M = L^-1 P dA U^-1."""
    a = _as_operand(a)
    _finite(check_finite, a)
    _square("lu_factor", a)  # dualdiff: square matrices only
    return _over_batch(_lu_factor, (2,), a)


def _lu_solve_one(lu: Any, piv: Any, b: Any, trans: Any) -> Any:
    L, U = _unpack(lu)
    perm = _perm(piv)
    if trans in (0, "N", "n"):  # A = P^T L U: x = U^-1 L^-1 P b
        return np.linalg.solve(U, np.linalg.solve(L, b[perm]))
    # A^T = U^T L^T P: P x = L^-T U^-T b (conjugated for trans=2)
    x = np.linalg.solve(_op(L, trans), np.linalg.solve(_op(U, trans), b))
    return x[np.argsort(perm)]


@register_foreign("scipy.linalg", "lu_solve")
def lu_solve(lu_and_piv: Any, b: Any, trans: Any = 0, overwrite_b: bool = False, check_finite: bool = True) -> Any:
    """A x = b (A^T x = b, A^H x = b for trans 1, 2) from `lu_factor`'s result: two triangular solves
    and the row permutation, a composite."""
    lu, piv = lu_and_piv
    lu, b = _as_operand(lu), _as_operand(b)
    _finite(check_finite, lu, b)
    _square("lu_solve", lu)
    _op(lu, trans)  # checks trans
    _nonsingular_triangle(np.triu(plain(lu)), "lu_solve")
    return _over_batch(lambda m, p, r: _lu_solve_one(m, p, r, trans), (2, 1, "1|2"), lu, np.asarray(piv), b)


@register_foreign("scipy.linalg", "lu")
def lu(a: Any, permute_l: bool = False, overwrite_a: bool = False, check_finite: bool = True, p_indices: bool = False) -> Any:
    """``(P, L, U)`` with A = P L U (``(P L, U)`` with permute_l, P as row indices with p_indices),
    from `lu_factor`: square matrices only."""
    a = _as_operand(a)
    _finite(check_finite, a)
    _square("lu", a)

    def one(m: Any) -> Any:
        packed, piv = lu_factor(m, check_finite=False)
        L, U = _unpack(packed)
        p = np.argsort(_perm(piv)).astype(np.int32)  # A = (L U)[p]
        P = np.eye(len(p))[p]
        if permute_l:
            return L[p], U
        return (p if p_indices else P), L, U

    return _over_batch(one, (2,), a)


# --- expm: scaling and squaring with Pade approximants (Higham 2005, Algorithm 2.3), a composite ---
_THETA = {3: 1.495585217958292e-2, 5: 2.539398330063230e-1, 7: 9.504178996162932e-1, 9: 2.097847961257068e0, 13: 5.371920351148152e0}
_PADE = {
    3: (120.0, 60.0, 12.0, 1.0),
    5: (30240.0, 15120.0, 3360.0, 420.0, 30.0, 1.0),
    7: (17297280.0, 8648640.0, 1995840.0, 277200.0, 25200.0, 1512.0, 56.0, 1.0),
    9: (17643225600.0, 8821612800.0, 2075673600.0, 302702400.0, 30270240.0, 2162160.0, 110880.0, 3960.0, 90.0, 1.0),
    13: (
        64764752532480000.0, 32382376266240000.0, 7771770303897600.0, 1187353796428800.0, 129060195264000.0,
        10559470521600.0, 670442572800.0, 33522128640.0, 1323241920.0, 40840800.0, 960960.0, 16380.0, 182.0, 1.0,
    ),
}


def _pade(a: Any, m: int) -> tuple[Any, Any]:
    """U (odd part) and V (even part) of the [m/m] Pade approximant: r_m(A) = (V - U)^-1 (V + U)."""
    b = _PADE[m]
    eye = np.eye(_shape(a)[-1])
    a2 = a @ a
    if m == 13:
        a4 = a2 @ a2
        a6 = a4 @ a2
        u = a @ (a6 @ (b[13] * a6 + b[11] * a4 + b[9] * a2) + b[7] * a6 + b[5] * a4 + b[3] * a2 + b[1] * eye)
        v = a6 @ (b[12] * a6 + b[10] * a4 + b[8] * a2) + b[6] * a6 + b[4] * a4 + b[2] * a2 + b[0] * eye
        return u, v
    powers = [eye, a2]
    while len(powers) <= m // 2:
        powers.append(powers[-1] @ a2)
    odd = sum(b[2 * j + 1] * p for j, p in enumerate(powers))
    even = sum(b[2 * j] * p for j, p in enumerate(powers))
    return a @ odd, even


def _expm_one(a: Any) -> Any:
    if _shape(a) == (1, 1):
        return np.exp(a)
    norm = float(np.max(np.sum(np.abs(plain(a)), axis=0)))  # the 1-norm picks the degree and the scaling
    for m in (3, 5, 7, 9):
        if norm <= _THETA[m]:
            u, v = _pade(a, m)
            return np.linalg.solve(v - u, v + u)
    s = max(0, math.ceil(math.log2(norm / _THETA[13])))
    u, v = _pade(a / 2.0**s, 13)
    r = np.linalg.solve(v - u, v + u)
    for _ in range(s):
        r = r @ r
    return r


@register_foreign("scipy.linalg", "expm")
def expm(A: Any) -> Any:
    """The matrix exponential: Higham's (2005) [m/m] Pade approximant, m in 3, 5, 7, 9 or 13 with
    scaling and squaring, chosen from the value's 1-norm; made of matmul and solve, so its derivative
    is the Frechet derivative of the approximant, as accurate as the value."""
    a = _as_operand(A)
    s = _shape(a)
    if int(np.prod(s)) == 1 and len(s) < 2:
        return np.reshape(np.exp(a), (1, 1))
    if len(s) < 2:
        raise LinAlgError("The input array must be at least two-dimensional")
    if s[-1] != s[-2]:
        raise LinAlgError("Last 2 dimensions of the array must be square")
    return _over_batch(_expm_one, (2,), a)


# --- solve_sylvester: A X + X B = Q ---
def _sylvester_value(a: Any, b: Any, q: Any) -> Any:
    if any(isinstance(x, Number) for x in (a, b, q)):
        return _sylvester(a, b, q)
    _sylvester_regular(a, b)
    return _scipy("solve_sylvester")(a, b, q)


def _sylvester_regular(a: Any, b: Any) -> None:
    """A X + X B = Q has one solution when no eigenvalue of A is one of -B's."""
    a, b = np.asarray(plain(a)), np.asarray(plain(b))
    la, lb = np.linalg.eigvals(a), np.linalg.eigvals(b)
    gap = np.min(np.abs(la[:, None] + lb[None, :]))
    scale = max(np.linalg.norm(a, 1), np.linalg.norm(b, 1), np.finfo(float).tiny)
    if gap <= 64 * np.finfo(float).eps * scale * max(a.shape[0], b.shape[0]):
        raise LinAlgError(
            "the Sylvester equation A X + X B = Q is singular (A and -B share an eigenvalue): its solution, and so "
            "the derivative of solve_sylvester (or of sqrtm, whose tangent solves X dX + dX X = dA), does not exist here"
        )


def _sylv(a: Any, b: Any, q: Any) -> Any:
    """Solve A X + X B = Q for each matrix of a stack of right-hand sides."""
    if len(_shape(q)) == 2:
        return _sylvester(a, b, q)
    return np.stack([_sylv(a, b, r) for r in q])


def _sylvester_jvp(ds: list[Any], xs: tuple[Any, ...], x: Any, k: tuple[int, ...]) -> Any:
    # dA X + A dX + dX B + X dB = dQ: A dX + dX B = dQ - dA X - X dB
    da, db, dq = ds
    rhs: Any = 0.0 if dq is None else dq
    if da is not None:
        rhs = rhs - da @ x
    if db is not None:
        rhs = rhs - x @ db
    return _sylv(xs[0], xs[1], rhs)


def _sylvester_vjp(i: int, g: Any, xs: tuple[Any, ...], x: Any) -> Any:
    # the transpose of Q -> X solves A^T Qbar + Qbar B^T = G; gA = -Qbar X^T, gB = -X^T Qbar
    qbar = _sylv(_mT(xs[0]), _mT(xs[1]), g)
    if i == 0:
        return -(qbar @ _mT(x))
    if i == 1:
        return -(_mT(x) @ qbar)
    return qbar


_sylvester = Primitive("scipy.linalg.solve_sylvester", _sylvester_value, _sylvester_jvp, _sylvester_vjp)


@register_foreign("scipy.linalg", "solve_sylvester")
def solve_sylvester(a: Any, b: Any, q: Any) -> Any:
    """X with A X + X B = Q: a primitive; dX solves A dX + dX B = dQ - dA X - X dB, and the
    cotangent Qbar of Q solves A^T Qbar + Qbar B^T = G (gA = -Qbar X^T, gB = -X^T Qbar)."""
    a, b, q = _as_operand(a), _as_operand(b), _as_operand(q)
    return _over_batch(_sylvester, (2, 2, 2), a, b, q)


@register_foreign("scipy.linalg", "solve_continuous_lyapunov")
def solve_continuous_lyapunov(a: Any, q: Any) -> Any:
    """X with A X + X A^H = Q: solve_sylvester(A, A^H, Q)."""
    a, q = _as_operand(a), _as_operand(q)
    return _over_batch(lambda m, r: _sylvester(m, _mH(m), r), (2, 2), a, q)


# --- sqrtm: X X = A; X dX + dX X = dA, and the transpose X^T Abar + Abar X^T = G ---
def _sqrtm_value(a: Any) -> Any:
    if isinstance(a, Number):
        return _sqrtm(a)
    return _scipy("sqrtm")(a)


_sqrtm = Primitive(
    "scipy.linalg.sqrtm",
    _sqrtm_value,
    lambda ds, xs, x, k: _sylv(x, x, ds[0]),
    lambda i, g, xs, x: _sylv(_mT(x), _mT(x), g),
)


@register_foreign("scipy.linalg", "sqrtm")
def sqrtm(A: Any, disp: Any = _NO, blocksize: Any = _NO) -> Any:
    """The principal square root X (X X = A), SciPy's value; dX solves the Sylvester equation
    X dX + dX X = dA (a singular one, as at a singular A, raises LinAlgError)."""
    _refuse("sqrtm", disp=None if disp is _NO else disp, blocksize=None if blocksize is _NO else blocksize)
    a = _as_operand(A)
    s = _shape(a)
    if len(s) < 2:
        raise LinAlgError("scipy.linalg.sqrtm: dualdiff needs at least a 2-D array (SciPy returns exp of a 0-d or 1-d input)")
    if s[-1] != s[-2]:
        raise LinAlgError("Last 2 dimensions of the array must be square")
    return _over_batch(_sqrtm, (2,), a)


# --- pinv: SciPy's cutoff for the value; the derivative is numpy.linalg.pinv's (Golub and Pereyra) ---
def _pinv_value(a: Any, atol: Any, rtol: Any) -> Any:
    if isinstance(a, Number):
        return _pinv(a, atol=atol, rtol=rtol)
    return _scipy("pinv")(a, atol=atol, rtol=rtol, check_finite=False)


_pinv = Primitive("scipy.linalg.pinv", _pinv_value, _pinv_jvp, _pinv_vjp)


@register_foreign("scipy.linalg", "pinv")
def pinv(a: Any, *, atol: Any = None, rtol: Any = None, return_rank: bool = False, check_finite: bool = True) -> Any:
    """The pseudo-inverse with SciPy's cutoff (singular values above atol + rtol * max(s) count): a
    primitive whose derivative holds where the rank does not change nearby (Golub and Pereyra's formula,
    no SVD derivative, so repeated singular values are fine)."""
    a = _as_operand(a)
    _finite(check_finite, a)
    _real_only("pinv", a)
    if len(_shape(a)) < 2:
        raise ValueError(f"scipy.linalg.pinv: expected at least ndim=2, got ndim={len(_shape(a))}")
    x = _over_batch(lambda m: _pinv(m, atol=atol, rtol=rtol), (2,), a)
    if return_rank:
        return x, _scipy("pinv")(plain(a), atol=atol, rtol=rtol, return_rank=True, check_finite=False)[1]
    return x


# --- eigh and svd: NumPy's rules, vectors signed as SciPy's ---
def _distinct(values: Any, name: str, what: str) -> None:
    """Repeated eigenvalues or singular values have no derivative (nor unique vectors): say so, rather
    than return the rule's numbers there (a wrong split of the values, nan for the vectors)."""
    v = np.sort(np.asarray(plain(values)), axis=-1)
    if v.shape[-1] < 2:
        return
    tol = 16 * v.shape[-1] * np.finfo(float).eps * np.max(np.abs(v), axis=-1, keepdims=True)
    if np.any(np.diff(v, axis=-1) <= tol):
        raise LinAlgError(
            f"scipy.linalg.{name}: the matrix has repeated {what}, where they (and their vectors) have no derivative; "
            "a symmetric function of them (their sum: the trace) can be written without them"
        )


def _align(ours: Any, theirs: np.ndarray, axis: int) -> Any:
    """The signs that make each of our vectors (along ``axis``) point as SciPy's."""
    dots = np.sum(np.asarray(plain(ours)) * theirs, axis=axis, keepdims=True)
    return np.where(dots < 0, -1.0, 1.0)


@register_foreign("scipy.linalg", "eigh")
def eigh(
    a: Any,
    b: Any = None,
    *,
    lower: bool = True,
    eigvals_only: bool = False,
    overwrite_a: bool = False,
    overwrite_b: bool = False,
    type: int = 1,
    check_finite: bool = True,
    subset_by_index: Any = None,
    subset_by_value: Any = None,
    driver: Any = None,
) -> Any:
    """Eigenvalues (and vectors) of a real symmetric ``a`` read from the triangle named by ``lower``;
    with ``b``, of the generalized problem (type 1: A v = w B v, 2: A B v = w v, 3: B A v = w v)
    through B = L L^T: C = L^-1 A L^-T (types 2, 3: L^T A L), whose eigenvectors y give v = L^-T y
    (type 3: L y). dw_i = v_i^T dC v_i and the vectors through np.linalg.eigh's rule (distinct
    eigenvalues); the vectors' signs are SciPy's."""
    a = _as_operand(a)
    b = None if b is None else _as_operand(b)
    _finite(check_finite, a, *(() if b is None else (b,)))
    _real_only("eigh", a, *(() if b is None else (b,)))
    pa, pb = np.asarray(plain(a)), None if b is None else np.asarray(plain(b))
    theirs = _scipy("eigh")(
        pa, pb, lower=lower, eigvals_only=eigvals_only, type=type, check_finite=False,
        subset_by_index=subset_by_index, subset_by_value=subset_by_value, driver=driver,
    )  # SciPy's own checks, errors and signs
    sym = _read(a, "sym", lower)
    if b is None:
        c = sym
    else:
        L = np.linalg.cholesky(b, upper=not lower)
        L = L if lower else _mT(L)
        c = np.linalg.solve(L, _mT(np.linalg.solve(L, sym))) if type == 1 else _mT(L) @ sym @ L
        c = (c + _mT(c)) / 2
    w, y = np.linalg.eigh(c)
    _distinct(w, "eigh", "eigenvalues")
    v = y if b is None else (L @ y if type == 3 else np.linalg.solve(_mT(L), y))
    wp = np.asarray(plain(w))
    if subset_by_index is not None:
        keep = np.arange(int(subset_by_index[0]), int(subset_by_index[1]) + 1)
    elif subset_by_value is not None:
        keep = np.nonzero((wp > subset_by_value[0]) & (wp <= subset_by_value[1]))[-1]
    else:
        keep = np.arange(wp.shape[-1])
    w = w[..., keep]
    if eigvals_only:
        return w
    v = v[..., keep]
    return w, v * _align(v, theirs[1], -2)


@register_foreign("scipy.linalg", "eigvalsh")
def eigvalsh(
    a: Any,
    b: Any = None,
    *,
    lower: bool = True,
    overwrite_a: bool = False,
    overwrite_b: bool = False,
    type: int = 1,
    check_finite: bool = True,
    subset_by_index: Any = None,
    subset_by_value: Any = None,
    driver: Any = None,
) -> Any:
    """`eigh` with eigvals_only=True."""
    return eigh(a, b, lower=lower, eigvals_only=True, type=type, check_finite=check_finite,
                subset_by_index=subset_by_index, subset_by_value=subset_by_value, driver=driver)


@register_foreign("scipy.linalg", "svd")
def svd(
    a: Any,
    full_matrices: bool = True,
    compute_uv: bool = True,
    overwrite_a: bool = False,
    check_finite: bool = True,
    lapack_driver: str = "gesdd",
) -> Any:
    """np.linalg.svd's rules (distinct singular values; full_matrices=True for square matrices only),
    the vectors signed as SciPy's: ds_i = u_i^T dA v_i."""
    a = _as_operand(a)
    _finite(check_finite, a)
    if not compute_uv:
        return svdvals(a, check_finite=False)
    _real_only("svd", a)
    m, n = _shape(a)[-2:]
    if full_matrices and m != n:
        raise TypeError("scipy.linalg.svd(full_matrices=True) of a non-square matrix has no derivative rule in dualdiff "
                        "(the extra singular vectors are not unique); pass full_matrices=False")
    u_sp = _scipy("svd")(np.asarray(plain(a)), full_matrices=full_matrices, check_finite=False, lapack_driver=lapack_driver)[0]
    u, s, vh = np.linalg.svd(a, full_matrices=full_matrices)
    _distinct(s, "svd", "singular values")
    sign = _align(u, u_sp, -2)
    return u * sign, s, vh * _mT(sign)


@register_foreign("scipy.linalg", "svdvals")
def svdvals(a: Any, overwrite_a: bool = False, check_finite: bool = True) -> Any:
    """The singular values: ds_i = Re(u_i^H dA v_i), through NumPy's rule."""
    a = _as_operand(a)
    _finite(check_finite, a)
    s = np.linalg.svd(a, compute_uv=False)
    _distinct(s, "svdvals", "singular values")
    return s
