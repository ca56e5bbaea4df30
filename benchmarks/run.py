"""dualdiff against its floors and its peers, in one run: ``python benchmarks/run.py``.

    python benchmarks/run.py              # full run (under two minutes on 2 cores): every workload, every installed peer
    python benchmarks/run.py --quick      # fewer repeats, under a minute
    python benchmarks/run.py --markdown   # the same tables in Markdown, for docs/performance.md
    python benchmarks/run.py --check      # small sizes, no timing: does every derivative match? (exit 1 if not)
    python benchmarks/run.py --profile    # cProfile of dualdiff on the scalar chain and the n = 1000 Jacobian
    python benchmarks/run.py --only 1,3b --peers autograd,jax
    python benchmarks/run.py --only threads,parallel   # no BLAS-thread cliff; a Jacobian over two workers
    python benchmarks/run.py --default-malloc    # glibc's heap trimming left on (by default it is pinned: see pin_allocator)

Every implementation is run once and checked (dualdiff against the workload's reference, floors and
peers against dualdiff) before it is timed; a mismatch is reported instead of a time. A time is the
median of several samples after a warm-up, with the garbage collector off as in `timeit`; the
implementations of a workload take turns sample by sample, in a shuffled order each round, so a
noisy neighbour hits them alike and none always runs after the same one.
"""

from __future__ import annotations

import argparse
import cProfile
import ctypes
import ctypes.util
import gc
import os
import platform
import pstats
import random
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

# One thread for every library (unless set otherwise): on a shared 2-core machine a multithreaded BLAS
# spends more time waking threads than multiplying (a 32x100 @ 100x500 matmul: 30 ms instead of 0.1 ms).
THREAD_VARIABLES = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")
ALLOCATOR = "allocator: as it comes"
if __name__ == "__main__":  # before NumPy loads its BLAS; importing this module (the test) changes nothing
    for _name in THREAD_VARIABLES:
        os.environ.setdefault(_name, "1")
    os.environ.setdefault("XLA_FLAGS", "--xla_cpu_multi_thread_eigen=false intra_op_parallelism_threads=1")

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:0] = [HERE, os.path.dirname(HERE)]  # the sibling modules, and the dualdiff of this tree

import numpy as np  # noqa: E402
import parallel_rows  # noqa: E402
import peers  # noqa: E402
import sparse_rows  # noqa: E402
import taylor  # noqa: E402
import thread_rows  # noqa: E402
import workloads  # noqa: E402
from workloads import Impl, Workload, rel_err  # noqa: E402

import dualdiff  # noqa: E402


@dataclass
class Timing:
    min_time: float  # seconds one sample lasts at least (calls are looped)
    repeats: int  # samples, whose median is reported...
    min_repeats: int  # ... but at least this many, even for slow implementations
    budget: float  # seconds one implementation may take, when min_repeats allow


TIMINGS = {"full": Timing(0.05, 7, 3, 4.0), "quick": Timing(0.01, 3, 1, 0.6)}


@dataclass
class Row:
    impl: Impl
    status: str  # "ok", "mismatch", "failed", "absent", "primal", "timed"
    detail: str = ""  # the error of the check, or why there is no number
    seconds: float | None = None

    @property
    def usable(self) -> bool:
        return self.status in ("ok", "primal", "timed")


@dataclass
class Plan:
    row: Row
    number: int  # calls per sample
    repeats: int
    samples: list[float]


def plan(row: Row, timing: Timing) -> Plan:
    """How to time one implementation, which has already run once (the checking call)."""
    gc.collect()
    t = time.perf_counter()
    row.impl.fn()  # type: ignore[misc]  # a second warm-up, which also says how long one call takes
    once = max(time.perf_counter() - t, 1e-9)
    number = max(1, int(timing.min_time / once))
    repeats = max(timing.min_repeats, min(timing.repeats, int(timing.budget / (once * number))))
    return Plan(row, number, repeats, [])


def sample(p: Plan) -> None:
    fn = p.row.impl.fn
    fn()  # type: ignore[misc]  # untimed: the first call after another implementation's finds the caches in its state
    gc.disable()
    try:
        t = time.perf_counter()
        for _ in range(p.number):
            fn()  # type: ignore[misc]
        p.samples.append((time.perf_counter() - t) / p.number)
    finally:
        gc.enable()


