"""Sparse Jacobians and the default mode, measured in one run: ``python benchmarks/sparse_rows.py``.

    python benchmarks/sparse_rows.py            # the rows below, best of several samples each
    python benchmarks/sparse_rows.py --check    # small sizes, no timing: is the sparse Jacobian exact?

`run.py` prints these rows after its own tables. The reaction-diffusion system is the 1-D
Brusselator (Hairer and Wanner), u' = 1 + u^2 v - 4u + a u_xx and v' = 3u - u^2 v + a v_xx, on N
points each: a Jacobian of 2N x 2N with four entries a row, checked against the one written by hand.
SciPy's side is its own sparse finite differences with the column groups computed once, as
`solve_ivp` does (`approx_derivative(f, x, sparsity=(pattern, groups))`); dualdiff's side is
`jacobian(f, x, sparsity=coloring(pattern))`, the coloring computed once.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable
from typing import Any

import numpy as np

sys.path[:0] = [os.path.dirname(os.path.dirname(os.path.abspath(__file__)))]  # the dualdiff of this tree

import dualdiff  # noqa: E402

ALPHA = 0.02


def brusselator(n: int) -> Callable[[Any], Any]:
    """The right-hand side y -> y' of the Brusselator on n points (y = [u, v], Dirichlet u = v = 1 at the ends)."""
    h2 = (n + 1) ** 2

    def lap(w: Any) -> Any:
        return np.concatenate(([w[1] - 2 * w[0] + 1.0], w[2:] - 2 * w[1:-1] + w[:-2], [w[-2] - 2 * w[-1] + 1.0])) * (ALPHA * h2)

    def f(y: Any) -> Any:
        u, v = y[:n], y[n:]
        uuv = u * u * v
        return np.concatenate((1 + uuv - 4 * u + lap(u), 3 * u - uuv + lap(v)))

    return f


def brusselator_jacobian(y: np.ndarray, n: int) -> Any:
    """The same Jacobian by hand: the reference."""
    import scipy.sparse as sp

    u, v = y[:n], y[n:]
    c = ALPHA * (n + 1) ** 2
    lap = sp.diags([np.full(n - 1, c), np.full(n, -2 * c), np.full(n - 1, c)], [-1, 0, 1])
    return sp.bmat([[sp.diags(2 * u * v - 4) + lap, sp.diags(u * u)], [sp.diags(3 - 2 * u * v), sp.diags(-u * u) + lap]]).tocsr()


def start(n: int) -> np.ndarray:
    x = np.linspace(0, 1, n + 2)[1:-1]
    return np.concatenate((1 + np.sin(2 * np.pi * x), np.full(n, 3.0)))


def rosen(x: Any) -> Any:
    return np.sum(100 * (x[1:] - x[:-1] ** 2) ** 2 + (1 - x[:-1]) ** 2)


def bests(fns: list[Callable[[], Any]], repeat: int) -> list[float]:
    """The best time of each function, taking turns sample by sample: a noisy neighbour hits them alike."""
    times: list[list[float]] = [[] for _ in fns]
    for _ in range(repeat):
        for fn, ts in zip(fns, times, strict=True):
            t = time.perf_counter()
            fn()
            ts.append(time.perf_counter() - t)
    return [min(ts) for ts in times]


def exact(n: int) -> float:
    """The largest relative error of dualdiff's sparse Jacobian against the hand-written one."""
    y = start(n) + 0.1 * np.cos(np.arange(2 * n))
    ref = brusselator_jacobian(y, n)
    j = dualdiff.jacobian(brusselator(n), y, sparse=True)
    if (j != 0).nnz != (ref != 0).nnz or abs(j - ref).max() > 1e-14 * abs(ref).max():
        return float("inf")
    return float(abs(j - ref).max() / abs(ref).max())


