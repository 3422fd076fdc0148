"""The header at the top of a registered page: kicker, title and facts strip.

Everything in it comes from the content registry, except the reading time,
which is counted from the page's own words so it can never go stale. It is
part of the page's content (not of a theme template), so every builder
renders the same header. Its link home is written to ``index.md``, relative
to the page's source, and inserted as a real element: each builder then
resolves and checks it like any Markdown link (raw HTML links are left alone
by MkDocs but rewritten by Zensical).
"""

from __future__ import annotations

import html
import posixpath

from .content import Page, Registry
from .interface_words import word

# The interface words of the header, per language (reader-facing; kept
# together so a message catalogue can take them over).
WORDS = {
    "en": {
        "home": "encyclopedia",
        "field": "deep learning",
        "breadcrumb": "Breadcrumb",
        "count": "chapter {number} / {total}",
        "level": "Level",
        "reading_time": "Reading time",
        "minutes": "≈ {minutes} min",
        "builds_on": "Builds on",
        "instruments": "Instruments",
    },
}


def words(language: str) -> dict[str, str]:
    return WORDS.get(language, WORDS["en"])


def _link(page: Page, target: str) -> str:
    """A Markdown-style link from ``page`` to the docs file ``target``, for the builder to resolve."""
    return posixpath.relpath(target, posixpath.dirname(page.path) or ".")


def _facts(facts: list[tuple[str, str, str]]) -> str:
    esc = html.escape
    return "".join(f"<div><dt>{esc(label)}</dt><dd{attrs}>{value}</dd></div>" for label, value, attrs in facts)


def _kicker(page: Page, registry: Registry, language: str, current: str) -> str:
    w, esc = words(language), html.escape
    part = next(p for p in registry.parts if p.slug == page.part)
    return (
        f'<nav class="chapter-header__kicker" aria-label="{esc(w["breadcrumb"])}"><ol>'
        f'<li><a href="{_link(page, "index.md")}">{esc(w["home"])}</a></li>'
        f'<li>{esc(w["field"])}</li>'
        f"<li>{esc(part.title(language).lower())}</li>"
        f'<li aria-current="page">{esc(current)}</li>'
        f"</ol></nav>"
    )


def _reading_time(language: str, minutes: int) -> tuple[str, str, str]:
    w = words(language)
    return (w["reading_time"], html.escape(w["minutes"].format(minutes=minutes)), f' data-reading-time="{minutes}"')


def _lesson_header(page: Page, registry: Registry, language: str, minutes: int) -> str:
    w, esc = words(language), html.escape
    short = page.text("short_title", language) or page.text("title", language).lower()
    facts = [
        (w["level"], esc(page.level or ""), ""),
        (word("header.difficulty", language), esc(page.text("difficulty", language)), ""),
        _reading_time(language, minutes),
        (word("header.practice_time", language), esc(w["minutes"].format(minutes=page.practice_minutes or 0)),
         f' data-practice-time="{page.practice_minutes or 0}"'),
        (w["instruments"], esc(page.text("instruments", language)), ""),
    ]
    objectives = "".join(f"<li>{esc(item)}</li>" for item in page.items("objectives", language))
    summary = registry.summary_of(page)
    summary_link = (
        f'<p class="lesson-header__summary"><a href="{_link(page, summary.path)}">'
        f'{esc(word("header.summary_link", language))}</a></p>'
        if summary and summary.published else ""
    )
    return (
        f'<header class="chapter-header lesson-header">'
        f"{_kicker(page, registry, language, word('header.kind.lesson', language) + ' · ' + short)}"
        f'<h1 id="lesson-title">{esc(page.text("title", language))}</h1>'
        f'<dl class="chapter-header__facts">{_facts(facts)}</dl>'
        f'<dl class="lesson-header__details">'
        f'<div><dt>{esc(word("header.prerequisites", language))}</dt>'
        f'<dd>{esc(page.text("prerequisites", language))}</dd></div>'
        f'<div><dt>{esc(word("header.objectives", language))}</dt>'
        f'<dd><ol class="lesson-header__objectives">{objectives}</ol></dd></div>'
        f"</dl>{summary_link}</header>"
    )


def _summary_header(page: Page, registry: Registry, language: str, minutes: int) -> str:
    w, esc = words(language), html.escape
    lesson = registry.page(page.summarises)
    return (
        f'<header class="chapter-header summary-header">'
        f"{_kicker(page, registry, language, word('header.kind.summary', language))}"
        f'<h1 id="summary-title">{esc(page.text("title", language))}</h1>'
        f'<dl class="chapter-header__facts">{_facts([_reading_time(language, minutes)])}</dl>'
        f'<p class="lesson-header__summary">{esc(word("header.summary_of", language))} '
        f'<a href="{_link(page, lesson.path)}">{esc(lesson.text("title", language))}</a></p>'
        f"</header>"
    )


def render_header(page: Page, registry: Registry, language: str, minutes: int) -> str | None:
    """The header HTML of ``page``, or None for kinds that have none (yet)."""
    if page.kind == "lesson":
        return _lesson_header(page, registry, language, minutes)
    if page.kind == "summary":
        return _summary_header(page, registry, language, minutes)
    if page.kind != "chapter":
        return None
    w = words(language)
    esc = html.escape
    total = f"{len(registry.chapters()):02d}"
    home = posixpath.relpath("index.md", posixpath.dirname(page.path) or ".")
    short = page.text("short_title", language) or page.text("title", language).lower()
    facts = [
        (w["level"], esc(page.level or ""), ""),
        (w["reading_time"], esc(w["minutes"].format(minutes=minutes)), f' data-reading-time="{minutes}"'),
        (w["builds_on"], esc(page.text("builds_on", language)), ""),
        (w["instruments"], esc(page.text("instruments", language)), ""),
    ]
    facts_html = "".join(f"<div><dt>{esc(label)}</dt><dd{attrs}>{value}</dd></div>" for label, value, attrs in facts)
    return (
        f'<header class="chapter-header">'
        f'<nav class="chapter-header__kicker" aria-label="{esc(w["breadcrumb"])}"><ol>'
        f'<li><a href="{home}">{esc(w["home"])}</a></li>'
        f'<li>{esc(w["field"])}</li>'
        f'<li aria-current="page">{esc(page.number)} · {esc(short)}</li>'
        f"</ol></nav>"
        f'<p class="chapter-header__count">{esc(w["count"].format(number=page.number, total=total))}</p>'
        f'<h1 id="chapter-title">{esc(page.text("title", language))}</h1>'
        f'<dl class="chapter-header__facts">{facts_html}</dl>'
        f"</header>"
    )
