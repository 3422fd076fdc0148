"""The content registry (``content.yml``): parts, chapters, lessons and labs.

One file says which pages exist, in which order, with which number, status,
level and words. The front page's chapter list, each chapter's header, the
navigation checks and the tests read it through this module, so a new page is
declared once. Words a reader sees come per language; ``Page.text`` picks one.
"""

from __future__ import annotations

import functools
import posixpath
from dataclasses import dataclass
from pathlib import Path

import yaml

from . import ROOT

REGISTRY_NAME = "content.yml"
DEFAULT_LANGUAGE = "en"

KINDS = ("chapter", "lesson", "summary", "lab", "index")
STATUSES = ("published", "planned")
LEVELS = ("CORE", "ADVANCED")
NUMBERED_KINDS = ("chapter", "lab")
TEXT_FIELDS = ("title", "short_title", "summary", "builds_on", "instruments", "difficulty", "prerequisites")
LIST_FIELDS = ("objectives",)
PAGE_FIELDS = ("kind", "slug", "number", "path", "status", "level", "practice_minutes", "summarises",
               *TEXT_FIELDS, *LIST_FIELDS)
PART_FIELDS = ("slug", "title", "pages")


class RegistryError(ValueError):
    """content.yml is malformed; the message names the entry and the field."""


@dataclass(frozen=True)
class Page:
    part: str
    kind: str
    slug: str
    status: str
    number: str | None = None
    path: str | None = None
    level: str | None = None
    practice_minutes: int | None = None
    summarises: str | None = None  # a summary page: the slug of the lesson it sums up
    words: tuple[tuple[str, tuple[tuple[str, str], ...]], ...] = ()
    lists: tuple[tuple[str, tuple[tuple[str, tuple[str, ...]], ...]], ...] = ()

    @property
    def published(self) -> bool:
        return self.status == "published"

    @property
    def url(self) -> str:
        """The page's address relative to the site root (directory URLs)."""
        return page_url(self.path) if self.path else ""

    def text(self, field: str, language: str = DEFAULT_LANGUAGE) -> str:
        """The words of ``field`` in ``language`` (English where not translated yet)."""
        if field not in TEXT_FIELDS:
            raise KeyError(field)
        by_language = dict(dict(self.words).get(field, ()))
        return by_language.get(language) or by_language.get(DEFAULT_LANGUAGE, "")

    def items(self, field: str, language: str = DEFAULT_LANGUAGE) -> tuple[str, ...]:
        """The list ``field`` (e.g. objectives) in ``language`` (English where not translated yet)."""
        if field not in LIST_FIELDS:
            raise KeyError(field)
        by_language = dict(dict(self.lists).get(field, ()))
        return by_language.get(language) or by_language.get(DEFAULT_LANGUAGE, ())


@dataclass(frozen=True)
class Part:
    slug: str
    titles: tuple[tuple[str, str], ...]
    pages: tuple[Page, ...]

    def title(self, language: str = DEFAULT_LANGUAGE) -> str:
        titles = dict(self.titles)
        return titles.get(language) or titles.get(DEFAULT_LANGUAGE, "")


@dataclass(frozen=True)
class Registry:
    parts: tuple[Part, ...]

    def pages(self, kind: str | None = None) -> list[Page]:
        return [p for part in self.parts for p in part.pages if kind is None or p.kind == kind]

    def chapters(self) -> list[Page]:
        return sorted(self.pages("chapter"), key=lambda p: int(p.number))

    def published(self) -> list[Page]:
        return [p for p in self.pages() if p.published]

    def page(self, slug: str) -> Page:
        for page in self.pages():
            if page.slug == slug:
                return page
        raise KeyError(f"no page {slug!r} in {REGISTRY_NAME}")

    def chapter(self, number: int | str) -> Page:
        wanted = int(number)
        for page in self.chapters():
            if int(page.number) == wanted:
                return page
        raise KeyError(f"no chapter {number!r} in {REGISTRY_NAME}")

    def summary_of(self, lesson: Page) -> Page | None:
        """The summary page that sums up ``lesson``, if it has one."""
        return next((p for p in self.pages("summary") if p.summarises == lesson.slug), None)

    def by_path(self, path: str) -> Page | None:
        """The registry entry of the Markdown file ``path`` (relative to the docs folder)."""
        for page in self.pages():
            if page.path == path:
                return page
        return None


