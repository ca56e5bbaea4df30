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
    Where a local derivative is infinite (sqrt at 0, log at 0), 0 times it is 0 only where the
    zero cannot move (see `scale`).

    >>> from dualdiff import sin, Dual
    >>> sin.rule.name, sin.rule.nargs    # dualdiff.sin is a plain function; .rule is its line of the table
    ('sin', 1)
    >>> round(sin(Dual(0.0, 1.0)).derivative, 12)
    1.0
    """

    fresh_partials = True  # the table's partials return new arrays, which the chain rule may reuse
    # for a rule that is not complex-analytic (abs, sign): the composite to use on complex values,
    # whose derivative is not one complex partial times the tangent
    complex_form: Callable[..., Any] | None = None
    # each partial is the other argument (multiply): a constant where that argument does not move,
    # and a constant 0 factor makes the product 0 whatever the other's tangent (scale_by_constant)
    bilinear = False
    # the product the chain rule uses for this rule's terms (None: `scale`); x**y's partials take
    # 0 * inf as 0 (a limit), and so must the chain rule of that product, at every order
    own_product: Callable[[Any, Any], Any] | None = None

    def __init__(
        self,
        ufunc: Any,
        scalar: Callable[..., Any] | None,
        *partials: Callable[..., Any],
        name: str | None = None,
        floats: Callable[..., Any] | None = None,
    ) -> None:
        self.ufunc = ufunc
        self.scalar = scalar
        self.partials = partials
        # a one-argument rule's partial on Python floats, where the general one calls a helper (a
        # call costs as much as the arithmetic): equal to it wherever math does not raise (tested)
        self.floats = floats
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
            self.on_floats = tuple(_on_floats(p) for p in ((self.floats,) if self.floats else self.partials))
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
            xp = array_namespace(args)
            if xp is not None:  # an Array API library's arrays: its own function, never NumPy's
                return _in_namespace(xp, self.name, self.ufunc)(*args)
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


# NumPy's names that the Array API standard spells otherwise
_ARRAY_API_NAMES = {
    "absolute": "abs", "arcsin": "asin", "arccos": "acos", "arctan": "atan", "arctan2": "atan2", "arcsinh": "asinh",
    "arccosh": "acosh", "arctanh": "atanh", "power": "pow", "fabs": "abs", "float_power": "pow",
}


def array_namespace(args: tuple[Any, ...]) -> Any:
    """The Array API namespace of the first argument that is an array of a library outside NumPy's
    protocols (array-api-strict, ...), or None. Dask and CuPy take NumPy's own functions (NEP 13/18)."""
    for a in args:
        if hasattr(a, "__array_namespace__") and not hasattr(a, "__array_ufunc__") and not isinstance(a, (np.ndarray, np.generic)):
            return a.__array_namespace__()
    return None


def _in_namespace(xp: Any, name: str, value: Any) -> Callable[..., Any]:
    fn = getattr(xp, _ARRAY_API_NAMES.get(name, name), None)
    if fn is None and not isinstance(value, np.ufunc):  # a composite of rules (the table's helpers)
        fn = value
    if fn is None:
        raise TypeError(f"{getattr(xp, '__name__', xp)} has no function {name!r}: dualdiff's {name} cannot run on its arrays")
    return fn  # type: ignore[no-any-return]


def _as_operand(a: Any) -> Any:
    if isinstance(a, (list, tuple)):
        return np.asarray(a, dtype=float)
    return a


def scale(p: Any, d: Any, reuse: bool = False) -> Any:
    """``p * d`` as the chain rule needs it: a local derivative ``p`` times a tangent (forward) or a
    gradient (reverse) ``d``, by IEEE arithmetic, so 0 times inf is nan.

    A zero tangent may be a zero of the function (the value cannot move in this direction: the
    product is 0) or a zero of the point (x**3 at 0, x - x: cbrt(x**3) has slope 1 there). Plain
    numbers cannot tell the two apart, so the product is nan; the user's functions (derivative,
    gradient, ...) then run the computation once more with each tangent's dependence on the
    seed carried beside it (`CAREFUL`), and only a zero that cannot move makes 0 of an infinity.
    ``reuse=True`` lets the product overwrite p, a temporary the caller owns.

    >>> scale(float("inf"), 2.0), scale(3.0, 2.0), scale(float("inf"), 0.0)
    (inf, 6.0, nan)
    """
    if isinstance(p, float):  # Python floats and NumPy float64 scalars
        if p == 1.0:  # add, subtract, positive: no pass over the tangent at all
            return d
        if type(d) is float:
            return p * d
    elif isinstance(p, (bool, np.bool_)) or (type(p) is np.ndarray and p.dtype == bool):
        return _select(p, d)
    if type(p) in HANDLERS or type(d) in HANDLERS:  # nested: the same rule at every level, tangents kept
        careful = CAREFUL.get(type(d))
        if careful is not None:
            r = careful(p, d, False)
            if r is not None:
                return r
        return _chain(p, d)
    if reuse and type(p) is np.ndarray and type(d) is np.ndarray and p.shape == d.shape and p.dtype == d.dtype:
        return np.multiply(p, d, out=p)
    return p * d


def _select(p: Any, d: Any) -> Any:
    """A partial that selects (True or False: maximum's, a step function's): the tangent where it is
    True, and 0 where it is False whatever the tangent is, since the output does not follow that
    argument there (an unselected infinity or nan moves nothing)."""
    if type(d) in HANDLERS:
        return np.where(p, d, 0.0)  # a number type keeps its kind (and what it carries) at the zeros
    if isinstance(p, (bool, np.bool_)):
        return d if p else (np.zeros(np.shape(d)) if type(d) is np.ndarray else 0.0)
    return np.where(p, d, 0.0)


def scale_by_constant(p: Any, d: Any) -> Any:
    """`scale` for a partial that is a constant of the differentiation (in ``c * u``, the factor c
    when c does not move): where c is 0 the product is the constant 0, whatever u's tangent is
    (``0.0 * sqrt(x)`` at 0, a 0/1 mask times sqrt).

    >>> scale_by_constant(0.0, float("inf")), scale_by_constant(2.0, float("inf"))
    (0.0, inf)
    """
    if type(d) in HANDLERS:
        careful = CAREFUL.get(type(d))
        if careful is not None:
            r = careful(p, d, True)
            if r is not None:
                return r
    with np.errstate(invalid="ignore"):
        prod = scale(p, d)
    if type(p) in HANDLERS:  # a constant partial that is itself a number of an outer differentiation
        return prod
    if isinstance(prod, (float, np.floating, complex, np.complexfloating)):
        return prod if prod == prod or p != 0 else 0.0
    if isinstance(prod, np.ndarray) and prod.dtype.kind in "fc" and np.isnan(prod).any():
        return np.where(np.asarray(p) == 0, 0.0, prod)
    return prod


# type of a tangent -> careful(p, d, constant): the product when d carries its dependence on the
# seed (a Dual of a dependence tag, see core/dual.py), else None
CAREFUL: dict[type, Callable[[Any, Any, bool], Any]] = {}
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
