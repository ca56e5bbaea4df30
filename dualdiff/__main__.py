"""``python -m dualdiff "(x + y)**2" x=1 y=2`` runs the command line; with no arguments, a worked demo."""

from __future__ import annotations

import sys
from collections.abc import Sequence

from . import Dual


def demo() -> str:
    """The seed note's chain-rule example, z = (x + y)**2 at x = 1, y = 2.

    >>> print(demo())
    z = (x + y)**2 at x = 1, y = 2
      t = x + y = 3,  z = t**2 = 9
      dz/dx = dz/dt * dt/dx = 2t * 1 = 6
      dz/dy = dz/dt * dt/dy = 2t * 1 = 6
    try: dualdiff "(x + y)**2" x=1 y=2 --graph text    (or --help)
    """
    x, y = 1.0, 2.0
    zx = (Dual(x, 1.0) + y) ** 2
    zy = (x + Dual(y, 1.0)) ** 2
    return "\n".join([
        "z = (x + y)**2 at x = 1, y = 2",
        f"  t = x + y = {x + y:g},  z = t**2 = {zx.value:g}",
        f"  dz/dx = dz/dt * dt/dx = 2t * 1 = {zx.derivative:g}",
        f"  dz/dy = dz/dt * dt/dy = 2t * 1 = {zy.derivative:g}",
        'try: dualdiff "(x + y)**2" x=1 y=2 --graph text    (or --help)',
    ])


def main(argv: Sequence[str] | None = None) -> int:
    """The ``dualdiff`` program: the demo without arguments, else the command line (`dualdiff.cli`).

    >>> main(["x*y", "x=2", "y=3", "--json"])
    {"expression": "x*y", "point": {"x": 2.0, "y": 3.0}, "value": 6.0, "forward": {"x": 3.0, "y": 2.0},
     "reverse": {"x": 3.0, "y": 2.0}, "agree": true}
    0
    """
    args = list(sys.argv[1:] if argv is None else argv)
    if not args:
        print(demo())
        return 0
    from .tools.cli import main as cli_main

    return cli_main(args)


if __name__ == "__main__":
    raise SystemExit(main())
