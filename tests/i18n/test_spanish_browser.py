"""The Spanish edition in Chromium: what the scripts write at run time is Spanish too.

The built pages are checked in test_editions.py; here the instruments draw,
a pure-Python cell runs, quizzes are answered and things fail on purpose, and
after each the page's text (text nodes, labels, the words Plotly drew) is
scanned for interface words of the English catalogue (tests/i18n/leaks.py).
The language selector is used with an instrument's setting in the URL.
"""

from __future__ import annotations

import json
import re

import pytest

from sitebuild.i18n import DEFAULT_LANGUAGE, t
from tests import instrument_native as native
from tests import pages
from tests.conftest import ROOT, on_both_builds, open_local_page, reach, wait_until_whole
from tests.i18n.leaks import foreign_phrases, leaks

pytestmark = [pytest.mark.browser, pytest.mark.slow]

SPANISH = "es"
CHAPTER = pages.chapter(1)
PLAYGROUND = "playground.md"
GALLERY = "instruments.md"
BOOT_TIMEOUT_MS = 60_000
ENGLISH_WORDS = foreign_phrases(SPANISH, DEFAULT_LANGUAGE)

# Everything a reader can read or hear on the page, but code and math: text
# nodes (SVG ones included, so Plotly's axis titles, legends and marks) and
# the labelling attributes.
PAGE_TEXTS = """() => {
  const skip = 'script, style, code, .katex, .cm-content, .cm-gutters, [aria-hidden="true"] svg';
  const texts = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode;
    if (node.parentElement && !node.parentElement.closest(skip) && node.textContent.trim()) texts.push(node.textContent);
  }
  for (const el of document.querySelectorAll('[aria-label], [title], [placeholder], [aria-valuetext]')) {
    if (el.closest(skip)) continue;
    for (const name of ['aria-label', 'title', 'placeholder', 'aria-valuetext']) {
      if (el.getAttribute(name)) texts.push(el.getAttribute(name));
    }
  }
  return texts;
}"""


def es(key: str, **params) -> str:
    return t(key, SPANISH, **params)


def numpy_url() -> str:
    lockfile = ROOT / "docs" / "assets" / "generated" / "packages" / "pyodide-lock.json"  # written by prepare
    return json.loads(lockfile.read_text(encoding="utf-8"))["packages"]["numpy"]["file_name"]


def assert_spanish(probe) -> None:
    found = leaks(probe.page.evaluate(PAGE_TEXTS), ENGLISH_WORDS)
    assert not found, "\n".join(found)
    assert probe.console_errors == [], probe.console_errors
    # The one outside request allowed: numpy, which the instruments wheel (home of the
    # plotting helpers) declares as its dependency in the site's lockfile (issue 14).
    assert [url for url in probe.blocked if url != numpy_url()] == [], probe.blocked


def open_spanish(browser, site_url, page: str, fragment: str = "", **options):
    context, probe = open_local_page(browser, **options)
    probe.page.goto(site_url + pages.url(page if isinstance(page, str) else page, SPANISH) + fragment)
    return context, probe


# ---------------------------------------------------------------- instruments

def ready(page, engine: str):
    panel = page.locator(f"#instrument-{engine}")
    reach(panel)
    page.wait_for_selector(f"#instrument-{engine}[data-state=ready]", timeout=30_000)
    return panel


def settle(page, engine: str) -> None:
    page.locator(f"#instrument-{engine}").evaluate("el => window.encyclopedia.instruments.settled(el)")


def set_control(page, engine: str, control: dict, value) -> None:
    """Move a control found by its Spanish name, as a reader of the Spanish page would."""
    panel = page.locator(f"#instrument-{engine}")
    index = native.control_values(control).index(value)
    if control["kind"] == "slider":
        panel.get_by_role("slider", name=control["label"], exact=True).fill(str(index))
    else:
        panel.get_by_role("radiogroup", name=control["label"]).get_by_role(
            "radio", name=control["choices"][index]["label"], exact=True).check()
    settle(page, engine)


