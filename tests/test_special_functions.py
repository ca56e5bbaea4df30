"""The scipy.special rules (dualdiff/rules/special.py) against independent references.

Every rule is checked at ordinary points against mpmath's numerical derivatives at 40 digits: first
derivatives in forward mode and on the tape, second derivatives by nesting and by the reverse Hessian,
third derivatives by nesting, and arrays through SciPy's ufuncs (NEP 13). Then the arguments that are
constants (Bessel orders, gammainc's a), the points where a partial meets 0/0 or leaves the real
domain, and scipy.special.polygamma, which is not a ufunc.
"""

from __future__ import annotations

import math
import re
from typing import Any, NamedTuple

import numpy as np
import pytest

import dualdiff as dd
from dualdiff import Dual, Var, derivative, gradient, hessian

sp = pytest.importorskip("scipy.special")
mp = pytest.importorskip("mpmath")
S = dd.special

inf, nan = math.inf, math.nan


def mp_diff(g: Any, x: float, n: int = 1) -> float:
    """The n-th derivative of g at x, by mpmath at 40 digits (x is taken exactly)."""
    with mp.workdps(40):
        return float(mp.diff(g, mp.mpf(x), n))


def mp_partial(g: Any, point: tuple[float, ...], orders: tuple[int, ...]) -> float:
    with mp.workdps(40):
        return float(mp.diff(g, tuple(mp.mpf(p) for p in point), orders))


def close(actual: Any, expected: float, rel: float = 1e-9) -> bool:
    a = float(actual)
    return math.isclose(a, expected, rel_tol=rel, abs_tol=1e-30)  # mpmath leaves ~1e-40 where the truth is 0


def scaled_i(v: float) -> Any:
    return lambda t: mp.besseli(v, t) * mp.exp(-abs(t))


def scaled_k(v: float) -> Any:
    return lambda t: mp.besselk(v, t) * mp.exp(t)


def lower(a: float) -> Any:
    return lambda t: mp.gammainc(a, 0, t, regularized=True)


def upper(a: float) -> Any:
    return lambda t: mp.gammainc(a, t, mp.inf, regularized=True)


def student_t(df: float) -> Any:
    def cdf(t: Any) -> Any:  # 1 - I_{df / (df + t**2)}(df / 2, 1 / 2) / 2 for t > 0, by symmetry below
        tail = mp.betainc(mp.mpf(df) / 2, mp.mpf(1) / 2, 0, df / (df + t * t), regularized=True) / 2
        return 1 - tail if t > 0 else tail

    return cdf


def binomial_cdf(k: int, n: int) -> Any:
    return lambda p: sum(mp.binomial(n, j) * p**j * (1 - p) ** (n - j) for j in range(k + 1))


class One(NamedTuple):
    """A function of one moving argument: its rule's name, SciPy's function of it, mpmath's, points."""

    rule: str
    label: str
    f: Any
    g: Any
    points: tuple[float, ...]


def one(rule: str, f: Any, g: Any, points: tuple[float, ...], label: str = "") -> One:
    return One(rule, label or rule, f, g, points)


