"""Temporary elision (core/temporaries.py): an operator may write its result into the arrays of an
operand that is a temporary of the expression, and into nothing else.

Each result is compared bit for bit with the same expression computed with elision off (MIN_SIZE
raised past the arrays' size), and every array the user can still reach must come out unchanged.
"""

from __future__ import annotations

import sys
import tracemalloc

import numpy as np
import pytest

from dualdiff import Dual, jvp
from dualdiff.core import temporaries

N = 2 * temporaries.MIN_SIZE
RNG = np.random.default_rng(7)
X, U, Y, W = (RNG.uniform(0.5, 2.0, N) for _ in range(4))
ON = temporaries._TEMPORARY > 0

# expressions whose operands include temporaries on the left, on the right, or both
EXPRESSIONS = {
    "left + ": lambda a, b: (a * b) + b,
    "right + ": lambda a, b: a + (a * b),
    "both + ": lambda a, b: (a * b) + (b * a),
    "left - ": lambda a, b: (a * b) - a,
    "right - ": lambda a, b: a - (a * b),
    "left * ": lambda a, b: (a + b) * a,
    "right * ": lambda a, b: b * (a + b),
    "left / ": lambda a, b: (a + b) / b,
    "constant + ": lambda a, b: (a * b) + 1.5,
    "+ constant": lambda a, b: 1.5 + (a * b),
    "constant - ": lambda a, b: (a * b) - 1.5,
    "factor": lambda a, b: (a - b) * 3.0,
    "factor left": lambda a, b: 3.0 * (a - b),
    "array constant": lambda a, b: (a * b) + X,
    "chain": lambda a, b: ((a * b + 1.0) * a - b) / (b + 2.0) + 0.5 * a,
    "negation": lambda a, b: -(a * b) + a,
}


def _operands() -> tuple[Dual, Dual]:
    return Dual(X.copy(), U.copy()), Dual(Y.copy(), W.copy())


def _without_elision(expr, monkeypatch: pytest.MonkeyPatch) -> Dual:  # type: ignore[no-untyped-def]
    with monkeypatch.context() as m:
        m.setattr(temporaries, "MIN_SIZE", 10 * N)
        return expr(*_operands())


