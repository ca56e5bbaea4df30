"""Reverse mode: the Var tape, its structural rules, and the reverse API, against known values and
against forward mode."""

from __future__ import annotations

import gc
import math
import operator
import threading
import tracemalloc
import weakref

import numpy as np
import pytest

import dualdiff as dd
from dualdiff import rules
from dualdiff.core.tape import Var
from dualdiff.rules.elementwise import Elementwise

RNG = np.random.default_rng(42)


def both(f, x):
    """The Jacobian of f at x in forward and in reverse mode."""
    return dd.jacobian(f, x), dd.jacobian(f, x, mode="reverse")


def assert_modes_agree(f, x, rtol=1e-12):
    fwd, rev = both(f, x)
    assert np.shape(rev) == np.shape(fwd)
    scale = max(1.0, float(np.max(np.abs(fwd)))) if np.size(fwd) else 1.0
    np.testing.assert_allclose(rev, fwd, rtol=rtol, atol=rtol * scale)
    return fwd


# --- worked examples ---
def test_seed_chain_rule_both_modes():
    x, y = Var(1.0, name="x"), Var(2.0, name="y")
    t = x + y
    z = t**2
    assert (t.value, z.value) == (3.0, 9.0)
    assert z.op == "**2" and z.parents == (t,) and t.op == "+" and t.parents == (x, y)
    assert x.grad is None  # nothing until backward
    z.backward()
    assert (z.grad, t.grad, x.grad, y.grad) == (1.0, 6.0, 6.0, 6.0)
    # forward mode, one input at a time, gives the same numbers
    assert dd.derivative(lambda a: (a + 2.0) ** 2, 1.0) == 6.0
    assert dd.derivative(lambda b: (1.0 + b) ** 2, 2.0) == 6.0


def test_book_chapter5_apples():
    apple, count, tax = Var(100.0, name="apple"), Var(2.0, name="count"), Var(1.1, name="tax")
    price = apple * count * tax
    price.backward()
    assert price.value == pytest.approx(220.0)
    assert apple.grad == pytest.approx(2.2)
    assert count.grad == pytest.approx(110.0)
    assert tax.grad == pytest.approx(200.0)


def test_book_chapter5_apples_and_oranges():
    apple, n_apple, orange, n_orange, tax = (Var(v) for v in (100.0, 2.0, 150.0, 3.0, 1.1))
    total = (apple * n_apple + orange * n_orange) * tax
    total.backward()
    assert total.value == pytest.approx(715.0)
    grads = [v.grad for v in (apple, n_apple, orange, n_orange, tax)]
    np.testing.assert_allclose(grads, [2.2, 110.0, 3.3, 165.0, 650.0], rtol=1e-12)
    f = lambda p: (p[0] * p[1] + p[2] * p[3]) * p[4]
    x = [100.0, 2.0, 150.0, 3.0, 1.1]
    np.testing.assert_allclose(dd.gradient(f, x, mode="reverse"), grads, rtol=1e-15)
    np.testing.assert_allclose(dd.gradient(f, x), grads, rtol=1e-15)


# --- every elementwise rule of the table, forward against reverse ---
RULES = {n: r for n, r in vars(rules).items() if isinstance(r, Elementwise)}
DOMAIN = {  # where the rule is smooth; default (-2, 2) avoiding 0
    "arccosh": (1.2, 3.0), "log": (0.2, 3.0), "log2": (0.2, 3.0), "log10": (0.2, 3.0), "log1p": (-0.5, 2.0),
    "sqrt": (0.2, 3.0), "arcsin": (-0.9, 0.9), "arccos": (-0.9, 0.9), "arctanh": (-0.9, 0.9),
    "power": (0.3, 2.0), "float_power": (0.3, 2.0),
}


def points(name, n, seed=0):
    lo, hi = DOMAIN.get(name, (0.3, 2.0))
    rng = np.random.default_rng(seed)
    return rng.uniform(lo, hi, n) * (rng.choice([-1, 1], n) if name not in DOMAIN else 1)


