"""Products: matmul and einsum are the primitives (multilinear: (ab)' = a'b + ab', one product per
moving operand; the cotangent of an operand is the product of the output's cotangent with the
others); dot, tensordot, inner, outer, vdot, kron, cross, polyval and the rest are composites.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from ..core.dual import lift_batched, ndim, shape
from ..core.dual import unbroadcast as _unbroadcast
from ..core.functions import Primitive, refuse, register
from ..core.number import plain
from .shapes import _as_operand, _tuple, concatenate, moveaxis, ravel, reshape, swapaxes


# --- matmul ---
def _matmul_jvp(ds: list[Any], xs: tuple[Any, ...], y: Any, k: tuple[int, ...]) -> Any:
    """(AB)' = A'B + AB'; against one matrix all directions go in one BLAS call."""
    av, bv = xs
    na, nb = np.ndim(av), np.ndim(bv)
    d: Any = None
    if ds[0] is not None:
        da = ds[0]
        ka = k if np.ndim(da) > na else ()
        d = np.tensordot(da, bv, ([-1], [0])) if nb == 2 else _matmul_term(da, ka, av, bv, 0)
    if ds[1] is not None:
        db = ds[1]
        kb = k if np.ndim(db) > nb else ()
        if na == 2:
            term = np.moveaxis(np.tensordot(av, db, ([1], [-2 if nb >= 2 else -1])), 0, -2 if nb >= 2 else -1)
        else:
            term = _matmul_term(db, kb, av, bv, 1)
        d = term if d is None else _add(d, term)
    return d


def _matmul_term(d: Any, k: tuple[int, ...], av: Any, bv: Any, which: int) -> Any:
    """The term of one operand's tangent, stacked matrices and 1-D operands as matmul reads them."""
    na, nb = np.ndim(av), np.ndim(bv)
    a2 = av if na >= 2 else np.expand_dims(av, 0)
    b2 = bv if nb >= 2 else np.expand_dims(bv, -1)
    n = max(np.ndim(a2), np.ndim(b2))
    if which == 0:
        r = np.matmul(lift_batched(d if na >= 2 else np.expand_dims(d, -2), k, n), b2)
    else:
        r = np.matmul(a2, lift_batched(d if nb >= 2 else np.expand_dims(d, -1), k, n))
    r = r if na >= 2 else np.squeeze(r, -2)
    return r if nb >= 2 else np.squeeze(r, -1)


def _add(d: Any, term: Any) -> Any:
    if np.ndim(term) > np.ndim(d):  # only one of them carries the direction axis: broadcast over it
        return term + d
    return d + term


def _matmul_vjp(i: int, g: Any, xs: tuple[Any, ...], y: Any) -> Any:
    a, b = xs
    a2 = np.reshape(a, (1,) + np.shape(a)) if np.ndim(a) == 1 else a  # a vector is a row ...
    b2 = np.reshape(b, np.shape(b) + (1,)) if np.ndim(b) == 1 else b  # ... or a column
    out2 = np.broadcast_shapes(np.shape(a2)[:-2], np.shape(b2)[:-2]) + (np.shape(a2)[-2], np.shape(b2)[-1])
    g2 = np.reshape(g, out2)
    if i == 0:
        ga = np.matmul(g2, np.swapaxes(b2, -1, -2))
        ga = np.reshape(ga, np.shape(ga)[:-2] + np.shape(ga)[-1:]) if np.ndim(a) == 1 else ga
        return _unbroadcast(ga, np.shape(a))
    gb = np.matmul(np.swapaxes(a2, -1, -2), g2)
    gb = np.reshape(gb, np.shape(gb)[:-1]) if np.ndim(b) == 1 else gb
    return _unbroadcast(gb, np.shape(b))


_matmul = Primitive("matmul", np.matmul, _matmul_jvp, _matmul_vjp)


@register(np.matmul)
def matmul(a: Any, b: Any, /, out: Any = None, **kw: Any) -> Any:
    refuse("matmul", out=out)
    return _matmul(_as_operand(a), _as_operand(b))


# --- einsum: each operand's tangent in its place; its cotangent is the einsum of the others with g ---
_LETTERS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"


