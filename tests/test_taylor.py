"""Taylor mode: coefficients against exact symbolic derivatives (sympy, evaluated by mpmath at 50
digits), nesting with Duals in both directions, the conventions at special points, NumPy's linear
functions and products, and the errors."""

from __future__ import annotations

import functools
import math

import numpy as np
import pytest

import dualdiff as dd
from dualdiff import Dual, derivative, taylor

sympy = pytest.importorskip("sympy", reason="the exact derivatives come from sympy (the test extra)")
mpmath = pytest.importorskip("mpmath")
S = sympy.Symbol("x")


@functools.cache  # the order-7 test reuses the order-12 derivatives
def exact_coefficients(expr: sympy.Expr, x0: float, order: int, sym: sympy.Symbol = S) -> list[float]:
    """f^(k)(x0) / k!, k = 0..order, from sympy's derivatives evaluated at 50 digits."""
    out, d = [], expr
    for k in range(order + 1):
        out.append(float(sympy.N(d.subs(sym, sympy.Float(x0, 50)), 50)) / math.factorial(k))
        d = sympy.diff(d, sym)
    return out


def assert_rel(got: object, want: list[float], rtol: float = 1e-9) -> None:
    got = np.asarray(got, dtype=float)
    want_a = np.asarray(want, dtype=float)
    scale = np.maximum(np.abs(want_a), 1e-300)
    err = np.abs(got - want_a) / scale
    assert np.all(err <= rtol), f"relative errors {err} (got {got}, want {want_a})"


x = S
# (numpy function, sympy expression, point): composites through every family of the rule table
COMPOSITES = [
    (lambda t: np.exp(np.sin(t)), sympy.exp(sympy.sin(x)), 0.3),
    (lambda t: np.log(1 + t**2) * np.cos(t), sympy.log(1 + x**2) * sympy.cos(x), 0.7),
    (lambda t: np.sqrt(1 + t) / (2 + t), sympy.sqrt(1 + x) / (2 + x), 0.4),
    (lambda t: np.tanh(t) ** 2 + t**3, sympy.tanh(x) ** 2 + x**3, 0.6),
    (lambda t: np.arctan(t) * np.sinh(t), sympy.atan(x) * sympy.sinh(x), 0.5),
    (lambda t: t**t, x**x, 1.3),
    (lambda t: np.cbrt(t) + np.tan(t), sympy.cbrt(x) + sympy.tan(x), 0.8),
    (lambda t: np.arcsin(t / 2) + np.arccos(t / 3), sympy.asin(x / 2) + sympy.acos(x / 3), 0.9),
    (lambda t: np.cosh(t) * np.log(t), sympy.cosh(x) * sympy.log(x), 1.7),
    (lambda t: 1 / (1 + np.exp(-t)), 1 / (1 + sympy.exp(-x)), 0.25),
    (lambda t: np.arctanh(t / 2) + np.arcsinh(t) - np.arccosh(t + 1), sympy.atanh(x / 2) + sympy.asinh(x) - sympy.acosh(x + 1), 0.35),
    (lambda t: np.log2(t) + np.log10(t + 1) + np.log1p(t), sympy.log(x, 2) + sympy.log(x + 1, 10) + sympy.log(1 + x), 0.6),
    (lambda t: np.expm1(t) * np.exp2(t), (sympy.exp(x) - 1) * 2**x, 0.45),
    (lambda t: np.hypot(t, 2.0) * np.arctan2(t, 2.0), sympy.sqrt(x**2 + 4) * sympy.atan2(x, 2), 1.5),
    (lambda t: t**2.5 / (1 + t**-3) - 3 * np.square(t) + np.reciprocal(t), x**sympy.Rational(5, 2) / (1 + x**-3) - 3 * x**2 + 1 / x, 1.1),
    (lambda t: 2.0**t * np.cos(t) ** 3, 2**x * sympy.cos(x) ** 3, 0.9),
    (lambda t: np.sin(np.cos(t)) * np.cosh(t), sympy.sin(sympy.cos(x)) * sympy.cosh(x), 0.4),
    (lambda t: np.degrees(np.sin(t)) - np.abs(t) + np.maximum(t, 0.1), 180 / sympy.pi * sympy.sin(x) - x + x, 0.3),
]


