"""Reverse mode: record the computation as a graph of `Var` nodes, then walk it backwards.

Forward mode asks "how does everything change when x moves"; reverse mode asks "how does the one
output change with every input". Each operation on a `Var` makes a new node that remembers its
parents and what it needs for its local derivative; ``y.backward()`` visits every node ``y`` depends
on once, newest first, and passes the gradient to the parents by the chain rule.

Elementwise functions read the same table as forward mode (`rules/table.py`): reverse multiplies
``rule.partial(i, args, out)`` into the incoming gradient, then sums away broadcast axes. NumPy's
other functions are primitives of the one function table (`core/functions.py`), each stating its
reverse map beside its forward map; `apply_primitive` records them. The user's functions
(gradient, vjp, hvp) are in api/reverse.py.

There is no global tape: a node holds its parents, so a result keeps alive exactly the graph it
depends on, and the graph goes away with it (a node only points to older nodes, so there are no
cycles: reference counting frees it at once). Threads share nothing but two counters. Building
graphs of millions of scalar nodes, CPython's cycle collector rescanning them takes most of the
time; ``gc.disable()`` around the build is safe here and about three times faster.

Tags work as for Duals: every reverse differentiation takes a fresh tag, and when Vars of two tags
meet, the newer is the outer number and the older a constant to it (its value may then be an older
Var, or a Dual for forward-over-reverse Hessian-vector products).

How to walk the graph (for a drawer): start at a result ``y``; every node has ``.value``, ``.grad``
(None until a ``backward()`` reached it), ``.op`` (a short label: "+", "*", "**2", "sin", "sum",
"matmul", "getitem", ...; "" for a leaf), ``.name`` (the user's name for a leaf, else "") and
``.parents`` (a tuple of Vars; empty for a leaf). A node may be the parent of several others, so
keep a set of visited ``id(node)`` and use a stack, not recursion: graphs can be 10**6 deep.

>>> x, y = Var(1.0, name="x"), Var(2.0, name="y")
>>> z = (x + y) ** 2
>>> z.op, [p.op for p in z.parents], [p.name for p in z.parents[0].parents]
('**2', ['+'], ['x', 'y'])
>>> z.backward()
>>> z.value, x.grad, y.grad
(9.0, 6.0, 6.0)
"""

from __future__ import annotations

import itertools
import operator
from typing import Any

import numpy as np

from ..rules import elementwise
from ..rules import table as rules
from ..rules.elementwise import fresh, safe_pow, scale_by_constant
from . import functions
from .dual import DEPENDENCE, Dual, _as_value, _new, has_nan, ndim, new_tag, seed_dependence, shape
from .dual import apply as _dual_apply
from .dual import apply_primitive as _dual_apply_primitive
from .number import ArrayNumber, Number

_NUMBERS = (float, int)
_next_order = itertools.count().__next__  # creation order: parents are always older than children
_new_object = object.__new__

_SYMBOLS = {"add": "+", "subtract": "-", "multiply": "*", "divide": "/", "negative": "neg", "power": "**"}
_DROP = (
    "{what} of a Var would drop its gradient: the tape cannot follow a plain float. Use dualdiff's "
    "functions (dualdiff.sin or np.sin) instead of the math module, and np.stack or np.concatenate "
    "to build arrays of Vars. If you mean to drop it, use x.value explicitly."
)


