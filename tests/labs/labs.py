"""Where the lab tests find the lab pages, their cells and their cards, and how they run a cell.

Pages come from the content registry (``content.yml``, through tests/pages.py),
so adding or renaming a lab needs no test edit. Every helper that reads a page
takes a language (default English): the Spanish twin of a page lives under
``docs/es/`` and includes the twins of its cells (``pysnippets/es/``). A cell is run the way the build
and the browser run it: its own source, as ``__main__``, stdout captured;
"editing" a cell means replacing one literal in that source, as a reader would.
"""

from __future__ import annotations

import contextlib
import functools
import io
import math
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from instruments import plot
from sitebuild import content
from sitebuild.i18n import DEFAULT_LANGUAGE
from sitebuild.predict import Card, parse_card
from tests import pages

LANGUAGES = pages.LANGUAGES

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"
SNIPPETS = ROOT / "pysnippets"
FENCE = re.compile(r"^```(\w+)([^\n]*)\n(.*?)^```$", re.M | re.S)
OPTION = re.compile(r'(\w+)="([^"]*)"')
INCLUDE = re.compile(r'^--8<-- "([^"]+)"$', re.M)


def _labs() -> list:
    published = [p for p in pages.registry().pages("lab") if p.published]
    return sorted(published, key=lambda p: int(p.number))


def labs_index() -> str:
    """Docs path of the labs' landing page: the index page of the part the labs belong to."""
    parts = {lab.part for lab in _labs()}
    assert len(parts) == 1, f"the labs should form one part; found {parts}"
    (index,) = [p for p in pages.registry().pages("index") if p.part in parts]
    return index.path


def lab_pages() -> list[str]:
    """Docs paths of the published lab pages, in the registry's order."""
    return [lab.path for lab in _labs()]


def slug(page: str) -> str:
    return content.slug_of(page)


def url(page: str, language: str = DEFAULT_LANGUAGE) -> str:
    """'labs/variance-walk.md' -> '/labs/variance-walk/' ('/es/labs/variance-walk/' in Spanish)."""
    return pages.url(page, language)


def text(page: str, language: str = DEFAULT_LANGUAGE) -> str:
    return pages.source(page, language).read_text(encoding="utf-8")


@dataclass(frozen=True)
class PageCell:
    id: str
    title: str
    path: Path


def cells(page: str, language: str = DEFAULT_LANGUAGE) -> list[PageCell]:
    """The ```pycell fences of a page, with the snippet each includes."""
    found = []
    for name, options, body in FENCE.findall(text(page, language)):
        if name != "pycell":
            continue
        opts = dict(OPTION.findall(options))
        (include,) = INCLUDE.findall(body)
        found.append(PageCell(opts["id"], opts["title"], SNIPPETS / include))
    return found


def cards(page: str, language: str = DEFAULT_LANGUAGE) -> list[Card]:
    """The ```predict cards of a page, parsed by the build's own parser."""
    return [parse_card(body, dict(OPTION.findall(options)))
            for name, options, body in FENCE.findall(text(page, language)) if name == "predict"]


def all_cards(language: str = DEFAULT_LANGUAGE) -> list[tuple[str, Card]]:
    return [(page, card) for page in lab_pages() for card in cards(page, language)]


def run(path: Path, edits: dict[str, str] | None = None) -> tuple[str, dict, list[dict]]:
    """Run a cell's source (with ``edits``: old literal -> new, each occurring once).

    Returns (stdout, the cell's namespace, its figures). Runs are deterministic
    (seeded), so each distinct (cell, edits) runs once per session; callers
    must not modify what they get back."""
    return _run(str(path), tuple(sorted((edits or {}).items())))


@functools.lru_cache(maxsize=None)
def _run(path_name: str, edit_items: tuple) -> tuple[str, dict, list[dict]]:
    path, edits = Path(path_name), dict(edit_items)
    source = path.read_text(encoding="utf-8")
    for old, new in (edits or {}).items():
        assert source.count(old) == 1, f"{old!r} should occur once in {path.name}"
        source = source.replace(old, new)
    plot.FIGURES.clear()
    namespace = {"__name__": "__main__"}
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(source, str(path), "exec"), namespace)
    return out.getvalue(), namespace, list(plot.FIGURES)


def label_entropy(labels) -> float:
    """The best constant guess's cross-entropy, computed here from the label counts."""
    counts = Counter(int(label) for label in labels)
    total = sum(counts.values())
    return -sum(c / total * math.log(c / total) for c in counts.values())


def numbers(line: str) -> list[float]:
    return [float(t) for t in re.findall(r"[-+]?\d+\.?\d*(?:e[-+]?\d+)?", line)]


def line_starting(stdout: str, prefix: str) -> str:
    for line in stdout.splitlines():
        if line.strip().startswith(prefix):
            return line
    raise AssertionError(f"no line starting with {prefix!r} in:\n{stdout}")


def run_fresh(path: Path) -> tuple[str, dict, list[dict]]:
    """Run a cell again, bypassing the session's memo (for determinism checks)."""
    return _run.__wrapped__(str(path), ())
