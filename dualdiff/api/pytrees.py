"""Pytrees: nested dicts, lists and tuples of arrays and numbers, differentiated as one vector.

A *leaf* is one array of numbers: a number, a NumPy array, a Dual or Var, or a list or tuple that
NumPy reads as one rectangular array (so ``gradient(f, [1.0, 2.0])`` means an array, as it always
has). A *node* is a dict, a namedtuple, or a list or tuple that is not one array: one that holds a
dict or a namedtuple, or whose entries differ in shape (``(W, b)`` with W 2x3 and b of length 2).

>>> import numpy as np
>>> vector, tree = ravel({"w": np.array([[1.0, 2.0]]), "b": (3.0, [4.0, 5.0])})
>>> vector
array([1., 2., 3., 4., 5.])
>>> tree.unflatten(tree.pieces(10 * vector, 0))
{'w': array([[10., 20.]]), 'b': (30.0, array([40., 50.]))}
"""

from __future__ import annotations

import functools
import numbers
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any, TypeVar

import numpy as np

from ..core.number import Number
from .forward import _input, float_dtype, keep_dtype

F = TypeVar("F", bound=Callable[..., Any])


def _namedtuple(x: Any) -> bool:
    return isinstance(x, tuple) and hasattr(type(x), "_fields")


def _array_shape(x: Any) -> tuple[int, ...] | None:
    """x's shape as one array, or None when x is a node."""
    if isinstance(x, dict) or _namedtuple(x):
        return None
    if isinstance(x, (list, tuple)):
        shapes = [_array_shape(e) for e in x]
        if any(s is None for s in shapes) or len(set(shapes)) > 1:
            return None
        return (len(x),) + (shapes[0] if shapes else ())  # type: ignore[operator]
    return tuple(getattr(x, "shape", ()))


def is_leaf(x: Any) -> bool:
    """True when x is one array of numbers (or something that is not a container at all).

    >>> is_leaf([1.0, 2.0]), is_leaf([np.zeros(2), np.ones(2)]), is_leaf((np.zeros((2, 3)), np.zeros(2))), is_leaf({"a": 1.0})
    (True, True, False, False)
    """
    return _array_shape(x) is not None


@dataclass(frozen=True)
class Tree:
    """The structure of a pytree: each node's type and keys, each leaf's shape and floating dtype."""

    node: Any  # dict, list, tuple or a namedtuple's class (any type of them); None for a leaf
    keys: tuple[Any, ...] = ()  # a dict's keys, or a sequence's indices
    children: tuple[Tree, ...] = ()
    shape: tuple[int, ...] = ()
    dtype: np.dtype | None = None

    @property
    def leaves(self) -> list[Tree]:
        """The leaves in order (a leaf is its own only leaf)."""
        if self.node is None:
            return [self]
        return [leaf for child in self.children for leaf in child.leaves]

    @property
    def size(self) -> int:
        """How many numbers the leaves hold together: the length of the raveled vector."""
        return sum(int(np.prod(leaf.shape)) for leaf in self.leaves)

    def unflatten(self, leaves: Iterable[Any]) -> Any:
        """The tree with these leaves, in the order `flatten` gave them."""
        it = iter(leaves)
        tree = self._build(it)
        if next(it, _END) is not _END:
            raise ValueError("more leaves than the tree has")
        return tree

    def _build(self, it: Iterator[Any]) -> Any:
        if self.node is None:
            return next(it)
        items = [child._build(it) for child in self.children]
        if issubclass(self.node, dict):
            return self.node(zip(self.keys, items, strict=True))
        if _namedtuple_type(self.node):
            return self.node(*items)
        return self.node(items)

    def pieces(self, a: Any, axis: int) -> list[Any]:
        """``a``'s axis ``axis`` (of length `size`) cut into one piece a leaf, that axis reshaped into
        the leaf's shape: a scalar leaf's piece loses the axis."""
        a_shape = np.shape(a)
        axis = axis % len(a_shape)
        out, start = [], 0
        for leaf in self.leaves:
            stop = start + int(np.prod(leaf.shape))
            part = a[(slice(None),) * axis + (slice(start, stop),)]
            out.append(_scalar(np.reshape(part, a_shape[:axis] + leaf.shape + a_shape[axis + 1 :])))
            start = stop
        return out

    def take(self, value: Any) -> list[Any]:
        """The leaves of ``value``, a tree of this structure (a derivative `pieces` built)."""
        if self.node is None:
            return [value]
        return [leaf for k, child in zip(self.keys, self.children, strict=True) for leaf in child.take(value[k])]

    def unravel(self, vector: Any) -> Any:
        """The tree whose leaves are the raveled ``vector``'s slices (Duals or Vars while f runs)."""
        out, start = [], 0
        for leaf in self.leaves:
            stop = start + int(np.prod(leaf.shape))
            out.append(vector[start] if leaf.shape == () else vector[start:stop].reshape(leaf.shape))
            start = stop
        return self.unflatten(out)


_END = object()


def _scalar(a: Any) -> Any:
    """A 0-d array as a number (a float for float64, as `derivative` gives; a float32 stays one)."""
    if not isinstance(a, np.ndarray) or a.ndim:
        return a
    v = a[()]
    return v.item() if type(v) in (np.float64, np.complex128) else v


def _namedtuple_type(t: type) -> bool:
    return issubclass(t, tuple) and hasattr(t, "_fields")


