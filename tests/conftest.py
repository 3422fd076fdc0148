"""Shared fixtures: the built sites, a local server for them, and Debian's Chromium.

The prepare step and each builder's build (MkDocs, Zensical) happen at most
once per run, however many xdist workers share it (tests/run_once.py): as soon
as the tests are collected, one worker starts building in the background what
the collected tests will ask for, and a test that asks first waits for it.
Tests use the MkDocs build by default; a test marked ``@on_both_builds`` runs
against each (see its comment for when that is worth it). Browser tests block
every request that leaves the machine, so a test can never pass by reaching
the network.

Parallel runs (``scripts/test`` passes ``-n auto --dist loadgroup``): a test
module is one unit of work, run in order on one worker, so module fixtures
(a booted Python, an open gallery page) are made once. A module whose tests
are independent and slow may spread them over the workers with
``pytestmark = pytest.mark.spread``.
"""

from __future__ import annotations

import functools
import http.server
import os
import re
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from playwright.sync_api import expect

# The simulations multiply small matrices, for which OpenBLAS's worker threads
# only add contention (ruinously on a busy two-core machine): run BLAS on one
# thread, as the browser does. Set before anything imports numpy.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import sitebuild  # noqa: E402,F401  (first: it fixes the BLAS kernels before numpy loads)
from sitebuild.editions import zensical_build
from tests import run_once

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
#:
#: Both builders publish the same page contents and the same assets: that is
#: proved page by page by tests/site/test_build.py::test_both_builders_render_every_page_alike
#: and the other @on_both_builds checks of the built files. What only a browser
#: can tell apart is the theme's shell, which each builder ships its own copy of:
#: its templates, its bundled JavaScript (instant navigation, the palette and
#: language switches), its print styles. So a browser test runs on both builders
#: when it is the smoke test of one of our scripts inside that shell (it boots,
#: draws, reacts, prints, stays accessible); the behaviour of the scripts in
#: depth runs on MkDocs only. Say in a comment why a browser test needs both.
on_both_builds = pytest.mark.parametrize("builder", BUILDERS, indirect=True)


def pytest_configure(config):
    config.addinivalue_line("markers", "spread: this module's tests are independent; xdist may run them on any worker")
    config.addinivalue_line("markers", "xdist_group: run these tests on one xdist worker, in order")
    # The process that starts the run (pytest, or xdist's controller) owns the run's folder.
    config._test_run = run_once.start_run()


def pytest_unconfigure(config):
    if getattr(config, "_test_run", None):
        run_once.end_run(config._test_run)


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config, items):
    """A test module is one unit of work for ``--dist loadgroup`` unless it is marked ``spread``."""
    for item in items:
        if item.get_closest_marker("spread") or item.get_closest_marker("xdist_group"):
            continue
        module = Path(item.fspath).relative_to(ROOT / "tests").with_suffix("").as_posix()
        item.add_marker(pytest.mark.xdist_group(module))


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


def _prepared(_target: Path) -> str | None:
    done = prepare_site()
    return None if done.returncode == 0 else f"python -m sitebuild prepare failed:\n{done.stdout}\n{done.stderr}"


def _built_by(builder: str):
    def make(target: Path) -> str | None:
        run_once.once("prepared", _prepared)
        done = build_site(target, builder=builder)
        return None if done.returncode == 0 else f"{builder} build --strict failed:\n{done.stdout}\n{done.stderr}"
    return make


def site_build(builder: str) -> Path:
    """The run's build of the site by ``builder``: made by the first worker that asks, shared by all."""
    if builder not in BUILDERS:
        raise ValueError(f"builder must be one of {', '.join(BUILDERS)}; got {builder!r}")
    try:
        return run_once.once(f"site-{builder}", _built_by(builder))
    except run_once.StepFailed as failure:
        pytest.fail(str(failure), pytrace=False)