ONE = [
    one("erf", sp.erf, mp.erf, (-1.3, 0.2, 0.9, 2.5)),
    one("erfc", sp.erfc, mp.erfc, (-1.3, 0.2, 0.9, 2.5)),
    one("erfcx", sp.erfcx, lambda t: mp.exp(t * t) * mp.erfc(t), (-1.3, 0.2, 2.5, 9.0, 12.0, 40.0)),
    one("erfinv", sp.erfinv, mp.erfinv, (-0.9, -0.3, 0.1, 0.75)),
    one("erfcinv", sp.erfcinv, lambda t: mp.erfinv(1 - t), (0.05, 0.4, 1.3, 1.9)),
    one("expit", sp.expit, lambda t: 1 / (1 + mp.exp(-t)), (-3.0, -0.4, 0.0, 2.2)),
    one("logit", sp.logit, lambda t: mp.log(t / (1 - t)), (0.05, 0.3, 0.5, 0.9)),
    one("log_expit", sp.log_expit, lambda t: -mp.log(1 + mp.exp(-t)), (-30.0, -2.0, 0.3, 4.0)),
    one("ndtr", sp.ndtr, mp.ncdf, (-2.5, -0.3, 0.4, 1.7)),
    one("log_ndtr", sp.log_ndtr, lambda t: mp.log(mp.ncdf(t)), (-30.0, -2.5, 0.3, 4.0)),
    one("ndtri", sp.ndtri, lambda t: mp.sqrt(2) * mp.erfinv(2 * t - 1), (0.01, 0.2, 0.5, 0.93)),
    one("gamma", sp.gamma, mp.gamma, (-2.5, -0.4, 0.7, 1.0, 3.3, 10.5)),
    one("rgamma", sp.rgamma, mp.rgamma, (-3.0, -2.5, -1.0, -0.4, 0.0, 0.7, 4.2)),
    one("psi", sp.psi, mp.digamma, (-2.5, 0.3, 1.0, 6.1)),
    one("digamma", sp.digamma, mp.digamma, (-0.5, 2.0)),
    one("gammaln", sp.gammaln, lambda t: mp.log(abs(mp.gamma(t))), (-2.5, 0.3, 1.0, 6.1)),
    one("loggamma", sp.loggamma, mp.loggamma, (0.3, 1.0, 6.1, 50.0)),
    one("polygamma", lambda t: sp.polygamma(1, t), lambda t: mp.polygamma(1, t), (-1.5, 0.4, 2.0, 7.5), "polygamma(1, x)"),
    one("polygamma", lambda t: sp.polygamma(3, t), lambda t: mp.polygamma(3, t), (0.4, 2.0, 7.5), "polygamma(3, x)"),
    one("polygamma", lambda t: S.polygamma(2)(t), lambda t: mp.polygamma(2, t), (0.4, 2.0), "dualdiff.special.polygamma(2)"),
    one("zeta", lambda t: sp.zeta(2.5, t), lambda t: mp.zeta(2.5, t), (0.3, 1.0, 4.5), "zeta(2.5, q)"),
    one("zeta", lambda t: sp.zeta(3.0, t), lambda t: mp.zeta(3, t), (-1.5, 2.0), "zeta(3, q)"),
    one("gammainc", lambda t: sp.gammainc(2.5, t), lower(2.5), (0.3, 1.0, 4.5), "gammainc(2.5, x)"),
    one("gammainc", lambda t: sp.gammainc(0.4, t), lower(0.4), (0.2, 3.0), "gammainc(0.4, x)"),
    one("gammaincc", lambda t: sp.gammaincc(2.5, t), upper(2.5), (0.3, 1.0, 4.5), "gammaincc(2.5, x)"),
    one("gammaincc", lambda t: sp.gammaincc(7.0, t), upper(7), (2.0, 9.0), "gammaincc(7, x)"),
    one("entr", sp.entr, lambda t: -t * mp.log(t), (0.05, 0.5, 2.0)),
    one("j0", sp.j0, lambda t: mp.besselj(0, t), (-1.7, 0.5, 3.3, 12.0)),
    one("j1", sp.j1, lambda t: mp.besselj(1, t), (-1.7, 0.0, 0.5, 3.3, 12.0)),
    one("jv", lambda t: sp.jv(2.5, t), lambda t: mp.besselj(2.5, t), (0.5, 3.3, 12.0), "jv(2.5, x)"),
    one("jv", lambda t: sp.jv(-1.3, t), lambda t: mp.besselj(-1.3, t), (0.5, 3.3), "jv(-1.3, x)"),
    one("jv", lambda t: sp.jv(2, t), lambda t: mp.besselj(2, t), (-1.3, 0.0, 4.1), "jv(2, x)"),
    one("jv", lambda t: sp.jn(3, t), lambda t: mp.besselj(3, t), (-2.0, 1.3), "jn(3, x)"),
    one("jv", lambda t: sp.jv(0, t), lambda t: mp.besselj(0, t), (0.7, 4.1), "jv(0, x)"),
    one("y0", sp.y0, lambda t: mp.bessely(0, t), (0.5, 3.3, 12.0)),
    one("y1", sp.y1, lambda t: mp.bessely(1, t), (0.5, 3.3, 12.0)),
    one("yv", lambda t: sp.yv(0.7, t), lambda t: mp.bessely(0.7, t), (0.5, 3.3, 12.0), "yv(0.7, x)"),
    one("yv", lambda t: sp.yv(-1.5, t), lambda t: mp.bessely(-1.5, t), (0.8, 3.3), "yv(-1.5, x)"),
    one("yv", lambda t: sp.yv(0, t), lambda t: mp.bessely(0, t), (0.8, 5.0), "yv(0, x)"),
    one("yn", lambda t: sp.yn(0, t), lambda t: mp.bessely(0, t), (0.8, 5.0), "yn(0, x)"),
    one("yn", lambda t: sp.yn(3, t), lambda t: mp.bessely(3, t), (0.8, 5.0), "yn(3, x)"),
    one("i0", sp.i0, lambda t: mp.besseli(0, t), (-1.7, 0.5, 3.3, 20.0)),
    one("i0e", sp.i0e, scaled_i(0), (-1.7, 0.5, 3.3, 20.0)),
    one("i1", sp.i1, lambda t: mp.besseli(1, t), (-1.7, 0.0, 0.5, 3.3)),
    one("i1e", sp.i1e, scaled_i(1), (-1.7, 0.5, 3.3, 20.0)),
    one("iv", lambda t: sp.iv(1.5, t), lambda t: mp.besseli(1.5, t), (0.5, 3.3, 20.0), "iv(1.5, x)"),
    one("iv", lambda t: sp.iv(3, t), lambda t: mp.besseli(3, t), (-1.2, 2.0), "iv(3, x)"),
    one("iv", lambda t: sp.iv(0, t), lambda t: mp.besseli(0, t), (-1.2, 2.0), "iv(0, x)"),
    one("ive", lambda t: sp.ive(0, t), scaled_i(0), (-1.2, 2.0), "ive(0, x)"),
    one("ive", lambda t: sp.ive(0.5, t), scaled_i(0.5), (0.5, 3.3, 20.0), "ive(0.5, x)"),
    one("ive", lambda t: sp.ive(2, t), scaled_i(2), (-1.2, 2.0), "ive(2, x)"),
    one("k0", sp.k0, lambda t: mp.besselk(0, t), (0.3, 2.0, 9.0)),
    one("k0e", sp.k0e, scaled_k(0), (0.3, 2.0, 30.0)),
    one("k1", sp.k1, lambda t: mp.besselk(1, t), (0.3, 2.0, 9.0)),
    one("k1e", sp.k1e, scaled_k(1), (0.3, 2.0, 30.0)),
    one("kv", lambda t: sp.kv(0.3, t), lambda t: mp.besselk(0.3, t), (0.3, 2.0, 9.0), "kv(0.3, x)"),
    one("kv", lambda t: sp.kv(2.5, t), lambda t: mp.besselk(2.5, t), (0.7, 4.0), "kv(2.5, x)"),
    one("kv", lambda t: sp.kv(0, t), lambda t: mp.besselk(0, t), (0.7, 4.0), "kv(0, x)"),
    one("kve", lambda t: sp.kve(0, t), scaled_k(0), (0.7, 4.0), "kve(0, x)"),
    one("kve", lambda t: sp.kve(1.7, t), scaled_k(1.7), (0.7, 4.0, 30.0), "kve(1.7, x)"),
    one("kn", lambda t: sp.kn(0, t), lambda t: mp.besselk(0, t), (0.7, 4.0), "kn(0, x)"),
    one("kn", lambda t: sp.kn(2, t), lambda t: mp.besselk(2, t), (0.7, 4.0), "kn(2, x)"),
    one("gammasgn", sp.gammasgn, lambda t: mp.sign(mp.gamma(t)), (-1.5, -0.5, 0.7, 3.2)),
    one("stdtr", lambda t: sp.stdtr(3.5, t), student_t(3.5), (-2.0, -0.4, 0.7, 3.0), "stdtr(3.5, t)"),
    one("stdtr", lambda t: sp.stdtr(0.8, t), student_t(0.8), (-1.2, 2.5), "stdtr(0.8, t)"),
    one("stdtr", lambda t: sp.stdtr(inf, t), mp.ncdf, (-1.2, 0.5), "stdtr(inf, t)"),
    one("chdtr", lambda t: sp.chdtr(3.0, t), lambda t: mp.gammainc(1.5, 0, t / 2, regularized=True), (0.4, 2.0, 7.0), "chdtr(3, x)"),
    one("chdtrc", lambda t: sp.chdtrc(5.0, t), lambda t: mp.gammainc(2.5, t / 2, mp.inf, regularized=True), (0.4, 6.0), "chdtrc(5, x)"),
    one("pdtr", lambda t: sp.pdtr(3.0, t), lambda t: mp.gammainc(4, t, mp.inf, regularized=True), (0.5, 2.0, 6.0), "pdtr(3, m)"),
    one("pdtr", lambda t: sp.pdtr(2.7, t), lambda t: mp.gammainc(3, t, mp.inf, regularized=True), (0.5, 4.0), "pdtr(2.7, m)"),
    one("bdtr", lambda t: sp.bdtr(2.0, 6, t), binomial_cdf(2, 6), (0.1, 0.3, 0.8), "bdtr(2, 6, p)"),
    one("betainc", lambda t: sp.betainc(2.5, 1.5, t), lambda t: mp.betainc(2.5, 1.5, 0, t, regularized=True), (0.2, 0.5, 0.9),
        "betainc(2.5, 1.5, x)"),
    one("betaincc", lambda t: sp.betaincc(0.7, 3.0, t), lambda t: mp.betainc(0.7, 3, t, 1, regularized=True), (0.1, 0.6),
        "betaincc(0.7, 3, x)"),
]

