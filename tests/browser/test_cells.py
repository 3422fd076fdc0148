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

from sitebuild import packages
from sitebuild.runtime import PYODIDE_CDN, npm_version
from tests import pages
from tests.conftest import (
    PageProbe, _serve, build_site, follow_link, on_both_builds, open_local_page, serious_axe_findings, serve_sitemap_for,
)

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


# What the cell shows: the editor's rendered lines (short snippets are fully rendered) or,
# before the reader has entered the cell, the build's code with any restored edits.
EDITOR_TEXT = """sel => {
  const lines = [...document.querySelectorAll(sel + ' .cm-line')];
  if (lines.length) return lines.map((l) => l.textContent).join('\\n');
  return document.querySelector(sel + ' .pycell__source code').textContent.replace(/\\n$/, '');
}"""


def editor_text(page, cell=CELL) -> str:
    return page.evaluate(EDITOR_TEXT, cell)


def enter_code(page, cell=CELL):
    """Click into the cell's code, as a reader does: the editor takes over (pycells.js)."""
    page.locator(cell).scroll_into_view_if_needed()
    if not page.locator(f"{cell} .cm-editor").count():
        page.locator(f"{cell} .pycell__source code").click()
    content = page.locator(f"{cell} .cm-content")
    content.wait_for()
    return content


def set_code(page, code: str, cell=CELL) -> None:
    """Type-free replace of the editor's text, as a paste would do it."""
    content = enter_code(page, cell)
    matches = f"([sel, code]) => ({EDITOR_TEXT})(sel) === code"
    for attempt in range(2):  # a loaded machine can let a page script move focus between click and paste
        content.click()
        page.wait_for_function("sel => document.querySelector(sel + ' .cm-editor').contains(document.activeElement)",
                               arg=cell)
        page.keyboard.press("ControlOrMeta+a")
        page.keyboard.insert_text(code)
        try:
            page.wait_for_function(matches, arg=[cell, code], timeout=10_000)
            return
        except Exception:
            if attempt:
                raise


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
        page.wait_for_selector(f"{CELL}.pycell--enhanced")
        page.locator(CELL).scroll_into_view_if_needed()
        page.wait_for_timeout(500)
        assert not [u for u in requested if "/vendor/pyodide/" in u]
        # Nor the editor: the cell shows the build's code until the reader enters it.
        assert not [u for u in requested if "/vendor/editor.js" in u]
        assert page.locator(f"{CELL} .pycell__source").is_visible()
    finally:
        probe.page.context.close()


# ---------------------------------------------------------------- running


@on_both_builds  # smoke on each theme shell: Pyodide's worker boots from the page each builder writes
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


def test_instruments_arrive_as_the_wheel_the_lockfile_lists(browser, site_url):
    """Issue 14: `import instruments` goes through Pyodide's loader and the site's lockfile."""
    probe = open_page(browser, site_url + PLAYGROUND)  # a fresh Python: nothing loaded yet
    try:
        page = probe.page
        lockfile = page.evaluate("url => fetch(url).then(r => r.json())",
                                 site_url + "/assets/generated/packages/pyodide-lock.json")
        wheel = lockfile["packages"]["instruments"]["file_name"]
        requested = []
        page.on("request", lambda r: requested.append(r.url))
        output = run_code(page, "import instruments\nfrom instruments.plot import Figure\n"
                                "print(instruments.ENGINES[0], Figure.__module__)")
        assert output.locator(".pycell__error, .pycell__failure").count() == 0, output.inner_text()
        assert output.locator(".pycell__stream--stdout").inner_text() == "init_explorer instruments.plot\n"
        assert f"{site_url}/assets/generated/packages/{wheel}" in requested
        assert [u for u in requested if u.endswith(".py")] == [u for u in requested if u.endswith("/pycell_runner.py")]
        # numpy was fetched as the wheel's declared dependency (blocked here), and that did not stop the cell.
        numpy = lockfile["packages"]["numpy"]["file_name"]
        assert probe.blocked == [numpy]
        # An engine needs numpy: without it the cell says so before running, naming the URL, as for `import numpy`.
        output = run_code(page, "from instruments import init_explorer", timeout=30_000)
        failure = output.locator(".pycell__failure").inner_text()
        assert "Could not load the Python package numpy" in failure and numpy in failure, failure
        assert output.locator(".pycell__error").count() == 0  # not a ModuleNotFoundError traceback
        assert probe.console_errors == []
    finally:
        probe.page.context.close()


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
    numpy = page.evaluate("url => fetch(url).then(r => r.json())", page.url.split("/playground/")[0]
                          + "/assets/generated/packages/pyodide-lock.json")["packages"]["numpy"]["file_name"]
    if not re.match(CDN, numpy):
        pytest.skip(f"numpy comes from {numpy} (PYODIDE_PACKAGE_URL), not the CDN this test blocks")
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
    page.wait_for_function(f"document.querySelector('{CELL} .pycell__status').textContent.startsWith('Running…')")
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
    page.wait_for_function(f"document.querySelector('{CELL} .pycell__status').textContent.startsWith('Running…')")
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
    serious = serious_axe_findings(page, axe_source)
    assert serious == [], "\n".join(serious)