def chart_words(panel) -> dict:
    # The axes and their titles are the backdrop's, drawn beneath the chart's curves.
    return panel.evaluate("""el => { const gd = el.querySelector('.instrument__chart');
        const axes = el.querySelector('.instrument__backdrop').layout;
        return { x: axes.xaxis.title.text, y: axes.yaxis.title.text,
                 separators: gd.layout.separators === axes.separators ? axes.separators : null,
                 traces: gd.data.filter(d => d.showlegend !== false).map(d => d.name),
                 legend: [...el.querySelectorAll('.instrument__legend li')].map(li => li.textContent),
                 label: gd.getAttribute('aria-label') }; }""")


def assert_readouts_match(panel, engine: str, settings: dict) -> None:
    expected = native.expected(engine, settings)["readouts"]
    for readout in native.spec(engine, SPANISH)["readouts"]:
        row = panel.locator(f"[data-readout='{readout['name']}']")
        assert row.locator("dt").inner_text() == readout["label"]
        shown = row.locator("dd").inner_text()
        assert native.readout_matches(shown, expected[readout["name"]], readout, SPANISH), (readout["label"], shown)


# The chapter on both builders: the scripts take the page's language from the theme's own
# <html lang>, which each builder's template writes. The gallery, the same renderer on another
# page, on MkDocs only.
@pytest.mark.parametrize(("builder", "page"), [("mkdocs", CHAPTER), ("mkdocs", GALLERY), ("zensical", CHAPTER)],
                         ids=["mkdocs-chapter", "mkdocs-gallery", "zensical-chapter"], indirect=["builder"])
def test_instruments_redraw_with_spanish_labels_and_numbers(browser, site_url, page):
    context, probe = open_spanish(browser, site_url, page)
    try:
        engines = probe.page.eval_on_selector_all("figure.instrument[data-engine]", "els => els.map(e => e.dataset.engine)")
        assert len(engines) >= 3
        for engine in engines:
            spec = native.spec(engine, SPANISH)
            panel = ready(probe.page, engine)
            title = es("instrument.panel_title", label=spec["label"], title=spec["title"].upper())
            assert panel.locator(".instrument__title").inner_text() == title
            words = chart_words(panel)
            assert (words["x"], words["y"]) == (spec["chart"]["x"]["title"], spec["chart"]["y"]["title"])
            assert words["traces"] == [trace["name"] for trace in spec["chart"]["traces"]]
            assert words["separators"] == es("format.separators")
            assert words["label"] == es("instrument.chart_label", y=spec["chart"]["y"]["title"], x=spec["chart"]["x"]["title"])
            if len(spec["chart"]["traces"]) > 1:
                assert words["legend"] == [trace["name"] for trace in spec["chart"]["traces"]]
            settings = native.defaults(engine)
            assert_readouts_match(panel, engine, settings)
            for control in spec["controls"]:  # every control, by its Spanish name, redraws
                values = native.control_values(control)
                settings[control["name"]] = values[-1] if settings[control["name"]] != values[-1] else values[0]
                set_control(probe.page, engine, control, settings[control["name"]])
            assert_readouts_match(panel, engine, settings)
        assert_spanish(probe)
    finally:
        context.close()