class Var(Number):
    """A recorded variable of reverse mode: ``.value`` now, ``.grad`` after ``backward()``.

    ``value`` is a float or an array (``.grad`` then has its shape). Operators, ``dualdiff.sin``
    and friends, and NumPy's ufuncs and common functions all record nodes.

    >>> import numpy as np
    >>> w = Var(np.array([1.0, 2.0, 3.0]), name="w")
    >>> loss = np.sum(w ** 2)
    >>> loss.backward()
    >>> w.grad
    array([2., 4., 6.])
    """

    __slots__ = ("value", "grad", "op", "parents", "name", "_t", "_vjp", "_saved", "_order", "__weakref__")
    __array_priority__ = 2000.0
    value: Any
    grad: Any
    op: str
    parents: tuple[Var, ...]
    name: str
    _t: int

    def __new__(cls, value: Any, name: str = "") -> Var:
        # as for Duals: only array-valued Vars index, so NumPy never takes a scalar Var for a sequence
        scalar = isinstance(value, (float, int)) or not np.ndim(value)
        return _new_object(Var if scalar else VarArray)

    def __init__(self, value: Any, name: str = "") -> None:
        if isinstance(value, Var) or (isinstance(value, (list, tuple)) and any(isinstance(v, Var) for v in value)):
            raise TypeError("Var() takes numbers or arrays; to build an array of Vars use np.stack([...])")
        try:
            self.value = _as_value(value)
        except TypeError:
            raise TypeError(f"Var() takes a number or an array of them, not {type(value).__name__}") from None
        self.grad = None
        self.op = ""
        self.parents = ()
        self.name = name
        self._t = 0
        self._vjp = None
        self._saved = None
        self._order = _next_order()

    def backward_step(self, grad: Any) -> list[Any]:
        """What each parent receives when ``grad`` arrives here: one step of the backward sweep,
        the incoming gradient times this node's local derivatives (summed over broadcast axes).

        >>> x = Var(3.0)
        >>> y = x * x
        >>> y.backward_step(1.0)  # d(x*x)/dx = x, once for each factor
        [3.0, 3.0]
        """
        if self._vjp is None:
            return []
        with np.errstate(all="ignore"):
            contributions = self._vjp(grad, self._saved)
        return [_fit(c, p.shape) for p, c in zip(self.parents, contributions, strict=True)]

    def backward(self, grad: Any = None) -> None:
        """Fill ``.grad`` of every Var this one depends on with d(self)/d(that Var).

        ``self`` must be a scalar, unless ``grad`` (the incoming gradient, with self's shape) is
        given. Earlier gradients of these nodes are replaced, never added to.

        >>> a = Var(3.0)
        >>> b = a * a + a
        >>> b.backward()
        >>> a.grad
        7.0
        """
        if grad is None:
            if self.shape != ():
                raise ValueError(
                    f"backward() needs a scalar result, but this Var has shape {self.shape}; reduce it "
                    "(e.g. np.sum) or pass the incoming gradient: y.backward(grad) with y's shape"
                )
            grad = 1.0
        elif isinstance(grad, (list, tuple)):
            grad = np.asarray(grad, dtype=float)
        if shape(grad) != self.shape:
            raise ValueError(f"backward(grad): grad must have the result's shape {self.shape}, not {shape(grad)}")
        nodes = _reachable(self)
        _sweep(nodes, self, grad)
        if any(not node.parents and has_nan(node.grad) for node in nodes):
            _careful_sweep(nodes, self, grad)
        for node in nodes:
            if not node.parents and isinstance(node.grad, np.ndarray) and not node.grad.flags.writeable:
                node.grad = node.grad.copy()  # a broadcast view would surprise a user who edits it

    # --- arithmetic: the shared rule table; plain floats take a short path with their partials ---
    # --- arithmetic: the shared rule table; plain floats take a short path with their partials ---
    def __add__(self, other: Any) -> Any:
        v = self.value
        if type(v) is float:
            if type(other) is Var:
                if other._t == self._t and type(other.value) is float:
                    return _node(v + other.value, self._t, "+", (self, other), _back_floats, (1.0, 1.0))
            elif type(other) in _NUMBERS:
                return _node(v + other, self._t, "+", (self,), _back_float, 1.0)
        return rules.add(self, other)

    def __radd__(self, other: Any) -> Any:
        if type(self.value) is float and type(other) in _NUMBERS:
            return _node(other + self.value, self._t, "+", (self,), _back_float, 1.0)
        return rules.add(other, self)

    def __sub__(self, other: Any) -> Any:
        v = self.value
        if type(v) is float:
            if type(other) is Var:
                if other._t == self._t and type(other.value) is float:
                    return _node(v - other.value, self._t, "-", (self, other), _back_floats, (1.0, -1.0))
            elif type(other) in _NUMBERS:
                return _node(v - other, self._t, "-", (self,), _back_float, 1.0)
        return rules.subtract(self, other)

    def __rsub__(self, other: Any) -> Any:
        if type(self.value) is float and type(other) in _NUMBERS:
            return _node(other - self.value, self._t, "-", (self,), _back_float, -1.0)
        return rules.subtract(other, self)

    def __mul__(self, other: Any) -> Any:  # (uv)' = u'v + uv': each factor's partial is the other
        v = self.value
        if type(v) is float:
            if type(other) is Var:
                if other._t == self._t and type(other.value) is float:
                    return _node(v * other.value, self._t, "*", (self, other), _back_floats, (other.value, v))
            elif type(other) in _NUMBERS:
                return _node(v * other, self._t, "*", (self,), _back_constant, other)
        return rules.multiply(self, other)

    def __rmul__(self, other: Any) -> Any:
        if type(self.value) is float and type(other) in _NUMBERS:
            return _node(other * self.value, self._t, "*", (self,), _back_constant, other)
        return rules.multiply(other, self)

    def __truediv__(self, other: Any) -> Any:  # q = u/v: dq/du = 1/v, dq/dv = -q/v
        v = self.value
        if type(v) is float and type(other) in _NUMBERS and other != 0:
            return _node(v / other, self._t, "/", (self,), _back_float, 1.0 / other)
        return rules.divide(self, other)

    def __rtruediv__(self, other: Any) -> Any:
        v = self.value
        if type(v) is float and type(other) in _NUMBERS and v != 0.0:
            q = other / v
            return _node(q, self._t, "/", (self,), _back_float, -q / v)
        return rules.divide(other, self)

    def __pow__(self, other: Any) -> Any:  # (u**c)' = c u**(c-1), and x**0 has derivative 0
        v = self.value
        if type(v) is float and type(other) in _NUMBERS:
            if other == 2:
                return _node(v * v, self._t, "**2", (self,), _back_float, 2.0 * v)
            if other == 0 or v > 0.0:  # else x < 0 or 0: the rule knows the parity of c - 1 and 0 * inf
                if other == 0:  # x**0 is the constant 1
                    return _node(1.0, self._t, "**0", (self,), _back_constant, 0.0)
                p = other * safe_pow(v, other - 1)
                return _node(safe_pow(v, other), self._t, f"**{other:g}", (self,), _back_float, p)
        return rules.power(self, other)

    def __round__(self, ndigits: int | None = None) -> Any:
        if ndigits is None:
            return rules.rint(self)
        return rules.rint(self * 10.0**ndigits) / 10.0**ndigits

    def __neg__(self) -> Any:
        if type(self.value) is float:
            return _node(-self.value, self._t, "neg", (self,), _back_float, -1.0)
        return rules.negative(self)

    __hash__ = object.__hash__  # a node is an identity

    # --- conversions that would lose the gradient refuse, and say what to do ---
    def __float__(self) -> float:
        raise TypeError(_DROP.format(what="float()"))

    def __int__(self) -> int:
        raise TypeError(_DROP.format(what="int()"))

    def __complex__(self) -> complex:
        raise TypeError(_DROP.format(what="complex()"))

    def __index__(self) -> int:
        raise TypeError(_DROP.format(what="Using as an index"))

    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
        if dtype is not None and np.dtype(dtype) != object:
            raise TypeError(_DROP.format(what=f"Converting to a {np.dtype(dtype)} array"))
        out = np.empty(self.shape, dtype=object)
        for i in np.ndindex(*self.shape):
            out[i] = self[i] if self.shape else self
        return out


