"""Cross-checks: is this derivative right? Four independent answers, compared at one point.

Forward mode is the reference. Reverse mode reads the same rule table but walks the graph the other
way, so it catches mistakes in the structural rules of either mode. Central finite differences and
the complex step know nothing of the rule table, so they catch a wrong rule. The adjoint identity
<u, J v> = <J^T u, v> ties the two modes together along random directions u and v.

>>> import numpy as np
>>> report = check_gradient(lambda x: np.sum(np.sin(x) * x), [0.5, 1.0, 2.0])
>>> report.ok, [row.status for row in report.rows]
(True, ['ok', 'ok', 'ok', 'ok'])
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from . import forward, modes, reverse

EPS = float(np.finfo(float).eps)
COMPLEX_STEP = 1e-20


class CheckError(AssertionError):
    """Raised by `check_gradient` when two ways of computing a derivative disagree; the message is
    the full report.

    >>> from dualdiff import register_elementwise
    >>> import numpy as np
    >>> wrong_cube = register_elementwise(lambda x: x**3, lambda x, out: 2 * x**2, name="wrong_cube")
    >>> try:
    ...     check_gradient(wrong_cube, [1.0, 2.0])
    ... except CheckError as e:
    ...     print("finite differences" in str(e) and "FAILED" in str(e))
    True
    """


@dataclass
class Row:
    """One method's agreement with forward mode: ``max_abs = max |J_method - J_forward|``, ``max_rel``
    that divided by ``max |J_forward|``, ``tolerance`` the largest ``max_abs`` allowed; ``status`` is
    "ok", "FAILED" or "skipped"."""

    method: str
    max_abs: float = float("nan")
    max_rel: float = float("nan")
    tolerance: float = float("nan")
    status: str = "skipped"
    note: str = ""


@dataclass
class CheckReport:
    """What `check_gradient` found: one `Row` per method, and the forward-mode Jacobian.

    >>> r = check_gradient(lambda x: x**2, 3.0)
    >>> r.ok, float(r.jacobian), [row.status for row in r.rows]
    (True, 6.0, ['ok', 'ok', 'ok', 'ok'])
    """

    shape_x: tuple[int, ...]
    shape_f: tuple[int, ...]
    jacobian: Any
    rows: list[Row] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when no method disagreed beyond its tolerance (skipped methods do not count)."""
        return all(row.status != "FAILED" for row in self.rows)

    def __str__(self) -> str:
        scale = float(np.max(np.abs(self.jacobian))) if np.size(self.jacobian) else 0.0
        lines = [
            f"derivative check at x of shape {self.shape_x}, f(x) of shape {self.shape_f}: "
            f"reference = forward mode, max |J| = {scale:.3g}",
            f"  {'method':<26}{'max abs err':>13}{'max rel err':>13}{'allowed':>11}  result",
        ]
        for r in self.rows:
            nums = f"{r.max_abs:>13.2e}{r.max_rel:>13.2e}{r.tolerance:>11.1e}" if r.status != "skipped" else " " * 37
            lines.append(f"  {r.method:<26}{nums}  {r.status}{'  (' + r.note + ')' if r.note else ''}")
        return "\n".join(lines)

    def __repr__(self) -> str:
        return str(self)


def check_gradient(
    f: Callable[[Any], Any],
    x: Any,
    rtol: float = 1e-10,
    fd_rtol: float = 1e-6,
    atol: float = 1e-12,
    seed: int = 0,
    raise_error: bool = True,
) -> CheckReport:
    """Compare the derivative of f at x four ways, and the two modes by the adjoint identity.

    f may be scalar- or array-valued (then its Jacobian is checked). The methods, against forward
    mode: reverse mode; central finite differences (4n calls of f, at steps h and h/2); the complex
    step (n calls of f on complex arrays; skipped, with the reason, when f refuses complex input or
    returns a real result); and ``<u, J v> = <J^T u, v>`` for random u, v.

    A method passes when ``max |J_method - J_forward| <= atol + tol * max |J_forward|``, with
    ``tol = rtol``, or for finite differences ``fd_rtol`` plus the step's rounding error and its
    truncation error (estimated from the two steps). ``atol`` absorbs the methods' own absolute
    errors (the complex step's h**2 terms) where the Jacobian is tiny. Raises `CheckError` with the
    report when a method disagrees beyond its tolerance (unless ``raise_error=False``).

    >>> import numpy as np
    >>> r = check_gradient(lambda x: np.stack([x[0] * x[1], np.exp(x[1])]), [2.0, 0.5])
    >>> print(r.jacobian.round(6))
    [[0.5      2.      ]
     [0.       1.648721]]
    >>> [(row.method, row.status) for row in r.rows]  # doctest: +NORMALIZE_WHITESPACE
    [('reverse mode', 'ok'), ('finite differences', 'ok'), ('complex step', 'ok'),
     ('adjoint <u,Jv>=<J^T u,v>', 'ok')]
    """
    x = forward._input(x, "check_gradient's x")
    fx = np.asarray(_plain_call(f, x), dtype=float)
    J = np.asarray(modes.jacobian(f, x), dtype=float)
    report = CheckReport(np.shape(x), fx.shape, J)
    scale = float(np.max(np.abs(J))) if J.size else 0.0

    def row(method: str, other: Any, allowed: float) -> Row:
        err = float(np.max(np.abs(np.asarray(other, dtype=float) - J))) if J.size else 0.0
        ok = err <= allowed  # nan fails too
        return Row(method, err, err / scale if scale > 0 else err, allowed, "ok" if ok else "FAILED")

    try:
        reverse_J = modes.jacobian(f, x, mode="reverse")
    except TypeError as e:  # the tape lacks a rule: a skipped row that says which, not a crash
        if "no derivative rule" not in str(e):
            raise
        report.rows.append(Row("reverse mode", note=str(e).split(",")[0]))
    else:
        report.rows.append(row("reverse mode", reverse_J, atol + rtol * scale))

    fd, h = _finite_differences(f, x, fx.shape, 1.0)
    half, _ = _finite_differences(f, x, fx.shape, 0.5)
    rounding = 10 * EPS * (float(np.max(np.abs(fx))) if fx.size else 0.0) / h  # the step's rounding error
    # truncation error ~ C h**2: halving the step removes 3/4 of it, so |D(h) - D(h/2)| estimates it
    truncation = 3 * float(np.max(np.abs(fd - half))) if fd.size else 0.0
    report.rows.append(row("finite differences", fd, atol + fd_rtol * scale + rounding + truncation))
    report.rows[-1].note = f"central, step {h:.1e}"

    cs, why = _complex_step(f, x, fx.shape)
    if cs is None:
        report.rows.append(Row("complex step", note=why))
    else:
        report.rows.append(row("complex step", cs, atol + rtol * scale))
        report.rows[-1].note = f"step {COMPLEX_STEP:.0e}"

    report.rows.append(_adjoint(f, x, fx.shape, J, rtol, atol, seed))
    if raise_error and not report.ok:
        raise CheckError("the derivatives disagree:\n" + str(report))
    return report


