"""What dualdiff covers, read from its tables: the page docs/coverage.md is this module's output,
and a test checks that the page and the tables agree, so the list cannot go stale.

    python -m dualdiff.tools.coverage > docs/coverage.md

>>> text = page()
>>> "numpy.linalg.solve" in text and "`sin`" in text
True
"""

from __future__ import annotations

import importlib
import importlib.util
from typing import Any

from ..core.functions import FOREIGN, FUNCTIONS, Primitive
from ..core.number import qualname
from ..rules.elementwise import BY_UFUNC
from ..rules.table import TABLE

# scipy's modules, imported so that their rules are in the tables (only when SciPy is installed)
_SCIPY = ("scipy.special", "scipy.linalg", "scipy.stats", "scipy.signal")


def _load_scipy() -> bool:
    if importlib.util.find_spec("scipy") is None:
        return False
    for name in _SCIPY:
        importlib.import_module(name)
    return True


def primitives() -> list[tuple[str, str, bool]]:
    """(name, concern module, has a reverse rule) for every primitive of the function modules."""
    import dualdiff.functions as package

    found: dict[int, tuple[str, str, bool]] = {}
    for mod in sorted(_function_modules(package)):
        for value in vars(importlib.import_module(mod)).values():
            if isinstance(value, Primitive):
                found[id(value)] = (value.name, mod.rsplit(".", 1)[-1], value.vjp is not None)
    return sorted(found.values())


def _function_modules(package: Any) -> list[str]:
    import pkgutil

    return [f"{package.__name__}.{m.name}" for m in pkgutil.iter_modules(package.__path__)]


def _concern(impl: Any) -> str:
    mod = getattr(impl, "__module__", "") or ""
    return mod.rsplit(".", 1)[-1] if mod.startswith("dualdiff.functions") else "other"


def page() -> str:
    """The markdown of docs/coverage.md."""
    _load_scipy()
    values_only = {f for f, impl in FUNCTIONS.items() if getattr(impl, "__name__", "") == "on_values"}
    by_concern: dict[str, list[str]] = {}
    for f, impl in FUNCTIONS.items():
        if f not in values_only:
            by_concern.setdefault(_concern(impl), []).append(f"numpy.{qualname(f)}")
    prims = primitives()
    lines = [
        "# Coverage: what differentiates, in which mode",
        "",
        "Generated from dualdiff's tables by `python -m dualdiff.tools.coverage` (a test checks that this page",
        "matches them). Every function below is registered once, for both modes: forward mode (Dual) and",
        "reverse mode (Var) read the same table. A function is either a *primitive*, which states its",
        "forward map (jvp) and its reverse map (vjp) side by side, or a *composite* of other functions, which",
        "differentiates in both modes through them. So reverse mode covers a function exactly when every",
        "primitive under it has a reverse rule; the primitives' table below says which do.",
        "",
        f"## Primitives ({len(prims)}; with a reverse rule: {sum(p[2] for p in prims)})",
        "",
        "| primitive | module | forward | reverse |",
        "|---|---|---|---|",
    ]
    lines += [f"| `{n}` | `{m}` | yes | {'yes' if r else 'no rule yet'} |" for n, m, r in prims]
    lines += ["", f"## Elementwise rules of NumPy ({len(TABLE)}, `rules/table.py`): forward and reverse", ""]
    lines += [", ".join(f"`{n}`" for n in sorted(TABLE))]
    scipy_rules = sorted({r.name for r in BY_UFUNC.values() if r not in TABLE.values()})
    if scipy_rules:
        lines += ["", f"## Elementwise rules of scipy.special ({len(scipy_rules)}, `rules/special.py`): forward and reverse", ""]
        lines += [", ".join(f"`{n}`" for n in scipy_rules)]
    total = sum(len(v) for v in by_concern.values())
    lines += ["", f"## NumPy's functions ({total}), by concern module: forward and reverse", ""]
    for concern in sorted(by_concern):
        names = sorted(set(by_concern[concern]))
        lines += [f"- **{concern}** ({len(names)}): " + ", ".join(f"`{n}`" for n in names)]
    lines += ["", f"## Functions that see values only ({len(values_only)}): indices, flags, dtypes; no derivative to carry", ""]
    lines += [", ".join(f"`numpy.{qualname(f)}`" for f in sorted(values_only, key=qualname))]
    if FOREIGN:
        lines += ["", "## SciPy's functions that do not dispatch (wrapped when SciPy is imported)", ""]
        for module in sorted(FOREIGN):
            lines += [f"- **{module}**: " + ", ".join(f"`{n}`" for n in sorted(FOREIGN[module]))]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    print(page(), end="")
