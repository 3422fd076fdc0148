"""Prediction cards and the record in a real browser: hidden until committed,
remembered across reloads, resettable, keyboard-only, accessible, on a phone,
with storage blocked and without JavaScript."""

from __future__ import annotations

import re

import pytest

from sitebuild.i18n import t
from sitebuild.predict import OUTCOME_KEYS
from tests.conftest import open_local_page, scroll_to, serious_axe_findings, wait_until_whole, wake_live_parts
from tests.labs.labs import LANGUAGES, all_cards, lab_pages, labs_index, url

pytestmark = pytest.mark.browser

CARDS = all_cards()
FIRST_PAGE, FIRST = CARDS[0]
INDEX = url(labs_index())


def w(key: str, language: str = "en", **values) -> str:
    """The catalogue's words, as the page shows them."""
    return t(key, language, **values)


def outcome_words(outcome: str, language: str = "en") -> str:
    return t(OUTCOME_KEYS[outcome], language)


def wrong_outcome(card) -> str:
    return next(o for o in ("trains", "spikes", "diverges", "stalls") if o != card.outcome)


def visible_text(page) -> str:
    return page.locator("body").inner_text()


@pytest.fixture
def lab(probe, site_url):
    def open_page(path: str):
        probe.page.goto(site_url + path)
        probe.page.wait_for_selector(".predict--enhanced")
        return probe.page
    yield open_page
    assert probe.blocked == [], f"requests left the machine: {probe.blocked}"
    assert probe.console_errors == []


OUTCOME_LINE = re.compile(r"^\w+: (trains|spikes|diverges|stalls)$", re.M)


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("page_path", lab_pages())
def test_no_result_is_visible_before_a_prediction(lab, page_path, language):
    page = lab(url(page_path, language))
    text = visible_text(page)
    assert not OUTCOME_LINE.search(text), "a card's run output is visible before a prediction"
    for card in (c for p, c in all_cards(language) if p == page_path):
        box = page.locator(f"#{card.id}")
        assert box.locator("details.predict__answer").is_hidden()
        assert box.locator(f"#{card.id}-run").is_hidden()
        # not rendered at all (an element outside the rendering has no boxes), not merely transparent
        assert box.locator(f"#{card.id}-run .pycell__output").evaluate("n => n.getClientRects().length") == 0
        assert box.locator("details.predict__answer").evaluate("d => getComputedStyle(d).display") == "none"
        explanation_start = re.sub(r"[`$*]", "", card.explanation_md.strip().split(".")[0])[:30]
        assert explanation_start not in text
        assert box.get_by_role("button", name=w("lab.predict.lock", language)).is_visible()


def test_locking_in_reveals_the_run_beside_the_verdict(lab):
    page = lab(url(FIRST_PAGE))
    box = page.locator(f"#{FIRST.id}")
    box.get_by_role("button", name=w("lab.predict.lock")).click()
    assert box.locator(".predict__status").inner_text() == w("lab.predict.pick_each")
    assert box.locator("details.predict__answer").is_hidden(), "no reveal without an answer"
    box.get_by_label(outcome_words(wrong_outcome(FIRST))).check()
    if FIRST.fails_first:
        box.locator(f'input[name="{FIRST.id}-fails-first"]').nth(FIRST.fails_first_answer).check()
    box.get_by_role("button", name=w("lab.predict.lock")).click()
    assert box.get_attribute("data-result") == "wrong"
    result = box.locator(".predict__result")
    assert outcome_words(FIRST.outcome) in result.inner_text()
    assert box.locator("details.predict__answer").is_visible()
    assert "outcome: " + FIRST.outcome in box.locator(f"#{FIRST.id}-run .pycell__output").inner_text()
    assert box.locator("input[type=radio]").first.is_disabled()   # inside a disabled fieldset
    assert box.get_by_role("button", name=w("lab.predict.lock")).is_hidden()


