"""Every row of cases.py through both modes, step by step, each step its own test:

1. value: f(Dual) and f(Var) carry NumPy's f(x0) as their value;
2. forward: ``dd.jacobian(f, x0)`` against central finite differences;
3. reverse: ``dd.jacobian(f, x0, mode="reverse")`` equals the forward Jacobian to 1e-9 (relative);
4. hessian: for g(x) = sum(sin(f(x))), ``dd.hessian(g, x0)`` (forward over forward) against finite
   differences of the forward gradient;
5. hessian_reverse: ``dd.hessian(g, x0, mode="reverse")`` (forward over reverse) equals forward over
   forward to 1e-8.

Then the values-only functions, the refusals (out=, integer dtype=), the coverage check against the
live tables, and a Hypothesis property over random shapes and axes.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from cases import CASES, EXCLUDED, REFUSED, VALUES, Case, P
from hypothesis import given, settings
from hypothesis import strategies as st

import dualdiff as dd
from dualdiff import Dual, Var
from dualdiff.core.functions import FUNCTIONS
from dualdiff.core.number import Number
from dualdiff.rules.table import TABLE

H = 1e-6  # finite-difference step, relative to max(1, |x_j|)


# --- helpers ---
def fd_jacobian(f: Any, x0: np.ndarray) -> np.ndarray:
    """Central differences of f at x0, shape f(x0).shape + x0.shape."""
    y0 = np.asarray(f(x0.copy()), dtype=float)
    cols = []
    for j in range(x0.size):
        e = np.zeros_like(x0)
        e[j] = H * max(1.0, abs(x0[j]))
        up, down = (np.asarray(f(x0 + s * e), dtype=float) for s in (1, -1))
        cols.append((up - down) / (2 * e[j]))
    return np.stack(cols, axis=-1).reshape(y0.shape + x0.shape)


def assert_close(got: Any, want: Any, rel: float) -> None:
    """Equal to ``rel`` relative to the largest entry of ``want``, shapes equal."""
    got, want = np.asarray(got, dtype=float), np.asarray(want, dtype=float)
    assert got.shape == want.shape, f"shape {got.shape}, expected {want.shape}"
    scale = float(np.max(np.abs(want))) if want.size else 0.0
    np.testing.assert_allclose(got, want, rtol=rel, atol=rel * scale + 1e-15)


def scalarized(f: Any) -> Any:
    """A scalar function of f with curvature even where f is linear."""
    return lambda x: np.sum(np.sin(f(x)))


def params(step: str, cases: list[Any]) -> list[Any]:
    """One pytest.param per row, xfail (strict) where the row names a bug in this step."""
    out = []
    for c in cases:
        if step.startswith("hessian") and not c.second:
            continue
        bug = next((b for b in c.bugs if step in b.steps), None)
        marks = [pytest.mark.xfail(strict=True, reason=bug.reason)] if bug else []
        out.append(pytest.param(c, id=c.id, marks=marks))
    return out


def numbers(x0: np.ndarray) -> list[Any]:
    return [Dual(x0.copy(), np.ones_like(x0)), Var(x0.copy())]


# --- 1-5: every row, both modes, first and second order ---
@pytest.mark.parametrize("case", params("value", CASES))
def test_value(case: Case) -> None:
    want = np.asarray(case.f(case.x0.copy()), dtype=float)
    for x in numbers(case.x0):
        r = case.f(x)
        kind = Dual if isinstance(x, Dual) else Var
        assert isinstance(r, kind), f"f({kind.__name__}) returned a {type(r).__name__}: the derivative was dropped"
        got = np.asarray(r.value, dtype=float)
        assert got.shape == want.shape, f"{type(x).__name__}: shape {got.shape}, NumPy gives {want.shape}"
        np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-14, err_msg=f"value of f({type(x).__name__})")


@pytest.mark.parametrize("case", params("forward", CASES))
def test_forward(case: Case) -> None:
    J = np.asarray(dd.jacobian(case.f, case.x0), dtype=float)
    fd = fd_jacobian(case.f, case.x0)
    assert J.shape == fd.shape, f"jacobian shape {J.shape}, expected {fd.shape}"
    np.testing.assert_allclose(J, fd, rtol=case.tol.rtol, atol=case.tol.atol)


@pytest.mark.parametrize("case", params("reverse", CASES))
def test_reverse(case: Case) -> None:
    assert_close(dd.jacobian(case.f, case.x0, mode="reverse"), dd.jacobian(case.f, case.x0), 1e-9)


@pytest.mark.parametrize("case", params("hessian", CASES))
def test_hessian(case: Case) -> None:
    g = scalarized(case.f)
    Hf = np.asarray(dd.hessian(g, case.x0), dtype=float)
    fd = fd_jacobian(lambda x: dd.gradient(g, x), case.x0)
    assert Hf.shape == fd.shape
    np.testing.assert_allclose(Hf, fd, rtol=case.tol.rtol, atol=case.tol.atol)


@pytest.mark.parametrize("case", params("hessian_reverse", CASES))
def test_hessian_reverse(case: Case) -> None:
    g = scalarized(case.f)
    assert_close(dd.hessian(g, case.x0, mode="reverse"), dd.hessian(g, case.x0), 1e-8)


# --- values-only functions: the same result as NumPy's on the plain values ---
def assert_same(got: Any, want: Any, where: str = "result") -> None:
    assert not isinstance(got, Number), f"{where}: a {type(got).__name__}, NumPy gives {type(want).__name__}"
    if isinstance(want, (tuple, list)):
        assert isinstance(got, (tuple, list)) and len(got) == len(want), f"{where}: {got!r}, NumPy gives {want!r}"
        for i, (a, b) in enumerate(zip(got, want, strict=True)):
            assert_same(a, b, f"{where}[{i}]")
    elif isinstance(want, (np.ndarray, np.generic, bool, int, float)):
        a, b = np.asarray(got), np.asarray(want)
        assert (a.shape, a.dtype) == (b.shape, b.dtype), f"{where}: {a.shape} {a.dtype}, NumPy gives {b.shape} {b.dtype}"
        np.testing.assert_array_equal(a, b, err_msg=where)
    else:
        assert got == want, f"{where}: {got!r}, NumPy gives {want!r}"


@pytest.mark.parametrize("case", params("value", VALUES))
def test_values_only(case: Any) -> None:
    want = case.f(case.x0.copy())
    for x in numbers(case.x0):
        assert_same(case.f(x), want, f"f({type(x).__name__})")


# --- refusals: what would drop a derivative raises TypeError in both modes ---
@pytest.mark.parametrize("kind", ["Dual", "Var"])
@pytest.mark.parametrize("f", [pytest.param(f, id=name) for name, f in REFUSED])
def test_refused(f: Any, kind: str) -> None:
    x = numbers(P(6))[kind == "Var"]
    with pytest.raises(TypeError):
        f(x)


# --- coverage: every live table entry has a row (or a stated reason not to) ---
def covers(case_id: str) -> Any:
    """What a row's id names: a TABLE rule, or a NumPy function (``linalg.norm``, ``fft.rfft``)."""
    head = case_id.split("-")[0]
    if head in TABLE:
        return TABLE[head]
    obj: Any = np
    for part in head.split("."):
        obj = getattr(obj, part)
    return obj


