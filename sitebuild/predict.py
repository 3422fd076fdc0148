"""Predict, lock, reveal: the labs' prediction cards and the reader's record of them.

A card states a configuration, asks what training will do, and keeps its
answer (the explanation and a runnable cell with its static output) in a
collapsed ``<details>``. Without JavaScript that is the whole card: the
question, and an answer the reader opens when ready. ``predict.js`` turns it
into a form, hides the answer entirely until the reader locks in a
prediction or skips, and keeps the record in the browser.

A card is a fenced block; its options name the answer and the cell::

    ```predict id="variance-walk-card-uniform" title="…" outcome="diverges" cell="variance-walk/card_uniform_relu.py"
    The configuration, in Markdown.
    --- what fails first ---
    ( ) a wrong choice
    (x) the right choice
    ( ) another wrong choice
    --- explanation ---
    Why, in Markdown.
    ```

``outcome`` is one of the engine's outcomes (``instruments.deep_mlp.OUTCOMES``);
the "what fails first" section is optional, with exactly one ``(x)``. The
cell (a path under ``pysnippets/``) runs natively at build time, like every
cell, and must end with the line ``<word>: <outcome>`` (``outcome: stalls``,
``resultado: stalls``): a card whose own run disagrees with its answer stops
the build.

The ``predictions`` fence, on a part's index page, lists every card of the
part's lab pages (from the content registry) and shows the reader's record.

Every word the cards and the record show a reader comes from the message
catalogue (``lab.predict.*``, ``lab.outcome.*``, ``lab.record.*`` in
``messages/<language>.yml``), in the page's language; ``predict.js`` asks the
page's catalogue for its own (``encyclopedia.t``). A card on a page of another
edition runs that edition's twin of its cell (``pysnippets/<language>/...``).
"""

from __future__ import annotations

import html
import json
import re
from dataclasses import dataclass
from pathlib import Path

from instruments.deep_mlp import OUTCOMES

from . import content
from .editions import edition
from .i18n import DEFAULT_LANGUAGE, t

# The catalogue keys (messages/<language>.yml) of the outcome choices, by the engine's outcome.
OUTCOME_KEYS = {
    "trains": "lab.outcome.trains",
    "spikes": "lab.outcome.spikes",
    "diverges": "lab.outcome.diverges",
    "stalls": "lab.outcome.stalls",
}
assert tuple(OUTCOME_KEYS) == OUTCOMES, "one catalogue key per engine outcome"

SECTION = re.compile(r"^---\s*(what fails first|explanation)\s*---\s*$", re.M | re.I)
CHOICE = re.compile(r"^\((x| )\)\s+(.+)$", re.I)
PREDICT_FENCE = re.compile(r"^```predict\b([^\n]*)\n(.*?)^```\s*$", re.M | re.S)
OPTION = re.compile(r'(\w+)="([^"]*)"')


class CardError(ValueError):
    """A card whose declaration or whose own run is inconsistent; the build stops on it."""


@dataclass(frozen=True)
class Card:
    id: str
    title: str
    outcome: str
    cell: str
    config_md: str
    explanation_md: str
    fails_first: tuple[str, ...] = ()
    fails_first_answer: int | None = None


def parse_card(source: str, options: dict) -> Card:
    """Read a card's fence: options and its three sections."""
    missing = [k for k in ("id", "title", "outcome", "cell") if not options.get(k)]
    if missing:
        raise CardError(f"```predict needs option(s) {', '.join(missing)}; got {options}")
    card_id = options["id"]
    if options["outcome"] not in OUTCOMES:
        raise CardError(f"card {card_id!r}: outcome must be one of {', '.join(OUTCOMES)}; got {options['outcome']!r}")
    pieces = SECTION.split(source)
    config, sections = pieces[0], {}
    for name, body in zip(pieces[1::2], pieces[2::2]):
        key = name.lower()
        if key in sections:
            raise CardError(f"card {card_id!r}: two '--- {key} ---' sections")
        sections[key] = body
    if not config.strip():
        raise CardError(f"card {card_id!r} needs its configuration before the first section")
    if not sections.get("explanation", "").strip():
        raise CardError(f"card {card_id!r} needs an '--- explanation ---' section")
    choices, answer = [], None
    for line in sections.get("what fails first", "").strip().splitlines():
        match = CHOICE.match(line.strip())
        if not match:
            raise CardError(f"card {card_id!r}: each 'what fails first' line starts with ( ) or (x); got {line!r}")
        if match.group(1).lower() == "x":
            if answer is not None:
                raise CardError(f"card {card_id!r}: more than one (x) under 'what fails first'")
            answer = len(choices)
        choices.append(match.group(2).strip())
    if choices and (answer is None or len(choices) < 2):
        raise CardError(f"card {card_id!r}: 'what fails first' needs two or more choices, one marked (x)")
    return Card(card_id, options["title"], options["outcome"], options["cell"], config,
                sections["explanation"], tuple(choices), answer)


def cell_path(card: Card, language: str = DEFAULT_LANGUAGE) -> Path:
    """The card's cell in ``language``'s edition (the default edition's cell, or its twin)."""
    snippets = edition(language).snippets
    path = (snippets / card.cell).resolve()
    if snippets.resolve() not in path.parents or not path.is_file():
        raise CardError(f"card {card.id!r}: no cell {card.cell} under {snippets}")
    return path


def cell_source(card: Card, language: str = DEFAULT_LANGUAGE) -> str:
    return cell_path(card, language).read_text(encoding="utf-8")


# The last line a card's cell prints: a word of its language, a colon, the
# engine's outcome (an identifier, the same in every edition): "outcome: stalls".
OUTCOME_LINE = re.compile(rf"^\w+: ({'|'.join(OUTCOMES)})\s*$", re.M)