@pytest.mark.parametrize("name", sorted(RULES))
def test_every_rule_forward_equals_reverse_on_arrays(name):
    rule = RULES[name]
    if rule.nargs == 1:
        f = lambda x: rule(x)
        x = points(name, 4)
    else:
        f = lambda z: rule(z[:4], z[4:])
        x = np.concatenate([points(name, 4, 1), points(name, 4, 2)])
    assert_modes_agree(f, x)


@pytest.mark.parametrize("name", sorted(RULES))
def test_every_rule_forward_equals_reverse_on_floats(name):
    rule = RULES[name]
    if rule.nargs == 1:
        x0 = float(points(name, 1)[0])
        fwd = dd.derivative(rule, x0)
        rev = dd.gradient(rule, x0, mode="reverse")
        assert type(rev) is float
        assert rev == pytest.approx(fwd, rel=1e-13, abs=1e-300)
    else:
        a, b = (float(points(name, 1, s)[0]) for s in (1, 2))
        x, y = Var(a), Var(b)
        r = rule(x, y)
        r.backward()
        assert r.op in ("+", "-", "*", "/", "**", name)
        fwd = dd.gradient(lambda z: rule(z[0], z[1]), [a, b])
        np.testing.assert_allclose([x.grad, y.grad], fwd, rtol=1e-13)


def test_rule_with_a_constant_and_broadcasting_sums_the_gradient_back():
    x = Var(np.array([[1.0], [2.0], [3.0]]))  # (3, 1) against (4,): the result is (3, 4)
    y = Var(np.array([1.0, 2.0, 3.0, 4.0]))
    np.sum(np.arctan2(x, y) * 2.0).backward()
    assert x.grad.shape == (3, 1) and y.grad.shape == (4,)
    X, Y = np.broadcast_arrays(x.value, y.value)
    dx = 2 * Y / (X**2 + Y**2)
    dy = -2 * X / (X**2 + Y**2)
    np.testing.assert_allclose(x.grad, dx.sum(axis=1, keepdims=True), rtol=1e-14)
    np.testing.assert_allclose(y.grad, dy.sum(axis=0), rtol=1e-14)


def test_scalar_var_broadcast_against_an_array():
    s = Var(2.0)
    (np.sum(s * np.arange(5.0))).backward()
    assert s.grad == 10.0 and type(s.grad) is float


def test_numpy_ufuncs_and_dualdiff_functions_record_the_same_node():
    x = Var(np.array([0.5, 1.0]))
    a, b = np.sin(x), dd.sin(x)
    assert a.op == b.op == "sin" and a.parents == b.parents == (x,)
    np.testing.assert_array_equal(a.value, b.value)
    c = np.array([1.0, 2.0]) * x  # ndarray on the left defers to the Var
    assert isinstance(c, Var) and c.op == "*"


def test_special_points_follow_the_forward_conventions():
    for z in (0.0, -0.0):
        assert dd.gradient(abs, z, mode="reverse") == dd.gradient(abs, z) == math.copysign(1.0, z)
    assert dd.gradient(np.sqrt, 0.0, mode="reverse") == math.inf
    assert dd.gradient(lambda x: x**0, 0.0, mode="reverse") == 0.0
    assert dd.gradient(lambda x: np.maximum(x, 1.0), 1.0, mode="reverse") == 0.0  # a tie goes to y
    # a constant 0 factor makes the gradient through an infinite local derivative 0...
    x = Var(0.0)
    y = np.sqrt(x) * 0.0 + x
    y.backward()
    assert x.grad == 1.0
    # ... a moving factor that is 0 at this point does not: 0 * inf is nan, as in forward mode
    x, z = Var(0.0), Var(0.0)
    y = np.sqrt(x) * z + x
    y.backward()
    assert math.isnan(x.grad) and z.grad == 0.0
    assert math.isnan(dd.gradient(lambda v: np.sqrt(v[0]) * v[1] + v[0], [0.0, 0.0])[0])


