"""The fences' options are declared and checked, and no fence error is swallowed.

pymdownx.superfences drops a fence whose formatter raises an ordinary exception
and prints the fence as code; these tests hold the fences to failing loudly.
"""

from __future__ import annotations

import re

import markdown
import pytest

from sitebuild import fences
from sitebuild.fences import FENCES, FenceError
from sitebuild.i18n import t

QUIZ = ('```quiz id="q1" kind="numeric" answer="0.5" tolerance="0.01" title="Quiz"\nHalf?\n'
        '--- hint ---\nOne of two.\n--- solution ---\nYes.\n```\n')


def convert(text: str) -> str:
    custom = [{"name": name, "class": name, "format": getattr(fences, f"format_{name.replace('-', '_')}"),
               "validator": fences.check_options} for name in FENCES]
    return markdown.markdown(text, extensions=["pymdownx.superfences"],
                             extension_configs={"pymdownx.superfences": {"custom_fences": custom}})


def test_a_well_formed_quiz_renders():
    html = convert(QUIZ)
    assert 'class="admonition question quiz" id="q1"' in html and 'data-tolerance="0.01"' in html


def test_a_quiz_renders_its_hint_collapsed_before_the_solution_with_its_words():
    html = convert(QUIZ)
    hint = html.index(f'<details class="tip quiz__hint"><summary>{t("quiz.hint")}</summary><p>One of two.</p></details>')
    assert hint < html.index(f'<details class="success quiz__solution"><summary>{t("quiz.solution")}</summary>')
    # the script's words (second chance) come from the page's catalogue, not from the quiz
    assert "data-words" not in html


def test_every_fence_in_mkdocs_yml_is_declared_and_checked():
    from tests.pages import ROOT

    # The fences are listed once, in the config every language edition inherits.
    text = (ROOT / "mkdocs.base.yml").read_text(encoding="utf-8")
    listed = [line.split(":", 1)[1].strip() for line in text.splitlines() if line.strip().startswith("- name:")]
    assert sorted(listed) == sorted(FENCES)
    assert text.count("validator: !!python/name:sitebuild.fences.check_options") == len(FENCES)


@pytest.mark.parametrize(("old", "new", "message"), [
    ('tolerance="0.01"', 'tolerence="0.01"', "```quiz id=\"q1\" has an unknown option 'tolerence' (did you mean 'tolerance'?)"),
    ('answer="0.5" ', "", '```quiz id="q1" needs the option(s) answer'),
    ('answer="0.5"', 'answer="half"', "answer must be a number; got 'half'"),
    ('kind="numeric"', 'kind="multiple"', "kind must be one of numeric, truefalse"),
    ("--- solution ---\n", "", "needs a '--- solution ---' line"),
    ("--- hint ---\nOne of two.\n", "", "needs a '--- hint ---' section"),
    ("--- hint ---\nOne of two.\n", "--- hint ---\n", "needs a '--- hint ---' section"),
    ("--- hint ---\nOne of two.\n--- solution ---\nYes.\n", "--- solution ---\nYes.\n--- hint ---\nOne of two.\n",
     "the '--- hint ---' section comes before '--- solution ---'"),
], ids=["misspelt", "missing", "bad-answer", "bad-kind", "no-solution", "no-hint", "empty-hint", "hint-last"])
def test_a_faulty_fence_raises_naming_it(old, new, message):
    assert old in QUIZ
    with pytest.raises(FenceError) as caught:
        convert(QUIZ.replace(old, new, 1))
    assert message in str(caught.value)


# ---------------------------------------------------------------- flashcards

DECK = """deck: test-deck
cards:
  - id: one
    q: What is $1 + 1$?
    a: Two.
  - id: two
    q: And *three*?
    a: Three.
"""


@pytest.fixture
def deck_page(tmp_path):
    """A page lessons/page.md in a docs folder, with a deck file beside it."""
    from sitebuild import context

    (tmp_path / "lessons").mkdir()
    (tmp_path / "lessons" / "page.cards.yml").write_text(DECK, encoding="utf-8")
    context.set_mkdocs_page("lessons/page.md", "en", tmp_path)
    yield tmp_path / "lessons" / "page.cards.yml"
    context._mkdocs_page = None


CARDS = '```flashcards deck="page.cards.yml" title="Cards"\n```\n'


def test_a_deck_renders_as_a_question_and_answer_list(deck_page):
    html = convert(CARDS)
    assert '<section class="flashcards" id="flashcards-test-deck" data-deck="test-deck"' in html
    items = re.findall(r'<div class="flashcards__item" data-card="([^"]+)"><dt>(.*?)</dt><dd>(.*?)</dd></div>', html)
    assert [i[0] for i in items] == ["one", "two"]
    assert "arithmatex" in items[0][1] and "<em>three</em>" in items[1][1] and "Three." in items[1][2]
    assert "data-words" not in html  # flashcards.js asks the page's catalogue (cards.*)


@pytest.mark.parametrize(("old", "new", "message"), [
    ("  - id: two", "  - id: one", "needs a unique id"),
    ("    a: Three.\n", "", "needs exactly the fields id, q and a"),
    ("    a: Two.", "    a: '  '", "has an empty or non-text field"),
    ("    a: Two.", "    a: See [this](#x).", "holds a link"),
    ("deck: test-deck", "deck: Test Deck", "deck must be an id"),
    ("deck: test-deck\n", "", "holds two keys, deck and cards"),
], ids=["duplicate-id", "missing-field", "empty-answer", "link", "bad-deck-id", "no-deck"])
def test_a_faulty_deck_fails_naming_the_problem(deck_page, old, new, message):
    assert old in DECK
    deck_page.write_text(DECK.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(FenceError) as caught:
        convert(CARDS)
    assert message in str(caught.value)
    assert 'page lessons/page.md: ```flashcards deck="page.cards.yml"' in str(caught.value)


def test_a_missing_deck_file_or_a_filled_fence_fails(deck_page):
    with pytest.raises(FenceError, match="no deck file 'other.cards.yml' beside the page"):
        convert(CARDS.replace("page.cards.yml", "other.cards.yml"))
    with pytest.raises(FenceError, match="leave the fence empty"):
        convert(CARDS.replace("\n```\n", "\nA card?\n```\n"))