def verify(w: Workload) -> tuple[list[Row], list[str], bool]:
    """Run every implementation once and check its derivative: (rows, lines about the checks, all good)."""
    rows, outputs = [], {}
    for impl in w.impls:
        if impl.timed is not None:
            rows.append(Row(impl, "timed"))  # no derivative to check
        elif impl.fn is None:
            rows.append(Row(impl, "absent", impl.note))
        else:
            try:
                outputs[impl.name] = impl.fn()
                rows.append(Row(impl, "primal" if impl.role == "primal" else "ok"))
            except Exception as e:  # report it in the table and go on with the others
                rows.append(Row(impl, "failed", f"{type(e).__name__}: {e}".splitlines()[0][:100]))
    ref = w.reference() if w.reference is not None else None
    good, lines = True, []
    # dualdiff against the reference; the rest against dualdiff's first route (or the reference without one)
    for row in rows:
        if row.impl.role == "dualdiff" and row.impl.name in outputs and ref is not None:
            err = rel_err(outputs[row.impl.name], ref)
            row.detail = f"{err:.0e} vs {w.reference_name}"
            if not err <= w.rtol:
                row.status = "mismatch"
    base_row = next((r for r in rows if r.impl.role == "dualdiff" and r.status == "ok" and r.impl.name in outputs), None)
    base = outputs[base_row.impl.name] if base_row else ref
    base_name = base_row.impl.name if base_row else w.reference_name
    for row in rows:
        if row.impl.role in ("floor", "peer") and row.status == "ok":
            err = rel_err(outputs[row.impl.name], base)
            row.detail = f"{err:.0e} vs {base_name}"
            if not err <= (row.impl.rtol or w.rtol):
                row.status = "mismatch"
    for check in w.checks:
        what, err, tol = check()
        ok = err <= tol
        lines.append(f"{'ok' if ok else 'FAILED'}: {what}: relative error {err:.1e} (tolerance {tol:.0e})")
        good &= ok
    for row in rows:
        if row.status == "mismatch" or (row.status == "failed" and row.impl.role != "peer"):
            good = False
    return rows, lines, good


def time_rows(rows: list[Row], timing: Timing, log: Callable[[str], None]) -> None:
    """Median times; the samples of a workload's implementations take turns, so that a noisy
    neighbour on a shared machine slows them all alike instead of one of them, in a shuffled order."""
    plans = []
    for row in rows:
        if row.impl.timed is not None:
            log(f"  timing {row.impl.name} ...")
            row.seconds = row.impl.timed()
        elif row.usable:
            plans.append(plan(row, timing))
    log(f"  timing {len(plans)} implementations in turn ...")
    order = random.Random(0)  # a new order each round: what runs just before one (and leaves the
    while any(len(p.samples) < p.repeats for p in plans):  # caches and the heap in its own state) is not always the same
        for p in order.sample(plans, len(plans)):
            if len(p.samples) < p.repeats:
                sample(p)
    for p in plans:
        p.row.seconds = statistics.median(p.samples)


def fmt_time(s: float | None) -> str:
    if s is None:
        return "-"
    for unit, scale in (("s", 1.0), ("ms", 1e-3), ("µs", 1e-6)):
        if s >= scale:
            return f"{s / scale:.3g} {unit}"
    return f"{s * 1e9:.3g} ns"


def fmt_ratio(a: float | None, b: float | None) -> str:
    if a is None or not b:
        return "-"
    r = a / b
    return f"{r:,.0f}x" if r >= 1000 else f"{r:.3g}x"


def first_time(rows: list[Row], role: str) -> float | None:
    return next((r.seconds for r in rows if r.impl.role == role and r.seconds is not None), None)


def table(w: Workload, rows: list[Row]) -> tuple[list[str], list[list[str]]]:
    primal, dd = first_time(rows, "primal"), first_time(rows, "dualdiff")
    head = ["implementation", "kind", "time", "x primal", "x dualdiff", "check"]
    body = []
    for r in rows:
        shown = {"ok": f"ok ({r.detail})" if r.detail else "ok", "primal": "-", "timed": "-"}
        check = shown.get(r.status, f"{r.status.upper()}: {r.detail}")
        if r.status == "absent":
            check = r.detail
        body.append([r.impl.name, r.impl.role, fmt_time(r.seconds), fmt_ratio(r.seconds, primal), fmt_ratio(r.seconds, dd), check])
    return head, body


