"""Function transforms, named as JAX and autograd name them: each takes f and returns a new function.

``grad(f)(x, *args, **kwargs)`` is ``gradient(lambda z: f(z, *args, **kwargs), x)``: every argument
but the differentiated ones passes through to f, so the transformed function drops in where SciPy
wants one (``minimize(f, x0, args=(X, y), jac=grad(f), hess=hess(f))``). ``argnums`` picks the
arguments (an int, or a tuple: then the result is a tuple, one entry an argument); ``has_aux``
says f returns ``(output, aux)``, aux handed back beside the derivative as plain values.

Short names make functions (`grad`, `jacfwd`, `jacrev`, `hess`); the long names evaluate at a
point (`gradient`, `jacobian`, `hessian`). Each transform is one call of the at-a-point function
of modes.py, so it takes pytrees (nested dicts, lists, tuples) and keeps float32 as those do.

>>> import numpy as np
>>> def loss(w, X, y):
...     return np.sum((X @ w - y) ** 2)
>>> X, y = np.array([[1.0, 0.0], [0.0, 2.0]]), np.array([1.0, 1.0])
>>> grad(loss)(np.zeros(2), X, y)
array([-2., -4.])
>>> hess(loss)(np.zeros(2), X, y)
array([[2., 0.],
       [0., 8.]])
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import numpy as np

from ..core.dual import Dual, new_tag
from ..core.tape import Var
from . import modes
from .pytrees import flatten, is_leaf, ravel

Argnums = int | tuple[int, ...]  # which positional arguments a transform differentiates


def _argnums(argnums: Argnums, nargs: int, name: str) -> int | tuple[int, ...]:
    """argnums checked against the call's positional arguments, negative ones counted from the end."""
    nums = (argnums,) if isinstance(argnums, int) else tuple(argnums)
    if not nums or not all(isinstance(i, int) and not isinstance(i, bool) for i in nums):
        raise TypeError(f"{name}: argnums must be an int or a non-empty tuple of ints, not {argnums!r}")
    if any(not -nargs <= i < nargs for i in nums):
        raise ValueError(
            f"{name}(f, argnums={argnums!r}) differentiates positional argument(s) {argnums!r}, but the call passed "
            f"{nargs} positional argument(s); pass the differentiated arguments by position"
        )
    fixed = tuple(i % nargs for i in nums)
    if len(set(fixed)) < len(fixed):
        raise ValueError(f"{name}: argnums {argnums!r} names an argument twice")
    return fixed[0] if isinstance(argnums, int) else fixed


def _primal(r: Any, since: int) -> Any:
    """``r`` with the Duals and Vars of differentiations started after tag ``since`` replaced by
    their values, at any depth of dicts, lists and tuples (an enclosing differentiation's, older,
    stay: grad of grad works). Tags grow, and an outer number has the larger tag."""
    if isinstance(r, Dual):
        return _primal(r.value, since) if r.tag > since else r
    if isinstance(r, Var):
        return _primal(r.value, since) if r._t > since else r
    if isinstance(r, dict):
        return type(r)((k, _primal(v, since)) for k, v in r.items())
    if isinstance(r, tuple) and hasattr(type(r), "_fields"):
        return type(r)(*(_primal(v, since) for v in r))
    if isinstance(r, (list, tuple)):
        return type(r)(_primal(v, since) for v in r)
    if isinstance(r, np.ndarray) and r.dtype == object:
        out = np.empty(r.shape, dtype=object)
        for i in np.ndindex(*r.shape):
            out[i] = _primal(r[i], since)
        return out
    return r


