"""Cross-references on a finished page: equation and citation links, back-links, print solutions.

Runs on the page's HTML once every fence is in place (a Python-Markdown
postprocessor, so MkDocs and Zensical get the same result):

* every prose link to an equation (``[EQ N1.3](#eq-n1-3)``) or a reference
  (``[[2]](#ref-he2015)``) gets an id and ``class="xref"``: the preview script
  (``assets/js/previews.js``) shows its target on hover, focus or tap, and the
  target's "Back to text" link returns to exactly that id;
* a citation's number must be its reference's position in the list, and every
  listed work must be cited: the build stops otherwise, naming the page;
* each reference's back-links list every place it is cited, by section;
* the quizzes' worked solutions are collected at the end of the page for
  print (``.print-only``; the screen keeps them folded under each quiz).

Only links Markdown wrote (``<a href="#...">`` with no other attribute) are
cross-references; the equation's own label and the back-links are not.
"""

from __future__ import annotations

import html
import re
from collections import defaultdict

from .references import anchor
from .i18n import t

XREF = re.compile(r'<a href="#((?:eq|ref)-[a-z0-9-]+)">(.*?)</a>', re.S)
SECTION = re.compile(r"<h2[^>]*>(.*?)</h2>", re.S)
SECTION_NUMBER = re.compile(r"^\s*(\d+(?:\.\w+)*)\s")
CITED_IN = re.compile(r'<span data-cited-in="([^"]+)"></span>')
REFERENCE = re.compile(r'<li id="ref-([^"]+)" class="reference">')
CITATION_NUMBER = re.compile(r"^\[(\d+)\]$")
QUIZ = re.compile(r'<div class="admonition question quiz" id="([^"]+)"[^>]*><p class="admonition-title">(.*?)</p>', re.S)
SOLUTION = re.compile(r'<details class="success quiz__solution"><summary>.*?</summary>(.*?)</details>', re.S)
TAG = re.compile(r"<[^>]+>")
ID_ATTRIBUTE = re.compile(r'\sid="[^"]*"')


class CrossReferenceError(ValueError):
    """A citation with the wrong number, or a listed work nobody cites."""


def _text(fragment: str) -> str:
    return html.unescape(TAG.sub("", fragment)).replace("¶", "").strip()


def _section_label(heading_html: str) -> str:
    """'1.2 Weight initialization' -> '1.2'; a heading without a number gives its text."""
    text = _text(heading_html)
    number = SECTION_NUMBER.match(text + " ")
    return number.group(1) if number else text


def link_cross_references(page_html: str, language: str) -> str:
    """``page_html`` with ids on its cross-references and back-links in its reference list."""
    references = REFERENCE.findall(page_html)
    position = {key: i + 1 for i, key in enumerate(references)}
    sections = [(m.start(), _section_label(m.group(1))) for m in SECTION.finditer(page_html)]
    seen: dict[str, int] = defaultdict(int)
    citations: dict[str, list[tuple[str, str]]] = defaultdict(list)  # key -> (link id, section)
    problems = []

    def mark(match: re.Match) -> str:
        target, label = match.group(1), match.group(2)
        seen[target] += 1
        link_id = f"xref-{target}-{seen[target]}"
        if target.startswith("ref-"):
            key = target[len("ref-"):]
            number = CITATION_NUMBER.match(_text(label))
            if key in position and number and int(number.group(1)) != position[key]:
                problems.append(f"the citation {_text(label)} of {key} should read [{position[key]}]")
            section = next((name for start, name in reversed(sections) if start < match.start()), "")
            citations[key].append((link_id, section))
        return f'<a href="#{target}" id="{link_id}" class="xref" data-xref="{target}">{label}</a>'

    page_html = XREF.sub(mark, page_html)
    for key in references:
        if not citations[key]:
            problems.append(f"reference {anchor(key)} is listed but never cited")

    def backlinks(match: re.Match) -> str:
        key = match.group(1)
        per_section: dict[str, int] = defaultdict(int)
        links = []
        for n, (link_id, section) in enumerate(citations[key], start=1):
            per_section[section] += 1
            shown = section if per_section[section] == 1 else f"{section} ({per_section[section]})"
            label = t("reference.backlink", language, n=n, section=section)
            links.append(f'<a class="reference__backlink" href="#{link_id}" aria-label="{html.escape(label)}">'
                         f"§{html.escape(shown)}</a>")
        return " ".join(links)

    page_html = CITED_IN.sub(backlinks, page_html)
    if problems:
        raise CrossReferenceError("; ".join(problems))
    return page_html


def append_print_solutions(page_html: str, language: str) -> str:
    """The quizzes' worked solutions again at the end of the page, shown only in print."""
    items = []
    for quiz in QUIZ.finditer(page_html):
        solution = SOLUTION.search(page_html, quiz.end())
        if solution is None:
            continue
        copy = ID_ATTRIBUTE.sub("", solution.group(1))  # the original keeps its ids
        items.append(f'<div class="print-solutions__item"><p class="print-solutions__title">{quiz.group(2)}</p>'
                     f"{copy}</div>")
    if not items:
        return page_html
    return (page_html + f'<div class="print-only print-solutions"><h2>{html.escape(t("print.solutions", language))}</h2>'
            + "".join(items) + "</div>")