# --- structural rules, forward against reverse ---
M = RNG.standard_normal((3, 4))
STRUCTURAL = {
    "reshape": lambda x: np.reshape(x, (4, 3)) * M.T,
    "method reshape": lambda x: x.reshape(2, 6) ** 2,
    "ravel": lambda x: np.ravel(x) * np.arange(12.0),
    "transpose": lambda x: np.transpose(x) @ M,
    "T": lambda x: np.sin(x.T),
    "transpose axes": lambda x: np.transpose(np.reshape(x, (2, 3, 2)), (1, 2, 0)) ** 3,
    "swapaxes": lambda x: np.swapaxes(np.reshape(x, (2, 3, 2)), 0, 2) * np.arange(12.0).reshape(2, 3, 2),
    "moveaxis": lambda x: np.moveaxis(np.reshape(x, (2, 3, 2)), 0, -1) ** 2,
    "squeeze": lambda x: np.squeeze(np.reshape(x, (1, 12, 1))) ** 2,
    "expand_dims": lambda x: np.expand_dims(x, 1) * np.ones((3, 2, 4)),
    "broadcast_to": lambda x: np.broadcast_to(x[0], (5, 4)) * np.arange(20.0).reshape(5, 4),
    "sum": lambda x: np.sum(x**2),
    "sum axis": lambda x: np.sum(x**2, axis=0),
    "sum axis -1 keepdims": lambda x: np.sum(x**3, axis=-1, keepdims=True),
    "sum axes": lambda x: np.sum(np.reshape(x, (2, 3, 2)) ** 2, axis=(0, 2)),
    "method sum": lambda x: (x * M).sum(axis=1),
    "mean": lambda x: np.mean(np.exp(x)),
    "mean axis": lambda x: np.mean(np.exp(x), axis=1),
    "getitem int": lambda x: x[1] ** 2,
    "getitem slice": lambda x: x[1:, ::2] * 3.0,
    "getitem repeated": lambda x: x[[0, 0, 2], [1, 1, 3]] ** 2,
    "getitem mask": lambda x: x[x.value > 0] ** 2,
    "getitem ellipsis": lambda x: x[..., None, 2] * 2.0,
    "iterate": lambda x: np.stack([row[0] * row[1] for row in x]),
    "where": lambda x: np.where(x.value > 0, x**2, -x),
    "where constant": lambda x: np.where(x.value > 0, np.sin(x), 7.0),
    "maximum": lambda x: np.maximum(x, 0.1 * x**2),
    "minimum": lambda x: np.minimum(x[0], x[1]),
    "concatenate": lambda x: np.concatenate([x[0], x[1] ** 2, np.ones(2), x[2]]),
    "concatenate axis 1": lambda x: np.concatenate([x, np.sin(x)], axis=1),
    "concatenate None": lambda x: np.concatenate([x, x**2], axis=None),
    "stack": lambda x: np.stack([x[0], x[1] * x[2], np.zeros(4)], axis=1),
    "hstack": lambda x: np.hstack([x[0], x[1]]),
    "vstack": lambda x: np.vstack([x[0], x[1:] ** 2]),
    "matmul 2d 2d": lambda x: x @ M.T,
    "matmul 2d 1d": lambda x: x @ np.arange(4.0),
    "matmul 1d 2d": lambda x: x[0] @ M.T,
    "matmul 1d 1d": lambda x: x[0] @ x[1],
    "rmatmul": lambda x: M.T @ np.sin(x),
    "matmul var var": lambda x: x @ x.T,
    "matmul batched": lambda x: np.reshape(x, (2, 2, 3)) @ np.reshape(x, (2, 3, 2)),
    "matmul broadcast batch": lambda x: np.matmul(np.reshape(x, (2, 1, 2, 3)), np.ones((4, 3, 2))),
    "matmul batched by vector": lambda x: np.reshape(x, (2, 2, 3)) @ x[0, :3],
    "np.matmul ufunc": lambda x: np.matmul(M.T, x),
    "dot": lambda x: np.dot(x, np.arange(4.0)),
    "dot scalar": lambda x: np.dot(x, 2.0),
    "method dot": lambda x: x[0].dot(x[1]),
    "add.reduce": lambda x: np.add.reduce(x**2, axis=0),
    "reused node": lambda x: (lambda a: a * a + np.sum(a) * a)(np.sin(x)),
    # composites and numpy.linalg
    "flip": lambda x: np.flip(x, 1) * M,
    "flip all": lambda x: np.flip(x) ** 2,
    "clip": lambda x: np.clip(x, -0.5, 0.5) * x,
    "take": lambda x: np.take(x, [0, 2, 2], axis=1) ** 2,
    "take flat": lambda x: np.take(x, [5, 5, 0]) * 2.0,
    "take_along_axis": lambda x: np.take_along_axis(x, np.array([[0, 1], [3, 3], [2, 0]]), 1) ** 2,
    "max": lambda x: np.max(x**2),
    "max axis": lambda x: np.max(np.sin(x), axis=0),
    "min axis keepdims": lambda x: np.min(x * M, axis=1, keepdims=True),
    "sort": lambda x: np.sort(x, axis=1) * M,
    "prod": lambda x: np.prod(x),
    "prod axis": lambda x: np.prod(x, axis=1),
    "prod with a zero": lambda x: np.prod(x * np.array([1.0, 0.0, 1.0, 1.0]), axis=1),
    "cumsum": lambda x: np.cumsum(x) * np.arange(12.0),
    "cumsum axis": lambda x: np.cumsum(x, axis=1) ** 2,
    "diagonal": lambda x: np.diagonal(x) ** 2,
    "diagonal offset": lambda x: np.diagonal(x, 1) * 3.0 + np.diagonal(x, -1).sum(),
    "trace": lambda x: np.trace(x**2),
    "var std": lambda x: np.var(x, axis=0) + np.std(x),
    "outer": lambda x: np.outer(x[0], x[1, :2]),
    "inner": lambda x: np.inner(x, x[0]),
    "norm": lambda x: np.linalg.norm(x),
    "norm axis": lambda x: np.linalg.norm(x, axis=1),
    "inv": lambda x: np.linalg.inv(x[:, :3] + 3 * np.eye(3)),
    "solve vector": lambda x: np.linalg.solve(x[:, :3] + 3 * np.eye(3), x[:, 3]),
    "solve matrix": lambda x: np.linalg.solve(x[:, :3] + 3 * np.eye(3), x[:, 2:]),
    "det": lambda x: np.linalg.det(x[:, :3] + 3 * np.eye(3)),
}


