"""dualdiff: exact derivatives of Python and NumPy code with dual numbers.

>>> from dualdiff import Dual, derivative
>>> (Dual(3.0, 1.0) ** 2).derivative
6.0
>>> derivative(lambda x: (x + 2.0) ** 2, 1.0)
6.0
"""

from .dual import Dual
from . import arrays as _arrays  # noqa: F401  (registers NumPy functions for Duals)
from .arrays import from_objects as stack
from .api import default_chunk, derivative, gradient, hessian, jacobian, jvp
from .rules import (
    absolute, add, arccos, arccosh, arcsin, arcsinh, arctan, arctan2, arctanh, cbrt, ceil, cos,
    cosh, deg2rad, divide, exp, exp2, expm1, fabs, float_power, floor, floor_divide, fmax, fmin,
    fmod, hypot, log, log1p, log2, log10, logaddexp, logaddexp2, maximum, minimum, multiply,
    negative, positive, power, rad2deg, reciprocal, remainder, rint, sign, sin, sinh, sqrt,
    square, subtract, tan, tanh, trunc,
)

abs = absolute

__all__ = [
    "Dual", "stack", "default_chunk", "derivative", "gradient", "hessian", "jacobian", "jvp",
    "abs", "absolute", "add", "arccos", "arccosh", "arcsin", "arcsinh", "arctan", "arctan2",
    "arctanh", "cbrt", "ceil", "cos", "cosh", "deg2rad", "divide", "exp", "exp2", "expm1", "fabs",
    "float_power", "floor", "floor_divide", "fmax", "fmin", "fmod", "hypot", "log", "log1p",
    "log2", "log10", "logaddexp", "logaddexp2", "maximum", "minimum", "multiply", "negative",
    "positive", "power", "rad2deg", "reciprocal", "remainder", "rint", "sign", "sin", "sinh",
    "sqrt", "square", "subtract", "tan", "tanh", "trunc",
]
__version__ = "0.1.0"

# --- reverse mode (tape.py, tape_arrays.py, reverse.py, check.py) ---
from .reverse import hvp, vjp
from .tape import Var
from .check import CheckError, CheckReport, check_gradient
from . import composites as _composites  # noqa: F401  (stack, dot, ... for both modes)

__all__ += ["Var", "vjp", "hvp", "check_gradient", "CheckReport", "CheckError"]

# --- NumPy layer (arrays.py, linalg.py, special.py): exports added below this line ---
from . import linalg as _linalg  # noqa: F401  (registers numpy.linalg functions for Duals)
from .arrays import register_elementwise, register_function

__all__ += ["register_elementwise", "register_function"]


def __getattr__(name: str) -> object:
    # dualdiff.special needs SciPy, and importing SciPy is slow: load it on first use only
    if name == "special":
        import importlib

        try:
            return importlib.import_module(".special", __name__)
        except ImportError:  # no SciPy: then there is no dualdiff.special either
            raise AttributeError("dualdiff.special needs SciPy (pip install scipy)") from None
    raise AttributeError(f"module 'dualdiff' has no attribute {name!r}")

# --- graph, command line, plots (graph.py, cli.py, plot.py): exports added below this line ---
from .graph import Graph, trace_graph
from .plot import plot_tangent, tangent_line

__all__ += ["Graph", "trace_graph", "tangent_line", "plot_tangent"]
