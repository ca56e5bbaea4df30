"""Sparsity detection: a number type that carries, for every entry, the set of inputs it depends on.

`Tracer` goes through the same dispatch as Dual and Var (NumPy's protocols, the elementwise rule
table, the primitives of the function table), but where a Dual carries a tangent, a Tracer carries
index sets: entry e of a result depends on input j if j is in its set. Running f on a Tracer seeded
with {j} at input j gives the pattern of f's Jacobian; with ``hessian=True`` each entry also carries
the set of input pairs (i, j) with a possibly nonzero second derivative, which gives the Hessian's.

Index sets are stored for a whole array at once (`Sets`): one flat int64 array of members and, per
entry, where its members start and end. Rows may share storage, so indexing, reshaping and
broadcasting only pick start/end positions, and a union is one stable sort of sorted runs.

Two flavours (see `trace`):

- *global* (the default): the pattern for every x. The Tracer's ``.value`` is then a `Hidden`
  stand-in that knows its shape and dtype but refuses to show numbers, so any value-dependent step
  (a comparison, a branch, np.argsort, float()) raises a TypeError that says to use the local pattern.
- *local*: the pattern at this x. Values are carried and may be looked at; an elementwise step
  drops an operand where its partial derivative at x is exactly 0 (max picks one argument).

Primitives with a precise rule: reshape, transpose, broadcast_to, astype, concatenate, sum, cumsum,
where, matmul and einsum, and indexing. Functions that pick entries by value (max, sort, median)
make each result entry depend on all inputs of their operands in the global pattern. Any other
primitive (linalg.solve, fft, ...) is taken to make every output entry depend on every input of its
operands: a superset, so a Jacobian computed from the pattern is still exact, only less sparse than
it could be.
"""

from __future__ import annotations

import itertools
from typing import Any

import numpy as np

from .._meta import doc
from ..rules import elementwise
from ..rules import table as rules
from . import functions
from .number import ArrayNumber, Number, from_objects, to_objects

_VALUES = (
    "The global sparsity pattern holds for every x, so f may not look at the values of its input, but "
    "it does here ({what}). Use the local pattern at this x instead: jacobian_sparsity(f, x, local=True) "
    "(or hessian_sparsity(..., local=True)); see " + doc("sparse")
)
_DENSE_BUDGET = 2**22  # entries of an einsum's dense incidence (outputs x operand entries) worth computing


