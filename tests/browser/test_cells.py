"""Runnable Python cells in Chromium, with the real Pyodide core from npm.

Most tests share one playground page per module (booting Python takes a few
seconds), each run putting its own code into the editor. Nothing leaves the
machine: numpy cannot load here, which the missing-package test relies on.
"""

from __future__ import annotations

import functools
import http.server
import json
import os
import re
import threading
from pathlib import Path

import pytest

from sitebuild.runtime import PYODIDE_CDN, npm_version
from tests import pages
from tests.conftest import PageProbe, _serve, build_site, on_both_builds, open_local_page

pytestmark = [pytest.mark.browser, pytest.mark.slow]

PLAYGROUND = "/playground/"
CELL = "#playground-hello"
BOOT_TIMEOUT_MS = 60_000
CDN = re.escape(PYODIDE_CDN.format(version=npm_version("pyodide")))
INTERNAL = re.compile(r"_pyodide|pyodide/|pycell_runner|/lib/python3")


def open_page(browser, url: str) -> PageProbe:
    _, probe = open_local_page(browser)
    probe.page.goto(url)
    probe.page.wait_for_selector(f"{CELL}.pycell--enhanced")
    return probe


@pytest.fixture(scope="module")
def plain(browser, site_url):
    probe = open_page(browser, site_url + PLAYGROUND)
    yield probe
    probe.page.context.close()


@pytest.fixture(scope="module")
def isolated(browser, isolated_site_url):
    probe = open_page(browser, isolated_site_url + PLAYGROUND)
    yield probe
    probe.page.context.close()


def runs(page, cell=CELL) -> int:
    return int(page.locator(cell).get_attribute("data-runs") or 0)


# What the editor shows, read from its rendered lines (short snippets are fully rendered).
EDITOR_TEXT = "sel => [...document.querySelectorAll(sel + ' .cm-line')].map(l => l.textContent).join('\\n')"


def editor_text(page, cell=CELL) -> str:
    return page.evaluate(EDITOR_TEXT, cell)


def set_code(page, code: str, cell=CELL) -> None:
    """Type-free replace of the editor's text, as a paste would do it."""
    content = page.locator(f"{cell} .cm-content")
    content.wait_for()
    content.click()
    page.keyboard.press("ControlOrMeta+a")
    page.keyboard.insert_text(code)
    page.wait_for_function(f"([sel, code]) => ({EDITOR_TEXT})(sel) === code", arg=[cell, code])


def wait_for_run(page, before: int, cell=CELL, timeout=BOOT_TIMEOUT_MS) -> None:
    page.wait_for_function(
        "([sel, n]) => Number(document.querySelector(sel).dataset.runs || 0) > n", arg=[cell, before], timeout=timeout
    )


def run_code(page, code: str, cell=CELL, timeout=BOOT_TIMEOUT_MS):
    set_code(page, code, cell)
    before = runs(page, cell)
    page.locator(f"{cell} .pycell__run").click()
    wait_for_run(page, before, cell, timeout)
    return page.locator(f"{cell} .pycell__live")


# ---------------------------------------------------------------- laziness


def test_nothing_of_python_loads_before_the_reader_asks(browser, site_url):
    probe = open_page(browser, site_url + PLAYGROUND)
    try:
        page = probe.page
        requested = []
        page.on("request", lambda r: requested.append(r.url))
        page.reload()
        page.wait_for_selector(f"{CELL} .cm-content")  # the editor arrives as the cell is in view
        assert not [u for u in requested if "/vendor/pyodide/" in u]
        assert page.locator(f"{CELL} .pycell__source").is_hidden()
    finally:
        probe.page.context.close()


# ---------------------------------------------------------------- running


