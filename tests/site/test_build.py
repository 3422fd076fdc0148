"""The strict build passes on the real docs and fails on broken input."""

from __future__ import annotations

import re
import shutil
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest

from tests.conftest import ROOT, build_site

CHAPTER = Path("chapters/01-foundations/index.html")


class _LinksAndIds(HTMLParser):
    def __init__(self):
        super().__init__()
        self.ids, self.links = set(), []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if "id" in attrs:
            self.ids.add(attrs["id"])
        if tag == "a" and attrs.get("href"):
            self.links.append(attrs["href"])


def _parse(path: Path) -> _LinksAndIds:
    parser = _LinksAndIds()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser


def test_every_internal_link_and_anchor_resolves(site_dir):
    pages = sorted(site_dir.rglob("*.html"))
    parsed = {p: _parse(p) for p in pages}
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


def test_chapter_page_ships_no_katex_javascript_and_no_raw_tex(site_dir):
    html = (site_dir / CHAPTER).read_text(encoding="utf-8")
    assert 'class="katex' in html
    assert "katex.min.js" not in html and "katex.js" not in html
    assert "katex-error" not in html
    body = re.sub(r"<annotation[^>]*>.*?</annotation>", "", html, flags=re.S)
    body = re.sub(r"<(script|pre|code)[^>]*>.*?</\1>", "", body, flags=re.S)
    assert r"\(" not in body and r"\[" not in body and "$$" not in body


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


@pytest.fixture
def docs_copy(tmp_path):
    """A throwaway copy of everything the build reads, to break on purpose."""
    for name in ("docs", "overrides", "pysnippets", "hooks"):
        shutil.copytree(ROOT / name, tmp_path / name)
    for name in ("instruments", "sitebuild"):  # only watched by `mkdocs serve`; never broken here
        (tmp_path / name).symlink_to(ROOT / name)
    shutil.copy(ROOT / "mkdocs.yml", tmp_path / "mkdocs.yml")
    config = tmp_path / "mkdocs.yml"
    text = config.read_text(encoding="utf-8")
    # Snippets resolve relative to the working directory, which is the repo root.
    config.write_text(text.replace("base_path: [pysnippets]", f"base_path: [{tmp_path / 'pysnippets'}]"))
    return tmp_path


def _break(docs_copy: Path, old: str, new: str) -> None:
    chapter = docs_copy / "docs" / "chapters" / "01-foundations.md"
    text = chapter.read_text(encoding="utf-8")
    assert old in text, f"fixture drifted: {old!r} is not in the chapter any more"
    chapter.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_the_untouched_copy_builds(docs_copy, tmp_path):
    done = build_site(tmp_path / "out", config=docs_copy / "mkdocs.yml")
    assert done.returncode == 0, done.stderr


@pytest.mark.parametrize(
    ("old", "new", "complaint"),
    [
        ("](#eq-n1-1)", "](#eq-n1-99)", "eq-n1-99"),
        ("](../index.md#chapter-02)", "](../no-such-page.md)", "no-such-page.md"),
        ('--8<-- "', '--8<-- "no_such_cell_', "no_such_cell_"),
        ('```equation label="N1.1" title="A forward layer"\n', '```equation label="N1.1" title="A forward layer"\n\\frac{', "KaTeX"),
    ],
    ids=["broken-anchor", "broken-link", "missing-snippet", "bad-equation"],
)
def test_a_broken_input_fails_the_strict_build(docs_copy, tmp_path, old, new, complaint):
    _break(docs_copy, old, new)
    done = build_site(tmp_path / "out", config=docs_copy / "mkdocs.yml")
    assert done.returncode != 0
    assert complaint in done.stdout + done.stderr


def _visible_prose_words(html: str) -> int:
    article = html[html.index("<article"): html.index("</article>")]
    for pattern in (r"<(pre|script|style|svg|figure|details)\b.*?</\1>", r'<span class="katex">.*?</span></span></span>',
                    r'<div class="(pycell|admonition question)[^"]*".*?</div></div>'):
        article = re.sub(pattern, " ", article, flags=re.S)
    text = re.sub(r"<[^>]+>", " ", article)
    return len(re.findall(r"[A-Za-z0-9][A-Za-z0-9'’-]*", text))


def test_reading_time_follows_the_words_on_the_page(site_dir):
    """The header's minutes come from the text: an independent count of the words a
    reader sees in the built page, at 200 words per minute, lands within a minute or two."""
    html = (site_dir / CHAPTER).read_text(encoding="utf-8")
    shown = int(re.search(r'data-reading-time="(\d+)"', html).group(1))
    estimate = _visible_prose_words(html) / 200
    assert abs(shown - estimate) <= max(2, 0.15 * estimate), (shown, estimate)


def test_reading_time_grows_with_the_text(tmp_path):
    from sitebuild.reading_time import reading_minutes

    text = (ROOT / "docs" / "chapters" / "01-foundations.md").read_text(encoding="utf-8")
    body = text.split("\n---\n", 1)[1]
    assert reading_minutes(text + body) >= 2 * reading_minutes(text) - 1
    assert reading_minutes("---\ntitle: x\n---\n" + "word " * 200) == 1
    assert reading_minutes("---\ntitle: x\n---\n" + "word " * 201) == 2
