"""The documented conventions at non-differentiable and special points (docs/conventions.md)."""

import math
import warnings

import numpy as np
import pytest

import dualdiff as dd
from dualdiff import Dual, derivative, gradient, hessian

inf, nan = math.inf, math.nan


def same(a, b):
    """Equal, counting nan == nan."""
    return (math.isnan(a) and math.isnan(b)) or a == b


def both_forms(x, fn):
    """fn applied to a float Dual and to an array Dual: the two must agree."""
    s = fn(Dual(x, 1.0))
    a = fn(Dual(np.array([x]), np.ones(1)))
    assert same(s.value, a.value[0]) and same(s.derivative, a.derivative[0]), (s, a)
    return s.value, s.derivative


@pytest.mark.parametrize("x", [0.0, -0.0, 2.0, -3.0])
def test_x_to_the_zero_is_one_with_derivative_zero_at_every_order(x):
    assert both_forms(x, lambda t: t**0) == (1.0, 0.0)
    assert derivative(lambda t: derivative(lambda s: s**0, t), x) == 0.0
    assert derivative(lambda t: np.power(t, 0.0), x) == 0.0


@pytest.mark.parametrize("c, expected", [(0.5, inf), (1.0, 1.0), (1.5, 0.0), (2, 0.0), (3, 0.0)])
def test_x_to_a_constant_at_zero(c, expected):
    assert both_forms(0.0, lambda t: t**c) == (0.0, expected)


@pytest.mark.filterwarnings("ignore::RuntimeWarning")  # NumPy warns on the primal, as for plain arrays
@pytest.mark.parametrize("y, value, expected", [(0.5, 0.0, 0.0), (2.0, 0.0, 0.0), (0.0, 1.0, -inf), (-1.0, inf, -inf)])
def test_zero_to_a_dual_power(y, value, expected):
    s = 0.0 ** Dual(y, 1.0)
    a = np.power(0.0, Dual(np.array([y]), np.ones(1)))
    assert (s.value, s.derivative) == (value, expected)
    assert (a.value[0], a.derivative[0]) == (value, expected)


@pytest.mark.parametrize("point, expected", [((0.0, 0.5), [inf, 0.0]), ((0.0, 1.5), [0.0, 0.0]), ((0.0, 0.0), [0.0, -inf])])
def test_both_dual_power_at_zero_uses_the_same_two_partials(point, expected):
    assert list(gradient(lambda v: v[0] ** v[1], list(point))) == expected


@pytest.mark.filterwarnings("ignore::RuntimeWarning")  # NumPy warns on the primal, as for plain arrays
def test_negative_base():
    assert both_forms(-2.0, lambda t: t**3) == (-8.0, 12.0)
    assert both_forms(-2.0, lambda t: t**-1) == (-0.5, -0.25)
    v, d = both_forms(-2.0, lambda t: t**0.5)
    assert math.isnan(v) and math.isnan(d)
    # integer exponent, moving exponent: the y-partial log(x) is nan for x < 0
    g = gradient(lambda v: v[0] ** v[1], [-2.0, 2.0])
    assert g[0] == -4.0 and math.isnan(g[1])


def test_abs_and_sign_at_zero_follow_the_sign_bit():
    assert both_forms(0.0, abs) == (0.0, 1.0)
    assert both_forms(-0.0, abs) == (0.0, -1.0)
    assert both_forms(0.0, dd.sign) == (0.0, 0.0)
    # why the sign-bit rule: |x|**2 = x**2 has second derivative 2 everywhere, 0 included
    assert hessian(lambda x: abs(x) ** 2, 0.0) == 2.0
    assert hessian(lambda x: np.sum(np.abs(x) ** 2), [0.0, 1.0]).tolist() == [[2.0, 0.0], [0.0, 2.0]]


@pytest.mark.filterwarnings("ignore::RuntimeWarning")  # NumPy warns on the primal, as for plain arrays
@pytest.mark.parametrize("fn, value", [(dd.sqrt, 0.0), (dd.cbrt, 0.0), (dd.log, -inf)])
def test_infinite_slope_at_zero_and_a_zero_tangent(fn, value):
    assert both_forms(0.0, fn) == (value, inf)
    # by hand, a zero tangent is just a number: 0 times inf is nan (it may be a zero of the point)
    assert math.isnan(fn(Dual(0.0, 0.0)).derivative)
    assert fn(Dual(np.zeros(2), np.array([0.0, 1.0]))).derivative[1] == inf
    # through the API, a direction that does not move the input moves nothing
    assert dd.jvp(fn, 0.0, 0.0) == (value, 0.0)
    assert dd.jvp(fn, np.zeros(2), np.array([0.0, 1.0]))[1].tolist() == [0.0, inf]


