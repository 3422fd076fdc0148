"""The published folder: public address, host headers, precompressed copies, README snippets."""

from __future__ import annotations

import gzip
import re
import urllib.request
from pathlib import Path

import brotli
import pytest

from sitebuild import hosting
from sitebuild.publish import MIN_SAVING, public_url
from sitebuild.editions import editions
from tests.pages import chapter, url
from tests.conftest import PUBLIC_URL, ROOT
from tests.static_host import ConflictingRules, Rule, headers_for, parse_headers_file

LOCAL_URL = "http://127.0.0.1:8000/"
CANONICAL = re.compile(r'<link rel="canonical" href="([^"]+)"')
# The big files a reader's browser downloads: Pyodide, Plotly, the editor, a chapter, baked data, Material's CSS.
BIG_FILES = [
    "assets/generated/vendor/pyodide/pyodide.asm.wasm",
    "assets/generated/vendor/pyodide/pyodide.asm.mjs",
    "assets/generated/vendor/plotly/plotly-basic.min.js",
    "assets/generated/vendor/editor.js",
    "assets/generated/instruments/init_explorer.json",
    "assets/generated/packages/pyodide-lock.json",
    url(chapter(1)).lstrip("/") + "index.html",
]


def page_urls(site: Path, base: str) -> dict[Path, str]:
    """Where each page of a built folder lives under ``base``, from the folder's layout alone."""
    urls = {}
    for page in site.rglob("index.html"):
        folder = page.parent.relative_to(site).as_posix()
        urls[page] = base if folder == "." else f"{base}{folder}/"
    return urls


def sitemap_locations(site: Path) -> set[str]:
    """The pages every edition's sitemap lists (/sitemap.xml, /es/sitemap.xml, ...)."""
    return {loc for edition in editions() for loc in
            re.findall(r"<loc>([^<]+)</loc>", (site / edition.prefix / "sitemap.xml").read_text(encoding="utf-8"))}


# ---------------------------------------------------------------- the public address


def test_a_public_build_names_its_address_in_the_sitemap_and_canonical_links(published_site):
    pages = page_urls(published_site, PUBLIC_URL)
    assert sitemap_locations(published_site) == set(pages.values())
    for page, url in pages.items():
        assert CANONICAL.findall(page.read_text(encoding="utf-8")) == [url], page
    for edition in editions():
        with gzip.open(published_site / edition.prefix / "sitemap.xml.gz") as packed:
            assert LOCAL_URL not in packed.read().decode()


def test_the_local_build_keeps_the_local_address(site_dir):
    pages = page_urls(site_dir, LOCAL_URL)
    assert sitemap_locations(site_dir) == set(pages.values())
    chapter_page = site_dir / url(chapter(1)).lstrip("/") / "index.html"
    assert CANONICAL.findall(chapter_page.read_text(encoding="utf-8")) == [pages[chapter_page]]
    assert not (site_dir / "_headers").exists()  # host files are the publish step's, not every build's


@pytest.mark.parametrize("given, expected", [
    ("https://example.org/encyclopedia", "https://example.org/encyclopedia/"),
    ("http://example.org/", "http://example.org/"),
])
def test_a_public_address_gets_its_trailing_slash(given, expected):
    assert public_url(given) == expected


@pytest.mark.parametrize("bad", ["example.org/encyclopedia/", "/encyclopedia/", "ftp://example.org/",
                                 "https://example.org/?v=2"])
def test_an_address_that_is_not_a_public_url_is_refused_clearly(bad):
    with pytest.raises(ValueError, match="absolute http"):
        public_url(bad)


# ---------------------------------------------------------------- precompressed copies


def test_every_precompressed_copy_decompresses_to_its_original(published_site):
    copies = sorted(published_site.rglob("*.gz")) + sorted(published_site.rglob("*.br"))
    assert len(copies) > 2 * len(BIG_FILES)
    for copy in copies:
        original = copy.with_suffix("").read_bytes()
        packed = copy.read_bytes()
        unpacked = gzip.decompress(packed) if copy.suffix == ".gz" else brotli.decompress(packed)
        assert unpacked == original, copy
        if copy.name != "sitemap.xml.gz":  # MkDocs' own copy, whatever its size
            assert len(packed) <= (1 - MIN_SAVING) * len(original), copy


@pytest.mark.parametrize("name", BIG_FILES)
def test_the_big_files_ship_gzip_and_brotli_copies(published_site, name):
    original = (published_site / name).stat().st_size
    gz = (published_site / f"{name}.gz").stat().st_size
    br = (published_site / f"{name}.br").stat().st_size
    assert br < gz < original


# ---------------------------------------------------------------- _headers


