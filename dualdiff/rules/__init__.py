"""Layer 1: the elementwise rules. `elementwise.py` is the machinery (it knows no number type),
`table.py` NumPy's table, `special.py` SciPy's (loaded on first use). ``dualdiff.rules.sin`` is
the table's line for sin."""

from .table import *  # noqa: F403
from .table import TABLE

__all__ = list(TABLE)