def test_no_console_errors_even_after_a_failed_package_fetch(plain):
    # errorCallback routes Pyodide's complaint to the cell instead of the console.
    assert plain.console_errors == []


# ---------------------------------------------------------------- issue 16: never stuck, never frozen
# Each case as the issue reproduced it, on a server with and without COOP/COEP
# (the `served` fixture runs every test below once per mode).

PLOTS = "#playground-plots"
WORKERS_STARTED = "window.encyclopedia.pythonRuntime.workersStarted"


@pytest.fixture(params=["plain", "isolated"])
def served(request):
    """The module's playground page on the plain server, then on the isolated one."""
    probe = request.getfixturevalue(request.param)
    assert probe.page.evaluate("crossOriginIsolated") is (request.param == "isolated")
    run_code(probe.page, "pass")  # Python up (a boot on a loaded machine outlasts the waits below)
    return probe


def status(page, cell=CELL) -> str:
    return page.locator(f"{cell} .pycell__status").inner_text()


def start_and_wait_until_running(page, code: str, cell=CELL) -> int:
    set_code(page, code, cell)
    before = runs(page, cell)
    page.locator(f"{cell} .pycell__run").click()
    page.wait_for_function(f"document.querySelector('{cell} .pycell__status').textContent.startsWith('Running…')",
                           timeout=BOOT_TIMEOUT_MS)
    return before


@pytest.mark.parametrize("runaway", ["sum(range(10**13))", "import time\ntime.sleep(30)", "while True:\n    pass"])
def test_stop_always_leaves_python_ready_for_the_next_run(served, runaway):
    # Issue 16.1: with COOP/COEP, a Stop that needed the restart left the
    # interrupt flag set and the next Run failed with "Python could not start".
    page = served.page
    before = start_and_wait_until_running(page, runaway)
    page.wait_for_timeout(300)
    page.locator(f"{CELL} .pycell__stop").click()
    wait_for_run(page, before, timeout=30_000)
    assert re.match(r"Stopped", status(page)), status(page)
    output = run_code(page, "print('ready again')")
    assert output.locator(".pycell__stream--stdout").inner_text() == "ready again\n"
    assert output.locator(".pycell__failure, .pycell__error").count() == 0
    assert "could not start" not in status(page)


def test_a_huge_final_value_is_capped_like_printed_output(served):
    # Issue 16.2: `list(range(10**7))` froze the page for ~30 s; the value now shares the output cap.
    page = served.page
    output = run_code(page, "list(range(10**7))", timeout=120_000)
    value = output.locator(".pycell__value").inner_text()
    assert value.startswith("Out: [0, 1, 2, 3,") and value.endswith("…")
    assert len(value) <= 50_000 + len("Out: …")
    trimmed = output.locator(".pycell__trimmed").inner_text()
    shown = len(value) - len("Out: …")
    # len(repr(list(range(10**7)))) by counting: 0-9 have one digit, 10**(d-1) to 10**d - 1 have d.
    digits = 1 + sum(d * 9 * 10 ** (d - 1) for d in range(1, 8))
    dropped = 2 + digits + 2 * (10**7 - 1) - shown
    assert f"{dropped:,} more characters were not shown" in trimmed, trimmed
    assert page.evaluate("1 + 1") == 2


