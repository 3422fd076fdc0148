"""Custom superfences: how a page declares equations, quizzes, instruments, cells.

Each fence is ordinary Markdown syntax (pymdownx.superfences custom fences), so
pages stay portable to any engine that runs Python-Markdown extensions::

    ```equation label="N1.3" title="Variance propagation"
    \\mathrm{Var}(z) = n_\\text{in}\\,\\mathrm{Var}(W)\\,\\mathrm{Var}(h)
    ```

Options are ``key="value"`` pairs after the fence name. Markdown inside a fence
(quiz text, captions) is converted by a small private converter: it supports
inline math, emphasis and in-page ``#anchor`` links; the built-site tests check
those anchors resolve.
"""

from __future__ import annotations

import functools
import html
import re

import markdown
import yaml

from . import ROOT
from .reading_time import reading_minutes

DOCS_DIR = ROOT / "docs"


class FenceError(ValueError):
    """A fence with missing or malformed options; the build stops on it."""


def accept_options(language, inputs, options, attrs, md) -> bool:
    """superfences validator: keep every ``key="value"`` input as an option."""
    options.update(inputs)
    return True


@functools.cache
def _inner_converter() -> markdown.Markdown:
    # Loading extensions is the costly part; one converter, reset per use, serves every fence.
    return markdown.Markdown(
        extensions=["pymdownx.arithmatex", "attr_list", "pymdownx.betterem"],
        extension_configs={"pymdownx.arithmatex": {"generic": True}},
    )


def _inner_markdown(text: str) -> str:
    return _inner_converter().reset().convert(text.strip())


def _require(options: dict, fence: str, *names: str) -> None:
    missing = [n for n in names if not options.get(n)]
    if missing:
        raise FenceError(f"```{fence} needs option(s) {', '.join(missing)}; got {options}")


def equation_id(label: str) -> str:
    """'N1.10' -> 'eq-n1-10', the anchor prose links point at."""
    return "eq-" + re.sub(r"[^a-z0-9]+", "-", label.lower()).strip("-")


def format_equation(source, language, css_class, options, md, **kwargs) -> str:
    _require(options, "equation", "label")
    anchor = equation_id(options["label"])
    title = html.escape(options.get("title", ""))
    tex = html.escape(source.strip())
    return (
        f'<figure class="equation" id="{anchor}">'
        f'<figcaption><a class="equation__label" href="#{anchor}">EQ {html.escape(options["label"])}</a>'
        + (f' <span class="equation__title">{title}</span>' if title else "")
        + f'</figcaption><div class="arithmatex">\\[{tex}\\]</div></figure>'
    )


QUIZ_KINDS = {"numeric", "truefalse"}
SOLUTION_MARK = re.compile(r"^--- solution ---\s*$", re.M)


def format_quiz(source, language, css_class, options, md, **kwargs) -> str:
    _require(options, "quiz", "id", "kind", "answer", "title")
    kind = options["kind"]
    if kind not in QUIZ_KINDS:
        raise FenceError(f"quiz kind must be one of {sorted(QUIZ_KINDS)}; got {kind!r}")
    parts = SOLUTION_MARK.split(source, maxsplit=1)
    if len(parts) != 2:
        raise FenceError(f"quiz {options['id']!r} needs a '--- solution ---' line")
    question, solution = (_inner_markdown(p) for p in parts)
    answer = options["answer"].strip().lower()
    if kind == "numeric":
        float(answer)  # a typo in the answer must fail the build, not the reader
        tolerance = options.get("tolerance", "0")
        float(tolerance)
    elif answer not in {"true", "false"}:
        raise FenceError(f"true/false quiz {options['id']!r} needs answer true or false")
    data = f'data-quiz-kind="{kind}" data-answer="{html.escape(answer)}"'
    if kind == "numeric":
        data += f' data-tolerance="{html.escape(tolerance)}"'
    quiz_id = html.escape(options["id"])
    return (
        f'<div class="admonition question quiz" id="{quiz_id}" {data}>'
        f'<p class="admonition-title">{html.escape(options["title"])}</p>'
        f'<div class="quiz__question">{question}</div>'
        f'<details class="success quiz__solution"><summary>Worked solution</summary>{solution}</details>'
        f"</div>"
    )


def format_instrument(source, language, css_class, options, md, **kwargs) -> str:
    _require(options, "instrument", "engine")
    from .instrument_panel import render_panel

    return render_panel(options["engine"], _inner_markdown(source))


def format_pycell(source, language, css_class, options, md, **kwargs) -> str:
    _require(options, "pycell", "id", "title")
    from .pycell import render_cell

    return render_cell(options["id"], options["title"], source)


def format_predict(source, language, css_class, options, md, **kwargs) -> str:
    from .predict import parse_card, render_card

    return render_card(parse_card(source, options), _inner_markdown)


def format_predictions(source, language, css_class, options, md, **kwargs) -> str:
    from .predict import render_record

    return render_record(source)


def _page_url(page: str) -> str:
    # The chapters fence lives on the site's root index page, so a docs path
    # maps to a URL relative to the site root.
    return page[: -len(".md")] + "/" if page.endswith(".md") else page


def format_chapters(source, language, css_class, options, md, **kwargs) -> str:
    chapters = yaml.safe_load(source)
    items = []
    for ch in chapters:
        number = str(ch["number"])
        planned = ch.get("status") == "planned"
        title = html.escape(ch["title"])
        facts = [f'<span class="chapter-card__fact">level {html.escape(ch.get("level", ""))}</span>']
        if planned:
            facts.append('<span class="chapter-card__fact chapter-card__fact--planned">planned</span>')
            heading = f"<span>{title}</span>"
        else:
            page_path = DOCS_DIR / ch["page"]
            if not page_path.exists():
                raise FenceError(f"chapter {number} points at a missing page {ch['page']}")
            minutes = reading_minutes(page_path.read_text(encoding="utf-8"))
            facts.append(f'<span class="chapter-card__fact">≈ {minutes} min read</span>')
            heading = f'<a href="{_page_url(ch["page"])}">{title}</a>'
        if ch.get("instruments"):
            facts.append(f'<span class="chapter-card__fact">instruments: {html.escape(ch["instruments"])}</span>')
        items.append(
            f'<li class="chapter-card{" chapter-card--planned" if planned else ""}" id="chapter-{number}">'
            f'<span class="chapter-card__number">{number}</span>'
            f'<div class="chapter-card__body"><h3 class="chapter-card__title">{heading}</h3>'
            f'<p class="chapter-card__summary">{html.escape(ch.get("summary", ""))}</p>'
            f'<p class="chapter-card__facts">{" · ".join(facts)}</p></div></li>'
        )
    return f'<ol class="chapter-list">{"".join(items)}</ol>'


def custom_fences() -> list[dict]:
    """The ``custom_fences`` entries for pymdownx.superfences."""
    names = {
        "equation": format_equation,
        "quiz": format_quiz,
        "instrument": format_instrument,
        "pycell": format_pycell,
        "chapters": format_chapters,
        "predict": format_predict,
        "predictions": format_predictions,
    }
    return [
        {"name": name, "class": name, "format": fmt, "validator": accept_options}
        for name, fmt in names.items()
    ]
