"""scipy.linalg on Duals and Vars (dualdiff/functions/scipy_linalg.py): each function's Jacobian in
both modes against central differences of SciPy itself, forward against reverse, Hessians forward
over forward against forward over reverse, third derivatives against closed forms, expm against
SciPy's values and its Frechet derivative, the wrappers' transparency on plain arrays, the import
order, and the clear errors where no derivative exists."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

sl = pytest.importorskip("scipy.linalg")

import dualdiff as dd  # noqa: E402
from dualdiff import Dual, Var  # noqa: E402
from dualdiff.core.functions import FOREIGN  # noqa: E402
from dualdiff.functions import scipy_linalg as impl  # noqa: E402

rng = np.random.default_rng(7)
N = 3
A = rng.standard_normal((N, N)) + 3 * np.eye(N)  # nonsymmetric, well conditioned
SPD = A @ A.T + np.eye(N)
B = rng.standard_normal((N, N))
b = rng.standard_normal(N)
B2 = rng.standard_normal((N, 2))
TALL = rng.standard_normal((4, 3))
WIDE = rng.standard_normal((2, 4))
PIVOTED = A[[1, 2, 0]]  # LU needs row interchanges
STACK = np.stack([A, A.T + np.eye(N)])
STACK_SPD = np.stack([SPD, SPD + np.diag([1.0, 2.0, 3.0])])


def flat(r: Any) -> Any:
    """One flat array of a result, tuples of outputs joined (integer outputs such as pivots left out)."""
    if isinstance(r, tuple):
        return np.concatenate([np.ravel(p) for p in r if np.asarray(dd_plain(p)).dtype.kind in "fc"])
    return r


def dd_plain(x: Any) -> Any:
    while isinstance(x, (Dual, Var)):
        x = x.value
    return x


def fd_jacobian(f: Callable[[Any], Any], x: np.ndarray, h: float = 1e-6) -> np.ndarray:
    """Central differences of f on plain arrays (that is, of SciPy itself)."""
    x = np.asarray(x, dtype=float)
    y0 = np.asarray(flat(f(x)))
    cols = []
    for i in range(x.size):
        e = np.zeros(x.size)
        e[i] = h
        e = e.reshape(x.shape)
        cols.append((np.asarray(flat(f(x + e))) - np.asarray(flat(f(x - e)))) / (2 * h))
    return np.moveaxis(np.array(cols), 0, -1).reshape(y0.shape + x.shape)


def signed(v: Any) -> Any:
    """Eigen/singular vectors with a positive first row: SciPy's own signs may flip under a tiny
    perturbation (a discontinuity finite differences would see), this makes the function smooth."""
    return v * np.where(dd_plain(v)[..., :1, :] < 0, -1.0, 1.0)


def eigh_flat(w_v: Any) -> Any:
    w, v = w_v
    return np.concatenate([np.ravel(w), np.ravel(signed(v))])


def svd_flat(usv: Any) -> Any:
    u, s, vh = usv
    sign = np.where(dd_plain(u)[..., :1, :] < 0, -1.0, 1.0)
    return np.concatenate([np.ravel(u * sign), np.ravel(s), np.ravel(vh * np.swapaxes(sign, -1, -2))])


# (name, f, x): f takes a plain array or a Dual/Var of x's shape
CASES: list[tuple[str, Callable[[Any], Any], np.ndarray]] = [
    ("solve-a", lambda x: sl.solve(x, b), A),
    ("solve-b", lambda x: sl.solve(A, x), B2),
    ("solve-transposed", lambda x: sl.solve(x, B2, transposed=True), A),
    ("solve-1x1", lambda x: sl.solve(x, b), np.array([[2.5]])),
    ("solve-stacked", lambda x: sl.solve(x, b), STACK),
    *[
        (f"solve-{assume}-{'lower' if lower else 'upper'}",
         lambda x, assume=assume, lower=lower: sl.solve(x, b, assume_a=assume, lower=lower),
         SPD + 0.1 * B)  # not symmetric: only the triangle SciPy reads moves the result
        for assume in ("sym", "her", "pos", "diagonal", "tridiagonal", "upper triangular", "lower triangular", "banded", "gen")
        for lower in (False, True)
    ],
    *[
        (f"solve_triangular-{trans}-{lower}-{unit}",
         lambda x, t=trans, lo=lower, u=unit: sl.solve_triangular(x, B2, trans=t, lower=lo, unit_diagonal=u), A)
        for trans in (0, "T", 2)
        for lower in (False, True)
        for unit in (False, True)
    ],
    ("solve_triangular-b", lambda x: sl.solve_triangular(A, x, lower=True), b),
    ("cholesky-upper", lambda x: sl.cholesky(x), SPD + 0.1 * B),
    ("cholesky-lower", lambda x: sl.cholesky(x, lower=True), SPD + 0.1 * B),
    ("cho_factor", lambda x: sl.cho_factor(x, lower=True)[0], SPD),
    ("cho_solve-upper", lambda x: sl.cho_solve(sl.cho_factor(x), B2), SPD),
    ("cho_solve-lower", lambda x: sl.cho_solve(sl.cho_factor(x, lower=True), b), SPD),
    ("cho_solve-c", lambda x: sl.cho_solve((x, False), b), np.linalg.cholesky(SPD).T + np.tril(B, -1)),  # only c's triangle is read
    ("cho_solve-b", lambda x: sl.cho_solve(sl.cho_factor(SPD), x), B2),
    ("cho_solve-stacked", lambda x: sl.cho_solve(sl.cho_factor(x), b), STACK_SPD),
    ("lu_factor", lambda x: sl.lu_factor(x)[0], A),
    ("lu_factor-pivoting", lambda x: sl.lu_factor(x)[0], PIVOTED),
    ("lu_factor-B", lambda x: sl.lu_factor(x)[0], B),
    ("lu_factor-stacked", lambda x: sl.lu_factor(x)[0], np.stack([A, B])),
    ("lu", lambda x: sl.lu(x), B),
    ("lu-permute_l", lambda x: sl.lu(x, permute_l=True), B),
    *[(f"lu_solve-{t}", lambda x, t=t: sl.lu_solve(sl.lu_factor(x), B2, trans=t), B) for t in (0, 1, 2)],
    ("lu_solve-lu", lambda x: sl.lu_solve((x, sl.lu_factor(B)[1]), b), sl.lu_factor(B)[0]),
    ("lu_solve-b", lambda x: sl.lu_solve(sl.lu_factor(B), x, trans=1), b),
    ("expm", sl.expm, A),
    ("expm-small", sl.expm, 0.01 * B),
    ("expm-stacked", sl.expm, np.stack([0.1 * A, B])),
    ("inv", sl.inv, A),
    *[(f"inv-{assume}", lambda x, assume=assume: sl.inv(x, assume_a=assume, lower=True), SPD + 0.1 * B)
      for assume in ("sym", "pos", "upper triangular", "lower triangular", "diagonal")],
    ("det", sl.det, A),
    ("det-stacked", sl.det, STACK),
    ("pinv-tall", sl.pinv, TALL),
    ("pinv-wide", sl.pinv, WIDE),
    ("pinv-square", lambda x: sl.pinv(x, atol=1e-12, rtol=1e-10), A),
    ("eigh", lambda x: eigh_flat(sl.eigh(x)), SPD + 0.1 * B),
    ("eigh-upper", lambda x: eigh_flat(sl.eigh(x, lower=False)), SPD + 0.1 * B),
    ("eigh-values", lambda x: sl.eigh(x, eigvals_only=True), SPD + 0.1 * B),
    ("eigvalsh", lambda x: sl.eigvalsh(x, lower=False), SPD + 0.1 * B),
    ("eigh-subset", lambda x: eigh_flat(sl.eigh(x, subset_by_index=[1, 2])), SPD),
    *[(f"eigh-generalized-{t}", lambda x, t=t: eigh_flat(sl.eigh(x, SPD, type=t)), A + A.T) for t in (1, 2, 3)],
    *[(f"eigh-generalized-b-{t}", lambda x, t=t: eigh_flat(sl.eigh(A + A.T, x, type=t, lower=False)), SPD) for t in (1, 2, 3)],
    ("svd", lambda x: svd_flat(sl.svd(x)), A),
    ("svd-tall", lambda x: svd_flat(sl.svd(x, full_matrices=False)), TALL),
    ("svd-values", lambda x: sl.svd(x, compute_uv=False), TALL),
    ("svdvals", sl.svdvals, WIDE),
    ("sqrtm", sl.sqrtm, SPD),
    ("sqrtm-nonsymmetric", sl.sqrtm, A),
    ("solve_sylvester-a", lambda x: sl.solve_sylvester(x, B.T + 3 * np.eye(N), SPD), A),
    ("solve_sylvester-b", lambda x: sl.solve_sylvester(A, x, SPD), B.T + 3 * np.eye(N)),
    ("solve_sylvester-q", lambda x: sl.solve_sylvester(A, A.T, x), B),
    ("solve_continuous_lyapunov", lambda x: sl.solve_continuous_lyapunov(x, SPD), A),
]


@pytest.mark.parametrize(("name", "f", "x"), CASES, ids=[c[0] for c in CASES])
def test_jacobian_both_modes_against_finite_differences(name: str, f: Callable[[Any], Any], x: np.ndarray) -> None:
    g = lambda z: flat(f(z))
    forward = dd.jacobian(g, x)
    reverse = dd.jacobian(g, x, mode="reverse")
    np.testing.assert_allclose(forward, fd_jacobian(f, x), rtol=1e-6, atol=1e-7)
    np.testing.assert_allclose(forward, reverse, rtol=1e-9, atol=1e-11)


@pytest.mark.parametrize(("name", "f", "x"), CASES, ids=[c[0] for c in CASES])
def test_values_on_duals_are_scipys(name: str, f: Callable[[Any], Any], x: np.ndarray) -> None:
    got = dd_plain(flat(f(Dual(x, np.zeros_like(x)))))
    np.testing.assert_allclose(got, flat(f(x)), rtol=1e-12, atol=1e-13)


def sum_of_squares(f: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """A smooth scalar of f's result, for Hessians."""
    return lambda x: np.sum(np.sin(flat(f(x))))


