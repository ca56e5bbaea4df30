"""Sparsity detection, colorings, sparse Jacobians and Hessians, and the default mode.

Patterns are checked against the nonzeros of dense Jacobians (forward mode) at random points;
sparse Jacobians and Hessians against the dense ones; colorings against their definitions.
"""

from __future__ import annotations

import sys

import numpy as np
import pytest

sp = pytest.importorskip("scipy.sparse", reason="sparse Jacobians are SciPy sparse matrices")

import dualdiff  # noqa: E402
from dualdiff import coloring, gradient, hessian, hessian_sparsity, jacobian, jacobian_sparsity  # noqa: E402
from dualdiff.api import coloring as colorings  # noqa: E402
from dualdiff.api import modes  # noqa: E402
from dualdiff.core.functions import Primitive  # noqa: E402

RNG = np.random.default_rng(0)
A = RNG.normal(size=(5, 6)) * (RNG.random((5, 6)) < 0.4)  # a sparse constant matrix
C = RNG.normal(size=(6, 6)) * (RNG.random((6, 6)) < 0.3)

# (name, f, input shape): each step has a precise pattern rule, so the detected pattern is exactly
# the union of the nonzeros of the Jacobian at a few random points
PRECISE = [
    ("elementwise", lambda x: np.sin(x) * x[::-1] + np.exp(x[0]) / (1 + x**2), (6,)),
    ("slices", lambda x: np.concatenate(([x[1] - x[0]], x[2:] - 2 * x[1:-1] + x[:-2], [x[-1] ** 2])), (6,)),
    ("sum axis", lambda x: np.sum(np.reshape(x, (2, 3)) ** 2, axis=0), (6,)),
    ("sum all", lambda x: np.sum(x[1:] * x[:-1]), (6,)),
    ("cumsum", lambda x: np.cumsum(x[::2]), (6,)),
    ("transpose", lambda x: np.reshape(x, (2, 3)).T.ravel() * x[0], (6,)),
    ("broadcast", lambda x: (np.reshape(x[:3], (3, 1)) * np.reshape(x[3:], (1, 3))).ravel(), (6,)),
    ("where", lambda x: np.where(np.arange(6) % 2 == 0, x**2, np.roll(x, 1)), (6,)),
    ("const @ x", lambda x: A @ np.tanh(x), (6,)),
    ("x @ const", lambda x: np.reshape(x, (2, 3)) @ A[:3, :4], (6,)),
    ("matrix input", lambda x: (x @ C)[:, 0] * x[:, 1], (6, 6)),
    ("einsum", lambda x: np.einsum("ij,j->i", A, x), (6,)),
    ("floor is flat", lambda x: np.floor(x) + x[0], (6,)),
    ("stack", lambda x: dualdiff.stack([x[0] * x[1], x[2], 3.0]), (6,)),
]


def _nonzeros(f, shape, points=3):
    found = None
    for _ in range(points):
        j = jacobian(f, RNG.normal(size=shape), mode="forward")
        nz = np.reshape(j, (-1, int(np.prod(shape)))) != 0
        found = nz if found is None else found | nz
    return found


@pytest.mark.parametrize("name,f,shape", PRECISE, ids=[p[0] for p in PRECISE])
def test_the_pattern_is_the_union_of_the_jacobians_nonzeros(name, f, shape):
    p = jacobian_sparsity(f, np.ones(shape))
    assert sp.issparse(p) and p.dtype == bool
    assert np.array_equal(p.toarray(), _nonzeros(f, shape))


def test_a_primitive_without_a_precise_rule_gives_a_superset():
    m = np.eye(3) * 4 + 1

    def f(x):
        return np.concatenate((np.linalg.solve(m, x[:3]), x[3:] ** 2))

    p = jacobian_sparsity(f, np.ones(5)).toarray()
    nz = _nonzeros(f, (5,))
    assert np.all(p[nz]) and p[:3, :3].all() and not p[:3, 3:].any() and not p[3:, :3].any()


@pytest.mark.parametrize("name,f,shape", PRECISE, ids=[p[0] for p in PRECISE])
def test_the_sparse_jacobian_is_the_dense_one(name, f, shape):
    x = RNG.normal(size=shape)
    dense = np.reshape(jacobian(f, x, mode="forward"), (-1, x.size))
    j = jacobian(f, x, sparse=True)
    assert sp.issparse(j)
    np.testing.assert_allclose(j.toarray(), dense, rtol=1e-14, atol=1e-14)
    r = jacobian(f, x, sparse=True, mode="reverse")  # row coloring, sweeps on the tape
    np.testing.assert_allclose(r.toarray(), dense, rtol=1e-13, atol=1e-13)


