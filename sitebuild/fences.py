"""Custom superfences: how a page declares equations, quizzes, instruments, cells.

Each fence is ordinary Markdown syntax (pymdownx.superfences custom fences,
listed in mkdocs.base.yml), so pages stay portable to any builder that runs
Python-Markdown extensions::

    ```equation label="N1.3" title="Variance propagation"
    \\mathrm{Var}(z) = n_\\text{in}\\,\\mathrm{Var}(W)\\,\\mathrm{Var}(h)
    ```

Options are ``key="value"`` pairs after the fence name. ``FENCES`` declares
which options each fence takes; ``check_options`` (the fences' validator)
fails the build on an unknown, misspelt or missing one, naming the page and
the fence. Every error raised while a fence is formatted fails the build the
same way: superfences would otherwise swallow it and print the fence as code.

Words a fence adds itself ("Worked solution", "EQ N1.3", a chapter card's
facts) come from the message catalogue in the page's language
(``i18n.py``); the fence's own text is the page's content.

Markdown inside a fence (quiz text, captions) is converted by a small private
converter: it supports inline math, emphasis and in-page ``#anchor`` links;
the built-site tests check those anchors resolve.
"""

from __future__ import annotations

import difflib
import functools
import html
import posixpath
import re
from dataclasses import dataclass

import markdown
import yaml
from pymdownx.superfences import SuperFencesException

from . import content
from .context import current_page, describe
from .i18n import DEFAULT_LANGUAGE, t, translator, words
from .page_header import level_words
from .reading_time import reading_minutes


class FenceError(SuperFencesException, ValueError):
    """A fence with a wrong option or content; the build stops on it, naming the page."""


@dataclass(frozen=True)
class FenceOptions:
    required: tuple[str, ...] = ()
    optional: tuple[str, ...] = ()

    @property
    def allowed(self) -> tuple[str, ...]:
        return self.required + self.optional


FENCES = {
    "equation": FenceOptions(required=("label",), optional=("title",)),
    "quiz": FenceOptions(required=("id", "kind", "answer", "title"), optional=("tolerance",)),
    "instrument": FenceOptions(required=("engine",)),
    "pycell": FenceOptions(required=("id", "title")),
    "chapters": FenceOptions(),
    "flashcards": FenceOptions(required=("deck", "title")),
    "predict": FenceOptions(required=("id", "title", "outcome", "cell")),
    "predictions": FenceOptions(),
    "references": FenceOptions(),
    "reading-path": FenceOptions(),
    "instrument-gallery": FenceOptions(),
}


def _name(fence: str, options: dict) -> str:
    """'```quiz id="quiz-he-std"': the fence as an author finds it in the page."""
    for key in ("id", "label", "engine", "deck"):
        if options.get(key):
            return f'```{fence} {key}="{options[key]}"'
    return f"```{fence}"