def test_norm_at_zero_a_subgradient_then_nan():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for mode in ("forward", "reverse"):  # the cone |v| has no derivative at 0: nan, not a number
            assert np.isnan(gradient(lambda v: np.sqrt(v[0] ** 2 + v[1] ** 2), [0.0, 0.0], mode=mode)).all()
            # np.linalg.norm's convention: the minimum-norm subgradient 0, and nan beyond the first order
            assert gradient(np.linalg.norm, [0.0, 0.0], mode=mode).tolist() == [0.0, 0.0]
            assert gradient(lambda v: np.linalg.norm(v) ** 2, [0.0, 0.0], mode=mode).tolist() == [0.0, 0.0]
            assert np.isnan(hessian(lambda v: np.linalg.norm(v) ** 2, [0.0, 0.0], mode=mode)).all()
            assert hessian(lambda v: np.linalg.norm(v) ** 2, [1.0, 2.0], mode=mode).tolist() == [[2.0, 0.0], [0.0, 2.0]]
            # a zero gradient entry does not turn into nan beside an infinite one
            assert gradient(lambda v: np.sqrt(v[0]) + v[1], [0.0, 1.0], mode=mode).tolist() == [inf, 1.0]


@pytest.mark.parametrize("fn", [dd.maximum, dd.minimum, dd.fmax, dd.fmin, np.maximum, np.minimum])
def test_a_tie_gives_the_whole_derivative_to_the_second_argument(fn):
    r = fn(Dual(1.0, 1.0), Dual(1.0, 2.0))
    assert (r.value, r.derivative) == (1.0, 2.0)
    assert derivative(lambda x: fn(x, x), 3.0) == 1.0


def test_fmax_skips_nan_and_takes_the_other_derivative():
    r = dd.fmax(Dual(2.0, 5.0), Dual(nan, 7.0))
    assert (r.value, r.derivative) == (2.0, 5.0)


@pytest.mark.filterwarnings("ignore::RuntimeWarning")  # NumPy warns on the primal, as for plain arrays
def test_division_by_zero_follows_ieee_like_numpy():
    r = 1 / Dual(0.0, 1.0)
    assert (r.value, r.derivative) == (inf, -inf)
    r = Dual(1.0, 1.0) / 0.0
    assert r.value == inf
    r = Dual(np.array([1.0]), np.ones(1)) / Dual(np.array([0.0]), np.ones(1))
    assert r.value[0] == inf


@pytest.mark.parametrize("fn", [dd.floor, dd.ceil, dd.trunc, dd.rint, math.floor, math.ceil, math.trunc, round])
def test_piecewise_constant_functions_have_derivative_zero(fn):
    r = fn(Dual(2.5, 1.0))
    assert r.derivative == 0.0 and r.value == float(np.asarray(fn(2.5)))


def test_a_branch_differentiates_the_piece_it_takes():
    relu = lambda x: x if x > 0 else 0 * x
    assert derivative(relu, 2.0) == 1.0
    assert derivative(relu, -2.0) == 0.0
    assert derivative(relu, 0.0) == 0.0  # the branch taken at 0 is the constant piece


