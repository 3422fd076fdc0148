"""What a page loads before the reader does anything (issues 12 and 13: Lighthouse).

Reading costs no editor: a cell shows the build's highlighted code, editable as
plain text, and the CodeMirror module is fetched only when a reader enters a
cell's code; the editor then takes over with the same text, caret and focus,
so nothing typed meanwhile is lost. An instrument far down the page fetches
nothing and builds nothing until the reader nears it, and setting it up moves
nothing on screen; one on screen as the page opens shows the build's picture
until the reader reaches for it. A long page skips styling its far blocks
until idle, yet they are found, read out and reached by links meanwhile. The editor's module is held back (page.route) to open the
window in which a reader types before it arrives.
"""

from __future__ import annotations

import pytest

from tests import pages
from tests.conftest import WHOLE, open_local_page, reach, serious_axe_findings, wait_until_whole

pytestmark = [pytest.mark.browser, pytest.mark.slow]

CHAPTER = pages.url(pages.chapter(1))
GALLERY = pages.url("instruments.md")
PLAYGROUND = pages.url("playground.md")
CELL = "#playground-hello"
EDITOR_MODULE = "/vendor/editor.js"
BOOT_TIMEOUT_MS = 120_000

# What the editor shows, read from its rendered lines (short snippets are fully rendered).
EDITOR_TEXT = "sel => [...document.querySelectorAll(sel + ' .cm-line')].map(l => l.textContent).join('\\n')"
IN_EDITOR = "sel => document.querySelector(sel + ' .cm-editor').contains(document.activeElement)"

# The point just right of the last character of the code's first line, and that line's length.
END_OF_FIRST_LINE = """code => {
  const end = code.textContent.indexOf('\\n');
  const walker = document.createTreeWalker(code, NodeFilter.SHOW_TEXT);
  let seen = 0;
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    if (seen + node.length >= end) {
      const range = document.createRange();
      range.setStart(node, end - 1 - seen);
      range.setEnd(node, end - seen);
      const box = range.getBoundingClientRect();
      return { x: box.right - 1, y: box.top + box.height / 2, end };
    }
    seen += node.length;
  }
}"""


def editor_requests(urls: list[str]) -> list[str]:
    return [u for u in urls if EDITOR_MODULE in u]


@pytest.fixture
def held_editor(browser, site_url):
    """The playground, its editor module held back until the test lets it through."""
    context, probe = open_local_page(browser)
    held = []
    probe.page.route(f"**{EDITOR_MODULE}", lambda route: held.append(route))
    probe.page.goto(site_url + PLAYGROUND)
    probe.page.wait_for_selector(f"{CELL}.pycell--enhanced")
    yield probe, held
    context.close()


