"""Shared fixtures: the built sites, a local server for them, and Debian's Chromium.

The prepare step runs once per session, then each builder (MkDocs, Zensical)
builds the site strictly at most once per session, when a test first asks
for it. Tests use the MkDocs build by default; a test marked ``@on_both_builds``
runs against each. Browser tests block every request that leaves the
machine, so a test can never pass by reaching the network.
"""

from __future__ import annotations

import functools
import http.server
import os
import re
import shutil
import subprocess
import sys
import threading
import uuid
from pathlib import Path

import pytest

# The simulations multiply small matrices, for which OpenBLAS's worker threads
# only add contention (ruinously on a busy two-core machine): run BLAS on one
# thread, as the browser does. Set before anything imports numpy.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

from sitebuild.editions import zensical_build

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
BUILDERS = ("mkdocs", "zensical")

#: Run a test (and the session fixtures it uses) once per builder.
on_both_builds = pytest.mark.parametrize("builder", BUILDERS, indirect=True)


def prepare_site() -> subprocess.CompletedProcess:
    """The prepare step every build needs first (python -m sitebuild prepare)."""
    return subprocess.run([sys.executable, "-m", "sitebuild", "prepare"], cwd=ROOT,
                          capture_output=True, text=True, check=False)


def build_site(target: Path, config: Path | None = None, builder: str = "mkdocs") -> subprocess.CompletedProcess:
    """Run a strict build of every language edition into ``target``; return the finished process.

    ``config`` is the default edition's (default mkdocs.yml); the others sit
    beside it. MkDocs builds them all from the default one (the hook);
    Zensical runs once per edition. Zensical has no output option and writes
    only inside the config's folder, so ``target`` must lie there; the configs
    take their site_dir from SITE_DIR.
    """
    config = config or ROOT / "mkdocs.yml"
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1")
    if builder == "mkdocs":
        cmd = [sys.executable, "-m", "mkdocs", "build", "--strict", "-f", str(config), "-d", str(target)]
        return subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, env=env, check=False)
    if builder == "zensical":
        # --clean: start from an empty cache, so nothing a previous build rendered is reused.
        return zensical_build(target, config, env=env)
    raise ValueError(f"builder must be one of {', '.join(BUILDERS)}; got {builder!r}")


class SiteBuilds:
    """Each builder's build of the real site, made once per session on first use."""

    def __init__(self, tmp_path_factory):
        self.tmp_path_factory = tmp_path_factory
        self.dirs: dict[str, Path] = {}
        self.servers: list = []
        self.urls: dict[tuple[str, bool], str] = {}
        self.prepared = False

    def dir(self, builder: str) -> Path:
        if builder not in self.dirs:
            if not self.prepared:
                done = prepare_site()
                if done.returncode != 0:
                    pytest.fail(f"python -m sitebuild prepare failed:\n{done.stdout}\n{done.stderr}")
                self.prepared = True
            if builder == "zensical":
                target = ROOT / ".build" / "sites" / f"zensical-{uuid.uuid4().hex[:8]}"
            else:
                target = self.tmp_path_factory.mktemp(f"site-{builder}")
            done = build_site(target, builder=builder)
            if done.returncode != 0:
                pytest.fail(f"{builder} build --strict failed:\n{done.stdout}\n{done.stderr}")
            self.dirs[builder] = target
        return self.dirs[builder]

    def url(self, builder: str, isolated: bool = False) -> str:
        if (builder, isolated) not in self.urls:
            server = _serve(self.dir(builder), isolated=isolated)
            self.servers.append(server)
            self.urls[builder, isolated] = f"http://127.0.0.1:{server.server_address[1]}"
        return self.urls[builder, isolated]

    def close(self) -> None:
        for server in self.servers:
            server.shutdown()
        for target in self.dirs.values():
            if target.is_relative_to(ROOT):
                shutil.rmtree(target, ignore_errors=True)


@pytest.fixture(scope="session")
def sites(tmp_path_factory):
    builds = SiteBuilds(tmp_path_factory)
    yield builds
    builds.close()


@pytest.fixture(scope="session")
def builder(request) -> str:
    """The builder of the site under test: MkDocs unless a test is marked @on_both_builds."""
    return getattr(request, "param", "mkdocs")


@pytest.fixture(scope="session")
def site_dir(sites, builder) -> Path:
    return sites.dir(builder)


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
def site_url(sites, builder) -> str:
    return sites.url(builder)


@pytest.fixture(scope="session")
def isolated_site_url(sites, builder) -> str:
    return sites.url(builder, isolated=True)


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


def serve_sitemap_for(page, base: str) -> None:
    """Let Material's instant navigation work on a test server's port.

    Material navigates in place only to URLs listed in sitemap.xml, and it
    matches them with the port of mkdocs.yml's site_url (8000), not the
    page's own. Serving the sitemap as if the site lived at ``base`` is what
    a deployment at its site_url gets anyway.
    """
    def rewrite(route):
        response = route.fetch()
        route.fulfill(response=response, body=re.sub(r"<loc>https?://[^/<]+/", f"<loc>{base}/", response.text()))

    page.route("**/sitemap.xml", rewrite)


FOLLOW_LINK = """path => {
  const link = Object.assign(document.createElement('a'), {href: new URL(path, location.href).href, textContent: path});
  link.id = 'test-link';
  document.querySelector('article').prepend(link);
}"""


def follow_link(page, path: str) -> None:
    """Click a link to ``path`` placed in the page, as a reader follows one (instant navigation)."""
    page.evaluate(FOLLOW_LINK, path)
    page.locator("#test-link").click()
    page.wait_for_function("p => location.pathname === p", arg=path)


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
