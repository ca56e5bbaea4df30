"""NumPy functions on Duals: each against central differences, linear ones against exact columns,
batched directions against one direction at a time, and nested Duals (Hessians) where they make sense."""

from __future__ import annotations

import numpy as np
import pytest
from cases import CROSS_2D
from numpy_helpers import assert_fd, exact_linear, fd_jacobian, one_at_a_time

import dualdiff as dd
from dualdiff import Dual
from dualdiff.core.number import Number
from dualdiff.rules.elementwise import BY_UFUNC

pytestmark = pytest.mark.filterwarnings("ignore:Arrays of 2-dimensional vectors:DeprecationWarning")  # np.cross, 2-D case
rng = np.random.default_rng(3)
V = rng.normal(size=5)
M = rng.normal(size=(3, 4))
T = rng.normal(size=(2, 3, 4))
C = rng.normal(size=(4, 3))  # a constant to mix in
SPD = np.array([[4.0, 1.0, 0.5], [1.0, 3.0, 0.2], [0.5, 0.2, 2.0]])

# (name, f, x): linear functions of x; their Jacobian is exact (f of the basis vectors)
LINEAR = [
    ("reshape", lambda x: np.reshape(x, (4, 3)), M),
    ("reshape-method", lambda x: x.reshape(2, 6), M),
    ("ravel", np.ravel, M),
    ("flatten", lambda x: x.flatten(), M),
    ("transpose", np.transpose, T),
    ("transpose-axes", lambda x: np.transpose(x, (1, 2, 0)), T),
    ("T", lambda x: x.T, M),
    ("swapaxes", lambda x: np.swapaxes(x, 0, -1), T),
    ("moveaxis", lambda x: np.moveaxis(x, 0, -1), T),
    ("squeeze", lambda x: np.squeeze(x[None, :, None]), M),
    ("expand_dims", lambda x: np.expand_dims(x, -1), M),
    ("broadcast_to", lambda x: np.broadcast_to(x, (2, 3, 4)), M),
    ("concatenate-const", lambda x: np.concatenate([x, C.T, x], axis=1), M),
    ("concatenate-none", lambda x: np.concatenate([x, C], axis=None), M),
    ("stack", lambda x: np.stack([x, 2 * x], axis=-1), M),
    ("hstack", lambda x: np.hstack([x, C.T]), M),
    ("vstack", lambda x: np.vstack([x, x[0]]), M),
    ("split", lambda x: np.split(x, 2, axis=1), M),
    ("array_split", lambda x: np.array_split(x, 3), V),
    ("hsplit", lambda x: np.hsplit(x, [1, 3]), M),
    ("flip", np.flip, M),
    ("flip-axis", lambda x: np.flip(x, 1), T),
    ("fliplr", np.fliplr, M),
    ("rot90", lambda x: np.rot90(x, 3), M),
    ("roll", lambda x: np.roll(x, 2), M),
    ("roll-axis", lambda x: np.roll(x, (1, -1), axis=(0, 2)), T),
    ("tile", lambda x: np.tile(x, (2, 1, 2)), M),
    ("repeat", lambda x: np.repeat(x, 2), M),
    ("repeat-axis", lambda x: np.repeat(x, [1, 0, 2], axis=0), M),
    ("diagonal", np.diagonal, M),
    ("diagonal-offset", lambda x: np.diagonal(x, 1, 0, 2), T),
    ("trace", np.trace, M),
    ("trace-method", lambda x: x.trace(offset=-1), M),
    ("tril", np.tril, M),
    ("triu", lambda x: np.triu(x, 1), T),
    ("diag-1d", lambda x: np.diag(x, -1), V),
    ("diag-2d", np.diag, M),
    ("take", lambda x: np.take(x, [0, 2, 2], axis=1), M),
    ("take_along_axis", lambda x: np.take_along_axis(x, np.array([[0, 3], [1, 1], [2, 0]]), 1), M),
    ("delete", lambda x: np.delete(x, 1, axis=1), M),
    ("append", lambda x: np.append(x, C), M),
    ("diff", lambda x: np.diff(x, 2, axis=1), M),
    ("diff-prepend", lambda x: np.diff(x, prepend=0.0), V),
    ("column_stack", lambda x: np.column_stack([x, V]), V),
    ("dstack", lambda x: np.dstack([x, x]), M),
    ("atleast_3d", np.atleast_3d, V),
    ("index-int", lambda x: x[1], M),
    ("index-slice", lambda x: x[::-2, 1:3], M),
    ("index-ellipsis-none", lambda x: x[..., None, 1], T),
    ("index-int-array", lambda x: x[[0, 2, 2], [1, 1, 3]], M),
    ("index-bool", lambda x: x[M > 0], M),
    ("index-bool-row", lambda x: x[:, np.array([True, False, True, True])], M),
    ("sum", np.sum, T),
    ("sum-axis-keepdims", lambda x: np.sum(x, axis=(0, 2), keepdims=True), T),
    ("sum-method", lambda x: x.sum(axis=-1), T),
    ("mean", lambda x: np.mean(x, axis=1), T),
    ("cumsum", np.cumsum, M),
    ("cumsum-axis", lambda x: np.cumsum(x, axis=-2), T),
    ("average", lambda x: np.average(x, axis=1, weights=[1.0, 2.0, 3.0, 4.0]), M),
    ("add.reduce", np.add.reduce, M),
    ("add.accumulate", lambda x: np.add.accumulate(x, axis=1), M),
    ("dot-const", lambda x: np.dot(C, x), M),
    ("matmul-const", lambda x: x @ C, M),
    ("rmatmul-const", lambda x: C @ x, M),
    ("matvec-const", lambda x: M @ x, C[:, 0]),
    ("vecmat-const", lambda x: x @ M, C[0, :3]),
    ("vec-stacked-const", lambda x: x @ T, C[:, 0][:3]),
    ("stacked-const-vec", lambda x: T @ x, C[:, 0]),
    ("stacked-const-mat", lambda x: T @ x, C),
    ("mat-stacked-const", lambda x: x @ T, M[:2, :3]),
    ("vec-vec-const", lambda x: x @ C[:, 0], C[:, 1]),
    ("inner-const", lambda x: np.inner(x, C.T), M),
    ("tensordot-const", lambda x: np.tensordot(x, T, axes=([0, 1], [1, 2])), M),
    ("einsum-const", lambda x: np.einsum("ij,jk->ik", x, C), M),
    ("kron-const", lambda x: np.kron(x, np.eye(2)), M),
    ("cross-const", lambda x: np.cross(x, M[:, :3]), M[:, 1:]),
    ("where", lambda x: np.where(M > 0, x, 0.0), M),
    ("real", np.real, M),
    ("linalg.trace", np.linalg.trace, T),
    ("matrix_transpose", np.linalg.matrix_transpose, T),
]


