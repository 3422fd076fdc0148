"""The built lab pages: cards as the server writes them (what a reader without
JavaScript gets), links to chapter 01, the record on the index, one string table."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from sitebuild.predict import STRINGS
from tests.labs.labs import ROOT, all_cards, cards, lab_pages, labs_index, url

JS = ROOT / "docs" / "assets" / "js" / "predict.js"


def html_of(site_dir: Path, page: str) -> str:
    return (site_dir / url(page).strip("/") / "index.html").read_text(encoding="utf-8")


class Elements(HTMLParser):
    """Start tags with their attributes, and the text inside each element id'd or classed."""

    def __init__(self):
        super().__init__()
        self.tags: list[tuple[str, dict]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


def tags(html: str) -> list[tuple[str, dict]]:
    parser = Elements()
    parser.feed(html)
    return parser.tags


def card_html(html: str, card_id: str) -> str:
    start = html.index(f'id="{card_id}"')
    end = html.index('class="predict__strings"', start)
    return html[start:end]


@pytest.mark.parametrize("page, card", all_cards(), ids=[c.id for _, c in all_cards()])
def test_without_javascript_a_card_is_its_question_and_a_collapsed_answer(site_dir, page, card):
    html = card_html(html_of(site_dir, page), card.id)
    question, answer = html.split('<details class="predict__answer">', 1)
    # the question: four outcomes in the table's words, and the optional second question
    for outcome in ("trains", "spikes", "diverges", "stalls"):
        assert f'data-value="{outcome}">{STRINGS["outcome_" + outcome]}</li>' in question
    assert (STRINGS["question_fails_first"] in question) == bool(card.fails_first)
    # the answer, collapsed (no "open"): verdict, explanation, and the card's own cell with its output
    assert f"<summary>{STRINGS['answer_summary']}</summary>" in answer
    assert f"{STRINGS['outcome_' + card.outcome]}." in answer.split("</p>", 1)[0]
    assert f'id="{card.id}-run"' in answer and "pycell__output" in answer
    assert f"outcome: {card.outcome}" in answer
    assert "<details open" not in html and 'class="predict__answer" open' not in html


@pytest.mark.parametrize("page", lab_pages())
def test_each_lab_links_to_the_chapter_sections_and_equations_it_exercises(site_dir, page):
    hrefs = [attrs["href"] for tag, attrs in tags(html_of(site_dir, page)) if tag == "a" and "href" in attrs]
    chapter = [h for h in hrefs if "chapters/01-foundations/" in h]
    sections = {h.split("#")[1] for h in chapter if "#s1-" in h}
    equations = {h.split("#")[1] for h in chapter if "#eq-n1-" in h}
    assert sections and equations, f"{page} should link to a section and an equation of chapter 01"


def test_the_index_lists_every_lab_and_records_every_card(site_dir):
    html = html_of(site_dir, labs_index())
    hrefs = [attrs["href"] for tag, attrs in tags(html) if tag == "a" and "href" in attrs]
    for page in lab_pages():
        target = url(page).rsplit("/", 2)[-2] + "/"
        assert target in hrefs, f"the index should link to {page}"
    record = html[html.index('class="predict-record"'):]
    listed = re.findall(r'data-card="([^"]+)"', record)
    assert listed == [card.id for _, card in all_cards()]
    for page in lab_pages():
        for card in cards(page):
            assert f'href="{url(page).rsplit("/", 2)[-2]}/#{card.id}"' in record
    assert STRINGS["record_needs_js"] in record


def test_every_string_the_script_asks_for_is_in_the_one_table():
    script = JS.read_text(encoding="utf-8")
    keys = set(re.findall(r'\bt\("(\w+)"', script)) | {f"status_{s}" for s in ("right", "wrong", "skipped", "open")}
    assert keys <= set(STRINGS), keys - set(STRINGS)
    # and the script holds no sentence of its own: every quoted text with a space is a selector
    for literal in re.findall(r'"([^"\n]*\s[^"\n]*)"', script):
        assert not re.search(r"[A-Z][a-z]+ [a-z]+", literal), f"a sentence in predict.js: {literal!r}"


def test_the_table_reaches_the_page_intact(site_dir):
    html = html_of(site_dir, lab_pages()[0])
    blob = re.search(r'<script type="application/json" class="predict__strings">(.*?)</script>', html, re.S).group(1)
    assert json.loads(blob) == STRINGS


@pytest.mark.parametrize("page", lab_pages())
def test_static_loss_charts_name_their_curves_and_use_a_log_axis_where_asked(site_dir, page):
    html = html_of(site_dir, page)
    for svg in re.findall(r'<svg class="static-chart".*?</svg>', html, re.S):
        polylines = svg.count("<polyline")
        if polylines > 1:
            assert svg.count("<text") >= 4 + polylines, "a chart with several curves carries a legend"
