"""Lighthouse (desktop preset): performance and accessibility, median of several runs.

Budget (design.md): performance ≥ 95, accessibility 100 on every page type.
By default the front page, chapter 01, the instrument gallery and chapter 01
in Spanish, each audited --runs times (default 3); the median run of each page
(by performance score) is reported with its Total Blocking Time, Largest
Contentful Paint and Cumulative Layout Shift, beside every run's figures.
Lighthouse is not one of the site's dependencies: on first use this script
installs the pinned version into .build/lighthouse/ (npm; 12.2.3 is the last
release that runs on Node 20 and whose lock `npm ci` accepts here). The built
site is served on 127.0.0.1 with gzip, as any real host would serve it.
Lighthouse simulates its own network and CPU throttling, but a loaded machine
still skews the CPU figures: the load average is saved beside every run, and
on a shared machine the run is best made with `nice -n -15`.

Run: .venv/bin/python benchmarks/bench_lighthouse.py [--runs N] [--site DIR] [page-path ...]
(--site: audit a site already built into DIR instead of building one.)
"""

from __future__ import annotations

import argparse
import functools
import gzip
import http.server
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

from _common import ROOT, built_site, save

from tests import pages
from tests.conftest import CHROMIUM, SiteHandler

LIGHTHOUSE_VERSION = "12.2.3"
PREFIX = ROOT / ".build" / "lighthouse"
CLI = PREFIX / "node_modules" / "lighthouse" / "cli" / "index.js"
COMPRESSED = (".html", ".css", ".js", ".mjs", ".json", ".svg", ".xml", ".txt")


def lighthouse_cli() -> Path:
    installed = PREFIX / "node_modules" / "lighthouse" / "package.json"
    if not installed.exists() or json.loads(installed.read_text())["version"] != LIGHTHOUSE_VERSION:
        PREFIX.mkdir(parents=True, exist_ok=True)
        subprocess.run(["npm", "install", "--prefix", str(PREFIX), "--no-audit", "--no-fund", "--loglevel=error",
                        "-E", f"lighthouse@{LIGHTHOUSE_VERSION}"], check=True)
    return CLI


class GzipHandler(SiteHandler):
    """The test server, compressing text files the way a host does."""

    def send_head(self):
        path = Path(self.translate_path(self.path))
        if path.is_dir():
            path = path / "index.html"
        if path.suffix not in COMPRESSED or "gzip" not in self.headers.get("Accept-Encoding", "") or not path.is_file():
            return super().send_head()
        if not self.path.split("?")[0].endswith("/") and path.name == "index.html" and not self.path.endswith(".html"):
            return super().send_head()  # let the parent redirect /page to /page/
        body = gzip.compress(path.read_bytes(), 6)
        self.send_response(200)
        self.send_header("Content-Type", self.guess_type(str(path)))
        self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        return _Body(body)


class _Body:
    def __init__(self, data: bytes):
        self.data = data

    def read(self, *_):
        data, self.data = self.data, b""
        return data

    def close(self):
        pass


def serve_gzip(directory: Path):
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(GzipHandler, directory=str(directory)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def audit(cli: Path, url: str) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "report.json"
        subprocess.run(
            ["node", str(cli), url, "--preset=desktop", f"--chrome-path={CHROMIUM}",
             "--chrome-flags=--headless=new --no-sandbox --disable-gpu",
             "--only-categories=performance,accessibility", "--output=json", f"--output-path={out}", "--quiet"],
            check=True, env=dict(os.environ, CHROME_PATH=CHROMIUM),
        )
        report = json.loads(out.read_text())
    metrics = {key: report["audits"][key]["numericValue"] for key in (
        "first-contentful-paint", "largest-contentful-paint", "total-blocking-time", "cumulative-layout-shift",
        "speed-index")}
    failed = [key for key, a in report["audits"].items()
              if a.get("score") is not None and a["score"] < 1 and key in {
                  ref["id"] for ref in report["categories"]["accessibility"]["auditRefs"]}]
    return {"performance": round(report["categories"]["performance"]["score"] * 100),
            "accessibility": round(report["categories"]["accessibility"]["score"] * 100),
            "metrics_ms": metrics, "accessibility_failures": failed}


def default_paths() -> list[str]:
    return ["/", pages.url(pages.chapter(1)), pages.url("instruments.md"), pages.url(pages.chapter(1), "es")]


def median_run(runs: list[dict]) -> dict:
    """The run with the median performance score (the lower middle one of an even count)."""
    ordered = sorted(runs, key=lambda run: (run["performance"], run["metrics_ms"]["total-blocking-time"]))
    return ordered[(len(ordered) - 1) // 2]


def audit_page(cli: Path, url: str, runs: int) -> dict:
    audits, failures = [], []
    for _ in range(runs):
        load = os.getloadavg()
        try:
            audits.append({**audit(cli, url), "load_average": load})
        except subprocess.CalledProcessError as error:  # Lighthouse gave up (a timeout on a loaded machine)
            failures.append({"error": str(error), "load_average": load})
    if not audits:
        return {"failed_runs": failures}
    middle = median_run(audits)
    return {
        "median": middle,
        "performance_median": statistics.median(a["performance"] for a in audits),
        "accessibility_min": min(a["accessibility"] for a in audits),
        "total_blocking_time_median_ms": statistics.median(a["metrics_ms"]["total-blocking-time"] for a in audits),
        "runs": audits,
        "failed_runs": failures,
    }


def report(path: str, result: dict) -> str:
    if "median" not in result:
        return f"{path}: every run failed ({len(result['failed_runs'])}); see the JSON"
    middle = result["median"]
    metrics = middle["metrics_ms"]
    return (f"{path}: performance {middle['performance']}, accessibility {middle['accessibility']} (budget 95 / 100);"
            f" TBT {metrics['total-blocking-time']:.0f} ms, LCP {metrics['largest-contentful-paint']:.0f} ms,"
            f" CLS {metrics['cumulative-layout-shift']:.3f}; all runs {[a['performance'] for a in result['runs']]},"
            f" load {middle['load_average'][0]:.2f}; failed a11y audits: {middle['accessibility_failures'] or 'none'}"
            + (f"; {len(result['failed_runs'])} run(s) failed" if result["failed_runs"] else ""))


def audit_site(site: Path, paths: list[str], runs: int, results: dict) -> None:
    cli = lighthouse_cli()
    server = serve_gzip(site)
    base = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        for path in paths:
            results["pages"][path] = audit_page(cli, base + path, runs)
            print(report(path, results["pages"][path]), flush=True)
    finally:
        server.shutdown()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("paths", nargs="*", help="page paths (default: front page, chapter 01, gallery, chapter 01 in Spanish)")
    parser.add_argument("--runs", type=int, default=3, help="audits per page; the median is reported (default 3)")
    parser.add_argument("--site", type=Path, help="a site already built into this folder (default: build one)")
    args = parser.parse_args()
    if args.runs < 1:
        parser.error("--runs must be at least 1")
    paths = args.paths or default_paths()
    results = {"lighthouse": LIGHTHOUSE_VERSION, "runs": args.runs, "load_average": os.getloadavg(), "pages": {}}
    if args.site:
        audit_site(args.site, paths, args.runs, results)
    else:
        with built_site() as site:
            audit_site(site, paths, args.runs, results)
    results["load_average_after"] = os.getloadavg()
    print(f"load average {results['load_average'][0]:.2f} before, {results['load_average_after'][0]:.2f} after")
    print("saved", save("lighthouse", results))


if __name__ == "__main__":
    main()
