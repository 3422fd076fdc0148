"""The language editions, as configured and as built by MkDocs and by Zensical.

Every page exists in every language at the same path under the edition's
prefix (/es/...), the language selector on each page links its twin, the
Spanish pages say lang="es", search and the theme's own labels are Spanish,
and no interface word of the English catalogue shows on a Spanish page (nor
the reverse). The Spanish edition publishes no second copy of the generated
files: its pages use the root site's.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest
import yaml

from sitebuild import editions
from sitebuild.i18n import DEFAULT_LANGUAGE, t
from tests import pages
from tests.conftest import on_both_builds
from tests.html_tags import tags
from tests.i18n.leaks import foreign_phrases, leaks, page_texts

ROOT = Path(__file__).resolve().parents[2]
EDITIONS = editions.editions()
SPANISH = "es"


def built_pages(site_dir: Path, edition: editions.Edition) -> dict[str, Path]:
    """URL path within the edition ('', 'chapters/01-foundations/', '404.html') -> built file."""
    root = site_dir / edition.prefix if edition.prefix else site_dir
    others = [site_dir / e.prefix for e in EDITIONS if e.prefix and e != edition]
    found = {}
    for path in root.rglob("*.html"):
        if any(path.is_relative_to(other) for other in others):
            continue
        relative = path.relative_to(root).as_posix()
        found[relative.removesuffix("index.html")] = path
    return found


def page_language(html: str) -> str:
    return re.search(r'<html lang="([^"]+)"', html).group(1)


# ---------------------------------------------------------------- configuration

def _config_text(path: Path) -> dict:
    return yaml.load(path.read_text(encoding="utf-8"), Loader=pages._IgnoreTags)


def _lists(data, where: str = "") -> set[str]:
    """Dotted paths of every list in a config (a list under a list counts once)."""
    if isinstance(data, list):
        return {where}
    if isinstance(data, dict):
        return {found for key, value in data.items() for found in _lists(value, f"{where}.{key}".lstrip("."))}
    return set()


def test_a_list_is_set_in_the_base_or_in_the_editions_never_both():
    """Zensical's INHERIT appends to a list that MkDocs would replace: a list set in
    both places would build two different sites."""
    base = _config_text(ROOT / "mkdocs.base.yml")
    for edition in EDITIONS:
        own = pages.config(edition.language)
        assert own["INHERIT"] == "mkdocs.base.yml"
        assert not (_lists(base) & _lists(own)), (edition.config.name, _lists(base) & _lists(own))


def test_each_edition_declares_its_language_selector_and_assets():
    default = pages.config(DEFAULT_LANGUAGE)
    for edition in EDITIONS:
        own = pages.config(edition.language)
        assert own["theme"]["language"] == edition.language
        alternates = own["extra"]["alternate"]
        assert [a["lang"] for a in alternates] == list(pages.LANGUAGES)
        for alternate in alternates:
            # Relative to this edition's root: the other edition's root.
            target = urljoin(f"http://site/{edition.prefix}", alternate["link"])
            assert target == f"http://site/{editions.edition(alternate['lang']).prefix}", (edition.language, alternate)
        # Pages of another edition use the root site's stylesheets and scripts, in the same order.
        up = "../" * edition.prefix.count("/")
        for key in ("extra_css", "extra_javascript"):
            assert own[key] == [up + item for item in default[key]], (edition.language, key)
        assert [path for _, path in pages.nav_entries(edition.language)] == [
            path for _, path in pages.nav_entries(DEFAULT_LANGUAGE)]


# ---------------------------------------------------------------- the built editions

@on_both_builds
def test_every_page_has_its_twin_in_every_edition(site_dir):
    built = {e.language: set(built_pages(site_dir, e)) for e in EDITIONS}
    english = built[DEFAULT_LANGUAGE]
    assert len(english) >= len(pages.site_pages())
    for language, paths in built.items():
        assert paths == english, (language, paths ^ english)


@on_both_builds
def test_the_language_selector_links_each_page_to_its_twin(site_dir):
    checked = 0
    for edition in EDITIONS:
        for path, file in built_pages(site_dir, edition).items():
            url = f"/{edition.prefix}{path}"
            links = {a["hreflang"]: a["href"] for tag, a in tags(file.read_text(encoding="utf-8"))
                     if tag == "a" and "md-select__link" in a.get("class", "")}
            assert set(links) == set(pages.LANGUAGES), (url, links)
            for language, href in links.items():
                target = urlsplit(urljoin(url, href)).path
                twin = "" if path == "404.html" else path  # the "not found" page sends the reader home
                assert target == f"/{editions.edition(language).prefix}{twin}", (url, language, href)
                landing = site_dir / target.lstrip("/")
                assert (landing / "index.html" if target.endswith("/") else landing).is_file(), target
                checked += 1
    assert checked >= 2 * len(EDITIONS) * len(pages.site_pages())


@on_both_builds
def test_each_page_says_its_language_and_names_the_others(site_dir):
    for edition in EDITIONS:
        for path, file in built_pages(site_dir, edition).items():
            html = file.read_text(encoding="utf-8")
            assert page_language(html) == edition.language, path
            alternates = {a.get("hreflang") for tag, a in tags(html) if tag == "link" and a.get("rel") == "alternate"}
            assert alternates >= set(pages.LANGUAGES), (edition.language, path)


@on_both_builds
def test_search_indexes_each_edition_in_its_language(site_dir, builder):
    for edition in EDITIONS:
        root = site_dir / edition.prefix
        index = root / ("search/search_index.json" if builder == "mkdocs" else "search.json")
        config = json.loads(index.read_text(encoding="utf-8"))["config"]
        assert config["lang"] == [edition.language], (builder, edition.language, config)


@on_both_builds
def test_spanish_pages_share_the_root_sites_generated_files(site_dir):
    spanish = editions.edition(SPANISH)
    assert not (site_dir / spanish.prefix / "assets" / "generated").exists()
    assert not (site_dir / spanish.prefix / "assets" / "js").exists()
    for path, file in built_pages(site_dir, spanish).items():
        url = f"/{spanish.prefix}{path}"
        for tag, a in tags(file.read_text(encoding="utf-8")):
            ref = a.get("src") if tag == "script" else a.get("href") if tag == "link" and a.get("rel") == "stylesheet" else None
            if ref and not urlsplit(ref).scheme:
                target = urlsplit(urljoin(url, ref)).path
                assert (site_dir / target.lstrip("/")).is_file(), (url, ref)


def _theme_words(builder: str, language: str) -> dict[str, str]:
    """The theme's own interface words (partials/languages/<language>.html) under a builder."""
    import material
    import zensical

    package = material if builder == "mkdocs" else zensical
    text = (Path(package.__file__).parent / "templates" / "partials" / "languages" / f"{language}.html").read_text()
    return dict(re.findall(r'^\s*"([\w.]+)": "([^"]*)"', text, re.M))