def test_a_diverged_run_is_marked_in_spanish(browser, site_url):
    """Past the ceiling the no-BN curve leaves the chart with a mark; its words are Spanish."""
    engine = "batchnorm_stability"
    context, probe = open_spanish(browser, site_url, CHAPTER)
    try:
        panel = ready(probe.page, engine)
        spec = native.spec(engine, SPANISH)
        controls = {c["name"]: c for c in spec["controls"]}
        set_control(probe.page, engine, controls["learning_rate"], native.control_values(controls["learning_rate"])[-1])
        set_control(probe.page, engine, controls["depth"], native.control_values(controls["depth"])[-1])
        marks = panel.evaluate("el => (el.querySelector('.instrument__chart').layout.annotations || []).map(a => a.text)")
        assert any(re.fullmatch(es("instrument.mark.diverged_at_step", step=r"\d+"), m) for m in marks), marks
        shown = panel.locator("[data-readout='final_loss_no_bn'] dd").inner_text()
        assert shown == es("instrument.word.diverged")
        # A dead network that predicts a constant: the fourth outcome, its word and its mark.
        settings = {"learning_rate": 0.2394, "depth": 2}
        assert native.expected(engine, settings)["outcome_no_bn"] == "collapsed"
        set_control(probe.page, engine, controls["depth"], 2)
        set_control(probe.page, engine, controls["learning_rate"], 0.2394)
        assert panel.locator("[data-readout='final_loss_no_bn'] dd").inner_text() == es("instrument.word.collapsed")
        marks = panel.evaluate("el => (el.querySelector('.instrument__chart').layout.annotations || []).map(a => a.text)")
        assert es("instrument.mark.collapsed") in marks, marks
        assert_readouts_match(panel, engine, settings)
        assert_spanish(probe)
    finally:
        context.close()


def test_js_and_python_write_spanish_readouts_alike(browser, site_url):
    from sitebuild.instrument_panel import format_readout

    context, probe = open_spanish(browser, site_url, GALLERY)
    try:
        ready(probe.page, "init_explorer")
        samples = [0, 0.5, 0.683, 1234.5, 12345678, 3.3e-4, -2.5e-7, 1.5e300, "diverged", "EXPLODES", [0.25, 0.5]]
        for how in ({}, {"format": "fixed", "digits": 3}, {"format": "percent"}):
            shown = probe.page.evaluate(
                "([xs, how]) => xs.map(x => window.encyclopedia.instruments.formatReadout(x, how))", [samples, how])
            assert shown == [format_readout(x, how, SPANISH) for x in samples], how
        assert "0,683" in shown[2] or shown[2] == "68,3%"
    finally:
        context.close()


# ---------------------------------------------------------------- the language selector

def switch_language(page, language: str) -> None:
    """Use Material's language selector as a reader does: open it, pick the language."""
    page.locator(".md-header__option .md-select").hover()
    link = page.locator(f"a.md-select__link[hreflang={language}]")
    link.wait_for(state="visible")
    with page.expect_navigation():
        link.click()


@on_both_builds  # the language selector is each theme's own
def test_the_selector_keeps_the_page_and_the_instruments_setting(browser, site_url):
    engine = "init_explorer"
    context, probe = open_local_page(browser)
    page = probe.page
    try:
        english, spanish = pages.url(CHAPTER), pages.url(CHAPTER, SPANISH)
        page.goto(site_url + english + "#init_explorer:init=xavier,width=64")
        ready(page, engine)
        # The reader moves a slider first: the fragment now says depth=40 too.
        spec_en = native.spec(engine)
        depth = next(c for c in spec_en["controls"] if c["name"] == "depth")
        set_control(page, engine, depth, 40)
        assert page.evaluate("location.hash") == "#init_explorer:init=xavier,width=64,depth=40"

        switch_language(page, SPANISH)
        assert page.evaluate("location.pathname + location.hash") == spanish + "#init_explorer:init=xavier,width=64,depth=40"
        assert page.evaluate("document.documentElement.lang") == SPANISH
        panel = ready(page, engine)
        spec_es = native.spec(engine, SPANISH)
        labels = {c["name"]: c for c in spec_es["controls"]}
        xavier = next(ch["label"] for ch in labels["init"]["choices"] if ch["value"] == "xavier")
        assert panel.get_by_role("radio", name=xavier, exact=True).is_checked()
        assert panel.get_by_role("slider", name=labels["width"]["label"], exact=True).get_attribute("aria-valuetext") == "64"
        assert panel.get_by_role("slider", name=labels["depth"]["label"], exact=True).get_attribute("aria-valuetext") == "40"
        assert_readouts_match(panel, engine, {"init": "xavier", "width": 64, "depth": 40, "activation": "relu"})

        # And back, from any page: the playground has no state, so no fragment.
        switch_language(page, DEFAULT_LANGUAGE)
        assert page.evaluate("location.pathname + location.hash") == english + "#init_explorer:init=xavier,width=64,depth=40"
        page.goto(site_url + pages.url(PLAYGROUND, SPANISH))
        switch_language(page, DEFAULT_LANGUAGE)
        assert page.evaluate("location.pathname + location.hash") == pages.url(PLAYGROUND)
        assert probe.console_errors == [] and probe.blocked == []
    finally:
        context.close()