def page_url(path: str) -> str:
    """'chapters/01-foundations.md' -> 'chapters/01-foundations/'; 'index.md' -> ''."""
    stem = path[: -len(".md")] if path.endswith(".md") else path
    if stem == "index":
        return ""
    if stem.endswith("/index"):
        return stem[: -len("index")]
    return stem + "/"


def relative_url(from_path: str, to_path: str) -> str:
    """A link from the page ``from_path`` to the page ``to_path`` as both builders write it."""
    source, target = page_url(from_path), page_url(to_path)
    relative = posixpath.relpath(target or ".", source or ".")
    return "./" if relative == "." else relative + "/"


def slug_of(path: str) -> str:
    """A page's slug from its file: the name without .md, or its folder's for an index."""
    parts = path[: -len(".md")].split("/")
    if parts[-1] == "index":
        return parts[-2] if len(parts) > 1 else "home"
    return parts[-1]


def find_registry(start: Path) -> Path:
    """content.yml in ``start`` or the nearest folder above it (the docs folder's project)."""
    for folder in (start, *start.parents):
        candidate = folder / REGISTRY_NAME
        if candidate.is_file():
            return candidate
    raise RegistryError(f"no {REGISTRY_NAME} in {start} or any folder above it")


def load(path: Path | None = None) -> Registry:
    """The registry at ``path`` (default: the project's), validated; cached until the file changes."""
    path = Path(path or ROOT / REGISTRY_NAME).resolve()
    stat = path.stat()
    return _load(str(path), stat.st_mtime_ns, stat.st_size)


@functools.lru_cache(maxsize=4)
def _load(path: str, mtime_ns: int, size: int) -> Registry:
    data = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    if set(data) != {"parts"} or not isinstance(data["parts"], list):
        raise RegistryError(f"{path}: the file holds one key, parts: a list")
    parts = tuple(_part(entry, f"{path}: part {i + 1}") for i, entry in enumerate(data["parts"]))
    registry = Registry(parts)
    _check_unique(registry, path)
    return registry


def _words(value, where: str) -> tuple[tuple[str, str], ...]:
    if isinstance(value, str):
        return ((DEFAULT_LANGUAGE, value),)
    if isinstance(value, dict) and value and all(isinstance(k, str) and isinstance(v, str) for k, v in value.items()):
        return tuple(sorted(value.items()))
    raise RegistryError(f"{where} must be words, or a mapping of language to words; got {value!r}")


def _word_lists(value, where: str) -> tuple[tuple[str, tuple[str, ...]], ...]:
    if isinstance(value, list):
        value = {DEFAULT_LANGUAGE: value}
    if isinstance(value, dict) and value and all(
        isinstance(k, str) and isinstance(v, list) and v and all(isinstance(i, str) and i for i in v)
        for k, v in value.items()
    ):
        return tuple(sorted((k, tuple(v)) for k, v in value.items()))
    raise RegistryError(f"{where} must be a list of words, or a mapping of language to such lists; got {value!r}")


def _unknown(entry: dict, allowed: tuple[str, ...], where: str) -> None:
    unknown = sorted(set(entry) - set(allowed))
    if unknown:
        raise RegistryError(f"{where}: unknown field(s) {', '.join(unknown)}; allowed: {', '.join(allowed)}")


