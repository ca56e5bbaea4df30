"""Pytrees: what is a leaf and what a node, derivatives with the input's structure and dtype, and
the at-a-point functions (gradient, jacobian, hessian) on dicts, checked against the same function
of one flat vector and against finite differences."""

from __future__ import annotations

from collections import OrderedDict, namedtuple
from typing import Any

import numpy as np
import pytest

import dualdiff as dd
from dualdiff.api.pytrees import flatten, is_leaf, ravel

MODES = ["forward", "reverse"]

P = {"W": np.array([[0.5, -1.0, 2.0], [1.5, 0.25, -0.5]]), "b": np.array([0.1, -0.2]), "s": 1.5}


def loss(p: dict[str, Any]) -> Any:
    return p["s"] ** 2 * np.sum(np.tanh(p["W"] @ np.array([1.0, 2.0, 3.0]) + p["b"]) ** 2)


def flat_loss(v: Any) -> Any:
    """loss of the same numbers as one vector: W (6), b (2), s (1), in the dict's order."""
    return loss({"W": v[:6].reshape((2, 3)), "b": v[6:8], "s": v[8]})


V = np.concatenate([P["W"].ravel(), P["b"], [P["s"]]])


def fd_gradient(f: Any, v: np.ndarray, h: float = 1e-6) -> np.ndarray:
    return np.array([(f(v + h * e) - f(v - h * e)) / (2 * h) for e in np.eye(v.size)])


def test_what_is_a_leaf() -> None:
    assert is_leaf(1.0) and is_leaf(np.zeros((2, 3))) and is_leaf([1.0, 2.0]) and is_leaf([[1.0], [2.0]])
    assert is_leaf([np.zeros(2), np.ones(2)])  # one array of shape (2, 2), as gradient has always read it
    assert is_leaf((1.0, "x"))  # one (bad) array: the number check refuses it, with today's message
    assert not is_leaf({"a": 1.0}) and not is_leaf([np.zeros((2, 3)), np.zeros(2)]) and not is_leaf([1.0, {"a": 2.0}])
    assert not is_leaf(namedtuple("P", "w b")(1.0, 2.0))  # a namedtuple is a node, even of equal shapes


def test_flatten_and_unflatten_round_trip_every_container() -> None:
    Pair = namedtuple("Pair", "w b")
    x = OrderedDict(a=[np.ones((2, 2)), (3.0, np.arange(3.0))], b=Pair(w=np.zeros(1), b={"c": 7}))
    leaves, tree = flatten(x)
    assert [np.shape(v) for v in leaves] == [(2, 2), (), (3,), (1,), ()]
    back = tree.unflatten(leaves)
    assert type(back) is OrderedDict and type(back["b"]) is Pair and type(back["a"][1]) is tuple
    assert back["b"].b == {"c": 7.0} and np.array_equal(back["a"][1][1], [0.0, 1.0, 2.0])
    vector, tree2 = ravel(x)
    assert vector.shape == (tree2.size,) == (10,)
    assert np.array_equal(tree2.take(tree2.unravel(vector))[2], np.arange(3.0))


def test_a_leaf_that_is_not_numbers_is_named_by_its_path() -> None:
    with pytest.raises(TypeError, match=r"x\['b'\]\[1\]\['name'\] must be a number or an array of numbers, not str"):
        dd.gradient(lambda p: p["a"] ** 2, {"a": 1.0, "b": [np.zeros(2), {"name": "w"}]})
    with pytest.raises(TypeError, match=r"x\['b'\] must be a number or an array of numbers, not NoneType"):
        dd.gradient(lambda p: p["a"] ** 2, {"a": 1.0, "b": None})
    for at_a_point in (dd.gradient, dd.jacobian, dd.hessian):  # NumPy reads None as nan
        with pytest.raises(TypeError, match="x must be a number or an array of numbers, not NoneType"):
            at_a_point(lambda v: v**2, None)


@pytest.mark.parametrize("mode", MODES)
def test_gradient_of_a_dict_has_its_structure_and_matches_the_flat_gradient(mode: str) -> None:
    g = dd.gradient(loss, P, mode=mode)
    assert set(g) == {"W", "b", "s"} and g["W"].shape == (2, 3) and g["b"].shape == (2,) and isinstance(g["s"], float)
    flat = dd.gradient(flat_loss, V, mode=mode)
    assert np.array_equal(np.concatenate([g["W"].ravel(), g["b"], [g["s"]]]), flat)
    assert np.allclose(flat, fd_gradient(flat_loss, V), rtol=1e-7, atol=1e-9)