@pytest.mark.parametrize("f, expr, x0", COMPOSITES, ids=[str(c[1])[:40] for c in COMPOSITES])
def test_coefficients_to_order_12_match_sympy(f: object, expr: sympy.Expr, x0: float) -> None:
    assert_rel(taylor(f, x0, 12), exact_coefficients(expr, x0, 12))


def test_logaddexp_and_its_logistic_partials_to_order_8() -> None:
    # sympy's 12th derivative of this one takes minutes (the quotients swell); order 8 checks the same recurrences
    assert_rel(taylor(lambda t: np.logaddexp(t, 0.5 * t), 0.2, 8), exact_coefficients(sympy.log(sympy.exp(x) + sympy.exp(x / 2)), 0.2, 8))


@pytest.mark.parametrize("f, expr, x0", COMPOSITES[:8], ids=[str(c[1])[:40] for c in COMPOSITES[:8]])
def test_seventh_derivative_matches_sympy(f: object, expr: sympy.Expr, x0: float) -> None:
    want = exact_coefficients(expr, x0, 12)[7] * math.factorial(7)
    assert_rel([derivative(f, x0, order=7)], [want])


def test_order_one_is_the_first_derivative_and_order_zero_the_value() -> None:
    f = lambda t: np.exp(np.sin(t))  # noqa: E731
    assert derivative(f, 0.3, order=1) == derivative(f, 0.3)
    assert derivative(f, 0.3, order=0) == pytest.approx(math.exp(math.sin(0.3)), rel=1e-15)
    assert_rel([derivative(f, 0.3, order=2)], [float(dd.hessian(f, 0.3))], 1e-12)


def test_arrays_are_expanded_elementwise_and_in_a_direction() -> None:
    xs = np.array([0.3, 0.7, 1.1])
    c = taylor(lambda t: np.exp(np.sin(t)), xs, 6)
    assert c.shape == (7, 3)
    for i, x0 in enumerate(xs):
        assert_rel(c[:, i], exact_coefficients(sympy.exp(sympy.sin(x)), x0, 6))
    # several inputs: the series of t -> f(p + t v) is the one-variable series of g(t) = f(p + t v)
    a, b = sympy.symbols("a b")
    expr = sympy.sin(a * b) + a**3 / b
    p, v = [0.4, 1.2], [1.0, -0.5]
    g = expr.subs({a: p[0] + S * v[0], b: p[1] + S * v[1]})
    got = taylor(lambda q: np.sin(q[0] * q[1]) + q[0] ** 3 / q[1], p, 8, v=v)
    assert_rel(got, exact_coefficients(g, 0.0, 8))


def test_reductions_shapes_and_products_carry_the_series() -> None:
    A = np.array([[1.0, 2.0], [3.0, -1.0]])
    p, v = np.array([0.5, -0.3]), np.array([1.0, 2.0])
    a0, a1 = sympy.symbols("a0 a1")
    q = [p[0] + S * v[0], p[1] + S * v[1]]

    def f(z: object) -> object:
        y = np.tanh(A @ z)  # matmul with one moving operand
        w = np.concatenate([y, z[::-1]]).reshape(2, 2).T
        return np.sum(np.where(np.array([True, False]), w[0], w[1]) ** 2) + np.mean(z) * (z @ z) + np.einsum("i,i->", z, y)

    Ay = [sympy.tanh(A[0, 0] * a0 + A[0, 1] * a1), sympy.tanh(A[1, 0] * a0 + A[1, 1] * a1)]
    # w = [[y0, z1], [y1, z0]]; the where picks w[0][0] = y0 and w[1][1] = z0
    expr = Ay[0] ** 2 + a0**2 + (a0 + a1) / 2 * (a0**2 + a1**2) + a0 * Ay[0] + a1 * Ay[1]
    g = expr.subs({a0: q[0], a1: q[1]})
    assert_rel(taylor(f, p, 8, v=v), exact_coefficients(g, 0.0, 8))


