"""The lesson in Chromium: flashcards, quizzes with a second chance, L.1/L.2,
accessibility in light and dark, a phone, and no request off this machine."""

from __future__ import annotations

import pytest
import yaml

from sitebuild.i18n import t as word
from tests import instrument_native as native
from tests import pages
from tests.conftest import on_both_builds, open_local_page, scroll_to, serious_axe_findings, wait_until_whole

pytestmark = pytest.mark.browser

LESSON = pages.lessons("foundations")[0]
SUMMARY = pages.summary(LESSON)
URL = pages.url(LESSON)
DECK = yaml.safe_load(pages.source(LESSON).with_suffix(".cards.yml").read_text(encoding="utf-8"))
CARD_IDS = [c["id"] for c in DECK["cards"]]
TOTAL = len(CARD_IDS)
BLOCK_STORAGE = """Object.defineProperty(window, "localStorage", {
  configurable: true,
  get() { throw new DOMException("The operation is insecure.", "SecurityError"); },
});"""


@pytest.fixture
def lesson(probe, site_url):
    probe.page.goto(site_url + URL)
    probe.page.wait_for_selector(".flashcards__viewer")
    wait_until_whole(probe.page)  # the deck is far down: its text is read as drawn (innerText)
    yield probe
    assert probe.console_errors == [], probe.console_errors
    assert probe.blocked == [], probe.blocked


class Deck:
    def __init__(self, page):
        self.page = page
        self.root = page.locator(".flashcards")
        self.card = self.root.locator(".flashcards__card")

    def state(self) -> dict:
        return {
            "card": self.card.get_attribute("data-card"),
            "side": self.card.get_attribute("data-side"),
            "mark": self.card.get_attribute("data-mark"),
            "position": self.root.locator(".flashcards__position").inner_text(),
            "tally": self.root.locator(".flashcards__tally").inner_text(),
        }

    def live(self) -> str:
        self.page.wait_for_function("() => document.querySelector('.flashcards__live').textContent !== ''")
        return self.root.locator(".flashcards__live").text_content()

    def press(self, key: str) -> None:
        self.card.focus()
        self.page.keyboard.press(key)

    def button(self, action: str):
        return self.root.locator(f'button[data-action="{action}"]')


def tally(known: int, again: int) -> str:
    return word("cards.progress", known=known, again=again, unmarked=TOTAL - known - again)


def position(n: int) -> str:
    return word("cards.position", n=n, total=TOTAL)


# ---------------------------------------------------------------- flashcards

# MkDocs only: flashcards.js is one file under both builders; the lesson's smoke test on each
# is test_no_console_errors_and_no_request_leaves_the_machine.
def test_a_card_flips_with_enter_space_and_a_click_and_says_so(lesson):
    deck = Deck(lesson.page)
    assert deck.state() == {"card": CARD_IDS[0], "side": "question", "mark": "", "position": position(1),
                            "tally": tally(0, 0)}
    assert deck.card.get_attribute("role") == "button" and deck.card.get_attribute("tabindex") == "0"
    deck.press("Enter")
    assert deck.state()["side"] == "answer"
    assert deck.live().startswith(word("cards.answer") + ":")
    assert "3.2958" in deck.card.inner_text()  # the first card's answer
    deck.card.focus()
    scrolled = lesson.page.evaluate("window.scrollY")
    lesson.page.keyboard.press(" ")
    assert deck.state()["side"] == "question"
    assert lesson.page.evaluate("window.scrollY") == scrolled  # Space flipped the card, it did not scroll
    deck.card.click()
    assert deck.state()["side"] == "answer"
    assert deck.card.evaluate("el => el === document.activeElement")


