"""The forward-mode API on scalars, lists and arrays, its shapes, and its errors."""

import math

import numpy as np
import pytest

import dualdiff as dd
from dualdiff import default_chunk, derivative, gradient, hessian, jacobian, jvp


def rosen(x):
    return np.sum(100 * (x[1:] - x[:-1] ** 2) ** 2 + (1 - x[:-1]) ** 2)


def central_gradient(f, x, h=1e-6):
    x = np.asarray(x, dtype=float)
    g = np.zeros(x.shape + np.shape(f(x)))
    for i in np.ndindex(*x.shape):
        e = np.zeros_like(x)
        e[i] = h
        g[i] = (np.asarray(f(x + e)) - np.asarray(f(x - e))) / (2 * h)
    return g


def test_derivative_of_scalar_and_array_valued_functions():
    assert derivative(lambda x: 2 * x**3 + 4, 5.0) == 150.0
    assert derivative(lambda x: 2 * x**3 + 4, 5) == 150.0  # ints are promoted
    d = derivative(lambda x: np.array([1.0, 2.0]) * x**2, 3.0)
    assert d.tolist() == [6.0, 12.0]
    d = derivative(lambda x: dd.stack([x, x**2, 7.0]), 3.0)
    assert d.tolist() == [1.0, 6.0, 0.0]


def test_rosenbrock_gradient_and_hessian_exact():
    x = [0.1, 0.2, 0.3]
    np.testing.assert_allclose(gradient(rosen, x), [-9.4, 15.6, 52.0], rtol=1e-14)
    h = hessian(rosen, x)
    np.testing.assert_allclose(h, [[-66, -40, 0], [-40, 130, -80], [0, -80, 200]], rtol=1e-14, atol=1e-12)
    np.testing.assert_allclose(gradient(rosen, x), central_gradient(rosen, x), rtol=1e-6)


@pytest.mark.parametrize("x", [[0.5, -1.0, 2.0], np.array([0.5, -1.0, 2.0]), (0.5, -1.0, 2.0)])
def test_gradient_takes_lists_tuples_and_arrays(x):
    f = lambda v: np.sum(np.sin(v) * v**2)
    g = gradient(f, x)
    xs = np.asarray(x)
    np.testing.assert_allclose(g, np.cos(xs) * xs**2 + 2 * xs * np.sin(xs), rtol=1e-14)


def test_gradient_keeps_the_input_shape():
    x = np.arange(6.0).reshape(2, 3) / 7
    f = lambda m: np.sum(m**3) * m[0, 1]
    g = gradient(f, x)
    assert g.shape == (2, 3)
    np.testing.assert_allclose(g, central_gradient(f, x), rtol=1e-6)


def test_jacobian_shape_is_output_shape_plus_input_shape():
    x = np.arange(1.0, 7.0).reshape(2, 3)
    f = lambda m: np.stack([np.sum(m * m, axis=0), np.sin(m[1])])  # (2, 3) -> (2, 3)
    j = jacobian(f, x)
    assert j.shape == (2, 3, 2, 3)
    np.testing.assert_allclose(j, np.moveaxis(central_gradient(f, x), [0, 1], [2, 3]), rtol=1e-6, atol=1e-8)
    # a scalar input: the result has the output's shape
    assert jacobian(lambda t: np.array([1.0, 2.0]) * t, 2.0).tolist() == [1.0, 2.0]


def test_hessian_of_a_scalar_function_of_a_scalar():
    assert hessian(lambda t: t**4, 2.0) == 48.0


def test_jvp_one_direction_and_many():
    f = lambda v: np.stack([v[0] * v[1], np.sin(v[1])])
    x = np.array([2.0, 0.5])
    value, t = jvp(f, x, [1.0, -1.0])
    np.testing.assert_allclose(value, [1.0, math.sin(0.5)])
    j = jacobian(f, x)
    np.testing.assert_allclose(t, j @ [1.0, -1.0], rtol=1e-15)
    V = np.array([[1.0, 0.0, 2.0], [0.0, 1.0, 3.0]])  # three directions as columns
    value2, t2 = jvp(f, x, V)
    assert t2.shape == (2, 3)
    np.testing.assert_allclose(t2, j @ V, rtol=1e-15)
    assert jvp(lambda t: t**2, 3.0, 0.5) == (9.0, 3.0)


def test_chunks_agree_with_one_pass_and_with_single_directions():
    n = 50
    x = np.linspace(-1, 1, n)
    f = lambda v: np.sin(v) * v[::-1] + np.sum(v**2)
    full = jacobian(f, x, chunk=n)
    for chunk in (1, 7, 49):
        np.testing.assert_allclose(jacobian(f, x, chunk=chunk), full, rtol=1e-15, atol=0)
    single = np.stack([jvp(f, x, e)[1] for e in np.eye(n)], axis=-1)
    np.testing.assert_allclose(full, single, rtol=1e-15, atol=0)


def test_default_chunk_splits_large_inputs_and_the_remainder_runs():
    n = 1100
    k = default_chunk(n)
    assert k < n and n % k != 0  # at least two passes and a remainder pass
    x = np.linspace(0.1, 2.0, n)
    g = gradient(lambda v: np.sum(np.log(v) * v), x)
    np.testing.assert_allclose(g, np.log(x) + 1, rtol=1e-14)


def test_a_function_that_ignores_its_input_has_derivative_zero():
    assert derivative(lambda x: 3.0, 1.0) == 0.0
    assert gradient(lambda v: 3.0, [1.0, 2.0]).tolist() == [0.0, 0.0]
    assert jacobian(lambda v: np.ones(2), [1.0, 2.0, 3.0]).tolist() == [[0.0] * 3] * 2
    assert derivative(lambda x: np.ones(3), 1.0).tolist() == [0.0] * 3
    assert hessian(lambda v: v[0], [1.0, 2.0]).tolist() == [[0.0, 0.0], [0.0, 0.0]]


def test_errors_say_what_is_wrong():
    with pytest.raises(ValueError, match="gradient needs f to return a scalar.*jacobian"):
        gradient(lambda v: v * 2, [1.0, 2.0])
    with pytest.raises(ValueError, match="takes a scalar x.*gradient or jacobian"):
        derivative(lambda v: v, [1.0, 2.0])
    with pytest.raises(TypeError, match="x must be a number or an array"):
        gradient(lambda v: v, "abc")
    with pytest.raises(TypeError, match="returned a str"):
        derivative(lambda v: "no", 1.0)
    with pytest.raises(ValueError, match="v must have x's shape"):
        jvp(lambda v: v, [1.0, 2.0], [1.0, 2.0, 3.0])
    with pytest.raises(ValueError, match="chunk must be a positive"):
        jacobian(lambda v: v, [1.0, 2.0], chunk=0)


def test_float32_in_float32_out_for_derivative_jvp_vjp_hvp():
    x, X = np.float32(2.0), np.array([1.0, 2.0], dtype=np.float32)
    d = dd.derivative(lambda t: t * t, x)
    assert d == 4.0 and type(d) is np.float32
    for r in (*dd.jvp(lambda t: t * t, X, X), *dd.vjp(lambda t: t * t, X, np.ones(2)), dd.hvp(lambda t: np.sum(t**3), X, X)):
        assert r.dtype == np.float32
    np.testing.assert_array_equal(dd.hvp(lambda t: np.sum(t**3), X, X), [6.0, 24.0])
    assert type(dd.derivative(lambda t: t * t, 2.0)) is float  # float64 as before