def _einsum_jvp(ds: list[Any], xs: tuple[Any, ...], y: Any, k: tuple[int, ...], subscripts: str) -> Any:
    ins, res = subscripts.split("->")
    ins_l = ins.split(",")
    z = next(c for c in _LETTERS if c not in subscripts)
    d: Any = None
    for i, di in enumerate(ds):
        if di is None:
            continue
        ki = k if np.ndim(di) > np.ndim(xs[i]) else ()
        s = ",".join((z if j == i and ki else "") + s for j, s in enumerate(ins_l)) + "->" + (z if ki else "") + res
        term = np.einsum(s, *(di if j == i else x for j, x in enumerate(xs)))
        d = term if d is None else _add(d, term)
    return d


def _einsum_vjp(i: int, g: Any, xs: tuple[Any, ...], y: Any, subscripts: str) -> Any:
    ins, res = subscripts.split("->")
    ins_l = ins.split(",")
    mine = ins_l[i]
    others = [s for j, s in enumerate(ins_l) if j != i]
    ops = [x for j, x in enumerate(xs) if j != i]
    letters = mine.replace("...", "")
    # letters only operand i has were summed away: ones bring back their axes
    used = set(res) | set("".join(others))
    lone = [c for c in dict.fromkeys(letters) if c not in used]
    sizes = dict(zip(letters, np.shape(xs[i])[len(np.shape(xs[i])) - len(letters):] if "..." in mine else np.shape(xs[i]), strict=False))
    # a repeated letter (a diagonal, 'ii'): the cotangent lands on the diagonal, through an identity
    out = ""
    eyes = []
    spare = iter(c for c in _LETTERS if c not in subscripts)
    for c in mine.replace("...", "."):
        if c == ".":
            out += "..."
        elif c in out:
            e = next(spare)
            eyes.append((c, e, sizes[c]))
            out += e
        else:
            out += c
    terms = [res] + others + [c for c in lone] + [c + e for c, e, _ in eyes]
    operands = [g] + ops + [np.ones(sizes[c]) for c in lone] + [np.eye(n) for _, _, n in eyes]
    r = np.einsum(",".join(terms) + "->" + out, *operands)
    return _unbroadcast(r, np.shape(xs[i]))


_einsum = Primitive("einsum", lambda *xs, subscripts: np.einsum(subscripts, *xs), _einsum_jvp, _einsum_vjp)


def _explicit(subs: str, ops: list[Any]) -> str:
    """The subscripts with the output written out and each '...' replaced by letters of its own, so
    that the rules never meet broadcasting: a broadcast axis of length 1 gets a letter of its own."""
    subs = subs.replace(" ", "")
    if "->" not in subs:
        ins = subs.split(",")
        letters = "".join(ins).replace(".", "")
        subs += "->" + ("..." if "..." in subs else "") + "".join(sorted(c for c in set(letters) if letters.count(c) == 1))
    if "..." not in subs:
        return subs
    ins_s, res = subs.split("->")
    ins = ins_s.split(",")
    spare = iter(c for c in _LETTERS if c not in subs)
    ranks = [np.ndim(plain(x)) - len(s.replace("...", "")) for s, x in zip(ins, ops, strict=True)]
    width = max(r for r, s in zip(ranks, ins, strict=True) if "..." in s)
    shared = [next(spare) for _ in range(width)]  # right-aligned, as NumPy broadcasts
    sizes = np.broadcast_shapes(*(np.shape(plain(x))[s.index("...") : s.index("...") + r] for s, x, r in zip(ins, ops, ranks, strict=True)
                                  if "..." in s))
    out = []
    for s, x, r in zip(ins, ops, ranks, strict=True):
        if "..." in s:
            own = np.shape(plain(x))[s.index("...") : s.index("...") + r]
            pairs = zip(shared[width - r :], own, strict=True)
            letters_ = [c if n == sizes[width - r + j] else next(spare) for j, (c, n) in enumerate(pairs)]
            s = s.replace("...", "".join(letters_))
        out.append(s)
    return ",".join(out) + "->" + res.replace("...", "".join(shared))