@pytest.mark.parametrize("name, f, x", LINEAR, ids=[c[0] for c in LINEAR])
def test_linear_functions_are_exact(name, f, x):
    J = assert_fd(f, x)
    np.testing.assert_allclose(J, exact_linear(f, x), rtol=1e-13, atol=1e-13)


POS = np.abs(M) + 0.5
WITH_ZERO = np.array([[1.5, 0.0, -2.0, 3.0], [0.5, 2.0, 1.0, -1.0], [0.0, 0.0, 4.0, 2.5]])

# (name, f, x): nonlinear; checked against central differences
NONLINEAR = [
    ("prod", np.prod, M),
    ("prod-zero", lambda x: np.prod(x, axis=1), WITH_ZERO),
    ("prod-two-zeros", lambda x: np.prod(x, axis=0, keepdims=True), WITH_ZERO),
    ("prod-method", lambda x: x.prod(), POS),
    ("multiply.reduce", np.multiply.reduce, M),
    ("cumprod", np.cumprod, M),
    ("cumprod-zero-axis", lambda x: np.cumprod(x, axis=1), WITH_ZERO),
    ("max", np.max, M),
    ("max-axis", lambda x: np.max(x, axis=(0, 2), keepdims=True), T),
    ("min-method", lambda x: x.min(axis=0), M),
    ("min", lambda x: np.min(x, axis=-1), T),
    ("mean-method-var-method", lambda x: x.mean(axis=0) * x.var(axis=0), M),
    ("dot-2d", lambda x: np.dot(x, x.T), M),
    ("dot-nd", lambda x: np.dot(x, np.swapaxes(T, 1, 2)), M),
    ("amax-initial", lambda x: np.amax(x, axis=1, initial=0.3), M),
    ("maximum.reduce", np.maximum.reduce, M),
    ("maximum.accumulate", lambda x: np.maximum.accumulate(x, axis=1), M),
    ("minimum.accumulate", np.minimum.accumulate, V),
    ("var", np.var, M),
    ("var-axis-ddof", lambda x: np.var(x, axis=0, ddof=1, keepdims=True), M),
    ("std", lambda x: np.std(x, axis=1), M),
    ("std-method", lambda x: x.std(), T),
    ("average-dual-weights", lambda x: np.average(M, axis=0, weights=x), POS),
    ("average-returned", lambda x: np.average(x * x, weights=M * M, returned=True), M),
    ("dot", lambda x: np.dot(x, x), V),
    ("matmul", lambda x: x @ x.T, M),
    ("matmul-stacked", lambda x: np.matmul(x, np.swapaxes(x, 1, 2)), T),
    ("matmul-stacked-vec", lambda x: np.matmul(x, x[0, 0]), T),
    ("matmul-vec-stacked", lambda x: np.matmul(x[0, :, 0], x), T),
    ("matmul-vec-vec", lambda x: x @ np.cos(x), V),
    ("inner", lambda x: np.inner(x, x), M),
    ("outer", lambda x: np.outer(x, np.sin(x)), V),
    ("multiply.outer", lambda x: np.multiply.outer(x, x), V),
    ("vdot", lambda x: np.vdot(x, x * x), M),
    ("tensordot", lambda x: np.tensordot(x, x, 1), M[:, :3]),
    ("einsum-trace", lambda x: np.einsum("ii", x @ x.T), M),
    ("einsum-implicit", lambda x: np.einsum("ij,kj", x, x), M),
    ("einsum-ellipsis", lambda x: np.einsum("...ij,...kj->...ik", x, x * 2), T),
    ("einsum-three", lambda x: np.einsum("i,ij,j->", x[:3], np.outer(x[:3], x[1:]), x[1:]), V),
    ("kron", lambda x: np.kron(x, x[:2]), M),
    ("cross", lambda x: np.cross(x[:, :3], x[:, 1:]), M),
    *([("cross-2d", lambda x: np.cross(x[:, :2], x[:, 2:]), M)] if CROSS_2D else []),
    ("vecdot", lambda x: np.vecdot(x, x), M),
    ("matvec", lambda x: np.matvec(x, x[0]), M[:, :3]),
    ("polyval", lambda x: np.polyval(x[:3], x[3:]), V),
    ("clip", lambda x: np.clip(x, -0.5, 0.5), M),
    ("clip-method", lambda x: x.clip(min=0.0), M),
    ("abs", np.abs, M),
    ("maximum", lambda x: np.maximum(x, x[::-1]), V),
    ("minimum-const", lambda x: np.minimum(x, 0.1), M),
    ("sort", np.sort, M),
    ("sort-axis0", lambda x: np.sort(x, axis=0), M),
    ("sort-none", lambda x: np.sort(x, axis=None), M),
    ("norm", np.linalg.norm, M),
    ("norm-axis", lambda x: np.linalg.norm(x, axis=1, keepdims=True), M),
    ("norm-1", lambda x: np.linalg.norm(x, 1), V),
    ("norm-inf", lambda x: np.linalg.norm(x, np.inf), V),
    ("norm-3", lambda x: np.linalg.norm(x, 3), V),
    ("norm-fro", lambda x: np.linalg.norm(x, "fro"), M),
    ("norm-mat-1", lambda x: np.linalg.norm(x, 1), M),
    ("norm-mat-inf", lambda x: np.linalg.norm(x, -np.inf), M),
    ("norm-mat-2", lambda x: np.linalg.norm(x, 2), M),
    ("norm-nuc", lambda x: np.linalg.norm(x, "nuc"), M),
    ("vector_norm", lambda x: np.linalg.vector_norm(x, axis=(0, 2)), T),
    ("matrix_norm", np.linalg.matrix_norm, T),
    ("ptp", lambda x: np.ptp(x, axis=1), M),
    ("nansum", lambda x: np.nansum(np.where(M > 0, x, np.nan), axis=0), M),
    ("nanmean", lambda x: np.nanmean(np.where(M > 0, x * x, np.nan)), M),
    ("nanmax", lambda x: np.nanmax(np.where(np.arange(12).reshape(3, 4) % 3 > 0, x, np.nan), axis=1), M),
    ("median-odd", np.median, V),
    ("median-even-axis", lambda x: np.median(x, axis=1, keepdims=True), M),
    ("quantile", lambda x: np.quantile(x, [0.1, 0.5, 0.9], axis=0), M),
    ("quantile-dual-q", lambda x: np.quantile(V, np.cos(x[0]) ** 2), M),
    ("percentile-keepdims", lambda x: np.percentile(x, [30.0, 60.0], keepdims=True), M),
    ("cov", np.cov, M),
    ("cov-y-cols", lambda x: np.cov(x[:, 0], x[:, 2], ddof=0), M),
    ("trapezoid", lambda x: np.trapezoid(np.sin(x), x=np.cumsum(np.abs(x))), V),
    ("trapezoid-axis", lambda x: np.trapezoid(x * x, dx=0.5, axis=0), M),
    ("linspace", lambda x: np.linspace(x[0], x[1] ** 2, 7), V),
    ("interp-x", lambda x: np.interp(x, [-1.0, 0.0, 0.5, 2.0], [0.0, 3.0, 1.0, -1.0]), V),
    ("interp-fp", lambda x: np.interp([0.25, -3.0, 1.5], [0.0, 0.5, 1.0, 2.0], x[:4] ** 2), V),
    ("hypot-objects", lambda x: np.hypot(np.asarray(x), 1.0), V),
    ("mixed-elementwise", lambda x: np.exp(x) * np.sin(x[::-1]) / (1 + x**2), M),
]


