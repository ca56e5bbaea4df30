"""Sparse Jacobians and Hessians: detect the pattern, color it, push a few compressed directions.

`jacobian_sparsity` runs f once on a `Tracer` (core/tracer.py) and returns the pattern as a SciPy
sparse boolean matrix. `coloring` groups the columns (or rows) that share no row (column), and
`jacobian(f, x, sparse=True)` then costs one forward pass carrying as many directions as there are
colors (or one tape and a sweep per row color), decompressed into a CSR matrix holding exactly the
pattern's entries. Hessians use a star coloring and forward-over-reverse products.

A pattern, or better a `Coloring`, computed once is reused by passing it as ``sparsity=`` (an ODE
solver calls its ``jac`` many times). SciPy is needed only here, for the sparse matrices.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Executor
from typing import Any

import numpy as np

from ..core.dual import shape
from ..core.tracer import trace
from . import coloring as _coloring
from . import parallel
from .forward import _evaluate, _finish, _input, _start
from .forward import gradient as _forward_gradient
from .reverse import _forward_over_reverse, _record, _sweep


def _scipy_sparse() -> Any:
    try:
        import scipy.sparse
    except ImportError:
        raise ImportError(
            "sparse Jacobians and Hessians are SciPy sparse matrices, and SciPy is not installed: "
            "pip install scipy (or pip install -e '.[test]' for dualdiff's test extra)"
        ) from None
    return scipy.sparse


def _point(x: Any) -> np.ndarray:
    x = _input(x)
    if not isinstance(x, (float, np.ndarray)):
        raise TypeError("sparsity detection takes a point of plain numbers (a float or a float array), not a Dual or Var")
    return np.asarray(x, dtype=float)


def jacobian_sparsity(f: Callable[[Any], Any], x: Any, local: bool = False) -> Any:
    """The pattern of f's Jacobian at x: a SciPy CSR boolean matrix of shape (f(x).size, x.size).

    By default the pattern holds for every x (f may then not branch on values: a clear TypeError
    says so); ``local=True`` gives the pattern at this x, where f may look at values.

    >>> import numpy as np
    >>> P = jacobian_sparsity(lambda x: x[1:] * x[:-1], np.ones(4))
    >>> P.toarray().astype(int)
    array([[1, 1, 0, 0],
           [0, 1, 1, 0],
           [0, 0, 1, 1]])
    """
    sp = _scipy_sparse()
    x = _point(x)
    out, sets, _ = trace(f, x, local=local)
    m, n = int(np.prod(out)), x.size
    return _csr(sp, sets.flat(), (m, n))


def hessian_sparsity(f: Callable[[Any], Any], x: Any, local: bool = False) -> Any:
    """The pattern of the Hessian of a scalar-valued f at x: a symmetric SciPy CSR boolean matrix
    of shape (x.size, x.size). Global (every x) by default, ``local=True`` at this x.

    >>> import numpy as np
    >>> rosen = lambda x: np.sum(100 * (x[1:] - x[:-1] ** 2) ** 2 + (1 - x[:-1]) ** 2)
    >>> hessian_sparsity(rosen, np.zeros(4)).toarray().astype(int)
    array([[1, 1, 0, 0],
           [1, 1, 1, 0],
           [0, 1, 1, 1],
           [0, 0, 1, 1]])
    """
    sp = _scipy_sparse()
    x = _point(x)
    out, _, pairs = trace(f, x, local=local, hessian=True)
    if out != ():
        raise ValueError(f"hessian_sparsity needs f to return a scalar, but it returned shape {out}")
    n = x.size
    keys = pairs.flat()[1] if pairs is not None else np.zeros(0, dtype=np.int64)
    i, j = np.divmod(keys, max(n, 1))
    return _csr(sp, (i, j), (n, n))


def _csr(sp: Any, rc: tuple[np.ndarray, np.ndarray], shape_: tuple[int, int]) -> Any:
    r, c = rc
    m = sp.csr_matrix((np.ones(len(r), dtype=bool), (r, c)), shape=shape_)
    m.sum_duplicates()
    m.sort_indices()
    return m


class Coloring:
    """A sparsity pattern with its coloring, ready to be passed as ``sparsity=`` again and again.

    ``by`` is ``"columns"`` (forward mode: one direction per color), ``"rows"`` (reverse mode: one
    sweep per color) or ``"star"`` (a symmetric Hessian pattern). ``colors[j]`` is column (row) j's
    color, ``ncolors`` how many directions or sweeps a call costs.

    >>> import numpy as np
    >>> c = coloring(np.eye(5, dtype=bool) | np.eye(5, k=1, dtype=bool))
    >>> c.by, c.ncolors, c.colors.tolist()
    ('columns', 2, [1, 0, 1, 0, 1])
    """

    def __init__(self, pattern: Any, colors: np.ndarray, by: str) -> None:
        self.pattern, self.colors, self.by = pattern, colors, by
        self.ncolors = int(colors.max(initial=-1)) + 1
        self._seeds: np.ndarray | None = None
        coo = pattern.tocoo()  # CSR order: the data of a result can go straight into a copy of the pattern
        rows, cols = coo.row.astype(np.int64), coo.col.astype(np.int64)
        # where each entry is in the compressed products B (one row per color), flattened
        if by == "columns":  # B[c, i]: the sum of J[i, j] over the columns j of color c
            self._src = colors[cols] * pattern.shape[0] + rows
        elif by == "rows":
            self._src = colors[rows] * pattern.shape[1] + cols
        else:
            r, c = _coloring.star_sources(rows, cols, colors, pattern.shape[0])
            self._src = c * pattern.shape[0] + r

    def __repr__(self) -> str:
        return f"<Coloring by {self.by}: {self.ncolors} colors for a {self.pattern.shape[0]}x{self.pattern.shape[1]} pattern>"

    def seeds(self) -> np.ndarray:
        """The compressed directions, one row per color: the sum of the unit vectors of its columns."""
        if self._seeds is None:  # kept: a Coloring is reused call after call
            n = len(self.colors)
            self._seeds = np.zeros((self.ncolors, n))
            self._seeds[self.colors, np.arange(n)] = 1.0
            self._seeds.flags.writeable = False
        return self._seeds

    def decompress(self, b: np.ndarray) -> Any:
        """The sparse matrix from the compressed products ``b`` (one row per color)."""
        p = self.pattern
        return type(p)((np.take(b, self._src), p.indices.copy(), p.indptr.copy()), shape=p.shape)


def coloring(pattern: Any, symmetric: bool = False, by: str | None = None) -> Coloring:
    """Color a sparsity pattern (a SciPy sparse matrix or a boolean array) for `jacobian` or
    `hessian` with ``sparse=True``: compute it once, pass it as ``sparsity=`` on every call.

    ``symmetric=True`` (a Hessian pattern) gives a star coloring. Otherwise columns and rows are
    both colored and the one with fewer colors is kept, columns on a tie; ``by="columns"`` or
    ``"rows"`` forces one.

    >>> import numpy as np
    >>> arrow = np.eye(4, dtype=bool) | (np.arange(4)[:, None] == 3)   # a diagonal and a full last row
    >>> c = coloring(arrow)       # the columns all meet in the last row: 4 colors; the rows need 2
    >>> c.by, c.ncolors
    ('rows', 2)
    """
    sp = _scipy_sparse()
    p = sp.csr_matrix(pattern if sp.issparse(pattern) else np.asarray(pattern), dtype=bool)
    p.eliminate_zeros()
    p.sum_duplicates()
    p.sort_indices()
    if symmetric:
        if p.shape[0] != p.shape[1] or (p != p.T).nnz:
            raise ValueError("a symmetric (Hessian) coloring needs a square, symmetric pattern")
        return Coloring(p, _coloring.star(p.indptr, p.indices, p.shape[0]), "star")
    if by not in (None, "columns", "rows"):
        raise ValueError(f"by must be 'columns' or 'rows', not {by!r}")
    cols = _distance_two(p.T.tocsr()) if by != "rows" else None
    rows = _distance_two(p) if by != "columns" else None
    if rows is None or (cols is not None and cols.max(initial=-1) <= rows.max(initial=-1)):
        return Coloring(p, cols, "columns")  # type: ignore[arg-type]
    return Coloring(p, rows, "rows")


def _distance_two(p: Any) -> np.ndarray:
    """A color per column of ``p.T`` (given as CSR rows) such that no two of one color share a row:
    a greedy coloring of the intersection graph ``p @ p.T``."""
    g = (p @ p.T).tocsr()
    return _coloring.greedy(g.indptr, g.indices, p.shape[0])


def _prepared(sparsity: Any, f: Callable[[Any], Any], x: np.ndarray, symmetric: bool) -> Coloring:
    if isinstance(sparsity, Coloring):
        if (sparsity.by == "star") != symmetric:
            raise ValueError("a Jacobian needs a coloring(pattern), a Hessian a coloring(pattern, symmetric=True)")
        return sparsity
    if sparsity is None:
        sparsity = hessian_sparsity(f, x) if symmetric else jacobian_sparsity(f, x)
    return coloring(sparsity, symmetric=symmetric)


def _check_shape(c: Coloring, rows: int, n: int) -> None:
    if c.pattern.shape != (rows, n):
        raise ValueError(f"the sparsity pattern has shape {c.pattern.shape}, but this Jacobian has shape {(rows, n)}")


def jacobian(f: Callable[[Any], Any], x: Any, sparsity: Any = None, mode: str | None = None, executor: Executor | None = None) -> Any:
    """The Jacobian of f at x as a SciPy CSR matrix of shape (f(x).size, x.size), holding exactly
    the entries of the pattern (``sparsity``: a pattern, a `Coloring`, or None to detect the global
    pattern now). A column coloring costs one forward pass, a row coloring one tape and a sweep per
    color; ``mode`` ("forward" or "reverse") forces one. ``executor`` runs the compressed directions
    (a column coloring, forward mode) on its workers, in chunks (api/parallel.py).

    >>> import numpy as np
    >>> jacobian(lambda x: x[1:] * x[:-1], [1.0, 2.0, 3.0]).toarray()
    array([[2., 1., 0.],
           [0., 3., 2.]])
    """
    _scipy_sparse()
    x = _point(x)
    if mode not in (None, "forward", "reverse"):
        raise ValueError(f"mode must be 'forward', 'reverse' or None, not {mode!r}")
    c = _prepared(sparsity, f, x, False)
    if mode is not None and c.by != ("columns" if mode == "forward" else "rows"):
        c = coloring(c.pattern, by="columns" if mode == "forward" else "rows")
    n = x.size
    if executor is not None and c.by == "rows":
        c = coloring(c.pattern, by="columns")  # an executor runs forward passes
    if c.by == "columns":
        seeds = c.seeds().reshape((c.ncolors,) + x.shape)
        if executor is not None:
            step = max(1, -(-c.ncolors // (2 * (getattr(executor, "_max_workers", None) or 4))))
            value, d = parallel.evaluate(f, x, [seeds[i : i + step] for i in range(0, c.ncolors, step)], executor)
        else:
            tag = _start(x)
            try:
                value, d = _evaluate(f, x, seeds, tag)
            finally:
                _finish(tag)
        m = int(np.size(value))
        _check_shape(c, m, n)
        b = np.reshape(np.broadcast_to(d, (c.ncolors,) + shape(value)), (c.ncolors, m))
        return c.decompress(b)
    tag = _start()
    try:
        leaf, y = _record(f, x, tag)
        m = int(np.prod(shape(y)))
        _check_shape(c, m, n)
        b = np.stack([np.ravel(_sweep(leaf, y, tag, np.reshape(u, shape(y)) if shape(y) else float(u[0]))) for u in c.seeds()])
    finally:
        _finish(tag)
    return c.decompress(b.reshape(c.ncolors, n))


def hessian(f: Callable[[Any], Any], x: Any, sparsity: Any = None) -> Any:
    """The Hessian of a scalar-valued f at x as a symmetric SciPy CSR matrix of shape (x.size, x.size),
    from a star coloring of its pattern (``sparsity``: a pattern, ``coloring(pattern, symmetric=True)``,
    or None to detect it now): one Hessian-vector product (forward over reverse) per color, all in
    one pass; forward over forward where the tape lacks a rule.

    >>> import numpy as np
    >>> rosen = lambda x: np.sum(100 * (x[1:] - x[:-1] ** 2) ** 2 + (1 - x[:-1]) ** 2)
    >>> hessian(rosen, [0.1, 0.2, 0.3]).toarray()
    array([[-66., -40.,   0.],
           [-40., 130., -80.],
           [  0., -80., 200.]])
    """
    _scipy_sparse()
    x = _point(x)
    c = _prepared(sparsity, f, x, True)
    n = x.size
    _check_shape(c, n, n)
    v = c.seeds().reshape((c.ncolors,) + x.shape)
    if c.ncolors == 0:
        return c.decompress(np.zeros((0, n)))
    try:
        hv = _forward_over_reverse(f, x, v)
    except TypeError as e:
        if not str(e).startswith("reverse mode has no derivative rule"):
            raise
        tag = _start(x)
        try:
            hv = _evaluate(lambda z: _forward_gradient(f, z), x, v, tag)[1]
        finally:
            _finish(tag)
    return c.decompress(np.reshape(hv, (c.ncolors, n)))