def judge(w: Workload, rows: list[Row]) -> list[list[str]]:
    """[target, measured, met / not met] for each target of the workload."""
    seconds = {r.impl.name: r.seconds for r in rows}
    out = []
    for t in w.targets:
        num = seconds.get(t.num)
        den = seconds.get(t.den) if t.den is not None else 1.0
        if num is None or den is None:
            out.append([f"{w.key}: {t.label}", "-", "not measured"])
            continue
        value = num / den
        measured = fmt_time(value) if t.den is None else f"{value:.2f}x"
        out.append([f"{w.key}: {t.label}", measured, "met" if value <= t.limit else "NOT MET"])
    return out


def render(head: list[str], body: list[list[str]], markdown: bool) -> str:
    if markdown:
        lines = ["| " + " | ".join(head) + " |", "|" + "|".join("---" for _ in head) + "|"]
        return "\n".join(lines + ["| " + " | ".join(c.replace("|", "\\|") for c in row) + " |" for row in body])
    widths = [max(len(str(c)) for c in col) for col in zip(head, *body, strict=True)]
    return "\n".join("  ".join(str(c).ljust(n) for c, n in zip(row, widths, strict=True)).rstrip() for row in [head, *body])


# glibc hands freed heap memory back to the OS once the top of its heap holds more than a threshold
# it adjusts as it goes, and large arrays go to mmap below another: which state a run lands in is
# chance (a new function elsewhere moves it), and in the bad one every array is page-faulted in
# again (the n = 100 Jacobian's floor: 55 us or 250 us by the luck of the run). Pinned, each
# implementation's time is its own arithmetic and overhead. --default-malloc measures without.
M_TRIM_THRESHOLD, M_MMAP_THRESHOLD = -1, -3


def pin_allocator() -> str:
    """Keep glibc from returning freed memory to the OS during the run; what was done, for the header."""
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        if libc.mallopt(M_TRIM_THRESHOLD, 1 << 30) == 1 and libc.mallopt(M_MMAP_THRESHOLD, 32 << 20) == 1:
            return "allocator: glibc, trimming off and arrays up to 32 MB on the heap (--default-malloc: as it comes)"
    except (OSError, AttributeError):
        pass
    return "allocator: as it comes (not glibc)"


def machine() -> list[str]:
    cpu = platform.processor() or "unknown CPU"
    try:
        with open("/proc/cpuinfo") as f:
            cpu = next((line.split(":", 1)[1].strip() for line in f if line.startswith("model name")), cpu)
    except OSError:
        pass
    return [
        f"CPU: {cpu}, {os.cpu_count()} cores ({platform.system()} {platform.release()})",
        f"Python {platform.python_version()}, NumPy {np.__version__}, dualdiff {dualdiff.__version__}",
        "threads: " + ", ".join(f"{n}={os.environ.get(n)}" for n in THREAD_VARIABLES),
        ALLOCATOR,
    ]


def load_peers(spec: str) -> dict[str, Any]:
    names = peers.NAMES if spec == "all" else tuple(n for n in spec.split(",") if n and n != "none")
    unknown = set(names) - set(peers.NAMES)
    if unknown:
        raise SystemExit(f"unknown peers {sorted(unknown)}; choose from {', '.join(peers.NAMES)}, all or none")
    return {name: peers.load(name) for name in names}


def check(peer_spec: str = "all", only: set[str] | None = None) -> list[tuple[str, list[Row], list[str], bool]]:
    """Check mode as a function (the test calls it): small sizes, every derivative checked, nothing timed."""
    return [(w.key, *verify(w)) for w in workloads.build("check", load_peers(peer_spec), only)]


