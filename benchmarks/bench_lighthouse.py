"""Lighthouse (desktop preset) on the front page and chapter 01: performance and accessibility.

Budget (design.md): performance ≥ 95, accessibility 100 on every page type.
Lighthouse is not one of the site's dependencies: on first use this script
installs the pinned version into .build/lighthouse/ (npm; 12.2.3 is the last
release that runs on Node 20 and whose lock `npm ci` accepts here). The built
site is served on 127.0.0.1 with gzip, as any real host would serve it.
Lighthouse simulates its own network and CPU throttling, but a loaded machine
still skews the CPU figures: the load average is saved with the scores.

Run: .venv/bin/python benchmarks/bench_lighthouse.py [page-path ...]
"""

from __future__ import annotations

import functools
import gzip
import http.server
import json
import os
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


def main() -> None:
    paths = sys.argv[1:] or ["/", pages.url(pages.chapter(1))]
    cli = lighthouse_cli()
    results = {"lighthouse": LIGHTHOUSE_VERSION, "load_average": os.getloadavg(), "pages": {}}
    with built_site() as site:
        server = serve_gzip(site)
        base = f"http://127.0.0.1:{server.server_address[1]}"
        try:
            for path in paths:
                scores = audit(cli, base + path)
                results["pages"][path] = scores
                print(f"{path}: performance {scores['performance']}, accessibility {scores['accessibility']}"
                      f" (budget 95 / 100); failed a11y audits: {scores['accessibility_failures'] or 'none'}")
        finally:
            server.shutdown()
    results["load_average_after"] = os.getloadavg()
    print(f"load average {results['load_average'][0]:.2f} before, {results['load_average_after'][0]:.2f} after")
    print("saved", save("lighthouse", results))


if __name__ == "__main__":
    main()