def test_keyboard_focus_moves_to_stop_and_back_to_run(served):
    # Issue 16.3: the disabled Run button dropped focus to <body>.
    page = served.page
    set_code(page, "while True:\n    pass")
    page.keyboard.press("Escape")
    page.keyboard.press("Tab")  # out of the editor, onto Run
    assert page.evaluate("document.activeElement.classList.contains('pycell__run')")
    before = runs(page)
    page.keyboard.press("Enter")
    page.wait_for_function(f"document.querySelector('{CELL} .pycell__status').textContent.startsWith('Running…')")
    assert page.evaluate("document.activeElement.classList.contains('pycell__stop')")
    page.keyboard.press("Enter")  # Enter again stops
    wait_for_run(page, before, timeout=30_000)
    assert page.evaluate("document.activeElement.classList.contains('pycell__run')")
    page.keyboard.press("Tab")  # the next Tab continues inside the cell, not from the top of the page
    assert page.evaluate(f"document.querySelector('{CELL}').contains(document.activeElement)")
    assert page.evaluate("document.activeElement !== document.body")


def test_a_quick_run_by_keyboard_keeps_focus_on_run(served):
    page = served.page
    set_code(page, "print('quick')")
    page.keyboard.press("Escape")
    page.keyboard.press("Tab")
    before = runs(page)
    page.keyboard.press("Enter")
    wait_for_run(page, before)
    assert page.evaluate("document.activeElement.classList.contains('pycell__run')")


def test_input_says_cells_take_no_typed_input(served):
    # Issue 16.4: OSError [Errno 29] and "prompt is not defined" in the console.
    page = served.page
    errors_before = len(served.console_errors)
    error = run_code(page, "name = input('Your name? ')\nprint('hello', name)").locator(".pycell__error").inner_text()
    assert 'File "<cell playground-hello>", line 1' in error
    assert re.search(r"EOFError: cells take no typed input.*Write the value into the code", error, re.S), error
    assert "OSError" not in error and not INTERNAL.search(error), error
    assert served.console_errors[errors_before:] == []


def test_runaway_recursion_ends_as_a_readable_recursion_error(served):
    # Issue 16.5: a minute of recursion, then a JavaScript stack message and a runner path.
    page = served.page
    run_code(page, "kept_through_recursion = 1")
    workers = page.evaluate(WORKERS_STARTED)
    error = run_code(page, "import sys\nsys.setrecursionlimit(10**6)\ndef dive(n):\n    return dive(n + 1)\ndive(0)",
                     timeout=30_000).locator(".pycell__error").inner_text()
    assert "RecursionError: maximum recursion depth exceeded" in error
    assert "sys.setrecursionlimit(1,000,000) was lowered" in error
    assert 'File "<cell playground-hello>", line 4, in dive' in error
    assert not INTERNAL.search(error) and "call stack" not in error, error
    # Python was not lost on the way: same worker, same variables.
    assert page.evaluate(WORKERS_STARTED) == workers
    assert run_code(page, "kept_through_recursion").locator(".pycell__value").inner_text() == "Out: 1"


def test_a_queued_cell_says_which_cell_it_waits_for(served):
    # Issue 16.6: the queued cell kept its old "Ran in …" status.
    page = served.page
    run_code(page, "print('plots ran before')", cell=PLOTS)
    assert status(page, PLOTS).startswith("Ran in")
    before_hello, before_plots = runs(page), runs(page, PLOTS)
    start_and_wait_until_running(page, "import time\nt0 = time.time()\nwhile time.time() - t0 < 4:\n    pass")
    page.locator(f"{PLOTS} .pycell__run").click()
    assert status(page, PLOTS) == "Waiting for “Mean and variance by hand” to finish…"
    wait_for_run(page, before_hello)
    wait_for_run(page, before_plots, cell=PLOTS)
    assert status(page, PLOTS).startswith("Ran in")
    assert page.locator(f"{PLOTS} .pycell__stream--stdout").inner_text() == "plots ran before\n"


