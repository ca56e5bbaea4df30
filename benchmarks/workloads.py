"""The five workloads: for each, the implementations to time, the reference to check against, and the targets.

An implementation is a function of no arguments returning its derivative (the primal returns None).
dualdiff must match the workload's reference (an exact formula, or a floor that is itself checked
against finite differences or dualdiff's other mode); every floor and peer must match dualdiff.
"""

from __future__ import annotations

import atexit
import inspect
import math
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import floors
import numpy as np
import peers
from functions import (
    chain,
    elementwise,
    elementwise_loss,
    net_data,
    net_loss,
    numpy_ns,
    tridiagonal,
    tridiagonal_jacobian,
)

import dualdiff

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


@dataclass
class Impl:
    name: str
    role: str  # "primal", "dualdiff", "floor" or "peer"
    fn: Callable[[], Any] | None = None  # None: not available, see note
    note: str = ""
    timed: Callable[[], float] | None = None  # measures itself (the import workload)
    rtol: float | None = None  # looser than the workload's for approximations (finite differences)


@dataclass
class Target:
    label: str
    num: str  # implementation name whose time is judged
    den: str | None  # ... divided by this one's; None: an absolute limit in seconds
    limit: float


@dataclass
class Workload:
    key: str
    title: str
    impls: list[Impl]
    reference: Callable[[], Any] | None = None
    reference_name: str = ""
    checks: list[Callable[[], tuple[str, float, float]]] = field(default_factory=list)  # (what, error, tolerance)
    targets: list[Target] = field(default_factory=list)
    rtol: float = 1e-9  # AD against AD: only rounding may differ


SIZES = {  # the full run and --quick use the brief's sizes (--quick fewer import runs); --check shrinks them
    "full": dict(steps=200, n_jvp=10**6, n_jac=(100, 1000), n_grad=10**5, n_net=10**5, imports=9),
    "quick": dict(steps=200, n_jvp=10**6, n_jac=(100, 1000), n_grad=10**5, n_net=10**5, imports=5),
    "check": dict(steps=20, n_jvp=1000, n_jac=(10, 60), n_grad=1000, n_net=1000, imports=0),
}


def discard(f: Callable[[], Any]) -> Callable[[], None]:
    """The primal's thunk: evaluate, return no derivative."""

    def run() -> None:
        f()

    return run


def rel_err(a: Any, b: Any) -> float:
    """max |a - b| / max |b|: one relative error for scalars and arrays."""
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    if a.shape != b.shape:
        return math.inf
    scale = float(np.max(np.abs(b))) if b.size else 0.0
    return float(np.max(np.abs(a - b))) / max(scale, 1e-300) if a.size else 0.0


def peer_impls(kind: str, wanted: dict[str, Any], *args: Any) -> list[Impl]:
    """One row per peer that has an adapter for this kind of workload; absent peers keep their note."""
    rows = []
    for name, adapter in peers.ADAPTERS[kind].items():
        label = peers.LABELS[kind, name]
        if name not in wanted:
            continue
        mod, why = wanted[name]
        if mod is None:
            rows.append(Impl(label, "peer", note=why))
            continue
        try:
            rows.append(Impl(label, "peer", adapter(*args)))
        except Exception as e:  # an API that moved: say so in the table, keep going
            rows.append(Impl(label, "peer", note=f"failed: {type(e).__name__}: {e}"[:90]))
    return rows


def _fd_check(f: Callable[[float], float], x0: float, d: Callable[[], Any]) -> Callable[[], tuple[str, float, float]]:
    def check() -> tuple[str, float, float]:
        h = 1e-5
        fd = (f(x0 + h) - f(x0 - h)) / (2 * h)
        return "dualdiff vs central finite difference", rel_err(d(), fd), 1e-6

    return check


def scalar_chain(sizes: dict[str, Any], wanted: dict[str, Any]) -> Workload:
    steps, x0 = sizes["steps"], 0.7
    dd = lambda: dualdiff.derivative(lambda x: chain(x, dualdiff, steps), x0)
    mini = lambda: chain(floors.MiniDual(x0, 1.0), floors.mini_math, steps).d
    impls = [
        Impl("math floats (primal)", "primal", discard(lambda: chain(x0, math, steps))),
        Impl("minimal dual class", "floor", mini),
        Impl("dualdiff (dualdiff.sin)", "dualdiff", dd),
        Impl("dualdiff (np.sin)", "dualdiff", lambda: dualdiff.derivative(lambda x: chain(x, np, steps), x0)),
    ]
    return Workload(
        "1",
        f"scalar chain: {steps} steps x 28 operations on floats",
        impls + peer_impls("chain", wanted, x0, steps),
        reference=mini,
        reference_name="the minimal dual class",
        checks=[_fd_check(lambda x: chain(x, math, steps), x0, dd)],
        targets=[
            Target("dualdiff <= 1.3x minimal dual class (issue 11)", "dualdiff (dualdiff.sin)", "minimal dual class", 1.3),
            Target("np.sin route <= 2x dualdiff.sin route", "dualdiff (np.sin)", "dualdiff (dualdiff.sin)", 2.0),
        ],
    )