@pytest.mark.parametrize("name", EXPRESSIONS)
def test_results_are_bit_for_bit_those_without_elision(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    a, b = _operands()
    got = EXPRESSIONS[name](a, b)
    want = _without_elision(EXPRESSIONS[name], monkeypatch)
    assert np.array_equal(got.value, want.value) and np.array_equal(got.derivative, want.derivative)
    # the operands the user holds are untouched
    assert np.array_equal(a.value, X) and np.array_equal(a.derivative, U)
    assert np.array_equal(b.value, Y) and np.array_equal(b.derivative, W)


def test_a_named_intermediate_is_never_overwritten() -> None:
    a, b = _operands()
    t = a * b
    keep = (t.value.copy(), t.derivative.copy())
    r = t + b
    s = 2.0 * t
    assert np.array_equal(t.value, keep[0]) and np.array_equal(t.derivative, keep[1])
    assert np.array_equal(r.value, keep[0] + Y) and np.array_equal(s.derivative, 2.0 * keep[1])


def test_an_intermediate_held_elsewhere_is_never_overwritten() -> None:
    a, b = _operands()
    held = []
    r = (held.append(a * b) or held[-1]) + b  # a call's result, also kept in a list
    assert np.array_equal(held[0].value, X * Y) and np.array_equal(r.value, X * Y + Y)


class Keeper:
    """An operator that returns a Dual it keeps: the result of an operation, held elsewhere too."""

    def __init__(self, kept: Dual) -> None:
        self.kept = kept

    def __add__(self, other: float) -> Dual:
        return self.kept


def test_a_result_that_is_held_elsewhere_is_never_overwritten() -> None:
    a, b = _operands()
    k = Keeper(a * b)
    r = (k + 0.0) * 2.0  # the left operand is an operator's result, but k holds it
    assert np.array_equal(k.kept.value, X * Y) and np.array_equal(r.value, X * Y * 2.0)


def test_a_shared_tangent_is_never_overwritten() -> None:
    a, _ = _operands()
    r = (a + 1.0) * 2.0  # a + 1.0 shares a's tangent array
    assert np.array_equal(a.derivative, U) and np.array_equal(r.derivative, 2.0 * U)


def test_the_users_arrays_and_their_views_are_never_written() -> None:
    x, u = X.copy(), U.copy()
    r = (Dual(x[::2], u[::2]) * 2.0) + 1.0  # a view's Dual, then a temporary of views
    q = (Dual(x, u) * 2.0) + 1.0
    assert np.array_equal(x, X) and np.array_equal(u, U)
    assert np.array_equal(r.value, X[::2] * 2.0 + 1.0) and np.array_equal(q.derivative, U * 2.0)


def test_the_elements_of_an_object_array_are_never_overwritten() -> None:
    a, b = _operands()
    objects = np.empty(2, dtype=object)
    objects[0], objects[1] = a * b, b * a  # held only by the array
    out = objects * 2.0 + objects  # NumPy's object loop calls the operators with borrowed elements
    assert np.array_equal(objects[0].value, X * Y) and np.array_equal(objects[1].derivative, W * X + Y * U)
    assert np.array_equal(out[0].value, X * Y * 2.0 + X * Y)


def test_dtypes_and_shapes_of_the_result_are_kept() -> None:
    a32 = Dual(X.astype(np.float32), U.astype(np.float32))
    b, _ = _operands()
    r = (a32 * 2.0) + b  # float32 temporary + float64: the float64 result needs new arrays
    assert r.value.dtype == np.float64 and np.allclose(r.value, X.astype(np.float32) * 2.0 + X)
    col = Dual(X[:, None].copy(), U[:, None].copy())
    row = Dual(Y[None, :4].copy(), W[None, :4].copy())
    q = (col * 2.0) / row  # broadcasting: (N, 1) / (1, 4) is (N, 4), larger than the temporary
    assert q.value.shape == (N, 4) and np.allclose(q.value, X[:, None] * 2.0 / Y[None, :4])


def test_batched_tangents() -> None:
    a = Dual(X.copy(), np.stack([U, W]))
    b = Dual(Y.copy(), np.stack([W, U]))
    r = (a * b) + b
    assert np.allclose(r.derivative, np.stack([U * Y + X * W + W, W * Y + X * U + U]))


@pytest.mark.skipif(not ON, reason=f"elision is off on {sys.implementation.name} {sys.version_info[:2]} (CPython 3.11 to 3.13 only)")
def test_elision_saves_the_allocations() -> None:
    """Less memory at the peak: the sum is written into the product's arrays."""

    def peak(f) -> int:  # type: ignore[no-untyped-def]
        a, b = _operands()
        tracemalloc.start()
        try:
            f(a, b)
            return tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()

    elided = peak(lambda a, b: ((a * b) + a) + b)
    named = peak(lambda a, b: [t := a * b, s := t + a, s + b][-1])
    assert elided <= named - 2 * X.nbytes  # two arrays (value and tangent) fewer


def test_jvp_of_an_expression_with_temporaries_is_exact() -> None:
    f = lambda z: (z * z + 1.0) * np.sin(z) / (z + 2.0) - 0.5 * z  # noqa: E731
    _, t = jvp(f, X, U)
    exact = ((2 * X) * np.sin(X) + (X * X + 1.0) * np.cos(X)) / (X + 2.0) - (X * X + 1.0) * np.sin(X) / (X + 2.0) ** 2 - 0.5
    assert np.allclose(t, exact * U, rtol=1e-12, atol=1e-14)  # atol: where the derivative crosses 0


def _random_expression(rng: np.random.Generator, depth: int) -> str:
    """An expression of a, b, constants, the four operators, negation and function calls."""
    if depth == 0:
        return str(rng.choice(["a", "b", "1.5", "X", "a", "b"]))
    kind = rng.integers(0, 4)
    left, right = _random_expression(rng, depth - 1), _random_expression(rng, depth - 1)
    if kind == 0:
        return f"-({left})"
    if kind == 1:
        return f"np.sin({left})"
    return f"({left}) {rng.choice(['+', '-', '*', '/'])} ({right})"


@pytest.mark.parametrize("seed", range(40))
def test_random_expressions_are_bit_for_bit_those_without_elision(seed: int, monkeypatch: pytest.MonkeyPatch) -> None:
    rng = np.random.default_rng(seed)
    text = _random_expression(rng, 4)
    if "a" not in text and "b" not in text:
        text = f"({text}) * a"
    code = compile(text, "<expression>", "eval")
    a, b = _operands()
    got = eval(code, {"np": np, "X": X}, {"a": a, "b": b})  # noqa: S307  (our own generated expression)
    want = _without_elision(lambda a, b: eval(code, {"np": np, "X": X}, {"a": a, "b": b}), monkeypatch)  # noqa: S307
    assert np.array_equal(got.value, want.value, equal_nan=True), text
    assert np.array_equal(got.derivative, want.derivative, equal_nan=True), text
    assert np.array_equal(a.value, X) and np.array_equal(a.derivative, U) and np.array_equal(b.value, Y), text
