"""Interface words: one message catalogue per language, read by the build and the browser.

Every word a reader sees that is not page content (a control's label, a
verdict, Run and Stop, a quiz's feedback, a header fact) is written once per
language in ``messages/<language>.yml``, under a stable key::

    cell.run: Run                                  # messages/en.yml
    cell.run: Ejecutar                             # messages/es.yml
    cell.ran_in: Ran in {time}.                    # {name} is filled in by the caller

Code names keys, never words (Material's ``lang.t`` partials are the model):

* build-side Python: ``t("cell.run", language)`` (the page's language comes
  from ``theme.language`` of the edition being built, see ``context.py``);
* browser scripts: ``encyclopedia.t("cell.run")`` (``docs/assets/js/i18n.js``
  reads the page's catalogue, which ``overrides/main.html`` writes into each
  page from ``config.extra.messages``);
* theme templates: ``config.extra.messages[config.theme.language]["page.loading"]``;
* engines (``instruments/``) keep keys in their ``SPEC`` and short word ids in
  their frames (``instrument.word.<id>``, ``instrument.mark.<id>``), so the
  baked data is the same for every language.

Adding a string is adding its key to every catalogue (a test fails while one
language lacks it or leaves it empty). Adding a language is a catalogue, a
``mkdocs.<language>.yml`` and the pages under ``docs/<language>/`` (see
``editions.py``).
"""

from __future__ import annotations

import functools
import re
from pathlib import Path

import yaml

from . import ROOT

MESSAGES_DIR = ROOT / "messages"
DEFAULT_LANGUAGE = "en"
#: A key: lowercase words joined by dots, e.g. "instrument.init_explorer.control.depth".
KEY = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z0-9_]+)+$")
#: A placeholder in a message: {name}. The browser fills them with the same rule (i18n.js).
PLACEHOLDER = re.compile(r"\{([a-z_][a-z0-9_]*)\}")


class CatalogueError(ValueError):
    """A catalogue is malformed, lacks a key, or a message got the wrong values."""


def catalogue_path(language: str) -> Path:
    return MESSAGES_DIR / f"{language}.yml"


def languages() -> tuple[str, ...]:
    """Every language with a catalogue, the default first."""
    found = sorted(p.stem for p in MESSAGES_DIR.glob("*.yml"))
    if DEFAULT_LANGUAGE not in found:
        raise CatalogueError(f"no catalogue for the default language: {catalogue_path(DEFAULT_LANGUAGE)}")
    return (DEFAULT_LANGUAGE, *(lang for lang in found if lang != DEFAULT_LANGUAGE))


def catalogue(language: str) -> dict[str, str]:
    """The messages of ``language`` (key -> words), validated; cached until the file changes."""
    path = catalogue_path(language)
    if not path.is_file():
        raise CatalogueError(f"no message catalogue for language {language!r} (expected {path.relative_to(ROOT)})")
    stat = path.stat()
    return _load(str(path), stat.st_mtime_ns, stat.st_size)


@functools.lru_cache(maxsize=8)
def _load(path: str, mtime_ns: int, size: int) -> dict[str, str]:
    name = Path(path).name
    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as err:
        raise CatalogueError(f"{name} is not valid YAML (quote a message that contains ': '):\n{err}") from None
    if not isinstance(data, dict):
        raise CatalogueError(f"{name}: a catalogue is a mapping of key to words")
    for key, words in data.items():
        if not isinstance(key, str) or not KEY.match(key):
            raise CatalogueError(f"{name}: {key!r} is not a key (lowercase words joined by dots, e.g. cell.run)")
        if not isinstance(words, str) or not words.strip():
            raise CatalogueError(f"{name}: {key} needs words (a non-empty string); got {words!r}")
    return dict(data)


def placeholders(message: str) -> set[str]:
    return set(PLACEHOLDER.findall(message))


