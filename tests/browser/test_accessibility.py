"""axe-core over every page of the site, in every language, light and dark, with its live parts awake."""

from __future__ import annotations

import pytest

from tests import pages
from tests.conftest import open_local_page, serious_axe_findings, wake_live_parts

# Each test opens its own page: the run may spread them over its workers.
pytestmark = [pytest.mark.browser, pytest.mark.spread]

# Every page of every language edition (the Spanish pages under /es/).
PAGES = [path for language in pages.LANGUAGES for path in pages.site_pages(language)]


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("path", PAGES)
def test_no_serious_or_critical_violations(browser, site_url, axe_source, path, scheme):
    context, probe = open_local_page(browser, color_scheme=scheme)
    page = probe.page
    try:
        page.goto(site_url + path)
        wake_live_parts(page)
        for panel in page.locator("figure.instrument[data-engine]").all():
            panel.locator(".instrument__chart.js-plotly-plot").wait_for()
        # Cells as a reader finds them: the build's code, editable, with the live toolbar
        # (the editor itself, which comes when a cell is entered, is checked in test_cells).
        for cell in page.locator(".pycell").all():
            if cell.is_visible():  # a prediction card's cell stays hidden until the reader commits
                cell.locator(".pycell__toolbar").wait_for()
        expected = "slate" if scheme == "dark" else "default"
        assert page.evaluate("document.body.getAttribute('data-md-color-scheme')") == expected
        # Judged once the page is whole: blocks a long page skips at load have no colours
        # until drawn (test_page_load checks they are found and read out meanwhile).
        bad = serious_axe_findings(page, axe_source)
        assert not bad, "\n".join(bad)
    finally:
        context.close()
