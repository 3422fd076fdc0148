"""The reading layer in the built site: references, cross-references, front page, header, print extras.

Pages are found through the registry; the checks read the built HTML with the
standard library's parser (no browser: tests/browser/test_reading.py drives
the same features in Chromium).
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as etree
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin, urlparse

import pytest

from sitebuild import crossref, references
from tests import pages

ROOT = Path(__file__).resolve().parents[2]
DOI = re.compile(r"^10\.\d{4,9}/\S+$")
ARXIV = re.compile(r"^\d{4}\.\d{4,5}$")


class Tree(HTMLParser):
    """A flat list of (tag, attributes, text inside) for every element, plus heading levels in order."""

    VOID = {"img", "br", "hr", "input", "meta", "link", "source", "wbr", "col", "area", "base", "embed", "param", "track"}

    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.elements: list[dict] = []
        self._open: list[dict] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        element = {"tag": tag, "attrs": dict(attrs), "text": "", "ancestors": list(self._open),
                   "parents": [e["tag"] + "." + e["attrs"].get("class", "") for e in self._open]}
        self.elements.append(element)
        if tag not in self.VOID:
            self._open.append(element)

    def handle_endtag(self, tag):
        for i in range(len(self._open) - 1, -1, -1):
            if self._open[i]["tag"] == tag:
                del self._open[i:]
                break

    def handle_data(self, data):
        for element in self._open:
            element["text"] += data

    def find(self, tag: str | None = None, cls: str | None = None, **attrs) -> list[dict]:
        found = []
        for e in self.elements:
            if tag and e["tag"] != tag:
                continue
            if cls and cls not in e["attrs"].get("class", "").split():
                continue
            if any(e["attrs"].get(k) != v for k, v in attrs.items()):
                continue
            found.append(e)
        return found

    def within(self, container: dict) -> list[dict]:
        """Every element inside ``container``, in document order."""
        return [e for e in self.elements if any(a is container for a in e["ancestors"])]

    def ids(self) -> set[str]:
        return {e["attrs"]["id"] for e in self.elements if "id" in e["attrs"]}


def built(site_dir: Path, url_path: str) -> Tree:
    return Tree((site_dir / url_path.lstrip("/") / "index.html").read_text(encoding="utf-8"))


def article_html(site_dir: Path, url_path: str) -> str:
    html = (site_dir / url_path.lstrip("/") / "index.html").read_text(encoding="utf-8")
    start = html.index("<article")
    return html[start: html.index("</article>", start)]


LANGUAGES = pages.LANGUAGES


def pages_with_references() -> list:
    return [p for p in pages.registry().published() if "```references" in pages.source(p).read_text(encoding="utf-8")]


def site_file(site_dir: Path, url_path: str) -> Path:
    """The built file behind a site URL path ('/es/' -> es/index.html)."""
    target = site_dir / url_path.lstrip("/")
    return target / "index.html" if url_path.endswith("/") or target.is_dir() else target


# ---- references ---------------------------------------------------------------

def test_bibliography_identifiers_are_well_formed():
    for work in references.load().values():
        assert work.doi or work.arxiv or work.url, work.key
        if work.doi:
            assert DOI.match(work.doi), f"{work.key}: {work.doi!r} is not a DOI"
        if work.arxiv:
            assert ARXIV.match(work.arxiv), f"{work.key}: {work.arxiv!r} is not a new-style arXiv id"
        if work.url:
            # Only for venues that issue neither a DOI nor an arXiv number (PMLR, JMLR).
            assert not (work.doi or work.arxiv), f"{work.key}: a publisher page only where no DOI or arXiv id exists"
            assert urlparse(work.url).scheme == "https", work.key


def test_a_chapter_cites_its_references():
    assert pages_with_references(), "no published page has a ```references fence"


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("page", pages_with_references(), ids=lambda p: p.slug)
def test_every_reference_is_annotated_identified_and_cited_back(site_dir, page, language):
    tree = built(site_dir, pages.url(page, language))
    works = references.load()
    ids = tree.ids()
    items = tree.find("li", "reference")
    assert items, "the reference list is empty"
    for item in items:
        key = item["attrs"]["id"].removeprefix("ref-")
        work = works[key]
        inside = tree.within(item)
        note = [e for e in inside if "reference__note" in e["attrs"].get("class", "")]
        assert note and len(note[0]["text"].split()) >= 6, f"{key}: no annotation"
        hrefs = [e["attrs"].get("href", "") for e in inside if e["tag"] == "a"]
        expected = [f"https://doi.org/{work.doi}"] if work.doi else []
        expected += [f"https://arxiv.org/abs/{work.arxiv}"] if work.arxiv else []
        expected += [work.url] if work.url else []
        assert [h for h in hrefs if h.startswith("http")] == expected, key
        backlinks = [e for e in inside if "reference__backlink" in e["attrs"].get("class", "")]
        assert backlinks, f"{key}: no back-link"
        for link in backlinks:
            target = link["attrs"]["href"].removeprefix("#")
            assert target in ids, f"{key}: back-link to a missing id {target}"
            citing = tree.find("a", "xref", id=target)
            assert citing and citing[0]["attrs"]["data-xref"] == f"ref-{key}", f"{key}: back-link {target} is no citation of it"


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("page", pages_with_references(), ids=lambda p: p.slug)
def test_every_citation_and_equation_link_has_its_own_id_and_a_target(site_dir, page, language):
    tree = built(site_dir, pages.url(page, language))
    ids = tree.ids()
    links = tree.find("a", "xref")
    assert len(links) >= 10
    link_ids = [link["attrs"]["id"] for link in links]
    assert len(set(link_ids)) == len(link_ids)
    for link in links:
        assert link["attrs"]["data-xref"] in ids, link["attrs"]
        assert link["attrs"]["href"] == "#" + link["attrs"]["data-xref"]
    # Numbers in the prose match the list: the i-th reference is cited as [i].
    order = [item["attrs"]["id"] for item in tree.find("li", "reference")]
    for link in links:
        number = re.fullmatch(r"\[(\d+)\]", link["text"].strip())
        if number:
            assert order[int(number.group(1)) - 1] == link["attrs"]["data-xref"], link["text"]
    # Each equation carries a (hidden) way back, for previews.js to aim.
    for figure in tree.find("figure", "equation"):
        index = tree.elements.index(figure)
        assert any("xref-back" in e["attrs"].get("class", "") for e in tree.elements[index + 1: index + 6]), figure["attrs"]["id"]


REFERENCE_LIST = ('<ol class="references"><li id="ref-a" class="reference"><p>A</p><span data-cited-in="a"></span></li>'
                  '<li id="ref-b" class="reference"><p>B</p><span data-cited-in="b"></span></li></ol>')


def test_a_citation_with_the_wrong_number_stops_the_build():
    page = '<h2 id="s1">1.1 One</h2><p><a href="#ref-a">[2]</a> and <a href="#ref-b">[2]</a></p>' + REFERENCE_LIST
    with pytest.raises(crossref.CrossReferenceError, match=r"\[2\] of a should read \[1\]"):
        crossref.link_cross_references(page, "en")


def test_a_listed_work_nobody_cites_stops_the_build():
    page = '<h2 id="s1">1.1 One</h2><p><a href="#ref-a">[1]</a></p>' + REFERENCE_LIST
    with pytest.raises(crossref.CrossReferenceError, match="ref-b is listed but never cited"):
        crossref.link_cross_references(page, "en")


def test_back_links_name_the_citing_sections_in_order():
    page = ('<h2 id="s1">1.1 One</h2><p><a href="#ref-a">[1]</a> <a href="#ref-b">[2]</a></p>'
            '<h2 id="s2">1.2 Two</h2><p><a href="#ref-a">[1]</a><a href="#ref-a">[1]</a></p>' + REFERENCE_LIST)
    out = crossref.link_cross_references(page, "en")
    backlinks = re.findall(r'class="reference__backlink" href="#([^"]+)"[^>]*>([^<]+)<', out)
    assert backlinks[:3] == [("xref-ref-a-1", "§1.1"), ("xref-ref-a-2", "§1.2"), ("xref-ref-a-3", "§1.2 (2)")]
    assert backlinks[3] == ("xref-ref-b-1", "§1.1")


# ---- front page --------------------------------------------------------------

@pytest.mark.parametrize("language", LANGUAGES)
def test_front_page_headings_descend_one_level_at_a_time(site_dir, language):
    html = article_html(site_dir, pages.url("index.md", language))
    levels = [int(level) for level in re.findall(r"<h([1-6])\b", html)]
    assert levels[0] == 1 and levels.count(1) == 1, levels
    jumps = [(a, b) for a, b in zip(levels, levels[1:]) if b > a + 1]
    assert not jumps, f"heading levels jump: {jumps} in {levels}"


def existing_engines() -> list[str]:
    from sitebuild.bake import engine_exists, engine_names

    return [e for e in engine_names() if engine_exists(e)]


@pytest.mark.parametrize("language", LANGUAGES)
def test_front_page_shows_a_thumbnail_of_each_instrument_linking_to_its_panel(site_dir, language):
    front_url = pages.url("index.md", language)
    tree = built(site_dir, front_url)
    cards = tree.find("li", "instrument-thumb")
    assert [c["attrs"]["data-engine"] for c in cards] == existing_engines()
    front = site_file(site_dir, front_url).read_text(encoding="utf-8")
    for card in cards:
        engine = card["attrs"]["data-engine"]
        inside = tree.within(card)
        pictures = [e for e in inside if e["tag"] == "svg"]
        assert len(pictures) == 1 and pictures[0]["attrs"].get("aria-hidden") == "true", engine
        # The picture is the prepared drawing, as published.
        drawing = (site_dir / "assets/generated/thumbnails" / f"{engine}.svg").read_text(encoding="utf-8")
        body = drawing[drawing.index(">") + 1:].strip()
        assert body in front, f"{engine}: the page's picture is not the prepared thumbnail"
        link = next(e for e in inside if e["tag"] == "a")
        assert link["text"].strip(), f"{engine}: the link has no words"
        target_url = urlparse(urljoin(front_url, link["attrs"]["href"]))
        assert target_url.fragment == f"instrument-{engine}"
        target = site_file(site_dir, target_url.path)
        assert target.is_file(), link["attrs"]["href"]
        assert f'id="instrument-{engine}"' in target.read_text(encoding="utf-8"), link["attrs"]["href"]


@pytest.mark.parametrize("engine", existing_engines())
def test_a_thumbnail_draws_the_baked_default_frame(site_dir, engine):
    """Each polyline has one vertex per finite value of a trace of the default frame, in its shape."""
    from instruments import load_engine
    from instruments._checks import frame_key

    spec = load_engine(engine).SPEC
    from sitebuild.bake import expand

    # The published file is compact (a frame may point at a deeper one); the page expands it as it loads.
    baked = expand(json.loads((site_dir / "assets/generated/instruments" / f"{engine}.json").read_text(encoding="utf-8")))
    frame = baked["frames"][frame_key(spec)]
    svg = etree.fromstring((site_dir / f"assets/generated/thumbnails/{engine}.svg").read_text(encoding="utf-8"))
    assert not svg.findall(".//{http://www.w3.org/2000/svg}text"), "a thumbnail carries no words"
    lines = [[tuple(map(float, p.split(","))) for p in line.get("points").split()]
             for line in svg.findall(".//{http://www.w3.org/2000/svg}polyline")]
    series = [[(x, y) for x, y in zip(frame["series"][t["x"]], frame["series"][t["y"]])
               if isinstance(y, (int, float)) and y == y and abs(y) != float("inf")]
              for t in spec["chart"]["traces"] if t.get("kind") != "bar"]
    series = [s for s in series if s]
    assert [len(line) for line in lines] == [len(s) for s in series]
    for line, points in zip(lines, series):
        if len(points) < 3:
            continue
        # SVG y grows downwards: the highest value is drawn at the smallest y.
        top = max(range(len(points)), key=lambda i: points[i][1])
        assert line[top][1] == min(y for _, y in line)


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_link_on_the_front_page_resolves(site_dir, language):
    front_url = pages.url("index.md", language)
    tree = built(site_dir, front_url)
    own = tree.ids()
    article = article_html(site_dir, front_url)
    hrefs = set(re.findall(r'href="([^"]+)"', article)) | set(re.findall(r'src="([^"]+)"', article))
    assert hrefs
    for href in hrefs:
        parsed = urlparse(href)
        if parsed.scheme:
            continue
        if not parsed.path:
            assert parsed.fragment in own, href
            continue
        target = site_file(site_dir, urljoin(front_url, parsed.path))
        assert target.is_file(), href
        if parsed.fragment:
            assert f'id="{parsed.fragment}"' in target.read_text(encoding="utf-8"), href


@pytest.mark.parametrize("language", LANGUAGES)
def test_reading_path_starts_with_the_first_published_chapter(site_dir, language):
    tree = built(site_dir, pages.url("index.md", language))
    steps = [e for e in tree.find("a") if any(p.startswith("li.reading-path__step") for p in e["parents"])]
    first = next(c for c in pages.registry().chapters() if c.published)
    assert steps and steps[0]["attrs"]["href"] == pages.url(first).lstrip("/")  # relative to its front page
    published = {pages.url(p).lstrip("/") for p in pages.registry().published()}
    assert {s["attrs"]["href"] for s in steps} <= published


# ---- chapter header ---------------------------------------------------------

@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("chapter", [c for c in pages.registry().chapters() if c.published], ids=lambda c: c.slug)
def test_chapter_top_bar_links_the_index_and_the_next_chapter(site_dir, chapter, language):
    tree = built(site_dir, pages.url(chapter, language))
    bar = [e for e in tree.find("a") if any(p.startswith("nav.chapter-header__links") for p in e["parents"])]
    later = [c for c in pages.registry().chapters() if int(c.number) > int(chapter.number)]
    assert len(bar) == 1 + bool(later)
    here, front = pages.url(chapter, language), pages.url("index.md", language)
    front_html = site_file(site_dir, front).read_text(encoding="utf-8")
    index = urlparse(urljoin(here, bar[0]["attrs"]["href"]))
    assert (index.path, index.fragment) == (front, "chapters")
    assert 'id="chapters"' in front_html
    if later:
        following = later[0]
        link = bar[1]
        assert link["attrs"].get("rel") == "next"
        title = following.text("short_title", language) or following.text("title", language)
        assert f"{following.number} · {title}" in link["text"]
        target = urlparse(urljoin(here, link["attrs"]["href"]))
        if following.published:
            assert target.path == pages.url(following, language)
        else:
            assert (target.path, target.fragment) == (front, f"chapter-{following.number}")
            assert f'id="chapter-{following.number}"' in front_html


# ---- print extras -------------------------------------------------------------

@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("page", pages_with_references(), ids=lambda p: p.slug)
def test_every_quiz_solution_is_collected_for_print(site_dir, page, language):
    tree = built(site_dir, pages.url(page, language))
    quizzes = tree.find("div", "quiz")
    printed = tree.find("div", "print-solutions__item")
    assert quizzes and len(printed) == len(quizzes)
    solutions = tree.find("details", "quiz__solution")
    for quiz, solution, copy in zip(quizzes, solutions, printed):
        title = tree.elements[tree.elements.index(quiz) + 1]["text"]  # the admonition's title
        assert copy["text"].startswith(title)
        summary = tree.elements[tree.elements.index(solution) + 1]["text"]
        body = " ".join(solution["text"].removeprefix(summary).split()[:12])
        assert len(body) > 20 and body in " ".join(copy["text"].split()), body
