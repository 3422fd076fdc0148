"""Printing a chapter: Chromium prints it to PDF and the PDF's text must hold the chapter.

Equations (each label with its typeset formula beside it), every instrument's
default readouts, every cell's output, every quiz's worked solution at the
end, and no control a reader of paper cannot press. What is expected is read
from the page itself (its DOM), what is found from the PDF (pypdf, in layout
order, so a formula's glyphs follow its label).
"""

from __future__ import annotations

import io
import re
from collections import Counter

import pytest
from pypdf import PdfReader

from sitebuild.i18n import DEFAULT_LANGUAGE, t
from tests import pages
from tests.conftest import wake_live_parts

pytestmark = pytest.mark.browser

# The labels of every control on a chapter, in the page's language (messages/<language>.yml).
CONTROL_KEYS = ("cell.run", "cell.stop", "cell.reset", "cell.keep_state", "quiz.check", "quiz.show_solution")

EXPECTED = """() => {
  const text = (el) => el ? el.textContent.replace(/\\s+/g, ' ').trim() : '';
  const withoutMath = (el) => {
    const copy = el.cloneNode(true);
    copy.querySelectorAll('.katex, .arithmatex').forEach((m) => m.replaceWith(' \\u2063 '));
    return copy.textContent.split('\\u2063').map((s) => s.replace(/\\s+/g, ' ').trim()).filter((s) => s.length > 15);
  };
  return {
    equations: [...document.querySelectorAll('figure.equation')].map((f) => ({
      label: text(f.querySelector('.equation__label')),
      title: text(f.querySelector('.equation__title')),
      glyphs: text(f.querySelector('.katex-html')).replace(/\\s/g, ''),
    })),
    instruments: [...document.querySelectorAll('figure.instrument[data-engine]')].map((p) => ({
      title: text(p.querySelector('.instrument__title')),
      readouts: [...p.querySelectorAll('.instrument__print .instrument-print__readout')]
        .map((r) => [text(r.querySelector('dt')), text(r.querySelector('dd'))]),
    })),
    cells: [...document.querySelectorAll('.pycell')].map((c) => ({
      id: c.id,
      stdout: (c.querySelector('.pycell__stdout') || {}).textContent || '',
    })),
    quizzes: [...document.querySelectorAll('.quiz')].map((q) => ({
      title: text(q.querySelector('.admonition-title')),
      solution: withoutMath(q.querySelector('.quiz__solution')).slice(1),  // past the summary line
    })),
  };
}"""


def squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text).casefold()


def printed_in(sentence: str, flat: str) -> bool:
    """The sentence's words in order; a superscript of a neighbouring line may land between two."""
    pattern = ".{0,4}".join(re.escape(squeeze(word)) for word in sentence.split())
    return re.search(pattern, flat) is not None


# Each builder ships its own print styles: English is printed from both builds. The Spanish
# edition shares the print styles and scripts with the English one and differs in its words,
# so it is printed from the MkDocs build only.
PRINTED_EDITIONS = pytest.mark.parametrize(
    ("builder", "language"),
    [("mkdocs", language) for language in pages.LANGUAGES] + [("zensical", DEFAULT_LANGUAGE)],
    indirect=["builder"],
)


@pytest.fixture(scope="module")
def printed(browser, sites):
    """(PDF text in layout order, what the page says must be in it) for chapter 01 per builder and language."""
    found = {}

    def get(builder: str, language: str):
        if (builder, language) not in found:
            context = browser.new_context(viewport={"width": 1280, "height": 900})
            page = context.new_page()
            context.route("**/*", lambda route: route.continue_() if route.request.url.startswith(
                ("http://127.0.0.1", "data:", "blob:")) else route.abort())
            page.goto(sites.url(builder) + pages.url(pages.chapter(1), language))
            wake_live_parts(page)  # print what a reader who scrolled sees
            for panel in page.locator("figure.instrument[data-engine]").all():
                panel.locator(".instrument__print").wait_for(state="attached")
            expected = page.evaluate(EXPECTED)
            page.emulate_media(media="print")
            pdf = page.pdf(format="A4", print_background=False)
            context.close()
            reader = PdfReader(io.BytesIO(pdf))
            text = "\n".join(p.extract_text(extraction_mode="layout") for p in reader.pages)
            found[builder, language] = (text, expected, len(reader.pages))
        return found[builder, language]

    return get


