"""``python -m dualdiff``: a short worked demonstration of the chain rule."""

from __future__ import annotations

from . import Dual


def demo() -> str:
    """The seed note's chain-rule example, z = (x + y)**2 at x = 1, y = 2.

    >>> print(demo().splitlines()[0])
    z = (x + y)**2 at x = 1, y = 2
    """
    x, y = 1.0, 2.0
    zx = (Dual(x, 1.0) + y) ** 2
    zy = (x + Dual(y, 1.0)) ** 2
    return "\n".join([
        "z = (x + y)**2 at x = 1, y = 2",
        f"  t = x + y = {x + y:g},  z = t**2 = {zx.value:g}",
        f"  dz/dx = dz/dt * dt/dx = 2t * 1 = {zx.derivative:g}",
        f"  dz/dy = dz/dt * dt/dy = 2t * 1 = {zy.derivative:g}",
    ])


def main(argv: list[str] | None = None) -> int:
    print(demo())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
