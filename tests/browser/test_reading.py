"""The reading layer in Chromium: previews and the way back, keyboard and touch, axe, the front page, the header."""

from __future__ import annotations

import re

import pytest

from tests import pages
from tests.conftest import on_both_builds, open_local_page, wait_until_whole

pytestmark = pytest.mark.browser

CHAPTER = pages.url(pages.chapter(1))
PREVIEW = "#xref-preview"

# The TeX source KaTeX keeps in each formula's MathML: what the formula says, whatever its layout.
TEX_OF = "el => [...el.querySelectorAll('annotation[encoding=\"application/x-tex\"]')].map(a => a.textContent)"


@pytest.fixture
def chapter(probe, site_url):
    probe.page.goto(site_url + CHAPTER)
    probe.page.wait_for_selector("a.xref")
    return probe


def focus_by_keyboard(page, selector: str) -> None:
    """Tab until ``selector`` (its first match) has the focus, as a keyboard reader gets there."""
    wanted = page.locator(selector).first
    wanted.scroll_into_view_if_needed()
    # Start just before the link, so the next Tab lands on it.
    page.evaluate("""el => {
      const before = document.createElement('button');
      before.id = 'test-start'; before.textContent = 'start';
      el.before(before); before.focus();
    }""", wanted.element_handle())
    page.keyboard.press("Tab")
    assert wanted.evaluate("el => el === document.activeElement")
    page.evaluate("document.getElementById('test-start').remove()")


def mark_content(page) -> None:
    page.evaluate("document.querySelector('article').dataset.testMark = 'before'")


def settle(page) -> None:
    """Let Material finish what it does after the first jump to an anchor on a page.

    Material 9.8's instant navigation fetches the page again and swaps its
    content in on the first in-page jump after a load (marked beforehand with
    ``mark_content``); a later check must look at the new content.
    """
    try:
        page.wait_for_function("!document.querySelector('article[data-test-mark]')", timeout=3000)
    except Exception:  # noqa: BLE001 - no swap (Zensical, or a later jump): nothing to wait for
        pass


@on_both_builds  # smoke on each theme shell: previews.js hooks into the page each builder writes
def test_focusing_an_equation_reference_previews_the_typeset_equation_and_escape_closes_it(chapter):
    page = chapter.page
    link = 'a.xref[data-xref="eq-n1-3"]'
    focus_by_keyboard(page, link)
    preview = page.locator(PREVIEW)
    preview.wait_for(state="visible")
    assert page.locator(link).first.get_attribute("aria-describedby") == "xref-preview"
    assert preview.get_attribute("role") == "tooltip"
    shown = preview.evaluate(TEX_OF)
    assert shown and shown == page.locator("#eq-n1-3").evaluate(TEX_OF)
    assert preview.locator(".katex-html").count() == 1 and preview.locator(".katex-mathml").count() == 1
    # Nothing in the preview is hidden from a screen reader but KaTeX's own visual layer.
    assert preview.evaluate("el => el.closest('[aria-hidden=true]') === null")
    # Within the viewport, and nothing duplicated the page's ids.
    box = preview.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= page.viewport_size["width"]
    assert preview.locator("[id]").count() == 0
    page.keyboard.press("Escape")
    preview.wait_for(state="hidden")
    assert page.locator(link).first.get_attribute("aria-describedby") is None
    assert page.locator(link).first.evaluate("el => el === document.activeElement"), "Escape must leave the focus on the link"
    chapter_errors = chapter.console_errors
    assert not chapter_errors, chapter_errors


@on_both_builds  # each theme's instant navigation handles an in-page jump its own way (see settle)
def test_following_an_equation_reference_offers_a_way_back_to_the_referring_paragraph(chapter):
    page = chapter.page
    origin = page.locator('a.xref[data-xref="eq-n1-5"]').nth(1)
    origin_id = origin.get_attribute("id")
    back = page.locator("#eq-n1-5 .xref-back")
    assert back.is_hidden(), "the way back shows only once the reader has followed a link"
    focus_by_keyboard(page, f"#{origin_id}")
    mark_content(page)
    page.keyboard.press("Enter")
    page.wait_for_function("location.hash === '#eq-n1-5'")
    settle(page)
    back = page.locator("#eq-n1-5 .xref-back")
    back.wait_for(state="visible")
    assert back.get_attribute("href").endswith(f"#{origin_id}")
    page.wait_for_function("(() => { const top = document.getElementById('eq-n1-5').getBoundingClientRect().top;"
                           " return top >= 0 && top < innerHeight / 2; })()")
    back.focus()
    page.keyboard.press("Enter")
    page.wait_for_function(f"location.hash === '#{origin_id}'")
    paragraph = page.locator(f"#{origin_id}").locator("xpath=ancestor::p[1]")
    box = paragraph.bounding_box()
    assert box and 0 <= box["y"] < page.viewport_size["height"], "the referring paragraph is back in view"
    # The browser's own Back goes to the equation again: the history is intact.
    page.go_back()
    page.wait_for_function("location.hash === '#eq-n1-5'")