HESSIANS = [
    ("solve", lambda x: sl.solve(x[:9].reshape(3, 3), x[9:]), np.r_[A.ravel(), b]),
    ("solve-pos", lambda x: sl.solve(x.reshape(3, 3), b, assume_a="pos"), SPD.ravel()),
    ("solve_triangular", lambda x: sl.solve_triangular(x.reshape(3, 3), b, trans=1), A.ravel()),
    ("cho_solve", lambda x: sl.cho_solve(sl.cho_factor(x[:9].reshape(3, 3)), x[9:]), np.r_[SPD.ravel(), b]),
    ("lu_factor", lambda x: sl.lu_factor(x.reshape(3, 3))[0], PIVOTED.ravel()),
    ("lu_solve", lambda x: sl.lu_solve(sl.lu_factor(x[:9].reshape(3, 3)), x[9:], trans=1), np.r_[PIVOTED.ravel(), b]),
    ("lu_solve-ill-conditioned", lambda x: sl.lu_solve(sl.lu_factor(x.reshape(3, 3)), b), B.ravel()),
    ("expm", lambda x: sl.expm(x.reshape(3, 3)), (0.5 * A).ravel()),
    ("expm-scaled", lambda x: sl.expm(x.reshape(3, 3)), (2 * A).ravel()),
    ("pinv", lambda x: sl.pinv(x.reshape(4, 3)), TALL.ravel()),
    ("sqrtm", lambda x: sl.sqrtm(x.reshape(3, 3)), SPD.ravel()),
    ("solve_sylvester", lambda x: sl.solve_sylvester(x[:9].reshape(3, 3), A.T, x[9:].reshape(3, 3)), np.r_[A.ravel(), B.ravel()]),
    ("eigh", lambda x: eigh_flat(sl.eigh(x.reshape(3, 3))), SPD.ravel()),
]