def check_options(language, inputs, options, attrs, md) -> bool:
    """superfences validator: accept the fence's declared options, refuse anything else."""
    declared = FENCES[language]
    where = f"{describe(md)}: {_name(language, inputs)}"
    for key in inputs:
        if key not in declared.allowed:
            close = difflib.get_close_matches(key, declared.allowed, n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            takes = ", ".join(declared.allowed) or "no options"
            raise FenceError(f"{where} has an unknown option {key!r}{hint}; it takes {takes}")
    missing = [key for key in declared.required if not inputs.get(key)]
    if missing:
        raise FenceError(f"{where} needs the option(s) {', '.join(missing)}")
    options.update(inputs)
    return True


def formatter(fence: str):
    """Wrap a fence's formatter so that any failure names the page and the fence."""

    def wrap(render):
        @functools.wraps(render)
        def format_fence(source, language, css_class, options, md, **kwargs):
            try:
                return render(source, options, md)
            except FenceError:
                raise
            except Exception as err:
                raise FenceError(f"{describe(md)}: {_name(fence, options)}: {err}") from err

        return format_fence

    return wrap


@functools.cache
def _inner_converter() -> markdown.Markdown:
    # Loading extensions is the costly part; one converter, reset per use, serves every fence.
    return markdown.Markdown(
        extensions=["pymdownx.arithmatex", "attr_list", "pymdownx.betterem"],
        extension_configs={"pymdownx.arithmatex": {"generic": True}},
    )


def _language(md) -> str:
    """The language of the page being converted (the default outside a site build)."""
    page = current_page(md)
    return page.language if page else DEFAULT_LANGUAGE


def _inner_markdown(text: str) -> str:
    return _inner_converter().reset().convert(text.strip())


def equation_id(label: str) -> str:
    """'N1.10' -> 'eq-n1-10', the anchor prose links point at."""
    return "eq-" + re.sub(r"[^a-z0-9]+", "-", label.lower()).strip("-")


@formatter("equation")
def format_equation(source, options, md) -> str:
    anchor = equation_id(options["label"])
    title = html.escape(options.get("title", ""))
    tex = html.escape(source.strip())
    label = translator(_language(md))("equation.label", label=options["label"])
    return (
        f'<figure class="equation" id="{anchor}">'
        f'<figcaption><a class="equation__label" href="#{anchor}">{html.escape(label)}</a>'
        + (f' <span class="equation__title">{title}</span>' if title else "")
        # Revealed by previews.js once a reader arrives from a link in the text.
        + f' <a class="xref-back" href="#" hidden>{html.escape(t("xref.back", _language(md)))}</a>'
        + f'</figcaption><div class="arithmatex">\\[{tex}\\]</div></figure>'
    )


QUIZ_KINDS = {"numeric", "truefalse"}
HINT_MARK = re.compile(r"^--- hint ---\s*$", re.M)
SOLUTION_MARK = re.compile(r"^--- solution ---\s*$", re.M)


def _quiz_sections(source: str) -> tuple[str, str, str]:
    """(question, hint, solution): every quiz gives a hint for the second try, then its solution."""
    parts = SOLUTION_MARK.split(source, maxsplit=1)
    if len(parts) != 2:
        raise ValueError("the quiz needs a '--- solution ---' line")
    before, solution = parts
    if HINT_MARK.search(solution):
        raise ValueError("the '--- hint ---' section comes before '--- solution ---'")
    asked = HINT_MARK.split(before, maxsplit=1)
    if len(asked) != 2 or not asked[1].strip():
        raise ValueError("the quiz needs a '--- hint ---' section before its solution (the hint a reader "
                         "gets after a first wrong answer)")
    question, hint = asked
    return question, hint, solution


@formatter("quiz")
def format_quiz(source, options, md) -> str:
    kind = options["kind"]
    if kind not in QUIZ_KINDS:
        raise ValueError(f"kind must be one of {', '.join(sorted(QUIZ_KINDS))}; got {kind!r}")
    question, hint, solution = (_inner_markdown(p) for p in _quiz_sections(source))
    answer = options["answer"].strip().lower()
    if kind == "numeric":
        _number("answer", answer)  # a typo in the answer must fail the build, not the reader
        tolerance = options.get("tolerance", "0")
        _number("tolerance", tolerance)
    elif "tolerance" in options:
        raise ValueError("only a numeric quiz takes a tolerance")
    elif answer not in {"true", "false"}:
        raise ValueError(f"a true/false quiz needs answer true or false; got {answer!r}")
    data = f'data-quiz-kind="{kind}" data-answer="{html.escape(answer)}"'
    if kind == "numeric":
        data += f' data-tolerance="{html.escape(tolerance)}"'
    quiz_id = html.escape(options["id"])
    w = translator(_language(md))
    return (
        f'<div class="admonition question quiz" id="{quiz_id}" {data}>'
        f'<p class="admonition-title">{html.escape(options["title"])}</p>'
        f'<div class="quiz__question">{question}</div>'
        f'<details class="tip quiz__hint"><summary>{html.escape(w("quiz.hint"))}</summary>{hint}</details>'
        f'<details class="success quiz__solution"><summary>{html.escape(w("quiz.solution"))}</summary>'
        f"{solution}</details>"
        f"</div>"
    )


@formatter("instrument")
def format_instrument(source, options, md) -> str:
    from .instrument_panel import render_panel

    return render_panel(options["engine"], _inner_markdown(source), _language(md))


@formatter("pycell")
def format_pycell(source, options, md) -> str:
    from .pycell import render_cell

    _check_slug("cell", options["id"], md)
    return render_cell(options["id"], options["title"], source, _language(md))


def _check_slug(kind: str, given: str, md) -> None:
    """Ids carry the page's slug: unique across the site, and a reader's saved
    edits and predictions (keyed by id) never collide between pages."""
    page = current_page(md)
    if page is not None:
        slug = content.slug_of(page.path)
        if not given.startswith(slug + "-"):
            raise ValueError(f"a {kind} id on this page starts with {slug + '-'!r}; got {given!r}")


@formatter("predict")
def format_predict(source, options, md) -> str:
    """A prediction card: question, then the answer and its own cell (sitebuild/predict.py)."""
    from .predict import parse_card, render_card

    _check_slug("card", options["id"], md)
    page = current_page(md)
    if page is not None and not options["cell"].startswith(content.slug_of(page.path) + "/"):
        raise ValueError(f"a card's cell lives in pysnippets/{content.slug_of(page.path)}/; got {options['cell']!r}")
    return render_card(parse_card(source, options), _inner_markdown, _language(md))


@formatter("predictions")
def format_predictions(source, options, md) -> str:
    """The reader's record of every card in the part's labs, from the content registry."""
    from .predict import render_record

    if source.strip():
        raise ValueError("the cards come from the lab pages in content.yml; leave the fence empty")
    page = current_page(md)
    here = page.path if page else "labs/index.md"
    if not here.endswith("/index.md"):
        # Links in a fence's HTML agree between MkDocs and Zensical only on index pages.
        raise ValueError("the record of predictions can only be on a part's index page (index.md)")
    language = page.language if page else content.DEFAULT_LANGUAGE
    docs_dir = page.docs_dir if page else content.ROOT / "docs"
    registry = content.load(content.find_registry(docs_dir))
    return render_record(registry, here, language, docs_dir)


@formatter("chapters")
def format_chapters(source, options, md) -> str:
    """The front page's chapter list, from the content registry."""
    if source.strip():
        raise ValueError("the chapter list comes from content.yml; leave the fence empty")
    page = current_page(md)
    here = page.path if page else "index.md"
    if here != "index.md" and not here.endswith("/index.md"):
        # A link in a fence's HTML is taken as is by MkDocs but relative to the
        # source file by Zensical; the two agree only where the page's file
        # and its URL share a folder, which is true of index pages.
        raise ValueError("the chapter list can only be on an index page (index.md)")
    language = _language(md)
    docs_dir = page.docs_dir if page else content.ROOT / "docs"
    registry = content.load(content.find_registry(docs_dir))
    return f'<ol class="chapter-list">{"".join(_chapter_card(ch, here, language, docs_dir) for ch in registry.chapters())}</ol>'


CARD_FIELDS = {"id", "q", "a"}
CARD_ID = re.compile(r"^[a-z0-9][a-z0-9-]*$")


def load_deck(path) -> tuple[str, list[dict]]:
    """(deck id, cards) from a flashcard data file; a malformed file fails the build.

    The file holds ``deck`` (the id that keeps a reader's progress, the same in
    every language) and ``cards``, each with an ``id`` (stable, so progress
    survives a reordered deck) and Markdown ``q`` and ``a``.
    """
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    if not isinstance(data, dict) or set(data) != {"deck", "cards"}:
        raise ValueError(f"{path.name} holds two keys, deck and cards")
    deck, cards = data["deck"], data["cards"]
    if not isinstance(deck, str) or not CARD_ID.match(deck):
        raise ValueError(f"{path.name}: deck must be an id of lower-case letters, digits and dashes; got {deck!r}")
    if not isinstance(cards, list) or not cards:
        raise ValueError(f"{path.name}: cards must be a non-empty list")
    seen = set()
    for number, card in enumerate(cards, start=1):
        if not isinstance(card, dict) or set(card) != CARD_FIELDS:
            raise ValueError(f"{path.name}: card {number} needs exactly the fields id, q and a; got {card!r}")
        if not all(isinstance(card[k], str) and card[k].strip() for k in CARD_FIELDS):
            raise ValueError(f"{path.name}: card {number} has an empty or non-text field")
        if not CARD_ID.match(card["id"]) or card["id"] in seen:
            raise ValueError(f"{path.name}: card {number} needs a unique id of lower-case letters, digits and "
                             f"dashes; got {card['id']!r}")
        seen.add(card["id"])
    return deck, cards


@formatter("flashcards")
def format_flashcards(source, options, md) -> str:
    """A flashcard deck from a data file beside the page (each language has its own file).

    Without JavaScript it is a plain list of questions and answers;
    ``flashcards.js`` turns it into one card at a time that flips, with marks
    kept in the browser.
    """
    if source.strip():
        raise ValueError("the cards come from the deck file; leave the fence empty")
    page = current_page(md)
    if page is None:
        raise ValueError("a flashcard deck is read relative to its page, and this conversion has none")
    path = page.docs_dir / posixpath.dirname(page.path) / options["deck"]
    if not path.is_file():
        raise ValueError(f"no deck file {options['deck']!r} beside the page")
    deck, cards = load_deck(path)
    items = []
    for card in cards:
        question, answer = _inner_markdown(card["q"]), _inner_markdown(card["a"])
        if "<a " in question + answer:
            raise ValueError(f"card {card['id']!r} holds a link; a card is one big button, so it cannot")
        items.append(f'<div class="flashcards__item" data-card="{html.escape(card["id"])}">'
                     f"<dt>{question}</dt><dd>{answer}</dd></div>")
    ident = f"flashcards-{html.escape(deck)}"
    return (
        f'<section class="flashcards" id="{ident}" data-deck="{html.escape(deck)}" aria-labelledby="{ident}-title">'
        f'<p class="flashcards__title" id="{ident}-title">{html.escape(options["title"])}</p>'
        f'<dl class="flashcards__list">{"".join(items)}</dl></section>'
    )


def _chapter_card(chapter: content.Page, here: str, language: str, docs_dir) -> str:
    esc = html.escape
    w = translator(language)
    title = esc(chapter.text("title", language))
    facts = [f'<span class="chapter-card__fact">{esc(w("chapters.level", level=level_words(chapter.level, language)))}</span>']
    if chapter.published:
        source = docs_dir / chapter.path
        if not source.exists():
            raise ValueError(f"chapter {chapter.number} points at a missing page {chapter.path}")
        minutes = reading_minutes(source.read_text(encoding="utf-8"))
        facts.append(f'<span class="chapter-card__fact">{esc(w("chapters.minutes_read", minutes=minutes))}</span>')
        heading = f'<a href="{content.relative_url(here, chapter.path)}">{title}</a>'
    else:
        facts.append(f'<span class="chapter-card__fact chapter-card__fact--{esc(chapter.status)}">'
                     f'{esc(w(f"status.{chapter.status}"))}</span>')
        heading = f"<span>{title}</span>"
    instruments = chapter.text("instruments", language)
    if instruments:
        facts.append(f'<span class="chapter-card__fact">{esc(w("chapters.instruments", instruments=instruments))}</span>')
    modifier = "" if chapter.published else f" chapter-card--{esc(chapter.status)}"
    return (
        f'<li class="chapter-card{modifier}" id="chapter-{esc(chapter.number)}">'
        f'<span class="chapter-card__number">{esc(chapter.number)}</span>'
        f'<div class="chapter-card__body"><h3 class="chapter-card__title">{heading}</h3>'
        f'<p class="chapter-card__summary">{esc(chapter.text("summary", language))}</p>'
        f'<p class="chapter-card__facts">{" · ".join(facts)}</p></div></li>'
    )


def _number(option: str, text: str) -> float:
    try:
        return float(text)
    except ValueError:
        raise ValueError(f"{option} must be a number; got {text!r}") from None


@formatter("references")
def format_references(source, options, md) -> str:
    """The page's annotated reference list (see ``references.py``)."""
    from .references import render_references

    return render_references(source, _language(md), _inner_markdown)


def _index_page(md, fence: str) -> tuple[str, str, object]:
    """(page path, language, docs folder) of a fence that may only sit on an index page."""
    page = current_page(md)
    here = page.path if page else "index.md"
    if here != "index.md" and not here.endswith("/index.md"):
        # Links in a fence's HTML resolve alike under both builders only on index pages (see format_chapters).
        raise ValueError(f"the {fence} fence can only be on an index page (index.md)")
    return here, _language(md), (page.docs_dir if page else content.ROOT / "docs")


# What a step of the reading path is called, by the registry's kind of page.
STEP_WORDS = {"chapter": "front.step.chapter", "lesson": "front.step.lesson", "lab": "front.step.lab"}


@formatter("reading-path")
def format_reading_path(source, options, md) -> str:
    """Where a newcomer starts: the first published chapter, then the lessons, then the labs."""
    if source.strip():
        raise ValueError("the reading path comes from content.yml; leave the fence empty")
    here, language, docs_dir = _index_page(md, "reading-path")
    registry = content.load(content.find_registry(docs_dir))
    chapters = [p for p in registry.chapters() if p.published][:1]
    steps = chapters + [p for p in registry.pages("lesson") if p.published] + \
        [p for p in registry.pages("lab") if p.published]
    if not steps:
        raise ValueError("content.yml has no published chapter, lesson or lab to start from")
    esc = html.escape

    def kind(step) -> str:
        # Only numbered kinds (chapters, labs) name their number.
        return t(STEP_WORDS[step.kind], language, **({"number": step.number} if step.number else {}))

    items = "".join(
        f'<li class="reading-path__step"><a href="{content.relative_url(here, step.path)}">'
        f'<span class="reading-path__kind">{esc(kind(step))}</span>'
        f'<span class="reading-path__title">{esc(step.text("title", language))}</span></a>'
        f'<span class="reading-path__summary">{esc(step.text("summary", language))}</span></li>'
        for step in steps
    )
    return f'<ol class="reading-path" aria-label="{esc(t("front.path_label", language))}">{items}</ol>'


INSTRUMENT_FENCE = re.compile(r'^```instrument\b[^\n]*\bengine="([^"]+)"', re.M)
GALLERY_PAGE = "instruments.md"


def instrument_homes(registry: content.Registry, docs_dir) -> dict[str, str]:
    """engine -> the docs path of the first published page that shows it (else the gallery page)."""
    homes: dict[str, str] = {}
    for page in registry.published():
        for engine in INSTRUMENT_FENCE.findall((docs_dir / page.path).read_text(encoding="utf-8")):
            homes.setdefault(engine, page.path)
    return homes


@formatter("instrument-gallery")
def format_instrument_gallery(source, options, md) -> str:
    """A thumbnail of every instrument (drawn by the prepare step), linking to its panel.

    The pictures are written into the page rather than linked: a link in a
    fence's HTML would need a different path in each language edition and
    builder, and five small inline drawings cost less than five requests.
    """
    from instruments import load_engine

    from . import GENERATED, thumbnails
    from .bake import engine_exists, engine_names

    if source.strip():
        raise ValueError("the gallery lists every engine in instruments.ENGINES; leave the fence empty")
    here, language, docs_dir = _index_page(md, "instrument-gallery")
    registry = content.load(content.find_registry(docs_dir))
    homes = instrument_homes(registry, docs_dir)
    esc = html.escape
    cards = []
    for engine in engine_names():
        if not engine_exists(engine):
            continue
        home = homes.get(engine, GALLERY_PAGE)
        if not (docs_dir / home).exists():
            raise ValueError(f"instrument {engine} is on no published page and {GALLERY_PAGE} is missing")
        drawing = GENERATED / thumbnails.relative_path(engine)
        if not drawing.is_file():
            raise ValueError(f"{drawing.relative_to(content.ROOT)} is missing: run `python -m sitebuild prepare`")
        picture = drawing.read_text(encoding="utf-8").strip().replace(
            "<svg ", '<svg class="instrument-thumb__picture" aria-hidden="true" focusable="false" ', 1)
        spec = load_engine(engine).SPEC
        label = t("front.thumbnail_label", language, label=spec["label"], title=words(spec["title"], language))
        cards.append(
            f'<li class="instrument-thumb" data-engine="{esc(engine)}">'
            f'<a href="{content.relative_url(here, home)}#instrument-{engine}">{picture}'
            f'<span class="instrument-thumb__label">{esc(label)}</span></a>'
            f'<span class="instrument-thumb__subtitle">{esc(words(spec["subtitle"], language))}</span></li>'
        )
    return f'<ul class="instrument-gallery">{"".join(cards)}</ul>'