def test_cumsum_and_an_array_valued_result() -> None:
    c = taylor(lambda z: np.cumsum(np.exp(z)), [0.0, 1.0], 3)
    e = np.exp(1.0)
    want = np.array([[1, 1 + e], [1, 1 + e], [0.5, (1 + e) / 2], [1 / 6, (1 + e) / 6]])
    assert_rel(c, want.tolist(), 1e-14)


# --- nesting: tags keep Taylor numbers and Duals apart, in both directions ---
def test_a_derivative_inside_an_expansion() -> None:
    # g(a) = d/dy [a y**3 + sin(a y)] at y = 1 = 3a + a cos(a)
    a = sympy.Symbol("a")
    got = taylor(lambda s: derivative(lambda y: s * y**3 + np.sin(s * y), 1.0), 0.8, 6)
    assert_rel(got, exact_coefficients(3 * a + a * sympy.cos(a), 0.8, 6, a))


def test_an_expansion_inside_a_derivative() -> None:
    # the 5th coefficient of sin(a x) at x = 0.3 is a**5 cos(0.3 a) / 5!; its derivative in a at a = 1.2
    a = sympy.Symbol("a")
    coef = sympy.diff(sympy.sin(a * x), x, 5).subs(x, sympy.Rational(3, 10)) / 120
    want = float(sympy.N(sympy.diff(coef, a).subs(a, sympy.Float(1.2, 50)), 50))
    got = derivative(lambda s: taylor(lambda t: np.sin(s * t), 0.3, 6)[5], 1.2)
    assert_rel([got], [want])
    # and the k-th derivative inside: d/da (d^3/dx^3 exp(a x) at 0) = d/da a**3 = 3 a**2
    assert derivative(lambda s: derivative(lambda t: np.exp(s * t), 0.0, order=3), 2.0) == pytest.approx(12.0, rel=1e-14)


def test_perturbation_confusion_is_avoided_both_ways() -> None:
    # d/dx [x * (d/dy (x + y))] = 1 at every order: the series of x itself
    assert taylor(lambda s: s * derivative(lambda y: s + y, 1.0), 1.0, 3).tolist() == [1.0, 1.0, 0.0, 0.0]
    # d/dx of the first coefficient of t -> x t (which is x) is 1, not 2
    assert derivative(lambda s: taylor(lambda t: s * t, 1.0, 2)[1], 3.0) == 1.0
    # Taylor inside Taylor: a**3 / 6 (the third coefficient of exp(a t)) expanded at a = 1
    assert_rel(taylor(lambda s: taylor(lambda t: np.exp(s * t), 0.0, 3)[3], 1.0, 3), [1 / 6, 1 / 2, 1 / 2, 1 / 6], 1e-14)


def test_a_hand_made_dual_constant_inside_an_expansion() -> None:
    c = taylor(lambda t: Dual(2.0, 1.0) * np.exp(t), 0.0, 2)  # coefficients that carry d/d(the Dual)
    assert [e.value for e in c] == [2.0, 2.0, 1.0] and [e.derivative for e in c] == [1.0, 1.0, 0.5]


# --- conventions at points where a rule is not smooth (docs/conventions.md) ---
def test_conventions_at_special_points_hold_at_every_order() -> None:
    assert taylor(abs, 0.0, 3).tolist() == [0.0, 1.0, 0.0, 0.0]  # abs at +0.0 is the series of x
    assert taylor(abs, -0.0, 3).tolist() == [0.0, -1.0, 0.0, 0.0]  # at -0.0 that of -x
    assert taylor(lambda t: np.maximum(t, 2 * t - 1), 1.0, 3).tolist() == [1.0, 2.0, 0.0, 0.0]  # a tie: the second
    assert taylor(lambda t: t**0, 0.0, 3).tolist() == [1.0, 0.0, 0.0, 0.0]
    assert taylor(lambda t: t**2, 0.0, 3).tolist() == [0.0, 0.0, 1.0, 0.0]
    assert taylor(lambda t: t**3, 0.0, 4).tolist() == [0.0, 0.0, 0.0, 1.0, 0.0]
    # a zero series may be truncated (x**4 to order 3) or cancelled (x - x): beside an infinite slope, nan
    assert np.isnan(taylor(lambda t: np.sqrt(t**4), 0.0, 3)[1:]).all()  # x**2, which no zero series can tell
    assert np.isnan(taylor(lambda t: np.sqrt(t - t), 0.0, 3)[1:]).all()
    assert np.isnan(taylor(lambda t: np.cbrt(t**3), 0.0, 3)[1:]).all()
    assert taylor(lambda t: np.sqrt(t**4), 0.0, 5).tolist()[:1] == [0.0]
    assert taylor(lambda t: 0.0 * np.sqrt(t) + t, 0.0, 3).tolist() == [0.0, 1.0, 0.0, 0.0]  # a constant 0 factor
    assert taylor(lambda t: np.floor(t) + np.sign(t), 1.5, 2).tolist() == [2.0, 0.0, 0.0]
    s = taylor(np.sqrt, 0.0, 3)  # no series at 0: an infinite slope, and no finite number after it
    assert s[0] == 0.0 and s[1] == math.inf and not np.isfinite(s[2:]).any()
    assert np.isnan(taylor(np.log, -1.0, 3)).all()  # outside the domain: nan at every order
    assert derivative(np.sqrt, 0.0, order=1) == derivative(np.sqrt, 0.0)  # the first order agrees with Duals