@pytest.mark.parametrize(("name", "f", "x"), HESSIANS, ids=[h[0] for h in HESSIANS])
def test_hessian_forward_over_forward_is_forward_over_reverse(name: str, f: Callable[[Any], Any], x: np.ndarray) -> None:
    s = sum_of_squares(f)
    hf = dd.hessian(s, x)
    hr = dd.hessian(s, x, mode="reverse")
    np.testing.assert_allclose(hf, hr, rtol=1e-9, atol=1e-10)
    np.testing.assert_allclose(hf, hf.T, rtol=1e-9, atol=1e-10)
    np.testing.assert_allclose(hf, fd_jacobian(lambda z: dd.gradient(s, z), x, h=1e-5), rtol=1e-5, atol=1e-6 * np.abs(hf).max())


def third(f: Callable[[Any], Any], t: float) -> float:
    return float(dd.derivative(lambda u: dd.derivative(lambda v: dd.derivative(f, v), u), t))


def test_third_derivatives_follow_closed_forms() -> None:
    t = 0.3
    # d^3/dt^3 tr expm(t A) = tr(A^3 expm(t A))
    assert third(lambda s: np.trace(sl.expm(s * A)), t) == pytest.approx(np.trace(A @ A @ A @ sl.expm(t * A)), rel=1e-10)
    # det(A + t B) through the LU factors: its third derivative in t is 3! det(B) for 3 x 3 matrices
    det_lu = lambda s: np.prod(np.diagonal(sl.lu_factor(A + s * B)[0]))
    sign = np.sign(sl.det(A + t * B) / det_lu(t))
    assert sign * third(det_lu, t) == pytest.approx(6 * np.linalg.det(B), rel=1e-9)
    # tr sqrtm(S + t I) = sum sqrt(l + t): third derivative (3/8) sum (l + t)^(-5/2)
    lam = np.linalg.eigvalsh(SPD)
    assert third(lambda s: np.trace(sl.sqrtm(SPD + s * np.eye(N))), t) == pytest.approx(0.375 * np.sum((lam + t) ** -2.5), rel=1e-9)
    # x(t) = solve(A + t I, b): x''' = -6 (A + t I)^-4 b
    m = A + t * np.eye(N)
    want = -6 * np.linalg.solve(m, np.linalg.solve(m, np.linalg.solve(m, np.linalg.solve(m, b))))
    assert third(lambda s: np.sum(sl.solve(A + s * np.eye(N), b)), t) == pytest.approx(np.sum(want), rel=1e-9)