ONE_POINTS = [pytest.param(c, x, id=f"{c.label}@{x}") for c in ONE for x in c.points]


class Two(NamedTuple):
    """A function of two moving arguments."""

    rule: str
    f: Any
    g: Any
    points: tuple[tuple[float, float], ...]


TWO = [
    Two("beta", sp.beta, mp.beta, ((1.3, 2.1), (0.4, 5.5), (-1.5, 2.2), (3.0, 0.7))),
    Two("betaln", sp.betaln, lambda a, b: mp.log(abs(mp.beta(a, b))), ((1.3, 2.1), (0.4, 5.5), (-1.5, 2.2), (30.0, 0.7))),
    Two("xlogy", sp.xlogy, lambda x, y: x * mp.log(y), ((0.7, 2.5), (-1.2, 0.3), (3.0, 7.0))),
    Two("xlog1py", sp.xlog1py, lambda x, y: x * mp.log(1 + y), ((0.7, 2.5), (-1.2, -0.3), (3.0, 7.0))),
    Two("rel_entr", sp.rel_entr, lambda x, y: x * mp.log(x / y), ((0.7, 2.5), (1.2, 0.3), (3.0, 7.0))),
    Two("kl_div", sp.kl_div, lambda x, y: x * mp.log(x / y) - x + y, ((0.7, 2.5), (1.2, 0.3), (3.0, 7.0))),
    Two("poch", sp.poch, mp.rf, ((1.3, 2.1), (0.4, 0.5), (-1.5, 2.2), (6.0, 0.7))),
    Two("binom", sp.binom, mp.binomial, ((5.0, 2.0), (4.3, 1.7), (7.5, 0.6), (2.5, 3.2))),
]

