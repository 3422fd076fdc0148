"""The Spanish pages mirror the English ones and write Spanish consistently.

A language switch lands on the same place in the other edition, so every
anchor, equation label, quiz, cell, instrument and link target of an English
page exists on its Spanish twin (``docs/es/<same path>``). The Spanish text
uses one term per concept (the terms table of the content spec), writes
decimals in running prose with a comma, and leaves no English sentence behind.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from sitebuild import content
from tests import pages

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"
SPANISH = DOCS / "es"

ENGLISH_PAGES = sorted(p.relative_to(DOCS) for p in DOCS.rglob("*.md") if SPANISH not in p.parents)
SPANISH_PAGES = sorted(p.relative_to(SPANISH) for p in SPANISH.rglob("*.md"))

FENCE = re.compile(r"^```(\w+)(.*?)\n(.*?)^```", re.M | re.S)
OPTION = re.compile(r'(\w+)="([^"]*)"')
# Options that are words for the reader; every other option is structure.
READER_OPTIONS = {"title"}


def read(path: Path) -> str:
    return path.read_text(encoding="utf-8")


# A link in raw HTML to a file the root site publishes once (the engines' source
# under assets/generated/). A page of another edition sits one folder deeper
# (/es/...) and must reach it with one more "../"; it cannot use a Markdown link,
# which MkDocs checks against that edition's own docs folder.
ROOT_SITE_LINK = re.compile(r'<a href="((?:\.\./)+)(assets/[^"#]+)"')


def link_targets(text: str, edition_depth: int = 0) -> list[str]:
    """Markdown link targets, and raw-HTML links into the root site's assets/, as
    the default edition writes them (``edition_depth`` folders fewer)."""
    found = set(re.findall(r"\]\(([^)\s]+)\)", text))
    for climb, path in ROOT_SITE_LINK.findall(text):
        found.add(climb[3 * edition_depth:] + path)
    return sorted(found)


def skeleton(text: str, include_prefix: str = "", edition_depth: int = 0) -> dict[str, list]:
    """What must not differ between editions: ids, anchors, links, fences' structure."""
    fences = []
    for name, options, body in FENCE.findall(text):
        structure = {k: v for k, v in OPTION.findall(options) if k not in READER_OPTIONS}
        includes = re.findall(r'^--8<-- "([^"]+)"$', body, re.M)
        fences.append((name, structure, [include_prefix + i for i in includes]))
    return {
        "fences": fences,
        "attribute ids": re.findall(r"\{ *#([\w-]+)", text),
        "link targets": link_targets(text, edition_depth),
        "equation labels": re.findall(r'```equation label="([^"]+)"', text),
        "front matter keys": re.findall(r"^(\w+):", text.split("\n---\n", 1)[0], re.M),
    }


def prose(text: str) -> str:
    """Running prose only: no front matter, math, code, include lines, fence options or link targets."""
    text = re.sub(r"\A---\n.*?\n---\n", "", text, flags=re.S)
    text = re.sub(r"^```(equation|pycell|chapters).*?^```", " ", text, flags=re.M | re.S)
    text = re.sub(r"^```.*$", " ", text, flags=re.M)
    text = re.sub(r"^--- solution ---$", " ", text, flags=re.M)
    text = re.sub(r"\$\$.*?\$\$|\$[^$\n]+\$", " ", text, flags=re.S)
    text = re.sub(r"`[^`\n]+`", " ", text)
    text = re.sub(r"\]\([^)]*\)", "]", text)
    text = re.sub(r"\{[^}\n]*\}", " ", text)
    text = re.sub(r"^#+ [\d.R]+ ", "# ", text, flags=re.M)  # section numbers such as 1.2
    text = re.sub(r"§ \d+\.\d+", " ", text)
    return text


def without_references(text: str) -> str:
    """Cited works keep their published (English) titles."""
    return text.split("{ #references }", 1)[0]


def test_every_english_page_has_a_spanish_twin_and_vice_versa():
    assert SPANISH_PAGES == ENGLISH_PAGES


def test_the_registry_has_spanish_words_wherever_it_has_english_ones():
    """Titles, summaries and header facts come from content.yml, not from the pages."""
    registry = content.load()
    missing = [f"part {part.slug}" for part in registry.parts if not dict(part.titles).get("es")]
    for page in registry.pages():
        for field, by_language in page.words:
            if dict(by_language).get("en") and not dict(by_language).get("es"):
                missing.append(f"{page.slug}: {field}")
    assert not missing, f"content.yml lacks Spanish words for {missing}"


