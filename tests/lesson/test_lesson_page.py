"""The lesson and its summary as built: navigation, header, links both ways with
chapter 01, the gallery's links, quizzes with hints, the deck, and cells whose
static output is what a native run prints.

Pages come from the registry: the foundations part's lesson, its summary page
and chapter 01. Every check runs on each edition (English at /, Spanish at
/es/): the Spanish pages link their Spanish twins, carry the Spanish header
words and deck, and show what the Spanish cells print.
"""

from __future__ import annotations

import html as htmllib
import re
from pathlib import Path

import pytest
import yaml

from sitebuild import content
from sitebuild.i18n import t
from sitebuild.page_header import level_words
from sitebuild.reading_time import reading_minutes
from tests import pages, prose

ROOT = Path(__file__).resolve().parents[2]
LESSON = pages.lessons("foundations")[0]
SUMMARY = pages.summary(LESSON)
CHAPTER = pages.chapter(1)
SECTIONS = ("confidently-wrong", "saturation", "histograms", "fan-in", "batchnorm")  # the five numbered sections
LANGUAGES = pytest.mark.parametrize("lang", pages.LANGUAGES)
FENCE_OR_HEADING = re.compile(r'^(?:## .*\{ #([\w-]+) \}|```(instrument engine|pycell id)="([\w-]+)")', re.M)


def built(site_dir: Path, page: content.Page, lang: str = pages.DEFAULT_LANGUAGE) -> str:
    return (site_dir / pages.url(page, lang).lstrip("/") / "index.html").read_text(encoding="utf-8")


def article(html: str) -> str:
    """The page's own content, without the theme's navigation (which links every page)."""
    return re.search(r'<article class="md-content__inner md-typeset">(.*)</article>', html, re.S).group(1)


def text_of(fragment: str) -> str:
    return " ".join(htmllib.unescape(re.sub(r"<[^>]+>", " ", fragment)).split())


def links(html: str) -> list[str]:
    return re.findall(r'<a [^>]*href="([^"]+)"', html)


def resolve(from_page: content.Page, href: str, lang: str = pages.DEFAULT_LANGUAGE) -> tuple[str, str]:
    """(site path, fragment) of a relative link written on ``from_page`` of the ``lang`` edition."""
    from urllib.parse import urljoin, urlsplit

    parts = urlsplit(urljoin(pages.url(from_page, lang), href))
    return parts.path, parts.fragment


def ids(html: str) -> set[str]:
    return set(re.findall(r'\sid="([^"]+)"', html))


def sections_of(page: content.Page, lang: str = pages.DEFAULT_LANGUAGE) -> dict[str, list[str]]:
    """Heading anchor -> the instruments and cells in that section of the page's source."""
    found: dict[str, list[str]] = {}
    current = None
    for match in FENCE_OR_HEADING.finditer(pages.source(page, lang).read_text(encoding="utf-8")):
        if match.group(1):
            current = match.group(1)
            found[current] = []
        elif current:
            found[current].append(match.group(3))
    return found


# ---------------------------------------------------------------- navigation and header

@LANGUAGES
def test_lesson_and_summary_are_published_and_in_the_nav(lang):
    nav = {path: title for title, path in pages.nav_entries(lang)}
    for page in (LESSON, SUMMARY):
        assert page.published and page.path in nav, page.slug
        assert nav[page.path] == page.text("title", lang)
    assert SUMMARY.summarises == LESSON.slug and LESSON.part == CHAPTER.part


@LANGUAGES
def test_lesson_header_gives_objectives_times_difficulty_and_prerequisites(site_dir, lang):
    page = built(site_dir, LESSON, lang)
    header = re.search(r'<header class="chapter-header lesson-header">(.*?)</header>', page, re.S).group(1)
    objectives = re.findall(r"<li>(.*?)</li>", re.search(r'<ol class="lesson-header__objectives">(.*?)</ol>', header).group(1))
    assert [htmllib.unescape(o) for o in objectives] == list(LESSON.items("objectives", lang)) and len(objectives) == 5
    minutes = int(re.search(r'data-reading-time="(\d+)"', header).group(1))
    assert minutes == reading_minutes(pages.source(LESSON, lang).read_text(encoding="utf-8"))
    practice = t("header.minutes", lang, minutes=LESSON.practice_minutes)
    assert f'data-practice-time="{LESSON.practice_minutes}">{practice}' in header
    facts = text_of(header)
    for label, value in (("header.difficulty", LESSON.text("difficulty", lang)),
                         ("header.level", level_words(LESSON.level, lang)),
                         ("header.prerequisites", LESSON.text("prerequisites", lang)),
                         ("header.objectives", LESSON.items("objectives", lang)[0])):
        assert f"{t(label, lang)} {value}" in facts, label
    assert f'<h1 id="lesson-title">{htmllib.escape(LESSON.text("title", lang), quote=False)}</h1>' in header
    summary_link = re.search(r'<p class="lesson-header__summary"><a href="([^"]+)">([^<]+)</a>', header)
    assert resolve(LESSON, summary_link.group(1), lang)[0] == pages.url(SUMMARY, lang)
    assert htmllib.unescape(summary_link.group(2)) == t("header.summary_link", lang)