def test_the_record_survives_a_reload_is_summarised_and_resets(lab, site_url):
    page = lab(url(FIRST_PAGE))
    box = page.locator(f"#{FIRST.id}")
    box.get_by_label(outcome_words(FIRST.outcome)).check()
    if FIRST.fails_first:
        box.locator(f'input[name="{FIRST.id}-fails-first"]').nth(FIRST.fails_first_answer).check()
    box.get_by_role("button", name=w("lab.predict.lock")).click()
    page.reload()
    page.wait_for_selector(".predict--enhanced")
    box = page.locator(f"#{FIRST.id}")
    assert box.get_attribute("data-result") == "right"
    assert box.locator("details.predict__answer").is_visible()
    # a second card, skipped
    second_page, second = next((p, c) for p, c in CARDS if p != FIRST_PAGE)
    lab(url(second_page))
    page.locator(f"#{second.id}").get_by_role("button", name=w("lab.predict.skip")).click()
    assert page.locator(f"#{second.id}").get_attribute("data-result") == "skipped"

    page.goto(site_url + INDEX)
    summary = page.locator(".predict-record__summary")
    expected = w("lab.record.summary_one", right=1, made=1)
    assert summary.inner_text().startswith(expected)
    assert w("lab.record.progress", tried=2, total=len(CARDS), skipped=1) in summary.inner_text()
    assert page.locator(f'[data-card="{FIRST.id}"]').get_attribute("data-status") == "right"
    assert page.locator(f'[data-card="{second.id}"]').get_attribute("data-status") == "skipped"

    page.get_by_role("button", name=w("lab.record.reset")).click()
    dialog = page.get_by_role("alertdialog")
    dialog.get_by_role("button", name=w("lab.record.reset_no")).click()
    assert summary.inner_text().startswith(expected), "keeping the record keeps it"
    page.get_by_role("button", name=w("lab.record.reset")).click()
    page.get_by_role("alertdialog").get_by_role("button", name=w("lab.record.reset_yes")).click()
    assert w("lab.record.none") in summary.inner_text()
    page.reload()
    assert page.locator(".predict-record__summary").inner_text() == w("lab.record.none")
    lab(url(FIRST_PAGE))
    assert page.locator(f"#{FIRST.id} details.predict__answer").is_hidden(), "a reset card asks again"


def test_keyboard_only(lab):
    page = lab(url(FIRST_PAGE))
    box = page.locator(f"#{FIRST.id}")
    first_radio = box.locator('input[type="radio"]').first
    first_radio.focus()
    page.keyboard.press("Space")                                  # select the first outcome
    order = ["trains", "spikes", "diverges", "stalls"]
    for _ in range(order.index(FIRST.outcome)):
        page.keyboard.press("ArrowDown")
    assert box.locator(f'input[value="{FIRST.outcome}"]').is_checked()
    if FIRST.fails_first:
        page.keyboard.press("Tab")                                # into the second question
        page.keyboard.press("Space")
        for _ in range(FIRST.fails_first_answer):
            page.keyboard.press("ArrowDown")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == w("lab.predict.lock")
    page.keyboard.press("Enter")
    assert box.get_attribute("data-result") == "right"
    # focus lands on the verdict, then moves on into the revealed answer
    assert page.evaluate("document.activeElement.classList.contains('predict__result')")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.tagName") == "SUMMARY"


def test_with_storage_blocked_the_card_works_and_says_it_cannot_keep_the_record(browser, site_url):
    context, probe = open_local_page(browser)
    context.add_init_script("""
      for (const name of ['getItem', 'setItem', 'removeItem']) {
        Storage.prototype[name] = () => { throw new DOMException('blocked', 'SecurityError'); };
      }""")
    page = probe.page
    try:
        # Material's own scripts already complain when storage throws; the cards must add nothing.
        page.goto(site_url + "/")
        page.wait_for_timeout(500)
        baseline, probe.console_errors[:] = list(probe.console_errors), []
        page.goto(site_url + url(FIRST_PAGE))
        page.wait_for_selector(".predict--enhanced")
        wait_until_whole(page)  # the card's words are read as drawn (innerText)
        box = page.locator(f"#{FIRST.id}")
        assert w("lab.predict.storage_blocked") in box.inner_text()
        box.get_by_role("button", name=w("lab.predict.skip")).click()
        assert box.locator("details.predict__answer").is_visible()
        page.goto(site_url + INDEX)
        assert page.locator(".predict-record__summary").inner_text() == w("lab.record.storage_blocked")
        page.wait_for_timeout(500)
        assert probe.console_errors == baseline * 2       # two page loads, nothing of ours
    finally:
        context.close()