def test_a_coloring_is_reused_and_checked():
    f = lambda x: x[1:] * x[:-1]  # noqa: E731
    c = coloring(jacobian_sparsity(f, np.ones(50)))
    assert c.by == "columns" and c.ncolors == 2
    for _ in range(3):
        x = RNG.normal(size=50)
        np.testing.assert_allclose(jacobian(f, x, sparsity=c).toarray(), jacobian(f, x, mode="forward"), rtol=0, atol=0)
    with pytest.raises(ValueError, match="shape"):
        jacobian(f, np.ones(40), sparsity=c)
    with pytest.raises(ValueError, match="symmetric"):
        hessian(lambda x: np.sum(x**2), np.ones(50), sparsity=c)


def _random_pattern(m, n, density):
    return sp.random(m, n, density=density, random_state=int(RNG.integers(1 << 30)), format="csr").astype(bool)


@pytest.mark.parametrize("seed", range(5))
def test_column_and_row_colorings_are_valid(seed):
    p = _random_pattern(40, 30, 0.1)
    for by in ("columns", "rows"):
        c = coloring(p, by=by)
        q = (p if by == "columns" else p.T.tocsr()).toarray()
        for color in range(c.ncolors):
            assert q[:, c.colors == color].sum(axis=1).max(initial=0) <= 1  # no row met twice by one color


def _symmetric_pattern(n, density):
    p = _random_pattern(n, n, density)
    return (p + p.T + sp.eye(n, dtype=bool)).astype(bool).tocsr()


@pytest.mark.parametrize("seed", range(5))
def test_star_colorings_are_star_colorings(seed):
    p = _symmetric_pattern(30, 0.08)
    c = coloring(p, symmetric=True)
    dense = p.toarray() & ~np.eye(30, dtype=bool)
    colors = c.colors
    i, j = np.nonzero(dense)
    assert np.all(colors[i] != colors[j])  # a distance-1 coloring
    for a, b in zip(i, j, strict=True):  # no path a-b-x-y on two colors
        for x in np.nonzero(dense[b])[0]:
            if x != a and colors[x] == colors[a]:
                for y in np.nonzero(dense[x])[0]:
                    assert y == b or colors[y] != colors[b]


def test_star_coloring_beats_distance_two_on_an_arrow():
    n = 20
    arrow = np.eye(n, dtype=bool)
    arrow[0, :] = arrow[:, 0] = True
    assert coloring(arrow, symmetric=True).ncolors == 2
    assert coloring(arrow, by="columns").ncolors == n


def test_star_sources_refuse_a_coloring_that_cannot_recover():
    rows, cols = np.array([0, 0, 1, 1, 1, 2, 2]), np.array([0, 1, 0, 1, 2, 1, 2])
    with pytest.raises(ValueError, match="star"):
        colorings.star_sources(rows, cols, np.array([0, 0, 0]), 3)


@pytest.mark.parametrize("seed", range(4))
def test_the_sparse_hessian_is_the_dense_one(seed):
    p = _symmetric_pattern(25, 0.06).toarray()
    w = RNG.normal(size=(25, 25)) * p
    w = w + w.T

    def f(x):
        return 0.5 * x @ (w @ x) + np.sum(np.sin(x) * x) + x[0] * x[1] ** 2

    x = RNG.normal(size=25)
    dense = hessian(f, x)
    nz = (dense != 0) | (p | p.T)
    pattern = hessian_sparsity(f, x).toarray()
    assert np.all(pattern[dense != 0])
    assert not np.any(pattern & ~nz)  # nothing beyond the structure it was built from
    h = hessian(f, x, sparse=True)
    np.testing.assert_allclose(h.toarray(), dense, rtol=1e-12, atol=1e-12)


def test_hessian_pattern_of_rosenbrock_is_tridiagonal_and_reused():
    rosen = lambda x: np.sum(100 * (x[1:] - x[:-1] ** 2) ** 2 + (1 - x[:-1]) ** 2)  # noqa: E731
    n = 200
    p = hessian_sparsity(rosen, np.zeros(n))
    assert p.nnz == 3 * n - 2
    c = coloring(p, symmetric=True)
    assert c.ncolors == 3
    x = RNG.normal(size=n)
    np.testing.assert_allclose(hessian(rosen, x, sparsity=c).toarray(), hessian(rosen, x), rtol=1e-13, atol=1e-10)


def test_hessian_pairs_are_second_order_only():
    # x0 + x1 is linear (no pairs), x2 * x3 bilinear (only the cross pair), x4 / 2 linear, exp(x5) on the diagonal
    p = hessian_sparsity(lambda x: x[0] + x[1] + x[2] * x[3] + x[4] / 2 + np.exp(x[5]), np.ones(6)).toarray()
    want = np.zeros((6, 6), dtype=bool)
    want[2, 3] = want[3, 2] = want[5, 5] = True
    assert np.array_equal(p, want)