TWO_POINTS = [pytest.param(c, p, id=f"{c.rule}@{p}") for c in TWO for p in c.points]


def test_every_exported_rule_has_cases_here():
    tested = {c.rule for c in ONE} | {c.rule for c in TWO}
    assert set(S.__all__) == tested
    assert S.digamma is S.psi and sp.digamma is sp.psi


# --- ordinary points: one moving argument ---
@pytest.mark.parametrize("case, x", ONE_POINTS)
def test_first_derivative_forward_and_reverse(case, x):
    ref = mp_diff(case.g, x)
    assert close(derivative(case.f, x), ref)
    assert close(gradient(lambda v: case.f(v[0]), [x], mode="reverse")[0], ref)
    v = Var(x)
    y = case.f(v)
    y.backward()
    assert close(v.grad, ref)
    assert close(y.value, float(case.f(x)), rel=1e-12)  # the value is SciPy's (or its math twin's)


@pytest.mark.parametrize("case, x", ONE_POINTS)
def test_second_derivative_nested_and_reverse_hessian(case, x):
    ref = mp_diff(case.g, x, 2)
    assert close(derivative(lambda t: derivative(case.f, t), x), ref, rel=1e-8)
    assert close(hessian(lambda v: case.f(v[0]), [x], mode="reverse")[0, 0], ref, rel=1e-8)


