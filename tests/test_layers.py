"""The package's shape: layers import one way (rules -> core -> functions -> api -> tools), with no
import cycle anywhere, counting imports inside functions and importlib calls."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "dualdiff"
LAYERS = ["rules", "core", "functions", "api", "tools"]  # each may import only from those before it


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(p): p for p in PACKAGE.rglob("*.py")}


def imports(name: str) -> set[str]:
    """The package's modules that ``name`` imports, wherever the import statement stands."""
    path = MODULES[name]
    package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        targets: list[str] = []
        if isinstance(node, ast.ImportFrom):
            base = package.split(".")[: len(package.split(".")) - node.level + 1] if node.level else []
            mod = ".".join(base + ([node.module] if node.module else []))
            targets = [mod] + [f"{mod}.{a.name}" for a in node.names]
        elif isinstance(node, ast.Import):
            targets = [a.name for a in node.names]
        elif isinstance(node, ast.Call) and getattr(node.func, "attr", getattr(node.func, "id", "")) in ("import_module", "__import__"):
            targets = [a.value for a in node.args[:1] if isinstance(a, ast.Constant) and isinstance(a.value, str)]
        for t in targets:
            while t and t not in MODULES and "." in t:
                t = t.rsplit(".", 1)[0]
            if t in MODULES and t != name:
                found.add(t)
    return found


def layer(name: str) -> int | None:
    parts = name.split(".")
    return LAYERS.index(parts[1]) if len(parts) > 1 and parts[1] in LAYERS else None


GRAPH = {name: imports(name) for name in MODULES}


def test_the_walker_sees_imports() -> None:  # the test below must be able to fail
    assert "dualdiff.core.functions" in GRAPH["dualdiff.core.dual"]
    assert "dualdiff.rules.table" in GRAPH["dualdiff.core.number"]


def test_no_import_cycle() -> None:
    done: set[str] = set()

    def visit(name: str, path: list[str]) -> None:
        if name in path:
            pytest.fail("import cycle: " + " -> ".join(path[path.index(name) :] + [name]))
        if name in done:
            return
        for dep in GRAPH[name]:
            if not (dep == "dualdiff" and name.startswith("dualdiff.")):  # a part may not import the public face
                visit(dep, path + [name])
        done.add(name)

    for name in GRAPH:
        visit(name, [])


@pytest.mark.parametrize("name", sorted(n for n in MODULES if layer(n) is not None))
def test_layers_import_one_way(name: str) -> None:
    mine = layer(name)
    assert mine is not None
    for dep in GRAPH[name]:
        theirs = layer(dep)
        assert dep != "dualdiff", f"{name} imports the package's public face"
        assert theirs is None or theirs <= mine, f"{name} ({LAYERS[mine]}) imports {dep} ({LAYERS[theirs]}), a layer above it"