def test_arrow_keys_move_through_the_deck_and_wrap(lesson):
    deck = Deck(lesson.page)
    deck.press("ArrowRight")
    assert deck.state()["card"] == CARD_IDS[1] and deck.state()["position"] == position(2)
    assert position(2) in deck.live()
    deck.press("Enter")
    deck.press("ArrowLeft")
    assert deck.state()["card"] == CARD_IDS[0] and deck.state()["side"] == "question"  # a new card shows its question
    deck.press("ArrowLeft")
    assert deck.state()["card"] == CARD_IDS[-1] and deck.state()["position"] == position(TOTAL)
    deck.button("next").click()
    assert deck.state()["card"] == CARD_IDS[0]
    deck.button("previous").focus()
    lesson.page.keyboard.press("ArrowRight")  # the arrows work from the deck's buttons too
    assert deck.state()["card"] == CARD_IDS[1]


def test_marks_and_position_survive_a_reload_and_reset_clears_them(lesson):
    page = lesson.page
    deck = Deck(page)
    deck.button("known").click()  # card 1 known, on to card 2
    assert deck.live().startswith(word("cards.marked.known"))
    deck.button("again").click()  # card 2 again, on to card 3
    deck.button("known").click()  # card 3 known, on to card 4
    deck.press("ArrowLeft")  # back to card 3 to see its mark
    expected = {"card": CARD_IDS[2], "side": "question", "mark": "known", "position": position(3), "tally": tally(2, 1)}
    assert deck.state() == expected
    assert deck.root.locator(".flashcards__badge").text_content() == word("cards.mark.known")
    assert deck.root.locator("progress").evaluate("p => [p.value, p.max]") == [2, TOTAL]
    page.reload()
    page.wait_for_selector(".flashcards__viewer")
    deck = Deck(page)
    assert deck.state() == expected
    deck.press("ArrowLeft")
    assert deck.state()["mark"] == "again"
    deck.button("reset").click()
    assert deck.live() == word("cards.reset_done")
    assert deck.state() == {"card": CARD_IDS[0], "side": "question", "mark": "", "position": position(1),
                            "tally": tally(0, 0)}
    page.reload()
    page.wait_for_selector(".flashcards__viewer")
    assert Deck(page).state()["tally"] == tally(0, 0)


def test_storage_blocked_the_deck_still_works_and_says_marks_are_not_kept(browser, site_url):
    context, probe = open_local_page(browser)
    try:
        context.add_init_script(BLOCK_STORAGE)
        page = probe.page
        # Material's own inline palette script reads localStorage unguarded and
        # throws when it is blocked, on every page; the deck must add nothing to that.
        page.goto(site_url + "/")
        page.wait_for_load_state("networkidle")
        theme_errors = list(probe.console_errors)
        probe.console_errors.clear()
        page.goto(site_url + URL)
        page.wait_for_selector(".flashcards__viewer")
        wait_until_whole(page)
        deck = Deck(page)
        note = deck.root.locator(".flashcards__note")
        assert note.get_attribute("data-storage") == "blocked" and note.inner_text() == word("cards.no_storage")
        deck.press("Enter")
        assert deck.state()["side"] == "answer"
        deck.button("known").click()
        assert deck.state()["tally"] == tally(1, 0) and deck.state()["card"] == CARD_IDS[1]
        deck.button("reset").click()
        assert deck.state()["tally"] == tally(0, 0)
        assert probe.console_errors == theme_errors and probe.blocked == []
    finally:
        context.close()


def test_with_storage_the_deck_says_marks_are_kept(lesson):
    note = Deck(lesson.page).root.locator(".flashcards__note")
    assert note.get_attribute("data-storage") == "kept" and note.inner_text() == word("cards.saved")


def test_without_javascript_the_deck_is_a_question_and_answer_list(browser, site_url):
    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(site_url + URL)
        deck = page.locator(".flashcards")
        scroll_to(deck)  # far down: drawn once the reader gets there
        assert deck.locator(".flashcards__viewer").count() == 0
        assert deck.locator("dl.flashcards__list").is_visible()
        assert deck.locator("dt").count() == deck.locator("dd").count() == TOTAL
        assert deck.locator("dd").first.is_visible() and "3.2958" in deck.locator("dd").first.inner_text()
        for quiz in page.locator(".quiz").all():  # hint and solution stay collapsed details
            assert quiz.locator("details.quiz__hint").count() == 1
            assert not quiz.locator("details.quiz__hint").evaluate("d => d.open")
            assert not quiz.locator("details.quiz__solution").evaluate("d => d.open")
    finally:
        context.close()


