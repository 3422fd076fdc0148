"""Chapter 01 in a real browser: math, anchors, quizzes, dark mode, accessibility."""

from __future__ import annotations

import pytest

from tests import pages
from tests.conftest import on_both_builds, serious_axe_findings, wait_until_whole

pytestmark = pytest.mark.browser

CHAPTER = pages.url(pages.chapter(1))
EQUATIONS = [f"eq-n1-{k}" for k in range(1, 11)]


@pytest.fixture
def chapter(probe, site_url):
    probe.page.goto(site_url + CHAPTER)
    probe.page.wait_for_selector(".quiz__form")
    return probe


# MkDocs only: the math is typeset at build time, and tests/site checks each builder's pages for it
# (test_pages_ship_typeset_math_and_no_katex_javascript) and their parity.
def test_every_equation_is_typeset_and_labelled(chapter):
    page = chapter.page
    wait_until_whole(page)  # the text as drawn (innerText) is read below
    for anchor in EQUATIONS:
        figure = page.locator(f"figure.equation#{anchor}")
        assert figure.count() == 1, anchor
        label = figure.locator(".equation__label").inner_text()
        assert label.upper() == "EQ " + anchor[3:].upper().replace("-", ".", 1), label
        assert figure.locator(".katex-display .katex-html").count() == 1, anchor
    assert page.locator(".katex-error").count() == 0
    text = page.locator("article").inner_text()
    assert "\\(" not in text and "$$" not in text and "\\frac" not in text


def test_prose_links_reach_each_equation(chapter):
    page = chapter.page
    for anchor in EQUATIONS:
        # Material's instant navigation rewrites in-page hrefs to absolute URLs.
        link = page.locator(f'article a[href$="#{anchor}"]:not(.equation__label)').first
        assert link.count() == 1, f"no prose link to {anchor}"
    page.locator('article a[href$="#eq-n1-6"]:not(.equation__label)').first.click()
    page.wait_for_function("location.hash === '#eq-n1-6'")
    top = page.evaluate("document.getElementById('eq-n1-6').getBoundingClientRect().top")
    assert 0 <= top < 400


# MkDocs only: quiz.js is the same file under both builders; its smoke test on each
# is tests/lesson/test_lesson_browser.py::test_numeric_quiz_gives_a_hint_then_a_retry_then_the_solution.
@pytest.mark.parametrize(
    ("quiz", "right", "wrong"),
    [("#quiz-he-std", "0.125", "0.25"), ("#quiz-bn-value", "0.5", "1")],
)
def test_numeric_quiz_judges_and_reveals(chapter, quiz, right, wrong):
    page = chapter.page
    box = page.locator(quiz)
    hint, solution = box.locator("details.quiz__hint"), box.locator("details.quiz__solution")
    assert not solution.evaluate("d => d.open") and not hint.evaluate("d => d.open")
    box.locator("input").fill(wrong)
    box.locator("button[type=submit]").click()
    assert box.locator(".quiz__feedback").get_attribute("data-result") == "wrong"
    assert hint.evaluate("d => d.open"), "a first wrong answer opens the hint"
    assert not solution.evaluate("d => d.open"), "and leaves a second try before the solution"
    box.locator("input").press("Enter")
    assert solution.evaluate("d => d.open"), "the worked solution opens after a second wrong answer"
    box.locator("input").fill(right)
    box.locator("input").press("Enter")
    assert box.locator(".quiz__feedback").get_attribute("data-result") == "right"
    assert box.locator(".quiz__feedback").inner_text() == "Correct."


def test_numeric_quiz_rejects_text_without_counting_it(chapter):
    box = chapter.page.locator("#quiz-he-std")
    box.locator("input").fill("an eighth")
    box.locator("button[type=submit]").click()
    assert box.locator(".quiz__feedback").get_attribute("data-result") == "invalid"
    assert not box.locator("details.quiz__solution").evaluate("d => d.open")
    assert not box.locator("details.quiz__hint").evaluate("d => d.open")  # not counted as a try


def test_true_false_quiz_works_from_the_keyboard_alone(chapter):
    page = chapter.page
    box = page.locator("#quiz-residual")
    box.locator("input[value=false]").focus()
    page.keyboard.press("Space")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    assert box.locator(".quiz__feedback").get_attribute("data-result") == "wrong"
    box.locator("input[value=false]").focus()
    page.keyboard.press("ArrowDown")  # radio groups move with arrow keys
    assert box.locator("input[value=true]").is_checked()
    page.keyboard.press("Enter")  # Enter in a form submits it
    assert box.locator(".quiz__feedback").get_attribute("data-result") == "right"


def test_show_solution_on_request(chapter):
    box = chapter.page.locator("#quiz-residual")
    box.locator('[data-action="reveal"]').click()
    assert box.locator("details.quiz__solution").evaluate("d => d.open")


def test_dark_mode_toggles(chapter):
    page = chapter.page
    scheme = lambda: page.evaluate("document.body.getAttribute('data-md-color-scheme')")  # noqa: E731
    before = scheme()
    background = lambda: page.evaluate("getComputedStyle(document.body).backgroundColor")  # noqa: E731
    bg_before = background()
    page.locator("label.md-header__button[for^='__palette']:visible").first.click()
    page.wait_for_function(f"document.body.getAttribute('data-md-color-scheme') !== '{before}'")
    assert scheme() != before
    assert background() != bg_before


@on_both_builds  # smoke on each theme shell: every script of ours loads and runs in it
def test_no_console_errors_and_no_outside_requests(chapter):
    chapter.page.wait_for_load_state("networkidle")
    assert chapter.console_errors == []
    assert chapter.blocked == []


@on_both_builds  # each builder ships its own header, navigation and footer
def test_axe_reports_no_serious_or_critical_violations(chapter, axe_source):
    page = chapter.page
    bad = serious_axe_findings(page, axe_source)  # once whole: colours are judged on blocks drawn
    assert not bad, "\n".join(bad)


def test_without_javascript_the_solution_is_a_collapsed_details(browser, site_url):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(site_url + CHAPTER)
    for quiz in ("#quiz-he-std", "#quiz-bn-value", "#quiz-residual"):
        for part in ("hint", "solution"):
            details = page.locator(f"{quiz} details.quiz__{part}")
            assert details.count() == 1
            assert not details.evaluate("d => d.open")
        assert page.locator(f"{quiz} .quiz__form").count() == 0
    context.close()
