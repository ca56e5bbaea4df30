"""scipy.stats' distributions (dualdiff/functions/scipy_stats.py), scipy.special's composites
(functions/scipy_special.py: logsumexp, softmax, log_softmax, multigammaln, perm, comb, diric) and
scipy.signal's convolutions (functions/scipy_signal.py) on Duals and Vars.

Each function's Jacobian in forward and reverse mode against central differences of SciPy itself,
forward against reverse to 1e-9, Hessians forward over forward against forward over reverse, values
against SciPy's to 1e-12 (nan, inf, shapes and scalars included), SciPy's conventions outside the
support and for invalid parameters, the refusals, the wrappers' transparency on plain arrays, and the
import order.
"""

from __future__ import annotations

import pickle
import subprocess
import sys
import textwrap
import warnings
from collections.abc import Callable
from typing import Any, NamedTuple

import numpy as np
import pytest

st = pytest.importorskip("scipy.stats")
ss = pytest.importorskip("scipy.signal")
sp = pytest.importorskip("scipy.special")

import dualdiff as dd  # noqa: E402
from dualdiff import Dual, Var  # noqa: E402
from dualdiff.functions import scipy_signal, scipy_special, scipy_stats  # noqa: E402, F401  (loaded with SciPy)

rng = np.random.default_rng(11)
MVN, DIRICHLET = st.multivariate_normal, st.dirichlet
COV = np.array([[2.0, 0.3, 0.1], [0.3, 1.0, -0.2], [0.1, -0.2, 1.5]])
A23 = rng.standard_normal((2, 3))
B23 = rng.uniform(0.5, 2.0, (2, 3))


def plain(y: Any) -> Any:
    while isinstance(y, (Dual, Var)):
        y = y.value
    return y


def flat(y: Any) -> Any:
    return np.ravel(plain(y)) if not isinstance(y, (Dual, Var)) else np.ravel(y)


def fd_jacobian(f: Callable[[Any], Any], x: np.ndarray, h: float = 1e-6) -> np.ndarray:
    """Central differences of f on plain arrays: of SciPy itself (the wrappers pass plain calls on)."""
    cols = []
    for i in range(x.size):
        e = np.zeros(x.size)
        e[i] = h
        cols.append((np.ravel(f(x + e)) - np.ravel(f(x - e))) / (2 * h))
    return np.array(cols).T


class Case(NamedTuple):
    id: str
    f: Callable[[Any], Any]  # of one flat vector
    x: np.ndarray


def case(id: str, f: Callable[[Any], Any], *x: Any) -> Case:
    return Case(id, f, np.concatenate([np.ravel(np.asarray(v, dtype=float)) for v in x]))


