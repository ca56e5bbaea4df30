"""The machinery behind every elementwise function: one small class, read by both modes.

An `Elementwise` knows a function's value (a NumPy ufunc, and a `math` twin for Python floats) and
its partial derivatives. It knows nothing about Duals or the tape: a number type that wants to take
part registers a handler in `HANDLERS`, and the handler asks the rule for its partials. The rules
themselves, one line a function, are in `table.py` (NumPy's) and `special.py` (SciPy's).
"""

from __future__ import annotations

import builtins
import dis
import math
import types
from collections.abc import Callable
from typing import Any

import numpy as np

# type -> (priority, handler(rule, args)); the outermost number type (highest priority) handles a call.
HANDLERS: dict[type, tuple[int, Callable[[Elementwise, tuple[Any, ...]], Any]]] = {}
# type -> handler(rule, x) for one-argument calls: the hot path skips the priority search.
UNARY: dict[type, Callable[[Elementwise, Any], Any]] = {}
_unary_handler = UNARY.get
# NumPy ufunc -> rule, so that `np.sin(x)` finds dualdiff's rule through NEP 13.
BY_UFUNC: dict[np.ufunc, Elementwise] = {}
_FLOATS = (float, int)
_IEEE_ERRORS = (ValueError, OverflowError, ZeroDivisionError)
# also TypeError: a rule without a math twin has scalar None
FAST_PATH_MISSES = (ValueError, OverflowError, ZeroDivisionError, TypeError)


class Elementwise:
    """A differentiable elementwise function: its value and one partial derivative per argument.

    Each partial is called as ``partial(*args, out)`` with the primal arguments and the primal
    result, and returns the local derivative (an array of the broadcast shape, or a scalar).
    Where a local derivative is infinite (sqrt at 0, log at 0) the chain rule takes 0 times inf to
    be 0 (see `scale`).

    >>> from dualdiff import sin, Dual
    >>> sin.name, sin.nargs
    ('sin', 1)
    >>> round(sin(Dual(0.0, 1.0)).derivative, 12)
    1.0
    """

    fresh_partials = True  # the table's partials return new arrays, which the chain rule may reuse
    # for a rule that is not complex-analytic (abs, sign): the composite to use on complex values,
    # whose derivative is not one complex partial times the tangent
    complex_form: Callable[..., Any] | None = None

    def __init__(
        self,
        ufunc: Any,
        scalar: Callable[..., Any] | None,
        *partials: Callable[..., Any],
        name: str | None = None,
    ) -> None:
        self.ufunc = ufunc
        self.scalar = scalar
        self.partials = partials
        self.nargs = len(partials)
        self.unary = self.nargs == 1
        self.name = name or ufunc.__name__
        self.on_floats: tuple[Callable[..., Any], ...] | None = None  # built on first use
        self.__name__ = self.name
        self.__doc__ = (
            f"Elementwise ``{self.name}`` of floats, arrays, Duals and tape variables, "
            f"with its derivative (NumPy's ``{getattr(ufunc, '__name__', self.name)}``)."
        )
        if isinstance(ufunc, np.ufunc):
            BY_UFUNC[ufunc] = self

    def __repr__(self) -> str:
        return f"<dualdiff elementwise function {self.name}>"

    def float_partials(self) -> tuple[Callable[..., Any], ...]:
        """The partials re-bound to the math twins, for plain floats: the same lines, no dispatch.

        They may raise where math does (log of 0); callers then fall back to ``partial``.
        """
        if self.on_floats is None:
            self.on_floats = tuple(_on_floats(p) for p in self.partials)
        return self.on_floats

    def partial(self, i: int, args: tuple[Any, ...], out: Any) -> Any:
        """The i-th local derivative at ``args``; plain floats follow IEEE rules, never raise."""
        try:
            return self.partials[i](*args, out)
        except _IEEE_ERRORS:  # 1.0 / 0.0 raises in Python; NumPy's float64 gives inf, as we want
            with np.errstate(all="ignore"):
                wide = [np.float64(a) if type(a) in _FLOATS else a for a in (*args, out)]
                p = self.partials[i](*wide)
            return float(p) if isinstance(p, np.floating) else p

    def __call__(self, x: Any, *rest: Any) -> Any:
        if not rest and self.unary:  # the hot path: one argument, a number type's own handler
            t = type(x)
            h = _unary_handler(t)
            if h is not None:
                return h(self, x)
            if t is np.ndarray:
                return self.ufunc(x)
            if t is float and self.scalar is not None:
                try:
                    return self.scalar(x)
                except _IEEE_ERRORS:  # math raises where IEEE arithmetic gives inf or nan: do as NumPy
                    pass
        return self._call((x, *rest))

    def _call(self, args: tuple[Any, ...]) -> Any:
        if len(args) != self.nargs:
            raise TypeError(f"{self.name}() takes {self.nargs} argument(s), got {len(args)}")
        best = None
        for a in args:
            h = HANDLERS.get(type(a))
            if h is not None and (best is None or h[0] > best[0]):
                best = h
        if best is not None:
            return best[1](self, args)
        if not all(type(a) in _FLOATS for a in args):
            return self.ufunc(*[_as_operand(a) for a in args])
        if self.scalar is not None:
            try:
                return self.scalar(*args)
            except _IEEE_ERRORS:  # math raises where IEEE arithmetic gives inf or nan: do as NumPy
                pass
        with np.errstate(all="ignore"):
            return float(self.ufunc(*args))