def test_without_javascript_the_question_shows_and_the_answer_is_collapsed(browser, site_url):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    try:
        page.goto(site_url + url(FIRST_PAGE))
        box = page.locator(f"#{FIRST.id}")
        scroll_to(box)  # far down: drawn once the reader gets there
        assert w("lab.predict.question_outcome") in box.inner_text()
        answer = box.locator("details.predict__answer")
        assert answer.is_visible() and not answer.evaluate("d => d.open")
        assert "outcome: " not in box.inner_text()
        answer.locator("summary").click()
        assert "outcome: " + FIRST.outcome in box.inner_text()
        page.goto(site_url + INDEX)
        assert page.locator(".predict-record__summary").inner_text() == w("lab.record.needs_js")
    finally:
        context.close()


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("page_path", [labs_index(), *lab_pages()])
def test_phone_layout_has_no_sideways_scroll(browser, site_url, page_path, language):
    context, probe = open_local_page(browser, viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    page = probe.page
    try:
        page.goto(site_url + url(page_path, language))
        for card in page.locator(".predict--enhanced").all():
            card.get_by_role("button", name=w("lab.predict.skip", language)).click()
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, f"{page_path} is {width}px wide on a 390px phone"
        for button in page.locator(".predict__buttons button, .predict-record__reset").all():
            box = button.bounding_box()
            assert box is None or box["height"] >= 24
    finally:
        context.close()


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("page_path", [labs_index(), *lab_pages()])
def test_axe_finds_nothing_serious_before_and_after_a_reveal(browser, site_url, axe_source, page_path, scheme):
    context, probe = open_local_page(browser, color_scheme=scheme)
    page = probe.page
    try:
        page.goto(site_url + url(page_path))
        for stage in ("locked", "revealed"):
            if stage == "revealed":
                for card in page.locator(".predict--enhanced").all():
                    card.get_by_role("button", name=w("lab.predict.skip")).click()
            wake_live_parts(page, ".pycell")
            bad = serious_axe_findings(page, axe_source)
            assert not bad, f"{stage}:\n" + "\n".join(bad)
        assert probe.blocked == []
    finally:
        context.close()


def test_a_stored_prediction_is_judged_against_the_card_as_it_is_now(lab, site_url):
    """A record's own verdict is not trusted: a revised card re-judges old picks,
    and a card that now asks a question the record lacks asks again."""
    page = lab(url(FIRST_PAGE))
    wrong = wrong_outcome(FIRST)
    picks = {"outcome": wrong, **({"fails-first": str(FIRST.fails_first_answer)} if FIRST.fails_first else {})}
    stale = {"version": 1, "cards": {FIRST.id: {"picks": picks, "right": True, "skipped": False, "at": 0}}}
    page.evaluate("r => localStorage.setItem('encyclopedia:predictions', JSON.stringify(r))", stale)
    page.reload()
    page.wait_for_selector(".predict--enhanced")
    assert page.locator(f"#{FIRST.id}").get_attribute("data-result") == "wrong"
    page.goto(site_url + INDEX)
    assert page.locator(".predict-record__summary").inner_text().startswith(
        w("lab.record.summary_one", right=0, made=1))
    if FIRST.fails_first:
        missing = {"version": 1, "cards": {FIRST.id: {"picks": {"outcome": FIRST.outcome}, "right": True,
                                                       "skipped": False, "at": 0}}}
        page.evaluate("r => localStorage.setItem('encyclopedia:predictions', JSON.stringify(r))", missing)
        lab(url(FIRST_PAGE))
        assert page.locator(f"#{FIRST.id} details.predict__answer").is_hidden()


def test_a_spanish_card_and_the_spanish_record_speak_spanish(lab, site_url):
    """The same card on the Spanish page: Spanish choices and verdict, its Spanish cell's
    run; the record is one per reader, so the Spanish index counts it too."""
    spanish_page, spanish = all_cards("es")[0]
    assert spanish.id == FIRST.id and spanish.outcome == FIRST.outcome
    page = lab(url(spanish_page, "es"))
    box = page.locator(f"#{spanish.id}")
    box.get_by_role("button", name=w("lab.predict.lock", "es")).click()
    assert box.locator(".predict__status").inner_text() == w("lab.predict.pick_each", "es")
    box.get_by_label(outcome_words(spanish.outcome, "es")).check()
    if spanish.fails_first:
        box.locator(f'input[name="{spanish.id}-fails-first"]').nth(spanish.fails_first_answer).check()
    box.get_by_role("button", name=w("lab.predict.lock", "es")).click()
    assert box.get_attribute("data-result") == "right"
    assert w("lab.predict.right", "es") in box.locator(".predict__result").inner_text()
    assert f"resultado: {spanish.outcome}" in box.locator(f"#{spanish.id}-run .pycell__output").inner_text()
    page.goto(site_url + url(labs_index(), "es"))
    summary = page.locator(".predict-record__summary")
    assert summary.inner_text().startswith(w("lab.record.summary_one", "es", right=1, made=1))
    assert page.locator(f'[data-card="{spanish.id}"] .predict-record__status').inner_text() == w("lab.record.status.right", "es")
    page.goto(site_url + INDEX)
    assert page.locator(".predict-record__summary").inner_text().startswith(w("lab.record.summary_one", right=1, made=1))
