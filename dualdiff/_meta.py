"""The release's facts, written once: the version (pyproject.toml reads it from here), the name on
the package index, and where the documentation lives (error messages point there, not at files of
a checkout the user does not have). It imports nothing, so that every layer may use it."""

__version__ = "0.1.0"
DISTRIBUTION = "dualdiff-ad"  # the name pip installs; the import name stays dualdiff
DOCS = "https://dualdiff-ad.github.io/dualdiff/"


def doc(page: str = "") -> str:
    """The address of a documentation page, by its file name in docs/ without ``.md`` (MkDocs' URLs).

    >>> doc("conventions")
    'https://dualdiff-ad.github.io/dualdiff/conventions/'
    """
    return DOCS + (page.strip("/") + "/" if page else "")