def _named(entry, fields: tuple[str, ...], where: str) -> tuple[str, str]:
    """The entry's slug, and ``where`` naming it, once the entry is known to be well formed."""
    if not isinstance(entry, dict):
        raise RegistryError(f"{where} must be a mapping")
    slug = entry.get("slug")
    if not slug:
        raise RegistryError(f"{where} needs a slug")
    where = f"{where} ({slug})"
    _unknown(entry, fields, where)
    return slug, where


def _part(entry, where: str) -> Part:
    slug, where = _named(entry, PART_FIELDS, where)
    pages = entry.get("pages") or []
    return Part(
        slug=slug,
        titles=_words(entry.get("title", slug), f"{where}: title"),
        pages=tuple(_page(p, slug, f"{where}, page {i + 1}") for i, p in enumerate(pages)),
    )


def _page(entry, part: str, where: str) -> Page:
    slug, where = _named(entry, PAGE_FIELDS, where)
    kind, status, level = entry.get("kind"), entry.get("status", "planned"), entry.get("level")
    if kind not in KINDS:
        raise RegistryError(f"{where}: kind must be one of {', '.join(KINDS)}; got {kind!r}")
    if status not in STATUSES:
        raise RegistryError(f"{where}: status must be one of {', '.join(STATUSES)}; got {status!r}")
    if level is not None and level not in LEVELS:
        raise RegistryError(f"{where}: level must be one of {', '.join(LEVELS)}; got {level!r}")
    number = entry.get("number")
    if kind in NUMBERED_KINDS:
        if not isinstance(number, str) or not number.isdigit():
            raise RegistryError(f'{where}: a {kind} needs a number written as a string, e.g. "01"; got {number!r}')
    elif number is not None:
        raise RegistryError(f"{where}: only a chapter or a lab has a number")
    path = entry.get("path")
    if status == "published" and not path:
        raise RegistryError(f"{where}: a published page needs the path of its Markdown file")
    if path is not None:
        if not path.endswith(".md") or path.startswith("/"):
            raise RegistryError(f"{where}: path must be a .md file relative to docs/; got {path!r}")
        if slug_of(path) != slug:
            raise RegistryError(f"{where}: the slug must be the file's name, {slug_of(path)!r}")
    if "title" not in entry:
        raise RegistryError(f"{where} needs a title")
    practice = entry.get("practice_minutes")
    if practice is not None and (isinstance(practice, bool) or not isinstance(practice, int) or practice < 1):
        raise RegistryError(f"{where}: practice_minutes must be a whole number of minutes; got {practice!r}")
    summarises = entry.get("summarises")
    if (kind == "summary") != (summarises is not None):
        raise RegistryError(f"{where}: a summary page, and only a summary page, names the lesson it summarises")
    words = tuple((field, _words(entry[field], f"{where}: {field}")) for field in TEXT_FIELDS if field in entry)
    lists = tuple((field, _word_lists(entry[field], f"{where}: {field}")) for field in LIST_FIELDS if field in entry)
    return Page(part=part, kind=kind, slug=slug, status=status, number=number, path=path, level=level,
                practice_minutes=practice, summarises=summarises, words=words, lists=lists)


def _check_unique(registry: Registry, path: str) -> None:
    seen: dict[tuple, str] = {}
    for page in registry.pages():
        keys = [("slug", page.slug)]
        if page.number is not None:
            keys.append((f"{page.kind} number", page.number))
        if page.path is not None:
            keys.append(("path", page.path))
        for key in keys:
            if key in seen:
                raise RegistryError(f"{path}: {key[0]} {key[1]!r} is used by both {seen[key]} and {page.slug}")
            seen[key] = page.slug
    parts = [p.slug for p in registry.parts]
    if len(set(parts)) != len(parts):
        raise RegistryError(f"{path}: two parts share a slug")
    lessons = {p.slug for p in registry.pages("lesson")}
    for page in registry.pages("summary"):
        if page.summarises not in lessons:
            raise RegistryError(f"{path}: summary {page.slug} summarises {page.summarises!r}, which is no lesson")
