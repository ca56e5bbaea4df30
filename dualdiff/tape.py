"""Reverse mode: record the computation as a graph of `Var` nodes, then walk it backwards.

Forward mode asks "how does everything change when x moves"; reverse mode asks "how does the one
output change with every input". Each operation on a `Var` makes a new node that remembers its
parents and what it needs for its local derivative; ``y.backward()`` visits every node ``y`` depends
on once, newest first, and passes the gradient to the parents by the chain rule.

Elementwise functions read the same table as forward mode (`rules.py`): reverse multiplies
``rule.partial(i, args, out)`` into the incoming gradient, then sums away broadcast axes.
Structural functions (sum, matmul, indexing, ...) are the transposes of the forward ones, one
entry a function in the table at the end of this file.

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
from collections.abc import Callable, Iterator
from typing import Any, NoReturn

import numpy as np

from . import elementwise, rules
from .dual import ARRAY_FUNCTIONS, Dual, _as_value, _new, _qualname, ndim, new_tag, shape
from .dual import apply as _dual_apply
from .elementwise import fresh, safe_pow
from .number import Number

_NUMBERS = (float, int)
_next_order = itertools.count().__next__  # creation order: parents are always older than children
_new_object = object.__new__

# NumPy function -> implementation for Vars (NEP 18); the table of structural rules below fills it.
TAPE_FUNCTIONS: dict[Any, Callable[..., Any]] = {}

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

    def __init__(self, value: Any, name: str = "") -> None:
        if type(value) is Var or (isinstance(value, (list, tuple)) and any(type(v) is Var for v in value)):
            raise TypeError("Var() takes numbers or arrays; to build an array of Vars use np.stack([...])")
        try:
            self.value = _as_value(value)
        except TypeError:
            raise TypeError(f"Var() takes a real number or an array of them, not {type(value).__name__}") from None
        self.grad = None
        self.op = ""
        self.parents = ()
        self.name = name
        self._t = 0
        self._vjp = None
        self._saved = None
        self._order = _next_order()

    @property
    def shape(self) -> tuple[int, ...]:
        return shape(self.value)

    @property
    def ndim(self) -> int:
        return ndim(self.value)

    @property
    def size(self) -> int:
        return int(np.prod(self.shape))

    @property
    def dtype(self) -> Any:
        return getattr(self.value, "dtype", np.dtype(float))

    @property
    def T(self) -> Any:
        return transpose(self)

    def __repr__(self) -> str:
        label = f", name={self.name!r}" if self.name else (f", op={self.op!r}" if self.op else "")
        return f"Var({self.value!r}{label})"

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
        for node in nodes:
            node.grad = None
        self.grad = grad
        mine: dict[int, np.ndarray] = {}  # gradient buffers this sweep made: safe to add into in place
        with np.errstate(all="ignore"):
            for node in nodes:  # newest first: a reverse topological order
                g = node.grad
                vjp = node._vjp
                if vjp is None or g is None:
                    continue
                if vjp is _back_getitem and isinstance(g, (float, np.ndarray)):  # x[index]: add into x's gradient
                    index, s = node._saved
                    parent = node.parents[0]
                    pg = parent.grad
                    if pg is None or id(pg) not in mine:  # no full-size zeros per slice, no full-size sum after
                        pg = np.zeros(s) if pg is None else np.array(pg, dtype=float)
                        mine[id(pg)] = pg
                    if _basic(index):
                        pg[index] += g
                    else:
                        np.add.at(pg, index, g)
                    parent.grad = pg
                    continue
                if vjp is _back_float and type(g) is float:  # the common scalar case, inlined, no allocations
                    c = node._saved * g
                    if c != c and (g == 0.0 or node._saved == 0.0):  # 0 times inf is 0, as in scale()
                        c = 0.0
                    parent = node.parents[0]
                    pg = parent.grad
                    parent.grad = c if pg is None else pg + c
                    continue
                for parent, c in zip(node.parents, vjp(g, node._saved), strict=True):
                    v = parent.value
                    if type(c) is not float or type(v) is not float:
                        if shape(c) != shape(v) or type(c) is np.float64:
                            c = _fit(c, shape(v))
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
        for node in nodes:
            if not node.parents and isinstance(node.grad, np.ndarray) and not node.grad.flags.writeable:
                node.grad = node.grad.copy()  # a broadcast view would surprise a user who edits it

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
                return _node(v * other, self._t, "*", (self,), _back_float, other)
        return rules.multiply(self, other)

    def __rmul__(self, other: Any) -> Any:
        if type(self.value) is float and type(other) in _NUMBERS:
            return _node(other * self.value, self._t, "*", (self,), _back_float, other)
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
            p = 0.0 if other == 0 else other * safe_pow(v, other - 1)
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

    # --- containers ---
    def __len__(self) -> int:
        return len(self.value)

    def __iter__(self) -> Iterator[Any]:
        for i in range(len(self)):
            yield self[i]

    def __getitem__(self, index: Any) -> Any:
        return getitem(self, index)

    def __setitem__(self, index: Any, item: Any) -> None:
        raise TypeError("Vars are immutable: build a new array with np.where, np.concatenate or np.stack")

    # --- NumPy protocols (NEP 13 ufuncs, NEP 18 functions) ---
    def __array_ufunc__(self, ufunc: Any, method: str, *inputs: Any, **kwargs: Any) -> Any:
        if kwargs.get("out") is not None:
            raise TypeError(f"numpy.{ufunc.__name__}(..., out=...) would write a Var into a plain array; use the returned value")
        kwargs.pop("out", None)
        rule = elementwise.rule_for(ufunc)
        if method == "__call__" and rule is not None and not kwargs:
            return rule(*inputs)
        if method == "__call__" and ufunc is np.matmul and not kwargs:
            return matmul(*inputs)
        if method == "reduce" and ufunc is np.add:
            return sum(*inputs, **kwargs)
        no_rule(f"numpy.{ufunc.__name__}" + ("" if method == "__call__" else f".{method}"))

    def __array_function__(self, func: Any, types: Any, args: Any, kwargs: Any) -> Any:
        impl = TAPE_FUNCTIONS.get(func)
        if impl is None:
            no_rule(f"numpy.{_qualname(func)}")
        return impl(*args, **kwargs)

    # methods that mirror ndarray's
    def sum(self, axis: Any = None, keepdims: bool = False) -> Any:
        return sum(self, axis=axis, keepdims=keepdims)

    def mean(self, axis: Any = None, keepdims: bool = False) -> Any:
        return mean(self, axis=axis, keepdims=keepdims)

    def reshape(self, *shape: Any) -> Any:
        return reshape(self, shape[0] if len(shape) == 1 else shape)

    def ravel(self) -> Any:
        return ravel(self)

    def flatten(self) -> Any:
        return ravel(self)

    def transpose(self, *axes: Any) -> Any:
        return transpose(self, (axes[0] if len(axes) == 1 else axes) if axes else None)

    def dot(self, other: Any) -> Any:
        return dot(self, other)


def no_rule(what: str) -> NoReturn:
    raise TypeError(
        f"the reverse-mode tape has no rule for {what}, so it cannot carry the gradient through it. "
        "Use forward mode (mode='forward', or dualdiff.jacobian) for this function, or compute the "
        "value with x.value if you do not need its gradient."
    )


def _node(value: Any, t: int, op: str, parents: tuple[Var, ...], vjp: Any, saved: Any) -> Var:
    """A new recorded node; ``vjp(g, saved)`` gives one gradient contribution per parent."""
    r = _new_object(Var)
    r.value = float(value) if type(value) is np.float64 else value  # so that scalars take the fast paths
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
    t = max(a._t for a in args if type(a) is Var)
    if any(isinstance(a, Dual) and a._t > t for a in args):
        return _dual_apply(rule, args)  # a newer Dual is the outer number: forward mode handles it
    xs = tuple(a.value if type(a) is Var and a._t == t else a for a in args)
    pos = tuple(i for i, a in enumerate(args) if type(a) is Var and a._t == t)
    y = rule(*xs)
    op = _SYMBOLS.get(rule.name, rule.name)
    if op == "**" and pos == (0,) and shape(xs[1]) == () and type(xs[1]) in (float, int):
        op = f"**{xs[1]:g}"
    return _node(y, t, op, tuple(args[i] for i in pos), _vjp_elementwise, (rule, xs, y, pos))


def _back_float(g: Any, p: Any) -> tuple[Any]:
    """One parent, its local derivative saved at record time."""
    return (scale(p, g),)


def _back_floats(g: Any, ps: tuple[Any, ...]) -> list[Any]:
    return [scale(p, g) for p in ps]


def _vjp_elementwise(g: Any, saved: Any) -> list[Any]:
    rule, xs, y, pos = saved
    if rule is rules.divide and pos == (0, 1) and type(g) is np.ndarray and type(xs[1]) is np.ndarray:
        gu = g / xs[1]  # q = u/v: g/v and -(g/v) q, three passes where the two partials take five
        gv = gu * y
        if np.isfinite(np.vdot(gv, gv)):  # else a zero divisor: the rule's partials, with scale
            return [gu, np.negative(gv, out=gv)]
    singular = rule.singular or type(y) is float
    out = []
    for i in pos:
        p = rule.partial(i, xs, y)
        out.append(scale(p, g, singular, fresh(p, y, *xs)))  # a partial just computed takes the product
    return out


scale = elementwise.scale
elementwise.HANDLERS[Var] = (2, apply)


def apply_unary(rule: elementwise.Elementwise, x: Var) -> Var:
    """`apply` for one argument, the common case: no tags to compare."""
    v = x.value
    y = rule(v)
    return _node(y, x._t, _SYMBOLS.get(rule.name, rule.name), (x,), _vjp_elementwise, (rule, (v,), y, _FIRST))


_FIRST = (0,)
elementwise.UNARY[Var] = apply_unary

# Object arrays of Vars call methods named after the ufunc (np.sin(objects) calls x.sin()).
for _name, _rule in vars(rules).items():
    if isinstance(_rule, elementwise.Elementwise) and _rule.nargs == 1 and not hasattr(Var, _name):
        setattr(Var, _name, lambda self, _r=_rule: _r(self))


# --- structural functions: forward value beside its transpose, one entry a function ---
def implements(*funcs: Any) -> Callable[[Any], Any]:
    """Register the decorated function as the Var implementation of NumPy's ``funcs``."""

    def deco(impl: Any) -> Any:
        for f in funcs:
            TAPE_FUNCTIONS[f] = impl
        return impl

    return deco