def elementwise_jvp(sizes: dict[str, Any], wanted: dict[str, Any]) -> Workload:
    n = sizes["n_jvp"]
    rng = np.random.default_rng(1)
    x, v = rng.uniform(-2.0, 2.0, n), rng.standard_normal(n)
    hand = lambda: floors.elementwise_tangent(x, v)[1]

    def fd_along_v() -> tuple[str, float, float]:
        h = 1e-5
        fd = (elementwise(x + h * v, np) - elementwise(x - h * v, np)) / (2 * h)
        return "hand-written tangent vs central finite difference along v", rel_err(hand(), fd), 1e-6

    impls = [
        Impl("NumPy f(x) (primal)", "primal", discard(lambda: elementwise(x, np))),
        Impl("hand-written tangent", "floor", hand),
        Impl("minimal dual class", "floor", lambda: elementwise(floors.MiniDual(x, v), floors.mini_numpy).d),
        Impl("raw NumPy, one operation at a time", "floor", lambda: floors.elementwise_by_operation(x, v)[1]),
        Impl("dualdiff.jvp", "dualdiff", lambda: dualdiff.jvp(lambda z: elementwise(z, np), x, v)[1]),
    ]
    return Workload(
        "2",
        f"elementwise jvp, n = {n:,}",
        impls + peer_impls("jvp", wanted, x, v),
        reference=hand,
        reference_name="the hand-written tangent",
        checks=[fd_along_v],
        targets=[
            Target("dualdiff.jvp <= 2.0x primal (issue 6; issue 3 said 3x)", "dualdiff.jvp", "NumPy f(x) (primal)", 2.0),
            Target("dualdiff.jvp <= 1.15x hand-written tangent (issue 11)", "dualdiff.jvp", "hand-written tangent", 1.15),
        ],
    )


def fd_jacobian(f: Callable[[np.ndarray], np.ndarray], x: np.ndarray) -> np.ndarray:
    """Forward differences, one evaluation per input plus one at x (as scipy's approx_fprime does)."""
    f0 = f(x)
    J = np.empty((f0.size, x.size))
    for j in range(x.size):
        h = 1.5e-8 * max(1.0, abs(x[j]))
        xp = x.copy()
        xp[j] += h
        J[:, j] = (f(xp) - f0) / h
    return J


def jacobian(n: int, key: str, wanted: dict[str, Any]) -> Workload:
    x = np.random.default_rng(2).uniform(-1.0, 1.0, n)
    f = lambda z: tridiagonal(z, numpy_ns)
    impls = [
        Impl("NumPy F(x) (primal)", "primal", discard(lambda: f(x))),
        Impl("minimal dual class, identity seed", "floor", lambda: tridiagonal(floors.MiniDual(x, np.eye(n)), floors.mini_numpy).d.T),
        Impl(f"finite differences ({n + 1} evaluations)", "floor", lambda: fd_jacobian(f, x), rtol=1e-6),
        Impl("dualdiff.jacobian", "dualdiff", lambda: dualdiff.jacobian(f, x)),
    ]
    return Workload(
        key,
        f"dense Jacobian of the tridiagonal map, n = {n:,}",
        impls + peer_impls("jacobian", wanted, x),
        reference=lambda: tridiagonal_jacobian(x),
        reference_name="the exact Jacobian",
        targets=[
            Target("dualdiff faster than finite differences", "dualdiff.jacobian", f"finite differences ({n + 1} evaluations)", 1.0),
            Target("dualdiff <= 1.2x minimal dual class", "dualdiff.jacobian", "minimal dual class, identity seed", 1.2),
            *([Target("dualdiff <= 1.5x minimal dual class (issue 11)", "dualdiff.jacobian", "minimal dual class, identity seed", 1.5)]
              if n <= 100 else []),
        ],
        rtol=1e-9,
    )


def reverse_available() -> str:
    """'' when dualdiff.gradient takes mode="reverse", else why not."""
    if "mode" not in inspect.signature(dualdiff.gradient).parameters:
        return 'not available yet: dualdiff.gradient has no mode="reverse" (dualdiff/core/tape.py)'
    return ""


def _jvp_check(f: Callable[[Any], Any], x: np.ndarray, g: Callable[[], np.ndarray]) -> Callable[[], tuple[str, float, float]]:
    def check() -> tuple[str, float, float]:
        u = np.random.default_rng(3).standard_normal(x.shape)
        forward = dualdiff.jvp(f, x, u)[1]
        return "hand-written backprop . u vs dualdiff.jvp along u (forward mode)", rel_err(np.dot(g(), u), forward), 1e-9

    return check