def wait_for_held(page, held: list, timeout_ms: int = 10_000) -> None:
    for _ in range(timeout_ms // 50):
        if held:
            return
        page.wait_for_timeout(50)
    raise AssertionError("the editor module was never requested")


def test_reading_a_chapter_loads_no_editor_until_a_cell_is_entered(browser, site_url):
    context, probe = open_local_page(browser)
    page = probe.page
    requested = []
    page.on("request", lambda request: requested.append(request.url))
    try:
        page.goto(site_url + CHAPTER)
        page.wait_for_selector(".pycell--enhanced")
        cells = page.locator(".pycell")
        assert cells.count() >= 2
        for cell in cells.all():  # the reader scrolls past every cell
            cell.evaluate("el => el.scrollIntoView({ block: 'center' })")
            page.wait_for_timeout(200)
        page.wait_for_timeout(500)
        assert editor_requests(requested) == []
        assert page.locator(".cm-editor").count() == 0
        first = cells.first
        code = first.locator(".pycell__source code")
        assert code.is_visible() and code.get_attribute("role") == "textbox"
        assert code.locator("span").count() > 10  # still the build's highlighting

        code.click()
        first.locator(".cm-editor").wait_for()
        assert len(editor_requests(requested)) == 1
        page.wait_for_function(IN_EDITOR, arg=f'[id="{first.get_attribute("id")}"]')
        assert page.locator(".cm-editor").count() == 1  # only the cell the reader entered
        assert probe.console_errors == []
    finally:
        context.close()


def test_a_click_places_the_caret_and_what_is_typed_before_the_editor_arrives_is_kept(held_editor):
    probe, held = held_editor
    page = probe.page
    code = page.locator(f"{CELL} .pycell__source code")
    original = code.text_content().rstrip("\n")
    point = code.evaluate(END_OF_FIRST_LINE)
    page.mouse.click(point["x"], point["y"])
    wait_for_held(page, held)
    page.keyboard.type(" (typed early)")
    assert page.locator(f"{CELL} .cm-editor").count() == 0  # the editor has not arrived yet
    expected = original[:point["end"]] + " (typed early)" + original[point["end"]:]
    assert code.text_content().rstrip("\n") == expected

    held[0].continue_()
    page.wait_for_function("([sel, code]) => (" + EDITOR_TEXT + ")(sel) === code", arg=[CELL, expected])
    page.wait_for_function(IN_EDITOR, arg=CELL)
    assert page.locator(f"{CELL} .pycell__source").is_hidden()
    page.keyboard.type("!")  # the caret came along: the next keystroke lands right after the last
    expected = original[:point["end"]] + " (typed early)!" + original[point["end"]:]
    page.wait_for_function("([sel, code]) => (" + EDITOR_TEXT + ")(sel) === code", arg=[CELL, expected])

    # Run runs what the cell shows: the reader's code.
    page.keyboard.press("ControlOrMeta+End")
    page.keyboard.insert_text("\nprint('edited', 6 * 7)")
    page.locator(f"{CELL} .pycell__run").click()
    page.wait_for_function("sel => Number(document.querySelector(sel).dataset.runs || 0) > 0", arg=CELL,
                           timeout=BOOT_TIMEOUT_MS)
    assert "edited 42" in page.locator(f"{CELL} .pycell__live").inner_text()
    assert probe.console_errors == []


def test_tab_into_a_cell_and_type_before_and_after_the_editor_arrives(held_editor):
    probe, held = held_editor
    page = probe.page
    code = page.locator(f"{CELL} .pycell__source code")
    original = code.text_content().rstrip("\n")
    # Start on the cell's title and Tab forward, as a keyboard reader moves along the page.
    page.locator(f"{CELL} .pycell__title").evaluate("el => { el.tabIndex = -1; el.focus(); }")
    for _ in range(3):  # Material's copy button may come first
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.matches('.pycell__source code')"):
            break
    assert page.evaluate("document.activeElement.matches('#playground-hello .pycell__source code')")
    wait_for_held(page, held)
    page.keyboard.type("# tabbed in")
    page.keyboard.press("Enter")
    assert page.locator(f"{CELL} .cm-editor").count() == 0
    held[0].continue_()
    expected = "# tabbed in\n" + original
    page.wait_for_function("([sel, code]) => (" + EDITOR_TEXT + ")(sel) === code", arg=[CELL, expected])
    page.wait_for_function(IN_EDITOR, arg=CELL)
    page.keyboard.type("# next")  # lands where the caret was: the start of the original first line
    page.wait_for_function("([sel, code]) => (" + EDITOR_TEXT + ")(sel) === code",
                           arg=[CELL, "# tabbed in\n# next" + original])
    assert probe.console_errors == []


# Layout shifts of what is on screen (the Layout Instability API), from when the page settles.
WATCH_SHIFTS = """() => {
  window.__shifts = [];
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) if (!entry.hadRecentInput) window.__shifts.push(entry.value);
  }).observe({ type: 'layout-shift' });
}"""


def test_an_instrument_far_below_is_set_up_only_near_the_viewport_and_moves_nothing_on_screen(browser, site_url):
    context, probe = open_local_page(browser)
    page = probe.page
    requested = []
    page.on("request", lambda request: requested.append(request.url))
    try:
        page.goto(site_url + CHAPTER)
        panel = page.locator("figure.instrument[data-engine]").last
        engine = panel.get_attribute("data-engine")
        page.wait_for_timeout(1500)
        assert panel.get_attribute("data-state") is None
        assert not [u for u in requested if f"/instruments/{engine}.json" in u]
        assert not [u for u in requested if "/vendor/plotly/" in u]  # no instrument near: no Plotly either
        assert panel.locator(".instrument__controls input").count() == 0
        assert panel.locator(".instrument__chart svg.static-chart").count() == 1

        # Scroll until the panel sits just below the screen's bottom edge: near, not yet in view.
        page.evaluate("el => window.scrollTo(0, el.getBoundingClientRect().top + scrollY - innerHeight - 100)",
                      panel.element_handle())
        page.wait_for_timeout(300)
        page.evaluate(WATCH_SHIFTS)
        chart_before = panel.locator(".instrument__chart").bounding_box()
        top_before = panel.evaluate("el => el.getBoundingClientRect().top")
        page.wait_for_selector(f"#instrument-{engine}[data-state=ready]", timeout=30_000)
        page.wait_for_timeout(500)
        assert [u for u in requested if f"/instruments/{engine}.json" in u]
        assert page.evaluate("window.__shifts") == [], "setting the instrument up moved what is on screen"
        chart_after = panel.locator(".instrument__chart").bounding_box()
        assert panel.evaluate("el => el.getBoundingClientRect().top") == pytest.approx(top_before, abs=1)
        # The static picture held the live chart's place: same size.
        assert chart_after["width"] == pytest.approx(chart_before["width"], abs=1)
        assert chart_after["height"] == pytest.approx(chart_before["height"], abs=1)

        # Fully working: a slider moves the readouts.
        panel.scroll_into_view_if_needed()
        readouts = panel.locator(".instrument__readouts").inner_text()
        slider = panel.get_by_role("slider").first
        slider.focus()
        page.keyboard.press("End")
        page.wait_for_function("([el, before]) => el.querySelector('.instrument__readouts').innerText !== before",
                               arg=[panel.element_handle(), readouts], timeout=10_000)
        assert probe.console_errors == []
    finally:
        context.close()


# ---------------------------------------------------------------- an instrument on screen at load

def test_an_instrument_on_screen_at_load_keeps_its_picture_until_the_reader_reaches_for_it(browser, site_url, axe_source):
    context, probe = open_local_page(browser)
    page = probe.page
    requested = []
    page.on("request", lambda request: requested.append(request.url))
    try:
        page.goto(site_url + GALLERY)
        panel = page.locator("figure.instrument[data-engine]").first
        engine = panel.get_attribute("data-engine")
        page.wait_for_selector(f"#instrument-{engine}[data-state=waiting]", timeout=30_000)
        page.wait_for_timeout(1000)
        assert panel.get_attribute("data-state") == "waiting"
        assert not [u for u in requested if "/vendor/plotly/" in u]  # nothing to draw yet: no Plotly
        # What the reader sees meanwhile: the build's picture of the default setting, its readouts,
        # and controls ready to use.
        chart = panel.locator(".instrument__chart")
        assert chart.locator(":scope > svg.static-chart").count() == 1
        assert panel.locator(".instrument__controls input").count() > 0
        readouts = panel.locator(".instrument__readouts").inner_text()
        assert serious_axe_findings(page, axe_source, f"#instrument-{engine}") == []

        page.evaluate(WATCH_SHIFTS)
        before = chart.bounding_box()
        reach(panel)  # the pointer comes over the panel
        page.wait_for_selector(f"#instrument-{engine}[data-state=ready]", timeout=30_000)
        page.wait_for_timeout(500)
        assert len([u for u in requested if "/vendor/plotly/" in u]) == 1
        assert chart.locator("svg.static-chart").count() == 0
        assert chart.locator(".main-svg").count() > 0
        assert page.evaluate("window.__shifts") == [], "the live chart moved what is on screen"
        after = chart.bounding_box()
        for key in ("x", "y", "width", "height"):
            assert after[key] == pytest.approx(before[key], abs=1), key
        # The same setting, now live: the readouts the build wrote are the ones the renderer computes.
        assert panel.locator(".instrument__readouts").inner_text() == readouts
        assert probe.console_errors == []
    finally:
        context.close()


def _first_panel_after_pressing_end(browser, site_url, live_first: bool) -> tuple[str, str]:
    """Open the gallery, press End on the first panel's first slider; return its frame and readouts."""
    context, probe = open_local_page(browser)
    page = probe.page
    try:
        page.goto(site_url + GALLERY)
        panel = page.locator("figure.instrument[data-engine]").first
        engine = panel.get_attribute("data-engine")
        page.wait_for_selector(f"#instrument-{engine}[data-state=waiting]", timeout=30_000)
        if live_first:
            reach(panel)
            page.wait_for_selector(f"#instrument-{engine}[data-state=ready]", timeout=30_000)
        default = panel.get_attribute("data-frame")
        panel.get_by_role("slider").first.focus()  # by keyboard: focus is what wakes it
        page.keyboard.press("End")
        page.wait_for_selector(f"#instrument-{engine}[data-state=ready]", timeout=30_000)
        panel.evaluate("el => window.encyclopedia.instruments.settled(el)")
        frame = panel.get_attribute("data-frame")
        assert frame != default
        assert panel.locator(".instrument__chart .main-svg").count() > 0
        assert probe.console_errors == []
        return frame, panel.locator(".instrument__readouts").inner_text()
    finally:
        context.close()


def test_a_control_used_while_the_picture_shows_is_drawn_once_the_chart_is_live(browser, site_url):
    early = _first_panel_after_pressing_end(browser, site_url, live_first=False)
    late = _first_panel_after_pressing_end(browser, site_url, live_first=True)
    assert early == late


# ---------------------------------------------------------------- a long page, its far blocks skipped at first

# Holds the page's idle callbacks (site.js draws the skipped blocks in them) until the test lets them run.
HOLD_IDLE = """(() => {
  const held = [];
  let holding = true;
  const original = window.requestIdleCallback.bind(window);
  window.requestIdleCallback = (callback) => (holding ? held.push(callback) : original(callback));
  window.__releaseIdle = () => { holding = false; held.splice(0).forEach((cb) => original(cb)); };
})();"""

# Whether some of an element's content is skipped by content-visibility (shown, but not drawn yet).
SKIPPED = """el => [...el.querySelectorAll('*')].some(e => e.checkVisibility() && !e.checkVisibility({ contentVisibilityAuto: true }))"""


def test_a_long_page_skips_far_blocks_at_load_yet_finds_them_links_to_them_and_soon_draws_them(browser, site_url):
    context, probe = open_local_page(browser)
    page = probe.page
    page.add_init_script(HOLD_IDLE)
    try:
        page.goto(site_url + CHAPTER)
        page.wait_for_selector(".pycell--enhanced")
        blocks = page.locator(".md-content__inner > p")
        far = blocks.nth(blocks.count() - 2)
        assert far.evaluate(SKIPPED), "a paragraph near the end should not be drawn at load"
        text = far.evaluate("el => el.firstChild.textContent.trim().split(/\\s+/).slice(0, 4).join(' ')")
        assert len(text) > 10

        # Find in page reaches it, and brings it on screen drawn.
        assert page.evaluate("t => window.find(t)", text)
        assert page.evaluate("() => String(window.getSelection())") == text
        assert far.evaluate("(el) => el.contains(window.getSelection().anchorNode)")
        page.wait_for_function(f"el => !({SKIPPED})(el)", arg=far.element_handle())
        assert 0 <= far.evaluate("el => el.getBoundingClientRect().top") < page.viewport_size["height"]
        # Screen readers are given its words (the accessibility tree holds them).
        cdp = page.context.new_cdp_session(page)
        names = [node.get("name", {}).get("value", "") for node in cdp.send("Accessibility.getFullAXTree")["nodes"]]
        assert any(text in name for name in names)

        # A link to a heading far down lands on it.
        page.evaluate("window.scrollTo(0, 0)")
        target = page.locator(".md-content__inner > h2").last
        target_id = target.get_attribute("id")
        page.evaluate("id => { location.hash = id; }", target_id)
        page.wait_for_timeout(300)
        top = target.evaluate("el => el.getBoundingClientRect().top")
        assert 0 <= top < 200, top

        # Once idle, every block is drawn: the page is whole and reads as text.
        page.evaluate("window.__releaseIdle()")
        wait_until_whole(page)
        assert not page.locator(".md-content__inner").evaluate(SKIPPED)
        assert text in far.inner_text()
        assert probe.console_errors == []
    finally:
        context.close()


def test_print_draws_every_block_of_a_long_page(browser, site_url):
    context, probe = open_local_page(browser)
    page = probe.page
    page.add_init_script(HOLD_IDLE)  # nothing drawn by the idle pass: print alone must draw it all
    try:
        page.goto(site_url + CHAPTER)
        page.wait_for_selector(".pycell--enhanced")
        assert not page.evaluate(WHOLE)
        assert page.locator(".md-content__inner").evaluate(SKIPPED)
        page.emulate_media(media="print")
        assert not page.locator(".md-content__inner").evaluate(
            "el => [...el.children].some(e => getComputedStyle(e).contentVisibility !== 'visible')")
    finally:
        context.close()