class VarArray(Var, ArrayNumber):
    """A Var whose value is an array: it indexes and iterates like one.

    >>> import numpy as np
    >>> w = Var(np.array([1.0, 2.0]))
    >>> type(w).__name__, len(w), w[1].value
    ('VarArray', 2, 2.0)
    """

    __slots__ = ()

    def __getitem__(self, index: Any) -> Any:
        return getitem(self, index)

    def __setitem__(self, index: Any, item: Any) -> None:
        raise TypeError("Vars are immutable: build a new array with np.where, np.concatenate or np.stack")


def _sweep(nodes: list[Var], root: Var, grad: Any) -> None:
    """One backward sweep from ``root`` seeded with ``grad``, over ``nodes`` (newest first)."""
    for node in nodes:
        node.grad = None
    root.grad = grad
    mine: dict[int, np.ndarray] = {}  # gradient buffers this sweep made: safe to add into in place
    with np.errstate(all="ignore"):
        for node in nodes:  # newest first: a reverse topological order
            g = node.grad
            vjp = node._vjp
            if vjp is None or g is None:
                continue
            fast = _IN_PLACE.get(vjp)
            if fast is not None and fast(node, g, mine):
                continue
            for parent, c in zip(node.parents, vjp(g, node._saved), strict=True):
                v = parent.value
                if type(c) is not float or type(v) is not float:
                    if shape(c) != shape(v) or type(c) is np.float64:
                        c = _fit(c, shape(v))
                    if _complex(c) and not _complex(v):
                        c = np.real(c)  # dL = Re(c dx) for a real x: its gradient is Re(c)
                pg = parent.grad
                if pg is None:
                    parent.grad = c
                    mine.pop(id(c), None)  # shared with the child now (add passes g on): not ours to change
                elif mine.get(id(pg)) is pg and type(c) is np.ndarray and pg.shape == c.shape:
                    np.add(pg, c, out=pg)  # a buffer this sweep made: no new allocation
                else:
                    pg = parent.grad = pg + c
                    if type(pg) is np.ndarray:
                        mine[id(pg)] = pg