def _plain_call(f: Callable[[Any], Any], x: Any) -> Any:
    r = f(x.copy() if isinstance(x, np.ndarray) else x)
    if isinstance(r, (list, tuple)):
        r = np.asarray(r)
    return r


def _basis(x: Any) -> Any:
    """Unit perturbations of x, one per entry, each with x's shape."""
    n = int(np.size(x))
    for j in range(n):
        e = np.zeros(n)
        e[j] = 1.0
        yield e.reshape(np.shape(x)) if np.shape(x) else 1.0


def _finite_differences(f: Callable[[Any], Any], x: Any, fshape: tuple[int, ...], factor: float) -> tuple[Any, float]:
    """Central differences, step factor * eps**(1/3) * max(1, |x_j|): truncation and rounding balance there."""
    h0 = factor * EPS ** (1 / 3)
    cols = []
    steps = h0 * np.maximum(1.0, np.abs(np.ravel(x)))
    for j, e in enumerate(_basis(x)):
        h = float(steps[j])
        up = np.asarray(_plain_call(f, x + h * e), dtype=float)
        down = np.asarray(_plain_call(f, x - h * e), dtype=float)
        cols.append((up - down) / (2 * h))
    return _assemble(cols, fshape, np.shape(x)), float(np.min(steps)) if steps.size else h0


def _complex_step(f: Callable[[Any], Any], x: Any, fshape: tuple[int, ...]) -> tuple[Any, str]:
    """Im f(x + i h e_j) / h: no subtraction, so exact to rounding, if f is complex-analytic."""
    cols = []
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", np.exceptions.ComplexWarning)  # f dropped the imaginary part
            with np.errstate(all="ignore"):
                for e in _basis(x):
                    r = _plain_call(f, x + COMPLEX_STEP * 1j * e)
                    if not np.iscomplexobj(r):
                        return None, f"f returned a real {type(r).__name__} for complex input"
                    cols.append(np.imag(r) / COMPLEX_STEP)
    except Exception as e:  # f does not take complex input: that is fine, the other methods remain
        return None, f"f raised {type(e).__name__} on complex input"
    return _assemble(cols, fshape, np.shape(x)), ""


def _assemble(cols: list[Any], fshape: tuple[int, ...], xshape: tuple[int, ...]) -> Any:
    if not cols:
        return np.zeros(fshape + xshape)
    J = np.stack([np.asarray(c, dtype=float) for c in cols], axis=-1)  # f.shape + (n,)
    return J.reshape(fshape + xshape)


def _adjoint(f: Callable[[Any], Any], x: Any, fshape: tuple[int, ...], J: Any, rtol: float, atol: float, seed: int) -> Row:
    rng = np.random.default_rng(seed)
    u = rng.standard_normal(fshape) if fshape else float(rng.standard_normal())
    v = rng.standard_normal(np.shape(x)) if np.shape(x) else float(rng.standard_normal())
    Jv = forward.jvp(f, x, v)[1]
    try:
        JTu = reverse.vjp(f, x, u)[1]
    except TypeError as e:
        if "no derivative rule" not in str(e):
            raise
        return Row("adjoint <u,Jv>=<J^T u,v>", note="reverse mode lacks a rule")
    left, right = float(np.sum(u * np.asarray(Jv))), float(np.sum(np.asarray(JTu) * v))
    # the natural size of both sides: |u|^T |J| |v|
    size = float(np.sum(np.abs(J) * np.multiply.outer(np.abs(u), np.abs(v)))) if np.size(J) else 0.0
    err = abs(left - right)
    allowed = atol + rtol * size
    status = "ok" if err <= allowed else "FAILED"
    return Row("adjoint <u,Jv>=<J^T u,v>", err, err / size if size > 0 else err, allowed, status, f"random u, v, seed {seed}")
