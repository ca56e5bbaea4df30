"""Property-based cross-checks: random expression trees over the operators and functions, at random
points. Forward and reverse mode must agree to rounding; where the expression is smooth, both must
also agree with finite differences and the complex step (check_gradient)."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

import dualdiff as dd
from dualdiff.api.check import check_gradient

# smooth everywhere on the reals (domains are guarded inside the lambda)
UNARY = {
    "sin": np.sin,
    "cos": np.cos,
    "tanh": np.tanh,
    "arctan": np.arctan,
    "arcsinh": np.arcsinh,
    "exp(tanh)": lambda a: np.exp(np.tanh(a)),
    "log(1+a*a)": lambda a: np.log(1 + a * a),
    "sqrt(1+a*a)": lambda a: np.sqrt(1 + a * a),
    "log1p(a**2)": lambda a: np.log1p(a**2),
    "expm1(sin)": lambda a: dd.expm1(dd.sin(a)),
    "cosh(tanh)": lambda a: np.cosh(np.tanh(a)),
    "square": np.square,
    "**2": lambda a: a**2,
    "**3": lambda a: a**3,
    "neg": lambda a: -a,
    "1/(2+sin)": lambda a: 1.0 / (2.0 + np.sin(a)),
    "2*a-1": lambda a: 2 * a - 1,
}
BINARY = {
    "+": lambda a, b: a + b,
    "-": lambda a, b: a - b,
    "*": lambda a, b: a * b,
    "/": lambda a, b: a / (2.0 + np.cos(b)),
    "**": lambda a, b: (1.0 + a * a) ** np.tanh(b),
    "arctan2": lambda a, b: np.arctan2(a, 2.0 + b * b),
    "hypot": lambda a, b: np.hypot(a, 1.0 + b * b),
    "logaddexp": lambda a, b: np.logaddexp(a, b),
}
# piecewise: exact derivatives almost everywhere, but finite differences may straddle a kink
KINKED_UNARY = {"abs": np.abs, "floor*a": lambda a: np.floor(a) * a}
KINKED_BINARY = {"maximum": np.maximum, "minimum": np.minimum, "fmax": np.fmax, "fmin": np.fmin}

LEAVES = st.one_of(
    st.sampled_from(["x0", "x1", "x2", "x", "x[::-1]"]).map(lambda name: ("leaf", name)),
    st.floats(-2.0, 2.0, allow_nan=False).map(lambda c: ("const", c)),
)


def trees(unary, binary):
    return st.recursive(
        LEAVES,
        lambda kids: st.one_of(
            st.tuples(st.just("unary"), st.sampled_from(sorted(unary)), kids),
            st.tuples(st.just("binary"), st.sampled_from(sorted(binary)), kids, kids),
        ),
        max_leaves=10,
    )


def evaluate(tree, x, unary, binary):
    kind = tree[0]
    if kind == "leaf":
        name = tree[1]
        return {"x0": lambda: x[0], "x1": lambda: x[1], "x2": lambda: x[2], "x": lambda: x, "x[::-1]": lambda: x[::-1]}[name]()
    if kind == "const":
        return tree[1]
    if kind == "unary":
        return unary[tree[1]](evaluate(tree[2], x, unary, binary))
    return binary[tree[1]](evaluate(tree[2], x, unary, binary), evaluate(tree[3], x, unary, binary))


W = np.array([1.0, -2.0, 0.5])
A = np.array([[1.0, 0.5, -1.0], [0.0, 2.0, 0.3]])
ROOTS = {  # how the tree's value (a scalar or a 3-vector) becomes the function's result
    "weighted sum": lambda e: np.sum(e * W),
    "vector": lambda e: np.broadcast_to(e, (3,)) * 1.0,
    "matmul": lambda e: np.tanh(A @ (np.broadcast_to(e, (3,)) * 1.0)),
    "sum of squares": lambda e: np.mean(e**2),
}

POINTS = st.lists(st.floats(-2.0, 2.0, allow_nan=False), min_size=3, max_size=3).map(np.array)


def make(tree, root, unary, binary):
    return lambda x: ROOTS[root](evaluate(tree, x, unary, binary))


@settings(max_examples=150, deadline=None, database=None)
@given(
    trees({**UNARY, **KINKED_UNARY}, {**BINARY, **KINKED_BINARY}),
    st.sampled_from(sorted(ROOTS)),
    POINTS,
)
def test_forward_equals_reverse_on_random_expressions(tree, root, x):
    f = make(tree, root, {**UNARY, **KINKED_UNARY}, {**BINARY, **KINKED_BINARY})
    fwd = dd.jacobian(f, x)
    rev = dd.jacobian(f, x, mode="reverse")
    scale = max(1.0, float(np.max(np.abs(fwd))))
    np.testing.assert_allclose(rev, fwd, rtol=1e-12, atol=1e-12 * scale)


@settings(max_examples=80, deadline=None, database=None)
@given(trees(UNARY, BINARY), st.sampled_from(sorted(ROOTS)), POINTS)
def test_smooth_random_expressions_pass_every_check(tree, root, x):
    # forward, reverse, central differences (tolerance from the step), complex step, adjoint identity
    report = check_gradient(make(tree, root, UNARY, BINARY), x)
    assert report.ok


@settings(max_examples=40, deadline=None, database=None)
@given(trees(UNARY, BINARY), POINTS, st.lists(st.floats(-1.0, 1.0, allow_nan=False), min_size=3, max_size=3))
def test_hvp_and_reverse_hessian_equal_forward_over_forward(tree, x, v):
    f = make(tree, "weighted sum", UNARY, BINARY)
    H = dd.hessian(f, x)
    scale = max(1.0, float(np.max(np.abs(H))))
    np.testing.assert_allclose(dd.hessian(f, x, mode="reverse"), H, rtol=1e-11, atol=1e-11 * scale)
    np.testing.assert_allclose(dd.hvp(f, x, np.array(v)), H @ np.array(v), rtol=1e-11, atol=1e-11 * scale)