@on_both_builds
def test_first_run_shows_progress_then_reproduces_the_static_output(plain):
    page = plain.page
    static = page.locator(f'{CELL} .pycell__output[data-static="true"] .pycell__stdout').inner_text()
    page.locator(f"{CELL} .pycell__run").click()  # the snippet as written, Python not started yet
    page.wait_for_selector(f"{CELL} .pycell__status progress")  # the loading indicator, with a stage
    assert "Starting Python" in page.locator(f"{CELL} .pycell__status").inner_text()
    wait_for_run(page, 0)
    output = page.locator(f"{CELL} .pycell__live")
    assert output.locator(".pycell__stream--stdout").inner_text() == static
    assert output.locator(".pycell__value").inner_text().startswith("Out: ")
    assert output.get_attribute("aria-live") == "polite"
    assert page.locator(f'{CELL} .pycell__output[data-static="true"]').count() == 0


def test_a_final_expression_is_displayed(plain):
    output = run_code(plain.page, "print('hello from pyodide')\n6 * 7")
    assert output.locator(".pycell__stream--stdout").inner_text() == "hello from pyodide\n"
    assert output.locator(".pycell__value").inner_text() == "Out: 42"


def test_stdout_and_stderr_keep_their_order(plain):
    output = run_code(plain.page, "import sys\nprint('one')\nprint('two', file=sys.stderr)\nprint('three')")
    blocks = output.locator(".pycell__stream").evaluate_all("ps => ps.map(p => [p.dataset.stream, p.textContent])")
    assert blocks == [["stdout", "one\n"], ["stderr", "two\n"], ["stdout", "three\n"]]


def test_output_is_capped_and_says_so(plain):
    output = run_code(plain.page, "for _ in range(2000):\n    print('x' * 99)")
    assert len(output.locator(".pycell__stream").inner_text()) <= 50_000
    assert "Output trimmed" in output.locator(".pycell__trimmed").inner_text()


def test_plot_xy_on_lists_draws_a_plotly_chart(plain):
    page = plain.page
    output = run_code(page, "plot_xy([0, 1, 2, 3], [0, 1, 4, 9], title='squares')")
    chart = output.locator(".js-plotly-plot")
    chart.wait_for()
    data = chart.evaluate("n => n.data.map(t => [t.type, t.y])")
    assert data == [["scatter", [0, 1, 4, 9]]]
    assert output.locator(".pycell__value").count() == 0  # the figure is drawn, not echoed


def test_instruments_package_is_importable_and_histogram_draws_bars(plain):
    output = run_code(plain.page, "import instruments\nfrom instruments.plot import histogram\n"
                                  "print(len(instruments.ENGINES))\nhistogram([1, 2, 2, 3, 3, 3], bins=3)")
    assert output.locator(".pycell__stream--stdout").inner_text().strip() == "5"
    chart = output.locator(".js-plotly-plot")
    chart.wait_for()
    assert chart.evaluate("n => n.data.map(t => [t.type, t.y])") == [["bar", [1, 2, 3]]]


def test_figures_follow_the_theme(plain):
    page = plain.page
    output = run_code(page, "scatter([1, 2], [3, 4])")
    output.locator(".js-plotly-plot").wait_for()
    font = "n => n._fullLayout.font.color"
    before = output.locator(".js-plotly-plot").evaluate(font)
    scheme = page.evaluate("document.body.getAttribute('data-md-color-scheme')")
    page.evaluate("s => document.body.setAttribute('data-md-color-scheme', s)", "slate" if scheme != "slate" else "default")
    page.wait_for_function(f"() => ({font})(document.querySelector('{CELL} .js-plotly-plot')) !== {json.dumps(before)}")
    page.evaluate("s => document.body.setAttribute('data-md-color-scheme', s)", scheme)


def test_syntax_error_shows_a_short_traceback(plain):
    error = run_code(plain.page, "x = 1\nprint(x\n").locator(".pycell__error").inner_text()
    assert "SyntaxError" in error and "<cell playground-hello>" in error
    assert not INTERNAL.search(error), error