def test_the_spanish_deck_speaks_spanish_and_keeps_the_marks_made_in_english(lesson, site_url):
    """Both decks share a deck id and card ids: a reader who switches language keeps the marks."""
    page = lesson.page
    Deck(page).button("known").click()
    page.goto(site_url + pages.url(LESSON, "es"))
    page.wait_for_selector(".flashcards__viewer")
    wait_until_whole(page)
    deck = Deck(page)
    assert deck.button("flip").inner_text() == word("cards.flip", "es")
    assert deck.state()["tally"] == word("cards.progress", "es", known=1, again=0, unmarked=TOTAL - 1)
    assert deck.state()["position"] == word("cards.position", "es", n=2, total=TOTAL)
    deck.press("ArrowLeft")  # back to the card marked on the English page
    assert deck.state()["mark"] == "known"
    assert deck.root.locator(".flashcards__badge").text_content() == word("cards.mark.known", "es")
    deck.press("Enter")
    assert deck.live().startswith(word("cards.answer", "es") + ":")
    assert "3,2958" in deck.card.inner_text()  # the Spanish answer, with its decimal comma
    deck.button("reset").click()
    assert deck.live() == word("cards.reset_done", "es")


# ---------------------------------------------------------------- quizzes: hint, retry, solution

@on_both_builds  # smoke on each theme shell for quiz.js (the chapter's quiz tests run on MkDocs)
def test_numeric_quiz_gives_a_hint_then_a_retry_then_the_solution(lesson):
    box = lesson.page.locator("#quiz-vocab-baseline")
    hint, solution = box.locator("details.quiz__hint"), box.locator("details.quiz__solution")
    feedback = box.locator(".quiz__feedback")
    box.locator("input").fill("ten")
    box.locator("button[type=submit]").click()
    assert feedback.get_attribute("data-result") == "invalid" and box.get_attribute("data-wrong-tries") is None
    box.locator("input").fill("3.2958")
    box.locator("input").press("Enter")
    assert feedback.get_attribute("data-result") == "wrong" and feedback.inner_text() == word("quiz.wrong_first")
    assert hint.evaluate("d => d.open") and not solution.evaluate("d => d.open")
    assert box.locator("input").input_value() == "3.2958"  # the answer stays, to be corrected
    box.locator("input").fill("4.6")
    box.locator("input").press("Enter")
    assert feedback.inner_text() == word("quiz.wrong_again") and box.get_attribute("data-wrong-tries") == "2"
    assert solution.evaluate("d => d.open")
    box.locator("input").fill("9.2103")
    box.locator("input").press("Enter")
    assert feedback.get_attribute("data-result") == "right"


def test_a_right_second_try_after_the_hint(lesson):
    box = lesson.page.locator("#quiz-bn-inference")
    box.locator("input[value=true]").check()
    box.locator("button[type=submit]").click()
    assert box.locator("details.quiz__hint").evaluate("d => d.open")
    assert not box.locator("details.quiz__solution").evaluate("d => d.open")
    box.locator("input[value=false]").check()
    box.locator("input[value=false]").press("Enter")
    assert box.locator(".quiz__feedback").get_attribute("data-result") == "right"
    assert box.locator("details.quiz__solution").evaluate("d => d.open")


def test_show_solution_at_once_on_request(lesson):
    box = lesson.page.locator("#quiz-tanh-factor")
    box.locator('[data-action="reveal"]').click()
    assert box.locator("details.quiz__solution").evaluate("d => d.open")


# ---------------------------------------------------------------- instruments