def _split(items: list[Any]) -> tuple[int, list[Any], tuple[int, ...]]:
    """The newest tag among the Vars, every item's value at that level, and which items are parents."""
    t = max(a._t for a in items if type(a) is Var)
    vals = [a.value if type(a) is Var and a._t == t else a for a in items]
    pos = tuple(i for i, a in enumerate(items) if type(a) is Var and a._t == t)
    return t, vals, pos


def _unary(x: Any, op: str, fv: Callable[[Any], Any], vjp: Any, saved: Any) -> Any:
    if type(x) is not Var:
        return fv(x)
    return _node(fv(x.value), x._t, op, (x,), vjp, saved)


def _tuple(s: Any) -> tuple[int, ...]:
    return tuple(s) if isinstance(s, (tuple, list)) else (s,)


def _back_reshape(g: Any, s: tuple[int, ...]) -> tuple[Any]:
    return (np.reshape(g, s),)


@implements(np.reshape)
def reshape(a: Any, shape: Any = None, order: str = "C", **kw: Any) -> Any:
    s = _tuple(kw.get("newshape", shape))
    if order != "C":
        no_rule(f"numpy.reshape(order={order!r})")
    return _unary(a, "reshape", lambda v: np.reshape(v, s), _back_reshape, _shape_of(a))