# f, point, gradient: 0 times inf is 0 where the zero cannot move (a constant factor 0, a direction
# that does not reach the entry, an unselected branch), nan where it is a zero of the point
ZERO_TIMES_INF = [
    (lambda v: np.sqrt(v[0] * v[0] + v[1] * v[1]), [0.0, 0.0], [nan, nan]),  # the norm at 0: a cone
    (lambda v: np.sqrt(v[0]) * 0.0 + v[1], [0.0, 1.0], [0.0, 1.0]),  # f does not depend on v[0]
    (lambda v: v[0] * np.sqrt(v[1]), [0.0, 0.0], [0.0, nan]),  # v[0] = 0 is a point, not a constant...
    (lambda v: np.sqrt(v[0]) * v[1], [0.0, 0.0], [nan, 0.0]),  # ... (a constant in `derivative` below)
    (lambda v: np.cbrt(v[0]) ** 0 + np.log(v[1]) * 0.0, [0.0, 0.0], [0.0, 0.0]),
    (lambda v: np.sqrt(v[0]) + v[1], [0.0, 1.0], [inf, 1.0]),  # v[0] moves f: inf is the answer
    (lambda v: np.cbrt(v[0] ** 3) + v[1], [0.0, 1.0], [nan, 1.0]),  # slope 1, but x**3 = 0 is a point
    (lambda v: np.sqrt(v[0] - v[0]) + v[1], [0.0, 1.0], [nan, 1.0]),  # a zero by cancellation
    (lambda v: dd.maximum(v[0], np.sqrt(v[1])), [1.0, 0.0], [1.0, 0.0]),  # the unselected branch
    (lambda v: np.where(v[0] > 0, np.sqrt(v[0]), 0.0) + v[1], [0.0, 1.0], [0.0, 1.0]),  # the where trick
    (lambda v: np.floor(np.sqrt(v[0])) + v[1], [0.0, 1.0], [0.0, 1.0]),  # a step does not follow
]


@pytest.mark.parametrize("f, x, expected", ZERO_TIMES_INF)
def test_zero_times_infinity_is_zero_only_where_the_zero_cannot_move(f, x, expected):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for mode in ("forward", "reverse"):
            np.testing.assert_equal(gradient(f, x, mode=mode), expected, err_msg=mode)
    # scalar Duals (the short paths) and array Duals (the rules) agree; NumPy may warn on the constant
    # one partial at a time, the other coordinate is a constant: a constant 0 factor makes 0
    partials = [0.0 if f in (ZERO_TIMES_INF[2][0], ZERO_TIMES_INF[3][0]) else e for e in expected]
    with np.errstate(all="ignore"):
        np.testing.assert_equal([derivative(lambda t: f([t, x[1]]), x[0]), derivative(lambda t: f([x[0], t]), x[1])], partials)


def test_zero_times_infinity_is_zero_on_arrays_in_both_modes():
    f = lambda v: np.sum(np.sqrt(v) * np.array([0.0, 1.0, 1.0]) + np.sin(np.sqrt(v)) * np.zeros(3))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for mode in ("forward", "reverse"):
            assert gradient(f, [0.0, 1.0, 4.0], mode=mode).tolist() == [0.0, 0.5, 0.25], mode


def test_std_of_one_value_has_derivative_zero_in_both_modes():
    # std of a single value is the constant 0 (the reduction knows it): every derivative is 0, on
    # Python floats, NumPy scalars and arrays alike, where sqrt of a variance made 0 by cancellation
    # would be nan
    for x in (3.5, [3.5], np.array([[3.5]])):
        for mode in ("forward", "reverse"):
            assert np.all(dd.gradient(np.std, x, mode=mode) == 0.0)
            assert np.all(dd.hessian(np.std, x, mode=mode) == 0.0)
    assert np.all(dd.gradient(lambda v: np.sum(np.std(v, axis=1)), np.ones((2, 1))) == 0.0)
    assert np.isnan(dd.gradient(np.std, [2.0, 2.0])).all()  # equal values, n > 1: a cone's tip


def test_std_of_one_complex_value_has_derivative_zero_in_both_modes():
    for mode in ("forward", "reverse"):
        assert dd.gradient(lambda a: np.std(a + 0.7j), 0.3, mode=mode) == 0.0
        assert np.all(dd.gradient(lambda a: np.std(a + 0.7j), [0.3], mode=mode) == 0.0)


def test_zero_to_a_power_has_every_derivative_zero_in_both_modes():
    # 0**y is the constant 0 for y > 0: no order meets log(0) = -inf (in reverse mode it would be
    # an infinite gradient meeting a zero partial)
    for mode in ("forward", "reverse"):
        assert dd.gradient(lambda v: np.power(0.0, v[0]), [0.3], mode=mode).tolist() == [0.0]
        assert dd.hessian(lambda v: np.power(0.0, v[0]), [0.3], mode=mode).tolist() == [[0.0]]
    assert derivative(lambda y: derivative(lambda z: 0.0**z, y), 0.3) == 0.0
    assert derivative(lambda y: 0.0**y, 0.0) == -inf  # at y = 0 the limit from above, as before
