"""The release: a wheel and an sdist built from the tree hold the LICENSE and py.typed, the metadata
says what an index needs (a free name, an SPDX license, the version written once), and no message
sends a user to a file of a checkout they do not have."""

from __future__ import annotations

import ast
import email
import re
import shutil
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import pytest

import dualdiff
from dualdiff import _meta

ROOT = Path(__file__).resolve().parent.parent
ARTEFACTS = shutil.ignore_patterns(".git", "build", "dist", "site", "*.egg-info", "__pycache__", ".mypy_cache", ".ruff_cache")


def _build_backend_ready() -> str:
    """Why the build cannot run here ("" when it can): it needs the test extra's build and setuptools>=77."""
    try:
        import build  # noqa: F401
        import setuptools
    except ImportError as e:
        return f"building needs the test extra ({e.name} is missing): pip install -e '.[test]'"
    major = int(setuptools.__version__.split(".")[0])
    return "" if major >= 77 else f"building needs setuptools>=77 (the test extra), not {setuptools.__version__}"


@pytest.fixture(scope="module")
def dists(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The sdist and the wheel built from a copy of the tree (as a fresh clone has it), the wheel
    from the sdist, as `python -m build` does: so the sdist is proven complete too."""
    why = _build_backend_ready()
    if why:
        pytest.skip(why)
    tmp = tmp_path_factory.mktemp("release")
    src = tmp / "src"
    shutil.copytree(ROOT, src, ignore=ARTEFACTS)
    out = tmp / "dist"
    done = subprocess.run([sys.executable, "-m", "build", "--no-isolation", "--outdir", str(out), str(src)],
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    (wheel,) = out.glob("*.whl")
    (sdist,) = out.glob("*.tar.gz")
    return {"wheel": wheel, "sdist": sdist}


def test_wheel_holds_license_py_typed_and_metadata(dists: dict[str, Path]) -> None:
    with zipfile.ZipFile(dists["wheel"]) as z:
        names = z.namelist()
        info = next(n for n in names if n.endswith(".dist-info/METADATA"))
        meta = email.message_from_bytes(z.read(info))
        license_text = z.read(next(n for n in names if n.endswith("/LICENSE")))
    assert "dualdiff/py.typed" in names and "dualdiff/tools/layout.py" in names
    assert license_text.startswith(b"MIT License")
    assert meta["Name"] == _meta.DISTRIBUTION == "dualdiff-ad" and meta["Version"] == dualdiff.__version__
    assert meta["License-Expression"] == "MIT" and meta["License-File"] == "LICENSE"
    assert "Typing :: Typed" in meta.get_all("Classifier", [])
    assert f"Documentation, {_meta.DOCS}" in meta.get_all("Project-URL", [])
    assert [r for r in meta.get_all("Requires-Dist", []) if "extra" not in r] == [f"numpy>={_numpy_floor()}"]


def test_sdist_holds_license_and_leaves_the_tests_out(dists: dict[str, Path]) -> None:
    with tarfile.open(dists["sdist"]) as t:
        names = [n.split("/", 1)[1] for n in t.getnames() if "/" in n]
    assert {"LICENSE", "README.md", "pyproject.toml", "dualdiff/py.typed", "dualdiff/_meta.py"} <= set(names)
    assert not [n for n in names if n.startswith("tests")]  # left out whole (MANIFEST.in), not half


def _numpy_floor() -> str:
    text = (ROOT / "pyproject.toml").read_text()
    m = re.search(r'^dependencies = \["numpy>=([\d.]+)"\]', text, re.M)
    assert m, "pyproject.toml declares numpy>=FLOOR as the only runtime dependency"
    return m.group(1)


def test_ci_runs_the_suite_on_the_declared_numpy_floor() -> None:
    ci = (ROOT / ".ci" / "run").read_text()
    assert "numpy==${FLOOR}" in ci and "dependencies" in ci  # the floor is read from pyproject.toml, not written twice
    # the README's run, the run on the floor, and the newest Python's version-sensitive files
    assert ci.count("python -m pytest -q") == 3 and '"$PY313" -m venv' in ci


def test_version_is_written_once_and_printed() -> None:
    assert 'dynamic = ["version"]' in (ROOT / "pyproject.toml").read_text()
    assert re.fullmatch(r"\d+\.\d+\.\d+", dualdiff.__version__)
    done = subprocess.run([sys.executable, "-m", "dualdiff", "--version"], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0 and done.stdout.strip() == f"dualdiff {dualdiff.__version__}"


def test_install_lines_name_our_distribution() -> None:
    """ "dualdiff" on the package index is an unrelated project: every pip install of ours from the
    index says dualdiff-ad (a checkout's pip install -e . needs no name)."""
    pages = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md")), *sorted((ROOT / "dualdiff").rglob("*.py"))]
    wrong = [f"{p.name}: {m.group(0)}" for p in pages
             for m in re.finditer(r"pip install\s+['\"]?dualdiff(?![-\w])[^\s'\"`]*", p.read_text(encoding="utf-8"))]
    assert wrong == []


def test_messages_point_at_the_documentation_site_not_at_files() -> None:
    found = []
    for path in sorted((ROOT / "dualdiff").rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        docstrings = {id(n.body[0].value) for n in ast.walk(tree)
                      if isinstance(n, (ast.Module, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))
                      and n.body and isinstance(n.body[0], ast.Expr)}
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings:
                if re.search(r"docs/[\w-]+\.md", node.value):
                    found.append(f"{path.relative_to(ROOT)}:{node.lineno}: {node.value[:60]}")
    assert found == []
    assert _meta.doc("conventions") == _meta.DOCS + "conventions/" and _meta.DOCS.startswith("https://")
