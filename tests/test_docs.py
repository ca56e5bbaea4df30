"""The documentation: every public name documented, links that resolve, pictures that match the code.

The code examples of docs/*.md run as doctests (pyproject's --doctest-glob); this file checks what
doctests cannot: that nothing public is missing, and that the pages and pictures are not stale.
"""

from __future__ import annotations

import inspect
import re
import sys
from pathlib import Path

import numpy as np
import pytest

import dualdiff
from dualdiff.rules import TABLE
from dualdiff.rules.elementwise import Elementwise
from dualdiff.tools.cli import functions
from dualdiff.tools.graph import trace_graph
from dualdiff.tools.plot import plot_tangent

DOCS = Path(__file__).resolve().parents[1] / "docs"
API = (DOCS / "api.md").read_text()
PAGES = sorted(DOCS.glob("*.md"))

# Public names whose docstrings still lack a runnable example (their modules belong to other
# layers; reported to the lead). The second test below fails once one gets an example, so that
# this list can only shrink.


@pytest.mark.parametrize("name", dualdiff.__all__)
def test_every_public_name_is_in_the_api_reference(name: str) -> None:
    assert re.search(rf"`{re.escape(name)}[`(]", API), f"docs/api.md does not document dualdiff.{name}"


@pytest.mark.parametrize("name", dualdiff.__all__)
def test_every_public_name_has_a_docstring_with_an_example(name: str) -> None:
    obj = getattr(dualdiff, name)
    doc = inspect.getdoc(obj) or ""
    assert len(doc) > 20, f"dualdiff.{name} has no docstring"
    if isinstance(getattr(obj, "rule", None), Elementwise):  # an elementwise function: its rule's docstring
        # generated from the table (tests/test_site.py runs each example), and api.md's block checks every line of it
        assert obj.rule in TABLE.values() and "for name, f in TABLE.items()" in API and "d/dx" in doc
    assert ">>>" in doc, f"the docstring of dualdiff.{name} has no example"


def _headings(text: str) -> set[str]:
    """GitHub's anchors: lower case, punctuation dropped, spaces to hyphens."""
    out = set()
    for line in text.splitlines():
        if line.startswith("#"):
            title = line.lstrip("#").strip().lower()
            out.add(re.sub(r"\s", "-", re.sub(r"[^\w\s-]", "", title)))
    return out


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_local_links_and_images_resolve(page: Path) -> None:
    text = page.read_text()
    for target in re.findall(r"\]\(([^)\s]+)\)", text):
        if re.match(r"[a-z]+:", target):
            continue  # a web address
        path, _, anchor = target.partition("#")
        file = (page.parent / path).resolve() if path else page
        assert file.exists(), f"{page.name} links to {target}, which does not exist"
        if anchor and file.suffix == ".md":
            assert anchor in _headings(file.read_text()), f"{page.name}: no heading for #{anchor} in {file.name}"


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_python_examples_are_doctests(page: Path) -> None:
    blocks = re.findall(r"```python\n(.*?)```", page.read_text(), flags=re.S)
    for block in blocks:
        assert block.lstrip().startswith(">>>"), f"{page.name} has a python block that is not a doctest:\n{block[:200]}"
        assert block.endswith("\n\n"), f"{page.name}: end a doctest block with a blank line before the fence:\n{block[-200:]}"


def test_the_graph_picture_matches_the_code() -> None:
    g = trace_graph(lambda x, y: (x + y) ** 2, x=1.0, y=2.0)
    assert (DOCS / "images" / "graph.dot").read_text() == g.dot() + "\n"  # regenerate with g.save(...)
    svg = (DOCS / "images" / "graph.svg").read_text()
    for label in ("x = 1", "y = 2", "t = 3", "z = 9", "dz/dx = 6", "dz/dy = 6", "dz/dt = 6", "dz/dz = 1", "**2"):
        assert f">{label}</text>" in svg, label


def test_the_tangent_picture_exists() -> None:
    data = (DOCS / "images" / "tangent.png").read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 10_000


def test_plot_tangent_without_matplotlib_says_how_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    monkeypatch.setitem(sys.modules, "matplotlib.pyplot", None)
    with pytest.raises(ImportError, match=r"pip install 'dualdiff-ad\[plot\]'"):
        plot_tangent(lambda x: 2 * x**2 + 2, 5.0)


def test_the_cli_page_lists_every_function_of_the_grammar() -> None:
    text = (DOCS / "cli.md").read_text()
    section = text.split("## What an expression may contain")[1].split("Everything else")[0]
    listed = set(re.findall(r"\b([a-z_][a-z0-9_]*)\b", section))
    missing = sorted(set(functions()) - listed)
    assert not missing, f"docs/cli.md does not list {missing}"


def test_the_index_links_every_page() -> None:
    index = (DOCS / "index.md").read_text()
    for page in PAGES:
        if page.name != "index.md":
            assert f"]({page.name})" in index, f"docs/index.md does not link {page.name}"


def test_the_coverage_page_is_generated_from_the_tables() -> None:
    from dualdiff.tools import coverage

    committed, generated = (DOCS / "coverage.md").read_text(), coverage.page()
    # a newer NumPy that dropped an alias (row_stack in 2.5) has one name fewer to register: the page
    # was generated beside it, so compare without those names and the counts they change
    gone = [n for n in re.findall(r"`numpy\.(\w+)`", committed) if not hasattr(np, n)]
    if gone:
        def without(text: str) -> str:
            for n in gone:
                text = text.replace(f"`numpy.{n}`, ", "").replace(f", `numpy.{n}`", "")
            return re.sub(r"\(\d+\)", "(n)", text)

        committed, generated = without(committed), without(generated)
    assert committed == generated, "regenerate: python -m dualdiff.tools.coverage > docs/coverage.md"