@PRINTED_EDITIONS
def test_printed_chapter_has_every_equation_typeset_beside_its_label(printed, builder, language):
    text, expected, _ = printed(builder, language)
    lines = text.splitlines()
    assert len(expected["equations"]) >= 10
    for equation in expected["equations"]:
        # The caption line: the label and its title's first word (a wrapped line of prose may start with a label too).
        caption = squeeze(equation["label"] + equation["title"].split()[0])
        at = [i for i, line in enumerate(lines) if squeeze(line).startswith(caption)]
        assert at, f"{equation['label']} is not printed as an equation label"
        # A tall formula (a product, a fraction) spreads over a dozen lines of layout text.
        # Layout text pads a tall formula with blank lines: take its next six lines that hold anything.
        following = [line for line in lines[at[0] + 1: at[0] + 60] if line.strip()][:6]
        window = Counter(squeeze("".join(following)))
        wanted = Counter(c for c in squeeze(equation["glyphs"]) if c.isprintable() and c != "\u200b")
        present = sum(min(count, window[char]) for char, count in wanted.items())
        assert present >= 0.8 * sum(wanted.values()), f"{equation['label']}: the formula is not printed under it"


@PRINTED_EDITIONS
def test_printed_chapter_has_each_instruments_picture_readouts(printed, builder, language):
    text, expected, _ = printed(builder, language)
    flat = squeeze(text)
    assert expected["instruments"]
    for instrument in expected["instruments"]:
        start = flat.find(squeeze(instrument["title"]))
        assert start >= 0, instrument["title"]
        assert instrument["readouts"], instrument["title"]
        region = flat[start:]
        for label, value in instrument["readouts"]:
            assert squeeze(label) in region[:3000], f"{instrument['title']}: readout {label} missing"
            assert squeeze(value) in region[:3000], f"{instrument['title']}: {label} = {value} missing"


@PRINTED_EDITIONS
def test_printed_chapter_has_each_cells_output(printed, builder, language):
    text, expected, _ = printed(builder, language)
    flat = squeeze(text)
    assert expected["cells"]
    for cell in expected["cells"]:
        lines = [line for line in cell["stdout"].splitlines() if line.strip()]
        assert lines, f"{cell['id']} has no static output on the page"
        for line in lines:
            assert squeeze(line) in flat, f"{cell['id']}: output line {line!r} not printed"


@PRINTED_EDITIONS
def test_printed_chapter_ends_with_every_quiz_solution_and_shows_no_controls(printed, builder, language):
    text, expected, page_count = printed(builder, language)
    flat = squeeze(text)
    assert expected["quizzes"]
    end_of_text = flat.rfind(squeeze(expected["equations"][-1]["label"]))
    for quiz in expected["quizzes"]:
        # The title appears twice: at the quiz, and again over its solution at the end.
        assert flat.count(squeeze(quiz["title"])) == 2, quiz["title"]
        solutions_at = flat.rfind(squeeze(quiz["title"]))
        assert solutions_at > end_of_text, f"{quiz['title']}: its solution is not printed at the end"
        assert quiz["solution"], quiz["title"]
        for sentence in quiz["solution"]:
            assert printed_in(sentence, flat[solutions_at:]), f"{quiz['title']}: {sentence!r} not printed"
    for key in CONTROL_KEYS:
        word = t(key, language)
        assert not re.search(rf"(?<![\w-]){re.escape(word)}(?![\w-])", text), f"control text {word!r} printed"
    assert page_count >= 5