def _shape_of(a: Any) -> tuple[int, ...]:
    return a.shape if hasattr(a, "shape") else np.shape(a)


@implements(np.ravel)
def ravel(a: Any, order: str = "C") -> Any:
    return reshape(a, -1, order=order)


@implements(np.squeeze)
def squeeze(a: Any, axis: Any = None) -> Any:
    return _unary(a, "squeeze", lambda v: np.squeeze(v, axis), _back_reshape, _shape_of(a))


@implements(np.expand_dims)
def expand_dims(a: Any, axis: Any) -> Any:
    return _unary(a, "expand_dims", lambda v: np.expand_dims(v, axis), _back_reshape, _shape_of(a))


@implements(np.transpose)
def transpose(a: Any, axes: Any = None) -> Any:
    n = ndim(a)
    ax = tuple(range(n))[::-1] if axes is None else tuple(x % n for x in axes)
    back = tuple(int(i) for i in np.argsort(ax))
    return _unary(a, "transpose", lambda v: np.transpose(v, ax), lambda g, b: (np.transpose(g, b),), back)


@implements(np.swapaxes)
def swapaxes(a: Any, axis1: int, axis2: int) -> Any:
    return _unary(a, "swapaxes", lambda v: np.swapaxes(v, axis1, axis2), lambda g, s: (np.swapaxes(g, *s),), (axis1, axis2))