# --- index sets of a whole array ---
class Sets:
    """The index sets of the entries of one array, flattened in C order: entry e's set is
    ``data[starts[e]:ends[e]]``, sorted and without repeats. Entries may share storage.

    >>> s = Sets.identity(3)
    >>> s.rows()
    [[0], [1], [2]]
    >>> union([(s, np.array([0, 1])), (s, np.array([2, 2]))], 2).rows()
    [[0, 2], [1, 2]]
    """

    __slots__ = ("data", "starts", "ends")

    def __init__(self, data: np.ndarray, starts: np.ndarray, ends: np.ndarray) -> None:
        self.data, self.starts, self.ends = data, starts, ends

    @staticmethod
    def identity(n: int) -> Sets:
        r = np.arange(n, dtype=np.int64)
        return Sets(r, r, r + 1)

    @staticmethod
    def empty(n: int) -> Sets:
        z = np.zeros(n, dtype=np.int64)
        return Sets(z[:0], z, z)

    @staticmethod
    def same(members: np.ndarray, n: int) -> Sets:
        """n entries that all hold ``members`` (sorted, unique), stored once."""
        return Sets(members, np.zeros(n, dtype=np.int64), np.full(n, len(members), dtype=np.int64))

    def __len__(self) -> int:
        return len(self.starts)

    def take(self, rows: np.ndarray) -> Sets:
        """The sets of entries ``rows`` (an int array, repeats allowed): no members are copied."""
        return Sets(self.data, self.starts[rows], self.ends[rows])

    def flat(self, rows: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        """(entry, member) pairs of entries ``rows`` (all, in order, if None): entry is the position in rows."""
        starts, ends = (self.starts, self.ends) if rows is None else (self.starts[rows], self.ends[rows])
        lens = ends - starts
        total = int(lens.sum())
        where = np.repeat(np.arange(len(lens), dtype=np.int64), lens)
        offset = np.cumsum(lens) - lens
        pos = np.arange(total, dtype=np.int64) - np.repeat(offset - starts, lens)
        return where, self.data[pos]

    def members(self) -> np.ndarray:
        """The union of all sets."""
        return np.unique(self.flat()[1])

    def rows(self) -> list[list[int]]:
        return [self.data[s:e].tolist() for s, e in zip(self.starts, self.ends, strict=True)]


def _build(where: np.ndarray, members: np.ndarray, n: int) -> Sets:
    """Sets of n entries from (entry, member) pairs, repeats and any order allowed."""
    if len(where) == 0:
        return Sets.empty(n)
    width = int(members.max()) + 1
    key = np.sort(where * width + members, kind="stable")  # runs of sorted pairs: a merge, not a full sort
    key = key[np.concatenate(([True], key[1:] != key[:-1]))]
    entry, data = np.divmod(key, width)
    ends = np.cumsum(np.bincount(entry, minlength=n)).astype(np.int64)
    counts = np.diff(np.concatenate(([0], ends)))
    return Sets(data, ends - counts, ends)


def union(parts: list[tuple[Sets, np.ndarray | None]], n: int) -> Sets:
    """Entry e of the result: the union over parts of ``sets[rows[e]]`` (rows None: e itself).

    Rows may be masked out by passing -1."""
    parts = [(s, r) for s, r in parts if s is not None]
    if not parts:
        return Sets.empty(n)
    if len(parts) == 1:
        s, r = parts[0]
        if r is None:
            return s
        if r.min(initial=0) >= 0:
            return s.take(r)
    wheres, mems = [], []
    for s, r in parts:
        if r is None:
            w, m = s.flat()
        else:
            keep = np.flatnonzero(r >= 0) if r.min(initial=0) < 0 else None
            w, m = s.flat(r if keep is None else r[keep])
            if keep is not None:
                w = keep[w]
        wheres.append(w)
        mems.append(m)
    return _build(np.concatenate(wheres), np.concatenate(mems), n)


def _pairs(a: Sets, b: Sets, n: int) -> Sets:
    """Entry e: every pair (i, j) and (j, i) with i in a[e], j in b[e], as keys i * n + j."""
    la, lb = a.ends - a.starts, b.ends - b.starts
    cnt = la * lb
    total = int(cnt.sum())
    where = np.repeat(np.arange(len(la), dtype=np.int64), cnt)
    t = np.arange(total, dtype=np.int64) - np.repeat(np.cumsum(cnt) - cnt, cnt)
    lbw = lb[where]
    i = a.data[a.starts[where] + t // np.maximum(lbw, 1)]
    j = b.data[b.starts[where] + t % np.maximum(lbw, 1)]
    return _build(np.concatenate((where, where)), np.concatenate((i * n + j, j * n + i)), len(la))


# --- the stand-in for values the global pattern may not look at ---
class Hidden:
    """A Tracer's ``.value`` in the global pattern: its shape and dtype, and no numbers.

    >>> h = Hidden((3,), np.dtype(float))
    >>> np.shape(h), np.ndim(h), np.iscomplexobj(h)
    ((3,), 1, False)
    >>> h > 0  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    TypeError: The global sparsity pattern holds for every x, ... (a comparison). Use the local pattern at this x instead: ...
    """

    __slots__ = ("shape", "dtype")

    def __init__(self, shape: tuple[int, ...], dtype: Any) -> None:
        self.shape, self.dtype = shape, dtype

    @property
    def ndim(self) -> int:
        return len(self.shape)

    @property
    def size(self) -> int:
        return int(np.prod(self.shape))

    def __len__(self) -> int:
        if not self.shape:
            raise TypeError("len() of a scalar")
        return self.shape[0]

    def __repr__(self) -> str:
        return f"Hidden(shape={self.shape})"

    def _refuse(self, what: str) -> Any:
        raise TypeError(_VALUES.format(what=what))

    def __array_function__(self, func: Any, types: Any, args: Any, kwargs: Any) -> Any:
        if func is np.shape:
            return self.shape
        if func is np.ndim:
            return self.ndim
        if func is np.size:
            return self.size
        if func in (np.iscomplexobj, np.isrealobj):
            return (self.dtype.kind == "c") == (func is np.iscomplexobj)
        if func is np.result_type:
            return np.result_type(*[a.dtype if isinstance(a, Hidden) else a for a in args])
        return self._refuse(f"numpy.{getattr(func, '__name__', func)} of its values")

    def __array_ufunc__(self, ufunc: Any, method: str, *inputs: Any, **kwargs: Any) -> Any:
        return self._refuse(f"numpy.{ufunc.__name__} of its values")

    def __array__(self, dtype: Any = None, copy: Any = None) -> Any:
        return self._refuse("converting it to an array")

    def __bool__(self) -> bool:
        return bool(self._refuse("a branch on a value, bool()"))

    def __float__(self) -> float:
        return float(self._refuse("float() of a value"))

    def __index__(self) -> int:
        return int(self._refuse("a value used as an index"))

    def __getitem__(self, index: Any) -> Any:
        return self._refuse("reading an entry of its values")

    def __lt__(self, other: Any) -> Any:
        return self._refuse("a comparison")

    __le__ = __gt__ = __ge__ = __eq__ = __ne__ = __lt__  # type: ignore[assignment]
    __hash__ = None  # type: ignore[assignment]


# --- the number type ---
class Context:
    """One sparsity detection: the number of inputs, local or global, and whether pairs are traced."""

    __slots__ = ("n", "local", "hessian")

    def __init__(self, n: int, local: bool, hessian: bool) -> None:
        self.n, self.local, self.hessian = n, local, hessian


class Tracer(Number):
    """A value (kept for shapes; shown only in the local pattern) and the index sets of its entries.

    >>> import numpy as np
    >>> x = seed(np.zeros(3), Context(3, local=False, hessian=False))
    >>> y = np.concatenate([x[1:] * x[:-1], [np.sum(x)]])
    >>> y.sets.rows()
    [[0, 1], [1, 2], [0, 1, 2]]
    """

    __slots__ = ("_v", "_g", "_h", "_c")
    _v: Any
    _g: Sets
    _h: Sets | None
    _c: Context

    @property
    def value(self) -> Any:  # type: ignore[override]
        if self._c.local:
            return self._v
        return Hidden(np.shape(self._v), np.result_type(self._v))

    @property
    def sets(self) -> Sets:
        """The index sets of the entries (inputs each depends on)."""
        return self._g

    @property
    def pairs(self) -> Sets | None:
        """The sets of input pairs with a possibly nonzero second derivative (keys i * n + j), if traced."""
        return self._h

    @property
    def shape(self) -> tuple[int, ...]:
        return np.shape(self._v)

    @property
    def ndim(self) -> int:
        return np.ndim(self._v)

    def __repr__(self) -> str:
        return f"Tracer(shape={self.shape}, sets={self._g.rows() if self.size <= 8 else '...'})"

    __hash__ = object.__hash__

    def __array_function__(self, func: Any, types: Any, args: Any, kwargs: Any) -> Any:
        if func in _BY_ORDER and not self._c.local:
            return _by_order(func, args, kwargs)
        return super().__array_function__(func, types, args, kwargs)

    def __float__(self) -> float:
        if self._c.local:
            raise TypeError("float() of a Tracer would drop its dependence on the input: use dualdiff's or NumPy's functions, not math's")
        return float(self.value)

    def __int__(self) -> int:
        return int(self.__float__())

    def __index__(self) -> int:
        raise TypeError("a Tracer (an input-dependent value) cannot be used as an index")

    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
        if dtype is not None and np.dtype(dtype) != object:
            raise TypeError(f"converting a Tracer to a {np.dtype(dtype)} array would drop its dependence on the input")
        return to_objects(self)


class TracerArray(Tracer, ArrayNumber):
    """A Tracer whose value is an array: it indexes, iterates and has a dtype."""

    __slots__ = ()

    @property
    def dtype(self) -> Any:
        return np.result_type(self._v)

    def __len__(self) -> int:
        return len(self._v)

    def __getitem__(self, index: Any) -> Any:
        if _holds_tracer(index):
            raise TypeError("a Tracer (an input-dependent value) cannot be used as an index")
        pos = np.arange(self.size, dtype=np.int64).reshape(self.shape)[index]
        rows = np.ravel(pos)
        return _make(self._v[index], self._g.take(rows), None if self._h is None else self._h.take(rows), self._c)

    def __setitem__(self, index: Any, item: Any) -> None:
        raise TypeError("Tracers are immutable, like Duals: build the array instead (np.concatenate, np.where, dualdiff.stack)")


# Functions that pick entries by their values (the largest, the sorted order): the global pattern
# cannot know which, so each result entry depends on every input its operands depend on.
_BY_ORDER = {
    np.max, np.min, np.amax, np.amin, np.nanmax, np.nanmin, np.ptp, np.sort, np.median, np.nanmedian,
    np.percentile, np.quantile, np.nanpercentile, np.nanquantile, np.partition,
}


def _by_order(func: Any, args: Any, kwargs: Any) -> Any:
    tracers: list[Tracer] = []

    def strip(a: Any) -> Any:
        if isinstance(a, Tracer):
            tracers.append(a)
            return a._v
        if isinstance(a, (list, tuple)):
            return type(a)(strip(e) for e in a)
        return a

    with np.errstate(all="ignore"):
        y = func(*strip(list(args)), **{k: strip(v) for k, v in kwargs.items()})
    return _conservative(tuple(tracers), y, tracers[0]._c)


def _holds_tracer(index: Any) -> bool:
    if isinstance(index, tuple):
        return any(_holds_tracer(i) for i in index)
    return isinstance(index, Tracer)


def _make(v: Any, g: Sets, h: Sets | None, c: Context) -> Tracer:
    if isinstance(v, np.generic) or (isinstance(v, np.ndarray) and v.ndim == 0):
        v = v.item()  # a scalar as a Python number, as Duals keep it: rules take their float paths
    t = object.__new__(TracerArray if np.ndim(v) else Tracer)
    t._v, t._g, t._h, t._c = v, g, h, c
    return t


def seed(x: np.ndarray | float, c: Context) -> Tracer:
    """The input: entry j depends on input j (and on no pair)."""
    n = int(np.size(x))
    return _make(x, Sets.identity(n), Sets.empty(n) if c.hessian else None, c)


def _context(xs: Any) -> Context:
    cs = {id(x._c): x._c for x in xs if isinstance(x, Tracer)}
    if len(cs) > 1:
        raise TypeError("Tracers of two different sparsity detections met: detect the pattern of one function at a time")
    return next(iter(cs.values()))


def _value(x: Any) -> Any:
    return x._v if isinstance(x, Tracer) else x


def _gather(x: Any, out_shape: tuple[int, ...]) -> np.ndarray | None:
    """For each entry of a result of ``out_shape``, the entry of x it reads by broadcasting (None: itself)."""
    s = np.shape(x._v)
    if s == out_shape:
        return None
    return np.broadcast_to(np.arange(int(np.prod(s)), dtype=np.int64).reshape(s), out_shape).ravel()


# --- elementwise rules ---
_LINEAR = {"add", "subtract", "negative", "positive", "conjugate", "real", "imag"}


def _second(rule: elementwise.Elementwise, i: int, j: int) -> bool:
    """Can the second partial of ``rule`` in arguments i and j be nonzero?"""
    if rule.name in _LINEAR:
        return False
    if rule.name == "multiply":
        return i != j
    if rule.name in ("divide", "true_divide"):
        return not (i == 0 and j == 0)
    return True


def apply(rule: elementwise.Elementwise, args: tuple[Any, ...]) -> Tracer:
    """An elementwise rule on Tracers: each entry depends on what its operands' entries depend on,
    except through a partial that is 0 (everywhere: floor, sign; at x, in the local pattern)."""
    c = _context(args)
    xs = tuple(_value(a) for a in args)
    with np.errstate(all="ignore"):
        y = rule(*xs)
    out = np.shape(y)
    size = int(np.prod(out))
    firsts, seconds, moving = [], [], []
    for i, a in enumerate(args):
        if not isinstance(a, Tracer) or rule.partials[i] is rules._zero:
            continue
        rows = every = _gather(a, out)
        if c.local:
            with np.errstate(all="ignore"):
                p = rule.partial(i, xs, y)
            live = np.broadcast_to((p != 0) | (p != p), out)  # nan: no number to drop
            if not live.all():
                base = np.arange(size, dtype=np.int64) if rows is None else rows
                rows = np.where(live.ravel(), base, -1)
        # a zero first partial drops the operand's sets and pairs, but not its second-order
        # products: x**2 at 0 has derivative 0 and second derivative 2
        moving.append((i, a, every))
        firsts.append((a._g, rows))
        if c.hessian:
            seconds.append((a._h, rows))
    g = union(firsts, size)
    h = None
    if c.hessian:
        crosses = []
        for (i, a, ra), (j, b, rb) in itertools.combinations_with_replacement(moving, 2):
            if _second(rule, i, j):
                sa = a._g if ra is None else _masked(a._g, ra)
                sb = b._g if rb is None else _masked(b._g, rb)
                crosses.append((_pairs(sa, sb, c.n), None))
        h = union(seconds + crosses, size)
    return _make(y, g, h, c)


def _masked(s: Sets, rows: np.ndarray) -> Sets:
    """``s.take(rows)`` with rows -1 read as empty sets."""
    if rows.min(initial=0) >= 0:
        return s.take(rows)
    t = s.take(np.maximum(rows, 0))
    ends = np.where(rows >= 0, t.ends, t.starts)
    return Sets(t.data, t.starts, ends)


def apply_unary(rule: elementwise.Elementwise, x: Tracer) -> Tracer:
    return apply(rule, (x,))


# --- primitives ---
def _routes(prim: functions.Primitive, xs: tuple[Any, ...], vals: tuple[Any, ...], y: Any, params: dict[str, Any]) -> list[Any] | None:
    """For a primitive with a precise rule: per operand that is a Tracer, the pairs (result entry,
    operand entry) through which the result depends on it, as (operand, out_ids, in_ids) or
    (operand, rows) when each result entry reads one entry (rows: -1 for none). None: no rule."""
    name = prim.name
    out = np.shape(y)
    size = int(np.prod(out))
    tracers = [(i, x) for i, x in enumerate(xs) if isinstance(x, Tracer)]
    if name in ("reshape", "transpose", "broadcast_to"):
        (_, x), = tracers
        pos = np.arange(x.size, dtype=np.int64).reshape(x.shape)
        return [(x, np.ravel(prim.value(pos, **params)))]
    if name == "astype":
        (_, x), = tracers
        return [(x, None)]
    if name == "concatenate":
        offset, pieces, routes = 0, [], []
        for v in vals:
            n = int(np.size(v))
            pieces.append(np.arange(offset, offset + n, dtype=np.int64).reshape(np.shape(v)))
            offset += n
        src = np.ravel(np.concatenate(pieces, params["axis"]))
        offset = 0
        for x, v in zip(xs, vals, strict=True):
            n = int(np.size(v))
            if isinstance(x, Tracer):
                rows = np.where((src >= offset) & (src < offset + n), src - offset, -1)
                routes.append((x, rows))
            offset += n
        return routes
    if name == "where":
        cond = np.broadcast_to(params["cond"], out).ravel()
        routes = []
        for i, x in tracers:
            picked = _gather(x, out)
            rows = np.arange(size, dtype=np.int64) if picked is None else picked
            routes.append((x, np.where(cond if i == 0 else ~cond, rows, -1)))
        return routes
    if name == "sum":
        (_, x), = tracers
        keep = np.sum(np.zeros(x.shape), axis=params["axis"], keepdims=True).shape
        dest = np.broadcast_to(np.arange(size, dtype=np.int64).reshape(keep), x.shape).ravel()
        return [(x, dest, np.arange(x.size, dtype=np.int64))]
    if name == "cumsum":
        (_, x), = tracers
        pos = np.moveaxis(np.arange(x.size, dtype=np.int64).reshape(x.shape), params["axis"], -1)
        p, q = np.tril_indices(int(np.shape(pos)[-1]))
        return [(x, pos[..., p].ravel(), pos[..., q].ravel())]
    if name == "matmul":
        return _matmul_routes(xs, vals, out)
    if name == "einsum":
        return _einsum_routes(xs, vals, params["subscripts"], size)
    return None


def _matmul_routes(xs: tuple[Any, ...], vals: tuple[Any, ...], out: tuple[int, ...]) -> list[Any] | None:
    a, b = xs
    if np.ndim(vals[0]) > 2 or np.ndim(vals[1]) > 2 or (isinstance(a, Tracer) and isinstance(b, Tracer)):
        return _einsum_routes(xs, vals, _matmul_subscripts(np.ndim(vals[0]), np.ndim(vals[1])), int(np.prod(out)))
    a2 = np.reshape(vals[0], (1, -1)) if np.ndim(vals[0]) == 1 else vals[0]
    b2 = np.reshape(vals[1], (-1, 1)) if np.ndim(vals[1]) == 1 else vals[1]
    m, p = a2.shape[0], b2.shape[1]
    if isinstance(a, Tracer):  # out[i, j] reads a[i, k] where b[k, j] != 0
        k, j = np.nonzero(b2)
        i = np.arange(m, dtype=np.int64)[:, None]
        return [(a, (i * p + j).ravel(), (i * a2.shape[1] + k).ravel())]
    i, k = np.nonzero(a2)  # out[i, j] reads b[k, j] where a[i, k] != 0
    j = np.arange(p, dtype=np.int64)[None, :]
    return [(b, (i[:, None] * p + j).ravel(), (k[:, None] * p + j).ravel())]


def _matmul_subscripts(na: int, nb: int) -> str:
    batch = "bcdefgh"[: max(na, nb, 2) - 2]
    sa = (batch[len(batch) - (na - 2):] if na > 2 else "") + ("ik" if na >= 2 else "k")
    sb = (batch[len(batch) - (nb - 2):] if nb > 2 else "") + ("kj" if nb >= 2 else "k")
    res = batch + ("i" if na >= 2 else "") + ("j" if nb >= 2 else "")
    return f"{sa},{sb}->{res}"


def _einsum_routes(xs: tuple[Any, ...], vals: tuple[Any, ...], subscripts: str, size: int) -> list[Any] | None:
    """Which entries of each Tracer operand each result entry reads: the einsum itself applied to an
    identity in that operand's place, with the other operands' structure (constants: their nonzeros;
    Tracers: everything). A dense incidence: only while it is small."""
    ins, res = subscripts.split("->")
    terms = ins.split(",")
    z = next(ch for ch in "ZYXWVUTSRQPONMLKJIHGFEDCBA" if ch not in subscripts)
    routes = []
    for i, x in enumerate(xs):
        if not isinstance(x, Tracer):
            continue
        n = x.size
        if n * size > _DENSE_BUDGET:
            return None
        ops = [np.eye(n).reshape((n,) + x.shape) if j == i else _structure(xs[j], v) for j, v in enumerate(vals)]
        s = ",".join((z if j == i else "") + t for j, t in enumerate(terms)) + "->" + z + res
        inc = np.einsum(s, *ops).reshape(n, size)
        src, dest = np.nonzero(inc)
        routes.append((x, dest.astype(np.int64), src.astype(np.int64)))
    return routes


def _structure(x: Any, v: Any) -> np.ndarray:
    """Where an operand may be nonzero: a constant's nonzeros, a Tracer's every entry."""
    return np.ones(np.shape(v)) if isinstance(x, Tracer) else (np.asarray(v) != 0).astype(float)


def apply_primitive(prim: functions.Primitive, xs: tuple[Any, ...], params: dict[str, Any]) -> Any:
    """A primitive on Tracers: its precise rule where it has one, else every output entry depends on
    every input of its operands (a superset: Jacobians computed from it stay exact)."""
    c = _context(xs)
    vals = tuple(_value(x) for x in xs)
    with np.errstate(all="ignore"):
        y = prim.value(*vals, **params)
    if isinstance(y, tuple):
        return tuple(_conservative(xs, v, c) for v in y)
    if np.result_type(y).kind not in "fc":
        return y  # an integer or boolean result: no derivative to carry
    routes = _routes(prim, xs, vals, y, params)
    if routes is None:
        return _conservative(xs, y, c)
    size = int(np.prod(np.shape(y)))
    g_parts, h_parts = [], []
    for route in routes:
        x = route[0]
        if len(route) == 2:
            g_parts.append((x._g, route[1]))
            h_parts.append((x._h, route[1]))
        else:  # several operand entries per result entry: collect them
            dest, src = route[1], route[2]
            g_parts.append(_collect(x._g, dest, src, size))
            if c.hessian:
                h_parts.append(_collect(x._h, dest, src, size))
    h = union(h_parts, size) if c.hessian else None
    g = union(g_parts, size)
    if c.hessian and prim.name in ("matmul", "einsum") and sum(isinstance(x, Tracer) for x in xs) > 1:
        subscripts = params.get("subscripts") or _matmul_subscripts(np.ndim(vals[0]), np.ndim(vals[1]))
        cross = _bilinear_pairs(xs, subscripts, size, c.n) if len(xs) == 2 else None
        h = union([(h, None), (cross if cross is not None else _pairs(g, g, c.n), None)], size)  # type: ignore[list-item]
    return _make(y, g, h, c)


def _bilinear_pairs(xs: tuple[Any, ...], subscripts: str, size: int, n: int) -> Sets | None:
    """The pairs of a product of two Tracers a and b: result entry o gets a[p] x b[q] for every
    product a_p b_q it sums (a dense incidence: None when it would be large)."""
    a, b = xs
    if a.size * b.size * size > _DENSE_BUDGET:
        return None
    ins, res = subscripts.split("->")
    ta, tb = ins.split(",")
    za, zb = [ch for ch in "ZYXWVUTSRQPONMLKJIHGFEDCBA" if ch not in subscripts][:2]
    eye_a = np.eye(a.size).reshape((a.size,) + a.shape)
    eye_b = np.eye(b.size).reshape((b.size,) + b.shape)
    inc = np.einsum(f"{za}{ta},{zb}{tb}->{za}{zb}{res}", eye_a, eye_b).reshape(a.size, b.size, size)
    p, q, o = np.nonzero(inc)
    where, members = _pairs(a._g.take(p), b._g.take(q), n).flat()
    return _build(o[where], members, size)


def _collect(s: Sets, dest: np.ndarray, src: np.ndarray, size: int) -> tuple[Sets, None]:
    where, members = s.flat(src)
    return _build(dest[where], members, size), None


def _conservative(xs: tuple[Any, ...], y: Any, c: Context) -> Any:
    if not isinstance(y, (np.ndarray, float, np.floating, complex, np.complexfloating)) or np.result_type(y).kind not in "fc":
        return y
    size = int(np.size(y))
    tracers = [x for x in xs if isinstance(x, Tracer)]
    allg = np.unique(np.concatenate([x._g.members() for x in tracers]))
    h = None
    if c.hessian:
        old = np.concatenate([x._h.members() for x in tracers])  # type: ignore[union-attr]
        cross = (allg[:, None] * c.n + allg[None, :]).ravel()
        h = Sets.same(np.unique(np.concatenate((old, cross))), size)
    return _make(y, Sets.same(allg, size), h, c)


for _cls in (Tracer, TracerArray):
    elementwise.HANDLERS[_cls] = (0, apply)  # the innermost number: a Dual or Var around it handles first
    elementwise.UNARY[_cls] = apply_unary
    functions.HANDLERS[_cls] = (0, apply_primitive)


def trace(f: Any, x: np.ndarray, local: bool = False, hessian: bool = False) -> tuple[tuple[int, ...], Sets, Sets | None]:
    """Run f on a Tracer seeded at x: the result's shape, its index sets and (hessian=True) its pairs.

    >>> shape, sets, pairs = trace(lambda x: x[0] * x[1] + x[2], np.ones(3), hessian=True)
    >>> shape, sets.rows(), pairs.rows()
    ((), [[0, 1, 2]], [[1, 3]])
    """
    c = Context(int(np.size(x)), local, hessian)
    r = f(seed(x, c))
    if isinstance(r, (list, tuple)) or (isinstance(r, np.ndarray) and r.dtype == object):
        r = from_objects(np.array(r, dtype=object) if isinstance(r, (list, tuple)) else r)
    if isinstance(r, Tracer):
        if r._c is not c:
            raise TypeError("f returned a Tracer of another sparsity detection (a cache or a closure kept it)")
        return r.shape, r._g, r._h
    size = int(np.size(r))
    return np.shape(r), Sets.empty(size), Sets.empty(size) if hessian else None