def name_of(func: Any) -> str:
    mod = (getattr(func, "__module__", None) or "numpy").replace("numpy.linalg._linalg", "numpy.linalg")
    return f"{mod}.{getattr(func, '__name__', func)}"


def test_ids_are_unique_and_name_what_they_cover() -> None:
    for table in (CASES, VALUES):
        ids = [c.id for c in table]
        assert len(ids) == len(set(ids)), sorted({i for i in ids if ids.count(i) > 1})
        for i in ids:
            covers(i)  # raises AttributeError for a misspelt head
    names = [name for name, _ in REFUSED]
    assert len(names) == len(set(names))


def test_every_function_and_rule_has_a_row() -> None:
    by_rows = {covers(c.id) for c in CASES}
    by_values = {covers(c.id) for c in VALUES}
    missing = []
    for func, impl in FUNCTIONS.items():
        if not getattr(impl, "__module__", "").startswith("dualdiff."):
            continue  # a user's rule (register_function in a test or a doc example), not the package's
        values_only = "_on_values" in getattr(impl, "__qualname__", "")
        if func not in EXCLUDED and func not in by_rows and not (values_only and func in by_values):
            missing.append(name_of(func) + (" (values only: add a V row)" if values_only else ""))
    missing += [f"TABLE[{name!r}]" for name, rule in TABLE.items() if rule not in by_rows]
    assert not missing, "no row in tests/cases.py for: " + ", ".join(sorted(missing))


