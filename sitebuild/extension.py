"""The site's Python-Markdown extension, run by MkDocs and by Zensical alike.

Listed under ``markdown_extensions`` as ``sitebuild.extension``, it does the
per-page work that a builder plugin or hook would otherwise do:

* a registered page (content.yml) gets its header, with the reading time
  counted from the page's own words (``page_header.py``);
* after the page is converted, equation and citation links get their ids,
  the reference list its back-links and the page its print-only quiz
  solutions (``crossref.py``);
* then every formula is typeset by KaTeX (``math.py``); one KaTeX cannot
  parse fails the build, naming the page.

The custom fences (``fences.py``) are plain superfences formatters, listed in
mkdocs.base.yml. Nothing here depends on the builder except ``context.py``, which
asks it which page is being converted.
"""

from __future__ import annotations

import xml.etree.ElementTree as etree

from markdown import Extension
from markdown.postprocessors import Postprocessor
from markdown.preprocessors import Preprocessor
from markdown.treeprocessors import Treeprocessor

from . import GENERATED, ROOT, content
from .context import current_page, describe
from .crossref import CrossReferenceError, append_print_solutions, link_cross_references
from .math import render_math
from .page_header import render_header
from .reading_time import reading_minutes

# Written by the prepare step; without it a build would publish a site lacking its generated files.
PREPARED_MARK = GENERATED / "packages" / "pyodide-lock.json"
# After whitespace normalisation (30), before the fences are stashed (25).
READING_TIME_PRIORITY = 29
# The header goes in after the table of contents is collected (5), so the
# title is not a TOC entry, and before MkDocs resolves links (0).
HEADER_PRIORITY = 4
# After every other postprocessor, on the page's finished HTML: cross-references
# first, so the print copies of quiz solutions are typeset too.
CROSSREF_PRIORITY = 2
MATH_PRIORITY = 1


class ReadingTime(Preprocessor):
    """Counts the page's words before anything is converted."""

    minutes: int | None = None

    def run(self, lines: list[str]) -> list[str]:
        self.minutes = reading_minutes("\n".join(lines))
        return lines


class PageHeader(Treeprocessor):
    def __init__(self, md, reading_time: ReadingTime):
        super().__init__(md)
        self.reading_time = reading_time

    def run(self, root: etree.Element) -> None:
        page = current_page(self.md)
        if page is None:
            return
        registry = content.load(content.find_registry(page.docs_dir))
        entry = registry.by_path(page.path)
        if entry is None:
            return
        header = render_header(entry, registry, page.language, self.reading_time.minutes or 1)
        if header is not None:
            root.insert(0, etree.fromstring(header))


class CrossReferences(Postprocessor):
    def run(self, text: str) -> str:
        page = current_page(self.md)
        language = page.language if page else content.DEFAULT_LANGUAGE
        try:
            text = link_cross_references(text, language)
        except CrossReferenceError as err:
            raise CrossReferenceError(f"{describe(self.md)}: {err}") from None
        return append_print_solutions(text, language)


class Typeset(Postprocessor):
    def run(self, text: str) -> str:
        return render_math(text, where=describe(self.md))


class NotPrepared(RuntimeError):
    """The builder runs before the prepare step: the site would lack its generated files."""


class SiteExtension(Extension):
    def extendMarkdown(self, md) -> None:
        if not PREPARED_MARK.is_file():
            raise NotPrepared(f"{GENERATED.relative_to(ROOT)}/ is missing or incomplete: run `python -m "
                              "sitebuild prepare` before building (scripts/serve, scripts/test and scripts/publish do)")
        reading_time = ReadingTime(md)
        md.preprocessors.register(reading_time, "sitebuild_reading_time", READING_TIME_PRIORITY)
        md.treeprocessors.register(PageHeader(md, reading_time), "sitebuild_page_header", HEADER_PRIORITY)
        md.postprocessors.register(CrossReferences(md), "sitebuild_crossref", CROSSREF_PRIORITY)
        md.postprocessors.register(Typeset(md), "sitebuild_typeset", MATH_PRIORITY)


def makeExtension(**kwargs) -> SiteExtension:
    return SiteExtension(**kwargs)