@pytest.mark.parametrize("name", sorted(STRUCTURAL))
def test_structural_rules_forward_equals_reverse(name):
    x = RNG.standard_normal((3, 4))
    assert_modes_agree(STRUCTURAL[name], x)


@pytest.mark.parametrize("name", sorted(STRUCTURAL))
def test_structural_rules_differentiate_their_own_backward_pass(name):
    # the backward pass of every rule runs on Duals (forward over reverse) and on the older tag's Vars
    # (reverse over reverse): both Hessians equal forward over forward
    f = lambda x: np.sum(np.sin(STRUCTURAL[name](x)))
    x = RNG.standard_normal((3, 4))
    H = dd.hessian(f, x)
    tol = dict(rtol=1e-11, atol=1e-11 * max(1.0, np.abs(H).max()))
    np.testing.assert_allclose(dd.hessian(f, x, mode="reverse"), H, **tol)
    np.testing.assert_allclose(dd.jacobian(lambda z: dd.gradient(f, z, mode="reverse"), x, mode="reverse"), H, **tol)


def test_repeated_indices_accumulate():
    x = Var(np.array([1.0, 2.0, 3.0]))
    np.sum(x[[0, 0, 2, 0]] * np.array([1.0, 10.0, 100.0, 1000.0])).backward()
    np.testing.assert_array_equal(x.grad, [1011.0, 0.0, 100.0])


