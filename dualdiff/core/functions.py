"""The one table of NumPy's non-elementwise functions, read by both number types (NEP 18).

``FUNCTIONS`` maps a NumPy function (``np.sum``, ``np.linalg.solve``, ...) to one implementation
that takes NumPy's own signature and works for Duals and tape variables alike. An implementation is
either a *composite* (a plain function of other NumPy functions, so both modes follow by dispatch)
or calls a `Primitive`: a function stated with its value, its forward map (jvp: tangents in, the
output's tangent out) and its reverse map (vjp: the output's cotangent in, one input's cotangent
out), side by side. The machinery here knows no primitive and no number type: Dual and Var register
how they apply a primitive in ``HANDLERS``, as they do for elementwise rules.

>>> import numpy as np
>>> from dualdiff import Dual, Var
>>> FUNCTIONS[np.sum] is FUNCTIONS[np.sum]   # one entry, both modes
True
>>> np.sum(Dual(np.array([1.0, 2.0]), np.array([1.0, 1.0]))).derivative
2.0
"""

from __future__ import annotations

import functools
import importlib.abc
import sys
import types
import warnings
from collections.abc import Callable
from typing import Any, NoReturn

import numpy as np

from .._meta import doc  # where error messages send the user (the address is written once, in _meta.py)

# NumPy function -> implementation for Duals and Vars (NEP 18), registered once by the concern modules.
FUNCTIONS: dict[Any, Callable[..., Any]] = {}
# number type -> (priority, apply(primitive, operands, params)); the outermost number applies a primitive.
HANDLERS: dict[type, tuple[int, Callable[..., Any]]] = {}
# tags of differentiations with respect to a complex input: only complex-analytic steps may meet them
HOLOMORPHIC: set[int] = set()


def not_analytic(name: str) -> NoReturn:
    """Raise the TypeError for a step that is not complex-analytic, met by a complex input's tangent."""
    raise TypeError(
        f"numpy.{name} is not complex-differentiable (holomorphic), so the derivative with respect to a complex "
        "input does not exist through it. Differentiate with respect to the real and imaginary parts instead "
        "(z = a + 1j * b, a and b real)."
    )


def no_rule(what: str, mode: str = "") -> NoReturn:
    """Raise the TypeError that says a function has no derivative rule (in ``mode``, if only one lacks it)."""
    where = f"{mode} mode" if mode else "dualdiff"
    register = f"Register one with dualdiff.register_function (see {doc('numpy')}), or"
    other = {"reverse": "Use forward mode (mode='forward') for this function, or", "forward": "Use reverse mode for this function, or"}
    raise TypeError(
        f"{where} has no derivative rule for {what}, so it cannot carry the derivative through it. "
        f"{other.get(mode, register)} compute the value "
        "with x.value if you do not need its derivative."
    )


def register(*funcs: Any) -> Callable[[Any], Any]:
    """A decorator: the function implements each of ``funcs`` for Duals and Vars alike.

    >>> import numpy as np
    >>> @register(np.ptp)
    ... def ptp(a, axis=None, out=None, keepdims=False):
    ...     refuse("ptp", out=out)
    ...     return np.max(a, axis=axis, keepdims=keepdims) - np.min(a, axis=axis, keepdims=keepdims)
    >>> FUNCTIONS[np.ptp] is ptp
    True
    """

    def deco(impl: Any) -> Any:
        for f in funcs:
            FUNCTIONS[f] = impl
        return impl

    return deco


def refuse(name: str, **keywords: Any) -> None:
    """Raise a clear TypeError for a keyword a rule does not honour; ``None`` (or the default) passes.

    >>> refuse("sum", out=None, where=True)
    >>> refuse("sum", out=[0.0])  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    TypeError: numpy.sum(..., out=...) is not supported on Duals and Vars: out= would write the result ...
    """
    for key, value in keywords.items():
        if value is None or (key == "where" and value is True):
            continue
        why = (
            "out= would write the result into a plain array and drop its derivative; use the returned value instead"
            if key == "out"
            else f"dualdiff does not implement {key}= for it yet; leave {key}= out, or apply it to the result"
        )
        raise TypeError(f"numpy.{name}(..., {key}=...) is not supported on Duals and Vars: {why}")