def test_the_selector_follows_instant_navigation(browser, site_url):
    """Material's instant navigation swaps the page but keeps the header, selector
    included: after it, the selector still lands on the page the reader is on."""
    from sitebuild.editions import LOCAL_URL

    context, probe = open_local_page(browser)
    page = probe.page

    def local_sitemap(route):
        # Material navigates instantly only to pages its sitemap lists, and the build
        # names the local server's usual address: serve it with this server's.
        response = route.fetch()
        route.fulfill(response=response, body=response.text().replace(LOCAL_URL, site_url + "/"))

    context.route(re.compile(r".*/sitemap\.xml$"), local_sitemap)
    try:
        page.goto(site_url + "/")
        page.wait_for_load_state("networkidle")  # the sitemap is in
        page.evaluate("window.__samePage = true")
        page.locator(f"#chapter-{CHAPTER.number} a").first.click()
        page.wait_for_url(f"**{pages.url(CHAPTER)}")
        assert page.evaluate("window.__samePage === true"), "Material did not navigate instantly"
        engine = "init_explorer"
        ready(page, engine)
        width = next(c for c in native.spec(engine)["controls"] if c["name"] == "width")
        set_control(page, engine, width, 64)
        switch_language(page, SPANISH)
        assert page.evaluate("location.pathname + location.hash") == pages.url(CHAPTER, SPANISH) + "#init_explorer:width=64"
        # The Spanish page opens with the reader's setting, in Spanish words.
        assert page.evaluate("document.documentElement.lang") == SPANISH
        panel = ready(page, engine)
        width_es = next(c for c in native.spec(engine, SPANISH)["controls"] if c["name"] == "width")
        assert panel.get_by_role("slider", name=width_es["label"], exact=True).get_attribute("aria-valuetext") == "64"
        assert_readouts_match(panel, engine, {**native.defaults(engine), "width": 64})
        assert probe.console_errors == [] and probe.blocked == []
    finally:
        context.close()


# ---------------------------------------------------------------- quizzes

# MkDocs only: quiz.js is one file under both builders, and the page's language is found the
# same way as the instruments', whose Spanish test runs on both.
def test_spanish_quizzes_accept_their_answers_with_a_decimal_comma_or_point(browser, site_url):
    context, probe = open_spanish(browser, site_url, CHAPTER)
    page = probe.page
    try:
        page.wait_for_selector(".quiz__form")
        wait_until_whole(page)  # quiz words are read as drawn (innerText)
        for quiz, answers, wrong in (("#quiz-he-std", ("0,125", "0.125"), "0,25"), ("#quiz-bn-value", ("0,5", "0.5"), "1")):
            box = page.locator(quiz)
            assert box.locator("label").first.inner_text() == es("quiz.your_answer")
            box.locator("input").fill(wrong)
            box.locator("button[type=submit]").click()
            # a first wrong answer opens the hint and asks for another try (issue 10's second chance)
            assert box.locator(".quiz__feedback").inner_text() == es("quiz.wrong_first")
            assert box.locator("details.quiz__hint summary").inner_text() == es("quiz.hint")
            for answer in answers:
                box.locator("input").fill(answer)
                box.locator("input").press("Enter")
                assert box.locator(".quiz__feedback").get_attribute("data-result") == "right", (quiz, answer)
                assert box.locator(".quiz__feedback").inner_text() == es("quiz.right")
            box.locator("input").fill("un octavo")
            box.locator("button[type=submit]").click()
            assert box.locator(".quiz__feedback").inner_text() == es("quiz.invalid_number")
        box = page.locator("#quiz-residual")
        box.get_by_label(es("quiz.false")).check()
        box.get_by_role("button", name=es("quiz.check")).click()
        assert box.locator(".quiz__feedback").get_attribute("data-result") == "wrong"
        box.get_by_label(es("quiz.true")).check()
        box.get_by_role("button", name=es("quiz.check")).click()
        assert box.locator(".quiz__feedback").inner_text() == es("quiz.right")
        box.get_by_role("button", name=es("quiz.show_solution")).click()
        assert box.locator("details.quiz__solution summary").inner_text() == es("quiz.solution")
        assert_spanish(probe)
    finally:
        context.close()