def fill(message: str, params: dict) -> str:
    """``message`` with each {name} replaced by ``params[name]`` (the rule i18n.js copies)."""
    missing = placeholders(message) - set(params)
    if missing:
        raise CatalogueError(f"{message!r} needs a value for {', '.join(sorted(missing))}")
    return PLACEHOLDER.sub(lambda m: str(params[m.group(1)]), message)


def t(key: str, language: str = DEFAULT_LANGUAGE, **params) -> str:
    """The words for ``key`` in ``language``, placeholders filled from ``params``.

    A key missing from the catalogue fails the build, naming the file: a page
    must never show a key, nor quietly fall back to another language.
    """
    messages = catalogue(language)
    if key not in messages:
        raise CatalogueError(f"{catalogue_path(language).relative_to(ROOT)} has no message {key!r}")
    unknown = set(params) - placeholders(messages[key])
    if unknown:
        raise CatalogueError(f"message {key!r} takes no value {', '.join(sorted(unknown))}")
    return fill(messages[key], params)


def words(ref, language: str = DEFAULT_LANGUAGE) -> str:
    """The words of a message reference, as engines write them in a ``SPEC`` or a frame.

    A reference is a key (``"instrument.init_explorer.control.depth"``) or a
    key with the values its message takes (``{"key": "instrument.saturation
    .trace.layer", "layer": 3}``). instruments.js resolves them the same way.
    """
    if isinstance(ref, str):
        return t(ref, language)
    if isinstance(ref, dict) and isinstance(ref.get("key"), str):
        return t(ref["key"], language, **{name: value for name, value in ref.items() if name != "key"})
    raise CatalogueError(f"a message reference is a key or {{'key': ..., values}}; got {ref!r}")


def message_key(ref) -> str:
    """The key of a message reference (see :func:`words`)."""
    return ref if isinstance(ref, str) else ref["key"]


def translator(language: str):
    """``t`` bound to one language: ``w = translator("es"); w("cell.run")``."""
    return functools.partial(t, language=language)


def problems(folder: Path | None = None) -> list[str]:
    """What keeps the catalogues in ``folder`` (default messages/) from matching: one line each.

    Every language must have exactly the default language's keys, each with
    words (the loader refuses empty ones) and the same {placeholders}.
    """
    folder = Path(folder or MESSAGES_DIR)
    found: list[str] = []
    loaded: dict[str, dict[str, str]] = {}
    for path in sorted(folder.glob("*.yml")):
        stat = path.stat()
        try:
            loaded[path.stem] = _load(str(path), stat.st_mtime_ns, stat.st_size)
        except CatalogueError as err:
            found.append(str(err))
    reference = loaded.pop(DEFAULT_LANGUAGE, None)
    if reference is None:
        return found or [f"no catalogue for the default language {DEFAULT_LANGUAGE!r} in {folder}"]
    for language, messages in loaded.items():
        for key in sorted(set(reference) - set(messages)):
            found.append(f"{language}.yml lacks {key} ({DEFAULT_LANGUAGE}: {reference[key]!r})")
        for key in sorted(set(messages) - set(reference)):
            found.append(f"{language}.yml has {key}, which {DEFAULT_LANGUAGE}.yml lacks")
        for key in sorted(set(messages) & set(reference)):
            if placeholders(messages[key]) != placeholders(reference[key]):
                found.append(f"{language}.yml: {key} takes {sorted(placeholders(messages[key]))}, "
                             f"{DEFAULT_LANGUAGE}.yml {sorted(placeholders(reference[key]))}")
    return found


def catalogues() -> dict[str, dict[str, str]]:
    """Every catalogue by language, for ``extra.messages`` in mkdocs.base.yml (templates and pages).

    Read when a builder loads its config, so a catalogue that lacks a key
    stops the build before any page is written.
    """
    found = problems()
    if found:
        raise CatalogueError("the message catalogues disagree:\n  " + "\n  ".join(found))
    return {language: catalogue(language) for language in languages()}