@implements(np.moveaxis)
def moveaxis(a: Any, source: Any, destination: Any) -> Any:
    return _unary(
        a, "moveaxis", lambda v: np.moveaxis(v, source, destination), lambda g, s: (np.moveaxis(g, s[1], s[0]),), (source, destination)
    )


@implements(np.broadcast_to)
def broadcast_to(array: Any, shape: Any, subok: bool = False) -> Any:
    s = _tuple(shape)
    return _unary(array, "broadcast_to", lambda v: np.broadcast_to(v, s), lambda g, _: (g,), None)  # backward sums it back


@implements(np.sum)
def sum(a: Any, axis: Any = None, dtype: Any = None, out: Any = None, keepdims: bool = False, **kw: Any) -> Any:
    _no_out(out, "sum")
    s = _shape_of(a)
    return _unary(a, "sum", lambda v: np.sum(v, axis=axis, keepdims=keepdims), _back_sum, (s, axis, keepdims))


def _back_sum(g: Any, saved: Any) -> tuple[Any]:
    s, axis, keepdims = saved
    if axis is not None and not keepdims:
        n = len(s)
        g = np.expand_dims(g, tuple(sorted(a % n for a in _tuple(axis))))
    return (np.broadcast_to(g, s),)


@implements(np.mean)
def mean(a: Any, axis: Any = None, dtype: Any = None, out: Any = None, keepdims: bool = False, **kw: Any) -> Any:
    _no_out(out, "mean")
    s = _shape_of(a)
    count = int(np.prod(s)) if axis is None else int(np.prod([s[i] for i in _tuple(axis)]))
    return sum(a, axis=axis, keepdims=keepdims) / count


def _no_out(out: Any, name: str) -> None:
    if out is not None:
        raise TypeError(f"numpy.{name}(..., out=...) would write a Var into a plain array; use the returned value")


def getitem(x: Var, index: Any) -> Any:
    """``x[index]``; backward scatter-adds into zeros, so repeated indices accumulate."""
    items = index if isinstance(index, tuple) else (index,)
    if any(isinstance(i, (Var, Dual)) for i in items):
        raise TypeError(_DROP.format(what="Using as an index"))
    return _node(x.value[index], x._t, "getitem", (x,), _back_getitem, (index, x.shape))


def _back_getitem(g: Any, saved: Any) -> tuple[Any]:
    index, s = saved
    return (scatter(g, index, s),)


def _basic(index: Any) -> bool:
    parts = index if isinstance(index, tuple) else (index,)
    return all(isinstance(i, (int, np.integer, slice)) or i is None or i is Ellipsis for i in parts)


def scatter(g: Any, index: Any, s: tuple[int, ...]) -> Any:
    """zeros(s) with ``g`` added at ``index`` (repeats accumulate): the transpose of ``x[index]``."""
    if type(g) is Var:
        return _node(scatter(g.value, index, s), g._t, "scatter", (g,), lambda h, saved: (h[saved],), index)
    if isinstance(g, Dual):
        k = shape(g._d)[:1] if ndim(g._d) > ndim(g._v) else ()
        dindex = ((slice(None),) + (index if isinstance(index, tuple) else (index,))) if k else index
        return _new(scatter(g._v, index, s), scatter(g._d, dindex, k + s), g._t)
    z = np.zeros(s)
    if _basic(index):  # ints, slices, ..., None pick each entry at most once: plain assignment
        z[index] = g
    else:
        np.add.at(z, index, g)
    return z


@implements(np.concatenate)
def concatenate(arrays: Any, axis: Any = 0, **kw: Any) -> Any:
    xs: list[Any] = [np.asarray(a) if isinstance(a, (list, tuple)) else a for a in arrays]
    if axis is None:
        xs, axis = [ravel(x) for x in xs], 0
    t, vals, pos = _split(xs)
    out = np.concatenate(vals, axis)
    ax = axis % ndim(out)
    bounds = np.cumsum([0] + [shape(v)[ax] for v in vals])
    pieces = [(slice(None),) * ax + (slice(int(bounds[i]), int(bounds[i + 1])),) for i in pos]
    return _node(out, t, "concatenate", tuple(xs[i] for i in pos), lambda g, p: [g[i] for i in p], pieces)


@implements(np.stack)
def stack(arrays: Any, axis: int = 0, **kw: Any) -> Any:
    xs = list(arrays)
    n = ndim(xs[0]) + 1
    return concatenate([expand_dims(x, axis % n) for x in xs], axis % n)


