"""Where the tests find pages: the content registry and the site's navigation.

No test names a chapter's file or URL: it asks for ``chapter(1)`` (or loops
over ``registry().chapters()``), so moving or adding a page needs no test edit.
"""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from sitebuild import content

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
CELL_ID = re.compile(r'^```pycell\b[^\n]*\bid="([^"]+)"', re.M)


def registry() -> content.Registry:
    return content.load()


def chapter(number: int) -> content.Page:
    return registry().chapter(number)


def url(page: content.Page | str) -> str:
    """The page's URL path on the site, '/chapters/01-foundations/' (a page or a docs path)."""
    path = page if isinstance(page, str) else page.path
    return "/" + content.page_url(path)


def source(page: content.Page) -> Path:
    return DOCS / page.path


def cell_ids(page: content.Page) -> list[str]:
    return CELL_ID.findall(source(page).read_text(encoding="utf-8"))


class _IgnoreTags(yaml.SafeLoader):
    """Reads mkdocs.yml without running its Python tags."""


_IgnoreTags.add_multi_constructor("", lambda loader, suffix, node: None)


def nav_entries(config: Path = ROOT / "mkdocs.yml") -> list[tuple[str, str]]:
    """(title, docs path) of every page in mkdocs.yml's nav, in order."""
    nav = yaml.load(config.read_text(encoding="utf-8"), Loader=_IgnoreTags)["nav"]
    entries: list[tuple[str, str]] = []

    def walk(items):
        for item in items:
            for title, value in item.items():
                if isinstance(value, list):
                    walk(value)
                else:
                    entries.append((title, value))

    walk(nav)
    return entries


def site_pages() -> list[str]:
    """The URL path of every page in the navigation, e.g. ['/', '/chapters/01-foundations/', ...]."""
    return [url(path) for _, path in nav_entries()]