# where the third derivative is a small difference of large terms, floating point loses that many digits
LOOSE = {("log_ndtr", -30.0): 1e-4}


@pytest.mark.parametrize("case, x", ONE_POINTS)
def test_third_derivative_by_nesting(case, x):
    ref = mp_diff(case.g, x, 3)
    assert close(derivative(lambda s: derivative(lambda t: derivative(case.f, t), s), x), ref, rel=LOOSE.get((case.rule, x), 1e-7))


@pytest.mark.parametrize("case", ONE, ids=[c.label for c in ONE])
def test_arrays_through_the_ufunc(case):
    xs = np.array(case.points)
    refs = [mp_diff(case.g, x) for x in xs]
    y = case.f(Dual(xs, np.ones(len(xs))))
    assert isinstance(y, Dual) and y.value.shape == xs.shape
    np.testing.assert_allclose(y.value, [float(case.f(x)) for x in xs], rtol=1e-15)
    np.testing.assert_allclose(y.derivative, refs, rtol=1e-9)
    np.testing.assert_allclose(gradient(lambda z: np.sum(case.f(z)), xs, mode="reverse"), refs, rtol=1e-9)


@pytest.mark.parametrize("case", ONE, ids=[c.label for c in ONE])
def test_jacobian_and_hessian_of_arrays_carry_several_directions_at_once(case):
    xs = np.array(case.points)
    d1 = np.diag([mp_diff(case.g, x) for x in xs])
    d2 = np.diag([mp_diff(case.g, x, 2) for x in xs])
    for mode in ("forward", "reverse"):
        np.testing.assert_allclose(dd.jacobian(case.f, xs, mode=mode), d1, rtol=1e-9, atol=1e-30, err_msg=mode)
        H = hessian(lambda z: np.sum(case.f(z)), xs, mode=mode)
        np.testing.assert_allclose(H, d2, rtol=1e-8, atol=1e-30, err_msg=mode)
    np.testing.assert_allclose(dd.jacobian(case.f, xs, chunk=2), d1, rtol=1e-9, atol=1e-30)


def test_an_array_of_orders_broadcasts_against_one_dual():
    orders = np.array([0.5, 1.0, 2.5])
    y = sp.jv(orders, Dual(1.3, 1.0))
    np.testing.assert_allclose(y.derivative, [mp_diff(lambda t, v=v: mp.besselj(v, t), 1.3) for v in orders], rtol=1e-12)
    y = sp.gammainc(orders, Dual(np.array([0.5, 1.5, 4.0]), np.ones(3)))
    refs = [mp_diff(lower(a), x) for a, x in zip(orders, [0.5, 1.5, 4.0], strict=True)]
    np.testing.assert_allclose(y.derivative, refs, rtol=1e-12)


# --- ordinary points: two moving arguments ---
@pytest.mark.parametrize("case, point", TWO_POINTS)
def test_two_argument_gradient_forward_and_reverse(case, point):
    ref = [mp_partial(case.g, point, (1, 0)), mp_partial(case.g, point, (0, 1))]
    for mode in ("forward", "reverse"):
        g = gradient(lambda v: case.f(v[0], v[1]), list(point), mode=mode)
        assert close(g[0], ref[0]) and close(g[1], ref[1]), (mode, g, ref)