@pytest.mark.parametrize("name, f, x", NONLINEAR, ids=[c[0] for c in NONLINEAR])
def test_nonlinear_functions_match_finite_differences(name, f, x):
    assert_fd(f, x)


SQUARE = np.array([[2.0, 1.0, 0.3], [0.5, 3.0, -1.0], [0.2, 0.4, 1.5]])
TALL = rng.normal(size=(5, 3))
WIDE = TALL.T.copy()
B = rng.normal(size=(3, 2))
sym = lambda x: (x + x.T) / 2  # noqa: E731

LINALG = [
    ("solve", lambda x: np.linalg.solve(x, B[:, 0]), SQUARE),
    ("solve-matrix", lambda x: np.linalg.solve(x, B), SQUARE),
    ("solve-rhs", lambda x: np.linalg.solve(SQUARE, x), B),
    ("solve-both", lambda x: np.linalg.solve(x, x[:, 0] ** 2), SQUARE),
    ("solve-stacked-b", lambda x: np.linalg.solve(x, np.stack([B, 2 * B])), SQUARE),
    ("inv", np.linalg.inv, SQUARE),
    ("inv-stacked", lambda x: np.linalg.inv(np.stack([x, x.T + 3 * np.eye(3)])), SQUARE),
    ("det", np.linalg.det, SQUARE),
    ("det-stacked", lambda x: np.linalg.det(np.stack([x, x @ x])), SQUARE),
    ("slogdet", lambda x: np.linalg.slogdet(x).logabsdet, SQUARE),
    ("slogdet-negative", lambda x: np.linalg.slogdet(-x)[1], SQUARE),
    ("cholesky", lambda x: np.linalg.cholesky(sym(x) + 3 * np.eye(3)), SQUARE),
    ("cholesky-lower-only", np.linalg.cholesky, SPD),
    ("cholesky-upper", lambda x: np.linalg.cholesky(x, upper=True), SPD),
    ("eigh-values", lambda x: np.linalg.eigh(sym(x))[0], SQUARE),
    ("eigh-vectors", lambda x: np.abs(np.linalg.eigh(sym(x)).eigenvectors), SQUARE),
    ("eigh-lower-only", lambda x: np.linalg.eigh(x)[0], SPD),
    ("eigh-upper", lambda x: np.linalg.eigh(x, "U")[1] * np.sign(np.linalg.eigh(x, "U")[1][0]), SPD),
    ("eigvalsh", np.linalg.eigvalsh, SPD),
    ("svdvals", np.linalg.svdvals, TALL),
    ("svd-values", lambda x: np.linalg.svd(x, compute_uv=False), WIDE),
    ("pinv-tall", np.linalg.pinv, TALL),
    ("pinv-wide", np.linalg.pinv, WIDE),
    ("lstsq-x", lambda x: np.linalg.lstsq(x, V)[0], TALL),
    ("lstsq-residuals", lambda x: np.linalg.lstsq(x, V)[1], TALL),
    ("lstsq-s", lambda x: np.linalg.lstsq(x, V)[3], TALL),
    ("lstsq-wide", lambda x: np.linalg.lstsq(x, V[:3])[0], WIDE),
    ("lstsq-b", lambda x: np.linalg.lstsq(TALL, x)[0], V),
    ("matrix_power", lambda x: np.linalg.matrix_power(x, 3), SQUARE),
    ("matrix_power-neg", lambda x: np.linalg.matrix_power(x, -2), SQUARE),
    ("multi_dot", lambda x: np.linalg.multi_dot([x, SQUARE, x]), SQUARE),
]