def test_scalar_vars_built_into_an_array():
    a, b = Var(2.0), Var(3.0)
    v = np.stack([a * b, a + b, b])
    np.sum(v * np.array([1.0, 2.0, 3.0])).backward()
    assert (a.grad, b.grad) == (3.0 * 1 + 2.0, 2.0 + 2.0 + 3.0)
    assert dd.gradient(lambda z: [z[0] * z[1], z[1]][0], [2.0, 3.0], mode="reverse").tolist() == [3.0, 2.0]
    np.testing.assert_array_equal(dd.jacobian(lambda z: [z[0] * z[1], z[1]], [2.0, 3.0], mode="reverse"), [[3.0, 2.0], [0.0, 1.0]])


def test_rounding_operators_have_zero_gradient_and_divmod_follows_the_rules():
    x = Var(2.7)
    parts = [math.floor(x), math.ceil(x), math.trunc(x), round(x), round(x, 1), *divmod(x, 0.5), *divmod(7.0, x)]
    assert [p.value for p in parts] == pytest.approx([2.0, 3.0, 2.0, 3.0, 2.7, 5.0, 0.2, 2.0, 1.6])
    total = parts[0]
    for p in parts[1:]:
        total = total + p
    total.backward()
    assert x.grad == pytest.approx(1.0 - 2.0)  # only the remainders move: d(x mod .5) = 1, d(7 mod x) = -floor(7/x)


def test_var_of_vars_is_refused_with_the_way_to_build_one():
    with pytest.raises(TypeError, match="np.stack"):
        Var([Var(1.0), 2.0])
    with pytest.raises(TypeError, match=r"Var\(\) takes a number .* not str"):
        Var("x")


def test_graph_structure_for_the_drawer():
    x = Var(np.array([1.0, 2.0]), name="x")
    y = np.sum(np.sin(x) * 2.0)
    assert y.op == "sum" and y.parents[0].op == "*" and y.parents[0].parents[0].op == "sin"
    assert y.parents[0].parents[0].parents == (x,) and x.parents == () and x.op == "" and x.name == "x"
    assert (x ** 3.0).op == "**3" and (Var(2.0) ** 0.5).op == "**0.5" and (x ** x).op == "**"
    assert [(Var(1.0) - 1.0).op, (Var(1.0) / 2.0).op, (-Var(1.0)).op, (x @ x).op, x[0].op] == ["-", "/", "neg", "matmul", "getitem"]
    assert repr(Var(1.5, name="w")) == "Var(1.5, name='w')"


# --- backward: order, accumulation, reuse, repetition ---
def test_reused_nodes_accumulate_in_topological_order():
    x, y = Var(2.0), Var(3.0)
    a = x * y  # used three times, by nodes made at different depths
    b = a * a
    c = b + a + np.sin(a)
    c.backward()
    da = 2 * 6.0 + 1 + math.cos(6.0)
    assert a.grad == pytest.approx(da)
    assert (x.grad, y.grad) == (pytest.approx(da * 3.0), pytest.approx(da * 2.0))
    z = Var(1.5)
    (z * z * z).backward()  # the same leaf twice in one node
    assert z.grad == pytest.approx(3 * 1.5**2)


def test_second_backward_does_not_add_to_stale_gradients():
    x = Var(3.0)
    (x * x).backward()
    assert x.grad == 6.0
    (x * x * x).backward()  # a fresh graph over the same leaf
    assert x.grad == 27.0
    y = x * x
    y.backward()
    y.backward()  # the same graph twice
    assert x.grad == 6.0 and y.grad == 1.0


