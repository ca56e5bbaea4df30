"""check_gradient: four ways to a derivative must agree, and a wrong one must be caught."""

from __future__ import annotations

import math

import numpy as np
import pytest

import dualdiff as dd
from dualdiff.api.check import CheckError, check_gradient
from dualdiff.functions import reductions
from dualdiff.rules.elementwise import Elementwise

METHODS = ["reverse mode", "finite differences", "complex step", "adjoint <u,Jv>=<J^T u,v>"]


def statuses(report):
    return {row.method: row.status for row in report.rows}


@pytest.mark.parametrize(
    "f, x",
    [
        (lambda x: np.sum(np.sin(x) * x), [0.5, 1.0, 2.0]),
        (lambda x: x**3 * np.exp(-x), 0.7),  # scalar in, scalar out
        (lambda x: np.stack([x[0] * x[1], np.log(x[1]) / x[0]]), [2.0, 0.5]),  # a Jacobian
        (lambda x: np.tanh(np.reshape(x, (2, 3)) @ np.ones(3)), np.linspace(0.1, 0.6, 6)),
        (lambda x: np.exp(5 * x), [1.0, 2.0]),  # a large third derivative: the step's tolerance copes
        (lambda x: 1e6 * np.sum(x**2), [1e3, -2e3]),  # large values
    ],
)
def test_good_derivatives_pass_every_method(f, x):
    report = check_gradient(f, x)
    assert report.ok
    assert statuses(report) == dict.fromkeys(METHODS, "ok")
    np.testing.assert_allclose(report.jacobian, dd.jacobian(f, x), rtol=0)
    text = str(report)
    for method in METHODS:
        assert method in text


def test_the_errors_are_measured_against_forward_mode():
    f = lambda x: np.sum(np.cos(x) ** 2)
    report = check_gradient(f, [0.3, 1.2])
    rows = {row.method: row for row in report.rows}
    assert rows["reverse mode"].max_abs <= 1e-15
    assert 1e-13 < rows["finite differences"].max_abs < 1e-7  # a real step error, small
    assert rows["complex step"].max_abs < 1e-15
    assert rows["finite differences"].max_rel == rows["finite differences"].max_abs / np.max(np.abs(report.jacobian))
    assert rows["reverse mode"].tolerance == pytest.approx(1e-12 + 1e-10 * np.max(np.abs(report.jacobian)))


def test_a_wrong_rule_is_caught_by_finite_differences_and_complex_step():
    # a hand-written rule with a sign error: both modes read it, so they agree with each other
    bad_sin = Elementwise(lambda x: np.sin(x), math.sin, lambda x, out: -np.cos(x), name="bad_sin")
    f = lambda x: np.sum(bad_sin(x) * x)
    with pytest.raises(CheckError) as caught:
        check_gradient(f, [0.5, 1.0])
    message = str(caught.value)
    assert "FAILED" in message and "finite differences" in message and "complex step" in message
    report = check_gradient(f, [0.5, 1.0], raise_error=False)
    assert not report.ok
    assert statuses(report) == {
        "reverse mode": "ok", "finite differences": "FAILED", "complex step": "FAILED", "adjoint <u,Jv>=<J^T u,v>": "ok"
    }


def test_a_wrong_structural_rule_of_one_mode_is_caught_by_the_other(monkeypatch):
    right = reductions._sum.vjp
    # the right value and forward map, but a reverse map twice too large
    monkeypatch.setattr(reductions._sum, "vjp", lambda i, g, xs, y, **p: 2 * right(i, g, xs, y, **p))
    report = check_gradient(lambda x: np.sum(x**2), [1.0, 2.0], raise_error=False)
    assert statuses(report) == {
        "reverse mode": "FAILED", "finite differences": "ok", "complex step": "ok", "adjoint <u,Jv>=<J^T u,v>": "FAILED"
    }
    with pytest.raises(CheckError, match="reverse mode"):
        check_gradient(lambda x: np.sum(x**2), [1.0, 2.0])


def test_complex_step_is_skipped_with_the_reason():
    report = check_gradient(lambda x: np.sum(np.abs(x) ** 3), [0.5, -1.0])  # abs returns real for complex
    row = report.rows[METHODS.index("complex step")]
    assert row.status == "skipped" and "real" in row.note
    assert report.ok and "skipped" in str(report)

    def refuses(x):
        if np.iscomplexobj(x):
            raise ValueError("real input only")
        return np.sum(x**2)

    row = check_gradient(refuses, [1.0, 2.0]).rows[METHODS.index("complex step")]
    assert row.status == "skipped" and "ValueError" in row.note


def test_non_smooth_point_fails_finite_differences_honestly():
    # at the kink of abs, the one-sided derivative (+1) is not what a central difference sees (0)
    with pytest.raises(CheckError, match="finite differences"):
        check_gradient(lambda x: np.abs(x), 0.0)


def test_bad_input_is_a_clear_error():
    with pytest.raises(TypeError, match="number"):
        check_gradient(lambda x: x, "abc")


def test_a_mode_without_a_rule_is_a_skipped_row_not_a_crash():
    from dualdiff.core.functions import FUNCTIONS, Primitive

    # a primitive with a forward rule only: reverse mode has no rule for it
    forward_only = Primitive("unwrap", np.unwrap, lambda ds, xs, y, k: ds[0], None)
    FUNCTIONS[np.unwrap] = lambda p, *a, **k: forward_only(p)
    try:
        report = check_gradient(lambda x: np.sum(np.unwrap(x) ** 2), [0.5, 1.0], raise_error=False)
    finally:
        del FUNCTIONS[np.unwrap]
    rows = {r.method: r for r in report.rows}
    assert rows["reverse mode"].status == "skipped" and "unwrap" in rows["reverse mode"].note
    assert rows["adjoint <u,Jv>=<J^T u,v>"].status == "skipped"
    assert rows["finite differences"].status == "ok" and report.ok