def _careful_sweep(nodes: list[Var], root: Var, grad: Any) -> None:
    """The sweep again where a gradient came out nan, each gradient carrying which of its entries
    depend on the seed (see dual.DEPENDENCE): 0 times inf is 0 only for an entry that cannot move
    (np.where(x > 0, sqrt(x), 0) at 0), and stays nan where the zero is one of the point."""
    tag = new_tag()
    DEPENDENCE.add(tag)
    try:
        _sweep(nodes, root, seed_dependence(grad, tag))
    finally:
        DEPENDENCE.discard(tag)
    for node in nodes:
        node.grad = _without(node.grad, tag)


def _without(g: Any, tag: int) -> Any:
    if isinstance(g, Dual) and g._t == tag:
        return g._v
    if isinstance(g, Cotangents):
        return Cotangents(_without(e, tag) for e in g)
    return g


# --- the sweep's two fast paths, each for one kind of node; each returns False to decline ---
def _scatter_into_parent(node: Var, g: Any, mine: dict[int, np.ndarray]) -> bool:
    """x[index] adds g into x's gradient buffer in place: a loop over x[i] then costs O(n), not
    O(n**2) (a full-size zeros per slice, and a full-size sum after)."""
    parent = node.parents[0]
    pg = parent.grad
    if not isinstance(g, (float, np.ndarray)) or not (pg is None or isinstance(pg, (float, np.ndarray))):
        return False  # Duals (forward over reverse) take the general path
    index, s = node._saved  # type: ignore[misc]
    if pg is None or id(pg) not in mine or (_complex(g) and not _complex(pg)):  # one buffer per sweep
        dtype = complex if _complex(g) or _complex(pg) else float
        pg = np.zeros(s, dtype) if pg is None else np.array(pg, dtype=dtype)
        mine[id(pg)] = pg
    if _basic(index):
        pg[index] += g
    else:
        np.add.at(pg, index, g)
    parent.grad = pg
    return True


def _scalar_into_parent(node: Var, g: Any, mine: dict[int, np.ndarray]) -> bool:
    """A float node of one parent with its partial saved: no allocation, no call to scale
    (the scalar chain's backward sweep is mostly these)."""
    if type(g) is not float:
        return False
    c = node._saved * g
    if c != c and node._vjp is _back_constant and node._saved == 0.0:  # a constant 0 factor: see scale_by_constant
        c = 0.0
    parent = node.parents[0]
    pg = parent.grad
    parent.grad = c if pg is None else pg + c
    return True


def _node(value: Any, t: int, op: str, parents: tuple[Var, ...], vjp: Any, saved: Any) -> Var:
    """A new recorded node; ``vjp(g, saved)`` gives one gradient contribution per parent."""
    if type(value) is np.float64 or (type(value) is np.ndarray and value.ndim == 0 and value.dtype == np.float64):
        value = float(value)  # so that scalars take the fast paths, as a Dual's scalar values do
    r = _new_object(Var if type(value) is float or not getattr(value, "ndim", 0) else VarArray)
    r.value = value
    r.grad = None
    r.op = op
    r.parents = parents
    r.name = ""
    r._t = t
    r._vjp = vjp
    r._saved = saved
    r._order = _next_order()
    return r


def _leaf(value: Any, t: int, name: str) -> Var:
    r = _node(value, t, "", (), None, None)
    r.name = name
    return r


def _reachable(root: Var) -> list[Var]:
    """Every node ``root`` depends on, once each, newest first (a reverse topological order)."""
    seen = {id(root)}
    stack = [root]
    nodes: list[Var] = []
    push, pop, keep, mark = stack.append, stack.pop, nodes.append, seen.add
    while stack:
        node = pop()
        keep(node)
        for p in node.parents:
            i = id(p)
            if i not in seen:
                mark(i)
                push(p)
    nodes.sort(key=_ORDER, reverse=True)
    return nodes


_ORDER = operator.attrgetter("_order")