def test_reading_time_is_counted_not_declared():
    text = pages.source(LESSON).read_text(encoding="utf-8")
    assert reading_minutes(text + "\n\nword" * 400) == reading_minutes(text) + 2


@LANGUAGES
def test_summary_header_names_and_links_its_lesson(site_dir, lang):
    page = built(site_dir, SUMMARY, lang)
    header = re.search(r'<header class="chapter-header summary-header">(.*?)</header>', page, re.S).group(1)
    assert re.search(r'data-reading-time="[1-9]\d*"', header)
    lesson_link = re.search(r'<p class="lesson-header__summary">([^<]*)<a href="([^"]+)">([^<]+)</a>', header)
    assert lesson_link.group(1).strip() == t("header.summary_of", lang)
    assert resolve(SUMMARY, lesson_link.group(2), lang)[0] == pages.url(LESSON, lang)
    assert htmllib.unescape(lesson_link.group(3)) == LESSON.text("title", lang)


# ---------------------------------------------------------------- links both ways

def _links_to(site_dir, source: content.Page, target: content.Page, lang: str = pages.DEFAULT_LANGUAGE) -> list[str]:
    """The fragments of every link on ``source`` that reaches ``target`` (same edition), each checked to exist."""
    target_ids = ids(built(site_dir, target, lang))
    fragments = []
    for href in links(article(built(site_dir, source, lang))):
        path, fragment = resolve(source, href, lang)
        if path == pages.url(target, lang):
            assert not fragment or fragment in target_ids, f"{source.slug} links to a missing #{fragment} on {target.slug}"
            fragments.append(fragment)
    return fragments


@LANGUAGES
def test_chapter_points_to_the_lesson_where_it_touches_its_topics(site_dir, lang):
    fragments = set(_links_to(site_dir, CHAPTER, LESSON, lang))
    # saturation (1.1), tanh's gain and loss at init (1.2), BatchNorm's caveats (1.3)
    assert {"saturation", "fan-in", "confidently-wrong", "batchnorm"} <= fragments


@LANGUAGES
def test_lesson_points_back_to_the_chapter_and_to_its_summary(site_dir, lang):
    assert {"s1-1", "s1-3", "s1-4", "eq-n1-3", "eq-n1-5", "eq-n1-6"} <= set(_links_to(site_dir, LESSON, CHAPTER, lang))
    assert _links_to(site_dir, LESSON, SUMMARY, lang)


@LANGUAGES
def test_every_key_point_of_the_summary_links_back_to_its_section(site_dir, lang):
    page = built(site_dir, SUMMARY, lang)
    key_points = re.search(r'<h2 id="key-points".*?<ul>(.*?)</ul>', page, re.S).group(1)
    items = re.findall(r"<li>(.*?)</li>", key_points, re.S)
    assert len(items) >= 5
    reached = set()
    for item in items:
        targets = [resolve(SUMMARY, href, lang) for href in links(item)]
        lesson = pages.url(LESSON, lang)
        assert any(path == lesson and fragment for path, fragment in targets), text_of(item)[:60]
        reached |= {fragment for path, fragment in targets if path == lesson}
    assert set(SECTIONS) <= reached
    assert _links_to(site_dir, SUMMARY, CHAPTER, lang)
    lead = re.search(r'<p class="lead"><strong>([^<]+)</strong>', page).group(1)  # the TL;DR opens the page
    assert lead == {"en": "TL;DR.", "es": "En pocas palabras."}[lang]


@LANGUAGES
def test_the_gallery_links_each_lesson_instrument_to_the_section_that_holds_it(lang):
    gallery = pages.source("instruments.md", lang)
    in_sections = sections_of(LESSON, lang)
    found = 0
    for block in re.split(r"^## ", gallery.read_text(encoding="utf-8"), flags=re.M):
        engine = re.search(r'```instrument engine="(\w+)"', block)
        link = re.search(rf"\]\({re.escape(LESSON.path)}#([\w-]+)\)", block)
        if engine and link:
            found += 1
            assert engine.group(1) in in_sections[link.group(1)], (engine.group(1), link.group(1))
    assert found == 2  # L.1 and L.2


