"""Annotated references: the bibliography (``references.yml``) and the ```references fence.

A page lists the works it cites, in the order of its citation numbers, each
with one line on what the page uses it for::

    ```references
    glorot2010: Where the Xavier rule of [EQ N1.4](#eq-n1-4) comes from.
    he2015: The ReLU correction behind He initialisation.
    ```

Authors, title, venue and identifiers come from ``references.yml`` (written
once for every page and language); the notes are the page's own words. Each
entry gets the anchor ``ref-<key>`` that prose cites (``[[1]](#ref-glorot2010)``)
and a placeholder for its back-links, which ``crossref.py`` fills once the
whole page is converted and every citation is known.
"""

from __future__ import annotations

import functools
import html
from dataclasses import dataclass
from pathlib import Path

import yaml

from . import ROOT
from .i18n import t

BIBLIOGRAPHY = ROOT / "references.yml"
FIELDS = ("authors", "title", "venue", "year", "doi", "arxiv", "url")
IDENTIFIERS = ("doi", "arxiv", "url")


class BibliographyError(ValueError):
    """references.yml is malformed, or a page cites a work it does not hold."""


@dataclass(frozen=True)
class Work:
    key: str
    authors: tuple[str, ...]
    title: str
    venue: str
    year: int
    doi: str | None = None
    arxiv: str | None = None
    url: str | None = None

    def author_list(self, language: str) -> str:
        """'A, B and C' in the page's language."""
        if len(self.authors) == 1:
            return self.authors[0]
        return t("reference.authors", language, others=", ".join(self.authors[:-1]), last=self.authors[-1])

    def links(self, language: str) -> list[tuple[str, str]]:
        """(address, text) of every identifier: DOI and arXiv first, the publisher's page otherwise."""
        found = []
        if self.doi:
            found.append((f"https://doi.org/{self.doi}", f"doi:{self.doi}"))
        if self.arxiv:
            found.append((f"https://arxiv.org/abs/{self.arxiv}", f"arXiv:{self.arxiv}"))
        if self.url:
            found.append((self.url, t("reference.publisher_page", language)))
        return found


def anchor(key: str) -> str:
    """'glorot2010' -> 'ref-glorot2010', the anchor a citation links to."""
    return f"ref-{key}"


def load(path: Path = BIBLIOGRAPHY) -> dict[str, Work]:
    stat = path.stat()
    return _load(str(path), stat.st_mtime_ns)


@functools.lru_cache(maxsize=2)
def _load(path: str, mtime_ns: int) -> dict[str, Work]:
    data = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    works = {}
    for key, entry in data.items():
        where = f"{Path(path).name}: {key}"
        if not isinstance(entry, dict):
            raise BibliographyError(f"{where} must be a mapping of {', '.join(FIELDS)}")
        unknown = sorted(set(entry) - set(FIELDS))
        if unknown:
            raise BibliographyError(f"{where}: unknown field(s) {', '.join(unknown)}; allowed: {', '.join(FIELDS)}")
        missing = [f for f in ("authors", "title", "venue", "year") if not entry.get(f)]
        if missing:
            raise BibliographyError(f"{where} needs {', '.join(missing)}")
        if not any(entry.get(f) for f in IDENTIFIERS):
            raise BibliographyError(f"{where} needs an identifier: doi, arxiv or (if neither exists) url")
        authors = entry.pop("authors")
        if not (isinstance(authors, list) and authors and all(isinstance(a, str) for a in authors)):
            raise BibliographyError(f"{where}: authors is a list of names")
        works[key] = Work(key=key, authors=tuple(authors),
                          **{f: (str(v) if f != "year" else int(v)) for f, v in entry.items()})
    return works


def parse_notes(source: str) -> list[tuple[str, str]]:
    """The fence's body: (work key, note in Markdown) per line, in citation order."""
    notes = []
    for number, line in enumerate(source.strip().splitlines(), start=1):
        key, sep, note = line.partition(":")
        if not sep or not note.strip():
            raise BibliographyError(f"line {number} must read `key: what this page uses the work for`; got {line!r}")
        notes.append((key.strip(), note.strip()))
    keys = [k for k, _ in notes]
    if len(set(keys)) != len(keys):
        raise BibliographyError("a work is listed twice")
    return notes


def render_references(source: str, language: str, markdown_to_html) -> str:
    """The annotated reference list (``markdown_to_html`` converts a note)."""
    works = load()
    esc = html.escape
    items = []
    for key, note in parse_notes(source):
        if key not in works:
            raise BibliographyError(f"no work {key!r} in references.yml (it has {', '.join(works)})")
        work = works[key]
        links = " · ".join(f'<a href="{esc(href)}">{esc(text)}</a>' for href, text in work.links(language))
        items.append(
            f'<li id="{anchor(key)}" class="reference">'
            f'<p class="reference__citation">{esc(work.author_list(language))}. {esc(work.title)}. '
            f"<em>{esc(work.venue)}</em>, {work.year}.</p>"
            f'<div class="reference__note">{markdown_to_html(note)}</div>'
            f'<p class="reference__meta"><span class="reference__ids">{links}</span>'
            f'<span class="reference__cited">{esc(t("reference.cited_in", language))} '
            f'<span data-cited-in="{esc(key)}"></span></span>'
            f'<a class="xref-back" href="#" hidden>{esc(t("xref.back", language))}</a></p></li>'
        )
    return f'<ol class="references">{"".join(items)}</ol>'
