"""The header at the top of a registered page: kicker, title and facts strip.

Everything in it comes from the content registry, except the reading time,
which is counted from the page's own words so it can never go stale. Its
interface words come from the message catalogue (``i18n.py``). It is
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
from .i18n import translator


def level_words(level: str | None, language: str) -> str:
    """A registry level (CORE, ADVANCED) as the reader's language writes it."""
    return translator(language)(f"level.{level.lower()}") if level else ""


def render_header(page: Page, registry: Registry, language: str, minutes: int) -> str | None:
    """The header HTML of ``page``, or None for kinds that have none (yet)."""
    if page.kind != "chapter":
        return None
    w = translator(language)
    esc = html.escape
    total = f"{len(registry.chapters()):02d}"
    home = posixpath.relpath("index.md", posixpath.dirname(page.path) or ".")
    short = page.text("short_title", language) or page.text("title", language).lower()
    facts = [
        (w("header.level"), esc(level_words(page.level, language)), ""),
        (w("header.reading_time"), esc(w("header.minutes", minutes=minutes)), f' data-reading-time="{minutes}"'),
        (w("header.builds_on"), esc(page.text("builds_on", language)), ""),
        (w("header.instruments"), esc(page.text("instruments", language)), ""),
    ]
    facts_html = "".join(f"<div><dt>{esc(label)}</dt><dd{attrs}>{value}</dd></div>" for label, value, attrs in facts)
    return (
        f'<header class="chapter-header">'
        f'<nav class="chapter-header__kicker" aria-label="{esc(w("header.breadcrumb"))}"><ol>'
        f'<li><a href="{home}">{esc(w("header.home"))}</a></li>'
        f'<li>{esc(w("header.field"))}</li>'
        f'<li aria-current="page">{esc(page.number)} · {esc(short)}</li>'
        f"</ol></nav>"
        f'<p class="chapter-header__count">{esc(w("header.count", number=page.number, total=total))}</p>'
        f'<h1 id="chapter-title">{esc(page.text("title", language))}</h1>'
        f'<dl class="chapter-header__facts">{facts_html}</dl>'
        f"</header>"
    )
