"""The other libraries, each behind the same small adapters; a peer that is not installed is skipped.

Every adapter returns a function of no arguments that computes the derivative (as NumPy data), so
`run.py` can check it against dualdiff's before timing it. All peers run in float64 and eagerly
(no jit), as dualdiff does.
"""

from __future__ import annotations

import importlib
import importlib.metadata
import os
from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

import numpy as np
from functions import chain, elementwise, elementwise_loss, net_loss, tridiagonal

NAMES = ("ad", "uncertainties", "autograd", "torch", "jax")
Thunk = Callable[[], Any]


def load(name: str) -> tuple[Any, str]:
    """(module, version) of an installed peer, or (None, why not)."""
    try:
        mod = importlib.import_module(name)
    except Exception as e:  # ImportError, or a broken install
        return None, f"not installed ({type(e).__name__})"
    if name == "torch":
        mod.set_num_threads(int(os.environ.get("OMP_NUM_THREADS") or mod.get_num_threads()))
    if name == "jax":
        mod.config.update("jax_enable_x64", True)  # float64, like everyone else here
    try:
        version = importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        version = str(getattr(mod, "__version__", "?"))
    return mod, version


# --- 1. scalar chain: d chain(x) / dx at a float ---
def chain_ad(x0: float, steps: int) -> Thunk:
    from ad import admath, adnumber

    def run() -> float:
        x = adnumber(x0)
        return chain(x, admath, steps).d(x)

    return run


def chain_uncertainties(x0: float, steps: int) -> Thunk:
    from uncertainties import ufloat, umath

    def run() -> float:
        x = y = ufloat(x0, 1.0)
        for _ in range(steps):
            # Reading .derivatives collapses the lazy linear part: left lazy, reading it at the end takes
            # time exponential in the steps (lmfit/uncertainties issue 105; about 60 s for 7 steps).
            y = chain(y, umath, 1)
            y.derivatives  # noqa: B018
        return y.derivatives[x]

    return run


def chain_autograd(x0: float, steps: int) -> Thunk:
    import autograd
    import autograd.numpy as anp

    g = autograd.grad(lambda x: chain(x, anp, steps))
    return lambda: float(g(x0))


def chain_torch(x0: float, steps: int) -> Thunk:
    import torch
    import torch.autograd.forward_ad as fwad

    def run() -> float:
        with fwad.dual_level():
            x = fwad.make_dual(torch.tensor(x0, dtype=torch.float64), torch.tensor(1.0, dtype=torch.float64))
            return fwad.unpack_dual(chain(x, torch, steps)).tangent.item()

    return run


def chain_jax(x0: float, steps: int) -> Thunk:
    import jax
    import jax.numpy as jnp

    x, v = jnp.asarray(x0), jnp.asarray(1.0)
    return lambda: float(jax.jvp(lambda z: chain(z, jnp, steps), (x,), (v,))[1])


# --- 2. elementwise jvp: f'(x) v for arrays ---
def jvp_autograd(x: np.ndarray, v: np.ndarray) -> Thunk:
    import autograd
    import autograd.numpy as anp

    jvp = autograd.make_jvp(lambda z: elementwise(z, anp))
    return lambda: jvp(x)(v)[1]


def jvp_torch(x: np.ndarray, v: np.ndarray) -> Thunk:
    import torch

    xt, vt = torch.from_numpy(x), torch.from_numpy(v)
    return lambda: torch.func.jvp(lambda z: elementwise(z, torch), (xt,), (vt,))[1].numpy()


def jvp_jax(x: np.ndarray, v: np.ndarray) -> Thunk:
    import jax
    import jax.numpy as jnp

    xj, vj = jnp.asarray(x), jnp.asarray(v)
    return lambda: np.asarray(jax.jvp(lambda z: elementwise(z, jnp), (xj,), (vj,))[1])