def test_runtime_error_traceback_is_trimmed_to_the_readers_code(plain):
    error = run_code(plain.page, "def f(v):\n    return 1 / v\n\nf(0)").locator(".pycell__error").inner_text()
    assert error.startswith("Traceback (most recent call last):")
    assert 'File "<cell playground-hello>", line 4' in error and "return 1 / v" in error
    assert error.rstrip().endswith("ZeroDivisionError: division by zero")
    assert not INTERNAL.search(error), error


def test_missing_package_fails_clearly_with_url_and_retry(plain):
    page = plain.page
    base = page.get_attribute('meta[name="pyodide-version"]', "data-package-base-url")
    if not re.fullmatch(CDN, base):
        pytest.skip(f"packages come from {base} (PYODIDE_PACKAGE_URL), not the CDN this test blocks")
    # "Not a hang": the run must finish (run_code waits for it) with the failure shown.
    output = run_code(page, "import numpy as np\nprint(np.arange(3))", timeout=30_000)
    failure = output.locator(".pycell__failure")
    text = failure.inner_text()
    assert "Could not load the Python package numpy" in text
    assert re.search(CDN + r"numpy-\S+\.whl", text), text
    assert failure.get_attribute("role") == "alert"
    retry = failure.locator("button.pycell__retry")
    assert retry.is_visible()
    before = runs(page)
    retry.click()  # still offline: the same clear failure, not a hang
    wait_for_run(page, before, timeout=30_000)
    assert output.locator(".pycell__failure").count() == 1
    # The fetch was really tried (and blocked): the only outside request is the package URL.
    assert plain.blocked and all(re.fullmatch(CDN + r"numpy-.+\.whl", u) for u in plain.blocked), plain.blocked


def test_stop_without_isolation_restarts_python_and_says_so(plain):
    page = plain.page
    run_code(page, "kept = 1")
    set_code(page, "while True:\n    pass")
    before = runs(page)
    page.locator(f"{CELL} .pycell__run").click()
    page.wait_for_function(f"document.querySelector('{CELL} .pycell__status').textContent === 'Running…'")
    assert page.evaluate("1 + 1") == 2  # the page is not frozen by the loop
    page.locator(f"{CELL} .pycell__stop").click()
    # How fast Stop acts is measured by benchmarks/bench_pyodide.py; here it must act at all.
    wait_for_run(page, before, timeout=10_000)
    assert "Python was restarted" in page.locator(f"{CELL} .pycell__status").inner_text()
    output = run_code(page, "print('alive')\n'kept' in globals()")
    assert output.locator(".pycell__stream--stdout").inner_text() == "alive\n"
    assert output.locator(".pycell__value").inner_text() == "Out: False"  # state was reset, as announced


def test_stop_with_isolation_interrupts_and_keeps_state(isolated):
    page = isolated.page
    assert page.evaluate("crossOriginIsolated") is True
    run_code(page, "kept = 1")
    set_code(page, "while True:\n    pass")
    before = runs(page)
    page.locator(f"{CELL} .pycell__run").click()
    page.wait_for_function(f"document.querySelector('{CELL} .pycell__status').textContent === 'Running…'")
    page.locator(f"{CELL} .pycell__stop").click()
    wait_for_run(page, before, timeout=10_000)
    assert "KeyboardInterrupt" in page.locator(f"{CELL} .pycell__status").inner_text()
    output = run_code(page, "'kept' in globals()")
    assert output.locator(".pycell__value").inner_text() == "Out: True"  # interrupted, not restarted
    assert isolated.console_errors == []


# ---------------------------------------------------------------- keyboard