# --- expm: SciPy's values and its Frechet derivative ---
BASE = rng.standard_normal((4, 4))


@pytest.mark.parametrize("norm", [1e-3, 0.01, 0.2, 0.9, 2.0, 5.0, 20.0, 100.0])
def test_expm_matches_scipy_and_its_frechet_derivative(norm: float) -> None:
    a = BASE * norm / np.linalg.norm(BASE, 1)  # the 1-norm picks Pade degree 3, 5, 7, 9, or 13 with scaling
    e = rng.standard_normal((4, 4))
    value, tangent = dd.jvp(sl.expm, a, e)
    # SciPy's expm (Al-Mohy and Higham 2009) is itself off by up to ~1e-12 once it scales and squares
    # (test_expm_values_against_high_precision shows dualdiff's values are the closer ones there)
    assert np.linalg.norm(value - sl.expm(a)) <= (1e-13 if norm <= 2 else 1e-11) * np.linalg.norm(sl.expm(a))
    frechet = sl.expm_frechet(a, e, compute_expm=False)
    assert np.linalg.norm(tangent - frechet) <= 1e-10 * np.linalg.norm(frechet)
    # reverse mode: the adjoint of the Frechet derivative L(A, .) is L(A^T, .)
    g = rng.standard_normal((4, 4))
    _, back = dd.vjp(sl.expm, a, g)
    np.testing.assert_allclose(back, sl.expm_frechet(a.T, g, compute_expm=False), rtol=1e-10, atol=1e-10 * np.abs(back).max())


