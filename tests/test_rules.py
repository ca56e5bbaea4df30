"""Every elementwise rule against its exact formula (written out here, independently of rules.py)
and against central finite differences, at several points, for floats, arrays and np.<ufunc>."""

import math

import numpy as np
import pytest

import dualdiff as dd
from dualdiff import Dual

ln2, ln10 = math.log(2), math.log(10)

# name: (points inside the domain, exact derivative)
UNARY = {
    "sin": ([-2.0, 0.3, 1.7], np.cos),
    "cos": ([-2.0, 0.3, 1.7], lambda x: -np.sin(x)),
    "tan": ([-1.2, 0.3, 1.0], lambda x: 1 / np.cos(x) ** 2),
    "arcsin": ([-0.9, 0.1, 0.7], lambda x: 1 / np.sqrt(1 - x**2)),
    "arccos": ([-0.9, 0.1, 0.7], lambda x: -1 / np.sqrt(1 - x**2)),
    "arctan": ([-3.0, 0.1, 2.0], lambda x: 1 / (1 + x**2)),
    "sinh": ([-2.0, 0.3, 1.7], np.cosh),
    "cosh": ([-2.0, 0.3, 1.7], np.sinh),
    "tanh": ([-2.0, 0.3, 1.7], lambda x: 1 / np.cosh(x) ** 2),
    "arcsinh": ([-2.0, 0.3, 1.7], lambda x: 1 / np.sqrt(x**2 + 1)),
    "arccosh": ([1.2, 2.0, 5.0], lambda x: 1 / np.sqrt(x**2 - 1)),
    "arctanh": ([-0.9, 0.1, 0.7], lambda x: 1 / (1 - x**2)),
    "exp": ([-2.0, 0.3, 1.7], np.exp),
    "exp2": ([-2.0, 0.3, 1.7], lambda x: 2**x * ln2),
    "expm1": ([-2.0, 0.3, 1.7], np.exp),
    "log": ([0.2, 1.0, 7.0], lambda x: 1 / x),
    "log2": ([0.2, 1.0, 7.0], lambda x: 1 / (x * ln2)),
    "log10": ([0.2, 1.0, 7.0], lambda x: 1 / (x * ln10)),
    "log1p": ([-0.5, 1.0, 7.0], lambda x: 1 / (1 + x)),
    "sqrt": ([0.2, 1.0, 7.0], lambda x: 0.5 / np.sqrt(x)),
    "cbrt": ([-8.0, 0.2, 7.0], lambda x: 1 / (3 * np.cbrt(x) ** 2)),
    "square": ([-2.0, 0.3, 1.7], lambda x: 2 * x),
    "reciprocal": ([-2.0, 0.3, 1.7], lambda x: -1 / x**2),
    "absolute": ([-2.0, 0.3, 1.7], np.sign),
    "fabs": ([-2.0, 0.3, 1.7], np.sign),
    "negative": ([-2.0, 0.3, 1.7], lambda x: -np.ones_like(x)),
    "positive": ([-2.0, 0.3, 1.7], np.ones_like),
    "deg2rad": ([-2.0, 0.3, 170.0], lambda x: np.full_like(x, np.pi / 180)),
    "rad2deg": ([-2.0, 0.3, 1.7], lambda x: np.full_like(x, 180 / np.pi)),
    "sign": ([-2.0, 0.3, 1.7], np.zeros_like),
    "floor": ([-2.5, 0.3, 1.7], np.zeros_like),
    "ceil": ([-2.5, 0.3, 1.7], np.zeros_like),
    "trunc": ([-2.5, 0.3, 1.7], np.zeros_like),
    "rint": ([-2.2, 0.3, 1.7], np.zeros_like),
}

# name: (points (x, y), exact partials (d/dx, d/dy))
BINARY = {
    "add": ([(1.0, 2.0), (-3.0, 0.5)], lambda x, y: (1.0, 1.0)),
    "subtract": ([(1.0, 2.0), (-3.0, 0.5)], lambda x, y: (1.0, -1.0)),
    "multiply": ([(1.0, 2.0), (-3.0, 0.5)], lambda x, y: (y, x)),
    "divide": ([(1.0, 2.0), (-3.0, 0.5)], lambda x, y: (1 / y, -x / y**2)),
    "power": ([(1.5, 2.5), (0.7, -1.3), (3.0, 0.5)], lambda x, y: (y * x ** (y - 1), x**y * np.log(x))),
    "float_power": ([(1.5, 2.5), (0.7, -1.3)], lambda x, y: (y * x ** (y - 1), x**y * np.log(x))),
    "arctan2": ([(1.0, 2.0), (-3.0, 0.5), (0.5, -2.0)], lambda y, x: (x / (x**2 + y**2), -y / (x**2 + y**2))),
    "hypot": ([(1.0, 2.0), (-3.0, 0.5)], lambda x, y: (x / np.hypot(x, y), y / np.hypot(x, y))),
    "logaddexp": ([(1.0, 2.0), (-3.0, 0.5)], lambda x, y: (np.exp(x) / (np.exp(x) + np.exp(y)), np.exp(y) / (np.exp(x) + np.exp(y)))),
    "logaddexp2": ([(1.0, 2.0), (-3.0, 0.5)], lambda x, y: (2.0**x / (2.0**x + 2.0**y), 2.0**y / (2.0**x + 2.0**y))),
    "maximum": ([(1.0, 2.0), (3.0, 0.5)], lambda x, y: (float(x > y), float(x < y))),
    "minimum": ([(1.0, 2.0), (3.0, 0.5)], lambda x, y: (float(x < y), float(x > y))),
    "fmax": ([(1.0, 2.0), (3.0, 0.5)], lambda x, y: (float(x > y), float(x < y))),
    "fmin": ([(1.0, 2.0), (3.0, 0.5)], lambda x, y: (float(x < y), float(x > y))),
    "remainder": ([(7.5, 2.0), (-3.2, 1.5)], lambda x, y: (1.0, -np.floor(x / y))),
    "fmod": ([(7.5, 2.0), (-3.2, 1.5)], lambda x, y: (1.0, -np.trunc(x / y))),
    "floor_divide": ([(7.5, 2.0), (-3.2, 1.5)], lambda x, y: (0.0, 0.0)),
}