@pytest.mark.parametrize("mode", MODES)
def test_hessian_of_a_dict_is_a_dict_of_dicts(mode: str) -> None:
    H = dd.hessian(loss, P, mode=mode)
    flat = dd.hessian(flat_loss, V, mode=mode)
    assert H["W"]["b"].shape == (2, 3, 2) and H["b"]["W"].shape == (2, 2, 3) and isinstance(H["s"]["s"], float)
    assert np.allclose(H["W"]["b"].reshape(6, 2), flat[:6, 6:8], rtol=1e-13, atol=0)
    assert np.allclose(H["b"]["s"], flat[6:8, 8], rtol=1e-13, atol=0)
    assert np.allclose(H["W"]["W"].reshape(6, 6), flat[:6, :6], rtol=1e-13, atol=0)
    assert np.allclose(flat, flat.T, rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("mode", MODES)
def test_jacobian_of_a_ragged_tuple_input(mode: str) -> None:
    W, b = np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]), np.array([0.5, -0.5])
    x = np.array([1.0, -1.0, 2.0])
    J = dd.jacobian(lambda p: p[0] @ x + p[1] ** 2, (W, b), mode=mode)
    assert type(J) is tuple and J[0].shape == (2, 2, 3) and J[1].shape == (2, 2)
    assert np.array_equal(J[0][0], [x, [0.0, 0.0, 0.0]]) and np.array_equal(J[0][1], [[0.0, 0.0, 0.0], x])
    assert np.array_equal(J[1], np.diag(2 * b))


def test_a_list_of_numbers_is_still_one_array() -> None:
    g = dd.gradient(lambda v: v[0] ** 2 * v[1], [3.0, 2.0])
    assert isinstance(g, np.ndarray) and g.tolist() == [12.0, 9.0]
    seen = []
    dd.gradient(lambda v: seen.append(type(v).__name__) or np.sum(v**2), [np.ones(2), np.ones(2)])
    assert seen == ["DualArray"]  # equal shapes: one (2, 2) array, as before


@pytest.mark.parametrize("mode", MODES)
def test_float32_in_float32_out(mode: str) -> None:
    x32 = np.array([0.5, 1.5, -2.0], dtype=np.float32)
    f = lambda v: np.sum(np.sin(v) * v)
    g = dd.gradient(f, x32, mode=mode)
    assert g.dtype == np.float32
    assert np.allclose(g, np.sin(x32.astype(float)) + x32.astype(float) * np.cos(x32.astype(float)), rtol=1e-6)
    assert dd.hessian(f, x32, mode=mode).dtype == np.float32 and dd.jacobian(np.sin, x32, mode=mode).dtype == np.float32
    s = dd.gradient(lambda t: t**3, np.float32(2.0), mode=mode)
    assert np.asarray(s).dtype == np.float32 and float(s) == 12.0
    tree = dd.gradient(lambda p: np.sum(p["a"] ** 2) + p["b"] ** 2, {"a": x32, "b": 2.0}, mode=mode)
    assert tree["a"].dtype == np.float32 and isinstance(tree["b"], float)  # each leaf keeps its own
    # integers and lists become float64, as before
    assert dd.gradient(f, np.array([1, 2]), mode=mode).dtype == np.float64
    assert dd.gradient(f, [np.float32(1.0), np.float32(2.0)], mode=mode).dtype == np.float64


def test_mixed_float32_and_float64_leaves_of_a_hessian_promote() -> None:
    H = dd.hessian(lambda p: np.sum(p["a"] ** 2 * p["b"]), {"a": np.ones(2, np.float32), "b": 3.0})
    assert H["a"]["a"].dtype == np.float32 and np.asarray(H["a"]["b"]).dtype == np.float64
    assert np.array_equal(H["a"]["a"], 6 * np.eye(2)) and np.array_equal(H["a"]["b"], [2.0, 2.0])


def test_an_empty_dict_has_an_empty_gradient() -> None:
    assert dd.gradient(lambda p: 3.0, {}) == {}


def test_a_gradient_inside_a_differentiation_takes_a_dict_of_duals() -> None:
    # d/dc of the gradient's "a" entry of c * a**2 * b at a=2, b=3: 2ab = 12
    inner = lambda c: dd.gradient(lambda p: c * p["a"] ** 2 * p["b"], {"a": 2.0, "b": 3.0})["a"]
    assert dd.derivative(inner, 1.0) == 12.0


def test_calling_an_at_a_point_function_without_its_point_names_the_transform() -> None:
    with pytest.raises(TypeError, match=r"hessian\(f, x\) evaluates .* use dualdiff.hess\(f\)"):
        dd.hessian(loss)
    with pytest.raises(TypeError, match=r"use dualdiff.grad\(f\)"):
        dd.gradient(loss)
    with pytest.raises(TypeError, match=r"use dualdiff.jacfwd\(f\) or dualdiff.jacrev\(f\)"):
        dd.jacobian(loss)
