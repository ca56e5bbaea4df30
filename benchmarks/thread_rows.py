"""No cliffs: a 200-point Jacobian with the BLAS thread pool a user has by default, against one thread,
while another process keeps a core busy (``python benchmarks/run.py --only threads``).

A per-operation BLAS call (a dot product over each tangent, as dualdiff's nan check once was) makes
every small operation wake the thread pool; on a loaded 2-core machine the waking costs more than
the work. Each variant runs in a fresh process (the thread count is read when NumPy loads its BLAS),
the busy process runs throughout, and the variants take turns.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
from typing import Any

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
THREAD_VARIABLES = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")

# the child: time dualdiff.jacobian of the tridiagonal map at n = 200, print the median in seconds
CHILD = """
import sys, timeit
sys.path[:0] = [{here!r}, {root!r}]
import numpy as np
import dualdiff
from functions import numpy_ns, tridiagonal
x = np.random.default_rng(2).uniform(-1.0, 1.0, 200)
f = lambda z: tridiagonal(z, numpy_ns)
dualdiff.jacobian(f, x)
times = timeit.repeat(lambda: dualdiff.jacobian(f, x), number={number}, repeat={repeat})
print(sorted(times)[len(times) // 2] / {number})
"""


def _child_env(threads: str | None) -> dict[str, str]:
    env = dict(os.environ)
    for name in THREAD_VARIABLES:
        env.pop(name, None)
        if threads is not None:
            env[name] = threads
    return env


def _time(threads: str | None, number: int, repeat: int) -> float:
    code = CHILD.format(here=HERE, root=ROOT, number=number, repeat=repeat)
    out = subprocess.run([sys.executable, "-c", code], env=_child_env(threads), capture_output=True, text=True, check=True)
    return float(out.stdout.strip().splitlines()[-1])


def measure(quick: bool) -> dict[str, Any]:
    """Median seconds per Jacobian with default threads and with one, a busy process beside them."""
    number, repeat, rounds = (20, 5, 2) if quick else (50, 7, 3)
    busy = subprocess.Popen([sys.executable, "-c", "while True: pass"])
    try:
        default, single = [], []
        for _ in range(rounds):  # take turns, so that a change in the load hits both alike
            default.append(_time(None, number, repeat))
            single.append(_time("1", number, repeat))
    finally:
        busy.kill()
        busy.wait()
    d, s = statistics.median(default), statistics.median(single)
    return {"default": d, "single": s, "ratio": d / s}


def section(check: bool, quick: bool, render: Any, markdown: bool) -> tuple[str, bool]:
    """The benchmark's rows and target, as text for run.py; (text, True: its derivatives match)."""
    if check:
        return "", True
    r = measure(quick)
    rows = [
        ["default BLAS threads", f"{r['default'] * 1e3:.2f} ms"],
        ["one BLAS thread", f"{r['single'] * 1e3:.2f} ms"],
    ]
    met = r["ratio"] <= 1.5
    title = "threads. 200-point Jacobian (tridiagonal map) beside a busy process"
    table = render(["variant", "time"], rows, markdown)
    target = f"default threads <= 1.5x one thread: {r['ratio']:.2f}x, {'met' if met else 'NOT MET'}"
    return f"\n{'### ' if markdown else ''}{title}\n\n{table}\n\n{'- ' if markdown else ''}{target}", True


if __name__ == "__main__":
    result = measure(quick="--quick" in sys.argv)
    print(f"default {result['default'] * 1e3:.2f} ms, one thread {result['single'] * 1e3:.2f} ms, ratio {result['ratio']:.2f}x")