def measure(repeat: int) -> list[tuple[str, str, str]]:
    """(what, measured, target) rows, each ratio from this one run."""
    from scipy.integrate import solve_ivp
    from scipy.optimize._numdiff import approx_derivative, group_columns

    rows = []
    fns, info = [], []
    for n in (3000, 30000):
        f, y = brusselator(n), start(n)
        t0 = time.perf_counter()
        pattern = dualdiff.jacobian_sparsity(f, y)
        t1 = time.perf_counter()
        c = dualdiff.coloring(pattern)
        t2 = time.perf_counter()
        groups = group_columns(pattern)
        fns += [lambda f=f, y=y, c=c: dualdiff.jacobian(f, y, sparsity=c),
                lambda f=f, y=y, p=pattern, g=groups: approx_derivative(f, y, sparsity=(p, g))]
        info.append((n, c.ncolors, groups.max() + 1, t1 - t0, t2 - t1))
    times = bests(fns, repeat)  # all four take turns, so the ratios between sizes are of one moment too
    for (n, colors, groups_, detect, color), ours, theirs in zip(info, times[0::2], times[1::2], strict=True):
        rows.append((f"reaction-diffusion Jacobian, N = {n}: dualdiff / SciPy sparse FD",
                     f"{ours * 1e3:.2f} ms / {theirs * 1e3:.2f} ms = {ours / theirs:.2f}x "
                     f"({colors} colors; SciPy {groups_} groups)", "<= 1x"))
        rows.append((f"  once per pattern, N = {n}: detection, coloring", f"{detect * 1e3:.0f} ms, {color * 1e3:.0f} ms", ""))
    rows.append(("reaction-diffusion Jacobian: N = 30,000 / N = 3000", f"{times[2] / times[0]:.1f}x", "<= 15x"))

    n = 3000
    f, y0 = brusselator(n), start(n)
    pattern = dualdiff.jacobian_sparsity(f, y0)
    c = dualdiff.coloring(pattern)

    def ours_solve() -> Any:
        return solve_ivp(lambda t, y: f(y), (0, 10), y0, method="BDF", rtol=1e-6, atol=1e-8,
                         jac=lambda t, y: dualdiff.jacobian(f, y, sparsity=c))

    def theirs_solve() -> Any:
        return solve_ivp(lambda t, y: f(y), (0, 10), y0, method="BDF", rtol=1e-6, atol=1e-8, jac_sparsity=pattern)

    a, b = ours_solve(), theirs_solve()
    agree = np.max(np.abs(a.y[:, -1] - b.y[:, -1])) / np.max(np.abs(b.y[:, -1]))
    ours, theirs = bests([ours_solve, theirs_solve], max(1, repeat // 5))
    rows.append((f"BDF solve_ivp, N = {n}, t in [0, 10]: dualdiff jac / SciPy sparse FD",
                 f"{ours:.2f} s / {theirs:.2f} s = {ours / theirs:.2f}x ({a.njev} / {b.njev} Jacobians; "
                 f"end states agree to {agree:.0e})", "<= 2x"))

    x = np.linspace(-1, 1, 20000)
    g, r = bests([lambda: dualdiff.gradient(rosen, x), lambda: rosen(x)], repeat)
    rows.append(("gradient(rosen, x), n = 20,000, no mode / one rosen(x)", f"{g * 1e3:.2f} ms / {r * 1e3:.3f} ms = {g / r:.1f}x", "<= 20x"))
    return rows


def report(check: bool, quick: bool = False) -> tuple[list[tuple[str, str, str]], bool]:
    """The rows (check: exactness only, at small sizes) and whether every derivative was exact."""
    err = exact(50 if check else 3000)
    rows = [("reaction-diffusion sparse Jacobian vs the hand-written one", f"relative error {err:.1e}", "exact")]
    good = err <= 1e-14
    if not check:
        rows += measure(5 if quick else 20)
    return rows, good


def section(check: bool, quick: bool, render: Callable[[list[str], list[list[str]], bool], str], markdown: bool) -> tuple[str, bool]:
    """run.py's section: a title and the table (or why it is skipped), and whether all was exact."""
    title = f"\n{'### ' if markdown else ''}Sparse Jacobians and the default mode (benchmarks/sparse_rows.py)\n\n"
    try:
        import scipy.sparse  # noqa: F401
    except ImportError:
        return title + "skipped: SciPy is not installed (pip install scipy)", True
    rows, good = report(check, quick)
    return title + render(["what", "measured", "target"], [list(r) for r in rows], markdown), good


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    rows, good = report("--check" in argv, "--quick" in argv)
    width = max(len(r[0]) for r in rows)
    for what, measured, target in rows:
        print(f"{what:<{width}}  {measured}  {target}")
    return 0 if good else 1


if __name__ == "__main__":
    sys.exit(main())
