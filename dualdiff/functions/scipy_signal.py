"""``scipy.signal``'s convolutions of Duals and Vars: ``convolve``, ``correlate``, ``fftconvolve`` and
``oaconvolve``, N-dimensional, in every mode, both modes of differentiation and every order.

Each is one composite, linear in each argument: the full convolution gathers the zero-padded first
input's sliding windows with one fancy index and contracts them with the flipped second input
(``tensordot``, or ``einsum`` over the axes that broadcast), ``full[n] = sum_j in1[n - j] in2[j]``;
the mode then cuts it as SciPy does. So the derivative in in1 is a convolution with in2 and the one in
in2 a convolution with in1, in both modes, to every order (the second derivative is the constant
bilinear form). ``method`` (``'auto'``, ``'direct'``, ``'fft'``) does not change the mathematical
result, so every method is this one; the values equal SciPy's direct sums to rounding, and its FFT's
to the FFT's rounding (about 1e-16 times the largest entry).

SciPy's rules, which this follows:

- ``'full'``: ``s1 + s2 - 1`` along each axis; ``'same'``: the centre of the full result with in1's
  shape (SciPy's ``_centered``: from index ``(s2 - 1) // 2``); ``'valid'``: the entries that need no
  padding, ``s1 - s2 + 1``; in 'valid' mode the inputs are swapped when in2 is at least as large in
  every axis, and a ValueError is raised when neither is.
- ``correlate(in1, in2)`` is ``convolve(in1, in2[::-1, ...].conj())`` (SciPy's own definition; its
  direct method agrees).
- ``fftconvolve`` and ``oaconvolve`` take ``axes``: the other axes broadcast (equal lengths, or 1),
  and axes where either input has length 1 broadcast too, as in SciPy (where they are dropped from
  ``axes`` before the 'valid' swap: so ``fftconvolve`` accepts some shapes ``convolve`` refuses).
- Inputs of different dimensionality raise SciPy's ValueError; 0-d inputs multiply; empty inputs
  give SciPy's own (empty) result.

>>> import numpy as np, scipy.signal
>>> import dualdiff as dd
>>> k = np.array([1.0, 2.0, 3.0])
>>> dd.jacobian(lambda x: scipy.signal.convolve(x, k, mode="valid"), np.ones(4))
array([[3., 2., 1., 0.],
       [0., 3., 2., 1.]])
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import scipy.signal as _ss

from ..core.functions import register_foreign
from ..core.number import Number, plain
from .shapes import _as_operand

_MODES = ("full", "same", "valid")
_LETTERS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"


def _scipy(name: str) -> Callable[..., Any]:
    """SciPy's own function, under dualdiff's wrapper if it is installed."""
    f = getattr(_ss, name)
    return f.__wrapped__ if getattr(f, "__dualdiff__", None) is not None else f


def _operand(a: Any) -> Any:
    a = _as_operand(a)
    return a if isinstance(a, Number) else np.asarray(a)


def _shape(a: Any) -> tuple[int, ...]:
    return tuple(np.shape(plain(a)))


def _reverse_and_conj(x: Any) -> Any:
    """x reversed along every axis, conjugated if complex (SciPy's ``_reverse_and_conj``)."""
    r = x[(slice(None, None, -1),) * len(_shape(x))]
    return np.conj(r) if np.iscomplexobj(plain(x)) else r


def _centered(arr: Any, newshape: Sequence[int]) -> Any:
    """SciPy's ``_centered``: the centre ``newshape`` part of arr."""
    cur = np.array(_shape(arr))
    start = (cur - np.asarray(newshape)) // 2
    end = start + np.asarray(newshape)
    return arr[tuple(slice(int(a), int(b)) for a, b in zip(start, end, strict=True))]


def _swap_needed(mode: str, s1: tuple[int, ...], s2: tuple[int, ...], axes: Sequence[int] | None = None) -> bool:
    """SciPy's ``_inputs_swap_needed``: in 'valid' mode, is in2 the larger one?"""
    if mode != "valid" or not s1:
        return False
    axes = range(len(s1)) if axes is None else axes
    ok1 = all(s1[i] >= s2[i] for i in axes)
    ok2 = all(s2[i] >= s1[i] for i in axes)
    if not (ok1 or ok2):
        raise ValueError("For 'valid' mode, one must be at least as large as the other in every dimension")
    return not ok1


def _full(in1: Any, in2: Any, axes: Sequence[int]) -> Any:
    """The full convolution along ``axes``; the other axes broadcast (lengths equal, or 1).

    ``out[n] = sum_j pad(in1)[n + j] flip(in2)[j]`` along each axis of ``axes``: one fancy index
    gathers the windows of the zero-padded in1, a contraction with the flipped in2 sums them.
    """
    s1, s2 = _shape(in1), _shape(in2)
    n = len(s1)
    axes = sorted(axes)
    k = len(axes)
    if not k:
        return in1 * in2
    padded = np.pad(in1, [(s2[a] - 1, s2[a] - 1) if a in axes else (0, 0) for a in range(n)])
    index = []
    for a in range(n):
        s = [1] * (n + k)
        if a in axes:
            w = axes.index(a)
            s[a], s[n + w] = s1[a] + s2[a] - 1, s2[a]
            i = np.arange(s[a]).reshape(-1, 1) + np.arange(s2[a]).reshape(1, -1)
        else:
            s[a] = s1[a]
            i = np.arange(s1[a])
        index.append(i.reshape(s))
    windows = padded[tuple(index)]  # out axes, then one window axis per convolved axis
    kernel = np.flip(in2, axis=tuple(axes))
    if k == n:
        return np.tensordot(windows, kernel, axes=n)
    # the other axes broadcast: both operands to their common lengths, then one einsum
    common = [max(s1[a], s2[a]) if a not in axes else 0 for a in range(n)]
    w_shape = tuple(common[a] if a not in axes else s1[a] + s2[a] - 1 for a in range(n)) + tuple(s2[a] for a in axes)
    k_shape = tuple(common[a] if a not in axes else s2[a] for a in range(n))
    windows = np.broadcast_to(windows, w_shape)
    kernel = np.broadcast_to(kernel, k_shape)
    out_letters = _LETTERS[:n]
    win_letters = _LETTERS[n : n + k]
    k_letters = "".join(win_letters[axes.index(a)] if a in axes else out_letters[a] for a in range(n))
    return np.einsum(f"{out_letters}{win_letters},{k_letters}->{out_letters}", windows, kernel)


def _check_mode(mode: str, message: str) -> None:
    if mode not in _MODES:
        raise ValueError(message)


def _empty(in1: Any, in2: Any) -> bool:
    return int(np.prod(_shape(in1))) == 0 or int(np.prod(_shape(in2))) == 0


@register_foreign("scipy.signal", "convolve")
def convolve(in1: Any, in2: Any, mode: str = "full", method: str = "auto") -> Any:
    """scipy.signal.convolve of Duals and Vars: the N-D convolution, in SciPy's modes.

    >>> import numpy as np, scipy.signal
    >>> from dualdiff import Dual
    >>> y = scipy.signal.convolve(Dual(np.array([1.0, 2.0]), np.array([1.0, 0.0])), np.array([1.0, 1.0, 1.0]), "same")
    >>> y.value, y.derivative
    (array([3., 3.]), array([1., 1.]))
    """
    volume, kernel = _operand(in1), _operand(in2)
    if method not in ("auto", "direct", "fft"):
        raise ValueError("Acceptable method flags are 'auto', 'direct', or 'fft'.")
    s1, s2 = _shape(volume), _shape(kernel)
    if len(s1) == len(s2) == 0:
        return volume * kernel
    if len(s1) != len(s2):
        raise ValueError("volume and kernel should have the same dimensionality")
    _check_mode(mode, "Acceptable mode flags are 'valid', 'same', or 'full'.")
    if _swap_needed(mode, s1, s2):
        volume, kernel, s1, s2 = kernel, volume, s2, s1
    if _empty(volume, kernel):
        return _scipy("convolve")(plain(volume), plain(kernel), mode=mode, method=method)
    full = _full(volume, kernel, range(len(s1)))
    if mode == "full":
        return full
    if mode == "same":
        return _centered(full, s1)
    return _centered(full, [a - b + 1 for a, b in zip(s1, s2, strict=True)])


@register_foreign("scipy.signal", "correlate")
def correlate(in1: Any, in2: Any, mode: str = "full", method: str = "auto") -> Any:
    """scipy.signal.correlate of Duals and Vars: ``convolve(in1, in2 reversed and conjugated)``, as SciPy defines it.

    >>> import numpy as np, scipy.signal
    >>> import dualdiff as dd
    >>> dd.gradient(lambda x: scipy.signal.correlate(x, np.array([1.0, 2.0]), "valid")[0], np.array([3.0, 4.0, 5.0]))
    array([1., 2., 0.])
    """
    in1, in2 = _operand(in1), _operand(in2)
    s1, s2 = _shape(in1), _shape(in2)
    if len(s1) == len(s2) == 0:
        return in1 * (np.conj(in2) if np.iscomplexobj(plain(in2)) else in2)
    if len(s1) != len(s2):
        raise ValueError("in1 and in2 should have the same dimensionality")
    _check_mode(mode, "Acceptable mode flags are 'valid', 'same', or 'full'.")
    if method not in ("auto", "direct", "fft"):
        raise ValueError("Acceptable method flags are 'auto', 'direct', or 'fft'.")
    return convolve(in1, _reverse_and_conj(in2), mode, method)


def _conv_axes(in1: Any, in2: Any, mode: str, axes: Any) -> tuple[Any, Any, list[int]]:
    """SciPy's ``_init_freq_conv_axes``: the convolved axes (those of length 1 in either input
    broadcast instead), the others checked, the inputs swapped in 'valid' mode when in2 is larger."""
    s1, s2 = _shape(in1), _shape(in2)
    n = len(s1)
    if axes is None:
        ax = list(range(n))
    else:
        ax = [int(operator.index(a)) for a in np.atleast_1d(axes)]
        if not ax:
            raise ValueError("when provided, axes cannot be empty")
        if any(a < -n or a >= n for a in ax):
            raise ValueError("axes exceeds dimensionality of input")
        ax = [a % n for a in ax]
        if len(set(ax)) != len(ax):
            raise ValueError("all axes must be unique")
    ax = [a for a in ax if s1[a] != 1 and s2[a] != 1]
    if not all(s1[a] == s2[a] or s1[a] == 1 or s2[a] == 1 for a in range(n) if a not in ax):
        raise ValueError(f"incompatible shapes for in1 and in2: {s1} and {s2}")
    if _swap_needed(mode, s1, s2, axes=ax):
        in1, in2 = in2, in1
    return in1, in2, ax


@register_foreign("scipy.signal", "fftconvolve", "oaconvolve")
def fftconvolve(in1: Any, in2: Any, mode: str = "full", axes: Any = None) -> Any:
    """scipy.signal.fftconvolve and oaconvolve of Duals and Vars: the same convolution as `convolve`
    (computed directly), along ``axes``, the other axes broadcast.

    >>> import numpy as np, scipy.signal
    >>> import dualdiff as dd
    >>> x = np.array([[1.0, 2.0], [3.0, 4.0]])
    >>> dd.gradient(lambda k: np.sum(scipy.signal.fftconvolve(x, k, axes=1)), np.array([[1.0, 1.0]]))
    array([[10., 10.]])
    """
    in1, in2 = _operand(in1), _operand(in2)
    s1, s2 = _shape(in1), _shape(in2)
    if len(s1) == len(s2) == 0:
        return in1 * in2
    if len(s1) != len(s2):
        raise ValueError("in1 and in2 should have the same dimensionality")
    if _empty(in1, in2):
        return np.asarray([])
    in1, in2, axes = _conv_axes(in1, in2, mode, axes)
    s1, s2 = _shape(in1), _shape(in2)
    _check_mode(mode, "acceptable mode flags are 'valid', 'same', or 'full'")
    ret = _full(in1, in2, axes)
    if mode == "full":
        return ret
    if mode == "same":
        return _centered(ret, s1)
    shape = _shape(ret)
    return _centered(ret, [shape[a] if a not in axes else s1[a] - s2[a] + 1 for a in range(len(shape))])