def central(f, x, h=1e-6):
    return (f(x + h) - f(x - h)) / (2 * h)


@pytest.mark.parametrize("name", sorted(UNARY))
def test_unary_rule_exact_and_finite_differences(name):
    points, exact = UNARY[name]
    fn, uf = getattr(dd, name), getattr(np, name)
    for x in points:
        d = fn(Dual(x, 1.0))
        assert d.value == pytest.approx(float(uf(x)), rel=1e-14, abs=1e-300)
        assert d.derivative == pytest.approx(float(exact(np.float64(x))), rel=1e-12, abs=1e-14)
        assert d.derivative == pytest.approx(central(uf, x), rel=1e-6, abs=1e-7)
    # arrays, and the same rule reached through NumPy's own function (NEP 13)
    xs = np.array(points)
    for y in (fn(Dual(xs, np.ones_like(xs))), uf(Dual(xs, np.ones_like(xs)))):
        assert isinstance(y, Dual)
        np.testing.assert_allclose(y.value, uf(xs), rtol=1e-14)
        np.testing.assert_allclose(y.derivative, exact(xs), rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("name", sorted(BINARY))
def test_binary_rule_exact_and_finite_differences(name):
    points, exact = BINARY[name]
    fn, uf = getattr(dd, name), getattr(np, name)
    for x, y in points:
        ex, ey = exact(np.float64(x), np.float64(y))
        dx = fn(Dual(x, 1.0), y)
        dy = fn(x, Dual(y, 1.0))
        both = uf(Dual(x, 1.0), Dual(y, 2.0))  # tangents 1 and 2 together
        assert dx.value == pytest.approx(float(uf(x, y)), rel=1e-14)
        assert dx.derivative == pytest.approx(ex, rel=1e-12, abs=1e-14)
        assert dy.derivative == pytest.approx(ey, rel=1e-12, abs=1e-14)
        assert both.derivative == pytest.approx(ex + 2 * ey, rel=1e-12, abs=1e-14)
        assert dx.derivative == pytest.approx(central(lambda t: uf(t, y), x), rel=1e-6, abs=1e-7)
        assert dy.derivative == pytest.approx(central(lambda t: uf(x, t), y), rel=1e-6, abs=1e-7)


@pytest.mark.parametrize("name", sorted(UNARY))
def test_second_derivative_matches_finite_difference_of_first(name):
    points, exact = UNARY[name]
    fn = getattr(dd, name)
    for x in points:
        second = dd.derivative(lambda t: dd.derivative(fn, t), x)
        assert second == pytest.approx(central(lambda t: float(exact(np.float64(t))), x, 1e-5), rel=1e-5, abs=1e-6)


def test_operators_match_their_ufunc_rules():
    x, y = Dual(1.5, 1.0), Dual(-0.75, 0.25)
    pairs = [
        (x + y, dd.add(x, y)), (x - y, dd.subtract(x, y)), (x * y, dd.multiply(x, y)),
        (x / y, dd.divide(x, y)), (x**y.value, dd.power(x, y.value)), (2.0**x, dd.power(2.0, x)),
        (x // y, dd.floor_divide(x, y)), (x % y, dd.remainder(x, y)), (-x, dd.negative(x)), (abs(y), dd.absolute(y)),
        (3 - x, dd.subtract(3.0, x)), (3 / x, dd.divide(3.0, x)), (3 * x, dd.multiply(3.0, x)), (3 + x, dd.add(3.0, x)),
    ]
    for a, b in pairs:
        assert a.value == pytest.approx(b.value, rel=1e-15)
        assert a.derivative == pytest.approx(b.derivative, rel=1e-14)


def test_unknown_ufunc_raises_naming_it():
    with pytest.raises(TypeError, match="numpy.modf"):
        np.modf(Dual(1.5, 1.0))
    with pytest.raises(TypeError, match="gcd"):  # NumPy says so itself: gcd takes integers
        np.gcd(Dual(np.array([4.0]), np.ones(1)), 2)


def test_plain_inputs_give_plain_outputs():
    assert dd.sin(0.5) == math.sin(0.5) and type(dd.sin(0.5)) is float
    np.testing.assert_array_equal(dd.exp(np.array([0.0, 1.0])), np.exp([0.0, 1.0]))
    assert dd.log(0.0) == -math.inf  # as NumPy, not math's ValueError
    assert math.isnan(dd.sqrt(-1.0))
    assert dd.exp(1000.0) == math.inf
