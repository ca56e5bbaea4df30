"""The number type: construction, operators, comparisons, conversions that must refuse, nesting."""

import math

import numpy as np
import pytest

import dualdiff as dd
from dualdiff import Dual, derivative, gradient, jacobian


def test_the_readme_example():
    x = Dual(5.0, 1.0)
    y = 2 * x**2 + 2
    assert (y.value, y.derivative) == (52.0, 20.0)


def test_construction_promotes_and_validates():
    d = Dual(3, 1)
    assert type(d.value) is float and type(d.derivative) is float
    assert Dual(5.0).derivative == 0.0
    a = Dual([1, 2, 3], 1.0)
    assert a.value.dtype == float and a.derivative.tolist() == [1.0, 1.0, 1.0]
    assert Dual(np.zeros(3), np.ones((4, 3))).derivative.shape == (4, 3)  # 4 directions
    with pytest.raises(ValueError, match="derivative has the value's shape"):
        Dual(np.zeros(3), np.ones(2))
    with pytest.raises(TypeError, match="takes a number"):
        Dual("3")
    with pytest.raises(TypeError, match="dualdiff.stack"):
        Dual([Dual(1.0, 1.0)])


def test_immutable_and_readable():
    d = Dual(2.0, 1.0)
    with pytest.raises(AttributeError):
        d.value = 3.0  # type: ignore[misc]
    assert repr(d) == "Dual(2.0, 1.0)"
    assert "Dual(array([1., 2.]), array([0., 0.]))" == repr(Dual(np.array([1.0, 2.0])))


@pytest.mark.parametrize(
    "f, df",
    [
        (lambda x: x + 3, lambda x: 1), (lambda x: 3 + x, lambda x: 1), (lambda x: x - 3, lambda x: 1),
        (lambda x: 3 - x, lambda x: -1), (lambda x: 3 * x, lambda x: 3), (lambda x: x * x, lambda x: 2 * x),
        (lambda x: x / 3, lambda x: 1 / 3), (lambda x: 3 / x, lambda x: -3 / x**2), (lambda x: x**3, lambda x: 3 * x**2),
        (lambda x: 2**x, lambda x: 2**x * math.log(2)), (lambda x: x**x, lambda x: x**x * (math.log(x) + 1)),
        (lambda x: x**2.5, lambda x: 2.5 * x**1.5), (lambda x: -x, lambda x: -1), (lambda x: +x, lambda x: 1),
        (lambda x: abs(x), lambda x: math.copysign(1, x)), (lambda x: x // 2, lambda x: 0), (lambda x: 7 // x, lambda x: 0),
        (lambda x: x % 2, lambda x: 1), (lambda x: 7 % x, lambda x: -(7 // x)), (lambda x: divmod(x, 2)[1], lambda x: 1),
        (lambda x: x ** Dual(2.0), lambda x: 2 * x), (lambda x: x / x, lambda x: 0),
    ],
)
@pytest.mark.parametrize("x", [1.7, 2.5, 4.0])
def test_operator_derivatives_on_floats_and_arrays(f, df, x):
    assert derivative(f, x) == pytest.approx(df(x), rel=1e-13, abs=1e-15)
    arr = f(Dual(np.array([x, x]), np.ones(2)))
    np.testing.assert_allclose(arr.derivative, [df(x)] * 2, rtol=1e-13, atol=1e-15)


def test_numpy_scalars_and_arrays_on_either_side_stay_duals():
    x = Dual(np.array([1.0, 2.0]), np.array([1.0, 0.0]))
    for r in (np.float64(2.0) * x, x * np.float64(2.0), np.array([2.0, 3.0]) * x, x + np.array([1.0, 1.0]), np.array(2.0) - x):
        assert isinstance(r, Dual), type(r)
    assert (np.array([2.0, 3.0]) * x).derivative.tolist() == [2.0, 0.0]


def test_comparisons_look_at_values():
    a, b = Dual(1.0, 5.0), Dual(2.0, -1.0)
    assert a < b and a <= b and b > a and b >= a and a != b and a == Dual(1.0, 9.0) and a == 1.0
    assert max(a, b) is b and sorted([b, a])[0] is a
    assert bool(Dual(0.0, 1.0)) is False
    assert (Dual(np.array([1.0, 3.0])) > 2).tolist() == [False, True]


@pytest.mark.parametrize(
    "convert, word",
    [(float, "float()"), (int, "int()"), (complex, "complex()"), (math.sin, "float()"), (math.exp, "float()")],
)
def test_conversions_that_would_drop_the_derivative_refuse(convert, word):
    with pytest.raises(TypeError, match=re_escape(word) + ".*drop the Dual.s derivative.*x.value"):
        convert(Dual(1.0, 1.0))


def re_escape(s):
    import re

    return re.escape(s)


def test_writing_a_dual_into_a_float_array_refuses():
    a = np.zeros(3)
    with pytest.raises(TypeError, match="drop the Dual.s derivative"):
        a[0] = Dual(1.0, 1.0)
    with pytest.raises(TypeError, match="drop the Dual.s derivative"):
        np.fromiter(iter([Dual(1.0, 1.0)]), float)
    with pytest.raises(TypeError, match="drop the Dual.s derivative"):
        a[:2] = Dual(np.ones(2), np.ones(2))
    with pytest.raises(TypeError, match="drop the Dual.s derivative"):
        np.asarray(Dual(np.ones(2), np.ones(2)), dtype=float)
    with pytest.raises(TypeError, match="immutable"):
        Dual(np.ones(2))[0] = 1.0


def test_asarray_keeps_the_derivatives_in_an_object_array():
    obj = np.asarray(Dual(np.array([1.0, 2.0]), np.array([3.0, 4.0])))
    assert obj.dtype == object and obj.shape == (2,)
    assert [e.derivative for e in obj] == [3.0, 4.0]
    back = dd.stack(obj)
    assert back.derivative.tolist() == [3.0, 4.0]
    mean = np.mean(obj)  # NumPy's reductions over the object array keep the derivative too
    assert (mean.value, mean.derivative) == (1.5, 3.5)
    # and NumPy's ufuncs on such object arrays call the elements' methods, which carry derivatives
    assert [e.derivative for e in np.sin(obj)] == pytest.approx([3 * math.cos(1.0), 4 * math.cos(2.0)])


def test_indexing_iteration_and_len():
    x = Dual(np.arange(6.0).reshape(2, 3), np.ones((2, 3)))
    assert len(x) == 2 and x[1, 2].value == 5.0 and x[1, 2].derivative == 1.0
    assert type(x[0, 0].value) is float  # scalar entries come back as plain floats: the fast path
    assert [r.value.tolist() for r in x] == [[0.0, 1.0, 2.0], [3.0, 4.0, 5.0]]
    assert x[:, None, 1].shape == (2, 1) and x[..., -1].value.tolist() == [2.0, 5.0]
    assert x[x.value > 2].value.tolist() == [3.0, 4.0, 5.0]
    assert x[[1, 0], [0, 2]].value.tolist() == [3.0, 2.0]


def test_batched_directions_index_and_broadcast():
    # three directions carried together on a (2,)-array: derivative shape (3, 2)
    x = Dual(np.array([1.0, 2.0]), np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]]))
    y = x * np.array([[1.0], [10.0]])  # broadcasts to (2, 2): derivative (3, 2, 2)
    assert y.derivative.shape == (3, 2, 2)
    assert y.derivative[2].tolist() == [[1.0, 1.0], [10.0, 10.0]]
    assert x[1].derivative.tolist() == [0.0, 1.0, 1.0]