def _theme_phrases(builder: str):
    """English theme words that the Spanish theme words replace, as leak phrases (whole text only)."""
    from tests.i18n.leaks import Phrase

    english, spanish = _theme_words(builder, "en"), _theme_words(builder, SPANISH)
    return [Phrase(key, words, re.compile(rf"^\s*{re.escape(words)}\s*$", re.I), None)
            for key, words in english.items() if key in spanish and spanish[key] != words and len(words) > 3]


def _interface_texts(html: str) -> list[str]:
    """What a reader can meet on the page: its text, labels, and the words the theme's
    scripts insert later (Material's translations in the page's __config)."""
    texts = page_texts(html)
    config = re.search(r'<script id="__config" type="application/json">(.*?)</script>', html, re.S)
    if config:
        texts += list(json.loads(config.group(1)).get("translations", {}).values())
    return texts


@on_both_builds
def test_no_interface_word_of_another_language(site_dir, builder):
    """The built pages of each edition show no interface word of another edition's
    catalogue, nor an English label of the theme on a Spanish page."""
    found = []
    for edition in EDITIONS:
        phrases = [p for other in pages.LANGUAGES if other != edition.language
                   for p in foreign_phrases(edition.language, other)]
        if edition.language == SPANISH:
            phrases += _theme_phrases(builder)
        for path, file in built_pages(site_dir, edition).items():
            found += [f"/{edition.prefix}{path}: {leak}"
                      for leak in leaks(_interface_texts(file.read_text(encoding="utf-8")), phrases)]
    assert not found, "\n".join(found[:40])