# MkDocs only: the same previews.js as an equation reference's, whose test runs on both builders.
def test_citation_previews_its_reference_and_leads_back(chapter):
    page = chapter.page
    link = page.locator('a.xref[data-xref="ref-he2015"]').first
    link_id = link.get_attribute("id")
    focus_by_keyboard(page, f"#{link_id}")
    preview = page.locator(PREVIEW)
    preview.wait_for(state="visible")
    citation = page.locator("#ref-he2015 .reference__citation").inner_text()
    note = page.locator("#ref-he2015 .reference__note").inner_text()
    assert citation in preview.inner_text() and note.split(";")[0] in preview.inner_text()
    assert preview.locator("a").count() == 0, "a tooltip holds nothing to focus"
    page.keyboard.press("Escape")
    preview.wait_for(state="hidden")
    mark_content(page)
    page.keyboard.press("Enter")
    page.wait_for_function("location.hash === '#ref-he2015'")
    settle(page)
    static_backlinks = page.locator("#ref-he2015 .reference__backlink")
    assert any(href.endswith(f"#{link_id}") for href in static_backlinks.evaluate_all("els => els.map(a => a.href)"))
    back = page.locator("#ref-he2015 .xref-back")
    back.wait_for(state="visible")
    back.click()
    page.wait_for_function(f"location.hash === '#{link_id}'")
    box = page.locator(f"#{link_id}").bounding_box()
    assert 0 <= box["y"] < page.viewport_size["height"]


def test_hover_previews_and_the_preview_stays_while_the_pointer_is_on_it(chapter):
    page = chapter.page
    # A reader a few seconds in: the blocks skipped at load are drawn (while they
    # are, the browser may shift the text under a still pointer; test_page_load
    # covers that time), so what is tested is the preview and the pointer alone.
    wait_until_whole(page)
    link = page.locator('a.xref[data-xref="eq-n1-6"]').first
    link.scroll_into_view_if_needed()
    link.hover()
    preview = page.locator(PREVIEW)
    preview.wait_for(state="visible")
    preview.hover()  # moving from the link onto the preview (WCAG 1.4.13)
    page.wait_for_timeout(400)
    assert preview.is_visible()
    page.mouse.move(5, 5)
    preview.wait_for(state="hidden")


def test_on_a_phone_a_tap_previews_and_a_second_tap_follows(browser, site_url):
    context, probe = open_local_page(browser, viewport={"width": 390, "height": 844}, has_touch=True, is_mobile=True)
    page = probe.page
    try:
        page.goto(site_url + CHAPTER)
        link = page.locator('a.xref[data-xref="eq-n1-4"]').first
        link.scroll_into_view_if_needed()
        link.tap()
        preview = page.locator(PREVIEW)
        preview.wait_for(state="visible")
        assert page.evaluate("location.hash") == "", "the first tap only previews"
        box = preview.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= 390
        assert preview.evaluate(TEX_OF) == page.locator("#eq-n1-4").evaluate(TEX_OF)
        mark_content(page)
        link.tap()
        page.wait_for_function("location.hash === '#eq-n1-4'")
        settle(page)
        page.locator("#eq-n1-4 .xref-back").wait_for(state="visible")
        # A tap elsewhere closes a preview.
        page.locator('a.xref[data-xref="eq-n1-5"]').first.tap()
        preview.wait_for(state="visible")
        page.locator("h2").first.tap()
        preview.wait_for(state="hidden")
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
    finally:
        context.close()


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("target", ["eq-n1-2", "ref-ioffe2015"])
def test_axe_is_clean_with_a_preview_open(browser, site_url, axe_source, scheme, target):
    context, probe = open_local_page(browser, color_scheme=scheme)
    page = probe.page
    try:
        page.goto(site_url + CHAPTER)
        wait_until_whole(page)  # colours are judged on blocks drawn
        page.locator(f'a.xref[data-xref="{target}"]').first.focus()
        page.locator(PREVIEW).wait_for(state="visible")
        page.add_script_tag(content=axe_source)
        violations = page.evaluate("""async () => (await axe.run(document, {resultTypes: ['violations']})).violations""")
        # Serious or critical anywhere (the site's bar), and nothing at all inside the preview.
        bad = [f"{v['id']} ({v['impact']}): {[n['target'] for n in v['nodes']][:3]}"
               for v in violations
               if v["impact"] in ("serious", "critical") or any("xref-preview" in str(n["target"]) for n in v["nodes"])]
        assert not bad, "\n".join(bad)
        assert page.locator(PREVIEW).is_visible(), "axe ran with the preview open"
    finally:
        context.close()


