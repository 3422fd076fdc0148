"""Numeric quizzes grade at their stated tolerance, checked in Chromium at the edge.

Every numeric quiz of the built site is found in its HTML and answered around
its answer: inside the tolerance (and on its edge, which counts as right)
is right, just outside is wrong, whichever side. Inputs are written in
decimal from the page's own answer and tolerance strings, as a reader would
type them.
"""

from __future__ import annotations

import re
from decimal import Decimal

import pytest

pytestmark = pytest.mark.browser

NUMERIC_QUIZ = re.compile(r'<div class="[^"]*\bquiz\b[^"]*" id="([^"]+)" data-quiz-kind="numeric" '
                          r'data-answer="([^"]+)" data-tolerance="([^"]+)"')


def numeric_quizzes(site_dir) -> list[tuple[str, str, Decimal, Decimal]]:
    found = []
    for page in sorted(site_dir.rglob("*.html")):
        for quiz_id, answer, tolerance in NUMERIC_QUIZ.findall(page.read_text(encoding="utf-8")):
            path = "/" + page.relative_to(site_dir).as_posix().removesuffix("index.html")
            found.append((path, quiz_id, Decimal(answer), Decimal(tolerance)))
    return found


def grade(page, quiz_id: str, typed: str) -> str:
    box = page.locator(f"#{quiz_id}")
    box.locator("input").fill(typed)
    box.locator("input").press("Enter")
    return box.locator(".quiz__feedback").get_attribute("data-result")


def answers_to_try(answer: Decimal, tolerance: Decimal) -> dict[str, str]:
    """What a reader might type, and the verdict each deserves."""
    if tolerance > 0:
        cases = {
            answer + tolerance * Decimal("0.9"): "right",
            answer - tolerance * Decimal("0.9"): "right",
            answer + tolerance: "right",            # the edge belongs to the tolerance
            answer - tolerance: "right",
            answer + tolerance * Decimal("1.1"): "wrong",
            answer - tolerance * Decimal("1.1"): "wrong",
        }
    else:
        cases = {answer + Decimal("0.001"): "wrong", answer - Decimal("0.001"): "wrong"}
    cases[answer] = "right"
    if answer != 0:
        # what a 50 % relative tolerance, or a sign slip, would accept
        cases |= {answer * Decimal("1.5"): "wrong", answer * Decimal("0.5"): "wrong", -answer: "wrong"}
    typed = {str(value): verdict for value, verdict in cases.items()}
    inside = str(answer + tolerance * Decimal("0.9"))
    if "." in inside:
        typed[inside.replace(".", ",")] = "right"   # a decimal comma
    return typed


def test_every_numeric_quiz_grades_at_its_tolerance(site_dir, site_url, probe):
    quizzes = numeric_quizzes(site_dir)
    assert len(quizzes) >= 2, "the chapter's numeric quizzes were not found in the built HTML"
    page = probe.page
    for path, quiz_id, answer, tolerance in quizzes:
        # a numeric quiz forgives rounding, not guessing
        assert 0 <= tolerance <= abs(answer) / 100, (quiz_id, tolerance)
        page.goto(site_url + path)
        page.wait_for_selector(f"#{quiz_id} .quiz__form")
        for typed, verdict in answers_to_try(answer, tolerance).items():
            assert grade(page, quiz_id, typed) == verdict, (path, quiz_id, typed)
    assert probe.console_errors == [] and probe.blocked == []


def test_text_around_a_number_is_not_a_number(site_dir, site_url, probe):
    path, quiz_id, answer, _ = numeric_quizzes(site_dir)[0]
    probe.page.goto(site_url + path)
    probe.page.wait_for_selector(f"#{quiz_id} .quiz__form")
    for typed in (f"about {answer}", f"{answer} or so", f"{answer}{answer}", "", "1e", "."):
        assert grade(probe.page, quiz_id, typed) == "invalid", typed


def test_a_true_false_quiz_without_a_pick_is_not_graded(site_dir, site_url, probe):
    page_path = next(p for p in sorted(site_dir.rglob("*.html")) if 'data-quiz-kind="truefalse"' in p.read_text())
    probe.page.goto(site_url + "/" + page_path.relative_to(site_dir).as_posix().removesuffix("index.html"))
    box = probe.page.locator('.quiz[data-quiz-kind="truefalse"]').first
    box.locator("button[type=submit]").click()
    assert box.locator(".quiz__feedback").get_attribute("data-result") == "invalid"
    assert box.locator(".quiz__feedback").inner_text() == "Pick true or false."
    assert not box.locator("details.quiz__solution").evaluate("d => d.open")