def _fit(c: Any, target: tuple[int, ...]) -> Any:
    """A gradient contribution summed down to the parent's shape (undoing broadcasting)."""
    s = shape(c)
    if s != target:
        lead = len(s) - len(target)
        if lead < 0:
            return np.broadcast_to(c, target)
        axes = tuple(range(lead)) + tuple(lead + i for i, n in enumerate(target) if n == 1 and s[lead + i] != 1)
        c = np.sum(c, axis=axes, keepdims=False) if axes else c
        if shape(c) != target:
            c = np.reshape(c, target)
    if target == ():
        if type(c) is np.float64:
            return float(c)
        if isinstance(c, np.ndarray):
            return float(c[()]) if c.dtype.kind == "f" else c[()]
    return c


# --- elementwise: the shared rule table, partial times incoming gradient ---
def apply(rule: elementwise.Elementwise, args: tuple[Any, ...]) -> Any:
    """Reverse mode for one elementwise rule: record the value and what the partials need."""
    t = max(a._t for a in args if isinstance(a, Var))
    if any(isinstance(a, Dual) and a._t > t for a in args):
        return _dual_apply(rule, args)  # a newer Dual is the outer number: forward mode handles it
    xs = tuple(a.value if isinstance(a, Var) and a._t == t else a for a in args)
    pos = tuple(i for i, a in enumerate(args) if isinstance(a, Var) and a._t == t)
    y = rule(*xs)
    op = _SYMBOLS.get(rule.name, rule.name)
    if op == "**" and pos == (0,) and shape(xs[1]) == () and type(xs[1]) in (float, int):
        op = f"**{xs[1]:g}"
    return _node(y, t, op, tuple(args[i] for i in pos), _vjp_elementwise, (rule, xs, y, pos))


def _back_float(g: Any, p: Any) -> tuple[Any]:
    """One parent, its local derivative saved at record time."""
    return (scale(p, g),)


def _back_constant(g: Any, c: Any) -> tuple[Any]:
    """One parent times a constant c (x * 2.0): where c is 0 the gradient is 0 whatever g is."""
    return (scale_by_constant(c, g),)


def _back_floats(g: Any, ps: tuple[Any, ...]) -> list[Any]:
    return [scale(p, g) for p in ps]


def _vjp_elementwise(g: Any, saved: Any) -> list[Any]:
    rule, xs, y, pos = saved
    if rule is rules.divide and pos == (0, 1) and type(g) is np.ndarray and type(xs[1]) is np.ndarray and type(y) is np.ndarray:
        gu = g / xs[1]  # q = u/v: g/v and -(g/v) q, three passes where the two partials take five
        gv = gu * y
        return [gu, np.negative(gv, out=gv)]
    if rule.own_product is not None:
        return [rule.own_product(rule.partial(i, xs, y), g) for i in pos]
    if rule.bilinear and len(pos) == 1:  # c * u, c a constant: c = 0 gives 0 whatever g is
        return [scale_by_constant(rule.partial(pos[0], xs, y), g)]
    out = []
    for i in pos:
        p = rule.partial(i, xs, y)
        out.append(scale(p, g, rule.fresh_partials and fresh(p, y, *xs)))  # a partial just computed takes the product
    return out


scale = elementwise.scale
elementwise.HANDLERS[Var] = elementwise.HANDLERS[VarArray] = (2, apply)


def apply_unary(rule: elementwise.Elementwise, x: Var) -> Var:
    """`apply` for one argument, the common case: no tags to compare."""
    v = x.value
    if rule.complex_form is not None and np.iscomplexobj(v):
        return rule.complex_form(x)
    y = rule(v)
    return _node(y, x._t, _SYMBOLS.get(rule.name, rule.name), (x,), _vjp_elementwise, (rule, (v,), y, _FIRST))


_FIRST = (0,)
elementwise.UNARY[Var] = elementwise.UNARY[VarArray] = apply_unary

# Object arrays of Vars call methods named after the ufunc (np.sin(objects) calls x.sin()).

def getitem(x: Var, index: Any) -> Any:
    """``x[index]``; backward scatter-adds into zeros, so repeated indices accumulate."""
    items = index if isinstance(index, tuple) else (index,)
    if any(isinstance(i, (Var, Dual)) for i in items):
        raise TypeError(_DROP.format(what="Using as an index"))
    if any(isinstance(i, list) for i in items):  # lists index as arrays do
        index = tuple(np.asarray(i) if isinstance(i, list) else i for i in items) if isinstance(index, tuple) else np.asarray(index)
    return _node(x.value[index], x._t, "getitem", (x,), _back_getitem, (index, x.shape))