class SiteBuilds:
    """Each builder's build of the real site (one per run, see ``site_build``) and this worker's servers for it."""

    def __init__(self, tmp_path_factory=None):
        self.dirs: dict[str, Path] = {}
        self.servers: list = []
        self.urls: dict[tuple[str, bool], str] = {}

    def dir(self, builder: str) -> Path:
        if builder not in self.dirs:
            self.dirs[builder] = site_build(builder)
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


def _builders_wanted(items) -> list[str]:
    """The builds the collected tests will ask for, MkDocs (the default) first."""
    wanted = set()
    for item in items:
        names = getattr(item, "fixturenames", ())
        if not {"sites", "site_dir", "site_url", "isolated_site_url"} & set(names):
            continue
        params = getattr(getattr(item, "callspec", None), "params", {})
        wanted.add(params.get("builder", "mkdocs"))
        if "sites" in item._fixtureinfo.argnames and "builder" not in params:
            wanted.update(BUILDERS)  # a test that takes ``sites`` itself may ask for any build
    return [b for b in BUILDERS if b in wanted]


_background_builds: list[threading.Thread] = []


def pytest_collection_finish(session):
    """Start the builds the collected tests need while the first tests (those needing none) run.

    Every worker starts this; the file locks make the first one build and the
    others find the build done. Nothing starts for a run that builds nothing.
    """
    if session.config.option.collectonly:
        return
    wanted = _builders_wanted(session.items)
    if not wanted:
        return

    def build_all():
        for builder in wanted:
            try:
                run_once.once(f"site-{builder}", _built_by(builder))
            except run_once.StepFailed:
                pass  # the test that asks for it fails with the message

    thread = threading.Thread(target=build_all, name="site-builds", daemon=True)
    thread.start()
    _background_builds.append(thread)


def pytest_sessionfinish(session):
    for thread in _background_builds:
        thread.join()  # its build may be what another worker is waiting for


@pytest.fixture(scope="session")
def sites():
    builds = SiteBuilds()
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


def _published(target: Path) -> str | None:
    run_once.once("prepared", _prepared)
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1")
    env.pop("SITE_URL", None)
    done = subprocess.run([sys.executable, "-m", "sitebuild", "publish", PUBLIC_URL, "--out", str(target),
                           "--brotli-quality", "5"], cwd=ROOT, capture_output=True, text=True, env=env, check=False)
    return None if done.returncode == 0 else f"python -m sitebuild publish failed:\n{done.stdout}\n{done.stderr}"


@pytest.fixture(scope="session")
def published_site() -> Path:
    """The site as `scripts/publish` makes it for PUBLIC_URL (Brotli at quality 5: same files, faster), once per run."""
    try:
        return run_once.once("published", _published)
    except run_once.StepFailed as failure:
        pytest.fail(str(failure), pytrace=False)


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


WAKE_LIVE_PARTS = """async (selector) => {
  const frame = () => new Promise((resolve) => requestAnimationFrame(resolve));
  for (const el of document.querySelectorAll(selector)) {
    if (el.offsetParent === null) continue;  // hidden until the reader asks (a prediction card's cell)
    el.scrollIntoView();
    // Two frames: the viewport watchers (IntersectionObserver) have seen the element and run.
    await frame();
    await frame();
    const start = performance.now();
    while (el.matches('figure.instrument') && [undefined, 'loading'].includes(el.dataset.state)
           && performance.now() - start < 10000) {
      await frame();
    }
    // One near the screen as the page opened keeps the build's picture until
    // the reader reaches for it (instruments.js): point at it, as a reader would.
    if (el.dataset.state === 'waiting') el.dispatchEvent(new PointerEvent('pointerover', { bubbles: true }));
  }
  window.scrollTo(0, 0);
}"""


def wake_live_parts(page, selector: str = "figure.instrument[data-engine], .pycell") -> None:
    """Bring each instrument and cell into view as a reader scrolling the page would, and let it wake.

    What wakes near the viewport (an instrument, which then takes a ``data-state``;
    whatever a cell sets up there) is told by the page's IntersectionObservers,
    which have run two frames after the element came into view. Waiting for
    that, rather than a fixed pause per element, is both faster and sure; the
    caller then waits for what it needs drawn (a chart, an editor). An
    instrument that waits for the reader (see ``reach``) is pointed at.
    """
    page.evaluate(WAKE_LIVE_PARTS, selector)


