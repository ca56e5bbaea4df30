"""dualdiff: exact derivatives of Python and NumPy code with dual numbers.

>>> from dualdiff import Dual, derivative
>>> (Dual(3.0, 1.0) ** 2).derivative
6.0
>>> derivative(lambda x: (x + 2.0) ** 2, 1.0)
6.0

The layers, each importing only from those above it in this list: ``rules`` (the elementwise
table), ``core`` (Dual, Var, the one function table), ``functions`` (NumPy's functions by concern),
``api`` (the user's functions), ``tools`` (command line, graph, plot).
"""

import importlib

from .rules.table import TABLE as _TABLE
from .core.dual import Dual, public_function as _public_function
from .core.tape import Var
from .core.number import from_objects as stack
from .core.functions import after_import as _after_import
from .functions import shapes, reductions, selection, products, statistics, linalg, complex, fft  # noqa: F401  (register them)
from .api.forward import default_chunk, derivative, jvp
from .api.modes import gradient, hessian, jacobian
from .api.reverse import hvp, vjp
from .api.taylor import taylor
from .api.sparse import coloring, hessian_sparsity, jacobian_sparsity
from .api.transforms import grad, hess, jacfwd, jacrev, value_and_grad
from .api.check import CheckError, CheckReport, check_gradient
from .api.register import register_elementwise, register_function
from .tools.graph import Graph, trace_graph
from .tools.plot import plot_tangent, tangent_line

# the elementwise table's functions, one export a line of rules/table.py (dualdiff.sin, ...), as plain
# functions (fast to call); each one's ``.rule`` is the table's rule
globals().update({_name: _public_function(_rule) for _name, _rule in _TABLE.items()})
abs = absolute  # type: ignore[name-defined]  # noqa: F821

__all__ = [
    "Dual", "Var", "stack", "default_chunk", "derivative", "gradient", "hessian", "jacobian", "jvp", "vjp", "hvp", "taylor",
    "jacobian_sparsity", "hessian_sparsity", "coloring",
    "grad", "value_and_grad", "jacfwd", "jacrev", "hess",
    "check_gradient", "CheckReport", "CheckError", "register_elementwise", "register_function",
    "Graph", "trace_graph", "tangent_line", "plot_tangent", "abs", *_TABLE,
]
from ._meta import __version__ as __version__  # written once, in _meta.py (pyproject.toml reads it there too)

# SciPy's rules load when SciPy's modules are imported (importing SciPy is slow: never for us)
_after_import("scipy.special", lambda: None if importlib.import_module("dualdiff.functions.scipy_special") else None)
_after_import("scipy.linalg", lambda: None if importlib.import_module("dualdiff.functions.scipy_linalg") else None)
_after_import("scipy.stats", lambda: None if importlib.import_module("dualdiff.functions.scipy_stats") else None)
_after_import("scipy.signal", lambda: None if importlib.import_module("dualdiff.functions.scipy_signal") else None)


def __getattr__(name: str) -> object:
    if name == "special":
        try:
            return importlib.import_module("dualdiff.rules.special")
        except ImportError:  # no SciPy: then there is no dualdiff.special either
            raise AttributeError("dualdiff.special needs SciPy (pip install scipy)") from None
    raise AttributeError(f"module 'dualdiff' has no attribute {name!r}")