def test_shift_enter_runs_and_esc_then_tab_leaves_the_editor(plain):
    page = plain.page
    set_code(page, "print('by keyboard')")
    before = runs(page)
    page.keyboard.press("Shift+Enter")
    wait_for_run(page, before)
    assert page.locator(f"{CELL} .pycell__stream").inner_text() == "by keyboard\n"
    assert editor_text(page) == "print('by keyboard')"
    page.locator(f"{CELL} .cm-content").click()
    page.keyboard.press("Tab")  # Tab alone indents, keeping focus in the editor
    assert page.evaluate(f"document.querySelector('{CELL} .cm-editor').contains(document.activeElement)")
    page.keyboard.press("Escape")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.classList.contains('pycell__run')")


# ---------------------------------------------------------------- accessibility, console


def test_no_serious_accessibility_violations_after_a_run(plain, axe_source):
    page = plain.page
    run_code(page, "print('for axe')\nplot_xy([1, 2], [2, 1], title='axe')")
    page.locator(f"{CELL} .js-plotly-plot").wait_for()
    page.add_script_tag(content=axe_source)
    result = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    serious = [(v["id"], [(n["target"], n.get("failureSummary", "")[:160]) for n in v["nodes"]][:4]) for v in result["violations"]
               if v["impact"] in ("serious", "critical")]
    assert serious == [], json.dumps(serious, indent=1)


def test_no_console_errors_even_after_a_failed_package_fetch(plain):
    # errorCallback routes Pyodide's complaint to the cell instead of the console.
    assert plain.console_errors == []


# ---------------------------------------------------------------- nothing lost


def storage_key(cell_id: str) -> str:
    return f"encyclopedia:pycell:{PLAYGROUND}:{cell_id}"


def test_edits_survive_a_reload_and_reset_restores_the_source(probe, site_url):
    page = probe.page
    page.goto(site_url + PLAYGROUND)
    original = page.locator(f"{CELL} .pycell__source code").inner_text().rstrip("\n")
    set_code(page, "print('my edit')")
    page.wait_for_function(f"localStorage.getItem({json.dumps(storage_key('playground-hello'))}) !== null")
    page.reload()
    page.wait_for_function(f"({EDITOR_TEXT})('{CELL}') === \"print('my edit')\"")
    assert "restored" in page.locator(f"{CELL} .pycell__notice").inner_text()

    page.locator(f"{CELL} .pycell__reset").click()
    dialog = page.locator(f"{CELL} .pycell__notice[role=alertdialog]")
    assert "Discard your edits" in dialog.inner_text()
    page.keyboard.press("Escape")  # cancel keeps the edit
    assert dialog.count() == 0
    assert editor_text(page) == "print('my edit')"

    page.locator(f"{CELL} .pycell__reset").click()
    assert page.evaluate("document.activeElement.textContent") == "Discard edits"  # focus moves into the dialog
    page.keyboard.press("Enter")
    assert editor_text(page) == original
    assert page.evaluate(f"localStorage.getItem({json.dumps(storage_key('playground-hello'))})") is None
    page.reload()
    page.wait_for_selector(f"{CELL} .cm-content")
    assert editor_text(page) == original
    assert probe.console_errors == []


def test_an_edit_of_an_older_original_is_flagged_with_compare(probe, site_url):
    page = probe.page
    page.goto(site_url + PLAYGROUND)
    stale = {"code": "print('edited long ago')", "sourceHash": "0000stale0000", "savedAt": 0}
    page.evaluate("([k, v]) => localStorage.setItem(k, v)", [storage_key("playground-hello"), json.dumps(stale)])
    page.reload()
    notice = page.locator(f"{CELL} .pycell__notice")
    notice.wait_for()
    assert "original code has changed" in notice.inner_text()
    notice.get_by_role("button", name="Compare").click()
    compare = notice.locator(".pycell__compare").inner_text()
    assert "print('edited long ago')" in compare and "random.seed(0)" in compare
    notice.get_by_role("button", name="Use the new original").click()
    assert "random.seed(0)" in editor_text(page)


# ---------------------------------------------------------------- with numpy (needs a full distribution)

