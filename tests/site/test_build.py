"""The strict builds: MkDocs and Zensical pass on the real docs, render every page
alike, follow the content registry, and fail on broken input."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest
import yaml

from sitebuild import content, editions
from tests import pages
from tests.conftest import BUILDERS, ROOT, build_site, on_both_builds
from tests.html_tags import tags

# Each test builds or reads on its own (a broken copy is a whole build): the run may spread them over its workers.
pytestmark = pytest.mark.spread

ANSI = re.compile(r"\x1b\[[0-9;]*m")


class _LinksAndIds:
    def __init__(self, html: str):
        found = tags(html)
        self.ids = {attrs["id"] for _, attrs in found if "id" in attrs}
        self.links = [attrs["href"] for tag, attrs in found if tag == "a" and attrs.get("href")]


def _parse(path: Path) -> _LinksAndIds:
    return _LinksAndIds(path.read_text(encoding="utf-8"))


def _built(site_dir: Path, page: content.Page) -> str:
    return (site_dir / page.url / "index.html").read_text(encoding="utf-8")


# ---------------------------------------------------------------- the real site, each builder

@on_both_builds
def test_every_internal_link_and_anchor_resolves(site_dir):
    html_pages = sorted(site_dir.rglob("*.html"))
    parsed = {p: _parse(p) for p in html_pages}
    broken = []
    for page, info in parsed.items():
        base = "/" + page.relative_to(site_dir).as_posix()
        for href in info.links:
            parts = urlsplit(href)
            if parts.scheme or parts.netloc:
                continue
            target_path = urlsplit(urljoin(base, href)).path
            target = site_dir / target_path.lstrip("/")
            if target.is_dir() or target_path.endswith("/"):
                target = target / "index.html"
            if not target.exists():
                broken.append(f"{base}: {href} (no file)")
                continue
            if parts.fragment and target.suffix == ".html":
                ids = parsed[target].ids if target in parsed else _parse(target).ids
                if parts.fragment not in ids:
                    broken.append(f"{base}: {href} (no anchor)")
    assert not broken, "\n".join(broken)


@on_both_builds
@pytest.mark.parametrize("chapter", pages.registry().published(), ids=lambda p: p.slug)
def test_pages_ship_typeset_math_and_no_katex_javascript(site_dir, chapter):
    html = _built(site_dir, chapter)
    assert 'class="katex' in html
    assert "katex.min.js" not in html and "katex.js" not in html
    assert "katex-error" not in html
    body = re.sub(r"<annotation[^>]*>.*?</annotation>", "", html, flags=re.S)
    body = re.sub(r"<(script|pre|code)[^>]*>.*?</\1>", "", body, flags=re.S)
    assert r"\(" not in body and r"\[" not in body and "$$" not in body


@on_both_builds
def test_no_page_requests_a_third_party_host(site_dir):
    offenders = []
    for page in site_dir.rglob("*.html"):
        html = page.read_text(encoding="utf-8")
        # Resources the browser fetches by itself: src attributes and <link> hrefs
        # (plain <a> links to other sites are fine, they are only followed on a click).
        resources = re.findall(r'\ssrc="(https?://[^"]+)"', html)
        resources += re.findall(r'<link\b[^>]*\shref="(https?://[^"]+)"', html)
        for url in resources:
            if not url.startswith("http://127.0.0.1") and "rel=\"canonical\"" not in url:
                offenders.append(f"{page.name}: {url}")
        if "fonts.googleapis" in html or "cdn.jsdelivr" in re.sub(r"data-[a-z-]+=\"[^\"]*\"", "", html):
            offenders.append(f"{page.name}: CDN reference")
    assert not offenders, offenders


@on_both_builds
def test_the_generated_files_are_published(site_dir):
    """What the prepare step wrote reaches the site under either builder."""
    from instruments import ENGINES
    from sitebuild.bake import engine_exists

    generated = site_dir / "assets" / "generated"
    instruments = json.loads((generated / "packages" / "pyodide-lock.json").read_text())["packages"]["instruments"]
    needed = ["vendor/katex/katex.min.css", "vendor/plotly/plotly-basic.min.js", "vendor/pyodide/pyodide.mjs",
              "vendor/pyodide/pyodide.asm.wasm", "vendor/editor.js", "py/pycell_runner.py",
              "packages/pyodide-lock.json", f"packages/{instruments['file_name']}",
              *(f"instruments/{e}.json" for e in ENGINES if engine_exists(e))]
    assert [n for n in needed if not (generated / n).is_file()] == []
    # Sources that the prepare step publishes in built form are not published raw.
    assert not (site_dir / "assets" / "src").exists() and not (site_dir / "assets" / "py").exists()


@on_both_builds
@pytest.mark.parametrize("chapter", [p for p in pages.registry().chapters() if p.published], ids=lambda p: p.slug)
def test_chapter_header_follows_the_registry(site_dir, chapter):
    html = _built(site_dir, chapter)
    header = re.search(r'<header class="chapter-header">(.*?)</header>', html, re.S).group(1)
    text = " ".join(re.sub(r"<[^>]+>", " ", header).split())
    total = len(pages.registry().chapters())
    assert f"chapter {chapter.number} / {total:02d}" in text
    assert f'<h1 id="chapter-title">{chapter.text("title")}</h1>' in header
    assert f"Level {chapter.level}" in text
    assert chapter.text("instruments") in text
    assert re.search(r'data-reading-time="([1-9]\d*)"', header)


def _main_content(html: str) -> str:
    """The page's own content, whitespace normalised, without the theme's chrome."""
    article = re.search(r'<article class="md-content__inner md-typeset">(.*)</article>', html, re.S)
    assert article, "no <article> in the page"
    body = article.group(1)
    body = re.sub(r'<a id="__skip" tabindex="-1">\s*</a>', "", body)  # Zensical's skip-link target
    return " ".join(body.split())


def test_both_builders_render_every_page_alike(sites):
    mkdocs, zensical = sites.dir("mkdocs"), sites.dir("zensical")
    built = {b: sorted(p.relative_to(d).as_posix() for d in [sites.dir(b)] for p in d.rglob("*.html"))
             for b in BUILDERS}
    assert built["mkdocs"] == built["zensical"]
    assert len(built["mkdocs"]) >= len(pages.site_pages())
    differing = []
    for relative in built["mkdocs"]:
        a = _main_content((mkdocs / relative).read_text(encoding="utf-8"))
        b = _main_content((zensical / relative).read_text(encoding="utf-8"))
        if a != b:
            at = next(i for i, (x, y) in enumerate(zip(a + "\0", b + "\0")) if x != y)
            shown = slice(max(0, at - 80), at + 120)
            differing.append(f"{relative} from character {at}:\n  mkdocs:   {a[shown]}\n  zensical: {b[shown]}")
    assert not differing, "\n".join(differing)


# ---------------------------------------------------------------- registry, navigation, pins

def _front_matter(path: Path) -> dict:
    text = path.read_text(encoding="utf-8")
    return yaml.safe_load(text.split("\n---\n", 1)[0].removeprefix("---\n")) if text.startswith("---\n") else {}


@pytest.mark.parametrize("language", pages.LANGUAGES)
def test_navigation_lists_every_published_page_under_its_registry_title(language):
    nav = dict((path, title) for title, path in pages.nav_entries(language))
    registry = pages.registry()
    for page in registry.published():
        assert page.path in nav, f"{page.path} is published in content.yml but missing from the {language} nav"
        assert pages.source(page, language).is_file(), f"{page.path} is published but has no {language} file"
        assert _front_matter(pages.source(page, language)).get("title") == page.text("title", language), page.path
        if page.kind == "chapter":
            assert nav[page.path].startswith(f"{page.number} · "), nav[page.path]
    for page in registry.pages():
        if not page.published:
            assert page.path not in nav, f"{page.path} is planned but listed in the nav"
    for path in nav:
        assert pages.source(path, language).is_file(), f"the {language} nav lists {path}, which does not exist"


@pytest.mark.parametrize("language", pages.LANGUAGES)
def test_every_cell_lives_in_its_pages_folder_and_carries_its_slug(language):
    include = re.compile(r'^```pycell\b[^\n]*\bid="([^"]+)"[^\n]*\n--8<-- "([^"]+)"', re.M)
    prefix = editions.edition(language).prefix  # a language's cells sit under pysnippets/<language>/
    found = 0
    for _, path in pages.nav_entries(language):
        slug = content.slug_of(path)
        for cell_id, snippet in include.findall(pages.source(path, language).read_text(encoding="utf-8")):
            found += 1
            assert snippet.startswith(f"{prefix}{slug}/"), f"{path}: cell {cell_id} includes {snippet}, not {prefix}{slug}/..."
            assert cell_id.startswith(f"{slug}-"), f"{path}: cell id {cell_id} does not start with {slug}-"
    assert found >= 3


def test_the_pyodide_version_is_written_once_in_package_json():
    from sitebuild.runtime import npm_version

    version = npm_version("pyodide")
    tracked = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True).stdout.split()
    allowed = {"package.json", "package-lock.json"}
    repeats = [name for name in tracked if name not in allowed and (ROOT / name).is_file()
               and version in (ROOT / name).read_text(encoding="utf-8", errors="ignore")]
    assert repeats == [], f"the Pyodide version {version} is repeated in {repeats}"


@on_both_builds
def test_the_page_carries_the_pinned_pyodide_version(site_dir):
    from sitebuild.runtime import npm_version

    html = (site_dir / "index.html").read_text(encoding="utf-8")
    meta = re.search(r'<meta name="pyodide-version" content="([^"]+)">', html)
    version = json.loads((ROOT / "package.json").read_text())["devDependencies"]["pyodide"]
    assert meta and meta.group(1) == version == npm_version("pyodide")
    # Packages come from the pinned version's folder: the lockfile says so, not the page.
    lock = json.loads((site_dir / "assets" / "generated" / "packages" / "pyodide-lock.json").read_text())
    assert f"/v{version}/full/" in lock["packages"]["numpy"]["file_name"]


def test_a_malformed_registry_is_refused_with_the_entry_named(tmp_path):
    text = (ROOT / content.REGISTRY_NAME).read_text(encoding="utf-8")
    broken = tmp_path / content.REGISTRY_NAME
    broken.write_text(text.replace("status: planned", "status: plannd", 1), encoding="utf-8")
    with pytest.raises(content.RegistryError, match=r"status must be one of .*'plannd'"):
        content.load(broken)
    broken.write_text(text.replace("kind: chapter", "kind: chapter\n        colour: red", 1), encoding="utf-8")
    with pytest.raises(content.RegistryError, match=r"01-foundations.*unknown field\(s\) colour"):
        content.load(broken)


# ---------------------------------------------------------------- a throwaway copy, broken on purpose

@pytest.fixture
def docs_copy(tmp_path):
    """A throwaway copy of everything the build reads, to break on purpose."""
    generated = (ROOT / "docs" / "assets" / "generated").resolve()
    shutil.copytree(ROOT / "docs", tmp_path / "docs", ignore=lambda d, names: [
        n for n in names if (Path(d) / n).resolve() == generated])
    # Linked, not copied (it holds Pyodide): pages may link to generated files, such as the engines' source.
    (tmp_path / "docs" / "assets" / "generated").symlink_to(generated)
    for name in ("overrides", "pysnippets", "hooks"):
        shutil.copytree(ROOT / name, tmp_path / name)
    for name in ("instruments", "sitebuild", "messages"):  # only watched by the builders; never broken here
        (tmp_path / name).symlink_to(ROOT / name)
    configs = [edition.config.name for edition in editions.editions()]
    for name in (*configs, "mkdocs.base.yml", content.REGISTRY_NAME):
        shutil.copy(ROOT / name, tmp_path / name)
    config = tmp_path / "mkdocs.base.yml"
    text = config.read_text(encoding="utf-8")
    # Snippets resolve relative to the working directory, which is the repo root.
    config.write_text(text.replace("base_path: [pysnippets]", f"base_path: [{tmp_path / 'pysnippets'}]"))
    return tmp_path


def _break(docs_copy: Path, old: str, new: str, page: content.Page | None = None) -> None:
    source = docs_copy / "docs" / (page or pages.chapter(1)).path
    text = source.read_text(encoding="utf-8")
    assert old in text, f"fixture drifted: {old!r} is not in {source.name} any more"
    source.write_text(text.replace(old, new, 1), encoding="utf-8")


def _build_copy(docs_copy: Path, builder: str) -> subprocess.CompletedProcess:
    return build_site(docs_copy / "out", config=docs_copy / "mkdocs.yml", builder=builder)


def _output(done: subprocess.CompletedProcess) -> str:
    return ANSI.sub("", done.stdout + done.stderr)


@pytest.mark.parametrize("builder", BUILDERS)
def test_the_untouched_copy_builds(docs_copy, builder):
    done = _build_copy(docs_copy, builder)
    assert done.returncode == 0, _output(done)


@pytest.mark.parametrize("builder", BUILDERS)
@pytest.mark.parametrize(
    ("old", "new", "complaint"),
    [
        ("](#eq-n1-1)", "](#eq-n1-99)", "eq-n1-99"),
        ("](../index.md#chapter-02)", "](../no-such-page.md)", "no-such-page.md"),
        ('--8<-- "', '--8<-- "no_such_cell_', "no_such_cell_"),
        ('```equation label="N1.1" title="A forward layer"\n', '```equation label="N1.1" title="A forward layer"\n\\frac{', "KaTeX"),
        ('kind="numeric" answer="0.125"', 'kind="numeric" answer="0.l25"', "answer must be a number"),
    ],
    ids=["broken-anchor", "broken-link", "missing-snippet", "bad-equation", "bad-quiz-answer"],
)
def test_a_broken_input_fails_the_strict_build(docs_copy, builder, old, new, complaint):
    _break(docs_copy, old, new)
    done = _build_copy(docs_copy, builder)
    assert done.returncode != 0
    assert complaint in _output(done)


@pytest.mark.parametrize("builder", BUILDERS)
def test_a_misspelt_fence_option_fails_naming_the_page_and_the_fence(docs_copy, builder):
    _break(docs_copy, 'tolerance="0.0005"', 'tolerence="0.0005"')
    done = _build_copy(docs_copy, builder)
    assert done.returncode != 0
    out = _output(done)
    expected = (f'page {pages.chapter(1).path}: ```quiz id="quiz-he-std" has an unknown option '
                f"'tolerence' (did you mean 'tolerance'?)")
    assert expected in out, out[-2000:]


@pytest.mark.parametrize("builder", BUILDERS)
def test_a_chapter_added_to_the_registry_appears_on_the_index(docs_copy, builder):
    """Add a planned and a published chapter to content.yml (and the page and its nav
    entry for the published one); the front page and the headers follow, no test edit needed."""
    registry = pages.registry()
    last = max(int(p.number) for p in registry.chapters())
    planned, published = f"{last + 1:02d}", f"{last + 2:02d}"
    entries = yaml.safe_load((docs_copy / content.REGISTRY_NAME).read_text(encoding="utf-8"))
    entries["parts"].append({"slug": "added", "title": {"en": "Added"}, "pages": [
        {"kind": "chapter", "number": planned, "slug": f"{planned}-graphs", "status": "planned",
         "level": "ADVANCED", "title": {"en": "Graph Networks"}, "summary": {"en": "Message passing on graphs."}},
        {"kind": "chapter", "number": published, "slug": f"{published}-scaling", "status": "published",
         "path": f"chapters/{published}-scaling.md", "level": "ADVANCED", "title": {"en": "Scaling Laws"},
         "short_title": {"en": "scaling"}, "instruments": {"en": "loss curves"}},
    ]})
    (docs_copy / content.REGISTRY_NAME).write_text(yaml.safe_dump(entries, allow_unicode=True), encoding="utf-8")
    first = pages.chapter(1)
    for edition in editions.editions():  # the page, in every language, and its nav entries
        (docs_copy / "docs" / edition.prefix / "chapters" / f"{published}-scaling.md").write_text(
            "---\ntitle: Scaling Laws\n---\n\nLoss falls as a power of compute, $L \\propto C^{-a}$.\n", encoding="utf-8")
        config = docs_copy / edition.config.name
        text = config.read_text(encoding="utf-8")
        nav_line = next(line for line in text.splitlines() if line.strip().endswith(f": {first.path}"))
        indent = nav_line[: len(nav_line) - len(nav_line.lstrip())]
        config.write_text(text.replace(nav_line, f"{nav_line}\n{indent}- {published} · Scaling: chapters/{published}-scaling.md"))

    done = _build_copy(docs_copy, builder)
    assert done.returncode == 0, _output(done)
    index = (docs_copy / "out" / "index.html").read_text(encoding="utf-8")
    card = re.search(rf'<li class="chapter-card chapter-card--planned" id="chapter-{planned}">(.*?)</li>', index, re.S)
    assert card and "Graph Networks" in card.group(1) and ">planned</span>" in card.group(1)
    card = re.search(rf'<li class="chapter-card" id="chapter-{published}">(.*?)</li>', index, re.S)
    assert card and f'href="chapters/{published}-scaling/"' in card.group(1) and "min read" in card.group(1)
    header = (docs_copy / "out" / "chapters" / f"{published}-scaling" / "index.html").read_text(encoding="utf-8")
    assert f"chapter {published} / {published}" in header and 'class="katex' in header


# ---------------------------------------------------------------- reading time

def _visible_prose_words(html: str) -> int:
    article = html[html.index("<article"): html.index("</article>")]
    for pattern in (r"<(pre|script|style|svg|figure|details)\b.*?</\1>", r'<span class="katex">.*?</span></span></span>',
                    r'<div class="(pycell|admonition question)[^"]*".*?</div></div>'):
        article = re.sub(pattern, " ", article, flags=re.S)
    text = re.sub(r"<[^>]+>", " ", article)
    return len(re.findall(r"[A-Za-z0-9][A-Za-z0-9'’-]*", text))


@on_both_builds
def test_reading_time_follows_the_words_on_the_page(site_dir):
    """The header's minutes come from the text: an independent count of the words a
    reader sees in the built page, at 200 words per minute, lands within a minute or two."""
    html = _built(site_dir, pages.chapter(1))
    shown = int(re.search(r'data-reading-time="(\d+)"', html).group(1))
    estimate = _visible_prose_words(html) / 200
    assert abs(shown - estimate) <= max(2, 0.15 * estimate), (shown, estimate)


def test_reading_time_grows_with_the_text():
    from sitebuild.reading_time import reading_minutes

    text = pages.source(pages.chapter(1)).read_text(encoding="utf-8")
    body = text.split("\n---\n", 1)[1]
    assert reading_minutes(text + body) >= 2 * reading_minutes(text) - 1
    assert reading_minutes("---\ntitle: x\n---\n" + "word " * 200) == 1
    assert reading_minutes("---\ntitle: x\n---\n" + "word " * 201) == 2


# ---------------------------------------------------------------- copied theme templates

# What a copy may change: an accessible name, a link target; Zensical's copies
# also import the language partial that Material's base template imports for them.
_FIXABLE = re.compile(r' (aria-label|href)="[^"]*"|\{% import "partials/language.html" as lang with context %\}\n')


def test_copied_material_templates_name_their_version_and_differ_only_by_the_fix():
    """Each copied theme template says which Material (and Zensical) it was
    copied from; when either is upgraded this fails until the copies are
    checked again. overrides/mkdocs-material/ serves MkDocs only; the copies in
    overrides/partials/ serve both builders and are compared with both."""
    from importlib.metadata import version

    import material
    import zensical

    upstreams = {"material": Path(material.__file__).parent / "templates",
                 "zensical": Path(zensical.__file__).parent / "templates"}
    comment = re.compile(r"\A\{#-.*?-#\}\n", re.S)
    copies = [(copy, ("material",)) for copy in sorted((ROOT / "overrides" / "mkdocs-material").rglob("*.html"))]
    copies += [(copy, ("material", "zensical")) for copy in sorted((ROOT / "overrides" / "partials").rglob("*.html"))]
    assert len(copies) >= 3
    for copy, themes in copies:
        ours = copy.read_text(encoding="utf-8")
        header = comment.match(ours)
        assert header and f"Material for MkDocs {version('mkdocs-material')}" in header.group(0), copy.name
        relative = copy.relative_to(copy.parents[1])
        for theme in themes:
            if theme == "zensical":
                assert f"Zensical {version('zensical')}" in header.group(0), copy.name
            upstream = (upstreams[theme] / relative).read_text(encoding="utf-8")
            assert _FIXABLE.sub("", ours[header.end():]) == _FIXABLE.sub("", comment.sub("", upstream)), (theme, copy.name)