# Web storage made unusable before any page script runs: blocked (as with
# cookies disabled, where merely touching it throws) or full (every write throws).
BLOCK_STORAGE = """
for (const name of ['localStorage', 'sessionStorage']) {
  Object.defineProperty(window, name, {
    configurable: true,
    get() { throw new DOMException("Access is denied for this document.", "SecurityError"); },
  });
}
"""
FILL_STORAGE = """
Storage.prototype.setItem = function () {
  throw new DOMException("The quota has been exceeded.", "QuotaExceededError");
};
"""


@pytest.mark.parametrize("storage", ["blocked", "full"])
@pytest.mark.parametrize("isolated", [False, True], ids=["plain", "isolated"])
def test_when_edits_cannot_be_saved_the_cell_says_so_once(browser, site_url, isolated_site_url, storage, isolated):
    # Issue 16.7: edits were silently not kept, and uncaught errors appeared.
    context, probe = open_local_page(browser)
    page = probe.page
    try:
        page.add_init_script(BLOCK_STORAGE if storage == "blocked" else FILL_STORAGE)
        page.goto((isolated_site_url if isolated else site_url) + PLAYGROUND)
        enter_code(page)
        note = page.locator(f"{CELL} .pycell__storage")
        assert note.is_hidden()
        set_code(page, "print('first edit')")
        note.wait_for(state="visible")
        assert "cannot be saved" in note.inner_text() and "blocked or full" in note.inner_text()
        set_code(page, "print('second edit')")
        page.wait_for_timeout(600)  # past the save delay: a second failed save
        assert page.locator(f"{CELL} .pycell__storage:visible").count() == 1
        assert page.locator(".pycell__storage:visible").count() == 1  # the other cell was not edited
        assert editor_text(page) == "print('second edit')"  # nothing lost from the page itself
        assert probe.console_errors == []
    finally:
        context.close()


def test_a_c_level_recursion_restarts_python_with_a_readable_error(probe, site_url):
    # Recursion through C (here __getattr__) overflows the browser's own stack
    # before Python's limit; Pyodide cannot survive that, so the worker is
    # replaced and the reader gets a RecursionError in words, not internals.
    page = probe.page
    page.goto(site_url + PLAYGROUND)
    page.wait_for_selector(f"{CELL}.pycell--enhanced")
    run_code(page, "print('up')")
    workers = page.evaluate(WORKERS_STARTED)
    output = run_code(page, "class Loop:\n    def __getattr__(self, name):\n        return getattr(self, name)\n\nLoop().x")
    error = output.locator(".pycell__error").inner_text()
    assert error.startswith("RecursionError:") and "Python had to be restarted" in error
    assert not INTERNAL.search(output.inner_text()), output.inner_text()
    assert "Stack (most recent call first)" not in output.inner_text()
    assert "restarted" in status(page)
    assert run_code(page, "print('alive')").locator(".pycell__stream--stdout").inner_text() == "alive\n"
    assert page.evaluate(WORKERS_STARTED) == workers + 1


# ---------------------------------------------------------------- issue 16: warm across pages

FIRST_CHAPTER_CELL = ".pycell[data-cell-id]"


def navigate_in_site(page, path: str, ready: str) -> None:
    """Follow a link to ``path``; Material's instant navigation loads it in place."""
    # ``ready`` may match a cell of the page being left too: tag those so the wait is for the new page's.
    page.evaluate("document.querySelectorAll('.pycell').forEach((cell) => { cell.dataset.leftPage = ''; })")
    follow_link(page, path)
    page.wait_for_selector(f"{ready}.pycell--enhanced:not([data-left-page])")
    assert page.evaluate("window.__sameDocument") is True  # instant navigation, not a reload