FULL_DIST = os.environ.get("PYODIDE_FULL_DIST")
CHAPTER = pages.url(pages.chapter(1))
CHAPTER_CELLS = pages.cell_ids(pages.chapter(1))


class DistHandler(http.server.SimpleHTTPRequestHandler):
    """Serves a Pyodide distribution to pages of another origin (another port)."""

    extensions_map = {**http.server.SimpleHTTPRequestHandler.extensions_map, ".whl": "application/zip"}

    def end_headers(self):
        self.send_header("Access-Control-Allow-Origin", "*")
        self.send_header("Cross-Origin-Resource-Policy", "cross-origin")
        super().end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def full_dist_site(tmp_path_factory):
    """The site built with PYODIDE_PACKAGE_URL pointing at a locally served full distribution."""
    dist = Path(FULL_DIST)
    if not (dist / "pyodide-lock.json").exists():
        pytest.fail(f"PYODIDE_FULL_DIST={FULL_DIST} has no pyodide-lock.json")
    dist_server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(DistHandler, directory=str(dist)))
    threading.Thread(target=dist_server.serve_forever, daemon=True).start()
    target = tmp_path_factory.mktemp("site-full-dist")
    with pytest.MonkeyPatch.context() as env:
        env.setenv("PYODIDE_PACKAGE_URL", f"http://127.0.0.1:{dist_server.server_address[1]}/")
        done = build_site(target)
    if done.returncode != 0:
        pytest.fail(f"mkdocs build --strict failed:\n{done.stdout}\n{done.stderr}")
    site_server = _serve(target, isolated=False)
    yield f"http://127.0.0.1:{site_server.server_address[1]}"
    site_server.shutdown()
    dist_server.shutdown()


@pytest.mark.skipif(not FULL_DIST, reason="PYODIDE_FULL_DIST is not set: numpy cannot load in the browser "
                                          "without a full Pyodide distribution (no CDN here)")
@pytest.mark.parametrize("cell_id", CHAPTER_CELLS)
def test_chapter_cells_run_with_numpy_from_a_full_distribution(browser, full_dist_site, cell_id):
    context, probe = open_local_page(browser)
    page = probe.page
    try:
        page.goto(full_dist_site + CHAPTER)
        cell = f'[id="{cell_id}"]'  # ids start with the page slug, a digit
        page.wait_for_selector(f"{cell}.pycell--enhanced")
        static = page.locator(f'{cell} .pycell__output[data-static="true"]')
        static_text = static.locator(".pycell__stdout").inner_text()
        static_charts = static.locator("svg.static-chart").count()
        page.locator(f"{cell} .pycell__run").click()
        wait_for_run(page, 0, cell, timeout=180_000)
        output = page.locator(f"{cell} .pycell__live")
        assert output.locator(".pycell__error, .pycell__failure").count() == 0, output.inner_text()
        # Same seed, same numpy: the browser reproduces the output printed under the cell at build time.
        assert output.locator(".pycell__stream--stdout").inner_text() == static_text
        charts = output.locator(".js-plotly-plot")
        if static_charts:
            charts.nth(static_charts - 1).wait_for()
        assert charts.count() == static_charts
        assert all(n > 0 for n in charts.evaluate_all("ns => ns.map(n => n.data.length)"))
        assert probe.console_errors == []
    finally:
        context.close()


def test_without_javascript_the_code_and_its_output_are_readable(browser, site_url):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    try:
        page.goto(site_url + PLAYGROUND)
        code = page.locator(f"{CELL} .pycell__source code")
        assert "random.seed(0)" in code.inner_text()
        assert code.locator("span").count() > 10  # highlighted at build time
        assert "variance" in page.locator(f'{CELL} .pycell__output[data-static="true"] .pycell__stdout').inner_text()
        assert page.locator("#playground-plots svg.static-chart").count() == 2
        assert page.locator(".pycell__run").count() == 0  # no dead buttons
    finally:
        context.close()