@pytest.mark.parametrize("name, f, x", LINALG, ids=[c[0] for c in LINALG])
def test_linalg_matches_finite_differences(name, f, x):
    assert_fd(f, x, rtol=1e-5, atol=1e-6)


def test_linalg_known_values():
    A = SQUARE
    d = dd.gradient(np.linalg.det, A)
    np.testing.assert_allclose(d, np.linalg.det(A) * np.linalg.inv(A).T, rtol=1e-12)  # Jacobi's formula
    np.testing.assert_allclose(dd.gradient(lambda x: np.linalg.slogdet(x)[1], A), np.linalg.inv(A).T, rtol=1e-12)
    w, V = np.linalg.eigh(SPD)
    J = dd.jacobian(np.linalg.eigvalsh, SPD)  # dw_i/dA = v_i v_i^T on the lower triangle, doubled below it
    for i in range(3):
        np.testing.assert_allclose(J[i], np.tril(2 * np.outer(V[:, i], V[:, i]), -1) + np.diag(V[:, i] ** 2), atol=1e-12)


def test_det_of_a_singular_matrix_says_why():
    with pytest.raises(np.linalg.LinAlgError, match="singular"):
        dd.gradient(np.linalg.det, np.ones((2, 2)))


def test_full_singular_vectors_of_a_non_square_matrix_are_refused_by_name():
    with pytest.raises(TypeError, match="full_matrices=True"):
        dd.jacobian(lambda x: np.linalg.svd(x)[0], TALL)