def test_exclusions_are_live() -> None:
    stale = [name_of(f) for f in EXCLUDED if f not in FUNCTIONS]
    assert not stale, f"EXCLUDED names functions that are no longer registered: {stale}"


# --- a property: random shapes and axes, forward against finite differences and reverse against forward ---
OPS = {
    "sum": lambda a, p: np.sum(a, axis=p["axis"], keepdims=p["keepdims"]),
    "mean": lambda a, p: np.mean(a, axis=p["axis"], keepdims=p["keepdims"]),
    "max": lambda a, p: np.max(a, axis=p["axis"], keepdims=p["keepdims"]),
    "prod": lambda a, p: np.prod(a, axis=p["axis"], keepdims=p["keepdims"]),
    "var": lambda a, p: np.var(a, axis=p["axis"], keepdims=p["keepdims"]),
    "cumsum": lambda a, p: np.cumsum(a, axis=p["one"]),
    "transpose": lambda a, p: np.transpose(a, p["perm"]),
    "moveaxis": lambda a, p: np.moveaxis(a, p["one"], p["other"]),
    "concatenate": lambda a, p: np.concatenate([a, a * a, np.ones_like(a)], axis=p["one"]),
    "stack": lambda a, p: np.stack([a, np.sin(a)], axis=p["other"]),
    "flip": lambda a, p: np.flip(a, axis=p["axis"]),
}


@st.composite
def problems(draw: Any) -> tuple[str, tuple[int, ...], dict[str, Any]]:
    shape = tuple(draw(st.lists(st.integers(2, 6), min_size=1, max_size=3).filter(lambda s: int(np.prod(s)) <= 36)))
    n = len(shape)
    axes = draw(st.lists(st.integers(0, n - 1), unique=True, min_size=1, max_size=n))
    signed = tuple(a - n if draw(st.booleans()) else a for a in axes)
    p = {
        "axis": draw(st.sampled_from([None, signed[0], signed])),
        "keepdims": draw(st.booleans()),
        "one": draw(st.integers(-n, n - 1)),
        "other": draw(st.integers(-n, n - 1)),
        "perm": tuple(draw(st.permutations(range(n)))),
    }
    return draw(st.sampled_from(sorted(OPS))), shape, p


@settings(derandomize=True, max_examples=80, database=None, deadline=None)
@given(problems())
def test_random_shapes_and_axes(problem: tuple[str, tuple[int, ...], dict[str, Any]]) -> None:
    op, shape, p = problem
    f = lambda x: OPS[op](x.reshape(shape), p)
    x0 = P(int(np.prod(shape)))
    J = np.asarray(dd.jacobian(f, x0), dtype=float)
    np.testing.assert_allclose(J, fd_jacobian(f, x0), rtol=1e-5, atol=1e-6)
    assert_close(dd.jacobian(f, x0, mode="reverse"), J, 1e-9)
