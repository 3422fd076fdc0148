"""The message catalogues: every language has every key, and code names only keys that exist.

messages/<language>.yml turns keys into words for the build and the browser
(sitebuild/i18n.py). These tests need no build: they read the catalogues, the
engines' SPEC and frames, the scripts, templates and build code, and check
that every key a reader could meet has words in every language and that no
catalogue entry is dead.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
import yaml

from sitebuild import content, i18n
from sitebuild.bake import engine_exists, load_baked
from tests import pages

ROOT = Path(__file__).resolve().parents[2]
ENGLISH = i18n.catalogue(i18n.DEFAULT_LANGUAGE)
NAMESPACES = {key.split(".")[0] for key in ENGLISH}
ENGINE_SOURCES = sorted((ROOT / "instruments").glob("*.py"))
# Where code names keys: engines, build code, theme templates, browser scripts, the editor glue, the hook.
CODE = [*ENGINE_SOURCES, *sorted((ROOT / "sitebuild").glob("*.py")), *sorted((ROOT / "overrides").rglob("*.html")),
        *sorted((ROOT / "docs" / "assets" / "js").glob("*.js")), ROOT / "docs" / "assets" / "src" / "editor.js",
        *sorted((ROOT / "hooks").glob("*.py"))]
KEY_LITERAL = re.compile(r"""["'`]([a-z][a-z0-9_]*(?:\.[a-z0-9_]+)+)["'`]""")
FILE_NAME = re.compile(r"\.(js|mjs|py|html|css|json|yml|md|wasm)$")


def engines() -> list:
    from instruments import ENGINES, load_engine

    return [load_engine(name) for name in ENGINES if engine_exists(name)]


def spec_refs(spec: dict) -> list:
    """Every message reference in a SPEC: the fields the renderer shows a reader."""
    refs = [spec["title"], spec["subtitle"]]
    for control in spec["controls"]:
        refs.append(control["label"])
        refs += [choice["label"] for choice in control.get("choices", [])]
        if control.get("unit"):
            refs.append(control["unit"])
    refs += [readout["label"] for readout in spec["readouts"]]
    chart = spec["chart"]
    refs += [chart["x"]["title"], chart["y"]["title"]]
    refs += [trace["name"] for trace in chart["traces"]]
    refs += [line["label"] for line in chart.get("hlines", []) if line.get("label")]
    return refs


def frame_words() -> tuple[set[str], list]:
    """(word ids in readouts, mark labels) over every baked frame of every engine."""
    word_ids, marks = set(), []
    for engine in engines():
        baked = load_baked(engine.SPEC["id"])
        assert baked, f"{engine.SPEC['id']} is not baked: run python -m sitebuild prepare"
        for frame in baked["frames"].values():
            word_ids |= {v for v in frame["readouts"].values() if isinstance(v, str)}
            marks += [mark["label"] for mark in frame["marks"]]
    return word_ids, marks


# ---------------------------------------------------------------- the catalogues agree

def test_every_language_has_every_key_with_words_and_the_same_values():
    assert i18n.languages()[0] == i18n.DEFAULT_LANGUAGE and len(i18n.languages()) >= 2
    assert i18n.problems() == []
    for language in i18n.languages():
        messages = i18n.catalogue(language)
        assert set(messages) == set(ENGLISH), language
        assert all(words.strip() for words in messages.values()), language


@pytest.fixture
def messages_copy(tmp_path):
    folder = tmp_path / "messages"
    shutil.copytree(i18n.MESSAGES_DIR, folder)
    return folder


def _edit(folder: Path, language: str, old: str, new: str) -> None:
    path = folder / f"{language}.yml"
    text = path.read_text(encoding="utf-8")
    assert old in text, f"fixture drifted: {old!r} is not in {path.name}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


@pytest.mark.parametrize("language", pages.LANGUAGES)
@pytest.mark.parametrize(
    ("key", "how", "complaint"),
    [("cell.run", "missing", "lacks cell.run"),
     ("quiz.right", "empty", "quiz.right needs words"),
     ("cell.ran_in", "placeholder", "cell.ran_in takes")],
)
def test_a_missing_empty_or_mismatched_message_is_reported(messages_copy, language, key, how, complaint):
    line = next(line for line in (messages_copy / f"{language}.yml").read_text(encoding="utf-8").splitlines()
                if line.startswith(f"{key}:"))
    replacement = {"missing": "", "empty": f'{key}: ""', "placeholder": f"{key}: \"Took {{duration}}.\""}[how]
    _edit(messages_copy, language, line + "\n", replacement + "\n" if replacement else "")
    found = "\n".join(i18n.problems(messages_copy))
    if how == "missing" and language == i18n.DEFAULT_LANGUAGE:
        complaint = f"has {key}, which {i18n.DEFAULT_LANGUAGE}.yml lacks"
    assert complaint in found, found


def test_the_build_refuses_catalogues_that_disagree(monkeypatch, messages_copy):
    _edit(messages_copy, "es", "cell.stop: ", "cell.halt: ")
    monkeypatch.setattr(i18n, "MESSAGES_DIR", messages_copy)
    with pytest.raises(i18n.CatalogueError, match="es.yml lacks cell.stop"):
        i18n.catalogues()
    # and the configs read the catalogues through that function
    assert "!!python/object/apply:sitebuild.i18n.catalogues" in (ROOT / "mkdocs.base.yml").read_text(encoding="utf-8")


def test_a_message_gets_exactly_its_values():
    assert i18n.t("cell.ran_in", "es", time="12 ms") == "Ejecutada en 12 ms."
    with pytest.raises(i18n.CatalogueError, match="needs a value for time"):
        i18n.t("cell.ran_in", "en")
    with pytest.raises(i18n.CatalogueError, match="takes no value"):
        i18n.t("cell.run", "en", time="1")
    with pytest.raises(i18n.CatalogueError, match="has no message 'cell.walk'"):
        i18n.t("cell.walk", "es")


# ---------------------------------------------------------------- code names keys that exist, and only those

def literal_keys() -> dict[str, list[str]]:
    """Key-like string literals in the code, by key, with the files naming them."""
    found: dict[str, list[str]] = {}
    for path in CODE:
        for key in KEY_LITERAL.findall(path.read_text(encoding="utf-8")):
            if key.split(".")[0] in NAMESPACES and not FILE_NAME.search(key):
                found.setdefault(key, []).append(path.relative_to(ROOT).as_posix())
    return found


def test_every_key_the_code_names_is_in_the_catalogues():
    missing = {key: files for key, files in literal_keys().items() if key not in ENGLISH}
    assert not missing, missing


def test_every_engine_word_is_a_key_with_words_in_every_language():
    from instruments import plot

    word_ids, marks = frame_words()
    refs = [ref for engine in engines() for ref in spec_refs(engine.SPEC)] + marks
    assert refs and word_ids
    for language in pages.LANGUAGES:
        for ref in refs:
            assert i18n.words(ref, language).strip(), (language, ref)
        for word in word_ids | {"overflow"}:
            assert i18n.t(f"instrument.word.{word.lower()}", language), (language, word)
    # The plotting helpers' own words are the English catalogue's (their default outside the site).
    assert {f"plot.{k}": v for k, v in plot.WORDS.items()} == {k: v for k, v in ENGLISH.items() if k.startswith("plot.")}


def test_no_catalogue_entry_is_dead():
    """Each key is named by the code, an engine, or one of the few key families built from data."""
    from instruments import plot

    word_ids, marks = frame_words()
    used = set(literal_keys())
    used |= {i18n.message_key(ref) for engine in engines() for ref in spec_refs(engine.SPEC)}
    used |= {i18n.message_key(mark) for mark in marks}
    used |= {f"instrument.word.{word.lower()}" for word in word_ids | {"overflow"}}
    # Words and marks an engine can produce off the baked grid are still named in its source.
    engine_literals = {m for path in ENGINE_SOURCES for m in re.findall(r'"(\w+)"', path.read_text(encoding="utf-8"))}
    used |= {key for key in ENGLISH if key.startswith("instrument.word.") and
             ({key.rsplit(".", 1)[1], key.rsplit(".", 1)[1].upper()} & engine_literals)}
    used |= {f"level.{level.lower()}" for level in content.LEVELS}
    used |= {f"status.{status}" for status in content.STATUSES if status != "published"}
    used |= {f"plot.{key}" for key in plot.WORDS}
    worker = (ROOT / "docs" / "assets" / "js" / "pyodide-worker.js").read_text(encoding="utf-8")
    used |= {f"cell.stage.{stage}" for stage in re.findall(r'progress\("(\w+)", \d\)', worker)}
    # The Python runner's sentences: pycells.js passes cell.python.<name> as messages["<name>"].
    runner = (ROOT / "docs" / "assets" / "py" / "pycell_runner.py").read_text(encoding="utf-8")
    used |= {f"cell.python.{name}" for name in re.findall(r'messages\.get\("(\w+)"', runner)}
    dead = sorted(set(ENGLISH) - used)
    assert not dead, f"no code names these keys: {dead}"


# ---------------------------------------------------------------- no words written into scripts and templates

SENTENCE = re.compile(r"(?<![\w-])[A-Za-z][a-z]+,? [a-z]{2,}(?![\w-])")
REGEX_CAN_START = set("(,=:[!&|?{};")
# A CSS selector list such as "figure.equation > .arithmatex, pre > code": every
# part a chain of compound selectors (lower-case tag, classes, ids, attributes,
# pseudo-classes) joined by combinators, and each part with a combinator or
# more than a bare tag, so that "so, it goes" stays a sentence.
COMPOUND = r"(?:[a-z][a-z0-9-]*|\*)?(?:[.#][\w-]+|\[[^\]]+\]|::?[\w-]+(?:\([^)]*\))?)*"
SELECTOR_PART = re.compile(rf"\s*{COMPOUND}(?:\s*[>+~]\s*{COMPOUND}|\s+{COMPOUND})*\s*")


def is_selector_list(literal: str) -> bool:
    parts = literal.split(",")
    return all(SELECTOR_PART.fullmatch(part) and re.search(r"[.#\[:>+~]", part) for part in parts)


def string_literals(code: str):
    """(text before, literal, text after) for each string literal of a JavaScript source.

    Comments and regular expression literals are skipped; enough of a tokenizer
    for our own scripts, which a test below exercises.
    """
    i, n = 0, len(code)
    while i < n:
        c = code[i]
        if code.startswith("//", i):
            i = code.find("\n", i) if "\n" in code[i:] else n
        elif code.startswith("/*", i):
            i = code.index("*/", i) + 2
        elif c == "/" and (code[:i].rstrip()[-1:] in REGEX_CAN_START or code[:i].rstrip().endswith("return")):
            j, in_class = i + 1, False
            while in_class or code[j] != "/":
                if code[j] == "\\":
                    j += 1
                elif code[j] == "[":
                    in_class = True
                elif code[j] == "]":
                    in_class = False
                j += 1
            i = j + 1
        elif c in "\"'`":
            j = i + 1
            while code[j] != c:
                j += 2 if code[j] == "\\" else 1
            yield code[max(0, i - 40):i], code[i + 1:j], code[j + 1:j + 3]
            i = j + 1
        else:
            i += 1


PYTHON_DUMP_HEADER = "Stack (most recent call first):"  # faulthandler's, matched by pyodide-worker.js
# A Python import a script writes into a cell (instruments.js's "Open in Python").
PYTHON_IMPORT = re.compile(r"(from [\w.]+ )?import \w+(, \w+)*")


def sentences_in(code: str) -> list[str]:
    """Literals that read as words for a reader. Not: object keys (CodeMirror's phrase
    names), Python the worker runs or a cell is written with, the strict-mode directive, messages for a developer
    (the console, a rejected promise of the test hooks), text Python prints that a
    script looks for (the fatal-error dump's first line, never shown)."""
    found = []
    for before, literal, after in string_literals(code):
        if after.startswith(":") or "sys.path" in literal or literal in ("use strict", PYTHON_DUMP_HEADER):
            continue
        if is_selector_list(literal):
            continue
        if PYTHON_IMPORT.fullmatch(re.sub(r"\$\{[^}]*\}", "name", literal)):
            continue
        if literal.startswith("encyclopedia: ") or before.endswith("Promise.reject(new Error("):
            continue
        words = re.sub(r"<[^>]*>", " ", re.sub(r"\$\{[^}]*\}", " ", literal))  # markup is no sentence
        if SENTENCE.search(words):
            found.append(literal)
    return found


@pytest.mark.parametrize("script", sorted((ROOT / "docs" / "assets" / "js").glob("*.js")), ids=lambda p: p.name)
def test_scripts_write_no_sentence_of_their_own(script):
    assert sentences_in(script.read_text(encoding="utf-8")) == []


def test_the_sentence_check_catches_words_in_a_script():
    code = """say("Ran in " + ms); // Ran in ms
el("p", { class: "enc-button enc-button--quiet", text: `Python could not start: ${e}` });
const k = { "Control character": t("x") }; const r = /["']x/g; s.replace(/[&<>"]/g, "so it goes");
box.innerHTML = `<label for="${id}">${t("quiz.check")}</label> <button>Show it all</button>`;
cell(`from instruments import ${engine}`, "from x.y import show", "Then import it all from here");
q("figure.equation > .arithmatex, pre > code"); q("so, it goes"); q("a.link, nav > li"); q("Hold on, then run");"""
    assert sentences_in(code) == ["Ran in ", "Python could not start: ${e}", "so it goes",
                                  '<label for="${id}">${t("quiz.check")}</label> <button>Show it all</button>',
                                  "Then import it all from here", "so, it goes", "Hold on, then run"]


def test_templates_write_no_words_of_their_own():
    """Our theme templates take every word from the catalogue or from the theme's own lang.t."""
    for template in sorted((ROOT / "overrides").rglob("*.html")):
        markup = re.sub(r"\{#.*?#\}|\{\{.*?\}\}|\{%.*?%\}", "", template.read_text(encoding="utf-8"), flags=re.S)
        attributes = re.findall(r'\s(?:aria-label|title|placeholder|alt)="([^"]*)"', markup)
        for script in re.findall(r"<script\b[^>]*>(.*?)</script>", markup, flags=re.S):
            assert sentences_in(script) == [], (template.name, script)  # inline code: as for the scripts
        markup = re.sub(r"<script\b[^>]*>.*?</script>", " ", markup, flags=re.S)
        text = re.sub(r"<[^>]+>", " ", markup)
        assert not [a for a in attributes if a.strip()], (template.name, attributes)
        assert not re.findall(r"[A-Za-z]{3,}", text), (template.name, text.split())


def test_the_catalogue_is_valid_yaml_with_flat_keys():
    for language in i18n.languages():
        data = yaml.safe_load(i18n.catalogue_path(language).read_text(encoding="utf-8"))
        assert all(isinstance(v, str) for v in data.values())
        json.dumps(data)