@implements(np.hstack)
def hstack(tup: Any, **kw: Any) -> Any:
    xs = [reshape(x, (1,)) if ndim(x) == 0 else x for x in tup]
    return concatenate(xs, 0 if ndim(xs[0]) == 1 else 1)


@implements(np.vstack)
def vstack(tup: Any, **kw: Any) -> Any:
    return concatenate([reshape(x, (1, -1)) if ndim(x) < 2 else x for x in tup], 0)


@implements(np.where)
def where(condition: Any, x: Any = None, y: Any = None) -> Any:
    cond = np.asarray(_plain(condition))
    if x is None or y is None:
        return np.where(cond)
    t, (a, b), pos = _split([x, y])
    return _node(np.where(cond, a, b), t, "where", tuple((x, y)[i] for i in pos), _back_where, (cond, pos))


def _back_where(g: Any, saved: Any) -> list[Any]:
    cond, pos = saved
    return [np.where(cond, g, 0.0) if i == 0 else np.where(cond, 0.0, g) for i in pos]


def _plain(x: Any) -> Any:
    while isinstance(x, (Var, Dual)):
        x = x.value
    return x


@implements(np.matmul)
def matmul(a: Any, b: Any, **kw: Any) -> Any:
    t, (av, bv), pos = _split([a, b])
    return _node(np.matmul(av, bv), t, "matmul", tuple((a, b)[i] for i in pos), _back_matmul, (av, bv, pos))


def _back_matmul(g: Any, saved: Any) -> list[Any]:
    a, b, pos = saved
    a2 = np.reshape(a, (1,) + shape(a)) if ndim(a) == 1 else a  # a vector is a row ...
    b2 = np.reshape(b, shape(b) + (1,)) if ndim(b) == 1 else b  # ... or a column
    out2 = np.broadcast_shapes(shape(a2)[:-2], shape(b2)[:-2]) + (shape(a2)[-2], shape(b2)[-1])
    g2 = np.reshape(g, out2)
    result = []
    for i in pos:
        if i == 0:
            ga = np.matmul(g2, np.swapaxes(b2, -1, -2))
            result.append(np.reshape(ga, shape(ga)[:-2] + shape(ga)[-1:]) if ndim(a) == 1 else ga)
        else:
            gb = np.matmul(np.swapaxes(a2, -1, -2), g2)
            result.append(np.reshape(gb, shape(gb)[:-1]) if ndim(b) == 1 else gb)
    return result


@implements(np.dot)
def dot(a: Any, b: Any, out: Any = None) -> Any:
    _no_out(out, "dot")
    if ndim(a) == 0 or ndim(b) == 0:
        return a * b
    if ndim(b) <= 2:
        return matmul(a, b)
    no_rule("numpy.dot of an array with more than 2 dimensions (use np.matmul or np.einsum's forward mode)")


# questions about shape, and copies of immutable numbers, are the same for Vars as for Duals
for _f in (np.shape, np.ndim, np.size, np.copy):
    TAPE_FUNCTIONS[_f] = ARRAY_FUNCTIONS[_f]


@implements(np.iscomplexobj)
def _iscomplexobj(x: Any) -> bool:
    return bool(np.iscomplexobj(_plain(x)))


@implements(np.isrealobj)
def _isrealobj(x: Any) -> bool:
    return not _iscomplexobj(x)


# --- composites: written with the entries above, so their gradients follow ---
@implements(np.flip)
def flip(m: Any, axis: Any = None) -> Any:
    axes = range(ndim(m)) if axis is None else [a % ndim(m) for a in _tuple(axis)]
    return m[tuple(slice(None, None, -1) if i in axes else slice(None) for i in range(ndim(m)))]


@implements(np.clip)
def clip(a: Any, a_min: Any = None, a_max: Any = None, out: Any = None, **kw: Any) -> Any:
    _no_out(out, "clip")
    lo, hi = kw.get("min", a_min), kw.get("max", a_max)
    r = a if lo is None else np.maximum(a, lo)
    return r if hi is None else np.minimum(r, hi)


@implements(np.take)
def take(a: Any, indices: Any, axis: Any = None, out: Any = None, mode: str = "raise") -> Any:
    _no_out(out, "take")
    if axis is None:
        return ravel(a)[np.asarray(indices)]
    return a[(slice(None),) * (axis % ndim(a)) + (np.asarray(indices),)]