@pytest.mark.parametrize("case, point", TWO_POINTS)
def test_two_argument_hessian_forward_and_reverse(case, point):
    ref = np.array([[mp_partial(case.g, point, (2, 0)), mp_partial(case.g, point, (1, 1))],
                    [mp_partial(case.g, point, (1, 1)), mp_partial(case.g, point, (0, 2))]])
    for mode in ("forward", "reverse"):
        H = hessian(lambda v: case.f(v[0], v[1]), list(point), mode=mode)
        np.testing.assert_allclose(H, ref, rtol=1e-8, atol=1e-12 * np.abs(ref).max(), err_msg=mode)


@pytest.mark.parametrize("case", TWO, ids=[c.rule for c in TWO])
def test_two_argument_arrays_through_the_ufunc(case):
    xs, ys = (np.array(c) for c in zip(*case.points, strict=True))
    dx = [mp_partial(case.g, p, (1, 0)) for p in case.points]
    dy = [mp_partial(case.g, p, (0, 1)) for p in case.points]
    np.testing.assert_allclose(case.f(Dual(xs, np.ones(len(xs))), ys).derivative, dx, rtol=1e-9)
    np.testing.assert_allclose(case.f(xs, Dual(ys, np.ones(len(ys)))).derivative, dy, rtol=1e-9)


# --- arguments that are constants ---
CONSTANT = [
    ("jv", sp.jv, 2.5, 1.3), ("jv", sp.jn, 2.0, 1.3), ("yv", sp.yv, 2.5, 1.3), ("yn", sp.yn, 2.0, 1.3),
    ("iv", sp.iv, 2.5, 1.3), ("ive", sp.ive, 2.5, 1.3), ("kv", sp.kv, 2.5, 1.3), ("kve", sp.kve, 2.5, 1.3),
    ("kn", sp.kn, 2.0, 1.3), ("gammainc", sp.gammainc, 2.5, 1.3), ("gammaincc", sp.gammaincc, 2.5, 1.3),
    ("zeta", sp.zeta, 2.5, 1.3), ("polygamma", sp.polygamma, 2.0, 1.3),
    ("stdtr", sp.stdtr, 3.5, 1.3), ("chdtr", sp.chdtr, 3.0, 1.3), ("chdtrc", sp.chdtrc, 3.0, 1.3),
    ("betainc", lambda a, x: sp.betainc(a, 1.5, x), 2.5, 0.3), ("betainc", lambda b, x: sp.betainc(1.5, b, x), 2.5, 0.3),
    ("betaincc", lambda a, x: sp.betaincc(a, 1.5, x), 2.5, 0.3),
]


@pytest.mark.parametrize("name, f, c, x", CONSTANT, ids=[f"{c[0]}-{i}" for i, c in enumerate(CONSTANT)])
def test_differentiating_a_constant_argument_raises_naming_the_function(name, f, c, x):
    says = rf"scipy\.special\.{name}\b"
    with pytest.raises(TypeError, match=says):
        derivative(lambda t: f(t, x), c)
    with pytest.raises(TypeError, match=says):
        gradient(lambda v: f(v[0], v[1]), [c, x])
    with pytest.raises(TypeError, match=says):
        gradient(lambda v: f(v[0], x), [c], mode="reverse")
    with pytest.raises(TypeError, match=says):  # constant to the inner differentiation, moving in the outer one
        derivative(lambda s: derivative(lambda t: f(s, t), x), c)
    assert np.isfinite(derivative(lambda t: f(c, t), x))  # the other argument still differentiates


def test_polygamma_takes_one_nonnegative_integer_order():
    for n in (1.5, -1, np.array([1, 2])):
        with pytest.raises(TypeError, match="polygamma"):
            sp.polygamma(n, Dual(1.5, 1.0))
    assert close(sp.polygamma(np.int64(2), Dual(1.5, 1.0)).derivative, float(mp.polygamma(3, 1.5)), rel=1e-13)
    assert close(sp.polygamma(0, Dual(1.5, 1.0)).derivative, float(mp.polygamma(1, 1.5)), rel=1e-13)