# ---- front page ----------------------------------------------------------------

@on_both_builds  # each builder renders the front page's template and lays out its theme for a phone
@pytest.mark.parametrize("viewport", [(1280, 900), (390, 844)], ids=["desktop", "phone"])
def test_front_page_thumbnails_load_and_every_link_answers(browser, site_url, viewport):
    context, probe = open_local_page(browser, viewport={"width": viewport[0], "height": viewport[1]})
    page = probe.page
    try:
        page.goto(site_url + "/")
        thumbs = page.locator(".instrument-thumb__picture")
        assert thumbs.count() >= 3
        for i in range(thumbs.count()):
            box = thumbs.nth(i).bounding_box()
            assert box["width"] >= 120 and box["height"] >= 60, box
        assert page.evaluate("document.documentElement.scrollWidth") <= viewport[0]
        links = page.evaluate("""() => [...document.querySelectorAll('article a[href]')]
            .map(a => a.href).filter(h => h.startsWith(location.origin))""")
        assert links
        for href in sorted(set(links)):
            path, _, fragment = href.partition("#")
            response = page.request.get(path)
            assert response.ok, href
            if fragment:
                assert re.search(rf'id="{re.escape(fragment)}"', response.text()), href
        # Keyboard: every thumbnail is a link a reader can Tab to and follow.
        first = page.locator(".instrument-thumb a").first
        first.focus()
        page.keyboard.press("Enter")
        page.wait_for_function("location.hash.startsWith('#instrument-')")
        engine = page.evaluate("location.hash.slice('#instrument-'.length)")
        page.locator(f"figure.instrument[data-engine='{engine}']").wait_for()
    finally:
        context.close()


# ---- chapter header ----------------------------------------------------------------

@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("width", [1280, 390])
def test_the_chapter_title_is_the_strongest_element(browser, site_url, scheme, width):
    context, probe = open_local_page(browser, color_scheme=scheme, viewport={"width": width, "height": 844})
    page = probe.page
    try:
        page.goto(site_url + CHAPTER)
        style = page.evaluate("""() => {
          const size = el => parseFloat(getComputedStyle(el).fontSize);
          const title = document.querySelector('article h1');
          const others = [...document.querySelectorAll('article *')]
            .filter(el => el !== title && !title.contains(el) && el.offsetParent !== null && el.textContent.trim()
                    && !el.closest('.katex, svg, .js-plotly-plot'));
          return {title: size(title), weight: parseInt(getComputedStyle(title).fontWeight),
                  largestOther: Math.max(...others.map(size)), lead: size(document.querySelector('article p.lead')),
                  colour: getComputedStyle(title).color, body: getComputedStyle(document.querySelector('article p.lead')).color};
        }""")
        assert style["weight"] >= 700
        assert style["title"] >= 1.5 * style["largestOther"], style
        assert style["title"] >= 1.8 * style["lead"], style
        assert style["colour"] == style["body"], "the title is drawn in the text colour, not Material's faint grey"
    finally:
        context.close()


@pytest.mark.parametrize("language", pages.OTHER_LANGUAGES)
def test_other_editions_preview_and_lead_back_in_their_language(probe, site_url, language):
    from sitebuild.i18n import t

    page = probe.page
    page.goto(site_url + pages.url(pages.chapter(1), language))
    page.wait_for_selector("a.xref")
    origin = page.locator('a.xref[data-xref="ref-ioffe2015"]').first
    origin_id = origin.get_attribute("id")
    focus_by_keyboard(page, f"#{origin_id}")
    preview = page.locator(PREVIEW)
    preview.wait_for(state="visible")
    assert page.locator("#ref-ioffe2015 .reference__note").inner_text() in preview.inner_text()
    page.keyboard.press("Escape")
    preview.wait_for(state="hidden")
    mark_content(page)
    page.keyboard.press("Enter")
    page.wait_for_function("location.hash === '#ref-ioffe2015'")
    settle(page)
    back = page.locator("#ref-ioffe2015 .xref-back")
    back.wait_for(state="visible")
    assert back.inner_text().strip() == t("xref.back", language)
    assert t("reference.cited_in", language) in page.locator("#ref-ioffe2015 .reference__cited").inner_text()
    back.click()
    page.wait_for_function(f"location.hash === '#{origin_id}'")
    assert not probe.console_errors, probe.console_errors
