"""The published folder in Chromium, served as a static host would serve it.

With its own ``_headers`` applied (tests/static_host.py reads the shipped file)
the page is cross-origin isolated and Stop interrupts a cell in place; served
with no headers at all (GitHub Pages) Stop restarts Python, as the README says.
"""

from __future__ import annotations

import pytest

from tests.browser.test_cells import CELL, PLAYGROUND, open_page, run_code, runs, set_code, wait_for_run
from tests import pages
from tests.conftest import _serve, open_local_page

pytestmark = [pytest.mark.browser, pytest.mark.slow]

CHAPTER = pages.url(pages.chapter(1))


@pytest.fixture(scope="module")
def headerless_url(published_site):
    server = _serve(published_site, isolated=False)
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def stop_a_runaway_loop(page) -> str:
    """Run `kept = 1`, then an endless loop, press Stop; return what the cell says."""
    run_code(page, "kept = 1")
    set_code(page, "while True:\n    pass")
    before = runs(page)
    page.locator(f"{CELL} .pycell__run").click()
    page.wait_for_function(f"document.querySelector('{CELL} .pycell__status').textContent === 'Running…'")
    page.locator(f"{CELL} .pycell__stop").click()
    wait_for_run(page, before, timeout=10_000)
    return page.locator(f"{CELL} .pycell__status").inner_text()


def kept_after_stop(page) -> str:
    return run_code(page, "'kept' in globals()").locator(".pycell__value").inner_text()


@pytest.mark.parametrize(("host", "isolated", "says", "kept"), [
    ("published_host_url", True, "KeyboardInterrupt", "Out: True"),  # interrupted in place
    ("headerless_url", False, "Python was restarted", "Out: False"),  # restarted: earlier variables are gone
], ids=["shipped-headers", "no-headers"])
def test_stop_behaves_as_documented_for_the_host(browser, request, host, isolated, says, kept):
    probe = open_page(browser, request.getfixturevalue(host) + PLAYGROUND)
    try:
        page = probe.page
        assert page.evaluate("crossOriginIsolated") is isolated
        assert says in stop_a_runaway_loop(page)
        assert kept_after_stop(page) == kept
        assert probe.console_errors == [] and probe.blocked == []
    finally:
        probe.page.context.close()


def test_isolation_keeps_the_chapter_whole(browser, published_host_url):
    """COEP refuses any subresource the site does not serve itself: every instrument must still draw."""
    context, probe = open_local_page(browser)
    try:
        page = probe.page
        page.goto(published_host_url + CHAPTER)
        assert page.evaluate("crossOriginIsolated") is True
        engines = page.eval_on_selector_all("figure.instrument[data-engine]", "els => els.map(e => e.dataset.engine)")
        assert engines
        for engine in engines:
            page.locator(f"#instrument-{engine}").scroll_into_view_if_needed()
            page.wait_for_selector(f"#instrument-{engine}[data-state=ready]", timeout=30_000)
        assert page.locator(".katex").count() > 0
        assert probe.console_errors == [] and probe.blocked == []
    finally:
        context.close()