@implements(np.take_along_axis)
def take_along_axis(arr: Any, indices: Any, axis: Any = -1) -> Any:
    if axis is None:
        arr, axis = ravel(arr), 0
    idx = np.asarray(indices)
    full: list[Any] = list(np.indices(idx.shape, sparse=True))  # every other axis indexes itself
    full[axis % ndim(arr)] = idx
    return arr[tuple(full)]


def _pick(arg: Any, a: Any, axis: Any, keepdims: bool, name: str) -> Any:
    """max/min: the entry that argmax/argmin picks (the first at a tie, as forward mode does)."""
    if axis is None:
        r = ravel(a)[int(arg(_plain(a)))]
        return reshape(r, (1,) * ndim(a)) if keepdims else r
    if not isinstance(axis, int):
        no_rule(f"numpy.{name} over several axes")
    r = take_along_axis(a, np.expand_dims(arg(_plain(a), axis=axis), axis), axis)
    return r if keepdims else squeeze(r, axis)


@implements(np.max, np.amax)
def max_(a: Any, axis: Any = None, out: Any = None, keepdims: bool = False, **kw: Any) -> Any:
    _no_out(out, "max")
    return _pick(np.argmax, a, axis, keepdims, "max")


@implements(np.min, np.amin)
def min_(a: Any, axis: Any = None, out: Any = None, keepdims: bool = False, **kw: Any) -> Any:
    _no_out(out, "min")
    return _pick(np.argmin, a, axis, keepdims, "min")


@implements(np.sort)
def sort(a: Any, axis: Any = -1, kind: Any = None, order: Any = None) -> Any:
    if axis is None:
        a, axis = ravel(a), -1
    return take_along_axis(a, np.argsort(_plain(a), axis=axis, kind=kind), axis)


@implements(np.prod)
def prod(a: Any, axis: Any = None, dtype: Any = None, out: Any = None, keepdims: bool = False, **kw: Any) -> Any:
    """Pairwise products in log2(n) vectorized steps: exact where entries are 0 (no division)."""
    _no_out(out, "prod")
    if axis is None:
        b = ravel(a)
    elif isinstance(axis, int):
        b = moveaxis(a, axis, -1)
    else:
        no_rule("numpy.prod over several axes")
    rest = shape(b)[:-1]
    if shape(b)[-1] == 0:
        b = np.ones(rest + (1,))
    while shape(b)[-1] > 1:
        if shape(b)[-1] % 2:
            b = concatenate([b, np.ones(rest + (1,))], -1)
        b = b[..., 0::2] * b[..., 1::2]
    r = squeeze(b, -1)
    if keepdims:
        r = reshape(r, (1,) * ndim(a)) if axis is None else expand_dims(r, axis)
    return r


@implements(np.cumsum)
def cumsum(a: Any, axis: Any = None, dtype: Any = None, out: Any = None) -> Any:
    _no_out(out, "cumsum")
    if axis is None:
        a, axis = ravel(a), 0
    ax = axis % ndim(a)
    # the transpose of a running sum is a running sum from the other end
    back = lambda g, _: (np.flip(np.cumsum(np.flip(g, ax), axis=ax), ax),)
    return _unary(a, "cumsum", lambda v: np.cumsum(v, axis=ax), back, None)


@implements(np.diagonal)
def diagonal(a: Any, offset: int = 0, axis1: int = 0, axis2: int = 1) -> Any:
    b = moveaxis(a, (axis1, axis2), (-2, -1))
    rows, cols = shape(b)[-2:]
    i = np.arange(max(0, min(rows + min(offset, 0), cols - max(offset, 0))))
    return b[..., i - min(offset, 0), i + max(offset, 0)]


@implements(np.trace)
def trace(a: Any, offset: int = 0, axis1: int = 0, axis2: int = 1, dtype: Any = None, out: Any = None) -> Any:
    _no_out(out, "trace")
    return sum(diagonal(a, offset, axis1, axis2), axis=-1)


@implements(np.var)
def var(a: Any, axis: Any = None, dtype: Any = None, out: Any = None, ddof: float = 0, keepdims: bool = False, **kw: Any) -> Any:
    _no_out(out, "var")
    dev = a - mean(a, axis=axis, keepdims=True)
    n = int(np.prod(shape(a))) // int(np.prod(shape(mean(_plain(a), axis=axis, keepdims=True))))
    return sum(dev * dev, axis=axis, keepdims=keepdims) / (n - ddof)


@implements(np.std)
def std(a: Any, axis: Any = None, dtype: Any = None, out: Any = None, ddof: float = 0, keepdims: bool = False, **kw: Any) -> Any:
    return rules.sqrt(var(a, axis=axis, out=out, ddof=ddof, keepdims=keepdims))


