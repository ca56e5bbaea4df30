"""The short paths that skip dispatch give what the general way gives: the same value, tangent,
dtype and tag, for every kind of operand they accept, and they step aside for the rest."""

from __future__ import annotations

import numpy as np
import pytest

import dualdiff
from dualdiff import Dual
from dualdiff.functions import shapes

RNG = np.random.default_rng(7)
V = RNG.standard_normal((2, 3))
T1 = RNG.standard_normal((2, 3))  # one direction
TK = RNG.standard_normal((4, 2, 3))  # four directions at once

OPERANDS = {
    "dual+list": lambda t: ([Dual(V[0], t[..., 0, :], tag=3), [0.0, 1.0]], 0),
    "list+dual": lambda t: ([[5.0], Dual(V[0], t[..., 0, :], tag=3)], 0),
    "ints+dual": lambda t: ([np.array([1, 2]), Dual(V[1], t[..., 1, :], tag=3)], 0),
    "float32+dual": lambda t: ([np.ones(2, np.float32), Dual(V[1], t[..., 1, :], tag=3)], 0),
    "dual+dual": lambda t: ([Dual(V, t, tag=3), Dual(2 * V, 3 * t, tag=3)], 1),
    "axis-1": lambda t: ([Dual(V, t, tag=3), np.zeros((2, 1)), Dual(V, -t, tag=3)], -1),
}


@pytest.mark.parametrize("tangent", [T1, TK], ids=["one-direction", "batched"])
@pytest.mark.parametrize("name", OPERANDS)
def test_concatenate_short_path_equals_the_primitive(name: str, tangent: np.ndarray) -> None:
    xs, axis = OPERANDS[name](tangent)
    operands = [shapes._as_operand(x) for x in xs]
    axis %= np.ndim(operands[0])
    assert shapes._concatenate_duals(operands, axis) is not None  # the short path takes them
    fast = np.concatenate(xs, axis)
    general = shapes._concatenate(*operands, axis=axis)  # the primitive's dispatch
    assert type(fast) is type(general) and fast.tag == general.tag == 3
    assert fast.value.dtype == general.value.dtype and fast.derivative.dtype == general.derivative.dtype
    np.testing.assert_array_equal(fast.value, general.value)
    np.testing.assert_array_equal(fast.derivative, general.derivative)


def test_concatenate_short_path_steps_aside() -> None:
    a = Dual(V[0], T1[0], tag=3)
    older = Dual(V[1], T1[1], tag=2)  # another differentiation's Dual: the general way orders the tags
    batched = Dual(V[1], TK[:, 1], tag=3)  # a different batch from a's
    for xs in ([a, older], [a, batched], [a, np.array([True])], [np.zeros(2), np.ones(2)]):
        assert shapes._concatenate_duals(xs, 0) is None
    mixed = np.concatenate([a, older])  # the newer tag is the outer number; the older is a constant to it
    assert mixed.tag == 3
    np.testing.assert_array_equal(mixed.derivative, np.concatenate([T1[0], np.zeros(3)]))


def test_concatenate_short_path_keeps_numpys_errors() -> None:
    with pytest.raises(ValueError):
        np.concatenate([Dual(V[0], T1[0]), np.zeros((2, 2))])


def test_jacobian_identity_seed_for_shaped_inputs() -> None:
    x = RNG.standard_normal((2, 3))
    J = dualdiff.jacobian(lambda z: np.sin(z) * z[::-1], x)  # the seed's ones laid out through a flat view
    expected = np.zeros((2, 3, 2, 3))
    for i in np.ndindex(2, 3):
        j = (1 - i[0], i[1])
        expected[i + i] += np.cos(x[i]) * x[j]
        expected[i + j] += np.sin(x[i])
    np.testing.assert_allclose(J, expected, rtol=1e-14, atol=1e-15)


@pytest.mark.parametrize("tangent", [T1[0], TK[:, 0]], ids=["one-direction", "batched"])
@pytest.mark.parametrize("index", [slice(1, None), slice(None, -1), slice(None, None, -2), slice(5, 9)])
def test_slicing_short_path_equals_the_general_indexing(tangent: np.ndarray, index: slice) -> None:
    x = Dual(V[0], tangent, tag=3)
    fast, general = x[index], x[(index,)]  # a tuple index takes the general way
    assert type(fast) is type(general) and fast.tag == general.tag == 3
    np.testing.assert_array_equal(fast.value, general.value)
    np.testing.assert_array_equal(fast.derivative, general.derivative)
    assert fast.derivative.shape == tangent.shape[:-1] + np.shape(V[0][index])