class Primitive:
    """A differentiable function stated once: its value, forward map and reverse map.

    ``value(*xs, **params)`` computes the result from plain operands (or from older Duals and Vars:
    it is written with NumPy functions, so nested differentiation goes through it again).
    ``jvp(ds, xs, y, k, **params)`` gives the result's tangent from the operands' tangents ``ds``
    (None for an operand that does not move); a tangent may carry k directions on a leading axis,
    ``k`` is then ``(k,)``, else ``()``. ``vjp(i, g, xs, y, **params)`` gives operand i's cotangent
    from the result's cotangent ``g``; ``vjp=None`` says reverse mode has no rule yet, and the tape
    names the function when it meets it. Operands are the positional arguments; keyword parameters
    are constants.

    >>> import numpy as np
    >>> from dualdiff import Dual, Var
    >>> twice = Primitive("twice", lambda x: 2 * x, lambda ds, xs, y, k: 2 * ds[0], lambda i, g, xs, y: 2 * g)
    >>> twice(Dual(3.0, 1.0)).derivative, twice(5.0)
    (2.0, 10.0)
    """

    def __init__(
        self,
        name: str,
        value: Callable[..., Any],
        jvp: Callable[..., Any],
        vjp: Callable[..., Any] | None,
    ) -> None:
        self.name = name
        self.value = value
        self.jvp = jvp
        self.vjp = vjp
        # for a linear map of one operand: tangent(d, k, params), the map itself (no jvp call around it)
        self.tangent: Callable[..., Any] | None = None
        self.linear = False  # linear maps need no floating-point guards around their jvp
        self.analytic = True  # complex-differentiable; real, imag and conj are not

    def __repr__(self) -> str:
        return f"<dualdiff primitive {self.name}>"

    def __call__(self, *xs: Any, **params: Any) -> Any:
        if len(xs) == 1:  # the common case: one operand, no priorities to compare
            h = HANDLERS.get(type(xs[0]))
            return self.value(xs[0], **params) if h is None else h[1](self, xs, params)
        best = None
        for x in xs:
            h = HANDLERS.get(type(x))
            if h is not None and (best is None or h[0] > best[0]):
                best = h
        if best is None:
            return self.value(*xs, **params)
        return best[1](self, xs, params)


def linear(
    name: str,
    value: Callable[..., Any],
    transpose: Callable[..., Any] | None,
    batched: Callable[..., Any] | None = None,
) -> Primitive:
    """A primitive linear in each operand: its tangent is the same map applied to the tangents, its
    cotangent the transpose ``transpose(i, g, xs, y, **params)``.

    ``batched(d, k, **params)`` maps one tangent carrying k directions (leading axis); without it
    the map runs once per direction. Operands that do not move contribute nothing: a linear map of
    several operands (concatenate) gets zeros of their shape in their place.

    >>> import numpy as np
    >>> from dualdiff import Dual
    >>> neg = linear("neg", lambda x: -x, lambda i, g, xs, y: -g)
    >>> neg(Dual(np.array([1.0, 2.0]), np.array([[1.0, 0.0], [0.0, 1.0]]))).derivative
    array([[-1., -0.],
           [-0., -1.]])
    """

    def one(d: Any, k: tuple[int, ...], params: dict[str, Any]) -> Any:
        if not k:
            return value(d, **params)
        if batched is not None:
            return batched(d, k, **params)
        return np.stack([value(e, **params) for e in d])

    def jvp(ds: list[Any], xs: tuple[Any, ...], y: Any, k: tuple[int, ...], **params: Any) -> Any:
        if len(ds) == 1:
            return one(ds[0], k, params)
        full = [np.zeros(k + np.shape(x)) if d is None else d for d, x in zip(ds, xs, strict=True)]
        if not k:
            return value(*full, **params)
        return np.stack([value(*[d[j] for d in full], **params) for j in range(k[0])])

    prim = Primitive(name, value, jvp, transpose)
    prim.tangent, prim.linear = one, True
    return prim


# --- libraries that do not dispatch (SciPy): their functions get a wrapper that sends Duals and
# Vars to dualdiff's implementation and everything else to the original, unchanged ---
FOREIGN: dict[str, dict[str, Callable[..., Any]]] = {}  # module -> {attribute path -> implementation}


