"""Products of Duals (NEP 18): matmul, dot, einsum, tensordot, inner, outer, vdot, kron, cross, polyval.

Products are multilinear, (ab)' = a'b + ab': the derivative is one product per Dual operand.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .arrays import _lift, _no_out, _scalar, _tuple, batch, implements
from .dual import Dual, _new, ndim, shape
from .shapes import concatenate, moveaxis, ravel, reshape


# --- products: bilinear, (ab)' = a'b + ab' ---
@implements(np.matmul)
def matmul(a: Any, b: Any, **kw: Any) -> Any:
    """(AB)' = A'B + AB'; constants add no term, and against one matrix all directions go in one BLAS call."""
    t = max(x._t for x in (a, b) if isinstance(x, Dual))
    ma, mb = isinstance(a, Dual) and a._t == t, isinstance(b, Dual) and b._t == t
    av, bv = a._v if ma else a, b._v if mb else b
    v = np.matmul(av, bv)
    na, nb = ndim(av), ndim(bv)
    d: Any = None
    if ma:
        d = np.tensordot(a._d, bv, ([-1], [0])) if nb == 2 else _matmul_term(a._d, batch(a), av, bv, 0)
    if mb:
        if na == 2:
            term = np.moveaxis(np.tensordot(av, b._d, ([1], [-2 if nb >= 2 else -1])), 0, -2 if nb >= 2 else -1)
        else:
            term = _matmul_term(b._d, batch(b), av, bv, 1)
        d = term if d is None else _add(d, term)
    k = batch(a) if ma and batch(a) else (batch(b) if mb else ())
    want = k + shape(v)
    return _new(_scalar(v), _scalar(d) if shape(d) == want else np.broadcast_to(d, want), t)


def _matmul_term(d: Any, k: tuple[int, ...], av: Any, bv: Any, which: int) -> Any:
    """The term of one operand's tangent, stacked matrices and 1-D operands as matmul reads them."""
    na, nb = ndim(av), ndim(bv)
    a2 = av if na >= 2 else np.expand_dims(av, 0)
    b2 = bv if nb >= 2 else np.expand_dims(bv, -1)
    n = max(ndim(a2), ndim(b2))
    if which == 0:
        r = np.matmul(_lift(d if na >= 2 else np.expand_dims(d, -2), k, n), b2)
    else:
        r = np.matmul(a2, _lift(d if nb >= 2 else np.expand_dims(d, -1), k, n))
    r = r if na >= 2 else np.squeeze(r, -2)
    return r if nb >= 2 else np.squeeze(r, -1)




# --- products: multilinear, each written as one einsum; the derivative is one einsum per Dual operand ---
_LETTERS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"


@implements(np.einsum)
def einsum(*operands: Any, out: Any = None, optimize: Any = False, **kw: Any) -> Any:
    _no_out(out, "einsum")
    if not isinstance(operands[0], str):
        raise TypeError("dualdiff supports numpy.einsum with a subscripts string, e.g. np.einsum('ij,j->i', A, x)")
    subs, ops = operands[0].replace(" ", ""), list(operands[1:])
    ins = subs.split("->")[0].split(",")
    if "->" in subs:
        res = subs.split("->")[1]
    else:  # implicit output: the letters used once, in order, after the broadcast axes
        letters = "".join(ins).replace(".", "")
        res = ("..." if "..." in subs else "") + "".join(sorted(c for c in set(letters) if letters.count(c) == 1))
    t = max(a._t for a in ops if isinstance(a, Dual))
    mine = [isinstance(a, Dual) and a._t == t for a in ops]
    vals = [a._v if m else a for a, m in zip(ops, mine, strict=True)]
    v = np.einsum(",".join(ins) + "->" + res, *vals, optimize=optimize)
    z = next(c for c in _LETTERS if c not in subs)
    k: tuple[int, ...] = ()
    d: Any = None
    for i, a in enumerate(ops):
        if mine[i]:
            ka = batch(a)
            k = k or ka
            s = ",".join((z if j == i and ka else "") + s for j, s in enumerate(ins)) + "->" + (z if ka else "") + res
            term = np.einsum(s, *(a._d if j == i else x for j, x in enumerate(vals)), optimize=optimize)
            d = term if d is None else _add(d, term)
    want = k + shape(v)
    return _new(_scalar(v), _scalar(d) if shape(d) == want else np.broadcast_to(d, want), t)


def _add(d: Any, term: Any) -> Any:
    if ndim(term) > ndim(d):  # only one of them carries the direction axis: broadcast over it
        return term + d
    return d + term


@implements(np.tensordot)
def tensordot(a: Any, b: Any, axes: Any = 2) -> Any:
    na, nb = ndim(a), ndim(b)
    if isinstance(axes, int):
        xa, xb = list(range(na - axes, na)), list(range(axes))
    else:
        xa, xb = [x % na for x in _tuple(axes[0])], [x % nb for x in _tuple(axes[1])]
    la, lb = list(_LETTERS[:na]), list(_LETTERS[na : na + nb])
    for i, j in zip(xa, xb, strict=True):
        lb[j] = la[i]
    res = [c for i, c in enumerate(la) if i not in xa] + [c for j, c in enumerate(lb) if j not in xb]
    return einsum("".join(la) + "," + "".join(lb) + "->" + "".join(res), a, b)


@implements(np.inner)
def inner(a: Any, b: Any) -> Any:
    if ndim(a) == 0 or ndim(b) == 0:
        return a * b
    return tensordot(a, b, ([-1], [-1]))


@implements(np.outer)
def outer(a: Any, b: Any, out: Any = None) -> Any:
    _no_out(out, "outer")
    return einsum("i,j->ij", ravel(a), ravel(b))


@implements(np.vdot)
def vdot(a: Any, b: Any) -> Any:
    return einsum("i,i->", ravel(a), ravel(b))


@implements(np.kron)
def kron(a: Any, b: Any) -> Any:
    n = max(ndim(a), ndim(b))
    sa, sb = (1,) * (n - ndim(a)) + shape(a), (1,) * (n - ndim(b)) + shape(b)
    la, lb = _LETTERS[:n], _LETTERS[n : 2 * n]
    r = einsum(la + "," + lb + "->" + "".join(x + y for x, y in zip(la, lb, strict=True)), reshape(a, sa), reshape(b, sb))
    return reshape(r, tuple(x * y for x, y in zip(sa, sb, strict=True)))


@implements(np.cross)
def cross(a: Any, b: Any, axisa: int = -1, axisb: int = -1, axisc: int = -1, axis: Any = None) -> Any:
    if axis is not None:
        axisa = axisb = axisc = axis
    a, b = moveaxis(a, axisa, -1), moveaxis(b, axisb, -1)
    if shape(a)[-1] == shape(b)[-1] == 2:
        return a[..., 0] * b[..., 1] - a[..., 1] * b[..., 0]
    a, b = (concatenate([x, np.zeros(shape(x)[:-1] + (1,))], -1) if shape(x)[-1] == 2 else x for x in (a, b))
    i, j = [1, 2, 0], [2, 0, 1]
    return moveaxis(a[..., i] * b[..., j] - a[..., j] * b[..., i], -1, axisc)


@implements(np.polyval)
def polyval(p: Any, x: Any) -> Any:
    y: Any = 0.0
    for i in range(len(p)):
        y = y * x + p[i]
    return y