# --- 3. dense Jacobian of the tridiagonal map ---
def _torch_ns() -> SimpleNamespace:
    import torch

    def shifts(x: Any) -> tuple[Any, Any]:
        z = x.new_zeros(1)
        return torch.cat((z, x[:-1])), torch.cat((x[1:], z))

    return SimpleNamespace(sin=torch.sin, tanh=torch.tanh, sum=torch.sum, reshape=torch.reshape, shifts=shifts)


def _jax_ns() -> SimpleNamespace:
    import jax.numpy as jnp

    def shifts(x: Any) -> tuple[Any, Any]:
        z = jnp.zeros(1)
        return jnp.concatenate((z, x[:-1])), jnp.concatenate((x[1:], z))

    return SimpleNamespace(sin=jnp.sin, tanh=jnp.tanh, sum=jnp.sum, reshape=jnp.reshape, shifts=shifts)


def jacobian_torch(x: np.ndarray) -> Thunk:
    import torch

    m, xt = _torch_ns(), torch.from_numpy(x)
    return lambda: torch.func.jacfwd(lambda z: tridiagonal(z, m))(xt).numpy()


def jacobian_jax(x: np.ndarray) -> Thunk:
    import jax
    import jax.numpy as jnp

    m, xj = _jax_ns(), jnp.asarray(x)
    return lambda: np.asarray(jax.jacfwd(lambda z: tridiagonal(z, m))(xj))


# --- 4. reverse mode: gradients of scalar losses ---
def grad_autograd(x: np.ndarray, data: Any = None) -> Thunk:
    import autograd
    import autograd.numpy as anp

    f = (lambda z: elementwise_loss(z, anp)) if data is None else (lambda w: net_loss(w, data, anp))
    g = autograd.grad(f)
    return lambda: g(x)


def grad_torch(x: np.ndarray, data: Any = None) -> Thunk:
    import torch

    m = _torch_ns()
    if data is None:
        f = lambda z: elementwise_loss(z, torch)
    else:
        X, Y = torch.from_numpy(data.X), torch.from_numpy(data.Y)
        f = lambda w: net_loss(w, data, m, X, Y)

    def run() -> np.ndarray:
        xt = torch.from_numpy(x).requires_grad_()
        f(xt).backward()
        return xt.grad.numpy()

    return run


def grad_jax(x: np.ndarray, data: Any = None) -> Thunk:
    import jax
    import jax.numpy as jnp

    m = _jax_ns()
    if data is None:
        f = lambda z: elementwise_loss(z, jnp)
    else:
        X, Y = jnp.asarray(data.X), jnp.asarray(data.Y)
        f = lambda w: net_loss(w, data, m, X, Y)
    g, xj = jax.grad(f), jnp.asarray(x)
    return lambda: np.asarray(g(xj))


ADAPTERS: dict[str, dict[str, Callable[..., Thunk]]] = {
    "chain": {"ad": chain_ad, "uncertainties": chain_uncertainties, "autograd": chain_autograd, "torch": chain_torch, "jax": chain_jax},
    "jvp": {"autograd": jvp_autograd, "torch": jvp_torch, "jax": jvp_jax},
    "jacobian": {"torch": jacobian_torch, "jax": jacobian_jax},
    "grad": {"autograd": grad_autograd, "torch": grad_torch, "jax": grad_jax},
}
LABELS = {
    ("chain", "ad"): "ad",
    ("chain", "uncertainties"): "uncertainties (collapsed each step)",
    ("chain", "autograd"): "autograd.grad",
    ("chain", "torch"): "torch forward-AD",
    ("chain", "jax"): "jax.jvp (eager)",
    ("jvp", "autograd"): "autograd.make_jvp",
    ("jvp", "torch"): "torch.func.jvp",
    ("jvp", "jax"): "jax.jvp (eager)",
    ("jacobian", "torch"): "torch.func.jacfwd",
    ("jacobian", "jax"): "jax.jacfwd (eager)",
    ("grad", "autograd"): "autograd.grad",
    ("grad", "torch"): "torch backward",
    ("grad", "jax"): "jax.grad (eager)",
}