def test_backward_of_an_array_needs_an_incoming_gradient():
    x = Var(np.array([1.0, 2.0]))
    y = x * x
    with pytest.raises(ValueError, match="scalar result"):
        y.backward()
    with pytest.raises(ValueError, match="shape"):
        y.backward(np.ones(3))
    y.backward(np.array([1.0, 10.0]))
    np.testing.assert_array_equal(x.grad, [2.0, 40.0])
    y.backward([1.0, 1.0])  # a list will do
    np.testing.assert_array_equal(x.grad, [2.0, 4.0])
    assert type(x[0].value) is float and x[0].op == "getitem"  # scalars stay Python floats (fast paths)
    x.grad[0] = 0.0  # a gradient is the user's own array


# --- errors: refuse to drop the gradient, name the function ---
def test_unsupported_numpy_function_raises_naming_it():
    x = Var(np.array([1.0, 2.0]))
    with pytest.raises(TypeError, match="numpy.unwrap"):
        np.unwrap(x)
    with pytest.raises(TypeError, match="numpy.modf"):
        np.modf(x)
    with pytest.raises(TypeError, match="numpy.add.at"):
        np.add.at(x, [0], 1.0)
    assert np.isfinite(x).tolist() == [True, True]  # flags see values: no derivative to carry


@pytest.mark.parametrize(
    "act",
    [
        lambda x: float(x),
        lambda x: int(x),
        lambda x: math.sin(x),
        lambda x: np.asarray(x, dtype=float),
        lambda x: np.zeros(1).__setitem__(slice(None), x),
        lambda x: operator.setitem(x, 0, 1.0),
        lambda x: operator.setitem(Var(np.zeros(2)), 0, 1.0),
        lambda x: np.sin(x, out=np.zeros(())),
        lambda x: [1.0, 2.0][x],
    ],
)
def test_conversions_that_drop_the_gradient_raise(act):
    with pytest.raises(TypeError):
        act(Var(1.0))


def test_writing_a_var_into_a_float_array_raises():
    a = np.zeros(2)
    with pytest.raises(TypeError, match="drop its gradient"):
        a[:] = Var(np.array([1.0, 2.0]))
    with pytest.raises(TypeError, match="drop its gradient"):  # a scalar Var is no sequence to NumPy
        a[0] = Var(1.0)
    assert a.tolist() == [0.0, 0.0]


def test_reverse_api_input_errors():
    with pytest.raises(ValueError, match="mode"):
        dd.gradient(lambda x: x, 1.0, mode="backwards")
    with pytest.raises(ValueError, match="scalar"):
        dd.gradient(lambda x: x * 2, [1.0, 2.0], mode="reverse")
    with pytest.raises(TypeError, match="number"):
        dd.gradient(lambda x: x, "a", mode="reverse")
    with pytest.raises(TypeError, match="returned a str"):
        dd.gradient(lambda x: "no", 1.0, mode="reverse")
    with pytest.raises(ValueError, match="shape"):
        dd.vjp(lambda x: x * 2, [1.0, 2.0], [1.0])
    with pytest.raises(ValueError, match="shape"):
        dd.hvp(lambda x: np.sum(x), [1.0, 2.0], [1.0])


# --- the reverse API ---
def rosen(x):
    return np.sum(100 * (x[1:] - x[:-1] ** 2) ** 2 + (1 - x[:-1]) ** 2)


def test_gradient_reverse_matches_forward_and_known_values():
    x = [0.1, 0.2, 0.3]
    np.testing.assert_allclose(dd.gradient(rosen, x, mode="reverse"), [-9.4, 15.6, 52.0], rtol=1e-13)
    np.testing.assert_allclose(dd.gradient(rosen, x, mode="reverse"), dd.gradient(rosen, x), rtol=1e-14)
    assert dd.gradient(lambda x: 3.0, [1.0, 2.0], mode="reverse").tolist() == [0.0, 0.0]
    assert dd.gradient(lambda x: x**3, 2.0, mode="reverse") == 12.0


