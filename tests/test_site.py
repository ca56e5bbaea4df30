"""The documentation site: its configuration, its generated pages and pictures, and the elementwise
functions' docstrings (each states its derivative, and its example checks the formula at a point).

CI builds the site itself (`mkdocs build --strict`, see .ci/run); these tests need no MkDocs.
"""

from __future__ import annotations

import doctest
import importlib.util
import re
import sys
from pathlib import Path
from types import ModuleType

import pytest

import dualdiff
from dualdiff.rules.table import DERIVATIVES, TABLE

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
_NUMBER = re.compile(r"-?\d+\.\d*(?:e[-+]?\d+)?|-?\d+e[-+]?\d+|nan|inf")


def _load(path: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location(path.stem, path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


class _SixDigits(doctest.OutputChecker):
    """The docstrings show numbers to 6 significant digits: compare numbers so, and the rest exactly."""

    def check_output(self, want: str, got: str, optionflags: int) -> bool:
        if _NUMBER.sub("#", want) != _NUMBER.sub("#", got):
            return False
        pairs = zip(_NUMBER.findall(want), _NUMBER.findall(got), strict=True)
        return all(float(w) == pytest.approx(float(g), rel=1e-5, abs=1e-12) for w, g in pairs)


@pytest.mark.parametrize("name", list(TABLE))
def test_every_elementwise_function_states_its_derivative(name: str) -> None:
    rule = TABLE[name]
    doc = rule.__doc__ or ""
    assert name in DERIVATIVES, f"add {name}'s derivative to DERIVATIVES in dualdiff/rules/table.py"
    assert len(DERIVATIVES[name]) == rule.nargs, f"{name}: one formula an argument"
    for arg, formula in zip("xy"[: rule.nargs], DERIVATIVES[name], strict=True):
        call = f"{name}({', '.join('xy'[: rule.nargs])})"
        assert f"d/d{arg} {call} = {formula}" in doc


@pytest.mark.parametrize("name", list(TABLE))
def test_every_elementwise_example_runs_and_agrees_with_its_formula(name: str) -> None:
    test = doctest.DocTestParser().get_doctest(TABLE[name].__doc__ or "", {}, name, None, 0)
    assert len(test.examples) >= 3, f"{name}'s docstring has no example"
    runner = doctest.DocTestRunner(checker=_SixDigits(), optionflags=doctest.NORMALIZE_WHITESPACE)
    runner.run(test)
    assert runner.failures == 0, f"{name}: the example's derivative disagrees with its formula (see the output above)"


def test_the_six_digit_comparison_can_fail() -> None:
    checker = _SixDigits()
    assert checker.check_output("(0.877583, 0.877583)\n", "(0.8775825618903728, 0.8775825618903728)\n", 0)
    assert not checker.check_output("(0.877583, 0.877583)\n", "(0.8775825618903728, 0.87761)\n", 0)
    assert not checker.check_output("(1.0, 1.0)\n", "[1.0, 1.0]\n", 0)


def test_the_elementwise_page_lists_every_rule_with_its_derivative() -> None:
    page = _load(DOCS / "hooks.py").elementwise_page()
    for name in TABLE:
        assert f"## `{name}`" in page
        assert f"d/dx {name}(x" in page
    assert "## `abs`" not in page and "`abs` is another name for" in page
    assert dualdiff.abs is dualdiff.absolute and dualdiff.abs.rule is TABLE["absolute"]


def test_doctest_runs_in_docstrings_are_fenced_for_markdown() -> None:
    fence = _load(DOCS / "hooks.py").fence_doctests
    lines = ["Intro.", "", ">>> x = 1", ">>> x", "1", "", "```python", ">>> 2", "2", "", ">>> 3", "3", "```"]
    assert fence(lines) == ["Intro.", "", "```pycon", ">>> x = 1", ">>> x", "1", "```", "", *lines[6:]]


def _nav_pages(nav: object) -> list[str]:
    if isinstance(nav, str):
        return [nav]
    if isinstance(nav, dict):
        return [p for v in nav.values() for p in _nav_pages(v)]
    if isinstance(nav, list):
        return [p for v in nav for p in _nav_pages(v)]
    return []


def test_the_site_navigation_holds_every_page_and_only_existing_ones() -> None:
    text = (ROOT / "mkdocs.yml").read_text()
    listed = re.findall(r":\s+([\w/.-]+\.md)\s*$", text.split("\nnav:")[1], flags=re.M)
    generated = {"reference/elementwise.md"}
    for page in listed:
        assert page in generated or (DOCS / page).exists(), f"mkdocs.yml lists {page}, which does not exist"
    on_disk = {p.relative_to(DOCS).as_posix() for p in DOCS.rglob("*.md")}
    missing = sorted(on_disk - set(listed))
    assert not missing, f"add these pages to the nav of mkdocs.yml: {missing}"
    assert re.search(r"^strict: true$", text, flags=re.M) and re.search(r"^docs_dir: docs$", text, flags=re.M)


def test_the_docs_extra_and_ci_build_the_site() -> None:
    pyproject = (ROOT / "pyproject.toml").read_text()
    assert re.search(r'^docs = \[.*"mkdocs>=1\.6".*"mkdocstrings\[python\]', pyproject, flags=re.M)
    assert "mkdocs build --strict" in (ROOT / ".ci" / "run").read_text()


def test_the_pictures_are_what_their_script_draws_now() -> None:
    made = _load(DOCS / "images" / "make_pictures.py").pictures()
    for name, svg in made.items():
        assert (DOCS / "images" / name).read_text() == svg, f"regenerate: python docs/images/make_pictures.py ({name})"


def test_the_apple_picture_carries_dualdiffs_numbers() -> None:
    svg = (DOCS / "images" / "apple.svg").read_text()
    # forward values, backward gradients (price, count, tax, subtotal, seed) and each edge's local derivative
    for label in ("100", "2", "200", "1.1", "220", "2.2", "110", "1", "∂ 2", "∂ 100", "∂ 1.1", "∂ 200"):
        assert f">{label}</text>" in svg, label
    rules = (DOCS / "images" / "node-rules.svg").read_text()
    for label in ("z = 7", "z = 12", "g = 1.5", "g·y = 6", "g·x = 4.5", "∂ y", "∂ x"):
        assert f">{label}</text>" in rules, label
    both = (DOCS / "images" / "forward-reverse.svg").read_text()
    for label in ("speed 1", "speed 2", "speed 2.2", "speed 0", "2.2, 110, 200"):
        assert label in both, label


@pytest.mark.parametrize(
    ("page", "picture"),
    [("seed.md", "apple.svg"), ("forward-and-reverse.md", "apple.svg"), ("forward-and-reverse.md", "node-rules.svg"),
     ("how-it-works.md", "forward-reverse.svg")],
)
def test_the_pictures_are_on_their_pages(page: str, picture: str) -> None:
    assert re.search(rf"!\[[^\]]+\]\(images/{re.escape(picture)}\)", (DOCS / page).read_text())


def test_the_generated_reference_covers_every_public_name() -> None:
    blocks = "".join(p.read_text() for p in sorted((DOCS / "reference").glob("*.md")))
    documented = set(re.findall(r"^::: dualdiff(?:\.\w+)*\.(\w+)$", blocks, flags=re.M))  # dualdiff.x or its module's path
    public = {name for name in dualdiff.__all__ if name not in TABLE and name != "abs"}  # those: the generated page
    missing = sorted(public - documented)
    assert not missing, f"add a `::: dualdiff.<name>` block to a page of docs/reference/ for {missing}"
