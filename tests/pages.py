"""Where the tests find pages: the content registry and the site's navigation.

No test names a chapter's file or URL: it asks for ``chapter(1)`` or
``lessons("foundations")`` (or loops over ``registry().chapters()``), so
moving or adding a page needs no test edit. Every helper takes a language (default English): a page keeps its path in
every edition, so ``url(page, "es")`` is ``/es/`` plus its English URL and
``source(page, "es")`` its file under ``docs/es/``. ``LANGUAGES`` lists the
editions (one per message catalogue, see ``sitebuild/editions.py``).
"""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from sitebuild import content, editions
from sitebuild.i18n import DEFAULT_LANGUAGE, languages

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
CELL_ID = re.compile(r'^```pycell\b[^\n]*\bid="([^"]+)"', re.M)
LANGUAGES = languages()
OTHER_LANGUAGES = tuple(lang for lang in LANGUAGES if lang != DEFAULT_LANGUAGE)


def registry() -> content.Registry:
    return content.load()


def chapter(number: int) -> content.Page:
    return registry().chapter(number)


def lessons(part: str | None = None) -> list[content.Page]:
    """The lessons in registry order, of one part or of all."""
    return [p for p in registry().pages("lesson") if part is None or p.part == part]


def summary(lesson: content.Page) -> content.Page:
    found = registry().summary_of(lesson)
    assert found is not None, f"lesson {lesson.slug} has no summary page in content.yml"
    return found


def url(page: content.Page | str, language: str = DEFAULT_LANGUAGE) -> str:
    """The page's URL path on the site, '/chapters/01-foundations/' (a page or a docs path);
    in another language, under its prefix: '/es/chapters/01-foundations/'."""
    path = page if isinstance(page, str) else page.path
    return "/" + editions.edition(language).prefix + content.page_url(path)


def source(page: content.Page | str, language: str = DEFAULT_LANGUAGE) -> Path:
    """The page's Markdown file in ``language``'s docs folder (a page or a docs path)."""
    path = page if isinstance(page, str) else page.path
    return editions.edition(language).source(path)


def cell_ids(page: content.Page, language: str = DEFAULT_LANGUAGE) -> list[str]:
    return CELL_ID.findall(source(page, language).read_text(encoding="utf-8"))


class _IgnoreTags(yaml.SafeLoader):
    """Reads mkdocs.yml without running its Python tags."""


_IgnoreTags.add_multi_constructor("", lambda loader, suffix, node: None)


def config(language: str = DEFAULT_LANGUAGE) -> dict:
    """An edition's own config file (mkdocs.yml, mkdocs.es.yml) as written, tags unread, INHERIT not followed."""
    return yaml.load(editions.edition(language).config.read_text(encoding="utf-8"), Loader=_IgnoreTags)


def nav_entries(language: str = DEFAULT_LANGUAGE) -> list[tuple[str, str]]:
    """(title, docs path) of every page in the edition's nav, in order."""
    nav = config(language)["nav"]
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


def site_pages(language: str = DEFAULT_LANGUAGE) -> list[str]:
    """The URL path of every page in the navigation, e.g. ['/', '/chapters/01-foundations/', ...]."""
    return [url(path, language) for _, path in nav_entries(language)]