class _Call:
    """One call of a transformed function: the point (an argument, or a dict of them for a tuple
    argnums), f as a function of that point alone, and what f's last run left (value, aux)."""

    def __init__(self, f: Callable[..., Any], argnums: Any, has_aux: bool, args: tuple[Any, ...], kwargs: dict[str, Any], name: str):
        self.nums = _argnums(argnums, len(args), name)
        self.f, self.has_aux, self.args, self.kwargs, self.name = f, has_aux, args, kwargs, name
        self.x = args[self.nums] if isinstance(self.nums, int) else {i: args[i] for i in self.nums}
        self.value: Any = None
        self.aux: Any = None
        self.since = new_tag()  # every differentiation this call starts has a larger tag

    def __call__(self, z: Any) -> Any:
        args = list(self.args)
        if isinstance(self.nums, int):
            args[self.nums] = z
        else:
            for i in self.nums:
                args[i] = z[i]
        r = self.f(*args, **self.kwargs)
        if self.has_aux:
            if not isinstance(r, (tuple, list)) or len(r) != 2:
                raise TypeError(
                    f"{self.name}(f, has_aux=True) needs f to return a pair (output, aux), but it returned "
                    f"{type(r).__name__}{f' of length {len(r)}' if isinstance(r, (tuple, list)) else ''}"
                )
            r, aux = r
            self.aux = _primal(aux, self.since)
        self.value = _primal(r, self.since)
        return r

    def unpack(self, d: Any) -> Any:
        """A derivative with respect to the point as the transform returns it: a tuple for a tuple argnums."""
        return d if isinstance(self.nums, int) else tuple(d[i] for i in self.nums)

    def result(self, d: Any) -> Any:
        return (self.unpack(d), self.aux) if self.has_aux else self.unpack(d)


def _modes(mode: str | None) -> dict[str, Any]:
    return {} if mode is None else {"mode": mode}


def grad(f: Callable[..., Any], argnums: Argnums = 0, has_aux: bool = False, *, mode: str | None = None) -> Callable[..., Any]:
    """The gradient of a scalar-valued f as a function with f's arguments: ``grad(f)(x, *args)``.

    The gradient has the differentiated argument's structure (a dict of arrays for a dict) and its
    floating dtype; a tuple ``argnums`` gives a tuple of them. ``has_aux=True``: f returns
    ``(output, aux)`` and the function returns ``(gradient, aux)``. ``mode`` is `gradient`'s.

    >>> import numpy as np
    >>> grad(lambda x, c: c * np.sum(x**2))(np.array([1.0, 2.0]), 3.0)
    array([ 6., 12.])
    >>> grad(lambda x, c: c * x**2, argnums=(0, 1))(2.0, 3.0)
    (12.0, 4.0)
    >>> grad(lambda p: (p["w"] ** 2, "a label"), has_aux=True)({"w": 3.0})
    ({'w': 6.0}, 'a label')
    """

    @functools.wraps(f)
    def gradient_of_f(*args: Any, **kwargs: Any) -> Any:
        call = _Call(f, argnums, has_aux, args, kwargs, "grad")
        return call.result(modes.gradient(call, call.x, **_modes(mode)))

    return gradient_of_f


def value_and_grad(
    f: Callable[..., Any], argnums: Argnums = 0, has_aux: bool = False, *, mode: str | None = None
) -> Callable[..., Any]:
    """f's value and gradient from one differentiation, as JAX gives them: ``(value, gradient)``, or
    ``((value, aux), gradient)`` with ``has_aux=True``. Arguments as for `grad`.

    >>> import numpy as np
    >>> value_and_grad(lambda x, c: c * np.sum(x**2))(np.array([1.0, 2.0]), 3.0)
    (15.0, array([ 6., 12.]))
    """

    @functools.wraps(f)
    def value_and_gradient_of_f(*args: Any, **kwargs: Any) -> Any:
        call = _Call(f, argnums, has_aux, args, kwargs, "value_and_grad")
        g = call.unpack(modes.gradient(call, call.x, **_modes(mode)))
        return ((call.value, call.aux) if has_aux else call.value), g

    return value_and_gradient_of_f