def _from_sublists(args: list[Any]) -> tuple[str, list[Any]]:
    """einsum's sublist form (op, [0, 1], op, [1], [0]) as a subscripts string."""
    def letters(sub: Any) -> str:
        return "".join("..." if s is Ellipsis else _LETTERS[int(s)] for s in sub)

    ops, subs = args[0::2], args[1::2]
    out = None
    if len(args) % 2:
        ops, out = args[0:-1:2], args[-1]
        subs = args[1:-1:2]
    s = ",".join(letters(x) for x in subs) + ("->" + letters(out) if out is not None else "")
    return s, list(ops)


@register(np.einsum)
def einsum(*operands: Any, out: Any = None, optimize: Any = False, dtype: Any = None, order: Any = "K", casting: Any = "safe") -> Any:
    refuse("einsum", out=out)
    if isinstance(operands[0], str):
        subs, ops = operands[0], list(operands[1:])
    else:
        subs, ops = _from_sublists(list(operands))
    ops = [_as_operand(x) for x in ops]
    return _einsum(*ops, subscripts=_explicit(subs, ops))


# --- composites ---
@register(np.dot)
def dot(a: Any, b: Any, out: Any = None) -> Any:
    refuse("dot", out=out)
    a, b = _as_operand(a), _as_operand(b)
    if ndim(a) == 0 or ndim(b) == 0:
        return a * b
    if ndim(b) <= 2:
        return matmul(a, b)
    return tensordot(a, b, axes=([-1], [-2]))


@register(np.tensordot)
def tensordot(a: Any, b: Any, axes: Any = 2) -> Any:
    a, b = _as_operand(a), _as_operand(b)
    na, nb = ndim(a), ndim(b)
    if isinstance(axes, (int, np.integer)):
        xa, xb = list(range(na - int(axes), na)), list(range(int(axes)))
    else:
        xa, xb = [x % na for x in _tuple(axes[0])], [x % nb for x in _tuple(axes[1])]
    la, lb = list(_LETTERS[:na]), list(_LETTERS[na : na + nb])
    for i, j in zip(xa, xb, strict=True):
        lb[j] = la[i]
    res = [c for i, c in enumerate(la) if i not in xa] + [c for j, c in enumerate(lb) if j not in xb]
    return einsum("".join(la) + "," + "".join(lb) + "->" + "".join(res), a, b)


@register(np.inner)
def inner(a: Any, b: Any) -> Any:
    a, b = _as_operand(a), _as_operand(b)
    if ndim(a) == 0 or ndim(b) == 0:
        return a * b
    return tensordot(a, b, ([-1], [-1]))


@register(np.outer)
def outer(a: Any, b: Any, out: Any = None) -> Any:
    refuse("outer", out=out)
    return einsum("i,j->ij", ravel(a), ravel(b))


@register(np.vdot)
def vdot(a: Any, b: Any) -> Any:
    return einsum("i,i->", ravel(a), ravel(b))


if hasattr(np, "vecdot"):

    @register(np.vecdot)
    def vecdot(x1: Any, x2: Any, /, *, axis: int = -1, **kw: Any) -> Any:
        return np.sum(x1 * x2, axis=axis)


@register(np.kron)
def kron(a: Any, b: Any) -> Any:
    a, b = _as_operand(a), _as_operand(b)
    n = max(ndim(a), ndim(b))
    sa, sb = (1,) * (n - ndim(a)) + shape(a), (1,) * (n - ndim(b)) + shape(b)
    la, lb = _LETTERS[:n], _LETTERS[n : 2 * n]
    r = einsum(la + "," + lb + "->" + "".join(x + y for x, y in zip(la, lb, strict=True)), reshape(a, sa), reshape(b, sb))
    return reshape(r, tuple(x * y for x, y in zip(sa, sb, strict=True)))


def _cross_takes_2_vectors() -> bool:
    """Does the installed NumPy take 2-element vectors in np.cross (deprecated in 2.0, refused by 2.5)?"""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        try:
            np.cross(np.ones(2), np.ones(2))
        except ValueError:
            return False
    return True


_CROSS_2D = _cross_takes_2_vectors()