@implements(np.outer)
def outer(a: Any, b: Any, out: Any = None) -> Any:
    _no_out(out, "outer")
    return reshape(ravel(a), (-1, 1)) * reshape(ravel(b), (1, -1))


@implements(np.inner)
def inner(a: Any, b: Any) -> Any:
    if ndim(a) == 0 or ndim(b) == 0:
        return a * b
    return matmul(a, swapaxes(b, -1, -2) if ndim(b) > 1 else b)


@implements(np.real)
def real(val: Any) -> Any:
    return val


# --- numpy.linalg: each the transpose of its forward rule ---
@implements(np.linalg.norm)
def norm(x: Any, ord: Any = None, axis: Any = None, keepdims: bool = False) -> Any:
    if ord not in (None, 2, "fro") or (ord == 2 and (ndim(x) > 1 and axis is None)):
        no_rule(f"numpy.linalg.norm(ord={ord!r})")
    return rules.sqrt(sum(x * x, axis=axis, keepdims=keepdims))


@implements(np.linalg.inv)
def inv(a: Any) -> Any:
    t, (av,), pos = _split([a])
    y = np.linalg.inv(av)
    return _node(y, t, "inv", (a,), _back_inv, y)


def _back_inv(g: Any, y: Any) -> tuple[Any]:  # d(A^-1) = -A^-1 dA A^-1, transposed
    yt = np.swapaxes(y, -1, -2)
    return (-np.matmul(np.matmul(yt, g), yt),)


@implements(np.linalg.solve)
def solve(a: Any, b: Any) -> Any:
    t, (av, bv), pos = _split([a, b])
    x = np.linalg.solve(av, bv)
    return _node(x, t, "solve", tuple((a, b)[i] for i in pos), _back_solve, (av, x, pos))


def _back_solve(g: Any, saved: Any) -> list[Any]:  # x = A^-1 b: gb = A^-T g, gA = -gb x^T
    a, x, pos = saved
    gb = np.linalg.solve(np.swapaxes(a, -1, -2), g)
    if ndim(x) == 1:
        ga = -np.reshape(gb, (-1, 1)) * np.reshape(x, (1, -1))
    else:
        ga = -np.matmul(gb, np.swapaxes(x, -1, -2))
    return [ga if i == 0 else gb for i in pos]


@implements(np.linalg.det)
def det(a: Any) -> Any:
    t, (av,), pos = _split([a])
    d = np.linalg.det(av)
    return _node(d, t, "det", (a,), _back_det, (av, d))


def _back_det(g: Any, saved: Any) -> tuple[Any]:  # d det = det * tr(A^-1 dA)
    a, d = saved
    return (np.swapaxes(np.linalg.inv(a), -1, -2) * np.expand_dims(np.expand_dims(g * d, -1), -1),)


# --- the user's reverse-mode functions (api.gradient(mode="reverse") and friends land here) ---
def _input(x: Any, name: str = "x") -> Any:
    if isinstance(x, (Var, Dual)):
        return x
    if isinstance(x, (bool, int, float, np.number)):
        return float(x)
    try:
        return np.asarray(x, dtype=float)
    except (TypeError, ValueError):
        raise TypeError(f"{name} must be a number or an array of numbers, not {type(x).__name__}") from None


def _record(f: Callable[[Any], Any], x: Any) -> tuple[Var, Any, int]:
    """Run f on a fresh leaf; return the leaf, f's result as one Var (or constant), and the tag."""
    t = new_tag()
    leaf = _leaf(x, t, "x")
    return leaf, _result(f(leaf), t), t


def _result(r: Any, t: int) -> Any:
    if type(r) is Var:
        if r._t > t:  # leaked from a differentiation that is finished: only its value is meaningful
            return _result(r.value, t)
        return r
    if isinstance(r, (list, tuple)) or (isinstance(r, np.ndarray) and r.dtype == object):
        items = np.asarray(r, dtype=object)
        flat = list(items.flat)
        if any(type(e) is Var for e in flat):
            return reshape(stack(flat), items.shape)
        return np.array(flat, dtype=float).reshape(items.shape)
    if isinstance(r, (float, int, np.ndarray, np.number, np.bool_, Dual)):
        return r
    raise TypeError(
        f"the function returned a {type(r).__name__}; dualdiff differentiates functions that "
        "return numbers or arrays of numbers"
    )