class _Flat:
    """f with a pytree result as f with one vector result (its leaves raveled), the result's structure
    kept; a result that is one array passes as it is."""

    def __init__(self, call: _Call):
        self.call = call
        self.tree: Any = None

    def __call__(self, z: Any) -> Any:
        r = self.call(z)
        if is_leaf(r):
            self.tree = None
            return r
        vector, self.tree = ravel(r, "f(x)")
        return vector

    def result(self, jac: Any) -> Any:
        """The Jacobian with the result's structure outermost, the point's inside (JAX's nesting):
        ``J[out][in]`` of shape ``out_leaf.shape + in_leaf.shape``."""
        if self.tree is not None:
            out = self.tree
            if is_leaf(self.call.x):
                jac = out.unflatten(out.pieces(jac, 0))
            else:
                inner = flatten(self.call.x)[1]
                cols = [out.pieces(leaf, 0) for leaf in inner.take(jac)]  # cols[in leaf][out leaf]
                jac = out.unflatten(self.call.unpack(inner.unflatten(col[k] for col in cols)) for k in range(len(out.leaves)))
                return (jac, self.call.aux) if self.call.has_aux else jac
        return self.call.result(jac)


def _jacobian(f: Callable[..., Any], argnums: Any, has_aux: bool, mode: str, name: str) -> Callable[..., Any]:
    @functools.wraps(f)
    def jacobian_of_f(*args: Any, **kwargs: Any) -> Any:
        flat = _Flat(_Call(f, argnums, has_aux, args, kwargs, name))
        return flat.result(modes.jacobian(flat, flat.call.x, mode=mode))

    return jacobian_of_f


def jacfwd(f: Callable[..., Any], argnums: Argnums = 0, has_aux: bool = False) -> Callable[..., Any]:
    """f's Jacobian as a function with f's arguments, by forward mode (one pass per chunk of inputs:
    for few inputs). Shape ``f(x).shape + x.shape``; for pytrees ``J[out][in]``, the result's
    structure outermost as in JAX. Arguments as for `grad`.

    >>> import numpy as np
    >>> jacfwd(lambda x, a: a * x**2)(np.array([1.0, 2.0]), 3.0)
    array([[ 6.,  0.],
           [ 0., 12.]])
    >>> jacfwd(lambda p: {"sum": p["a"] + p["b"], "prod": p["a"] * p["b"]})({"a": 2.0, "b": 5.0})
    {'sum': {'a': 1.0, 'b': 1.0}, 'prod': {'a': 5.0, 'b': 2.0}}
    """
    return _jacobian(f, argnums, has_aux, "forward", "jacfwd")


def jacrev(f: Callable[..., Any], argnums: Argnums = 0, has_aux: bool = False) -> Callable[..., Any]:
    """f's Jacobian as a function with f's arguments, by reverse mode (one backward sweep per output:
    for few outputs). The same results as `jacfwd`.

    >>> import numpy as np
    >>> jacrev(lambda x, a: a * x**2)(np.array([1.0, 2.0]), 3.0)
    array([[ 6.,  0.],
           [ 0., 12.]])
    """
    return _jacobian(f, argnums, has_aux, "reverse", "jacrev")


def hess(f: Callable[..., Any], argnums: Argnums = 0, has_aux: bool = False, *, mode: str | None = None) -> Callable[..., Any]:
    """The Hessian of a scalar-valued f as a function with f's arguments (JAX's ``jax.hessian(f)``;
    ``dualdiff.hessian(f, x)`` is the Hessian at a point). Shape ``x.shape + x.shape``; for a
    pytree ``H[i][j]``; for a tuple ``argnums`` a tuple of tuples. ``mode`` is `hessian`'s.

    >>> hess(lambda x, c: c * x[0] ** 2 * x[1])([1.0, 2.0], 3.0)
    array([[12.,  6.],
           [ 6.,  0.]])
    >>> hess(lambda a, b: a**2 * b, argnums=(0, 1))(1.0, 2.0)
    ((4.0, 2.0), (2.0, 0.0))
    """

    @functools.wraps(f)
    def hessian_of_f(*args: Any, **kwargs: Any) -> Any:
        call = _Call(f, argnums, has_aux, args, kwargs, "hess")
        h = modes.hessian(call, call.x, **_modes(mode))
        h = h if isinstance(call.nums, int) else {i: call.unpack(row) for i, row in h.items()}
        return call.result(h)

    return hessian_of_f