@pytest.mark.parametrize("engine", ["loss_at_init", "saturation"])
def test_lesson_instruments_redraw_from_their_controls(lesson, engine):
    page = lesson.page
    panel = page.locator(f"#instrument-{engine}")
    panel.scroll_into_view_if_needed()
    page.wait_for_selector(f"#instrument-{engine}[data-state=ready]", timeout=30_000)
    spec = native.spec(engine)
    settings = native.defaults(engine)

    def readouts():
        rows = panel.locator(".instrument__readout")
        return {rows.nth(i).get_attribute("data-readout"): rows.nth(i).locator("dd").inner_text() for i in range(rows.count())}

    def traces():
        return panel.evaluate("el => el.querySelector('.instrument__chart').data.map(t => t.y)")

    for control in spec["controls"]:
        values = native.control_values(control)
        new = values[-1] if settings[control["name"]] != values[-1] else values[0]
        before = (readouts(), traces())
        index = values.index(new)
        if control["kind"] == "slider":
            panel.get_by_role("slider", name=control["label"], exact=True).fill(str(index))
        else:
            label = control["choices"][index]["label"]
            panel.get_by_role("radiogroup", name=control["label"]).get_by_role("radio", name=label, exact=True).check()
        panel.evaluate("el => window.encyclopedia.instruments.settled(el)")
        settings[control["name"]] = new
        assert (readouts(), traces()) != before, control["name"]
        want = native.expected(engine, settings)["readouts"]
        shown = readouts()
        for readout in spec["readouts"]:
            assert native.readout_matches(shown[readout["name"]], want[readout["name"]], readout), readout["name"]


# ---------------------------------------------------------------- accessibility, phone, network

@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_axe_clean_with_a_card_flipped_and_a_hint_open(browser, site_url, axe_source, scheme):
    context, probe = open_local_page(browser, color_scheme=scheme)
    try:
        page = probe.page
        page.goto(site_url + URL)
        page.wait_for_selector(".flashcards__viewer")
        wait_until_whole(page)
        deck = Deck(page)
        deck.button("known").click()
        deck.press("Enter")
        box = page.locator("#quiz-tanh-factor")
        box.locator("input").fill("1")
        box.locator("input").press("Enter")
        assert box.locator("details.quiz__hint").evaluate("d => d.open")
        assert serious_axe_findings(page, axe_source) == []
        # the card's focus ring is visible
        deck.card.focus()
        page.keyboard.press("Shift+Tab")
        page.keyboard.press("Tab")
        outline = deck.card.evaluate("el => getComputedStyle(el).outlineStyle")
        assert outline not in ("none", "")
    finally:
        context.close()


def test_on_a_phone_nothing_overflows_and_a_tap_flips_the_card(browser, site_url):
    context, probe = open_local_page(browser, viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    try:
        page = probe.page
        page.goto(site_url + URL)
        page.wait_for_selector(".flashcards__viewer")
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        deck = Deck(page)
        deck.card.scroll_into_view_if_needed()
        for action in ("previous", "flip", "next", "known", "again", "reset"):
            box = deck.button(action).bounding_box()
            assert box["x"] >= 0 and box["x"] + box["width"] <= 390, action
        deck.card.tap()
        assert deck.state()["side"] == "answer"
        assert probe.console_errors == []
    finally:
        context.close()


@on_both_builds  # smoke on each theme shell: every script of ours loads and runs in it
@pytest.mark.parametrize("page", [LESSON, SUMMARY], ids=lambda p: p.kind)
def test_no_console_errors_and_no_request_leaves_the_machine(probe, site_url, page):
    probe.page.goto(site_url + pages.url(page))
    probe.page.wait_for_load_state("networkidle")
    for element in probe.page.locator("figure.instrument[data-engine], .pycell").all():
        element.scroll_into_view_if_needed()
    probe.page.wait_for_load_state("networkidle")
    assert probe.console_errors == []
    assert probe.blocked == []