def _sweep(leaf: Var, y: Any, t: int, seed: Any) -> Any:
    """The leaf's gradient after one backward sweep from ``y`` seeded with ``seed``."""
    if type(y) is not Var or y._t != t:  # y does not depend on the leaf
        return np.zeros(leaf.shape) if leaf.shape else 0.0
    y.backward(seed)
    g = leaf.grad
    if g is None:
        return np.zeros(leaf.shape) if leaf.shape else 0.0
    return g


def gradient(f: Callable[[Any], Any], x: Any) -> Any:
    """The gradient of a scalar-valued f at x by one backward sweep (reverse mode).

    >>> gradient(lambda x: x[0] ** 2 + 3 * x[1], [1.0, 2.0])
    array([2., 3.])
    """
    leaf, y, t = _record(f, _input(x))
    if shape(y) != ():
        raise ValueError(
            f"gradient needs f to return a scalar, but it returned shape {shape(y)}; "
            "use jacobian(f, x) or vjp(f, x, u) for vector-valued functions"
        )
    return _sweep(leaf, y, t, 1.0)


def jacobian(f: Callable[[Any], Any], x: Any) -> Any:
    """The Jacobian of f at x, of shape ``f(x).shape + x.shape``: one backward sweep per output.

    >>> import numpy as np
    >>> jacobian(lambda x: np.stack([x[0] * x[1], x[0] + 3 * x[1]]), [2.0, 5.0])
    array([[5., 2.],
           [1., 3.]])
    """
    x = _input(x)
    leaf, y, t = _record(f, x)
    out = shape(y)
    rows = []
    for i in range(int(np.prod(out))):
        seed = np.zeros(out)
        seed.flat[i] = 1.0
        rows.append(_sweep(leaf, y, t, seed if out else 1.0))
    if not rows:
        return np.zeros(out + shape(x))
    return np.reshape(np.stack(rows) if shape(x) or len(rows) > 1 else rows[0], out + shape(x))


def vjp(f: Callable[[Any], Any], x: Any, u: Any) -> tuple[Any, Any]:
    """``(f(x), u^T J)`` in one backward sweep; ``u`` has f(x)'s shape, the result x's shape.

    >>> vjp(lambda x: x * x, [1.0, 2.0], [1.0, 10.0])
    (array([1., 4.]), array([ 2., 40.]))
    """
    leaf, y, t = _record(f, _input(x))
    u = _input(u, "u")
    if shape(u) != shape(y):
        raise ValueError(f"u must have f(x)'s shape {shape(y)}, not {shape(u)}")
    value = y.value if type(y) is Var and y._t == t else y
    return value, _sweep(leaf, y, t, u)


def hvp(f: Callable[[Any], Any], x: Any, v: Any) -> Any:
    """The Hessian of a scalar-valued f at x times ``v`` (forward over reverse: a tape of Duals).

    >>> hvp(lambda x: x[0] ** 2 * x[1], [1.0, 2.0], [1.0, 0.0])
    array([4., 2.])
    """
    x, v = _input(x), _input(v, "v")
    if shape(v) != shape(x):
        raise ValueError(f"v must have x's shape {shape(x)}, not {shape(v)}")
    return _forward_over_reverse(f, x, v)


def _forward_over_reverse(f: Callable[[Any], Any], x: Any, seed: Any) -> Any:
    from .api import _part

    td = new_tag()
    g = gradient(f, _new(x, seed, td))
    h = _part(g, td, True)
    if h is None:
        return np.zeros(shape(seed)) if shape(seed) else 0.0
    return h if shape(h) == shape(seed) else np.broadcast_to(h, shape(seed)).copy()


def hessian(f: Callable[[Any], Any], x: Any, chunk: int | None = None) -> Any:
    """The Hessian of a scalar-valued f at x, ``x.shape + x.shape``: forward over reverse, ``chunk``
    directions (Hessian columns) per backward sweep.

    >>> hessian(lambda x: x[0] ** 2 * x[1], [1.0, 2.0])
    array([[4., 2.],
           [2., 0.]])
    """
    from .api import _directions

    x = _input(x)
    if shape(x) == ():
        return _forward_over_reverse(f, x, 1.0)
    cols = [_forward_over_reverse(f, x, seed) for seed in _directions(x, chunk)]
    if not cols:
        return np.zeros(shape(x) + shape(x))
    t = np.concatenate(cols, axis=0)
    return np.reshape(np.moveaxis(t, 0, -1), shape(x) + shape(x))