def profile(only: set[str] | None) -> None:
    """cProfile of dualdiff's implementations of the scalar chain and the n = 1000 Jacobian (or ``only``)."""
    for w in workloads.build("full", {}, only or {"1", "3b"}):
        for impl in w.impls:
            if impl.role == "dualdiff" and impl.fn is not None:
                t = time.perf_counter()
                impl.fn()
                calls = max(3, min(2000, int(1.0 / max(time.perf_counter() - t, 1e-6))))  # about a second
                prof = cProfile.Profile()
                for _ in range(calls):
                    prof.runcall(impl.fn)
                print(f"\n=== {w.key}. {w.title}: {impl.name}, {calls} calls, sorted by own time ===")
                pstats.Stats(prof, stream=sys.stdout).strip_dirs().sort_stats("tottime").print_stats(15)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    mode = p.add_mutually_exclusive_group()
    mode.add_argument("--quick", action="store_true", help="fewer repeats (under a minute)")
    mode.add_argument("--check", action="store_true", help="small sizes, no timing; exit 1 if a derivative does not match")
    mode.add_argument("--profile", action="store_true", help="cProfile of dualdiff on the scalar chain and the Jacobian")
    p.add_argument("--markdown", action="store_true", help="print the tables in Markdown")
    p.add_argument("--default-malloc", action="store_true", help="leave glibc's heap trimming as it is (see pin_allocator)")
    p.add_argument("--peers", default="all", help=f"comma-separated peers to include, or all / none ({', '.join(peers.NAMES)})")
    keys = "1, 2, 3a, 3b, 4a, 4b, 5 (3 = 3a and 3b), sparse, 6a-6e, threads, parallel"
    p.add_argument("--only", default="", help=f"comma-separated workload keys: {keys}")
    args = p.parse_args(argv)
    only = {k.strip() for k in args.only.split(",") if k.strip()} or None
    global ALLOCATOR
    ALLOCATOR = "allocator: as it comes (--default-malloc)" if args.default_malloc or args.check else pin_allocator()
    if args.profile:
        profile(only)
        return 0
    wanted = load_peers(args.peers)
    kind = "quick" if args.quick else "full"
    log = (lambda s: print(s, file=sys.stderr, flush=True)) if not args.check else (lambda s: None)
    out: list[str] = []
    stamp = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    title = f"dualdiff benchmarks ({'check' if args.check else kind} run, {stamp})"
    out.append(f"## {title}" if args.markdown else title)
    out += [f"- {line}" if args.markdown else line for line in machine()]
    versions = ", ".join(f"{n} {v}" if m is not None else f"{n}: {v}" for n, (m, v) in wanted.items()) or "none asked for"
    out.append(f"{'- ' if args.markdown else ''}peers: {versions}")
    print("\n".join(out), flush=True)
    all_good, targets = True, []
    mode_sizes = "check" if args.check else kind
    for w in workloads.build(mode_sizes, wanted, only) + taylor.build(mode_sizes, only):  # 6a-6e: Taylor mode
        log(f"{w.key}. {w.title}")
        rows, lines, good = verify(w)
        all_good &= good
        if not args.check:
            time_rows(rows, TIMINGS[kind], log)
            targets += judge(w, rows)
        head, body = table(w, rows)
        if args.check:  # no times to show
            head, body = [head[0], head[1], head[-1]], [[r[0], r[1], r[-1]] for r in body]
        print(f"\n{'### ' if args.markdown else ''}{w.key}. {w.title}\n")
        print(render(head, body, args.markdown))
        if lines:
            print()
            print("\n".join(f"- {line}" if args.markdown else line for line in lines))
    if only is None or "sparse" in only:  # benchmarks/sparse_rows.py: sparse Jacobians and the default mode
        text, good = sparse_rows.section(args.check, args.quick, render, args.markdown)
        print(text)
        all_good &= good
    for key, rows in (("threads", thread_rows), ("parallel", parallel_rows)):  # benchmarks/thread_rows.py, parallel_rows.py
        if only is None or key in only:
            text, good = rows.section(args.check, args.quick, render, args.markdown)
            print(text)
            all_good &= good
    if targets:
        print(f"\n{'### ' if args.markdown else ''}Targets\n")
        print(render(["target", "measured", "status"], targets, args.markdown))
    print(f"\n{'all derivatives match' if all_good else 'SOME DERIVATIVES DO NOT MATCH (see above)'}")
    return 0 if all_good else 1


if __name__ == "__main__":
    sys.exit(main())
