"""The header at the top of a registered page: kicker, title and facts strip.

Everything in it comes from the content registry, except the reading time,
which is counted from the page's own words so it can never go stale. Its
interface words come from the message catalogue (``i18n.py``). It is
part of the page's content (not of a theme template), so every builder
renders the same header. Its link home is written to ``index.md``, relative
to the page's source, and inserted as a real element: each builder then
resolves and checks it like any Markdown link (raw HTML links are left alone
by MkDocs but rewritten by Zensical).

A chapter's header also carries a top bar: the index, and the next chapter.
A lesson's header also lists its objectives, difficulty, practice time and
prerequisites, and links its summary page; a summary's links its lesson.
"""

from __future__ import annotations

import html
import posixpath

from .content import Page, Registry
from .i18n import t, translator


def level_words(level: str | None, language: str) -> str:
    """A registry level (CORE, ADVANCED) as the reader's language writes it."""
    return translator(language)(f"level.{level.lower()}") if level else ""


def _link(page: Page, target: str) -> str:
    """A Markdown-style link from ``page`` to the docs file ``target``, for the builder to resolve."""
    return posixpath.relpath(target, posixpath.dirname(page.path) or ".")


def _facts(facts: list[tuple[str, str, str]]) -> str:
    esc = html.escape
    return "".join(f"<div><dt>{esc(label)}</dt><dd{attrs}>{value}</dd></div>" for label, value, attrs in facts)


def _kicker(page: Page, language: str, current: str) -> str:
    w, esc = translator(language), html.escape
    return (
        f'<nav class="chapter-header__kicker" aria-label="{esc(w("header.breadcrumb"))}"><ol>'
        f'<li><a href="{_link(page, "index.md")}">{esc(w("header.home"))}</a></li>'
        f'<li>{esc(w("header.field"))}</li>'
        f'<li aria-current="page">{esc(current)}</li>'
        f"</ol></nav>"
    )


def _reading_time(language: str, minutes: int) -> tuple[str, str, str]:
    w = translator(language)
    return (w("header.reading_time"), html.escape(w("header.minutes", minutes=minutes)),
            f' data-reading-time="{minutes}"')


def _lesson_header(page: Page, registry: Registry, language: str, minutes: int) -> str:
    w, esc = translator(language), html.escape
    short = page.text("short_title", language) or page.text("title", language).lower()
    practice = page.practice_minutes or 0
    facts = [
        (w("header.level"), esc(level_words(page.level, language)), ""),
        (w("header.difficulty"), esc(page.text("difficulty", language)), ""),
        _reading_time(language, minutes),
        (w("header.practice_time"), esc(w("header.minutes", minutes=practice)), f' data-practice-time="{practice}"'),
        (w("header.instruments"), esc(page.text("instruments", language)), ""),
    ]
    objectives = "".join(f"<li>{esc(item)}</li>" for item in page.items("objectives", language))
    summary = registry.summary_of(page)
    summary_link = (
        f'<p class="lesson-header__summary"><a href="{_link(page, summary.path)}">'
        f'{esc(w("header.summary_link"))}</a></p>'
        if summary and summary.published else ""
    )
    return (
        f'<header class="chapter-header lesson-header">'
        f"{_kicker(page, language, w('header.kind.lesson') + ' · ' + short)}"
        f'<h1 id="lesson-title">{esc(page.text("title", language))}</h1>'
        f'<dl class="chapter-header__facts">{_facts(facts)}</dl>'
        f'<dl class="lesson-header__details">'
        f'<div><dt>{esc(w("header.prerequisites"))}</dt>'
        f'<dd>{esc(page.text("prerequisites", language))}</dd></div>'
        f'<div><dt>{esc(w("header.objectives"))}</dt>'
        f'<dd><ol class="lesson-header__objectives">{objectives}</ol></dd></div>'
        f"</dl>{summary_link}</header>"
    )


def _summary_header(page: Page, registry: Registry, language: str, minutes: int) -> str:
    w, esc = translator(language), html.escape
    lesson = registry.page(page.summarises)
    return (
        f'<header class="chapter-header summary-header">'
        f"{_kicker(page, language, w('header.kind.summary'))}"
        f'<h1 id="summary-title">{esc(page.text("title", language))}</h1>'
        f'<dl class="chapter-header__facts">{_facts([_reading_time(language, minutes)])}</dl>'
        f'<p class="lesson-header__summary">{esc(w("header.summary_of"))} '
        f'<a href="{_link(page, lesson.path)}">{esc(lesson.text("title", language))}</a></p>'
        f"</header>"
    )


def next_chapter(page: Page, registry: Registry) -> Page | None:
    later = [c for c in registry.chapters() if int(c.number) > int(page.number)]
    return later[0] if later else None


def _chapter_links(page: Page, registry: Registry, language: str, home: str) -> str:
    """The top bar's links: the index, and the next chapter (its card on the index while it is planned)."""
    esc = html.escape
    links = [f'<a href="{home}#chapters">{esc(t("header.index", language))}</a>']
    following = next_chapter(page, registry)
    if following is not None:
        if following.published:
            target = _link(page, following.path)
        else:
            target = f"{home}#chapter-{following.number}"
        title = following.text("short_title", language) or following.text("title", language)
        label = t("header.next", language, number=following.number, title=title)
        links.append(f'<a href="{esc(target)}" rel="next">{esc(label)} <span aria-hidden="true">→</span></a>')
    return (f'<nav class="chapter-header__links" aria-label="{esc(t("header.top_bar", language))}">'
            + "".join(links) + "</nav>")


def render_header(page: Page, registry: Registry, language: str, minutes: int) -> str | None:
    """The header HTML of ``page``, or None for kinds that have none (yet)."""
    if page.kind == "lesson":
        return _lesson_header(page, registry, language, minutes)
    if page.kind == "summary":
        return _summary_header(page, registry, language, minutes)
    if page.kind != "chapter":
        return None
    w = translator(language)
    esc = html.escape
    short = page.text("short_title", language) or page.text("title", language).lower()
    total = f"{len(registry.chapters()):02d}"
    facts = [
        (w("header.level"), esc(level_words(page.level, language)), ""),
        _reading_time(language, minutes),
        (w("header.builds_on"), esc(page.text("builds_on", language)), ""),
        (w("header.instruments"), esc(page.text("instruments", language)), ""),
    ]
    return (
        f'<header class="chapter-header"><div class="chapter-header__bar">'
        f"{_kicker(page, language, f'{page.number} · {short}')}"
        f"{_chapter_links(page, registry, language, _link(page, 'index.md'))}</div>"
        f'<p class="chapter-header__count">{esc(w("header.count", number=page.number, total=total))}</p>'
        f'<h1 id="chapter-title">{esc(page.text("title", language))}</h1>'
        f'<dl class="chapter-header__facts">{_facts(facts)}</dl>'
        f"</header>"
    )