X3 = np.array([-0.7, 0.3, 1.4])
P3 = np.array([0.1, 0.5, 0.8])
POS = np.array([0.5, 1.2, 3.0])
UNIT = np.array([0.2, 0.5, 0.7])
CASES = [
    # norm: x, loc, scale (loc and scale broadcast against x)
    case("norm.pdf", lambda v: st.norm.pdf(v[:3], v[3], v[4]), X3, 0.2, 1.3),
    case("norm.logpdf", lambda v: st.norm.logpdf(v[:3], loc=v[3], scale=v[4]), X3, 0.2, 1.3),
    case("norm.cdf", lambda v: st.norm.cdf(v[:3], v[3], v[4]), X3, 0.2, 1.3),
    case("norm.logcdf", lambda v: st.norm.logcdf(v[:3], v[3], v[4]), X3, 0.2, 1.3),
    case("norm.sf", lambda v: st.norm.sf(v[:3], v[3], v[4]), X3, 0.2, 1.3),
    case("norm.logsf", lambda v: st.norm.logsf(v[:3], v[3], v[4]), X3, 0.2, 1.3),
    case("norm.ppf", lambda v: st.norm.ppf(v[:3], v[3], v[4]), P3, 0.2, 1.3),
    case("norm.isf", lambda v: st.norm.isf(v[:3], v[3], v[4]), P3, 0.2, 1.3),
    case("norm.logpdf-broadcast", lambda v: st.norm.logpdf(v[:3].reshape(3, 1), v[3:5], v[5]), X3, [0.2, -0.4], 1.3),
    case("norm.frozen", lambda v: st.norm(v[3], v[4]).logpdf(v[:3]), X3, 0.2, 1.3),
    # t: df differentiates in pdf and logpdf; cdf and logcdf in x, loc and scale
    case("t.pdf", lambda v: st.t.pdf(v[:3], v[3], v[4], v[5]), X3, 3.5, 0.2, 1.3),
    case("t.logpdf", lambda v: st.t.logpdf(v[:3], v[3], v[4], v[5]), X3, 3.5, 0.2, 1.3),
    case("t.logpdf-df-array", lambda v: st.t.logpdf(v[0], v[1:4]), 0.6, [0.7, 3.5, 40.0]),
    case("t.cdf", lambda v: st.t.cdf(v[:3], 3.5, v[3], v[4]), X3, 0.2, 1.3),
    case("t.logcdf", lambda v: st.t.logcdf(v[:3], 3.5, loc=v[3], scale=v[4]), X3, 0.2, 1.3),
    case("t.sf", lambda v: st.t.sf(v[:3], 2.5, v[3], v[4]), X3, 0.2, 1.3),
    # chi2, gamma, beta: shapes, loc, scale
    case("chi2.pdf", lambda v: st.chi2.pdf(v[:3], v[3], v[4], v[5]), POS, 2.5, 0.1, 1.3),
    case("chi2.logpdf", lambda v: st.chi2.logpdf(v[:3], v[3], v[4], v[5]), POS, 2.5, 0.1, 1.3),
    case("chi2.cdf", lambda v: st.chi2.cdf(v[:3], 2.5, v[3], v[4]), POS, 0.1, 1.3),
    case("gamma.pdf", lambda v: st.gamma.pdf(v[:3], v[3], v[4], v[5]), POS, 2.5, 0.1, 1.3),
    case("gamma.logpdf", lambda v: st.gamma.logpdf(v[:3], v[3], loc=v[4], scale=v[5]), POS, 2.5, 0.1, 1.3),
    case("gamma.cdf", lambda v: st.gamma.cdf(v[:3], 2.5, v[3], v[4]), POS, 0.1, 1.3),
    case("gamma.logsf", lambda v: st.gamma.logsf(v[:3], 0.7, v[3], v[4]), POS, 0.1, 1.3),
    case("beta.pdf", lambda v: st.beta.pdf(v[:3], v[3], v[4], v[5], v[6]), UNIT, 2.5, 1.5, -0.1, 1.2),
    case("beta.logpdf", lambda v: st.beta.logpdf(v[:3], v[3], v[4], v[5], v[6]), UNIT, 2.5, 1.5, -0.1, 1.2),
    case("beta.cdf", lambda v: st.beta.cdf(v[:3], 2.5, 1.5, v[3], v[4]), UNIT, -0.1, 1.2),
    # poisson in mu
    case("poisson.pmf", lambda v: st.poisson.pmf([0, 2, 5], v), [2.3, 0.4, 6.0]),
    case("poisson.logpmf", lambda v: st.poisson.logpmf([0, 2, 5], v[0]), 2.3),
    case("poisson.cdf", lambda v: st.poisson.cdf([0, 2.5, 5], v[0], loc=1), 2.3),
    # dirichlet in x (one entry fewer: the last is 1 - sum) and alpha
    case("dirichlet.logpdf", lambda v: DIRICHLET.logpdf(v[:2], v[2:]), [0.2, 0.3], [1.5, 2.0, 2.5]),
    case("dirichlet.pdf", lambda v: DIRICHLET.pdf(v[:4].reshape(2, 2), v[4:]), [0.2, 0.1, 0.3, 0.6], [1.5, 2.0, 2.5]),
    # multivariate_normal: x, mean, cov (SciPy reads cov's lower triangle, so do differences of it)
    case("mvn.logpdf", lambda v: MVN.logpdf(v[:3], v[3:6], COV), [0.2, 0.3, -0.4], [0.5, -0.1, 0.2]),
    case("mvn.logpdf-batch", lambda v: MVN.logpdf(v[:6].reshape(2, 3), v[6:], COV), rng.standard_normal(6), [0.5, -0.1, 0.2]),
    case("mvn.logpdf-cov", lambda v: MVN.logpdf(v[:3], v[3:6], v[6:].reshape(3, 3)), [0.2, 0.3, -0.4], [0.5, -0.1, 0.2], COV),
    case("mvn.pdf-cov", lambda v: MVN.pdf(v[:3], cov=v[3:].reshape(3, 3)), [0.2, 0.3, -0.4], COV),
    case("mvn.logpdf-diagonal", lambda v: MVN.logpdf(v[:3], np.zeros(3), v[3:]), [0.2, 0.3, -0.4], [1.5, 0.7, 2.0]),
    case("mvn.logpdf-1d", lambda v: MVN.logpdf(v[:3], v[3], v[4]), X3, 0.2, 1.7),
    case("mvn.entropy", lambda v: MVN.entropy(cov=v.reshape(3, 3)), COV),
    # scipy.special's composites
    case("logsumexp", lambda v: sp.logsumexp(v), A23),
    case("logsumexp-axis", lambda v: sp.logsumexp(v.reshape(2, 3), axis=1, keepdims=True), A23),
    case("logsumexp-b", lambda v: sp.logsumexp(v.reshape(2, 3), axis=0, b=B23), A23),
    case("logsumexp-moving-b", lambda v: sp.logsumexp(A23, axis=1, b=v.reshape(2, 3)), B23),
    case("logsumexp-sign", lambda v: sp.logsumexp(v[:3], b=v[3:], return_sign=True)[0], [1.0, 2.0, 0.5], [1.0, -1.0, 0.5]),
    case("softmax", lambda v: sp.softmax(v.reshape(2, 3), axis=1), A23),
    case("log_softmax", lambda v: sp.log_softmax(v.reshape(2, 3), axis=0), A23),
    case("multigammaln", lambda v: sp.multigammaln(v, 3), [1.5, 2.5, 7.0]),
    case("perm", lambda v: sp.perm(v[:2], v[2:]), [5.5, 4.0], [2.0, 1.3]),
    case("comb", lambda v: sp.comb(v[:2], v[2:]), [5.5, 4.0], [2.0, 1.3]),
    case("comb-repetition", lambda v: sp.comb(v[:2], v[2:], repetition=True), [5.5, 4.0], [2.0, 1.3]),
    case("diric", lambda v: sp.diric(v, 5), [0.3, 1.7, -2.5]),
    # scipy.signal: in1 and in2 both moving
    case("convolve-full", lambda v: ss.convolve(v[:4], v[4:]), [1.0, -2.0, 0.5, 3.0], [0.3, 0.2, -0.7]),
    case("convolve-same-2d", lambda v: ss.convolve(v[:12].reshape(3, 4), v[12:].reshape(2, 2), "same"), rng.standard_normal(16)),
    case("convolve-valid-swapped", lambda v: ss.convolve(v[:2], v[2:], "valid"), [0.5, -1.0], [1.0, 2.0, 0.3, 0.7]),
    case("correlate-full", lambda v: ss.correlate(v[:4], v[4:], "full"), [1.0, -2.0, 0.5, 3.0], [0.3, 0.2, -0.7]),
    case("correlate-same-2d", lambda v: ss.correlate(v[:6].reshape(2, 3), v[6:].reshape(2, 2), "same", "direct"), rng.standard_normal(10)),
    case("fftconvolve-axes", lambda v: ss.fftconvolve(v[:6].reshape(2, 3), v[6:].reshape(1, 2), "valid", axes=1), rng.standard_normal(8)),
    case("oaconvolve", lambda v: ss.oaconvolve(v[:5], v[5:], "same"), rng.standard_normal(7)),
]
CASE_IDS = [c.id for c in CASES]


