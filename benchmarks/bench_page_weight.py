"""Bytes the chapter page transfers before any interaction, gzip-compressed.

Loads the built page in headless Chromium, waits for the network to go quiet,
and gzips every response body (the local test server does not compress, a real
host would). Budget (design.md): HTML+CSS+JS ≤ 300 KB gzip, Plotly and Pyodide
excluded — which are reported separately, along with fonts and data.
Run: .venv/bin/python benchmarks/bench_page_weight.py [page-path …]
(default: chapter 01; ``labs`` measures the labs index and every lab page in
every language). One build serves every page measured.
"""

from __future__ import annotations

import gzip
import sys
from collections import defaultdict

from _common import built_site, save, serving

from tests import pages
from tests.conftest import CHROMIUM, CHROMIUM_ARGS


def kind_of(url: str, content_type: str) -> str:
    if "/vendor/plotly/" in url:
        return "plotly"
    if "/vendor/pyodide/" in url:
        return "pyodide"
    if "html" in content_type:
        return "html"
    if "css" in content_type:
        return "css"
    if "javascript" in content_type:
        return "js"
    if "font" in content_type or url.endswith((".woff2", ".woff", ".ttf")):
        return "fonts"
    if "json" in content_type:
        return "data"
    return "other"


def measure(base: str, path: str) -> dict:
    from playwright.sync_api import sync_playwright

    totals, files = defaultdict(int), []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        responses = []
        page.on("response", lambda response: responses.append(response))
        page.goto(base + path, wait_until="networkidle")
        page.wait_for_timeout(500)
        for response in responses:
            try:
                body = response.body()
            except Exception:  # redirects and aborted requests have no body
                continue
            kind = kind_of(response.url, response.headers.get("content-type", ""))
            size = len(gzip.compress(body, 9))
            totals[kind] += size
            files.append({"url": response.url.replace(base, ""), "kind": kind, "gzip": size, "raw": len(body)})
        browser.close()
    budgeted = totals["html"] + totals["css"] + totals["js"]
    return {"page": path, "html_css_js_gzip": budgeted, "by_kind_gzip": dict(totals), "files": files}


def lab_paths() -> list[str]:
    labs = [p for p in pages.registry().pages() if p.part == "labs" and p.published]
    return [pages.url(p, language) for language in pages.LANGUAGES for p in labs]


def main() -> None:
    paths = sys.argv[1:] or [pages.url(pages.chapter(1))]
    if paths == ["labs"]:
        paths = lab_paths()
    reports = []
    with built_site() as site, serving(site) as base:
        for path in paths:
            report = measure(base, path)
            reports.append(report)
            print(f"{path}: HTML+CSS+JS before interaction = {report['html_css_js_gzip'] / 1024:.1f} KB gzip (budget 300 KB)")
            for kind, size in sorted(report["by_kind_gzip"].items()):
                print(f"  {kind:8s} {size / 1024:8.1f} KB")
    print("saved", save("page_weight", reports[0] if len(reports) == 1 else {"pages": reports}))


if __name__ == "__main__":
    main()