# Nested Duals: the Hessian (forward over forward) against central differences of the gradient
HESSIANS = [
    ("prod", np.prod, POS[:2]),
    ("cumprod", lambda x: np.cumprod(x)[-1] + np.cumprod(x).sum(), V),
    ("max-var-std", lambda x: np.max(x) * np.var(x) + np.std(x), V),
    ("sort", lambda x: np.sort(x) @ np.arange(5.0) ** 2, V),
    ("norm", lambda x: np.linalg.norm(x) ** 3, V),
    ("einsum-kron", lambda x: np.einsum("ij,ij", np.kron(x, x), np.ones((4, 4))), V[:4].reshape(2, 2)),
    ("det", lambda x: np.linalg.det(x.reshape(3, 3)), SQUARE.ravel()),
    ("inv", lambda x: np.linalg.inv(x.reshape(3, 3)).sum(), SQUARE.ravel()),
    ("solve", lambda x: np.linalg.solve(x.reshape(3, 3), B).sum(), SQUARE.ravel()),
    ("logdet", lambda x: np.linalg.slogdet(x.reshape(3, 3))[1], SQUARE.ravel()),
    ("cholesky", lambda x: np.linalg.cholesky(x.reshape(3, 3)).sum(), SPD.ravel()),
    ("eigh", lambda x: np.linalg.eigvalsh(x.reshape(3, 3)) @ [1.0, 2.0, 4.0], SPD.ravel()),
    ("pinv", lambda x: np.linalg.pinv(x.reshape(5, 3)).sum(), TALL.ravel()),
    ("svdvals", lambda x: np.linalg.norm(x.reshape(5, 3), 2), TALL.ravel()),
    ("median-cov-interp", lambda x: np.median(x**3) + np.cov(x, x**2)[0, 1] + np.interp(x[0], [0.0, 1.0], [1.0, -1.0]) * x[1], V),
    ("cross-where-clip", lambda x: np.clip(np.cross(x[:3], x[3:]), -1, 1).sum() + np.where(x > 0, x, x**2).sum(), np.r_[V, 0.7]),
]


