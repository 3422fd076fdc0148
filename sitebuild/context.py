"""Which page a Markdown conversion belongs to, under either builder.

Python-Markdown itself does not know the file it converts. The page header,
the fences' error messages and relative links need it, so this module asks
the builder:

* Zensical registers a ``rendering_context`` preprocessor holding the page
  (its path relative to the docs folder) and the whole config;
* MkDocs tells extensions nothing, so ``hooks/encyclopedia.py`` calls
  ``set_mkdocs_page`` before each page is converted (MkDocs renders pages one
  at a time).

Outside a build (a plain ``markdown.markdown`` call in a test) there is no page.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from . import ROOT


@dataclass(frozen=True)
class PageContext:
    path: str  # the Markdown file, relative to the docs folder, with forward slashes
    language: str  # theme.language of the site being built
    docs_dir: Path


_mkdocs_page: PageContext | None = None


def set_mkdocs_page(path: str, language: str, docs_dir: str | Path) -> None:
    global _mkdocs_page
    _mkdocs_page = PageContext(path, language or "en", Path(docs_dir))


def current_page(md) -> PageContext | None:
    """The page ``md`` is converting, or None outside a site build."""
    zensical = md.preprocessors["rendering_context"] if "rendering_context" in md.preprocessors else None
    if zensical is not None:
        config = zensical.config
        docs_dir = Path(config.get("root_dir") or ROOT) / config.get("docs_dir", "docs")
        language = (config.get("theme") or {}).get("language") or "en"
        return PageContext(zensical.page.path, language, docs_dir)
    return _mkdocs_page


def describe(md) -> str:
    """'page chapters/01-foundations.md', to name the page in an error message."""
    page = current_page(md)
    return f"page {page.path}" if page else "a page"