class _FloatGlobals(dict):  # type: ignore[type-arg]
    """Globals that hold a few names and look every other one up in ``live`` (a module's globals)
    when it is loaded; a KeyError sends Python on to the builtins, as for any module."""

    __slots__ = ("live",)
    live: dict[str, Any]

    def __missing__(self, name: str) -> Any:
        return self.live[name]


def _global_loads(code: types.CodeType) -> set[str] | None:
    """The global names ``code`` (and the functions defined inside it) load; None if it stores or
    deletes a global, which a partial bound to other globals would then do in the wrong place."""
    names: set[str] = set()
    for ins in dis.get_instructions(code):
        if ins.opname == "LOAD_GLOBAL":
            names.add(ins.argval)
        elif ins.opname in ("STORE_GLOBAL", "DELETE_GLOBAL", "LOAD_NAME", "STORE_NAME"):
            return None
    for c in code.co_consts:
        if isinstance(c, types.CodeType):
            inner = _global_loads(c)
            if inner is None:
                return None
            names |= inner
    return names


def _on_floats(fn: Any) -> Any:
    """``fn`` with the rules it names bound to their math twins (``cos`` is ``math.cos``), for floats.

    Only the names of rules are bound, when the rule is first used on a float. Every other global
    (a constant, a helper, a module) is the module's own, looked up when the partial runs: a
    constant the module changes, or a helper it defines later, is seen as it is then, and nothing
    is copied, so nothing outlives the partial's module. A partial that names no rule is ``fn``.
    """
    if not isinstance(fn, types.FunctionType):
        return fn
    live = fn.__globals__
    loads = _global_loads(fn.__code__)
    if not loads:
        return fn
    twins = {}
    for name in loads:
        rule = live.get(name)
        if isinstance(rule, Elementwise) and rule.scalar is not None:
            twins[name] = rule.scalar
    if not twins:
        return fn
    builtin = live.get("__builtins__", builtins)
    builtin = builtin if isinstance(builtin, dict) else vars(builtin)
    others = loads - twins.keys()
    g: dict[str, Any]
    if not any(name in builtin for name in others):
        # The fast form: Python looks a global up in the globals, then in the builtins; here the
        # "builtins" are the module's live globals. Plain dicts both, so lookups are cached as usual.
        g = dict(twins, __builtins__=live)
    else:  # fn also uses a builtin (float, TypeError): a lookup by __missing__, slower but exact
        g = _FloatGlobals(twins, __builtins__=builtin)
        g.live = live
    out = types.FunctionType(fn.__code__, g, fn.__name__, fn.__defaults__, fn.__closure__)
    out.__kwdefaults__ = fn.__kwdefaults__
    out.__qualname__ = fn.__qualname__
    return out