def _back_getitem(g: Any, saved: Any) -> tuple[Any]:
    index, s = saved
    return (scatter(g, index, s),)


def _basic(index: Any) -> bool:
    parts = index if isinstance(index, tuple) else (index,)
    return all(isinstance(i, (int, np.integer, slice)) or i is None or i is Ellipsis for i in parts)


def scatter(g: Any, index: Any, s: tuple[int, ...]) -> Any:
    """zeros(s) with ``g`` added at ``index`` (repeats accumulate): the transpose of ``x[index]``."""
    if isinstance(g, Var):
        return _node(scatter(g.value, index, s), g._t, "scatter", (g,), lambda h, saved: (h[saved],), index)
    if isinstance(g, Dual):
        k = shape(g._d)[:1] if ndim(g._d) > ndim(g._v) else ()
        dindex = ((slice(None),) + (index if isinstance(index, tuple) else (index,))) if k else index
        return _new(scatter(g._v, index, s), scatter(g._d, dindex, k + s), g._t)
    z = np.zeros(s, complex if _complex(g) else float)
    if _basic(index):  # ints, slices, ..., None pick each entry at most once: plain assignment
        z[index] = g
    else:
        np.add.at(z, index, g)
    return z



def apply_primitive(prim: functions.Primitive, xs: tuple[Any, ...], params: dict[str, Any]) -> Any:
    """Reverse mode for a primitive of the function table: record its value and what its vjp needs."""
    if not prim.analytic and any(isinstance(x, Var) and x._t in functions.HOLOMORPHIC for x in xs):
        functions.not_analytic(prim.name)
    if len(xs) == 1 and prim.vjp is not None and not isinstance(xs[0].value, tuple):  # one operand: no tags to compare
        x = xs[0]
        v = x.value
        y = prim.value(v, **params)
        if not isinstance(y, tuple):
            return _node(y, x._t, prim.name, xs, _vjp_primitive, (prim, (v,), y, _FIRST, params))
    t = max(x._t for x in xs if isinstance(x, Var))
    if any(isinstance(x, Dual) and x._t > t for x in xs):
        return _dual_apply_primitive(prim, xs, params)  # a newer Dual is the outer number
    if prim.vjp is None:
        functions.no_rule(f"numpy.{prim.name}", "reverse")
    pos = tuple(i for i, x in enumerate(xs) if isinstance(x, Var) and x._t == t)
    vals = tuple(x.value if i in pos else x for i, x in enumerate(xs))
    y = prim.value(*vals, **params)
    node = _node(y, t, prim.name, tuple(xs[i] for i in pos), _vjp_primitive, (prim, vals, y, pos, params))
    if not isinstance(y, tuple):
        return node
    # several outputs: each reads one slot of the tuple's cotangent; integer outputs are constants
    return tuple(_node(v, t, f"{prim.name}[{i}]", (node,), _vjp_item, (i, len(y))) if _moves(v) else v for i, v in enumerate(y))


def _complex(v: Any) -> bool:
    """Complex-valued (a Dual or Var of complex values included)?"""
    while isinstance(v, Number):
        v = v.value
    return type(v) is complex or getattr(getattr(v, "dtype", None), "kind", "") == "c"


def _moves(v: Any) -> bool:
    return isinstance(v, (float, complex, Number)) or getattr(getattr(v, "dtype", None), "kind", "") in "fc"


def _vjp_primitive(g: Any, saved: Any) -> list[Any]:
    prim, vals, y, pos, params = saved
    return [prim.vjp(i, g, vals, y, **params) for i in pos]


class Cotangents(tuple):
    """The cotangent of a primitive's several outputs: one slot each, None for a zero one."""

    def __add__(self, other: Any) -> Cotangents:  # type: ignore[override]
        return Cotangents(b if a is None else a if b is None else a + b for a, b in zip(self, other, strict=True))


def _vjp_item(g: Any, saved: Any) -> tuple[Any]:
    i, n = saved
    return (Cotangents(g if j == i else None for j in range(n)),)


for _cls in (Var, VarArray):
    functions.HANDLERS[_cls] = (2, apply_primitive)

# a node's vjp -> its fast path
_IN_PLACE = {_back_getitem: _scatter_into_parent, _back_float: _scalar_into_parent, _back_constant: _scalar_into_parent}