def gradient(sizes: dict[str, Any], wanted: dict[str, Any], net: bool) -> Workload:
    if net:
        data = net_data(sizes["n_net"])
        x = data.w
        f = lambda w: net_loss(w, data, numpy_ns)
        hand = lambda: floors.net_backprop(x, data)
        key, what = "4b", f"two-layer tanh network, {x.size:,} weights, batch {data.X.shape[0]}"
    else:
        data = None
        x = np.random.default_rng(4).uniform(-2.0, 2.0, sizes["n_grad"])
        f = lambda z: elementwise_loss(z, numpy_ns)
        hand = lambda: floors.elementwise_grad(x)
        key, what = "4a", f"sum of the elementwise function, n = {x.size:,}"
    why = reverse_available()
    dd = Impl('dualdiff.gradient(mode="reverse")', "dualdiff", None if why else lambda: dualdiff.gradient(f, x, mode="reverse"), why)
    impls = [
        Impl("NumPy loss (primal)", "primal", discard(lambda: f(x))),
        Impl("hand-written backprop", "floor", hand),
        dd,
    ]
    return Workload(
        key,
        f"reverse-mode gradient: {what}",
        impls + peer_impls("grad", wanted, x, data),
        reference=hand,
        reference_name="hand-written backprop",
        checks=[_jvp_check(f, x, hand)],
        targets=[Target("dualdiff reverse <= 3x primal (issue 6; issue 4 said 5x)", dd.name, "NumPy loss (primal)", 3.0)],
    )


IMPORT_CODE = (
    "import sys, time; t0 = time.perf_counter(); import numpy; t1 = time.perf_counter(); "
    "import dualdiff; t2 = time.perf_counter(); print(t1 - t0, t2 - t1)"
)
NO_SCIPY = "sys.modules['scipy'] = None; "  # as if SciPy were not installed: dualdiff skips its scipy.special rules


def _scratch(prefix: str) -> str:
    """A temporary folder, removed when the run ends."""
    path = tempfile.mkdtemp(prefix=prefix)
    atexit.register(shutil.rmtree, path, True)
    return path


def import_time(runs: int) -> Workload:
    """Fresh interpreters; the median over ``runs`` of import numpy, and of import dualdiff after it.

    Bytecode is cached in a temporary folder (PYTHONPYCACHEPREFIX) and warmed by one untimed run, as
    an installed package has its .pyc files; the second dualdiff row compiles from source every time,
    as it does where PYTHONDONTWRITEBYTECODE is set and no cache exists.
    """
    cache: dict[str, list[tuple[float, float]]] = {}
    pycache = _scratch("dualdiff-bench-pyc-")

    def measure(variant: str = "cached") -> list[tuple[float, float]]:
        if variant not in cache:
            env = dict(os.environ, PYTHONPATH=ROOT + os.pathsep + os.environ.get("PYTHONPATH", ""))
            env.pop("PYTHONDONTWRITEBYTECODE", None)
            if variant == "source":
                env["PYTHONDONTWRITEBYTECODE"] = "1"
                env["PYTHONPYCACHEPREFIX"] = _scratch("dualdiff-bench-empty-")  # nothing cached there
            else:
                env["PYTHONPYCACHEPREFIX"] = pycache
            code = IMPORT_CODE.replace("t0 =", NO_SCIPY + "t0 =") if variant == "no scipy" else IMPORT_CODE
            cache[variant] = []
            for i in range(runs + 1):
                out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True, cwd=ROOT)
                a, b = out.stdout.split()
                if i:  # the first run fills the bytecode cache
                    cache[variant].append((float(a), float(b)))
        return cache[variant]

    impls = [
        Impl("import numpy", "primal", timed=lambda: statistics.median(a for a, _ in measure())),
        Impl("import dualdiff, beyond numpy", "dualdiff", timed=lambda: statistics.median(b for _, b in measure())),
        Impl("the same, compiled from source", "dualdiff", timed=lambda: statistics.median(b for _, b in measure("source"))),
        Impl("the same without SciPy installed", "dualdiff", timed=lambda: statistics.median(b for _, b in measure("no scipy"))),
    ]
    return Workload(
        "5",
        f"import time, fresh interpreters, median of {runs}",
        impls,
        targets=[Target("import dualdiff beyond numpy < 150 ms", "import dualdiff, beyond numpy", None, 0.150)],
    )


def build(mode: str, wanted: dict[str, Any], only: set[str] | None = None) -> list[Workload]:
    """The workloads of a run; ``mode`` is "full", "quick" or "check" (sizes), ``only`` a set of keys like {"1", "3b"}."""
    sizes = SIZES[mode]
    n_small, n_large = sizes["n_jac"]
    makers: dict[str, Callable[[], Workload]] = {
        "1": lambda: scalar_chain(sizes, wanted),
        "2": lambda: elementwise_jvp(sizes, wanted),
        "3a": lambda: jacobian(n_small, "3a", wanted),
        "3b": lambda: jacobian(n_large, "3b", wanted),
        "4a": lambda: gradient(sizes, wanted, net=False),
        "4b": lambda: gradient(sizes, wanted, net=True),
    }
    if sizes["imports"]:
        makers["5"] = lambda: import_time(sizes["imports"])
    return [make() for key, make in makers.items() if only is None or key in only or key[:1] in only]