def test_jacobian_and_vjp():
    A = RNG.standard_normal((3, 5))
    f = lambda x: np.tanh(A @ x) * x[:3]
    x = RNG.standard_normal(5)
    J = assert_modes_agree(f, x)
    u = RNG.standard_normal(3)
    value, uJ = dd.vjp(f, x, u)
    np.testing.assert_allclose(value, np.tanh(A @ x) * x[:3], rtol=1e-15)
    np.testing.assert_allclose(uJ, u @ J, rtol=1e-13)
    assert dd.jacobian(lambda x: x * 2.0, [], mode="reverse").shape == (0, 0)
    assert dd.jacobian(lambda x: np.ones(2), 1.0, mode="reverse").tolist() == [0.0, 0.0]


def test_hvp_and_reverse_hessian_equal_forward_over_forward():
    f = lambda x: rosen(x) + np.sum(np.exp(x) * np.sin(x[::-1]))
    x = RNG.uniform(-1, 1, 6)
    H = dd.hessian(f, x)
    np.testing.assert_allclose(dd.hessian(f, x, mode="reverse"), H, rtol=1e-12, atol=1e-12 * np.abs(H).max())
    np.testing.assert_allclose(dd.hessian(f, x, chunk=2, mode="reverse"), H, rtol=1e-12, atol=1e-12 * np.abs(H).max())
    v = RNG.standard_normal(6)
    np.testing.assert_allclose(dd.hvp(f, x, v), H @ v, rtol=1e-12, atol=1e-12 * np.abs(H).max())
    np.testing.assert_allclose(dd.hessian(rosen, [0.1, 0.2, 0.3], mode="reverse"), [[-66, -40, 0], [-40, 130, -80], [0, -80, 200]])
    assert dd.hessian(lambda x: x**3, 2.0, mode="reverse") == 12.0
    assert dd.hvp(lambda x: np.sum(x), [1.0, 2.0], [1.0, 1.0]).tolist() == [0.0, 0.0]  # linear: H = 0


def test_mixed_modes_compose():
    f = lambda x: np.sum(np.sin(x) * x[::-1])
    x0, v = np.array([0.3, 0.7, 1.1]), np.array([1.0, -2.0, 0.5])
    # forward over reverse by composition: d/dt grad f(x0 + t v) = H v
    composed = dd.derivative(lambda t: dd.gradient(f, x0 + t * v, mode="reverse"), 0.0)
    np.testing.assert_allclose(composed, dd.hessian(f, x0) @ v, rtol=1e-13)
    # reverse over reverse: tags keep the inner gradient a function of the outer variable
    assert dd.gradient(lambda x: x * dd.gradient(lambda y: x * y, 1.0, mode="reverse"), 3.0, mode="reverse") == 6.0
    # perturbation confusion (Siskind & Pearlmutter): d/dx [x * d/dy (x + y)] = 1
    assert dd.gradient(lambda x: x * dd.gradient(lambda y: x + y, 1.0, mode="reverse"), 1.0, mode="reverse") == 1.0
    assert dd.derivative(lambda x: x * dd.gradient(lambda y: x + y, 1.0, mode="reverse"), 1.0) == 1.0
    assert dd.gradient(lambda x: x * dd.derivative(lambda y: x + y, 1.0), 1.0, mode="reverse") == 1.0


# --- scale: deep, wide, memory, threads ---
def test_deep_chain_of_a_million_operations():
    x = Var(1.0)
    y = x
    c = 1.0 + 1e-7
    gc.disable()  # CPython's cycle collector rescans the growing graph (2/3 of the build time); the tape makes no cycles
    try:
        for _ in range(10**6):  # no recursion anywhere: neither backward nor freeing the graph
            y = y * c
    finally:
        gc.enable()
    y.backward()
    assert x.grad == pytest.approx(c**1_000_000, rel=1e-9)
    del y
    gc.collect()