def test_the_hessian_falls_back_to_forward_over_forward_without_a_tape_rule():
    twice = Primitive("forward_only_twice", lambda x: 2 * x, lambda ds, xs, y, k: 2 * ds[0], None)
    f = lambda x: np.sum(twice(x) ** 3)  # noqa: E731
    x = RNG.normal(size=6)
    np.testing.assert_allclose(hessian(f, x, sparse=True).toarray(), np.diag(48 * x), rtol=1e-14)


@pytest.mark.parametrize("f", [
    lambda x: np.exp(x - np.max(x)) / np.sum(np.exp(x - np.max(x))),  # a stable softmax
    lambda x: np.sort(x)[:3] * x[0],
    lambda x: np.median(x) + x.min() * x,
    lambda x: np.linalg.norm(x[:3]) + x[3:] ** 2,
], ids=["softmax", "sort", "median", "norm"])
def test_functions_that_pick_entries_by_value_give_a_superset_in_the_global_pattern(f):
    p = jacobian_sparsity(f, np.ones(6)).toarray()
    assert np.all(p[_nonzeros(f, (6,))])
    x = RNG.normal(size=6)
    np.testing.assert_allclose(jacobian(f, x, sparse=True).toarray(), jacobian(f, x, mode="forward"), rtol=1e-14, atol=1e-15)


def test_the_global_pattern_refuses_value_dependent_branches():
    def f(x):
        return x**2 if x[0] > 0 else -x

    with pytest.raises(TypeError, match="local=True"):
        jacobian_sparsity(f, np.ones(3))
    with pytest.raises(TypeError, match="local=True"):
        jacobian_sparsity(lambda x: x[np.argsort(x)], np.ones(3))
    assert jacobian_sparsity(f, np.ones(3), local=True).toarray().tolist() == np.eye(3, dtype=bool).tolist()


def test_the_local_pattern_drops_what_is_zero_at_x():
    f = lambda x: np.maximum(x[:2], x[2:])  # noqa: E731
    x = np.array([1.0, 5.0, 3.0, 2.0])
    assert jacobian_sparsity(f, x).nnz == 4
    local = jacobian_sparsity(f, x, local=True).toarray()
    assert np.array_equal(local, jacobian(f, x, mode="forward") != 0)


def test_the_local_hessian_pattern_keeps_second_derivatives_where_the_first_is_zero():
    f = lambda x: np.sum(x**2) + x[0] * x[1]  # noqa: E731
    x = np.zeros(3)  # every first partial of x**2 is 0 here, every second is 2
    p = hessian_sparsity(f, x, local=True)
    assert np.array_equal(p.toarray(), hessian(f, x) != 0)
    np.testing.assert_allclose(hessian(f, x, sparsity=p).toarray(), hessian(f, x), rtol=0, atol=0)


def test_scipy_missing_gives_a_clear_error(monkeypatch):
    monkeypatch.setitem(sys.modules, "scipy.sparse", None)
    with pytest.raises(ImportError, match="pip install scipy"):
        jacobian(lambda x: x * 2, np.ones(3), sparse=True)
    with pytest.raises(ImportError, match="pip install scipy"):
        jacobian_sparsity(lambda x: x * 2, np.ones(3))


def _recorder(seen, out=1):
    def f(x):
        seen.append(type(x).__name__)
        return np.sum(x**2) if out == 1 else x[:out] * x[0]

    return f


def test_the_default_gradient_mode_follows_the_size():
    seen: list[str] = []
    big = RNG.normal(size=modes.REVERSE_FROM)
    np.testing.assert_allclose(gradient(_recorder(seen), big), 2 * big)
    assert seen == ["VarArray"]
    seen.clear()
    gradient(_recorder(seen), big[:10])
    assert seen == ["DualArray"]
    seen.clear()
    gradient(_recorder(seen), big, mode="forward")
    assert set(seen) == {"DualArray"}


def test_the_default_gradient_falls_back_to_forward_where_the_tape_has_no_rule():
    twice = Primitive("forward_only_twice", lambda x: 2 * x, lambda ds, xs, y, k: 2 * ds[0], None)
    x = RNG.normal(size=modes.REVERSE_FROM + 4)
    np.testing.assert_allclose(gradient(lambda x: np.sum(twice(x) ** 2), x), 8 * x, rtol=1e-14)
    with pytest.raises(TypeError, match="reverse mode has no derivative rule"):
        gradient(lambda x: np.sum(twice(x) ** 2), x, mode="reverse")


def test_the_default_jacobian_mode_compares_outputs_with_inputs():
    n = modes.REVERSE_FROM
    x = RNG.normal(size=n)
    seen: list[str] = []
    few = jacobian(_recorder(seen, 3), x)
    assert "VarArray" in seen
    np.testing.assert_allclose(few, jacobian(_recorder([], 3), x, mode="forward"), rtol=1e-14)
    seen.clear()
    jacobian(_recorder(seen, n // 2), x)
    assert "VarArray" not in seen