def test_english_quizzes_accept_a_decimal_comma_too(probe, site_url):
    probe.page.goto(site_url + pages.url(CHAPTER))
    box = probe.page.locator("#quiz-he-std")
    box.locator("input").fill("0,125")
    box.locator("button[type=submit]").click()
    assert box.locator(".quiz__feedback").get_attribute("data-result") == "right"
    assert box.locator(".quiz__feedback").inner_text() == t("quiz.right", DEFAULT_LANGUAGE)


# ---------------------------------------------------------------- cells

CELL = "#playground-hello"
PLOTS = "#playground-plots"
CELL_SOURCE = "playground/hello.py"  # the cell above, under pysnippets/ (and pysnippets/es/)


def native_stdout(snippet: str, language: str) -> str:
    from sitebuild import editions
    from sitebuild.run_snippet import run as run_natively

    source = (editions.edition(language).snippets / snippet).read_text(encoding="utf-8")
    return run_natively(source, language=language)["stdout"]


def run(page, cell: str, code: str | None = None):
    if code is not None:
        if not page.locator(f"{cell} .cm-editor").count():
            page.locator(f"{cell} .pycell__source code").click()  # entering the code brings the editor
        content = page.locator(f"{cell} .cm-content")
        content.wait_for()
        content.click()
        page.keyboard.press("ControlOrMeta+a")
        page.keyboard.insert_text(code)
    before = int(page.locator(cell).get_attribute("data-runs") or 0)
    page.locator(cell).get_by_role("button", name=es("cell.run"), exact=True).click()
    page.wait_for_function("([sel, n]) => Number(document.querySelector(sel).dataset.runs || 0) > n",
                           arg=[cell, before], timeout=BOOT_TIMEOUT_MS)
    return page.locator(f"{cell} .pycell__live")