def rule_for(ufunc: Any) -> Elementwise | None:
    """The rule for a ufunc (NumPy's, or SciPy's once scipy.special is imported), or None.

    >>> rule_for(np.sin).name, rule_for(np.gcd)
    ('sin', None)
    """
    return BY_UFUNC.get(ufunc)


def _as_operand(a: Any) -> Any:
    if isinstance(a, (list, tuple)):
        return np.asarray(a, dtype=float)
    return a


def scale(p: Any, d: Any, reuse: bool = False) -> Any:
    """``p * d`` as the chain rule needs it: 0 times anything is 0, infinity included.

    An input that does not move (d = 0), or an output that does not depend on it (p = 0), moves
    nothing, even across an infinite derivative such as sqrt's at 0. Both modes use this, so
    forward and reverse agree at such points. ``reuse=True`` lets the product overwrite p, a temporary the caller owns (a large array costs
    as much to allocate as to multiply).

    >>> scale(float("inf"), 0.0), scale(0.0, float("inf")), scale(float("inf"), 2.0), scale(3.0, 2.0)
    (0.0, 0.0, inf, 6.0)
    """
    if isinstance(p, float):  # Python floats and NumPy float64 scalars
        if p == 1.0:  # add, subtract, positive: no pass over the tangent at all
            return d
        if type(d) is float:
            r = p * d
            return r if (r == r or (d != 0.0 and p != 0.0)) else 0.0
    if type(p) in HANDLERS or type(d) in HANDLERS:  # nested: the same rule at every level, tangents kept
        return _chain(p, d)
    reuse = reuse and type(p) is np.ndarray and type(d) is np.ndarray and p.shape == d.shape and p.dtype == d.dtype
    with np.errstate(invalid="ignore"):
        prod = np.multiply(p, d, out=p) if reuse else p * d
    # one read pass (BLAS's dot, the fastest) finds a nan; only then is the product redone where a factor is 0
    if isinstance(prod, np.ndarray) and prod.dtype.kind in "fc" and not np.isfinite(np.vdot(prod, prod)):
        # only a nan can be 0 times inf (an inf is a true product); p is overwritten when reused: a nan
        # beside an infinite tangent then came from p = 0 (a nan partial beside an infinite tangent is rarer)
        zero = (d == 0) | (np.isinf(d) if reuse else np.asarray(p) == 0)
        return np.where(zero & (prod != prod), 0.0, prod)
    if isinstance(prod, (np.floating, np.complexfloating, complex)) and prod != prod and (d == 0 or p == 0):  # scalars too
        return 0.0
    return prod


# scale as a rule of its own, for nested numbers (a Hessian's inner tangent is a Dual of the outer
# differentiation): its partials are the other factor, and the outer level's chain rule is scale again
_chain = Elementwise(scale, None, lambda p, d, out: d, lambda p, d, out: p, name="chain_rule_product")


def fresh(p: Any, *inputs: Any) -> bool:
    """Is ``p`` a new array that a partial just computed (not an input, the output, or a view)?"""
    return type(p) is np.ndarray and p.base is None and p.flags.writeable and all(p is not a for a in inputs)


def ieee(fn: Callable[..., float], ufunc: Any) -> Callable[..., float]:
    """Wrap a `math` function so that it answers as NumPy does (inf, nan) instead of raising."""

    def safe(*args: float) -> float:
        try:
            return fn(*args)
        except _IEEE_ERRORS:
            with np.errstate(all="ignore"):
                return float(ufunc(*[float(a) for a in args]))

    return safe


safe_pow = ieee(math.pow, np.power)