def register_foreign(module: str, *names: str) -> Callable[[Any], Any]:
    """A decorator: the function implements ``module.name`` (a dotted path inside the module, e.g.
    ``"norm.logpdf"`` in ``scipy.stats``) for Duals and Vars. The wrapper is installed when the
    module is imported (now, if it already is); calls without Duals or Vars go to the original.

    >>> import types, sys
    >>> sys.modules["demo_lib"] = lib = types.SimpleNamespace(twice=lambda x: 2 * x)
    >>> @register_foreign("demo_lib", "twice")
    ... def twice(x):
    ...     return x + x
    >>> from dualdiff import Dual
    >>> lib.twice(3.0), lib.twice(Dual(3.0, 1.0)).derivative
    (6.0, 2.0)
    """

    def deco(impl: Any) -> Any:
        for name in names:
            FOREIGN.setdefault(module, {})[name] = impl
            if module in sys.modules:
                _install(sys.modules[module], name, impl)
        _rebind_pending()
        return impl

    return deco


def _install(module: Any, path: str, impl: Callable[..., Any]) -> None:
    *owners, attr = path.split(".")
    owner = module
    for o in owners:
        owner = getattr(owner, o)
    original = getattr(owner, attr)
    if getattr(original, "__dualdiff__", None) is not None:
        original = original.__wrapped__

    @functools.wraps(original)
    def dispatch(*args: Any, **kwargs: Any) -> Any:
        if _holds_number(args) or _holds_number(kwargs.values()):
            return impl(*args, **kwargs)
        return original(*args, **kwargs)

    dispatch.__dualdiff__ = impl  # type: ignore[attr-defined]
    setattr(owner, attr, dispatch)
    _PENDING[id(original)] = (original, dispatch)


# originals wrapped since the last scan: id -> (original, wrapper); _BATCH > 0 defers the scan
_PENDING: dict[int, tuple[Any, Any]] = {}
_BATCH = [0]


def _rebind_pending() -> None:
    """Modules imported before dualdiff may hold an original under a name of their own (``from
    scipy.special import logsumexp``): point those names at the wrapper too, in one pass."""
    if not _PENDING or _BATCH[0]:
        return
    pending = dict(_PENDING)
    _PENDING.clear()
    for mod in list(sys.modules.values()):
        names = getattr(mod, "__dict__", None)
        if not isinstance(names, dict):
            continue
        for key, value in list(names.items()):
            hit = pending.get(id(value)) or pending.get(id(getattr(value, "__func__", None)))
            if hit is None:
                continue
            if hit[0] is value:
                names[key] = hit[1]
            elif getattr(value, "__func__", None) is hit[0]:  # a bound method (norm.logpdf) taken before the wrap
                names[key] = types.MethodType(hit[1], value.__self__)


def _run(callback: Callable[[], None]) -> None:
    """Run a module's callbacks as one batch: the names are rebound once, after all of them."""
    _BATCH[0] += 1
    try:
        callback()
    finally:
        _BATCH[0] -= 1
    _rebind_pending()


def _holds_number(items: Any) -> bool:
    for a in items:
        if type(a) in HANDLERS or (isinstance(a, (list, tuple)) and _holds_number(a)):
            return True
        if isinstance(a, np.ndarray) and a.dtype == object and _holds_number(a.flat):
            return True
    return False


# module name -> callbacks to run once it is imported (the implementations of its functions)
_AFTER_IMPORT: dict[str, list[Callable[[], None]]] = {}


def after_import(module: str, callback: Callable[[], None]) -> None:
    """Run ``callback`` once ``module`` is imported: now if it is, else right after its import."""
    if module in sys.modules:
        if sys.modules[module] is not None:  # None: the module is known to be missing
            _run(callback)
        return
    _AFTER_IMPORT.setdefault(module, []).append(callback)
    if not any(isinstance(f, _ImportHook) for f in sys.meta_path):
        sys.meta_path.insert(0, _ImportHook())


class _ImportHook(importlib.abc.MetaPathFinder):
    """Finds nothing itself: it lets the other finders find a watched module, then runs the
    callbacks right after the module's code has run."""

    def find_spec(self, name: str, path: Any, target: Any = None) -> Any:
        if name not in _AFTER_IMPORT:
            return None
        for finder in sys.meta_path:
            if finder is self or not hasattr(finder, "find_spec"):
                continue
            spec = finder.find_spec(name, path, target)
            if spec is not None and spec.loader is not None and hasattr(spec.loader, "exec_module"):
                run = spec.loader.exec_module

                def exec_module(module: Any, run: Any = run) -> None:
                    run(module)
                    for callback in _AFTER_IMPORT.pop(name, []):
                        try:
                            _run(callback)
                        except Exception as e:  # never break the user's import
                            warnings.warn(f"dualdiff could not add its rules for {name}: {e!r}", stacklevel=2)

                spec.loader.exec_module = exec_module  # type: ignore[method-assign]
                return spec
        return None
