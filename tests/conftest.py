"""Shared fixtures: the built site, a local server for it, and Debian's Chromium.

The site is built once per test session with ``mkdocs build --strict`` into a
temporary folder and served on 127.0.0.1; browser tests block every request
that leaves the machine, so a test can never pass by reaching the network.
"""

from __future__ import annotations

import functools
import http.server
import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest

# The simulations multiply small matrices, for which OpenBLAS's worker threads
# only add contention (ruinously on a busy two-core machine): run BLAS on one
# thread, as the browser does. Set before anything imports numpy.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def build_site(target: Path, config: Path | None = None) -> subprocess.CompletedProcess:
    """Run a strict MkDocs build into ``target`` and return the finished process."""
    cmd = [sys.executable, "-m", "mkdocs", "build", "--strict", "-d", str(target)]
    if config is not None:
        cmd += ["-f", str(config)]
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1")
    return subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, env=env, check=False)


@pytest.fixture(scope="session")
def site_dir(tmp_path_factory) -> Path:
    target = tmp_path_factory.mktemp("site")
    done = build_site(target)
    if done.returncode != 0:
        pytest.fail(f"mkdocs build --strict failed:\n{done.stdout}\n{done.stderr}")
    return target


class SiteHandler(http.server.SimpleHTTPRequestHandler):
    isolated = False
    extensions_map = {**http.server.SimpleHTTPRequestHandler.extensions_map,
                      ".wasm": "application/wasm", ".mjs": "text/javascript", ".js": "text/javascript"}

    def end_headers(self):
        if self.isolated:
            # Cross-origin isolation lets Pyodide use an interrupt buffer for Stop.
            self.send_header("Cross-Origin-Opener-Policy", "same-origin")
            self.send_header("Cross-Origin-Embedder-Policy", "require-corp")
        super().end_headers()

    def log_message(self, *args):
        pass


def _serve(directory: Path, isolated: bool):
    handler = type("Handler", (SiteHandler,), {"isolated": isolated})
    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(handler, directory=str(directory))
    )
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


@pytest.fixture(scope="session")
def site_url(site_dir):
    server = _serve(site_dir, isolated=False)
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


@pytest.fixture(scope="session")
def isolated_site_url(site_dir):
    server = _serve(site_dir, isolated=True)
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


PUBLIC_URL = "https://example.org/encyclopedia/"


@pytest.fixture(scope="session")
def published_site(tmp_path_factory) -> Path:
    """The site as `scripts/publish` makes it for PUBLIC_URL (Brotli at quality 5: same files, faster)."""
    target = tmp_path_factory.mktemp("published")
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1")
    env.pop("SITE_URL", None)
    done = subprocess.run([sys.executable, "-m", "sitebuild", "publish", PUBLIC_URL, "--out", str(target),
                           "--brotli-quality", "5"], cwd=ROOT, capture_output=True, text=True, env=env, check=False)
    if done.returncode != 0:
        pytest.fail(f"python -m sitebuild publish failed:\n{done.stdout}\n{done.stderr}")
    return target


@pytest.fixture(scope="session")
def published_host_url(published_site):
    """The published folder served like Netlify or Cloudflare Pages: its own _headers applied."""
    from tests.static_host import serve_with_headers_file

    server = serve_with_headers_file(published_site)
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium not found at {CHROMIUM}; the test command installs Debian's chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


class PageProbe:
    """A page plus what went wrong on it: console errors and blocked requests."""

    def __init__(self, page):
        self.page = page
        self.console_errors: list[str] = []
        self.blocked: list[str] = []
        page.on("console", lambda m: m.type == "error" and self.console_errors.append(m.text))
        page.on("pageerror", lambda e: self.console_errors.append(str(e)))

    def keep_local(self, route):
        """Route handler: let 127.0.0.1 through, abort (and record) anything else."""
        url = route.request.url
        if url.startswith(("http://127.0.0.1", "data:", "blob:")):
            return route.continue_()
        self.blocked.append(url)
        return route.abort()


def open_local_page(browser, **context_options):
    """A fresh context and page that can reach nothing but this machine."""
    context = browser.new_context(**{"viewport": {"width": 1280, "height": 900}, **context_options})
    probe = PageProbe(context.new_page())
    context.route("**/*", probe.keep_local)
    return context, probe


@pytest.fixture
def probe(browser):
    context, result = open_local_page(browser)
    yield result
    context.close()


@pytest.fixture(scope="session")
def axe_source() -> str:
    path = ROOT / "node_modules" / "axe-core" / "axe.min.js"
    if not path.exists():
        pytest.fail("node_modules/axe-core is missing: run `npm ci`")
    return path.read_text(encoding="utf-8")