def test_nested_duals_give_second_derivatives():
    f = lambda x: x**3 * dd.sin(x)
    d2 = derivative(lambda t: derivative(f, t), 1.3)
    exact = 6 * 1.3 * math.sin(1.3) + 6 * 1.3**2 * math.cos(1.3) - 1.3**3 * math.sin(1.3)
    assert d2 == pytest.approx(exact, rel=1e-13)
    d3 = derivative(lambda a: derivative(lambda b: derivative(lambda c: c**4, b), a), 2.0)
    assert d3 == 24 * 2.0


# --- perturbation confusion (Siskind & Pearlmutter; ForwardDiff.jl issues 313 and 443) ---
def test_the_classic_perturbation_confusion_example():
    assert derivative(lambda x: x * derivative(lambda y: x + y, 1.0), 1.0) == 1.0


def test_d_dx_of_d_dy_x_is_zero():
    assert derivative(lambda x: derivative(lambda y: x, 2.0), 3.0) == 0.0


class Confuse:
    """A callable object that differentiates itself (ForwardDiff.jl issue 313)."""

    def __init__(self, whoami, x):
        self.whoami, self.x = whoami, x

    def __call__(self, xy):
        if self.whoami:
            return xy * derivative(Confuse(False, xy), 1.0)
        return self.x + xy


def test_a_callable_object_that_differentiates_itself():
    assert derivative(Confuse(True, 0.0), 1.0) == 1.0


def test_a_closure_that_mutates_a_captured_variable():
    # ForwardDiff.jl issue 443: the inner perturbation leaks into `box`; the right answer is 1
    def outer(x):
        box = [x]

        def f(y):
            box[0] = box[0] * y
            return box[0]

        derivative(f, 1.0)
        return derivative(f, 1.0)

    assert derivative(outer, 1.0) == 1.0


def test_jacobian_of_a_gradient_that_closes_over_the_outer_input_is_a():
    a = np.array([[1.0, 2.0], [3.0, 4.0]])
    inner = lambda x: gradient(lambda y: np.sum(y * (a @ x)), np.ones(2))
    np.testing.assert_allclose(jacobian(inner, np.array([0.5, -1.0])), a, rtol=1e-15)


def test_a_user_dual_is_a_constant_inside_derivative():
    c = Dual(2.0, 1.0)  # the user's own perturbation, tag 0
    r = derivative(lambda x: x * c, 3.0)  # d/dx (x c) = c, itself still carrying c's derivative
    assert isinstance(r, Dual) and (r.value, r.derivative) == (2.0, 1.0)


def test_copy_and_pickle_keep_value_derivative_and_tag():
    import copy
    import pickle

    for x in (Dual(1.0, 2.0), Dual(np.array([1.0, 2.0]), np.array([3.0, 4.0])), Dual(Dual(1.0, 1.0, tag=3), 2.0, tag=5)):
        for y in (copy.deepcopy(x), pickle.loads(pickle.dumps(x))):
            assert type(y) is type(x) and y.tag == x.tag
            assert repr(y) == repr(x)