def test_the_general_scheme_iterates_for_a_rule_whose_partial_reads_the_result() -> None:
    # softplus' partial is written through out (1 - exp(-out)): out's unknown coefficients are iterated
    softplus = dd.register_elementwise(lambda z: np.logaddexp(0.0, z), lambda z, out: 1 - np.exp(-out), name="softplus_taylor")
    assert_rel(taylor(softplus, 0.3, 10), exact_coefficients(sympy.log(1 + sympy.exp(x)), 0.3, 10))


def test_scipy_special_rules_take_the_general_scheme() -> None:
    special = pytest.importorskip("scipy.special", reason="SciPy's rules need SciPy")
    assert_rel(taylor(lambda t: special.erf(t) * special.expit(t), 0.4, 8),
               exact_coefficients(sympy.erf(x) / (1 + sympy.exp(-x)), 0.4, 8))


def test_first_order_agrees_with_duals_and_higher_with_nested_derivatives() -> None:
    f = lambda t: np.arctan(t) * np.exp(-t * t) / (1 + np.abs(t))  # noqa: E731
    c = taylor(f, 0.7, 4)
    nested = [f(0.7), derivative(f, 0.7), derivative(lambda s: derivative(f, s), 0.7) / 2,
              derivative(lambda s: derivative(lambda r: derivative(f, r), s), 0.7) / 6]
    assert_rel(c[:4], nested, 1e-12)


# --- what is refused, and how ---
def test_nonlinear_primitives_without_a_series_rule_are_named() -> None:
    with pytest.raises(TypeError, match="linalg.inv"):
        taylor(lambda t: np.linalg.inv(np.array([[1.0, 0.0], [0.0, 1.0]]) * t), 2.0, 3)


def test_bad_orders_directions_and_inputs() -> None:
    with pytest.raises(TypeError, match="whole number"):
        taylor(np.sin, 1.0, 2.0)
    with pytest.raises(TypeError, match="whole number"):
        derivative(np.sin, 1.0, order=True)
    with pytest.raises(ValueError, match="0 or more"):
        derivative(np.sin, 1.0, order=-1)
    with pytest.raises(ValueError, match="x's shape"):
        taylor(np.sin, [1.0, 2.0], 3, v=[1.0])
    with pytest.raises(TypeError, match="real"):
        taylor(np.sin, 1.0 + 1j, 3)
    with pytest.raises(TypeError, match="real numbers"):
        taylor(lambda t: "text", 1.0, 2)
    with pytest.raises(TypeError, match="higher coefficients"):
        taylor(lambda t: math.sin(t), 1.0, 2)
    with pytest.raises(TypeError, match="tape"):
        taylor(lambda t: t * dd.Var(2.0), 1.0, 2)


def test_constants_and_lists_come_back_as_series() -> None:
    assert taylor(lambda t: 3.0, 1.0, 2).tolist() == [3.0, 0.0, 0.0]
    assert taylor(lambda t: [t, 2 * t], 1.0, 1).tolist() == [[1.0, 2.0], [1.0, 2.0]]