@pytest.mark.parametrize("norm", [0.5, 5.0, 20.0, 100.0])
def test_expm_values_against_high_precision(norm: float) -> None:
    mpmath = pytest.importorskip("mpmath")
    a = BASE * norm / np.linalg.norm(BASE, 1)
    with mpmath.workdps(40):
        exact = np.array(mpmath.expm(mpmath.matrix(a.tolist())).tolist(), dtype=float)
    got = dd_plain(sl.expm(Dual(a, np.zeros_like(a))))
    assert np.linalg.norm(got - exact) <= 1e-13 * np.linalg.norm(exact)


def test_expm_of_scalars_and_1x1_as_scipy() -> None:
    assert dd.derivative(lambda t: sl.expm(t)[0, 0], 0.5) == pytest.approx(np.exp(0.5))
    assert sl.expm(Dual(np.array([[0.5]]), np.array([[1.0]]))).derivative == pytest.approx(np.exp(0.5))
    with pytest.raises(np.linalg.LinAlgError, match="square"):
        sl.expm(Dual(np.ones((2, 3)), np.ones((2, 3))))


# --- the wrappers are transparent on plain arrays ---
PLAIN_CALLS: list[tuple[str, tuple[Any, ...], dict[str, Any]]] = [
    ("solve", (A, b), {}),
    ("solve", (SPD, B2), {"assume_a": "pos", "lower": True}),
    ("solve_triangular", (A, b), {"trans": 1}),
    ("cholesky", (SPD,), {}),
    ("cho_factor", (SPD,), {"lower": True}),
    ("cho_solve", ((np.linalg.cholesky(SPD), True), b), {}),
    ("lu_factor", (B,), {}),
    ("lu_solve", (sl.lu_factor(B), b), {"trans": 2}),
    ("lu", (B,), {"p_indices": True}),
    ("expm", (A,), {}),
    ("inv", (A,), {}),
    ("det", (A,), {}),
    ("pinv", (TALL,), {"return_rank": True}),
    ("eigh", (SPD,), {"lower": False}),
    ("eigvalsh", (SPD,), {}),
    ("svd", (TALL,), {}),
    ("svdvals", (TALL,), {}),
    ("sqrtm", (SPD,), {}),
    ("solve_sylvester", (A, B.T + 3 * np.eye(N), SPD), {}),
    ("solve_continuous_lyapunov", (A, SPD), {}),
]


def same(x: Any, y: Any) -> bool:
    if isinstance(x, tuple):
        return isinstance(y, tuple) and len(x) == len(y) and all(same(p, q) for p, q in zip(x, y, strict=True))
    return type(x) is type(y) and np.array_equal(x, y)


