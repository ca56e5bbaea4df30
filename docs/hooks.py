"""MkDocs hooks for the site (mkdocs.yml: ``hooks``); not part of the package.

The page of elementwise functions is generated from the table of rules when the site is built, so it
cannot fall behind the table. Docstrings hold doctests as plain ``>>>`` lines, as Python's own docs do. Markdown would read them as
nested block quotes (and ``[...]`` in them as links), so each run of doctest lines is fenced as a
``pycon`` code block before Markdown sees it, on the pages and in the docstrings mkdocstrings renders.
Markdown itself is imported only when MkDocs calls the hook: pytest imports this file for doctests.
"""

from __future__ import annotations

from typing import Any


def fence_doctests(lines: list[str]) -> list[str]:
    """Wrap each run of doctest lines (from ``>>>`` to the next blank line) in a code fence.

    >>> fence_doctests(["Text.", "", ">>> 1 + 1", "2", "", "More."])
    ['Text.', '', '```pycon', '>>> 1 + 1', '2', '```', '', 'More.']
    >>> fence_doctests(["```python", ">>> 1", "1", "", ">>> 2", "2", "", "```"])[4]  # already fenced
    '>>> 2'

    """
    out: list[str] = []
    inside = ""  # the indentation of the open run
    open_run = in_fence = False
    for line in lines:
        stripped = line.lstrip()
        if not open_run and stripped.startswith(("```", "~~~")):
            in_fence = not in_fence  # a fenced block of the page's own: left as it is
        elif not open_run and not in_fence and stripped.startswith(">>>") and (not out or not out[-1].strip()):
            inside = line[: len(line) - len(stripped)]
            out.append(inside + "```pycon")
            open_run = True
        elif open_run and not stripped:
            out.append(inside + "```")
            open_run = False
        out.append(line)
    if open_run:
        out.append(inside + "```")
    return out


ELEMENTWISE_PAGE = "reference/elementwise.md"


def elementwise_page() -> str:
    """The reference page of the elementwise functions: each rule's docstring, in the table's order.

    >>> "## `sin`" in elementwise_page() and "d/dx sin(x) = cos(x)" in elementwise_page()
    True
    """
    import inspect

    from dualdiff.rules.table import TABLE

    parts = [
        "# Reference: elementwise functions",
        "",
        "Generated from the table of rules (`dualdiff/rules/table.py`, one line a rule) when the site is",
        "built. Each function works on floats, NumPy arrays, Duals and tape variables; each states its",
        "derivative and checks it at a point against the rule itself. `abs` is another name for",
        "`absolute`. What happens at special points (0, ties, outside the domain) is in",
        "[conventions](../conventions.md).",
    ]
    for name, rule in TABLE.items():
        parts += ["", f"## `{name}`", "", inspect.cleandoc(rule.__doc__ or "")]
    return "\n".join(parts) + "\n"


def on_files(files: Any, config: Any) -> Any:
    """Add the generated page of elementwise functions to the site."""
    from mkdocs.structure.files import File

    files.append(File.generated(config, ELEMENTWISE_PAGE, content=elementwise_page()))
    return files


def on_config(config: Any) -> Any:
    """Add the doctest fencing to Markdown before mkdocstrings copies the list of extensions."""
    from markdown import Extension
    from markdown.preprocessors import Preprocessor

    class DoctestFences(Preprocessor):
        def run(self, lines: list[str]) -> list[str]:
            return fence_doctests(lines)

    class DoctestExtension(Extension):
        def extendMarkdown(self, md: Any) -> None:  # noqa: N802 (Markdown's name)
            # before fenced code (priority 25) reads the fences this adds
            md.preprocessors.register(DoctestFences(md), "doctest_fences", 27)

    config.markdown_extensions.append(DoctestExtension())
    return config


on_config.mkdocs_priority = 100  # type: ignore[attr-defined]  # before mkdocstrings' own on_config