@register(np.cross)
def cross(a: Any, b: Any, axisa: int = -1, axisb: int = -1, axisc: int = -1, axis: Any = None) -> Any:
    if axis is not None:
        axisa = axisb = axisc = axis
    a, b = moveaxis(_as_operand(a), axisa, -1), moveaxis(_as_operand(b), axisb, -1)
    if not _CROSS_2D and 2 in (shape(a)[-1], shape(b)[-1]):
        np.cross(np.ones(shape(a)[-1:]), np.ones(shape(b)[-1:]))  # NumPy's own refusal, with its message
    if shape(a)[-1] == shape(b)[-1] == 2:
        return a[..., 0] * b[..., 1] - a[..., 1] * b[..., 0]
    a, b = (concatenate([x, np.zeros(shape(x)[:-1] + (1,))], -1) if shape(x)[-1] == 2 else x for x in (a, b))
    i, j = [1, 2, 0], [2, 0, 1]
    return moveaxis(a[..., i] * b[..., j] - a[..., j] * b[..., i], -1, axisc)


@register(np.polyval)
def polyval(p: Any, x: Any) -> Any:
    p, x = _as_operand(p), _as_operand(x)
    y: Any = np.zeros_like(plain(x), dtype=float)
    for i in range(len(p)):
        y = y * x + p[i]
    return y


@register(np.convolve)
def convolve(a: Any, v: Any, mode: str = "full") -> Any:
    """Linear in each argument: a sum of shifted copies, written with indexing and einsum."""
    a, v = np.ravel(_as_operand(a)), np.ravel(_as_operand(v))  # NumPy reads scalars as length-1 arrays
    if shape(v)[0] > shape(a)[0]:
        a, v = v, a
    n, m = shape(a)[0], shape(v)[0]
    full = n + m - 1
    idx = np.arange(full)[:, None] - np.arange(m)[None, :]  # out[i] = sum_j a[i - j] v[j]
    valid = (idx >= 0) & (idx < n)
    a_pad = concatenate([a, np.zeros(1)])
    picked = a_pad[np.where(valid, idx, n)]
    out = einsum("ij,j->i", picked, v)
    if mode == "full":
        return out
    if mode == "same":
        start = (m - 1) // 2
        return out[start : start + n]
    if mode == "valid":
        return out[m - 1 : n]
    raise ValueError(f"mode must be 'full', 'same' or 'valid', not {mode!r}")


@register(np.correlate)
def correlate(a: Any, v: Any, mode: str = "valid") -> Any:
    return convolve(a, np.flip(_as_operand(v)), mode)


register(np.linalg.multi_dot)(lambda arrays, *, out=None: _multi_dot(arrays, out))


def _multi_dot(arrays: Any, out: Any) -> Any:
    refuse("linalg.multi_dot", out=out)
    xs = [_as_operand(x) for x in arrays]
    r = xs[0]
    for x in xs[1:]:
        r = matmul(r, x)
    return r


@register(np.linalg.matrix_power)
def matrix_power(a: Any, n: int) -> Any:
    a = _as_operand(a)
    if n < 0:
        a, n = np.linalg.inv(a), -n
    result: Any = np.broadcast_to(np.eye(shape(a)[-1]), shape(a))
    while n:
        if n & 1:
            result = matmul(a, result)
        n >>= 1
        if n:
            a = matmul(a, a)
    return result


@register(np.linalg.outer)
def _linalg_outer(x1: Any, x2: Any, /) -> Any:
    return outer(x1, x2)


@register(np.linalg.tensordot)
def _linalg_tensordot(x1: Any, x2: Any, /, *, axes: Any = 2) -> Any:
    return tensordot(x1, x2, axes)


@register(np.linalg.matmul)
def _linalg_matmul(x1: Any, x2: Any, /) -> Any:
    return matmul(x1, x2)


@register(np.linalg.vecdot)
def _linalg_vecdot(x1: Any, x2: Any, /, *, axis: int = -1) -> Any:
    return np.sum(_as_operand(x1) * _as_operand(x2), axis=axis)


@register(np.linalg.cross)
def _linalg_cross(x1: Any, x2: Any, /, *, axis: int = -1) -> Any:
    return cross(x1, x2, axis=axis)


@register(np.linalg.matrix_transpose)
def matrix_transpose(x: Any, /) -> Any:
    return swapaxes(_as_operand(x), -1, -2)