def test_polygamma_of_plain_numbers_is_scipys():
    x = np.array([0.4, 2.0, 7.5])
    got = sp.polygamma(2, x)
    assert isinstance(got, np.ndarray)
    np.testing.assert_allclose(got, [float(mp.polygamma(2, t)) for t in x], rtol=1e-13)
    expected = [float(mp.polygamma(n, t)) for n, t in zip([0, 1, 2], x, strict=True)]
    np.testing.assert_allclose(sp.polygamma([0, 1, 2], x), expected, rtol=1e-13)


# --- special points ---
@pytest.mark.parametrize("f, x, y", [(sp.xlogy, 0.0, 2.0), (sp.xlog1py, 0.0, 1.5), (sp.rel_entr, 0.0, 2.0), (sp.kl_div, 0.0, 2.0)])
def test_y_partial_at_x_zero_keeps_the_tangent_of_x(f, x, y):
    # the y-partial is 0 at x = 0, but its x-derivative (the mixed one, which does not depend on x) is not
    g = {sp.xlogy: lambda a, b: a * mp.log(b), sp.xlog1py: lambda a, b: a * mp.log(1 + b),
         sp.rel_entr: lambda a, b: a * mp.log(a / b), sp.kl_div: lambda a, b: a * mp.log(a / b) - a + b}[f]
    expected = mp_partial(g, (0.5, y), (1, 1))
    for mode in ("forward", "reverse"):
        assert gradient(lambda v: f(v[0], v[1]), [x, y], mode=mode)[1] == (1.0 if f is sp.kl_div else 0.0)  # f(0, y) is 0 (y)
        H = hessian(lambda v: f(v[0], v[1]), [x, y], mode=mode)
        assert close(H[0, 1], expected, rel=1e-12) and close(H[1, 0], expected, rel=1e-12), (mode, H)


def test_xlogy_at_the_origin():
    for mode in ("forward", "reverse"):
        g = gradient(lambda v: sp.xlogy(v[0], v[1]), [0.0, 0.0], mode=mode)
        assert g[1] == 0.0 and g[0] == -inf  # xlogy(0, y) = 0 for every y; xlogy(x, 0) = -inf x
        H = hessian(lambda v: sp.xlogy(v[0], v[1]), [0.0, 0.0], mode=mode)
        assert H[0, 1] == inf and H[1, 0] == inf and H[1, 1] == 0.0  # d/dx (x / y) = 1 / y, not 1 or 0


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
@pytest.mark.parametrize(
    "f, x",
    [(sp.loggamma, -1.5), (sp.logit, 1.5), (sp.logit, -0.5), (sp.entr, -1.0), (sp.erfinv, 1.5), (sp.erfcinv, 2.5),
     (sp.ndtri, 1.2), (sp.gamma, -2.0), (lambda t: sp.gammainc(2.5, t), -1.0), (lambda t: sp.gammainc(1.0, t), -1.0),
     (lambda t: sp.gammainc(-1.5, t), 1.0), (lambda t: sp.gammaincc(1.0, t), -1.0), (lambda t: sp.jv(0.5, t), -1.0),
     (lambda t: sp.iv(0.5, t), -1.0), (lambda t: sp.ive(0.5, t), -1.0), (sp.y0, -1.0), (sp.k1, -1.0),
     (lambda t: sp.xlogy(1.0, t), -2.0), (lambda t: sp.xlogy(t, -2.0), 1.0), (lambda t: sp.xlog1py(1.0, t), -3.0),
     (lambda t: sp.xlog1py(t, -3.0), 1.0), (lambda t: sp.rel_entr(1.0, t), -1.0), (lambda t: sp.rel_entr(t, 1.0), -1.0),
     (lambda t: sp.kl_div(1.0, t), -1.0), (lambda t: sp.kl_div(t, 1.0), -1.0), (lambda t: sp.rel_entr(t, -1.0), 0.0),
     (lambda t: sp.stdtr(-1.0, t), 0.3), (lambda t: sp.pdtr(-1.0, t), 2.0), (lambda t: sp.pdtr(2.0, t), -1.0),
     (lambda t: sp.betainc(2.0, 3.0, t), 1.5), (lambda t: sp.betaincc(2.0, 3.0, t), -0.5), (lambda t: sp.bdtr(2.0, 5, t), 1.2),
     (lambda t: sp.bdtr(7.0, 5, t), 0.3), (lambda t: sp.chdtr(3.0, t), -1.0)],
)
def test_outside_the_real_domain_every_derivative_is_nan(f, x):
    assert not np.isfinite(f(x))  # nan (inf for rel_entr and kl_div, SciPy's mark of an invalid argument)
    assert math.isnan(derivative(f, x))
    assert math.isnan(gradient(lambda v: f(v[0]), [x], mode="reverse")[0])
    assert math.isnan(derivative(lambda t: derivative(f, t), x))
    assert math.isnan(hessian(lambda v: f(v[0]), [x], mode="reverse")[0, 0])