def test_wide_graphs_one_backward_pass():
    n = 10**5
    x = Var(np.arange(n, dtype=float))
    np.sum(x**2).backward()
    np.testing.assert_array_equal(x.grad, 2 * np.arange(n))
    leaves = [Var(float(i)) for i in range(n)]
    total = sum(v * v for v in leaves)
    total.backward()
    assert all(v.grad == 2 * v.value for v in leaves)
    np.testing.assert_array_equal(dd.gradient(lambda z: np.sum(z**2), np.ones(n), mode="reverse"), 2 * np.ones(n))


def test_the_graph_is_freed_with_its_result_and_memory_per_node_is_bounded():
    gc.collect()
    tracemalloc.start()
    try:
        base = tracemalloc.get_traced_memory()[0]
        x = Var(1.0)
        y = x
        for _ in range(5000):
            y = np.sin(y) + 0.5 * y
        held = tracemalloc.get_traced_memory()[0] - base
        y.backward()
        probe = weakref.ref(y.parents[0].parents[0])
        assert probe() is not None
        del y
        gc.collect()
        assert probe() is None  # nothing else (no global tape) keeps the nodes alive
        left = tracemalloc.get_traced_memory()[0] - base
    finally:
        tracemalloc.stop()
    assert held / 15000 < 1000  # three nodes a step, each well under a kilobyte
    assert left < 10000  # the leaf and its gradient


def test_threads_do_not_mix():
    barrier = threading.Barrier(2)
    results: dict[int, list] = {0: [], 1: []}

    def work(k):
        barrier.wait()
        for i in range(200):
            x0 = np.array([1.0 + i, 2.0, 3.0])
            g = dd.gradient(lambda x: np.sum(x ** (k + 2)), x0, mode="reverse")
            results[k].append(np.allclose(g, (k + 2) * x0 ** (k + 1)))

    threads = [threading.Thread(target=work, args=(k,)) for k in (0, 1)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results[0] == [True] * 200 and results[1] == [True] * 200


def test_gradient_buffers_reused_in_place_never_change_another_nodes_gradient():
    # add passes its gradient on unchanged, so a child and its parent can share one array; the sweep
    # adds into buffers in place only when no other node holds them
    a = Var(np.array([1.0, 2.0]))
    b = a + 1.0
    c = b * 1.0
    y = np.sum(c * c) + np.sum(a * 3.0) + np.sum(b * 5.0) + np.sum(a[:1]) + np.sum(a[1:] * 2.0)
    y.backward()
    np.testing.assert_array_equal(c.grad, 2 * c.value)
    np.testing.assert_array_equal(b.grad, 2 * c.value + 5)
    np.testing.assert_array_equal(a.grad, 2 * c.value + 5 + 3 + np.array([1.0, 2.0]))


def test_a_complex_output_of_a_real_input_keeps_its_imaginary_part_in_reverse():
    # a sweep reaches a real input as a real part; the imaginary part needs a second sweep
    f = lambda v: np.stack([(v[0] + 1j) ** 2, v[1] * np.exp(1j * v[0])])
    x = [0.3, 2.0]
    J = dd.jacobian(f, x)
    np.testing.assert_allclose(J, [[0.6 + 2j, 0], [2j * np.exp(0.3j), np.exp(0.3j)]])
    np.testing.assert_allclose(dd.jacobian(f, x, mode="reverse"), J)
    assert dd.gradient(lambda v: (v[0] + 1j) ** 2, [0.3], mode="reverse")[0] == 0.6 + 2j
    u = np.array([1.0, 1j])
    np.testing.assert_allclose(dd.vjp(f, x, u)[1], u @ J)
