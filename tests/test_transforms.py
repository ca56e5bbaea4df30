"""The function transforms (grad, value_and_grad, jacfwd, jacrev, hess): argnums, has_aux, arguments
passed through, pytrees and float32, checked against the at-a-point functions, exact values and
finite differences; and SciPy's minimize driven by them as written."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import dualdiff as dd
from dualdiff.core.dual import Dual
from dualdiff.core.number import Number

X = np.array([[1.0, 2.0], [3.0, -1.0], [0.5, 0.5], [-2.0, 1.0]])
Y = np.array([1.0, 0.0, 2.0, -1.0])
W = np.array([0.3, -0.7])


def sq(w: Any, X: Any, y: Any, scale: float = 1.0) -> Any:
    return scale * np.sum((X @ w - y) ** 2)


def sq_grad(w: np.ndarray, X: np.ndarray, y: np.ndarray, scale: float = 1.0) -> np.ndarray:
    return scale * 2 * X.T @ (X @ w - y)


def plain(tree: Any) -> bool:
    """No Dual or Var anywhere in a result."""
    if isinstance(tree, Number):
        return False
    if isinstance(tree, dict):
        return all(plain(v) for v in tree.values())
    if isinstance(tree, (list, tuple)):
        return all(plain(v) for v in tree)
    return not (isinstance(tree, np.ndarray) and tree.dtype == object)


# --- grad and value_and_grad ---


@pytest.mark.parametrize("mode", [None, "forward", "reverse"])
def test_grad_passes_positional_and_keyword_arguments_through(mode: str | None) -> None:
    g = dd.grad(sq, mode=mode)(W, X, Y, scale=3.0)
    assert np.allclose(g, sq_grad(W, X, Y, 3.0), rtol=1e-14, atol=0)
    v, g2 = dd.value_and_grad(sq, mode=mode)(W, X, y=Y)
    assert v == pytest.approx(sq(W, X, Y), rel=1e-15) and np.allclose(g2, sq_grad(W, X, Y), rtol=1e-14, atol=0)
    assert isinstance(v, float)


def test_argnums_int_tuple_and_negative() -> None:
    f = lambda a, b, c: a**2 * b + np.sin(c) * b
    a, b, c = 1.5, -2.0, 0.3
    assert dd.grad(f)(a, b, c) == 2 * a * b
    assert dd.grad(f, argnums=1)(a, b, c) == pytest.approx(a**2 + np.sin(c), rel=1e-15)
    assert dd.grad(f, argnums=-1)(a, b, c) == pytest.approx(np.cos(c) * b, rel=1e-15)
    ga, gc = dd.grad(f, argnums=(0, 2))(a, b, c)
    assert (ga, gc) == (2 * a * b, pytest.approx(np.cos(c) * b, rel=1e-15))
    gc2, ga2 = dd.grad(f, argnums=(2, 0))(a, b, c)  # the order asked for
    assert (ga2, gc2) == (ga, gc)
    value, (gb,) = dd.value_and_grad(f, argnums=(1,))(a, b, c)
    assert value == pytest.approx(f(a, b, c), rel=1e-15) and gb == pytest.approx(a**2 + np.sin(c), rel=1e-15)


def test_argnums_over_arrays_of_different_shapes_give_a_tuple() -> None:
    f = lambda w, b, X: np.sum(np.tanh(X @ w + b))
    b = np.array([0.1, 0.2, -0.1, 0.0])
    gw, gb = dd.grad(f, argnums=(0, 1))(W, b, X)
    t = 1 - np.tanh(X @ W + b) ** 2
    assert np.allclose(gw, X.T @ t, rtol=1e-14, atol=0) and np.allclose(gb, t, rtol=1e-14, atol=0)


def test_bad_argnums_and_aux_are_clear_errors() -> None:
    with pytest.raises(ValueError, match=r"argnums=2\) differentiates positional argument\(s\) 2, but the call passed 2"):
        dd.grad(lambda a, b: a * b, argnums=2)(1.0, 2.0)
    with pytest.raises(ValueError, match="names an argument twice"):
        dd.grad(lambda a, b: a * b, argnums=(0, -2))(1.0, 2.0)
    with pytest.raises(TypeError, match="argnums must be an int or a non-empty tuple"):
        dd.grad(lambda a: a, argnums="a")(1.0)
    with pytest.raises(TypeError, match=r"has_aux=True\) needs f to return a pair \(output, aux\), but it returned tuple of length 3"):
        dd.grad(lambda a: (a, a, a), has_aux=True)(1.0)
    with pytest.raises(ValueError, match="gradient needs f to return a scalar"):
        dd.grad(lambda a: a * 2)(np.ones(2))


@pytest.mark.parametrize("mode", [None, "forward", "reverse"])
def test_has_aux_hands_back_plain_values(mode: str | None) -> None:
    def f(w: Any, X: Any, y: Any) -> Any:
        r = X @ w - y
        return np.sum(r**2), {"residual": r, "name": "least squares", "n": 4}

    g, aux = dd.grad(f, has_aux=True, mode=mode)(W, X, Y)
    assert np.allclose(g, sq_grad(W, X, Y), rtol=1e-14, atol=0)
    assert np.array_equal(aux["residual"], X @ W - Y) and aux["name"] == "least squares" and plain(aux)
    (v, aux2), g2 = dd.value_and_grad(f, has_aux=True, mode=mode)(W, X, Y)
    assert v == pytest.approx(sq(W, X, Y), rel=1e-15) and np.array_equal(aux2["residual"], X @ W - Y) and plain(aux2)


def test_grad_of_grad_and_aux_inside_an_outer_differentiation() -> None:
    d3 = dd.grad(dd.grad(dd.grad(lambda x: x**4)))
    assert d3(2.0) == 48.0
    # the inner aux keeps the outer differentiation's Dual: the outer derivative flows through it
    inner = lambda c: dd.grad(lambda x: (c * x**2, c * x), has_aux=True)(3.0)[1]
    assert dd.derivative(inner, 2.0) == 3.0
    h, aux = dd.hess(lambda x: (x[0] ** 2 * x[1], x[0] * 10), has_aux=True)(np.array([1.0, 2.0]))
    assert aux == 10.0 and type(aux) is float and np.array_equal(h, [[4.0, 2.0], [2.0, 0.0]])


def test_grad_of_a_dict_and_a_float32_input() -> None:
    def net(p: Any, x: Any) -> Any:
        return np.sum(np.tanh(p["W"] @ x + p["b"]) ** 2)

    p = {"W": np.array([[0.1, 0.2], [-0.3, 0.4]], dtype=np.float32), "b": np.array([0.5, -0.5], dtype=np.float32)}
    x = np.array([1.0, -2.0])
    g = dd.grad(net)(p, x)
    assert g["W"].dtype == np.float32 and g["b"].dtype == np.float32
    z = np.tanh(p["W"].astype(float) @ x + p["b"])
    gb = 2 * z * (1 - z**2)
    assert np.allclose(g["b"], gb, rtol=1e-6) and np.allclose(g["W"], np.outer(gb, x), rtol=1e-6)
    v, g2 = dd.value_and_grad(net, mode="reverse")(p, x)
    assert np.array_equal(g2["b"], g["b"]) and v == pytest.approx(np.sum(z**2), rel=1e-12)
    assert dd.grad(lambda t: t**3)(np.float32(2.0)).dtype == np.float32


# --- jacfwd and jacrev ---


@pytest.mark.parametrize("jac", [dd.jacfwd, dd.jacrev])
def test_jacobians_with_pass_through_and_argnums(jac: Any) -> None:
    f = lambda w, X, shift=0.0: np.tanh(X @ w + shift)
    J = jac(f)(W, X, shift=0.5)
    expected = (1 - np.tanh(X @ W + 0.5) ** 2)[:, None] * X
    assert J.shape == (4, 2) and np.allclose(J, expected, rtol=1e-14, atol=0)
    JX = jac(f, argnums=1)(W, X)
    assert JX.shape == (4, 4, 2) and np.allclose(JX[2, 2], (1 - np.tanh(X @ W)[2] ** 2) * W, rtol=1e-14, atol=0)
    assert np.array_equal(JX[2, 1], [0.0, 0.0])
    Jw, JX2 = jac(f, argnums=(0, 1))(W, X)
    assert np.allclose(Jw, dd.jacobian(lambda w: f(w, X), W), rtol=1e-14, atol=0) and np.allclose(JX2, JX, rtol=1e-14, atol=0)


@pytest.mark.parametrize("jac", [dd.jacfwd, dd.jacrev])
def test_jacobians_of_pytrees_nest_the_result_outside_as_jax_does(jac: Any) -> None:
    f = lambda p: {"sum": np.sum(p["a"]) * p["b"], "pair": (p["a"] * p["b"], p["b"] ** 2 * np.ones(3))}
    p = {"a": np.array([1.0, 2.0]), "b": 3.0}
    J = jac(f)(p)
    assert np.array_equal(J["sum"]["a"], [3.0, 3.0]) and J["sum"]["b"] == 3.0
    assert np.array_equal(J["pair"][0]["a"], 3 * np.eye(2)) and np.array_equal(J["pair"][0]["b"], [1.0, 2.0])
    assert J["pair"][1]["a"].shape == (3, 2) and np.array_equal(J["pair"][1]["b"], [6.0, 6.0, 6.0])
    # a leaf input, a tree output; and a tuple argnums inside
    J2 = jac(lambda x: {"x2": x**2, "s": np.sum(x)})(np.array([1.0, 2.0]))
    assert np.array_equal(J2["x2"], np.diag([2.0, 4.0])) and np.array_equal(J2["s"], [1.0, 1.0])
    J3 = jac(lambda a, b: {"ab": a * b, "a": a}, argnums=(0, 1))(2.0, 5.0)
    assert J3 == {"ab": (5.0, 2.0), "a": (1.0, 0.0)}


def test_jacfwd_and_jacrev_agree_with_aux() -> None:
    f = lambda x: (np.stack([x[0] * x[1], np.exp(x[0]) + x[1] ** 3]), {"x0": x[0]})
    x = np.array([0.3, -1.2])
    (Jf, auxf), (Jr, auxr) = dd.jacfwd(f, has_aux=True)(x), dd.jacrev(f, has_aux=True)(x)
    assert np.allclose(Jf, Jr, rtol=1e-14, atol=0) and auxf == auxr == {"x0": 0.3} and plain(auxf) and plain(auxr)
    assert np.allclose(Jf, [[x[1], x[0]], [np.exp(x[0]), 3 * x[1] ** 2]], rtol=1e-15, atol=0)


def test_jacobians_keep_float32() -> None:
    x = np.array([1.0, 2.0], dtype=np.float32)
    assert dd.jacfwd(np.sin)(x).dtype == np.float32 and dd.jacrev(np.sin)(x).dtype == np.float32


# --- hess ---


@pytest.mark.parametrize("mode", [None, "forward", "reverse"])
def test_hess_matches_the_hessian_at_a_point(mode: str | None) -> None:
    H = dd.hess(sq, **({} if mode is None else {"mode": mode}))(W, X, Y, scale=0.5)
    assert np.allclose(H, X.T @ X, rtol=1e-14, atol=0)
    f = lambda a, b: a**2 * np.sum(b**3)
    b = np.array([1.0, 2.0])
    (Haa, Hab), (Hba, Hbb) = dd.hess(f, argnums=(0, 1))(2.0, b)
    assert Haa == 2 * 9.0 and np.array_equal(Hab, 2 * 2.0 * 3 * b**2) and np.array_equal(Hba, Hab)
    assert np.array_equal(Hbb, np.diag(4.0 * 6 * b))
    Hp = dd.hess(lambda p: p["a"] ** 2 * np.sum(p["b"] ** 3))({"a": 2.0, "b": b})
    assert Hp["a"]["a"] == Haa and np.array_equal(Hp["b"]["b"], Hbb) and np.array_equal(Hp["b"]["a"], Hba)


def test_a_transformed_function_keeps_fs_name() -> None:
    assert dd.grad(sq).__name__ == "sq" and dd.hess(sq).__wrapped__ is sq


# --- the tape lacks a rule: grad falls back to forward mode ---


def test_grad_of_many_inputs_falls_back_to_forward_where_the_tape_has_no_rule(monkeypatch: pytest.MonkeyPatch) -> None:
    from dualdiff.core.functions import FUNCTIONS, Primitive

    forward_only = Primitive("unwrap", np.unwrap, lambda ds, xs, y, k: ds[0], None)
    monkeypatch.setitem(FUNCTIONS, np.unwrap, lambda p, *a, **k: forward_only(p))
    x = np.linspace(0.0, 1.0, 300)  # many inputs: reverse mode is tried first
    with pytest.raises(TypeError, match="reverse mode has no derivative rule for numpy.unwrap"):
        dd.grad(lambda v: np.sum(np.unwrap(v) ** 2), mode="reverse")(x)
    assert np.allclose(dd.grad(lambda v: np.sum(np.unwrap(v) ** 2))(x), 2 * x, rtol=1e-15, atol=0)


# --- SciPy's minimize, called as its documentation writes it ---


def logistic_loss(w: Any, X: Any, y: Any, lam: float) -> Any:
    z = X @ w
    return np.sum(np.logaddexp(0.0, z) - y * z) + 0.5 * lam * np.sum(w**2)


@pytest.mark.parametrize("method", ["Newton-CG", "trust-exact", "BFGS"])
def test_scipy_minimize_with_grad_and_hess_and_args(method: str) -> None:
    optimize = pytest.importorskip("scipy.optimize", reason="SciPy is an optional dependency")
    rng = np.random.default_rng(7)
    Xs = np.column_stack([rng.normal(size=(200, 3)), np.ones(200)])
    ys = (rng.random(200) < 1 / (1 + np.exp(-Xs @ np.array([1.5, -2.0, 0.5, 0.3])))).astype(float)
    lam = 0.1
    kw = {} if method == "BFGS" else {"hess": dd.hess(logistic_loss)}
    r = optimize.minimize(logistic_loss, np.zeros(4), args=(Xs, ys, lam), jac=dd.grad(logistic_loss), method=method, **kw)
    assert r.success
    # the optimum: the gradient vanishes (written out by hand), and the Hessian there is positive definite
    p = 1 / (1 + np.exp(-Xs @ r.x))
    assert np.linalg.norm(Xs.T @ (p - ys) + lam * r.x) < 1e-5
    assert np.all(np.linalg.eigvalsh(dd.hessian(lambda w: logistic_loss(w, Xs, ys, lam), r.x)) > 0)


def test_scipy_least_squares_lands_on_the_normal_equations() -> None:
    optimize = pytest.importorskip("scipy.optimize", reason="SciPy is an optional dependency")
    r = optimize.minimize(sq, np.zeros(2), args=(X, Y), jac=dd.grad(sq), hess=dd.hess(sq), method="Newton-CG")
    assert r.success and np.allclose(r.x, np.linalg.solve(X.T @ X, X.T @ Y), rtol=1e-8, atol=0)


def test_the_gradient_of_the_transform_is_not_a_dual() -> None:
    g = dd.grad(sq)(W, X, Y)
    assert type(g) is np.ndarray and not isinstance(g, Dual)