@pytest.mark.parametrize("n", [0, 1, 2, 3, 5])
def test_rgamma_at_the_poles_of_gamma(n):
    # 1/gamma is entire: at x = -n its derivative is (-1)**n n!, where -psi(x)/gamma(x) is 0 times inf
    assert close(derivative(sp.rgamma, -float(n)), (-1) ** n * math.factorial(n), rel=1e-13)
    assert close(derivative(lambda t: derivative(sp.rgamma, t), -float(n)), mp_diff(mp.rgamma, -n, 2), rel=1e-10)


def test_scaled_bessel_at_zero_follows_the_sign_bit_like_abs():
    # i0e(x) = exp(-|x|) i0(x) has a kink at 0: the one-sided derivative the sign bit picks, as abs' does
    for f in (sp.i0e, lambda t: sp.ive(0.0, t)):
        assert derivative(f, 0.0) == -1.0 and derivative(f, -0.0) == 1.0
        assert gradient(lambda v: f(v[0]), [0.0], mode="reverse")[0] == -1.0
    assert derivative(sp.i1e, 0.0) == 0.5 and derivative(sp.i1e, -0.0) == 0.5  # smooth there


@pytest.mark.parametrize("x", [3.0, 9.999, 10.0, 10.001, 50.0, 1e3, 1e8, 1e150, 1e160])
def test_erfcx_derivative_far_in_the_tail(x):
    # 2 x erfcx(x) - 2 / sqrt(pi) cancels about 2 log10(x) digits: the reference carries that many more;
    # from 1e100 on (beyond mpmath's erfc) the first two terms of the asymptotic series are exact to rounding
    with mp.workdps(40 + int(2 * math.log10(x))):
        t = mp.mpf(x)
        if x < 1e100:
            exact = float(2 * t * mp.exp(t * t) * mp.erfc(t) - 2 / mp.sqrt(mp.pi))
        else:
            exact = float(-(1 - 3 / (2 * t * t)) / (mp.sqrt(mp.pi) * t * t))
    assert math.isclose(derivative(sp.erfcx, x), exact, rel_tol=1e-12 if exact < -1e-300 else 1e-4)  # the last is subnormal


def test_gammainc_at_zero():
    assert derivative(lambda t: sp.gammainc(1.0, t), 0.0) == 1.0  # 1 - exp(-x)
    assert derivative(lambda t: sp.gammainc(2.0, t), 0.0) == 0.0
    assert derivative(lambda t: sp.gammainc(0.5, t), 0.0) == inf
    assert derivative(lambda t: sp.gammaincc(1.0, t), 0.0) == -1.0


def test_order_errors_say_which_argument():
    with pytest.raises(TypeError, match=re.escape("scipy.special.kv: dualdiff has no derivative with respect to the order v")):
        derivative(lambda v: sp.kv(v, 2.0), 1.0)
    with pytest.raises(TypeError, match=re.escape("scipy.special.gammainc: dualdiff has no derivative with respect to a")):
        derivative(lambda a: sp.gammainc(a, 2.0), 1.0)
