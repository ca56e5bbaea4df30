"""The benchmark script's check mode: every workload's derivative matches its reference. No timing here."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

BENCH = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "benchmarks")
sys.path.insert(0, BENCH)

import run  # noqa: E402
import workloads  # noqa: E402
from floors import MiniDual, mini_math  # noqa: E402

# The light peers take part when installed (the bench extra); jax and torch take seconds to import,
# so the suite leaves them to `python benchmarks/run.py --check`.
LIGHT = ",".join(n for n in ("ad", "uncertainties", "autograd") if run.peers.load(n)[0] is not None) or "none"


@pytest.fixture(scope="module")
def results() -> dict[str, tuple[list[run.Row], list[str], bool]]:
    return {key: (rows, lines, good) for key, rows, lines, good in run.check(LIGHT)}


def test_every_workload_is_checked(results: dict) -> None:
    assert set(results) == {"1", "2", "3a", "3b", "4a", "4b"}


@pytest.mark.parametrize("key", ["1", "2", "3a", "3b", "4a", "4b"])
def test_dualdiff_matches_the_reference(results: dict, key: str) -> None:
    rows, lines, good = results[key]
    dd = [r for r in rows if r.impl.role == "dualdiff"]
    assert dd, "every workload has a dualdiff implementation"
    for r in dd:
        assert r.status == "ok", f"{key} {r.impl.name}: {r.status} {r.detail}"
        assert " vs " in r.detail  # it was compared, not just run
    for r in rows:
        assert r.status in ("ok", "primal", "absent"), f"{key} {r.impl.name}: {r.status} {r.detail}"
    assert all(line.startswith("ok:") for line in lines), lines
    assert good


def test_floors_are_compared_to_dualdiff(results: dict) -> None:
    rows = results["3b"][0]
    fd = next(r for r in rows if r.impl.name.startswith("finite differences"))
    assert fd.status == "ok" and "dualdiff.jacobian" in fd.detail


def test_a_wrong_derivative_is_reported() -> None:
    """The check is able to fail: a floor with a wrong rule (sin' = sin) is flagged as a mismatch."""
    w = workloads.build("check", {}, {"1"})[0]
    wrong = dict(vars(mini_math))
    wrong["sin"] = lambda x: MiniDual(mini_math.sin(x).v, mini_math.sin(x).v * x.d)
    ns = type(mini_math)(**wrong)
    w.impls.append(workloads.Impl("wrong floor", "floor", lambda: workloads.chain(MiniDual(0.7, 1.0), ns, 20).d))
    rows, _, good = run.verify(w)
    assert next(r for r in rows if r.impl.name == "wrong floor").status == "mismatch"
    assert not good


def test_rel_err() -> None:
    assert workloads.rel_err([1.0, 2.0], [1.0, 2.0]) == 0.0
    assert workloads.rel_err(1.1, 1.0) == pytest.approx(0.1)
    assert workloads.rel_err([1.0], [1.0, 2.0]) == float("inf")


def test_command_line_check_mode_exits_zero() -> None:
    out = subprocess.run(
        [sys.executable, os.path.join(BENCH, "run.py"), "--check", "--peers", "none", "--only", "1,3a", "--markdown"],
        capture_output=True, text=True, timeout=120,
    )
    assert out.returncode == 0, out.stdout + out.stderr
    assert "all derivatives match" in out.stdout
    assert "| dualdiff.jacobian | dualdiff | ok (" in out.stdout


def test_reverse_mode_missing_is_reported_not_failed(monkeypatch: pytest.MonkeyPatch) -> None:
    """Without dualdiff's reverse mode the row says so, and the rest are checked against the reference."""
    monkeypatch.setattr(workloads, "reverse_available", lambda: "not available yet")
    w = workloads.build("check", {}, {"4a"})[0]
    rows, lines, good = run.verify(w)
    dd = next(r for r in rows if r.impl.role == "dualdiff")
    assert (dd.status, dd.detail) == ("absent", "not available yet")
    hand = next(r for r in rows if r.impl.role == "floor")
    assert hand.status == "ok" and "hand-written backprop" in hand.detail
    assert good