# MkDocs only: the cell runner is one set of files under both builders (Pyodide's boot in
# each shell is tests/browser/test_cells.py::test_first_run_shows_progress_then_reproduces_the_static_output).
def test_a_spanish_cell_runs_with_spanish_output_and_spanish_errors(browser, site_url):
    context, probe = open_spanish(browser, site_url, PLAYGROUND)
    page = probe.page
    try:
        page.wait_for_selector(f"{CELL}.pycell--enhanced")
        cell = page.locator(CELL)
        static = cell.locator(".pycell__stdout").inner_text()
        spanish, english = (native_stdout(CELL_SOURCE, language) for language in (SPANISH, DEFAULT_LANGUAGE))
        assert static.strip() == spanish.strip() != english.strip(), "the Spanish page shows its Spanish cell's output"
        assert re.findall(r"-?\d+\.\d+", spanish) == re.findall(r"-?\d+\.\d+", english)
        assert cell.get_by_role("toolbar").get_attribute("aria-label") == es("cell.toolbar", title=cell.locator(".pycell__title").inner_text())
        output = run(page, CELL)
        assert output.locator(".pycell__stream--stdout").inner_text().strip() == static.strip()
        assert re.fullmatch(es("cell.ran_in", time=r"[\d,]+ (ms|s)"), cell.locator(".pycell__status").inner_text())

        output = run(page, CELL, "x = 1\n1 / 0")
        assert "ZeroDivisionError" in output.locator(".pycell__error").inner_text()
        assert cell.locator(".pycell__status").inner_text() == es("cell.raised")

        output = run(page, CELL, "for i in range(20000):\n    print('fila', i)")
        trimmed = output.locator(".pycell__trimmed").inner_text()
        assert trimmed.startswith("Salida recortada") and "50.000" in trimmed, trimmed

        output = run(page, CELL, "21 * 2")
        assert output.locator(".pycell__value").inner_text() == es("cell.out_prompt") + "42"

        # The Python runner's own sentences come from the Spanish catalogue, numbers grouped the Spanish way.
        output = run(page, CELL, "nombre = input()")
        assert output.locator(".pycell__error").inner_text().rstrip().endswith("EOFError: " + es("cell.python.no_input"))
        output = run(page, CELL, "import sys\nsys.setrecursionlimit(10**6)\ndef f(n):\n    return f(n + 1)\nf(0)")
        note = es("cell.python.recursion_ceiling", ceiling="2.000", requested="1.000.000")
        assert output.locator(".pycell__error").inner_text().rstrip().endswith(note)
        keep = cell.locator(".pycell__keep")
        assert keep.inner_text().strip() == es("cell.keep_state")

        # The plotting helpers' own words follow the page: a histogram's default y title.
        run(page, PLOTS)
        figure = page.locator(f"{PLOTS} .pycell__figure").last
        figure.locator(".main-svg").first.wait_for()
        layout = figure.evaluate("el => ({ y: el.layout.yaxis.title.text, separators: el.layout.separators })")
        assert layout == {"y": es("plot.count"), "separators": es("format.separators")}

        cell.get_by_role("button", name=es("cell.reset"), exact=True).click()
        assert cell.get_by_role("alertdialog").get_attribute("aria-label") == es("cell.discard_title")
        cell.get_by_role("button", name=es("cell.discard"), exact=True).click()
        assert cell.locator(".pycell__status").inner_text() == es("cell.original_restored")
        assert_spanish(probe)
    finally:
        context.close()


def test_failures_are_told_in_spanish(browser, site_url):
    """Python that cannot start and an instrument whose data cannot load say so in Spanish."""
    context, probe = open_local_page(browser)
    page = probe.page
    context.route(re.compile(r".*/pyodide\.mjs$"), lambda route: route.fulfill(status=404, body="no"))
    context.route(re.compile(r".*/instruments/init_explorer\.json.*"), lambda route: route.fulfill(status=500, body="no"))
    try:
        page.goto(site_url + pages.url(PLAYGROUND, SPANISH))
        page.wait_for_selector(f"{CELL}.pycell--enhanced")
        page.locator(CELL).get_by_role("button", name=es("cell.run"), exact=True).click()
        failure = page.locator(f"{CELL} .pycell__failure")
        failure.wait_for(timeout=BOOT_TIMEOUT_MS)
        assert failure.locator("p").first.inner_text().startswith(es("cell.boot_failed", error="").rstrip())
        assert failure.get_by_role("button", name=es("cell.retry")).count() == 1
        assert page.locator(f"{CELL} .pycell__status").inner_text() == es("cell.python_failed")

        page.goto(site_url + pages.url(GALLERY, SPANISH))
        panel = page.locator("#instrument-init_explorer")
        panel.scroll_into_view_if_needed()
        page.wait_for_selector("#instrument-init_explorer[data-state=failed]")
        notice = panel.locator(".instrument__notice").inner_text()
        assert re.fullmatch(es("instrument.failed", error=".+"), notice, re.S), notice
        # What was left on the page is Spanish; the failed requests were ours to fail.
        probe.console_errors.clear()
        assert_spanish(probe)
    finally:
        context.close()