@pytest.mark.parametrize("c", CASES, ids=CASE_IDS)
def test_jacobian_forward_and_reverse_against_differences(c: Case) -> None:
    J = np.asarray(dd.jacobian(lambda v: flat(c.f(v)), c.x))
    np.testing.assert_allclose(J, fd_jacobian(c.f, c.x), rtol=1e-6, atol=1e-7)
    Jr = np.asarray(dd.jacobian(lambda v: flat(c.f(v)), c.x, mode="reverse"))
    np.testing.assert_allclose(Jr, J, rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("c", CASES, ids=CASE_IDS)
def test_values_are_scipys(c: Case) -> None:
    expected = c.f(c.x)  # plain: SciPy's own
    for x in (Dual(c.x, np.ones(c.x.size)), Var(c.x)):
        got = plain(c.f(x))
        assert np.shape(got) == np.shape(expected), c.id
        assert isinstance(got, np.ndarray) == isinstance(expected, np.ndarray), (c.id, type(got), type(expected))
        scale = np.abs(expected) if "conv" not in c.id and "correlate" not in c.id else np.max(np.abs(expected))
        np.testing.assert_array_less(np.abs(got - expected), 1e-12 * scale + 1e-300, err_msg=c.id)


SECOND = ["logsumexp-b", "logsumexp-moving-b", "log_softmax", "norm.logpdf", "norm.logcdf", "t.logpdf", "t.cdf", "gamma.logpdf",
          "beta.pdf", "poisson.logpmf", "dirichlet.logpdf", "mvn.logpdf", "mvn.logpdf-cov", "mvn.entropy", "multigammaln",
          "convolve-same-2d", "correlate-full", "fftconvolve-axes"]


@pytest.mark.parametrize("c", [c for c in CASES if c.id in SECOND], ids=SECOND)
def test_hessian_forward_over_forward_and_forward_over_reverse(c: Case) -> None:
    w = np.linspace(0.5, 1.5, np.size(plain(c.f(c.x))))
    g = lambda v: np.sum(w * flat(c.f(v)))
    H = np.asarray(dd.hessian(g, c.x, mode="forward"))
    np.testing.assert_allclose(np.asarray(dd.hessian(g, c.x, mode="reverse")), H, rtol=1e-9, atol=1e-11)
    np.testing.assert_allclose(H, H.T, rtol=1e-9, atol=1e-11)
    grad = lambda v: np.asarray(dd.gradient(g, v))
    np.testing.assert_allclose(H, fd_jacobian(grad, c.x), rtol=1e-5, atol=1e-6)


def test_third_order_of_logsumexp_and_norm_logcdf() -> None:
    # d^3/dx^3 log(e^x + e^c) = s (1 - s) (1 - 2 s), s = sigmoid(x - c)
    d3 = dd.derivative(lambda a: dd.derivative(lambda b: dd.derivative(lambda t: sp.logsumexp([t, 0.3]), b), a), 0.9)
    s = 1 / (1 + np.exp(-(0.9 - 0.3)))
    assert abs(d3 - s * (1 - s) * (1 - 2 * s)) < 1e-13
    d2 = dd.derivative(lambda a: dd.derivative(lambda t: st.norm.logcdf(t), a), -0.4)
    assert abs(d2 - dd.derivative(lambda t: dd.derivative(lambda u: sp.log_ndtr(u), t), -0.4)) < 1e-14


# --- SciPy's conventions: outside the support, invalid parameters, broadcasting, scalars ---
EDGE_X = np.array([-np.inf, -1.5, -0.0, 0.0, 0.3, 1.0, 2.0, np.inf, np.nan])
EDGE_DISTS = [("norm", ()), ("t", (3.5,)), ("t", (np.inf,)), ("t", (-1.0,)), ("chi2", (2.5,)), ("chi2", (1.0,)), ("gamma", (0.5,)),
              ("gamma", (0.0,)), ("beta", (2.5, 1.5)), ("beta", (1.0, 1.0)), ("beta", (0.5, -2.0))]


@pytest.mark.filterwarnings("ignore::RuntimeWarning")  # where SciPy warns (inf - inf at x = inf), so does its formula here
@pytest.mark.parametrize("name, shapes", EDGE_DISTS, ids=[f"{n}{s}" for n, s in EDGE_DISTS])
def test_values_everywhere_are_scipys_with_nan_and_inf(name: str, shapes: tuple[Any, ...]) -> None:
    dist = getattr(st, name)
    for kind in ("pdf", "logpdf", "cdf", "logcdf", "sf", "logsf"):
        for loc, scale in ((0.0, 1.0), (0.2, 1.5), (0.0, -1.0), (np.array([[0.0], [0.5]]), 2.0)):
            expected = getattr(dist, kind)(EDGE_X, *shapes, loc=loc, scale=scale)
            got = getattr(dist, kind)(EDGE_X, *shapes, loc=Dual(loc, np.ones_like(loc)), scale=scale)
            np.testing.assert_allclose(plain(got), expected, rtol=1e-12, atol=0, err_msg=f"{name}.{kind}")
            expected = getattr(dist, kind)(0.3, *shapes, loc=loc, scale=scale)
            got = plain(getattr(dist, kind)(0.3, *shapes, loc=Dual(loc, np.ones_like(loc)), scale=scale))
            assert np.shape(got) == np.shape(expected) and isinstance(got, np.ndarray) == isinstance(expected, np.ndarray)


def test_derivatives_outside_the_support_are_zero_and_nan_for_invalid_arguments() -> None:
    x = np.array([-1.0, 0.5, 2.0, np.nan])
    for mode in ("forward", "reverse"):
        J = np.asarray(dd.jacobian(lambda v: st.gamma.logpdf(v[:4], 2.5, scale=v[4]), np.r_[x, 1.5], mode=mode))
        assert np.all(J[0] == 0.0)  # outside the support: -inf, a constant
        assert np.all(np.isnan(J[3, 3:]))  # x = nan: SciPy's nan, and a nan derivative
        assert np.all(np.isfinite(J[1:3]))  # nothing leaks into the valid entries
        z = 0.5 / 1.5  # logpdf = 1.5 log z - z - gammaln(2.5) - log(scale)
        np.testing.assert_allclose(J[1, [1, 4]], [(1.5 / z - 1) / 1.5, (z - 2.5) / 1.5], rtol=1e-12)
        assert np.isnan(dd.gradient(lambda v: st.t.logpdf(0.3, v[0]), np.array([-1.0]), mode=mode)[0])  # df <= 0
        J = np.asarray(dd.jacobian(lambda q: st.norm.ppf(q, 0.0, 2.0), np.array([-0.1, 0.0, 0.3, 1.0]), mode=mode))
        assert np.isnan(J[0, 0]) and J[1, 1] == 0.0 and J[3, 3] == 0.0 and np.isfinite(J[2, 2])


def test_scalar_and_broadcast_results_have_scipys_shapes() -> None:
    y = st.norm.logpdf(Dual(0.3, 1.0))
    assert np.ndim(y.value) == 0 and not isinstance(y.value, np.ndarray)
    y = st.norm.logpdf(np.array([0.3]), loc=Dual(0.1, 1.0))
    assert isinstance(y.value, np.ndarray) and y.value.shape == (1,)
    y = st.t.pdf(np.zeros((3, 1)), Dual(np.array([2.0, 5.0]), np.ones(2)), scale=1.5)
    assert y.value.shape == (3, 2)
    np.testing.assert_allclose(y.value, st.t.pdf(np.zeros((3, 1)), [2.0, 5.0], scale=1.5), rtol=1e-14)
    assert not isinstance(MVN.logpdf(Dual(np.array([[0.1, 0.2]]), np.ones((1, 2))), np.zeros(2)).value, np.ndarray)


def test_student_t_at_infinite_df_is_the_normal() -> None:
    for f, g in ((st.t.logpdf, st.norm.logpdf), (st.t.pdf, st.norm.pdf)):
        y = f(Dual(np.array([0.3, -1.2]), np.ones(2)), np.array([np.inf, 4.0]))
        np.testing.assert_allclose(y.value, f(np.array([0.3, -1.2]), np.array([np.inf, 4.0])), rtol=1e-15)
        assert y.derivative[0] == pytest.approx(dd.derivative(g, 0.3), rel=1e-14)


def test_poisson_at_mu_zero_and_the_cdf_between_integers() -> None:
    assert st.poisson.pmf(0, Dual(0.0, 1.0)).value == 1.0
    assert dd.derivative(lambda m: st.poisson.pmf(0, m), 0.0) == -1.0  # the clip to [0, 1] keeps the derivative
    d = dd.derivative(lambda m: st.poisson.cdf(2.7, m), 1.3)
    assert d == pytest.approx(-st.poisson.pmf(2, 1.3), rel=1e-13)


def test_mvn_with_a_constant_singular_covariance() -> None:
    cov = np.array([[1.0, 1.0], [1.0, 1.0]])  # rank 1: the support is the line x0 - m0 == x1 - m1
    x = np.array([[0.3, 0.3], [0.2, 0.5]])
    expected = MVN.logpdf(x, cov=cov, allow_singular=True)
    assert expected[1] == -np.inf
    got = MVN.logpdf(Dual(x, np.ones_like(x)), cov=cov, allow_singular=True)
    np.testing.assert_allclose(got.value, expected, rtol=1e-14)
    assert got.derivative[1] == 0.0
    f = lambda v: MVN.logpdf(np.array([0.3, 0.3]), mean=v, cov=cov, allow_singular=True)
    m = np.array([0.1, 0.1])
    g = dd.gradient(f, m)
    np.testing.assert_allclose(g, dd.gradient(f, m, mode="reverse"), rtol=1e-12)
    np.testing.assert_allclose(g, [0.1, 0.1], rtol=1e-10)  # along the support: (x - m) / 2 per unit of each component
    assert MVN.pdf(Dual(x, np.ones_like(x)), cov=cov, allow_singular=True).value[1] == 0.0


def test_mvn_with_a_covariance_object_and_errors_as_scipys() -> None:
    C = st.Covariance.from_precision(np.linalg.inv(COV))
    x = np.array([0.2, 0.3, -0.4])
    np.testing.assert_allclose(MVN.logpdf(Dual(x, np.ones(3)), cov=C).value, MVN.logpdf(x, cov=C), rtol=1e-14)
    np.testing.assert_allclose(dd.gradient(lambda v: MVN.logpdf(v, cov=C), x), -np.linalg.solve(COV, x), rtol=1e-12)
    singular = np.array([[1.0, 1.0], [1.0, 1.0]])
    with pytest.raises(np.linalg.LinAlgError, match="allow_singular"):  # SciPy's own error, on the plain covariance
        MVN.logpdf(Dual(np.zeros(2), np.ones(2)), cov=singular)
    with pytest.raises(np.linalg.LinAlgError, match="moves and is singular"):
        dd.gradient(lambda v: MVN.logpdf(np.zeros(2), cov=v.reshape(2, 2), allow_singular=True), singular.ravel())
    with pytest.raises(ValueError, match="positive semidefinite"):
        MVN.logpdf(Dual(np.zeros(2), np.ones(2)), cov=np.array([[1.0, 2.0], [2.0, 1.0]]))


def test_dirichlet_with_all_components_and_scipys_checks() -> None:
    x, alpha = np.array([0.2, 0.3, 0.5]), np.array([1.5, 2.0, 2.5])
    g = dd.gradient(lambda v: DIRICHLET.logpdf(v, alpha), x)
    np.testing.assert_allclose(g, (alpha - 1) / x, rtol=1e-13)
    g = dd.gradient(lambda a: DIRICHLET.logpdf(x, a), alpha, mode="reverse")
    np.testing.assert_allclose(g, np.log(x) - sp.psi(alpha) + sp.psi(alpha.sum()), rtol=1e-12)
    with pytest.raises(ValueError, match="simplex"):
        DIRICHLET.logpdf(Dual(np.array([0.2, 0.3, 0.6]), np.ones(3)), alpha)


# --- logsumexp's corner cases ---
def test_logsumexp_ties_zero_weights_and_infinities() -> None:
    g = dd.gradient(sp.logsumexp, np.array([1.0, 1.0, 0.5]))
    np.testing.assert_allclose(g, sp.softmax([1.0, 1.0, 0.5]), rtol=1e-14)  # ties share the derivative
    a, b = np.array([1.0, 1.0, 0.5, 3.0]), np.array([1.0, 1.0, 2.0, 0.0])
    for mode in ("forward", "reverse"):
        # a weight of 0 drops its entry from the value, as in SciPy; its derivative is still exp(a - out)
        g = dd.gradient(lambda w: sp.logsumexp(a, b=w), b, mode=mode)
        np.testing.assert_allclose(g, np.exp(a - sp.logsumexp(a, b=b)), rtol=1e-13)
        H = dd.hessian(lambda w: sp.logsumexp(a, b=w), b, mode=mode)
        e = np.exp(a - sp.logsumexp(a, b=b))
        np.testing.assert_allclose(H, -np.outer(e, e), rtol=1e-12)
        np.testing.assert_allclose(dd.gradient(lambda v: sp.logsumexp(v, b=b), a, mode=mode), b * e, rtol=1e-13)
    y = sp.logsumexp(Dual(np.array([-np.inf, -np.inf]), np.ones(2)))
    assert y.value == -np.inf
    y = sp.logsumexp(Dual(np.array([1.0, 2.0]), np.ones(2)), b=[1.0, -1.0])  # a negative sum without return_sign: nan
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert np.isnan(y.value) and np.isnan(sp.logsumexp([1.0, 2.0], b=[1.0, -1.0]))
    out, sign = sp.logsumexp(Dual(np.array([1.0, 2.0]), np.array([1.0, 0.0])), b=[1.0, -1.0], return_sign=True)
    assert sign == -1.0 and out.derivative == pytest.approx(-np.e / (np.e**2 - np.e), rel=1e-13)
    y = sp.logsumexp(Dual(np.ones((2, 3)), np.ones((2, 3))), axis=(0, 1), keepdims=True)
    assert y.value.shape == (1, 1) and y.derivative[0, 0] == pytest.approx(1.0)


# --- refusals ---
@pytest.mark.parametrize(
    "call, says",
    [
        (lambda v: st.t.cdf(0.3, v), "scipy.stats.t.cdf: dualdiff has no derivative with respect to df"),
        (lambda v: st.t.logcdf(0.3, df=v), "scipy.stats.t.logcdf: dualdiff has no derivative with respect to df"),
        (lambda v: st.chi2.cdf(0.3, v), "scipy.stats.chi2.cdf: dualdiff has no derivative with respect to df"),
        (lambda v: st.gamma.cdf(0.3, v), "scipy.stats.gamma.cdf: dualdiff has no derivative with respect to a"),
        (lambda v: st.beta.cdf(0.3, 2.0, v), "scipy.stats.beta.cdf: dualdiff has no derivative with respect to b"),
        (lambda v: st.poisson.pmf(v, 2.0), "scipy.stats.poisson.pmf: dualdiff has no derivative with respect to k"),
        (lambda v: sp.multigammaln(2.0, v), "scipy.special.multigammaln: dualdiff has no derivative with respect to the dimension"),
        (lambda v: sp.perm(v, 2.0, exact=True), r"scipy.special.perm\(..., exact=True\)"),
        (lambda v: sp.stdtr(v, 0.3), "scipy.special.stdtr: dualdiff has no derivative with respect to df"),
    ],
)
def test_arguments_without_a_derivative_are_refused_by_name(call: Callable[[Any], Any], says: str) -> None:
    for mode in ("forward", "reverse"):
        with pytest.raises(TypeError, match=says):
            dd.gradient(lambda v: call(v[0]), np.array([3.0]), mode=mode)


# --- scipy.signal against SciPy over shapes and modes ---
SHAPES = [((4,), (3,)), ((3,), (5,)), ((2,), (2,)), ((3, 4), (2, 2)), ((2, 5), (3, 2)), ((4, 3), (4, 3)), ((3, 4), (1, 4))]


@pytest.mark.parametrize("s1, s2", SHAPES, ids=[f"{a}*{b}" for a, b in SHAPES])
def test_convolutions_in_every_mode_against_scipy(s1: tuple[int, ...], s2: tuple[int, ...]) -> None:
    a, b = rng.standard_normal(s1), rng.standard_normal(s2)
    for name in ("convolve", "correlate", "fftconvolve", "oaconvolve"):
        f = getattr(ss, name)
        for mode in ("full", "same", "valid"):
            try:
                expected = f(a, b, mode)
            except ValueError as e:
                with pytest.raises(ValueError, match=str(e)[:30]):
                    f(Dual(a, np.ones(s1)), b, mode)
                continue
            y = f(Dual(a, np.zeros(s1)), Var(b) if name != "correlate" else b, mode)
            got = plain(y)
            assert got.shape == expected.shape, (name, mode)
            np.testing.assert_allclose(got, expected, rtol=0, atol=1e-13 * np.abs(expected).max(), err_msg=f"{name} {mode}")
            # linear in each argument: the Jacobian in in1 is f of the unit vectors, in both modes
            J = dd.jacobian(lambda v: f(v.reshape(s1), b, mode).ravel(), a.ravel())
            units = np.stack([np.ravel(f(e.reshape(s1), b, mode)) for e in np.eye(a.size)], -1)
            np.testing.assert_allclose(J, units, atol=1e-14)
            Jr = dd.jacobian(lambda v: f(a, v.reshape(s2), mode).ravel(), b.ravel(), mode="reverse")
            units = np.stack([np.ravel(f(a, e.reshape(s2), mode)) for e in np.eye(b.size)], -1)
            np.testing.assert_allclose(Jr, units, atol=1e-14)


def test_convolution_errors_and_scalars_are_scipys() -> None:
    x = Dual(np.ones(3), np.ones(3))
    with pytest.raises(ValueError, match="same dimensionality"):
        ss.convolve(x, np.ones((2, 2)))
    with pytest.raises(ValueError, match="Acceptable mode flags"):
        ss.convolve(x, np.ones(2), mode="bogus")
    with pytest.raises(ValueError, match="Acceptable method flags"):
        ss.convolve(x, np.ones(2), method="bogus")
    with pytest.raises(ValueError, match="one must be at least as large"):
        ss.convolve(Dual(np.ones((2, 3)), np.ones((2, 3))), np.ones((3, 2)), mode="valid")
    with pytest.raises(ValueError, match="incompatible shapes"):
        ss.fftconvolve(Dual(np.ones((3, 4)), np.ones((3, 4))), np.ones((2, 4)), axes=1)
    y = ss.correlate(Dual(2.0, 1.0), 3.0)
    assert (y.value, y.derivative) == (6.0, 3.0)


# --- transparency and import order ---
WRAPPED = [
    (st.norm.logpdf, (np.array([0.1, 2.0]),), {"loc": 1.0}), (st.t.cdf, (0.3, 4.0), {}), (st.beta.pdf, (0.3, 2.0, 3.0), {}),
    (st.poisson.pmf, ([1, 2], 1.5), {}), (MVN.logpdf, (np.zeros(2),), {"cov": np.eye(2)}), (DIRICHLET.pdf, ([0.2, 0.8], [1.5, 2.0]), {}),
    (sp.logsumexp, (A23,), {"axis": 1, "b": B23}), (sp.softmax, (A23,), {}), (sp.multigammaln, (3.0, 2), {}),
    (sp.comb, (5, 2), {"exact": True}), (sp.diric, (A23, 3), {}),
    (ss.convolve, (np.arange(5), np.array([1, 2])), {}), (ss.correlate, (A23, B23), {"mode": "same"}), (ss.fftconvolve, (A23, B23), {}),
]


@pytest.mark.parametrize("f, args, kwargs", WRAPPED, ids=[getattr(f, "__qualname__", str(f)) for f, _, _ in WRAPPED])
def test_plain_calls_return_scipys_own_result(f: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
    assert f.__dualdiff__ is not None
    original = f.__wrapped__  # a distribution's method: the class's function, called with the instance
    owner = getattr(f, "__self__", None)
    expected = original(*args, **kwargs) if owner is None else original(owner, *args, **kwargs)
    got = f(*args, **kwargs)
    assert type(got) is type(expected)
    np.testing.assert_array_equal(got, expected)


def test_distributions_still_pickle_and_frozen_ones_differentiate() -> None:
    assert pickle.loads(pickle.dumps(st.norm)).logpdf(0.3) == st.norm.logpdf(0.3)
    frozen = pickle.loads(pickle.dumps(st.gamma(2.5, scale=2.0)))
    assert frozen.logpdf(1.0) == st.gamma.logpdf(1.0, 2.5, scale=2.0)
    g = dd.gradient(lambda p: st.gamma(p[0], scale=p[1]).logpdf(1.0), np.array([2.5, 2.0]))
    np.testing.assert_allclose(g, fd_jacobian(lambda p: st.gamma(p[0], scale=p[1]).logpdf(1.0), np.array([2.5, 2.0]))[0], rtol=1e-7)


def test_scipy_stats_imported_before_dualdiff_and_names_bound_before() -> None:
    code = textwrap.dedent(
        """
        import numpy as np
        import scipy.stats
        from scipy.stats import norm, multivariate_normal   # bound before dualdiff is imported
        import dualdiff as dd
        g = dd.gradient(lambda p: norm.logpdf(1.0, loc=p[0], scale=p[1]), np.array([0.5, 2.0]), mode="reverse")
        assert np.allclose(g, [0.125, -0.46875]), g
        g = dd.gradient(lambda m: multivariate_normal.logpdf(np.zeros(2), mean=m), np.array([0.5, 1.0]))
        assert np.allclose(g, [-0.5, -1.0]), g
        assert scipy.stats.t.logpdf.__dualdiff__ is not None
        import scipy.signal
        assert dd.gradient(lambda x: np.sum(scipy.signal.convolve(x, np.ones((2, 2)))), np.ones((2, 2))).tolist() == [[4.0, 4.0]] * 2
        print("ok")
        """
    )
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert r.stdout.strip() == "ok", r.stderr