def flatten(x: Any, name: str = "x") -> tuple[list[Any], Tree]:
    """x's leaves, each a float (or complex) number or array, a Dual or a Var, and its structure.

    A leaf that is not numbers raises a TypeError naming its path (``x['b'][1]``).

    >>> leaves, tree = flatten({"a": 1, "b": [np.ones(2), np.float32(3.0)]})
    >>> leaves
    [1.0, array([1., 1.]), 3.0]
    >>> [leaf.shape for leaf in tree.leaves], tree.leaves[2].dtype
    ([(), (2,), ()], dtype('float32'))
    >>> flatten({"a": 1.0, "b": (np.ones(2), "label")})
    Traceback (most recent call last):
    TypeError: x['b'][1] must be a number or an array of numbers, not str
    """
    leaves: list[Any] = []
    return leaves, _flatten(x, name, leaves)


_LEAVES = (numbers.Number, np.bool_, np.ndarray, list, tuple, Number)


def _flatten(x: Any, path: str, leaves: list[Any]) -> Tree:
    if is_leaf(x):
        if not isinstance(x, _LEAVES):  # NumPy would read None as nan
            raise TypeError(f"{path} must be a number or an array of numbers, not {type(x).__name__}")
        value = _input(x, path, complex_ok=True)
        leaves.append(value)
        return Tree(None, shape=tuple(getattr(value, "shape", ())), dtype=float_dtype(x))
    keys = tuple(x) if isinstance(x, dict) else tuple(range(len(x)))
    children = tuple(_flatten(x[k], f"{path}[{k!r}]", leaves) for k in keys)
    return Tree(type(x), keys, children)


def ravel(x: Any, name: str = "x") -> tuple[Any, Tree]:
    """x's leaves as one vector (float64, or complex if a leaf is; Duals or Vars stay), and x's structure.

    >>> ravel([np.zeros((2, 2)), 1.0])[0]
    array([0., 0., 0., 0., 1.])
    """
    leaves, tree = flatten(x, name)
    if not leaves:
        return np.zeros(0), tree
    if not any(isinstance(leaf, Number) for leaf in leaves):
        return np.concatenate([np.ravel(leaf) for leaf in leaves]), tree
    return np.concatenate([np.reshape(leaf, (-1,)) for leaf in leaves]), tree


def _cast(pieces: list[Any], dtypes: list[np.dtype | None]) -> list[Any]:
    return [keep_dtype(p, d) for p, d in zip(pieces, dtypes, strict=True)]


def _promote(a: np.dtype | None, b: np.dtype | None) -> np.dtype | None:
    return None if a is None or b is None else np.result_type(a, b)


_MISSING = object()
# each at-a-point function's transform, and JAX's name for it
_TRANSFORMS = {
    "gradient": ("grad(f)", "grad"),
    "jacobian": ("jacfwd(f) or dualdiff.jacrev(f)", "jacobian"),
    "hessian": ("hess(f)", "hessian"),
}


def over_trees(kind: str) -> Callable[[F], F]:
    """Let an at-a-point function ``fn(f, x, ...)`` of modes.py take a pytree x.

    f then receives x's structure; the result comes back in it (``kind``: "gradient" has x's
    structure, "jacobian" f(x)'s shape in front of each leaf's, "hessian" a tree of trees,
    ``H[i][j]`` of shape ``leaf_i.shape + leaf_j.shape``), and derivatives keep each leaf's
    floating dtype (the computation runs in float64). A leaf x only has its dtype kept.
    """

    def wrap(fn: F) -> F:
        @functools.wraps(fn)
        def tree_aware(f: Callable[[Any], Any], x: Any = _MISSING, *args: Any, **kwargs: Any) -> Any:
            if x is _MISSING:  # jax.hessian(f) and autograd's jacobian(f) are functions; ours take the point
                transform, jax = _TRANSFORMS[kind]
                raise TypeError(
                    f"{kind}(f, x) evaluates f's {kind} at a point x, which is missing; for a function that "
                    f"computes it at any x (as jax.{jax}(f) does), use dualdiff.{transform}"
                )
            if type(x) is np.ndarray and x.dtype == np.float64:  # the common case: one float array, nothing to do
                return fn(f, x, *args, **kwargs)
            if x is None:  # NumPy would read it as nan
                raise TypeError("x must be a number or an array of numbers, not NoneType")
            if is_leaf(x):
                r = fn(f, x, *args, **kwargs)
                r = r if isinstance(x, np.ndarray) else _scalar(r)  # a number's derivative is a number in both modes
                return keep_dtype(r, float_dtype(x))
            if kwargs.get("sparse") or kwargs.get("sparsity") is not None:  # a CSR matrix has no tree to split into
                raise TypeError(f"{kind}(f, x, sparse=True) takes x as one array, not a {type(x).__name__} of them; ravel it first")
            vector, tree = ravel(x)
            r = fn(lambda v: f(tree.unravel(v)), vector, *args, **kwargs)
            dtypes = [leaf.dtype for leaf in tree.leaves]
            if kind == "gradient":
                return tree.unflatten(_cast(tree.pieces(r, 0), dtypes))
            if kind == "jacobian":
                return tree.unflatten(_cast(tree.pieces(r, -1), dtypes))
            rows = tree.pieces(r, 0)
            return tree.unflatten(
                tree.unflatten(_cast(tree.pieces(row, -1), [_promote(d, e) for e in dtypes])) for row, d in zip(rows, dtypes, strict=True)
            )

        return tree_aware  # type: ignore[return-value]

    return wrap