@pytest.mark.parametrize("rel", ENGLISH_PAGES, ids=str)
def test_spanish_twin_keeps_every_anchor_link_and_fence(rel):
    twin = SPANISH / rel
    if not twin.exists():
        pytest.fail(f"no Spanish page {twin.relative_to(ROOT)}")
    english = skeleton(read(DOCS / rel), include_prefix="es/")
    spanish = skeleton(read(twin), edition_depth=1)
    for part in english:
        assert spanish[part] == english[part], f"{rel}: {part} differ"


def test_skeleton_sees_what_a_language_switch_needs():
    """The comparison above must notice the things it exists to protect."""
    chapter = pages.chapter(1)
    slug = chapter.slug
    page = read(pages.source(chapter, "es"))
    base = skeleton(page)
    for old, new in [
        ("{ #s1-3 }", "{ #s1-3b }"),
        ("](#eq-n1-10)", "](#eq-n1-9)"),  # a target linked once (the reference notes link others again)
        ('answer="0.125"', 'answer="0.25"'),
        (f'--8<-- "es/{slug}/batchnorm_forward.py"', f'--8<-- "{slug}/batchnorm_forward.py"'),
        (f'id="{slug}-residual-gradients"', f'id="{slug}-residual"'),
    ]:
        assert old in page, old
        assert skeleton(page.replace(old, new, 1)) != base, old
    assert skeleton(page.replace('title="Pregunta 3', 'title="Quiz 3', 1)) == base


def test_a_link_to_the_root_sites_files_counts_from_the_editions_folder():
    english = "see [`deep_mlp.py`](../assets/generated/py/instruments/deep_mlp.py)"
    spanish = '<a href="../../assets/generated/py/instruments/deep_mlp.py"><code>deep_mlp.py</code></a>'
    assert link_targets(spanish, edition_depth=1) == link_targets(english)
    # one "../" short lands inside /es/, where nothing is published: not the same file
    assert link_targets(spanish.replace("../../", "../"), edition_depth=1) != link_targets(english)


@pytest.mark.parametrize("rel", SPANISH_PAGES, ids=str)
def test_spanish_prose_writes_decimals_with_a_comma(rel):
    text = prose(read(SPANISH / rel))
    assert not re.findall(r"(?<![\w.])\d+\.\d+(?![\w.])", text.replace("Python 3.14", "")), (
        "decimals in Spanish prose take a comma (0,68); math, code and program output keep the point"
    )


def test_decimal_check_flags_a_point_in_prose_but_not_in_math():
    assert re.findall(r"(?<![\w.])\d+\.\d+(?![\w.])", prose("ronda 0.68, y no 1"))
    assert not re.findall(r"(?<![\w.])\d+\.\d+(?![\w.])", prose("$1 - 1/\\pi \\approx 0.68$ y `0.679`, § 1.2"))


# One Spanish term per concept (content spec, "Spanish terms"): the rejected
# variants on the left must not appear; the chosen term is on the right.
REJECTED_TERMS = {
    r"ritmos? de aprendizaje|velocidad(es)? de aprendizaje|learning rates?": "tasa de aprendizaje",
    r"normalizaci[oó]n (de|en) lotes|normalizaci[oó]n por lote\b|batch norm(alization)?\b": "normalización por lotes",
    r"normalizaci[oó]n de capa|normalizaci[oó]n por capas": "normalización por capa",
    r"pre-activaci": "preactivación",
    r"gradientes? (evanescente|que desaparece)|gradientes? explosivos?": "gradiente que se desvanece / que explota",
    r"conexi[oó]n(es)? (de salto|directa)|skip connection": "atajo",
    r"\bancho de\b|\bel ancho\b": "anchura",
    r"\btasa de abandono\b|\babandono\b": "dropout",
    r"\bgain\b|\bloss\b": "ganancia / pérdida",
}


@pytest.mark.parametrize("rel", SPANISH_PAGES, ids=str)
def test_one_spanish_term_per_concept(rel):
    text = prose(without_references(read(SPANISH / rel)))
    for rejected, chosen in REJECTED_TERMS.items():
        found = [m.group(0) for m in re.finditer(rf"(?i){rejected}", text)]
        assert not found, f"{rel}: write {chosen!r}, not {found}"


ENGLISH_WORDS = re.compile(r"\b(the|and|with|which|that|this|of|is|are|to|from|into)\b")


@pytest.mark.parametrize("rel", SPANISH_PAGES, ids=str)
def test_no_english_sentence_left_behind(rel):
    text = prose(without_references(read(SPANISH / rel)))
    leftovers = ENGLISH_WORDS.findall(text)
    assert not leftovers, f"{rel}: English words in the Spanish prose: {leftovers[:10]}"
