"""A dense Jacobian over two worker processes against the serial one (``python benchmarks/run.py
--only parallel``): its chunks of directions are independent, so two workers can share them, once a
chunk costs well over sending its inputs and its part of the Jacobian.

f(x) = tanh(A sin(B x)), A and B dense n x n: a chunk of k directions costs two n x n x k products,
and sends back n k numbers. f is defined at module level (its matrices are made from a fixed seed
at import), so a worker process imports it instead of receiving the matrices with every chunk.
"""

from __future__ import annotations

import os
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from typing import Any

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
if HERE not in sys.path:
    sys.path.insert(0, HERE)

import dualdiff  # noqa: E402
from dualdiff.api import parallel  # noqa: E402

SIZES = (100, 300, 1000, 2000)
_RNG = np.random.default_rng(7)
_MATRICES = {n: (_RNG.standard_normal((n, n)) / np.sqrt(n), _RNG.standard_normal((n, n)) / np.sqrt(n)) for n in SIZES}


def dense(x: Any) -> Any:
    A, B = _MATRICES[len(x)]
    return np.tanh(A @ np.sin(B @ x))


def _best(run: Any, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        run()
        times.append(time.perf_counter() - t)
    return min(times)


def measure(quick: bool) -> list[dict[str, Any]]:
    """Seconds for the serial Jacobian and for two workers (the same chunks), at each size."""
    repeat = 2 if quick else 4
    rows = []
    with ProcessPoolExecutor(2) as pool:
        pool.submit(int, 0).result()  # the workers are up before anything is timed
        for n in SIZES:
            x = np.random.default_rng(n).uniform(-1.0, 1.0, n)
            chunk = n // 4  # two chunks a worker, as parallel.jacobian's default
            serial = dualdiff.jacobian(dense, x, chunk=chunk)
            assert np.array_equal(parallel.jacobian(dense, x, pool, chunk=chunk), serial)  # bit for bit
            t_serial = _best(lambda: dualdiff.jacobian(dense, x, chunk=chunk), repeat)
            t_two = _best(lambda: parallel.jacobian(dense, x, pool, chunk=chunk), repeat)
            rows.append({"n": n, "serial": t_serial, "two": t_two, "speedup": t_serial / t_two})
    return rows


def section(check: bool, quick: bool, render: Any, markdown: bool) -> tuple[str, bool]:
    """The rows and the target, as text for run.py; (text, True: the results match, bit for bit)."""
    if check:
        return "", True
    rows = measure(quick)
    table = render(
        ["n", "serial", "two workers", "speedup"],
        [[f"{r['n']:,}", f"{r['serial'] * 1e3:.1f} ms", f"{r['two'] * 1e3:.1f} ms", f"{r['speedup']:.2f}x"] for r in rows],
        markdown,
    )
    paying = [r["n"] for r in rows if r["speedup"] > 1.0]
    even = f"n = {paying[0]:,}" if paying else "none of the sizes"
    big = rows[-1]["speedup"]
    met = big >= 1.6
    title = "parallel. dense Jacobian of tanh(A sin(B x)), serial against two worker processes"
    lines = [
        f"break-even (two workers faster than serial) from {even}",
        f"two workers >= 1.6x serial at n = {rows[-1]['n']:,}: {big:.2f}x, {'met' if met else 'NOT MET'}",
    ]
    bullet = "- " if markdown else ""
    return f"\n{'### ' if markdown else ''}{title}\n\n{table}\n\n" + "\n".join(bullet + line for line in lines), True


if __name__ == "__main__":
    for r in measure(quick="--quick" in sys.argv):
        print(f"n = {r['n']:>5}: serial {r['serial'] * 1e3:8.1f} ms, two workers {r['two'] * 1e3:8.1f} ms, {r['speedup']:.2f}x")