@pytest.fixture(scope="module")
def rules(published_site) -> list[Rule]:
    return parse_headers_file((published_site / "_headers").read_text(encoding="utf-8"))


def served_paths(site: Path) -> list[str]:
    """Every URL path of the folder: each file, and each page by its folder too."""
    paths = ["/" + p.relative_to(site).as_posix() for p in site.rglob("*") if p.is_file() and p.name != "_headers"]
    return paths + [p.removesuffix("index.html") for p in paths if p.endswith("/index.html")]


def test_every_path_is_isolated_and_has_exactly_one_cache_policy(published_site, rules):
    for path in served_paths(published_site):
        headers = headers_for(rules, path)  # raises on a header set twice for one path
        assert headers["cross-origin-opener-policy"] == "same-origin", path
        assert headers["cross-origin-embedder-policy"] == "require-corp", path
        assert "cache-control" in headers, path
    assert len(rules) <= 100, "Cloudflare Pages reads at most 100 header rules"


def test_html_is_revalidated_and_only_fingerprinted_files_are_kept_for_a_year(published_site, rules):
    paths = served_paths(published_site)
    html = [p for p in paths if p.endswith(("/", ".html"))]
    assert {"/", url(chapter(1))} | {url(chapter(1), e.language) for e in editions()} <= set(html)
    assert {headers_for(rules, p)["cache-control"] for p in html} == {"public, max-age=0, must-revalidate"}
    # Material names its bundles by content hash (each edition publishes its own); nothing
    # else we serve changes its name when it changes.
    prefixes = "|".join(re.escape(e.prefix) for e in editions())
    material_bundles = [p for p in paths if re.fullmatch(
        rf"/({prefixes})assets/(javascripts|stylesheets)/(workers/)?\w+\.[0-9a-f]{{8}}\.min\.(js|css)", p)]
    assert len(material_bundles) >= 3 * len(editions())
    for path in paths:
        policy = headers_for(rules, path)["cache-control"]
        long_lived = "max-age=31536000" in policy and "immutable" in policy
        assert long_lived == any(path.startswith(b.removesuffix(".js").removesuffix(".css")) for b in material_bundles)


def test_a_header_set_by_two_matching_rules_is_caught():
    # The guard the two tests above rely on: overlapping rules must not pass unnoticed.
    overlapping = parse_headers_file("/*\n  Cache-Control: no-cache\n/assets/*\n  Cache-Control: max-age=60\n")
    with pytest.raises(ConflictingRules):
        headers_for(overlapping, "/assets/app.js")


def fetch(url: str):
    with urllib.request.urlopen(url) as response:
        response.read()
        return response.headers


@pytest.mark.parametrize("path, content_type", [
    ("/assets/generated/vendor/pyodide/pyodide.asm.wasm", "application/wasm"),
    ("/assets/generated/vendor/pyodide/pyodide.mjs", "text/javascript"),
    ("/assets/generated/instruments/init_explorer.json", "application/json"),
    ("/assets/generated/packages/pyodide-lock.json", "application/json"),
])
def test_the_shipped_rules_give_wasm_mjs_and_data_their_types(published_host_url, path, content_type):
    assert fetch(published_host_url + path)["Content-Type"] == content_type


def test_the_instruments_wheel_ships_as_a_zip_revalidated_and_uncompressed(published_site, published_host_url):
    wheels = sorted((published_site / "assets" / "generated" / "packages").glob("*.whl"))
    assert [w.name.split("-")[0] for w in wheels] == ["instruments"]
    path = "/" + wheels[0].relative_to(published_site).as_posix()
    headers = fetch(published_host_url + path)
    assert headers["Content-Type"] == "application/zip"
    # Same name from one release to the next: revalidated, and the lockfile's sha256 catches a stale copy.
    assert headers["Cache-Control"] == "public, max-age=0, must-revalidate"
    # Its files are deflated already: no .gz/.br beside it.
    assert not [p for p in wheels[0].parent.iterdir() if p.name.startswith(wheels[0].name + ".")]


def test_the_worker_script_is_served_isolated_too(published_host_url):
    # A module worker started by an isolated page needs COEP on its own response.
    headers = fetch(published_host_url + "/assets/js/pyodide-worker.js")
    assert headers["Cross-Origin-Embedder-Policy"] == "require-corp"
    assert headers["Content-Type"].startswith("text/javascript")


# ---------------------------------------------------------------- the README's server settings


@pytest.mark.parametrize("server", sorted(hosting.SNIPPETS))
def test_the_readme_shows_the_server_settings_the_rules_generate(server):
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```[a-z]*\n(.*?)```", readme, flags=re.S)
    assert hosting.SNIPPETS[server]() in blocks, (
        f"README's {server} block differs from `python -m sitebuild hosting {server}`: paste its output")