def test_the_leak_check_sees_english_words_where_spanish_belongs(sites):
    """The scan above must be able to fail: English put back into a Spanish page, and
    an English page read as if it were Spanish, are caught."""
    site_dir = sites.dir("mkdocs")
    chapter = (site_dir / pages.url(pages.chapter(1), SPANISH).lstrip("/") / "index.html").read_text(encoding="utf-8")
    phrases = foreign_phrases(SPANISH, DEFAULT_LANGUAGE)
    assert leaks(_interface_texts(chapter), phrases) == []
    for key in ("quiz.solution", "cell.kind", "instrument.init_explorer.readout.verdict", "header.reading_time",
                "cell.output_note"):
        # In the page's text, not in the catalogue the page carries for its scripts.
        broken = chapter.replace(f">{t(key, SPANISH)}<", f">{t(key, DEFAULT_LANGUAGE)}<", 1)
        assert broken != chapter, key
        assert any(leak.startswith(key) for leak in leaks(_interface_texts(broken), phrases)), key
    english = (site_dir / pages.url(pages.chapter(1)).lstrip("/") / "index.html").read_text(encoding="utf-8")
    assert len(leaks(_interface_texts(english), phrases)) >= 30
    assert leaks(_interface_texts(english), _theme_phrases("mkdocs")), "the theme's English labels are seen too"


@on_both_builds
def test_spanish_chapter_typesets_every_equation_with_spanish_interface(site_dir):
    chapter = pages.chapter(1)
    html = (site_dir / pages.url(chapter, SPANISH).lstrip("/") / "index.html").read_text(encoding="utf-8")
    for k in range(1, 11):
        figure = re.search(rf'<figure class="equation" id="eq-n1-{k}">(.*?)</figure>', html, re.S)
        assert figure, f"EQ N1.{k}"
        assert f">EQ N1.{k}</a>" in figure.group(1) and 'class="katex-display"' in figure.group(1), f"EQ N1.{k}"
    assert "katex-error" not in html
    header = re.search(r'<header class="chapter-header">(.*?)</header>', html, re.S).group(1)
    text = " ".join(re.sub(r"<[^>]+>", " ", header).split())
    total = len(pages.registry().chapters())
    assert t("header.count", SPANISH, number=chapter.number, total=f"{total:02d}") in text
    assert f"{t('header.level', SPANISH)} {t('level.' + chapter.level.lower(), SPANISH)}" in text
    assert chapter.text("instruments", SPANISH) in text and chapter.text("title", SPANISH) in text
    for quiz in ("quiz-he-std", "quiz-bn-value", "quiz-residual"):
        assert re.search(rf'id="{quiz}".*?<summary>{t("quiz.solution", SPANISH)}</summary>', html, re.S), quiz


@on_both_builds
def test_spanish_front_page_lists_the_chapters_in_spanish(site_dir):
    html = (site_dir / editions.edition(SPANISH).prefix / "index.html").read_text(encoding="utf-8")
    for chapter in pages.registry().chapters():
        card = re.search(rf'id="chapter-{chapter.number}">(.*?)</li>', html, re.S)
        assert card and chapter.text("title", SPANISH) in card.group(1), chapter.number
        if not chapter.published:
            assert t("status.planned", SPANISH) in card.group(1)