@pytest.mark.parametrize("isolated", [False, True], ids=["plain", "isolated"])
def test_python_stays_warm_across_pages_with_a_clean_namespace(browser, site_url, isolated_site_url, isolated):
    context, probe = open_local_page(browser)
    page = probe.page
    base = isolated_site_url if isolated else site_url
    try:
        serve_sitemap_for(page, base)
        page.goto(base + PLAYGROUND)
        page.wait_for_selector(f"{CELL}.pycell--enhanced")
        page.evaluate("window.__sameDocument = true")
        run_code(page, "left_behind = 'playground'\nprint('ran')")
        assert page.evaluate(WORKERS_STARTED) == 1

        navigate_in_site(page, CHAPTER, FIRST_CHAPTER_CELL)
        chapter_cell = '[id="{}"]'.format(
            page.locator(f"{FIRST_CHAPTER_CELL}:not([data-left-page])").first.get_attribute("data-cell-id"))
        output = run_code(page, "print('left_behind' in globals())\nhere = 'chapter'", cell=chapter_cell)
        assert output.locator(".pycell__stream--stdout").inner_text() == "False\n"  # nothing leaked
        assert page.evaluate(WORKERS_STARTED) == 1  # the same worker, already warm

        # The reader opts in: the chapter's variables come along to the next page.
        page.locator(f"{chapter_cell} .pycell__keep input").check()
        navigate_in_site(page, PLAYGROUND, CELL)
        assert page.locator(f"{CELL} .pycell__keep input").is_checked()
        output = run_code(page, "print(here, 'left_behind' in globals())")
        assert output.locator(".pycell__stream--stdout").inner_text() == "chapter False\n"

        # Opting out again: the next page starts clean.
        page.locator(f"{CELL} .pycell__keep input").uncheck()
        navigate_in_site(page, CHAPTER, FIRST_CHAPTER_CELL)
        output = run_code(page, "print('here' in globals())\nplot_xy([0, 1], [1, 0])", cell=chapter_cell)
        assert output.locator(".pycell__stream--stdout").inner_text() == "False\n"
        output.locator(".js-plotly-plot").wait_for()  # Plotly found from a page at another depth
        assert page.evaluate(WORKERS_STARTED) == 1

        # Python's files are found from this page too: a Stop that restarts
        # the worker (no isolation) boots it from here.
        before = start_and_wait_until_running(page, "while True:\n    pass", cell=chapter_cell)
        page.locator(f"{chapter_cell} .pycell__stop").click()
        wait_for_run(page, before, cell=chapter_cell, timeout=30_000)
        output = run_code(page, "print('after stop')", cell=chapter_cell)
        assert output.locator(".pycell__stream--stdout").inner_text() == "after stop\n"
        assert page.evaluate(WORKERS_STARTED) == (1 if isolated else 2)
        assert probe.console_errors == []
    finally:
        context.close()


def test_an_edit_made_just_before_navigating_is_kept_for_its_own_page(probe, site_url):
    # With instant navigation the old page's cells save after `location` has
    # changed: the edit must land under the page it was made on.
    page = probe.page
    serve_sitemap_for(page, site_url)
    page.goto(site_url + PLAYGROUND)
    enter_code(page)
    page.evaluate("window.__sameDocument = true")
    set_code(page, "print('typed just before leaving')")
    navigate_in_site(page, CHAPTER, FIRST_CHAPTER_CELL)  # well within the 300 ms save delay
    saved = page.evaluate(f"localStorage.getItem({json.dumps(storage_key('playground-hello'))})")
    assert saved and json.loads(saved)["code"] == "print('typed just before leaving')"
    misplaced = page.evaluate("Object.keys(localStorage).filter(k => k.includes('/chapters/') && k.endsWith(':playground-hello'))")
    assert misplaced == []


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
    page.wait_for_selector(f"{CELL}.pycell--enhanced")
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
    package_url = f"http://127.0.0.1:{dist_server.server_address[1]}/"
    with pytest.MonkeyPatch.context() as env:
        env.setenv("PYODIDE_PACKAGE_URL", package_url)
        done = build_site(target)
    if done.returncode != 0:
        pytest.fail(f"mkdocs build --strict failed:\n{done.stdout}\n{done.stderr}")
    # The lockfile names Pyodide's packages by URL; the prepare step wrote it for the default one.
    wheel = next((target / "assets" / "generated" / "packages").glob("instruments-*.whl"))
    packages.write_lockfile(wheel, package_url)
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
