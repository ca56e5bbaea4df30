"""``numpy.fft``: every transform is linear, so each primitive states only its map (the tangent is
transformed like the value) and its transpose. The DFT matrix is symmetric, so a complex transform
is its own transpose; the real transforms' transposes pad or weight the half spectrum.
Cotangents follow the convention of `complex.py` (dL = Re(c dz)).

>>> import numpy as np, dualdiff as dd
>>> x = np.array([1.0, 2.0, 0.5, -1.0])
>>> g = dd.gradient(lambda v: np.sum(np.abs(np.fft.fft(v)) ** 2), x, mode="reverse")   # Parseval: 2 n x
>>> bool(np.allclose(g, 2 * 4 * x))
True
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..core.dual import ndim, shape
from ..core.functions import linear, refuse, register
from .shapes import _as_operand, concatenate, roll

_DUAL_NORM = {None: "forward", "backward": "forward", "ortho": "ortho", "forward": "backward"}


def _shifted(axes: tuple[int, ...], k: tuple[int, ...]) -> tuple[int, ...]:
    return tuple(a + len(k) for a in axes)


# --- complex to complex: fftn and ifftn over given axes (the DFT matrix is symmetric) ---
def _c2c_value(x: Any, axes: tuple[int, ...], norm: Any, inverse: bool) -> Any:
    return (np.fft.ifftn if inverse else np.fft.fftn)(x, axes=axes, norm=norm)


_c2c = linear(
    "fft.fftn",
    _c2c_value,
    lambda i, g, xs, y, axes, norm, inverse: _c2c_value(g, axes, norm, inverse),
    batched=lambda d, k, axes, norm, inverse: _c2c_value(d, _shifted(axes, k), norm, inverse),
)


# --- real to complex: rfftn keeps the first n//2 + 1 entries of the last axis ---
def _r2c_value(x: Any, axes: tuple[int, ...], norm: Any) -> Any:
    return np.fft.rfftn(np.real(x), axes=axes, norm=norm)


def _r2c_transpose(i: int, g: Any, xs: tuple[Any, ...], y: Any, axes: tuple[int, ...], norm: Any) -> Any:
    last = axes[-1]
    n = np.shape(xs[0])[last]
    pad = list(np.shape(g))
    pad[last] = n - pad[last]
    full = concatenate([g, np.zeros(pad)], last) if pad[last] else g  # the transpose of keeping the first entries
    return _c2c_value(full, axes, norm, False)


_r2c = linear(
    "fft.rfftn",
    _r2c_value,
    _r2c_transpose,
    batched=lambda d, k, axes, norm: _r2c_value(d, _shifted(axes, k), norm),
)


# --- complex to real: irfftn reads the half spectrum; bins other than 0 (and n/2) count twice ---
def _c2r_value(a: Any, axes: tuple[int, ...], n: int, norm: Any) -> Any:
    s = [np.shape(a)[ax] for ax in axes[:-1]] + [n]
    return np.fft.irfftn(a, s=s, axes=axes, norm=norm)


def _c2r_transpose(i: int, g: Any, xs: tuple[Any, ...], y: Any, axes: tuple[int, ...], n: int, norm: Any) -> Any:
    half = np.fft.rfftn(g, axes=axes, norm=_DUAL_NORM[norm])
    m = np.shape(xs[0])[axes[-1]]
    w = np.full(m, 2.0)
    w[0] = 1.0
    if n % 2 == 0 and m > n // 2:
        w[n // 2] = 1.0
    w = np.reshape(w, tuple(-1 if j == axes[-1] % np.ndim(half) else 1 for j in range(np.ndim(half))))
    return np.conjugate(half) * w


_c2r = linear(
    "fft.irfftn",
    _c2r_value,
    _c2r_transpose,
    batched=lambda d, k, axes, n, norm: np.stack([_c2r_value(e, axes, n, norm) for e in d]),
)


# --- NumPy's signatures: lengths (n, s) crop or zero-pad first, then one primitive ---
def _resize(a: Any, n: int, axis: int) -> Any:
    have = shape(a)[axis]
    if n < have:
        return a[(slice(None),) * axis + (slice(0, n),)]
    if n > have:
        s = list(shape(a))
        s[axis] = n - have
        return concatenate([a, np.zeros(s)], axis)
    return a


def _plan(a: Any, s: Any, axes: Any) -> tuple[Any, tuple[int, ...], list[int]]:
    """Normalised axes and lengths, with a cropped or padded to them (NumPy's rules for s and axes)."""
    nd = ndim(a)
    if axes is None:
        axes = tuple(range(nd)) if s is None else tuple(range(nd - len(s), nd))
    axes = tuple(int(x) % nd for x in axes)
    lengths = [shape(a)[ax] for ax in axes] if s is None else [int(x) for x in s]
    return a, axes, lengths


def _fftn(a: Any, s: Any, axes: Any, norm: Any, inverse: bool) -> Any:
    a, axes, lengths = _plan(_as_operand(a), s, axes)
    for ax, n in zip(axes, lengths, strict=True):
        a = _resize(a, n, ax)
    return _c2c(a + 0j if not np.iscomplexobj(_value(a)) else a, axes=axes, norm=norm, inverse=inverse)


def _rfftn(a: Any, s: Any, axes: Any, norm: Any) -> Any:
    a, axes, lengths = _plan(_as_operand(a), s, axes)
    for ax, n in zip(axes, lengths, strict=True):
        a = _resize(a, n, ax)
    return _r2c(a, axes=axes, norm=norm)


def _irfftn(a: Any, s: Any, axes: Any, norm: Any) -> Any:
    a, axes, lengths = _plan(_as_operand(a), s, axes)
    if s is None:
        lengths[-1] = 2 * (shape(a)[axes[-1]] - 1)
    for ax, n in zip(axes[:-1], lengths[:-1], strict=True):
        a = _resize(a, n, ax)
    a = _resize(a, lengths[-1] // 2 + 1, axes[-1])
    return _c2r(a if np.iscomplexobj(_value(a)) else a + 0j, axes=axes, n=lengths[-1], norm=norm)


def _value(a: Any) -> Any:
    while hasattr(a, "value") and not isinstance(a, np.ndarray):
        a = a.value
    return a


def _one(n: Any) -> Any:
    return None if n is None else [n]


@register(np.fft.fft)
def fft(a: Any, n: Any = None, axis: int = -1, norm: Any = None, out: Any = None) -> Any:
    refuse("fft.fft", out=out)
    return _fftn(a, _one(n), (axis,), norm, False)


@register(np.fft.ifft)
def ifft(a: Any, n: Any = None, axis: int = -1, norm: Any = None, out: Any = None) -> Any:
    refuse("fft.ifft", out=out)
    return _fftn(a, _one(n), (axis,), norm, True)


@register(np.fft.fft2)
def fft2(a: Any, s: Any = None, axes: Any = (-2, -1), norm: Any = None, out: Any = None) -> Any:
    refuse("fft.fft2", out=out)
    return _fftn(a, s, axes, norm, False)


@register(np.fft.ifft2)
def ifft2(a: Any, s: Any = None, axes: Any = (-2, -1), norm: Any = None, out: Any = None) -> Any:
    refuse("fft.ifft2", out=out)
    return _fftn(a, s, axes, norm, True)


@register(np.fft.fftn)
def fftn(a: Any, s: Any = None, axes: Any = None, norm: Any = None, out: Any = None) -> Any:
    refuse("fft.fftn", out=out)
    return _fftn(a, s, axes, norm, False)


@register(np.fft.ifftn)
def ifftn(a: Any, s: Any = None, axes: Any = None, norm: Any = None, out: Any = None) -> Any:
    refuse("fft.ifftn", out=out)
    return _fftn(a, s, axes, norm, True)


@register(np.fft.rfft)
def rfft(a: Any, n: Any = None, axis: int = -1, norm: Any = None, out: Any = None) -> Any:
    refuse("fft.rfft", out=out)
    return _rfftn(a, _one(n), (axis,), norm)


@register(np.fft.rfft2)
def rfft2(a: Any, s: Any = None, axes: Any = (-2, -1), norm: Any = None, out: Any = None) -> Any:
    refuse("fft.rfft2", out=out)
    return _rfftn(a, s, axes, norm)


@register(np.fft.rfftn)
def rfftn(a: Any, s: Any = None, axes: Any = None, norm: Any = None, out: Any = None) -> Any:
    refuse("fft.rfftn", out=out)
    return _rfftn(a, s, axes, norm)


@register(np.fft.irfft)
def irfft(a: Any, n: Any = None, axis: int = -1, norm: Any = None, out: Any = None) -> Any:
    refuse("fft.irfft", out=out)
    return _irfftn(a, _one(n), (axis,), norm)


@register(np.fft.irfft2)
def irfft2(a: Any, s: Any = None, axes: Any = (-2, -1), norm: Any = None, out: Any = None) -> Any:
    refuse("fft.irfft2", out=out)
    return _irfftn(a, s, axes, norm)


@register(np.fft.irfftn)
def irfftn(a: Any, s: Any = None, axes: Any = None, norm: Any = None, out: Any = None) -> Any:
    refuse("fft.irfftn", out=out)
    return _irfftn(a, s, axes, norm)


@register(np.fft.hfft)
def hfft(a: Any, n: Any = None, axis: int = -1, norm: Any = None, out: Any = None) -> Any:
    """The transform of a Hermitian signal: irfft of the conjugate, with the opposite normalisation."""
    refuse("fft.hfft", out=out)
    return irfft(np.conjugate(_as_operand(a)), n, axis, _DUAL_NORM[norm])


@register(np.fft.ihfft)
def ihfft(a: Any, n: Any = None, axis: int = -1, norm: Any = None, out: Any = None) -> Any:
    refuse("fft.ihfft", out=out)
    return np.conjugate(rfft(a, n, axis, _DUAL_NORM[norm]))


@register(np.fft.fftshift)
def fftshift(x: Any, axes: Any = None) -> Any:
    x = _as_operand(x)
    axes = tuple(range(ndim(x))) if axes is None else (axes if isinstance(axes, (tuple, list)) else (axes,))
    return roll(x, [shape(x)[a] // 2 for a in axes], axes)


@register(np.fft.ifftshift)
def ifftshift(x: Any, axes: Any = None) -> Any:
    x = _as_operand(x)
    axes = tuple(range(ndim(x))) if axes is None else (axes if isinstance(axes, (tuple, list)) else (axes,))
    return roll(x, [-(shape(x)[a] // 2) for a in axes], axes)