def check_run_agrees(card: Card, stdout: str) -> None:
    """The card's own run, made at build time, must print the outcome the card claims."""
    said = OUTCOME_LINE.findall(stdout)
    if said != [card.outcome]:
        raise CardError(f"card {card.id!r} says {card.outcome!r} but its cell printed "
                        f"{said or 'no outcome line'}:\n{stdout}")


def _choices(question: str, prompt: str, items: list[tuple[str, str]]) -> str:
    lis = "".join(f'<li data-value="{html.escape(value)}">{label}</li>' for value, label in items)
    return (f'<div class="predict__question" data-question="{question}">'
            f'<p class="predict__prompt">{html.escape(prompt)}</p>'
            f'<ul class="predict__choices">{lis}</ul></div>')


def render_card(card: Card, markdown_to_html, language: str = DEFAULT_LANGUAGE) -> str:
    """The card's HTML in ``language``; ``markdown_to_html`` converts its Markdown sections."""
    from .pycell import native_output, render_cell

    source = cell_source(card, language)
    check_run_agrees(card, native_output(source.strip("\n") + "\n", language)["stdout"])
    esc = html.escape
    outcome_items = [(o, esc(t(OUTCOME_KEYS[o], language))) for o in OUTCOMES]
    questions = _choices("outcome", t("lab.predict.question_outcome", language), outcome_items)
    verdict = (f'<p class="predict__verdict"><strong>{esc(t("lab.predict.answer_outcome", language))}</strong> '
               f'{esc(t(OUTCOME_KEYS[card.outcome], language))}.')
    fails_data = ""
    if card.fails_first:
        fails_items = [(str(i), markdown_inline(text, markdown_to_html)) for i, text in enumerate(card.fails_first)]
        questions += _choices("fails-first", t("lab.predict.question_fails_first", language), fails_items)
        verdict += (f' <strong>{esc(t("lab.predict.answer_fails_first", language))}</strong> '
                    f'{fails_items[card.fails_first_answer][1]}')
        fails_data = f' data-fails-first="{card.fails_first_answer}"'
    verdict += "</p>"
    cell = render_cell(f"{card.id}-run", card.title, source, language)
    config_html, explanation_html = markdown_to_html(card.config_md), markdown_to_html(card.explanation_md)
    for part in (config_html, explanation_html, questions):
        for href in re.findall(r'href="([^"]*)"', part):
            if not href.startswith("#"):
                # MkDocs leaves a fence's links as written, Zensical rewrites them: only in-page anchors agree.
                raise CardError(f"card {card.id!r} links to {href}; link to other pages from the prose around the card")
    return (
        f'<div class="admonition predict" id="{esc(card.id)}" data-outcome="{card.outcome}"{fails_data}>'
        f'<p class="admonition-title">{esc(t("lab.predict.kicker", language))} · {esc(card.title)}</p>'
        f'<div class="predict__config">{config_html}</div>'
        f'<div class="predict__questions">{questions}</div>'
        f'<details class="predict__answer"><summary>{esc(t("lab.predict.answer_summary", language))}</summary>'
        f'{verdict}<div class="predict__explanation">{explanation_html}</div>{cell}</details>'
        f"</div>"
    )


def markdown_inline(text: str, markdown_to_html) -> str:
    """One line of Markdown without its paragraph."""
    converted = markdown_to_html(text).strip()
    return converted[3:-4] if converted.startswith("<p>") and converted.endswith("</p>") else converted


# ------------------------------------------------------------------ the record


def cards_in(page: Path) -> list[Card]:
    """Every card declared on a Markdown page, in order."""
    return [parse_card(body, dict(OPTION.findall(options)))
            for options, body in PREDICT_FENCE.findall(page.read_text(encoding="utf-8"))]


def render_record(registry: content.Registry, here: str, language: str, docs_dir: Path) -> str:
    """The reader's record on a part's index page ``here``: every card of the part's labs."""
    esc = html.escape
    index = registry.by_path(here)
    if index is None:
        raise CardError(f"{here} is not in {content.REGISTRY_NAME}")
    labs = sorted((p for p in registry.pages("lab") if p.part == index.part and p.published),
                  key=lambda p: int(p.number))
    if not labs:
        raise CardError(f"the part of {here} has no published lab")
    groups, ids = [], []
    for lab in labs:
        cards = cards_in(docs_dir / lab.path)
        if not cards:
            raise CardError(f"{lab.path} has no ```predict cards")
        link = content.relative_url(here, lab.path)
        items = "".join(
            f'<li class="predict-record__card" data-card="{esc(card.id)}" data-outcome="{card.outcome}"'
            + (f' data-fails-first="{card.fails_first_answer}"' if card.fails_first else "") + ">"
            f'<a href="{esc(link)}#{esc(card.id)}">{esc(card.title)}</a> '
            f'<span class="predict-record__status"></span></li>'
            for card in cards)
        ids += [card.id for card in cards]
        name = t("lab.record.lab", language, number=lab.number, title=lab.text("title", language))
        groups.append(f'<li><span class="predict-record__lab">{esc(name)}</span>'
                      f'<ul class="predict-record__cards">{items}</ul></li>')
    if len(set(ids)) != len(ids):
        raise CardError("two cards share an id")
    return (
        f'<section class="predict-record" aria-labelledby="predict-record-heading">'
        f'<h2 id="predict-record-heading">{esc(t("lab.record.heading", language))}</h2>'
        f'<p class="predict-record__summary" role="status">{esc(t("lab.record.needs_js", language))}</p>'
        f'<ol class="predict-record__labs">{"".join(groups)}</ol>'
        f'<div class="predict-record__actions"></div>'
        f"</section>"
    )