def test_each_numbered_section_has_a_cell_and_the_instruments_sit_where_they_teach():
    in_sections = sections_of(LESSON)
    assert list(in_sections)[:5] == list(SECTIONS)
    for anchor in SECTIONS:
        assert any(item.startswith(LESSON.slug + "-") for item in in_sections[anchor]), anchor
    assert "loss_at_init" in in_sections["confidently-wrong"] and "saturation" in in_sections["histograms"]


# ---------------------------------------------------------------- quizzes, deck, cells

@LANGUAGES
def test_every_quiz_on_the_site_has_a_hint_before_its_solution(site_dir, lang):
    quizzes = 0
    for page in pages.registry().published():
        for quiz in re.findall(r'<div class="admonition question quiz".*?</details></div>', built(site_dir, page, lang), re.S):
            quizzes += 1
            hint, solution = quiz.find('class="tip quiz__hint"'), quiz.find('class="success quiz__solution"')
            assert 0 < hint < solution, quiz[:120]
    assert quizzes >= 6  # three in chapter 01, three in the lesson


def _deck(lang: str) -> dict:
    return yaml.safe_load(pages.source(LESSON, lang).with_suffix(".cards.yml").read_text(encoding="utf-8"))


@LANGUAGES
def test_the_deck_is_built_from_its_data_file(site_dir, lang):
    data = _deck(lang)
    assert len(data["cards"]) >= 12
    # a reader's marks are kept by deck and card id, so they carry over from one language to the other
    english = _deck(pages.DEFAULT_LANGUAGE)
    assert data["deck"] == english["deck"] and [c["id"] for c in data["cards"]] == [c["id"] for c in english["cards"]]
    page = built(site_dir, LESSON, lang)
    deck = re.search(r'<section class="flashcards" id="flashcards-([\w-]+)" data-deck="([\w-]+)"', page)
    assert deck.group(1) == deck.group(2) == data["deck"]
    items = re.findall(r'<div class="flashcards__item" data-card="([^"]+)"><dt>(.*?)</dt><dd>(.*?)</dd></div>', page, re.S)
    assert [i[0] for i in items] == [c["id"] for c in data["cards"]]
    words = re.compile(r"[^\W\d_]{3,}")
    for (_, question, answer), card in zip(items, data["cards"]):
        # the words of the data file (math aside: KaTeX has typeset it) on both sides of the card
        for shown, source in ((question, card["q"]), (answer, card["a"])):
            assert words.findall(re.sub(r"\$[^$]+\$", " ", source)) == words.findall(
                text_of(re.sub(r'<span class="katex">.*?</span></span></span>', " ", shown))), card["id"]
        if "$" in card["q"] + card["a"]:
            assert 'class="katex"' in question + answer, card["id"]
    assert not list(site_dir.rglob("*.cards.yml"))


CELL_IDS = pages.cell_ids(LESSON)


@LANGUAGES
@pytest.mark.parametrize("cell_id", CELL_IDS)
def test_cell_static_output_is_a_native_run(site_dir, cell_id, lang):
    assert pages.cell_ids(LESSON, lang) == CELL_IDS
    page = built(site_dir, LESSON, lang)
    cell = re.search(rf'<div class="pycell" id="{cell_id}".*?<div class="pycell__output" data-static="true">(.*?)</div></div>',
                     page, re.S)
    assert cell, cell_id
    static = htmllib.unescape(re.search(r'<pre class="pycell__stdout">(.*?)</pre>', cell.group(1), re.S).group(1))
    source = pages.source(LESSON, lang).read_text(encoding="utf-8")
    name = re.search(rf'```pycell id="{cell_id}"[^\n]*\n--8<-- "([^"]+)"', source).group(1)
    assert static == prose.cell_stdout(ROOT / "pysnippets" / name)
    charts = cell.group(1).count('<svg class="static-chart"')
    from instruments import plot

    assert charts == len(plot.FIGURES)  # the native run just drew these


def test_one_cell_draws_the_per_layer_histograms():
    from instruments import plot

    drawn = {}
    for cell_id in CELL_IDS:
        name = cell_id.removeprefix(LESSON.slug + "-").replace("-", "_") + ".py"
        plot.FIGURES.clear()
        prose.cell_stdout(ROOT / "pysnippets" / LESSON.slug / name)
        drawn[cell_id] = list(plot.FIGURES)
    histograms = [f for figures in drawn.values() for f in figures if "per layer" in f["layout"]["title"]["text"]]
    assert len(histograms) == 1
    assert [t["name"] for t in histograms[0]["data"]] == [f"layer {k}" for k in range(1, 6)]


def test_every_cell_file_is_on_the_page_under_its_own_name():
    names = sorted(p.name for p in (ROOT / "pysnippets" / LESSON.slug).glob("*.py"))
    assert names == sorted(c.removeprefix(LESSON.slug + "-").replace("-", "_") + ".py" for c in CELL_IDS)
