"""Complex values: real, imag and conj are the linear primitives that are not complex-analytic, so
each states its own maps; angle is a composite. Everything complex-analytic (exp, *, /, sqrt, fft,
...) needs nothing here: its rules already hold for complex numbers.

The convention, the same in both modes: a cotangent c of a complex z means dL = Re(c dz). Then a
complex-analytic step multiplies c by its derivative, as for real numbers, and a real input's
gradient is Re(c), which the tape takes when a complex cotangent reaches a real variable.

>>> import numpy as np, dualdiff as dd
>>> dd.derivative(lambda x: np.imag(np.exp(1j * x)), 0.0)   # d/dx sin(x) at 0
1.0
>>> dd.gradient(lambda v: np.abs(v[0] * (3 + 4j)), [2.0], mode="reverse")
array([5.])
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..core.functions import Primitive, register
from ..core.number import plain

_real = Primitive("real", np.real, lambda ds, xs, y, k: np.real(ds[0]), lambda i, g, xs, y: g)
_imag = Primitive("imag", np.imag, lambda ds, xs, y, k: np.imag(ds[0]), lambda i, g, xs, y: -1j * g)
_conj = Primitive("conjugate", np.conjugate, lambda ds, xs, y, k: np.conjugate(ds[0]), lambda i, g, xs, y: np.conjugate(g))
_real.analytic = _imag.analytic = _conj.analytic = False  # so are abs and angle, which use them


@register(np.real)
def real(val: Any) -> Any:
    return _real(val) if np.iscomplexobj(plain(val)) else val


@register(np.imag)
def imag(val: Any) -> Any:
    return _imag(val) if np.iscomplexobj(plain(val)) else np.zeros(np.shape(plain(val)))


@register(np.conjugate, np.conj)
def conjugate(x: Any, out: Any = None, **kw: Any) -> Any:
    return _conj(x) if np.iscomplexobj(plain(x)) else x


@register(np.real_if_close)
def real_if_close(a: Any, tol: float = 100) -> Any:
    v = np.asarray(plain(a))
    return real(a) if np.iscomplexobj(v) and not np.iscomplexobj(np.real_if_close(v, tol)) else a


@register(np.angle)
def angle(z: Any, deg: bool = False) -> Any:
    a = np.arctan2(imag(z), real(z))
    return a * (180 / np.pi) if deg else a