@pytest.mark.parametrize(("name", "args", "kwargs"), PLAIN_CALLS, ids=[c[0] for c in PLAIN_CALLS])
def test_plain_calls_are_scipys_own(name: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
    wrapper = getattr(sl, name)
    assert wrapper.__dualdiff__ is FOREIGN["scipy.linalg"][name]
    original = wrapper.__wrapped__
    assert getattr(original, "__dualdiff__", None) is None
    assert same(wrapper(*args, **kwargs), original(*args, **kwargs))
    assert wrapper.__name__ == original.__name__ and wrapper.__doc__ == original.__doc__


def test_every_implementation_is_installed() -> None:
    for name, f in FOREIGN["scipy.linalg"].items():
        assert getattr(sl, name).__dualdiff__ is f
        assert f.__doc__, name


def test_lu_has_scipys_pivots_and_factors() -> None:
    for m in (A, B, np.array([[0.0, 1.0, 2.0], [1.0, 1.0, 1.0], [3.0, 0.0, 1.0]])):
        for kw in ({}, {"p_indices": True}, {"permute_l": True}):
            ours = sl.lu(Dual(m, np.zeros_like(m)), **kw)
            theirs = sl.lu(m, **kw)
            for o, t in zip(ours, theirs, strict=True):
                np.testing.assert_allclose(dd_plain(o), t, rtol=1e-13, atol=1e-14)
        lu, piv = sl.lu_factor(Var(m))
        assert np.array_equal(piv, sl.lu_factor(m)[1]) and piv.dtype == sl.lu_factor(m)[1].dtype


def test_pinv_rank_deficient_along_rank_preserving_paths() -> None:
    left, right = rng.standard_normal((4, 2)), rng.standard_normal((2, 3))
    db, dc = rng.standard_normal((4, 2)), rng.standard_normal((2, 3))
    path = lambda t: (left + t * db) @ (right + t * dc)  # rank 2 for every t
    h = 1e-6
    want = (sl.pinv(path(h)) - sl.pinv(path(-h))) / (2 * h)
    got = dd.derivative(lambda t: sl.pinv(path(t)), 0.0)
    np.testing.assert_allclose(got, want, rtol=1e-6, atol=1e-7)
    x, rank = sl.pinv(Var(path(0.0)), return_rank=True)
    assert rank == 2


def test_complex_matrices_in_forward_mode() -> None:
    c = A + 1j * B
    e = rng.standard_normal((N, N)) + 1j * rng.standard_normal((N, N))
    h = 1e-6
    for f in (lambda z: sl.solve(z, b), sl.inv, sl.det, lambda z: sl.lu_solve(sl.lu_factor(z), b, trans=2),
              lambda z: sl.solve_triangular(z, b, trans="C"), lambda z: sl.solve_sylvester(z, z.T, SPD)):
        d = f(Dual(c, e))
        np.testing.assert_allclose(d.value, f(c), rtol=1e-12)
        np.testing.assert_allclose(d.derivative, (f(c + h * e) - f(c - h * e)) / (2 * h), rtol=1e-6, atol=1e-8)
    d = sl.expm(Dual(c / 4, e))
    frechet = sl.expm_frechet(c / 4, e, compute_expm=False)
    assert np.linalg.norm(d.derivative - frechet) <= 1e-10 * np.linalg.norm(frechet)
    # 'her' reads one triangle and the diagonal's real part only
    her = lambda z: sl.solve(z, b, assume_a="her", lower=True)
    d = her(Dual(c, e))
    np.testing.assert_allclose(d.value, her(c), rtol=1e-12)
    np.testing.assert_allclose(d.derivative, (her(c + h * e) - her(c - h * e)) / (2 * h), rtol=1e-6, atol=1e-8)


def test_sqrtm_with_a_complex_root() -> None:
    a = np.array([[1.0, 2.0], [0.5, -1.0]])  # a negative eigenvalue: the principal root is complex
    e = np.array([[0.3, 0.1], [-0.2, 0.4]])
    value, tangent = dd.jvp(sl.sqrtm, a, e)
    h = 1e-6
    np.testing.assert_allclose(value, sl.sqrtm(a), rtol=1e-13)
    np.testing.assert_allclose(tangent, (sl.sqrtm(a + h * e) - sl.sqrtm(a - h * e)) / (2 * h), rtol=1e-6, atol=1e-8)
    real = lambda x: np.real(sl.sqrtm(x))
    np.testing.assert_allclose(dd.jacobian(real, a, mode="reverse"), dd.jacobian(real, a), rtol=1e-10, atol=1e-12)


# --- where no derivative exists, or dualdiff has no rule: a clear error ---
SINGULAR = np.array([[1.0, 2.0], [2.0, 4.0]])


@pytest.mark.parametrize("mode", ["forward", "reverse"])
@pytest.mark.parametrize(
    ("f", "error", "says"),
    [
        (lambda x: sl.lu_factor(x)[0], np.linalg.LinAlgError, "exactly zero"),
        (lambda x: sl.lu_solve(sl.lu_factor(x), np.ones(2)), np.linalg.LinAlgError, "zero|singular"),
        (lambda x: sl.lu(x)[2], np.linalg.LinAlgError, "exactly zero"),
        (sl.sqrtm, np.linalg.LinAlgError, "Sylvester equation .* is singular"),
        (lambda x: sl.solve_sylvester(x, -x, np.eye(2)), np.linalg.LinAlgError, "Sylvester equation .* is singular"),
        (lambda x: sl.solve(x, np.ones(2)), np.linalg.LinAlgError, "[Ss]ingular"),
        (lambda x: sl.solve(x, np.ones(2), assume_a="pos"), np.linalg.LinAlgError, "not positive definite"),
        (lambda x: sl.solve_triangular(np.triu(x) - np.diag([0.0, 4.0]), np.ones(2)), np.linalg.LinAlgError, "diagonal 1"),
        (lambda x: sl.inv(x, assume_a="diagonal") * 0 + sl.inv(x - np.diag([1.0, 0.0]), assume_a="diagonal"),
         np.linalg.LinAlgError, "singular"),
        (sl.inv, np.linalg.LinAlgError, "[Ss]ingular"),
    ],
)
@pytest.mark.filterwarnings("ignore::scipy.linalg.LinAlgWarning")
def test_singular_matrices_raise(f: Callable[[Any], Any], error: type, says: str, mode: str) -> None:
    with pytest.raises(error, match=says):
        dd.jacobian(lambda x: flat(f(x)), SINGULAR, mode=mode)


@pytest.mark.parametrize("mode", ["forward", "reverse"])
@pytest.mark.parametrize(
    ("f", "what"),
    [
        (lambda x: sl.eigh(x)[1], "eigh: the matrix has repeated eigenvalues"),
        (lambda x: sl.eigvalsh(x), "eigh: the matrix has repeated eigenvalues"),
        (lambda x: sl.svd(x)[0], "svd: the matrix has repeated singular values"),
        (sl.svdvals, "svdvals: the matrix has repeated singular values"),
    ],
)
def test_repeated_eigenvalues_raise_rather_than_split_wrongly(f: Callable[[Any], Any], what: str, mode: str) -> None:
    # at I + (rank one) two eigenvalues are 1: their directional derivatives are the eigenvalues of a
    # block of dA, not its diagonal, and the vectors are not unique
    x = np.eye(3) + np.outer([1.0, 2.0, 0.5], [1.0, 2.0, 0.5])
    with pytest.raises(np.linalg.LinAlgError, match=what):
        dd.jacobian(f, x, mode=mode)
    # repeated ones are fine for pinv, whose rule needs no singular vectors: d inv(I) = -dA
    np.testing.assert_allclose(dd.jacobian(sl.pinv, np.eye(2), mode=mode), -np.eye(4).reshape(2, 2, 2, 2), atol=1e-15)


def test_eigh_subset_by_value() -> None:
    x = SPD + 0.1 * (B + B.T)
    w = sl.eigvalsh(x)
    lo, hi = (w[0] + w[1]) / 2, w[2] + 1
    f = lambda z: eigh_flat(sl.eigh(z, subset_by_value=(lo, hi)))
    assert np.shape(f(x)) == (2 + 6,)
    np.testing.assert_allclose(dd.jacobian(f, x), fd_jacobian(f, x), rtol=1e-6, atol=1e-7)
    np.testing.assert_allclose(dd_plain(f(Dual(x, np.zeros_like(x)))), f(x), rtol=1e-12)


def test_refusals_name_the_function() -> None:
    d = Dual(SPD, np.eye(N))
    with pytest.raises(TypeError, match=r"scipy\.linalg\.sqrtm\(\.\.\., disp=\.\.\.\) is not supported"):
        sl.sqrtm(d, disp=False)
    with pytest.raises(TypeError, match=r"scipy\.linalg\.eigh of a complex matrix"):
        sl.eigh(Dual(SPD + 0j, np.eye(N)))
    with pytest.raises(TypeError, match=r"scipy\.linalg\.pinv of a complex matrix"):
        sl.pinv(Dual(SPD + 0j, np.eye(N)))
    with pytest.raises(TypeError, match="full_matrices=False"):
        sl.svd(Dual(TALL, np.ones_like(TALL)))
    with pytest.raises(ValueError, match="infs or NaNs"):
        sl.solve(Dual(np.full((2, 2), np.nan), np.eye(2)), np.ones(2))
    sl.solve(Dual(np.eye(2), np.eye(2)), np.array([1.0, np.nan]), check_finite=False)  # honoured both ways
    with pytest.raises(ValueError, match="not a recognized matrix structure"):
        sl.solve(d, b, assume_a="spd")
    with pytest.raises(ValueError, match="square"):
        sl.lu_factor(Dual(TALL, np.ones_like(TALL)))
    with pytest.raises(ValueError, match="trans"):
        sl.solve_triangular(d, b, trans=3)
    with pytest.raises(NotImplementedError):
        sl.solve(Dual(A + 1j, np.eye(N)), b, transposed=True)


def test_lists_and_keyword_operands() -> None:
    got = dd.gradient(lambda x: np.sum(sl.solve(a=[[x[0], 1.0], [0.5, x[1]]], b=[1.0, 2.0])), [3.0, 4.0], mode="reverse")
    want = dd.gradient(lambda x: np.sum(np.linalg.solve(np.array([[1.0, 0.0], [0.0, 0.0]]) * x[0] + np.array([[0.0, 1.0], [0.5, 0.0]])
                                                        + np.array([[0.0, 0.0], [0.0, 1.0]]) * x[1], np.array([1.0, 2.0]))), [3.0, 4.0])
    np.testing.assert_allclose(got, want, rtol=1e-12)


# --- import order: scipy.linalg before or after dualdiff, and SciPy's lazy submodule ---
SCRIPTS = {
    "dualdiff-first": """
        import sys
        import numpy as np
        import dualdiff as dd
        assert "scipy.linalg" not in sys.modules  # dualdiff never imports SciPy itself
        import scipy.linalg as sl
    """,
    "scipy-first": """
        import numpy as np
        import scipy.linalg as sl
        import dualdiff as dd
    """,
    "lazy-submodule": """
        import numpy as np
        import dualdiff as dd
        import scipy
        sl = scipy.linalg
    """,
    "from-import-after": """
        import numpy as np
        import dualdiff as dd
        from scipy.linalg import expm, solve
        class sl:
            expm, solve = expm, solve
    """,
}


@pytest.mark.parametrize("order", list(SCRIPTS))
def test_import_order(order: str) -> None:
    check = """
        a = np.array([[2.0, 1.0], [0.5, 3.0]])
        g = dd.gradient(lambda x: np.sum(sl.solve(x, np.ones(2))), a, mode="reverse")
        want = -np.outer(np.linalg.solve(a.T, np.ones(2)), np.linalg.solve(a, np.ones(2)))
        assert np.allclose(g, want), g
        assert np.allclose(dd.jvp(sl.expm, a, np.eye(2))[1], sl.expm(a))
        print("ok")
    """
    code = textwrap.dedent(SCRIPTS[order]) + textwrap.dedent(check)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0 and out.stdout.strip() == "ok", out.stderr


def test_module_docstring_states_the_conventions() -> None:
    doc = impl.__doc__ or ""
    for word in ("register_foreign", "lower", "check_finite", "LinAlgError", "expm"):
        assert word in doc
