"""Coloring a sparsity pattern, so that a sparse Jacobian or Hessian costs a few directions, not n.

Columns of a Jacobian that share no row can be pushed as one direction (the sum of their unit
vectors): each entry of the compressed product belongs to exactly one of them. Greedy coloring in
largest-first order (columns with the most nonzeros first) finds such groups. A Hessian is
symmetric, so a *star* coloring (every path of four vertices uses at least three colors) needs
fewer colors still: each entry H[i, j] is read either from column j or, by symmetry, from column i.

Everything here works on CSR index arrays (NumPy only); `sparse.py` turns SciPy matrices into them.
"""

from __future__ import annotations

import numpy as np


def _adjacency(indptr: np.ndarray, indices: np.ndarray, n: int) -> list[list[int]]:
    """Each of the n vertices' neighbours, from a CSR pattern's rows (no self-loops)."""
    out: list[list[int]] = [[] for _ in range(n)]
    ptr, idx = indptr.tolist(), indices.tolist()
    for v in range(n):
        out[v] = [w for w in idx[ptr[v] : ptr[v + 1]] if w != v]
    return out


def _smallest_free(forbidden: list[int], v: int) -> int:
    c = 0
    while c < len(forbidden) and forbidden[c] == v:
        c += 1
    return c


def greedy(indptr: np.ndarray, indices: np.ndarray, n: int) -> np.ndarray:
    """A color per vertex of a graph (CSR adjacency, self-loops ignored), neighbours colored apart,
    largest-first order. On the column intersection graph of a Jacobian pattern (columns adjacent
    when they share a row) no two columns of one color share a row.

    >>> greedy(np.array([0, 2, 5, 7]), np.array([0, 1, 0, 1, 2, 1, 2]), 3).tolist()   # a path 0 - 1 - 2
    [1, 0, 1]
    """
    ptr, idx = indptr.tolist(), indices.tolist()
    order = np.argsort(-np.diff(indptr), kind="stable").tolist()
    colors = [-1] * n
    forbidden = [-1] * (n + 1)  # forbidden[c] == v: a neighbour of v has color c (a self-loop is still uncolored)
    for v in order:
        for w in idx[ptr[v] : ptr[v + 1]]:
            c = colors[w]
            if c >= 0:
                forbidden[c] = v
        c = 0
        while forbidden[c] == v:
            c += 1
        colors[v] = c
    return np.array(colors, dtype=np.int64)


def star(indptr: np.ndarray, indices: np.ndarray, n: int) -> np.ndarray:
    """A star coloring of the symmetric n x n CSR pattern's graph (Gebremedhin, Manne and Pothen's
    greedy algorithm): adjacent vertices differ, and no path of four vertices is two-colored.
    Largest-first order.

    >>> star(np.array([0, 2, 5, 7]), np.array([0, 1, 0, 1, 2, 1, 2]), 3).tolist()   # a path 0 - 1 - 2
    [1, 0, 1]
    """
    adj = _adjacency(indptr, indices, n)
    order = sorted(range(n), key=lambda v: -len(adj[v]))
    colors = [-1] * n
    forbidden = [-1] * (n + 1)
    for v in order:
        for w in adj[v]:
            cw = colors[w]
            if cw >= 0:
                forbidden[cw] = v
            for x in adj[w]:
                cx = colors[x]
                if x == v or cx < 0:
                    continue
                if cw < 0:
                    forbidden[cx] = v
                else:
                    for y in adj[x]:
                        if y != w and colors[y] == cw:
                            forbidden[cx] = v
                            break
        colors[v] = _smallest_free(forbidden, v)
    return np.array(colors, dtype=np.int64)


def star_sources(rows: np.ndarray, cols: np.ndarray, colors: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Where each nonzero (rows[e], cols[e]) of a symmetric matrix H is read from B = H V (V the
    coloring's seeds): ``B[r, c]`` with (r, c) returned. H[i, j] is B[i, color j] when j is the only
    column of its color in row i, else B[j, color i] (then i is, by symmetry). A coloring that
    allows neither for some entry raises ValueError.

    >>> star_sources(np.array([0, 0, 1, 1]), np.array([0, 1, 0, 1]), np.array([0, 1]), 2)
    (array([0, 0, 1, 1]), array([0, 1, 0, 1]))
    """
    k = int(colors.max(initial=-1)) + 1
    counts = np.bincount(rows * k + colors[cols], minlength=n * k)
    direct = counts[rows * k + colors[cols]] == 1
    mirror = counts[cols * k + colors[rows]] == 1
    if not np.all(direct | mirror):
        raise ValueError("this coloring cannot recover the symmetric matrix: it is not a star coloring of its pattern")
    return np.where(direct, rows, cols), np.where(direct, colors[cols], colors[rows])