# site.js marks the article once its idle pass has drawn every block and measured
# them with the fonts that drawing asked for.
WHOLE = """(() => { const article = document.querySelector('.md-content__inner');
  return !article || 'encWhole' in article.dataset; })()"""


def wait_until_whole(page, timeout_ms: int = 30_000) -> None:
    """Wait until a long page has drawn every block it skipped at load (site.css, site.js).

    Until then blocks far from the screen are skipped (content-visibility):
    present, findable and read out, but not laid out, so their ``innerText``
    is empty and nothing about their layout (widths, colours on screen) can
    be measured. A reader who has been on the page a few seconds has it whole.
    """
    page.wait_for_function(WHOLE, timeout=timeout_ms)


def scroll_to(block, timeout_ms: int = 10_000) -> None:
    """Scroll a block into view as a reader does, and wait until the browser has drawn it.

    A block far from the screen at load is skipped (site.css, content-visibility)
    and is drawn in a frame after it comes near: until then its ``innerText`` is
    empty and what it holds has no box. This holds with JavaScript off too, where
    no idle pass ever draws the page whole; Playwright's checks still run.
    """
    block.scroll_into_view_if_needed()
    expect(block).not_to_have_text(re.compile(r"^\s*$"), use_inner_text=True, timeout=timeout_ms)


# Transitions and animations that end (Material's header swaps the site's name for
# the page's as the reader scrolls, with a fade): a checker that reads colours
# halfway through one sees a faded text that no reader is left looking at. A
# scroll's effects start a frame or two after it, so the page counts as still
# only after a few frames in a row with nothing running.
SETTLE_ANIMATIONS = """async () => {
  const deadline = performance.now() + 5000;
  const frame = () => new Promise((resolve) => requestAnimationFrame(() => resolve()));
  const ending = () => document.getAnimations().filter((a) => a.playState === "running"
    && Number.isFinite(a.effect.getComputedTiming().endTime));
  for (let quiet = 0; quiet < 3 && performance.now() < deadline;) {
    await frame();
    const running = ending();
    if (!running.length) { quiet += 1; continue; }
    quiet = 0;
    const late = new Promise((resolve) => setTimeout(resolve, Math.max(0, deadline - performance.now())));
    await Promise.race([Promise.all(running.map((a) => a.finished.catch(() => null))), late]);
  }
}"""

AXE_SERIOUS = """async (scope) => (await axe.run(scope || document, {resultTypes: ['violations']})).violations
  .filter((v) => v.impact === 'serious' || v.impact === 'critical')
  .map((v) => `${v.id} (${v.impact}): ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')
    + (n.any.length ? ` [${n.any[0].message}]` : '')).join(' | ')}`)"""


def serious_axe_findings(page, axe_source: str, scope: str | None = None) -> list[str]:
    """axe's serious and critical findings on the page (or the elements the selector ``scope`` picks), one line each.

    Run once the page is still: every fade finished, and for a whole page every
    block drawn (colours are judged on laid-out text), as a reader reading it sees it.
    """
    if scope is None:
        wait_until_whole(page)
    page.evaluate(SETTLE_ANIMATIONS)
    if not page.evaluate("typeof axe !== 'undefined'"):
        page.add_script_tag(content=axe_source)
    return page.evaluate(AXE_SERIOUS, scope)


def reach(panel) -> None:
    """Point at an instrument panel as a reader about to use it does (scrolled into view first).

    A panel near the screen as the page opens keeps the build's picture of its
    default setting until the reader reaches for it (instruments.js); one the
    reader scrolls near is set up and drawn at once. Either way the caller then
    waits for ``data-state=ready``. The point is the panel's title: no control,
    and not the chart (whose hover labels would show).
    """
    panel.locator(".instrument__title").hover()


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
