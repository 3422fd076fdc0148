"""The built lab pages in every edition: cards as the server writes them (what a
reader without JavaScript gets), in the page's language; links to chapter 01 and
to the engines' source; the record on the index; words only from the catalogue."""

from __future__ import annotations

import posixpath
import re
from pathlib import Path

import pytest

from sitebuild.i18n import catalogue, t
from sitebuild.predict import OUTCOME_KEYS
from tests.conftest import on_both_builds
from tests.html_tags import tags
from tests.labs.labs import LANGUAGES, ROOT, all_cards, cards, lab_pages, labs_index, url

JS = ROOT / "docs" / "assets" / "js" / "predict.js"
CARDS = [(lang, page, card) for lang in LANGUAGES for page, card in all_cards(lang)]
PAGES = [(lang, page) for lang in LANGUAGES for page in lab_pages()]


def html_of(site_dir: Path, page: str, language: str = "en") -> str:
    return (site_dir / url(page, language).strip("/") / "index.html").read_text(encoding="utf-8")


def card_html(html: str, card_id: str) -> str:
    start = html.index(f'id="{card_id}"')
    end = html.index("</details>", start)
    return html[start:end]


@pytest.mark.parametrize("language, page, card", CARDS, ids=[f"{lang}-{c.id}" for lang, _, c in CARDS])
def test_without_javascript_a_card_is_its_question_and_a_collapsed_answer(site_dir, language, page, card):
    html = card_html(html_of(site_dir, page, language), card.id)
    question, answer = html.split('<details class="predict__answer">', 1)
    # the question: four outcomes in the catalogue's words, and the optional second question
    for outcome, key in OUTCOME_KEYS.items():
        assert f'data-value="{outcome}">{t(key, language)}</li>' in question
    assert (t("lab.predict.question_fails_first", language) in question) == bool(card.fails_first)
    # the answer, collapsed (no "open"): verdict, explanation, and the card's own cell with its output
    assert f"<summary>{t('lab.predict.answer_summary', language)}</summary>" in answer
    assert f"{t(OUTCOME_KEYS[card.outcome], language)}." in answer.split("</p>", 1)[0]
    assert f'id="{card.id}-run"' in answer and "pycell__output" in answer
    assert re.search(rf"^\w+: {card.outcome}$", answer, re.M), "the card's own run, printed in the answer"
    assert "<details open" not in html and 'class="predict__answer" open' not in html


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_spanish_card_runs_its_spanish_cell(site_dir, language):
    """The run under each card speaks the page's language (the twin of the cell in pysnippets/es/)."""
    page, card = all_cards(language)[0]
    answer = card_html(html_of(site_dir, page, language), card.id)
    said = {"en": "outcome: ", "es": "resultado: "}[language]
    assert f"{said}{card.outcome}" in answer


@on_both_builds
@pytest.mark.parametrize("language, page", PAGES)
def test_every_link_on_a_lab_page_reaches_a_published_file(site_dir, language, page):
    """Links written into fences' HTML and raw HTML escape the builders' checks: check them here
    (the engines' source is published once, at the root site, for every edition)."""
    here = url(page, language)
    for tag, attrs in tags(html_of(site_dir, page, language)):
        href = attrs.get("href") if tag == "a" else None
        if not href or href.startswith(("#", "http:", "https:", "mailto:")):
            continue
        target = posixpath.normpath(posixpath.join(here, href.split("#")[0])).lstrip("/")
        path = site_dir / target
        assert path.is_file() or (path / "index.html").is_file(), f"{here} links to {href}, which the site lacks"


@pytest.mark.parametrize("language, page", PAGES)
def test_each_lab_links_to_the_chapter_sections_and_equations_it_exercises(site_dir, language, page):
    hrefs = [attrs["href"] for tag, attrs in tags(html_of(site_dir, page, language)) if tag == "a" and "href" in attrs]
    chapter = [h for h in hrefs if "chapters/01-foundations/" in h]
    sections = {h.split("#")[1] for h in chapter if "#s1-" in h}
    equations = {h.split("#")[1] for h in chapter if "#eq-n1-" in h}
    assert sections and equations, f"{page} should link to a section and an equation of chapter 01"


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_index_lists_every_lab_and_records_every_card(site_dir, language):
    html = html_of(site_dir, labs_index(), language)
    hrefs = [attrs["href"] for tag, attrs in tags(html) if tag == "a" and "href" in attrs]
    for page in lab_pages():
        target = url(page).rsplit("/", 2)[-2] + "/"
        assert target in hrefs, f"the index should link to {page}"
    record = html[html.index('class="predict-record"'):]
    listed = re.findall(r'data-card="([^"]+)"', record)
    assert listed == [card.id for _, card in all_cards(language)]
    for page in lab_pages():
        for card in cards(page, language):
            assert f'href="{url(page).rsplit("/", 2)[-2]}/#{card.id}"' in record
            assert f">{card.title}</a>" in record, "the record names each card as its page does"
    assert t("lab.record.needs_js", language) in record
    assert t("lab.record.heading", language) in record


def test_the_script_asks_the_catalogue_for_every_word():
    script = JS.read_text(encoding="utf-8")
    keys = set(re.findall(r'"(lab\.[a-z_.]+)"', script))
    assert {"lab.predict.lock", "lab.record.reset", "lab.record.status.open"} <= keys
    for key in keys:
        for language in LANGUAGES:
            values = {name: 1 for name in re.findall(r"\{(\w+)\}", catalogue(language)[key])}
            assert t(key, language, **values)


@pytest.mark.parametrize("language, page", PAGES)
def test_static_loss_charts_name_their_curves_and_use_a_log_axis_where_asked(site_dir, language, page):
    html = html_of(site_dir, page, language)
    for svg in re.findall(r'<svg class="static-chart".*?</svg>', html, re.S):
        polylines = svg.count("<polyline")
        if polylines > 1:
            assert svg.count("<text") >= 4 + polylines, "a chart with several curves carries a legend"