@pytest.mark.parametrize("name, f, x", HESSIANS, ids=[c[0] for c in HESSIANS])
def test_hessians_of_nested_duals(name, f, x):
    H = dd.hessian(f, x)
    np.testing.assert_allclose(H, fd_jacobian(lambda z: dd.gradient(f, z), x), rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(H, np.swapaxes(H, 0, 1) if H.ndim == 2 else H, atol=1e-8)


# --- broadcasting: Duals, arrays and scalars in both orders give a Dual, never an object array ---
@pytest.mark.parametrize(
    "f",
    [
        lambda x, c: x * c,
        lambda x, c: c * x,
        lambda x, c: c - x,
        lambda x, c: x / c,
        lambda x, c: c / x,
        lambda x, c: c**x,
        lambda x, c: np.maximum(c, x),
        lambda x, c: np.arctan2(c, x),
    ],
    ids=["x*c", "c*x", "c-x", "x/c", "c/x", "c**x", "maximum", "arctan2"],
)
@pytest.mark.parametrize("c", [np.array([[0.5], [2.0]]), np.arange(1.0, 4.0), 3.0, np.float64(2.5)], ids=["col", "row", "float", "f64"])
def test_broadcasting_both_orders(f, c):
    x0 = np.array([0.3, 1.2, 0.7])
    r = f(Dual(x0, np.ones(3)), c)
    assert isinstance(r, Dual) and r.value.dtype == float
    np.testing.assert_allclose(r.value, f(x0, c))
    J = dd.jacobian(lambda x: f(x, c), x0)
    np.testing.assert_allclose(J, fd_jacobian(lambda x: f(x, c), x0), rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(dd.jacobian(lambda x: f(x, c), x0, chunk=1), J, rtol=1e-14, atol=0)


def test_a_constant_with_more_axes_than_the_dual():
    x0 = np.array([1.0, 2.0])
    A = np.arange(6.0).reshape(3, 2)
    J = dd.jacobian(lambda x: A * x + x / (1 + A), x0)
    assert J.shape == (3, 2, 2)
    np.testing.assert_allclose(J, fd_jacobian(lambda x: A * x + x / (1 + A), x0), atol=1e-8)


def test_ndarray_times_dual_is_a_dual():
    x = Dual(np.array([1.0, 2.0]), np.array([1.0, 0.0]))
    for r in (np.ones(2) * x, np.float64(2.0) * x, x * np.ones((3, 2)), np.ones((3, 2)) @ x):
        assert isinstance(r, Dual)


def test_setitem_is_refused_with_a_way_out():
    x = Dual(np.zeros(3), np.ones(3))
    with pytest.raises(TypeError, match="dualdiff.stack"):
        x[0] = 1.0
    with pytest.raises(TypeError, match="drop the Dual's derivative"):
        np.zeros(3)[0] = x[0]
    with pytest.raises(TypeError, match="np.sort"):
        x.sort()


def test_building_arrays_of_duals_from_scalars():
    f = lambda x: np.stack([x[0] * x[1], 2.0, np.sin(x[1])])  # noqa: E731
    g = lambda x: dd.stack([[x[0], 1.0], [x[1] ** 2, x[0] * x[1]]])  # noqa: E731
    x0 = np.array([0.5, 2.0])
    np.testing.assert_allclose(dd.jacobian(f, x0), [[2.0, 0.5], [0.0, 0.0], [0.0, np.cos(2.0)]])
    np.testing.assert_allclose(dd.jacobian(g, x0), [[[1.0, 0.0], [0.0, 0.0]], [[0.0, 4.0], [2.0, 0.5]]])
    d1, d2 = Dual(1.0, 1.0), Dual(2.0, 0.0)
    assert isinstance(np.stack([d1, d2]), Dual) and type(np.array([d1, 3.0]) * 1.0) is np.ndarray  # object array, exact
    np.testing.assert_allclose(dd.stack(np.array([d1, 3.0], dtype=object)).derivative, [1.0, 0.0])


# --- library code that calls np.asarray on its input: exact through object arrays, or a clear error ---
def test_scipy_rosen_gradient_and_hessian_are_exact():
    so = pytest.importorskip("scipy.optimize")
    x0 = np.array([1.3, 0.7, 0.8, 1.9, 1.2])
    np.testing.assert_allclose(dd.gradient(so.rosen, x0), so.rosen_der(x0), rtol=1e-14)
    np.testing.assert_allclose(dd.hessian(so.rosen, x0), so.rosen_hess(x0), rtol=1e-14, atol=1e-12)


def test_asarray_paths_are_exact():
    def library(x):  # the way library code treats its inputs
        a = np.asarray(x)
        return np.sum(np.exp(a) * a[::-1]) + np.dot(a, a) + np.max(np.abs(a)) + np.linalg.norm(a)

    x0 = np.array([0.3, -1.2, 0.8])
    np.testing.assert_allclose(dd.gradient(library, x0), fd_jacobian(library, x0), rtol=1e-7)
    mixed = lambda x: np.asarray(x) * x + x  # noqa: E731  an object array meets a Dual
    np.testing.assert_allclose(dd.jacobian(mixed, x0), np.diag(2 * x0 + 1))


@pytest.mark.parametrize(
    "f",
    [
        lambda x: np.asarray(x, dtype=float).sum(),
        lambda x: np.asarray(x).astype(float).sum(),
        lambda x: np.array(x, dtype=np.float64) * 2,
        lambda x: float(x[0]),
        lambda x: np.linalg.inv(np.asarray(x).reshape(2, 2)),
    ],
    ids=["asarray-float", "astype", "array-f64", "float()", "linalg-objects"],
)
def test_conversions_that_drop_the_derivative_raise(f):
    with pytest.raises(TypeError, match="drop the Dual's derivative|Cannot cast ufunc 'inv' input from dtype\\('O'\\)"):
        dd.gradient(f, np.array([1.0, 2.0, 3.0, 5.0]))


# --- no rule: a TypeError naming the function, never a wrong answer ---
@pytest.mark.parametrize(
    "f, name",
    [
        (lambda x: np.linalg.eig(x.reshape(2, 2) * [[0, 1], [-1, 0]]), "numpy.linalg.eig"),
        (lambda x: np.fft.fft(x, out=np.zeros(4, complex)), "out="),
        (lambda x: np.modf(x)[0], "numpy.modf"),
        (lambda x: np.add.at(x, [0], 1.0), "numpy.add.at"),
        (lambda x: np.pad(x, 1, mode="mean"), "numpy.pad"),
        (lambda x: np.quantile(x, 0.5, method="nearest"), "numpy.quantile with method='nearest'"),
    ],
    ids=["eig-complex", "fft-out", "modf", "add.at", "pad-mean", "quantile-method"],
)
def test_no_rule_names_the_function(f, name):
    with pytest.raises(TypeError, match=name):
        dd.jacobian(f, np.array([1.0, 2.0, 3.0, 4.0]))


def test_out_arguments_are_refused():
    with pytest.raises(TypeError, match="out="):
        dd.gradient(lambda x: np.sum(x, out=np.zeros(())), np.ones(3))
    with pytest.raises(TypeError, match="out="):
        dd.gradient(lambda x: np.exp(x, out=np.zeros(3)).sum(), np.ones(3))


# --- user rules ---
def test_register_function_for_a_numpy_function():
    def unwrap(p, *args, **kwargs):  # a rule for a NumPy function with no rule yet: p plus constant jumps
        v = p.value
        return p + (np.unwrap(v, *args, **kwargs) - v)

    w = np.arange(1.0, 4.0)
    f = lambda x: np.sum(np.unwrap(x) * w)  # noqa: E731
    with pytest.raises(TypeError, match="numpy.unwrap"):
        dd.gradient(f, np.ones(3))
    dd.register_function(np.unwrap, unwrap)
    try:
        for mode in ("forward", "reverse"):  # a user's rule reaches both modes
            np.testing.assert_allclose(dd.gradient(f, np.array([0.5, 4.0, 2.0]), mode=mode), w)
            np.testing.assert_allclose(dd.hessian(lambda x: f(x * x), np.ones(3), mode=mode), 2 * np.diag(w))
    finally:
        from dualdiff.core.functions import FUNCTIONS

        del FUNCTIONS[np.unwrap]


def test_register_function_as_a_decorator():
    from dualdiff.core.functions import FUNCTIONS

    @dd.register_function(np.linalg.matrix_rank)
    def rank(a, *args, **kwargs):
        return np.linalg.matrix_rank(a.value, *args, **kwargs)

    try:
        assert dd.derivative(lambda t: np.linalg.matrix_rank(t * np.eye(3)) * t**2, 2.0) == 12.0
    finally:
        del FUNCTIONS[np.linalg.matrix_rank]


def test_register_elementwise_for_a_ufunc():
    x0 = np.array([-1.5, 0.4, 2.0])
    with pytest.raises(TypeError, match="numpy.copysign"):
        dd.jacobian(lambda x: np.copysign(x, -1.0), x0)
    rule = dd.register_elementwise(np.copysign, lambda x, y, out: np.sign(x) * np.sign(y), lambda x, y, out: 0.0)
    try:
        f = lambda x: np.copysign(x, -1.0) * x**2  # noqa: E731
        np.testing.assert_allclose(dd.jacobian(f, x0), fd_jacobian(f, x0), atol=1e-7)
        np.testing.assert_allclose(dd.hessian(lambda x: np.sum(f(x)), x0), np.diag(-6 * np.abs(x0)), atol=1e-12)
        assert rule.name == "copysign"
    finally:  # the registry is global: later tests (the coverage page's) must not see this rule
        del BY_UFUNC[np.copysign]
        delattr(Number, "copysign")


def test_register_elementwise_for_ones_own_function():
    softplus = dd.register_elementwise(lambda x: np.logaddexp(0.0, x), lambda x, out: 1 - np.exp(-out), name="softplus")
    x0 = np.array([-2.0, 0.0, 3.0])
    np.testing.assert_allclose(dd.gradient(lambda x: np.sum(softplus(x)), x0), 1 / (1 + np.exp(-x0)), rtol=1e-12)
    s = 1 / (1 + np.exp(-x0))
    np.testing.assert_allclose(dd.hessian(lambda x: np.sum(softplus(x)), x0), np.diag(s * (1 - s)), rtol=1e-10)
    assert softplus(0.0) == pytest.approx(np.log(2.0))


# --- batched directions agree with one direction at a time ---
BATCH = [
    ("elementwise", lambda x: np.sin(x) * np.roll(x, 1) + x**3, V),
    ("reductions", lambda x: np.stack([np.prod(x), np.max(x), np.std(x), np.cumprod(x)[-1]]), V),
    ("products", lambda x: np.einsum("ij,jk->ik", x, x.T) + np.kron(x[0], x[1]).sum(), M),
    ("linalg", lambda x: np.concatenate([np.linalg.solve(x, B[:, 0]), np.linalg.eigvalsh(x + x.T), [np.linalg.det(x)]]), SQUARE),
    ("indexing", lambda x: x[[2, 0], 1:] * x[M[:, 0] > 0].sum(), M),
]


@pytest.mark.parametrize("name, f, x", BATCH, ids=[c[0] for c in BATCH])
@pytest.mark.parametrize("chunk", [None, 1, 2, 4])
def test_batched_equals_one_direction_at_a_time(name, f, x, chunk):
    np.testing.assert_allclose(dd.jacobian(f, x, chunk=chunk), one_at_a_time(f, x), rtol=1e-13, atol=1e-13)


def test_remainder_chunk_above_default_chunk():
    n = 1030  # default_chunk(n) = 1018: two passes, the second of 12 directions
    k = dd.default_chunk(n)
    assert k < n and n % k
    A = np.random.default_rng(0).normal(size=(n, n)) / n
    f = lambda x: np.sum(np.sin(x) * (A @ x)) + np.prod(1 + x[:3])  # noqa: E731
    x0 = np.linspace(-0.9, 0.9, n)
    g = dd.gradient(f, x0)
    exact = np.cos(x0) * (A @ x0) + A.T @ np.sin(x0)
    exact[:3] += np.prod(1 + x0[:3]) / (1 + x0[:3])
    np.testing.assert_allclose(g, exact, rtol=1e-11, atol=1e-12)
    for i in (0, 1, k - 1, k, n - 1):  # both sides of the chunk boundary, one direction at a time
        e = np.zeros(n)
        e[i] = 1.0
        assert dd.jvp(f, x0, e)[1] == pytest.approx(g[i], rel=1e-13, abs=1e-13)
    np.testing.assert_allclose(dd.gradient(f, x0, chunk=n - 1), g, rtol=1e-13, atol=1e-13)


# --- scipy.special, when SciPy is installed ---
SPECIAL = ["erf", "erfc", "expit", "logit", "gammaln", "log_ndtr", "ndtr", "psi"]


@pytest.mark.parametrize("name", SPECIAL)
def test_scipy_special_rules(name):
    sp = pytest.importorskip("scipy.special")
    f = getattr(sp, name)
    x0 = np.array([0.15, 0.5, 0.85]) if name == "logit" else np.array([-2.5, 0.3, 1.7, 4.0])
    np.testing.assert_allclose(dd.jacobian(f, x0), fd_jacobian(f, x0), rtol=1e-6, atol=1e-9)
    g = lambda x: np.sum(f(x) ** 2)  # noqa: E731
    np.testing.assert_allclose(dd.hessian(g, x0), fd_jacobian(lambda z: dd.gradient(g, z), x0), rtol=1e-5, atol=1e-7)
    assert dd.derivative(f, float(x0[1])) == pytest.approx(dd.jacobian(f, x0)[1, 1], rel=1e-12)


def test_scipy_special_known_values():
    sp = pytest.importorskip("scipy.special")
    assert dd.derivative(sp.erf, 0.0) == pytest.approx(2 / np.sqrt(np.pi), rel=1e-15)
    assert dd.derivative(sp.expit, 0.0) == 0.25
    assert dd.derivative(sp.logit, 0.5) == 4.0
    assert dd.derivative(sp.gammaln, 1.0) == pytest.approx(-np.euler_gamma, rel=1e-14)
    assert dd.derivative(sp.log_ndtr, -30.0) == pytest.approx(30.0332, rel=1e-4)  # no overflow far in the tail


def test_scipy_xlogy_at_zero():
    sp = pytest.importorskip("scipy.special")
    x0 = np.array([0.0, 0.5, 2.0])
    y0 = np.array([0.0, 1.5, 3.0])
    f = lambda z: sp.xlogy(z[:3], z[3:])  # noqa: E731
    J = dd.jacobian(f, np.r_[x0, y0])
    np.testing.assert_allclose(J[1:, 1:], fd_jacobian(f, np.r_[x0, y0])[1:, 1:], rtol=1e-6, atol=1e-9)
    assert J[0, 3] == 0.0  # xlogy(0, y) = 0 for every y: it does not move with y, even at y = 0


# --- conventions at special points (docs/numpy.md) ---
def test_norm_at_zero_has_derivative_zero_not_nan():
    z = np.zeros(3)
    np.testing.assert_array_equal(dd.gradient(np.linalg.norm, z), np.zeros(3))
    np.testing.assert_array_equal(dd.gradient(lambda x: np.linalg.norm(x, "fro"), np.zeros((2, 2))), np.zeros((2, 2)))
    np.testing.assert_allclose(dd.gradient(np.linalg.norm, [3.0, 4.0]), [0.6, 0.8])  # x / |x| elsewhere
    np.testing.assert_array_equal(dd.gradient(lambda x: np.linalg.norm(x) ** 2, z), z)  # smooth: exact 0


def test_max_at_a_tie_takes_the_first_entry():
    np.testing.assert_array_equal(dd.gradient(np.max, [1.0, 3.0, 3.0]), [0.0, 1.0, 0.0])
    np.testing.assert_array_equal(dd.gradient(np.min, [2.0, 2.0]), [1.0, 0.0])


def test_sort_follows_the_permutation():
    x0 = np.array([3.0, 1.0, 2.0])
    np.testing.assert_array_equal(dd.jacobian(np.sort, x0), np.eye(3)[np.argsort(x0)])


def test_reductions_of_a_scalar_dual_stay_scalars():
    x = Dual(2.0, 1.0)
    for f in (np.sum, np.max, np.min, np.prod, np.mean, np.cumsum):
        r = f(x)
        assert isinstance(r, Dual) and float(np.ravel(r.value)[0]) == 2.0 and np.ravel(r.derivative)[0] == 1.0
    assert type(np.max(x).value) is float


def test_array_methods_that_convert():
    x = Dual(np.array([1.0, 2.0]), np.array([1.0, 0.0]))
    assert x.astype(np.float64) is x
    assert x.astype(np.float32).value.dtype == np.float32 and isinstance(x.astype(np.float32), Dual)
    with pytest.raises(TypeError, match="astype"):
        x.astype(int)
    assert x.astype(object).dtype == object and x.astype(object)[0].derivative == 1.0
    assert [e.derivative for e in x.tolist()] == [1.0, 0.0]
    assert x[1:].item().value == 2.0 and x.item(0).derivative == 1.0


def test_a_user_rule_whose_partial_returns_a_kept_array_is_never_overwritten():
    slope = np.array([2.0, 3.0])
    scaled = dd.register_elementwise(lambda x: x * slope, lambda x, out: slope, name="scaled_by_slope")
    weights = np.array([5.0, 7.0])
    for mode in ("forward", "reverse"):
        g = dd.gradient(lambda v: np.sum(scaled(v) * weights), np.array([1.0, 1.0]), mode=mode)
        np.testing.assert_array_equal(g, slope * weights)
        np.testing.assert_array_equal(slope, [2.0, 3.0])  # the rule's own array is untouched
    _, t = dd.jvp(scaled, np.array([1.0, 1.0]), np.array([2.0, 5.0]))  # one direction: same shapes
    np.testing.assert_array_equal(t, [4.0, 15.0])
    np.testing.assert_array_equal(slope, [2.0, 3.0])


def test_cross_of_2_element_vectors_follows_the_installed_numpy() -> None:
    """NumPy 2.0-2.4 compute it (with a DeprecationWarning); 2.5 refuses it: dualdiff does as NumPy does."""
    a, b = np.array([1.0, 2.0]), np.array([3.0, 5.0])
    x = Dual(a, np.array([1.0, 0.0]))
    if CROSS_2D:
        r = np.cross(x, b)
        assert r.value == -1.0 and r.derivative == 5.0  # 1*5 - 2*3, and d/da0 = b1
    else:
        with pytest.raises(ValueError, match="3-dimensional"):
            np.cross(x, b)
