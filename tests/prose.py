"""The mechanism behind every prose-number test: quoted numbers, recomputed.

A page quotes numbers from theory, from instruments and from its cells. Each
page's number tests recompute them (from first principles, from the engines,
from a fresh run of the cell, edited as the prose invites) and look for them,
formatted the way the prose writes them, in the page's Markdown source. The
chapter's checks are in tests/test_prose_numbers.py, the lesson's in
tests/lesson/test_lesson_numbers.py.

Each check runs once per edition (English, Spanish). A phrase made only of
math or code is the same in both; a phrase with words names its wording in
every language (``en=``, ``es=``), so a check cannot be dropped from one
edition. Numbers in running prose follow the edition's style (``0.68``,
``0,68``); numbers in math, code and program output are written the same way
everywhere. The Spanish cells print what the English ones print (see
tests/i18n/test_snippets_es.py), so the English runs stand for both.
"""

from __future__ import annotations

import contextlib
import functools
import io
import math
import re
import runpy
import tempfile
from dataclasses import dataclass
from pathlib import Path

from instruments import plot
from sitebuild import content, editions
from sitebuild.i18n import t
from tests import pages


@dataclass(frozen=True)
class Edition:
    """One language's version of a page and its cells, and how its prose writes a decimal number."""

    lang: str
    page: content.Page

    @property
    def decimal_mark(self) -> str:
        # The interface and the prose agree: the catalogue's decimal mark.
        return t("format.separators", self.lang)[0]

    @property
    def snippets(self) -> Path:
        return editions.edition(self.lang).snippets / self.page.slug

    @property
    def source(self) -> Path:
        return pages.source(self.page, self.lang)


def editions_of(page: content.Page) -> dict[str, Edition]:
    return {lang: Edition(lang, page) for lang in pages.LANGUAGES}


@dataclass(frozen=True)
class Text:
    """A page's Markdown in one edition."""

    edition: Edition
    text: str

    @classmethod
    def read(cls, edition: Edition) -> Text:
        return cls(edition, edition.source.read_text(encoding="utf-8"))

    def prose(self, value: float, spec: str = "") -> str:
        """``value`` as this edition's running prose writes it (decimal comma in Spanish)."""
        return format(value, spec).replace(".", self.edition.decimal_mark)


def assert_quoted(md: Text, text: str | None = None, **by_language: str) -> None:
    """The page contains ``text`` (math or code only) or its own language's phrase."""
    lang = md.edition.lang
    if text is None:
        if lang not in by_language:
            raise AssertionError(f"this check has no {lang!r} wording; give {lang}= beside {sorted(by_language)}")
        text = by_language[lang]
    assert text in md.text, f"the {lang} {md.edition.page.slug} page should contain {text!r}"


def cell_stdout(path: Path, edits: dict[str, str] | None = None) -> str:
    """What the cell at ``path`` prints, with ``edits`` applied to its source first.

    Runs it afresh, so ``instruments.plot.FIGURES`` then holds what it drew.
    """
    with tempfile.TemporaryDirectory() as tmp:
        if edits:
            source = path.read_text(encoding="utf-8")
            for old, new in edits.items():
                source = source.replace(old, new)
            path = Path(tmp) / path.name
            path.write_text(source, encoding="utf-8")
        plot.FIGURES.clear()
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            runpy.run_path(str(path), run_name="__main__")
    return out.getvalue()


@functools.cache
def _cached_stdout(path: Path, edits: tuple[tuple[str, str], ...]) -> str:
    return cell_stdout(path, dict(edits))


def run_cell(page: content.Page, name: str, edits: dict[str, str] | None = None) -> str:
    """Run one of ``page``'s cells (optionally with source edits, as a reader would); its stdout.

    An edit the prose suggests must apply to the cell of every edition.
    """
    found = editions_of(page)
    for edition in found.values():
        source = (edition.snippets / name).read_text(encoding="utf-8")
        for old in edits or {}:
            assert source.count(old) == 1, f"{old!r} should occur once in {edition.lang} {name}"
    return _cached_stdout(found[pages.DEFAULT_LANGUAGE].snippets / name, tuple((edits or {}).items()))


def numbers(line: str) -> list[float]:
    return [float(t) for t in re.findall(r"[-+]?\d+\.?\d*(?:e[-+]\d+)?", line)]


def row(stdout: str, first: str) -> list[str]:
    """Raw fields (as printed) of the table row whose first field is ``first``."""
    for line in stdout.splitlines():
        fields = line.split()
        if fields and fields[0] == first:
            return fields[1:]
    raise AssertionError(f"no row {first!r}")


def magnitude(x: float) -> int:
    return round(math.log10(x))
