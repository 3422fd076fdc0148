"""Server-rendered HTML of an instrument panel, built from the engine's SPEC.

The panel works before (and without) JavaScript: it shows the title, the
setting it was drawn at, a static SVG picture and the readouts of the default
frame. ``docs/assets/js/instruments.js`` then replaces the settings line with
live controls and the picture with a Plotly chart, and keeps the readouts
(an ``aria-live`` region) up to date. Nothing here is specific to one
instrument: everything comes from ``SPEC`` and the baked frames.

The engines name their words by message key and the panel shows them in the
page's language (``i18n.words``); so does the browser renderer, from the
same catalogue. Readout numbers use the language's decimal mark.
"""

from __future__ import annotations

import html

from instruments import readouts

from .bake import engine_exists, engine_key, load_baked
from .i18n import DEFAULT_LANGUAGE, t, words
from .svg_chart import figure_to_svg


class InstrumentError(ValueError):
    """A page names an unknown engine; the build stops on it."""


def word(word_id: str, language: str = DEFAULT_LANGUAGE) -> str:
    """A word an engine put in a frame ("overflow", "EXPLODES"): its message, matched in lowercase."""
    return t(f"instrument.word.{word_id.lower()}", language)


def decimal_mark(language: str = DEFAULT_LANGUAGE) -> str:
    return t("format.separators", language)[0]


def format_readout(value, how: dict | None = None, language: str = DEFAULT_LANGUAGE) -> str:
    """A readout as text, by its SPEC entry's ``format``, in ``language``.

    The rules live in ``instruments.readouts`` (a cell that calls an engine
    prints its readouts with them too); here they get the language's engine
    words and decimal mark. Mirrors ``formatReadout`` in instruments.js.
    """
    if isinstance(value, list):
        return " · ".join(format_readout(v, how, language) for v in value)
    engine_words = {value.lower(): word(value, language)} if isinstance(value, str) else {"overflow": word("overflow", language)}
    return readouts.format_readout(value, how, words=engine_words, decimal_mark=decimal_mark(language))


def control_value_label(control: dict, value, language: str = DEFAULT_LANGUAGE) -> str:
    if control["kind"] == "choice":
        return words(next(c["label"] for c in control["choices"] if c["value"] == value), language)
    shown = format_readout(value, language=language)
    return f"{shown} {words(control['unit'], language)}" if control.get("unit") else shown


def panel_title(spec: dict, language: str = DEFAULT_LANGUAGE) -> str:
    return t("instrument.panel_title", language, label=spec["label"], title=words(spec["title"], language).upper())


def default_controls(spec: dict) -> dict:
    return {c["name"]: c["default"] for c in spec["controls"]}


def static_figure(spec: dict, frame: dict, language: str = DEFAULT_LANGUAGE) -> dict:
    """A Plotly-style figure dict of one frame, for the no-JavaScript picture."""
    chart = spec["chart"]
    data = [
        {"type": "bar" if trace.get("kind") == "bar" else "scatter", "name": words(trace["name"], language),
         "x": frame["series"][trace["x"]], "y": frame["series"][trace["y"]]}
        for trace in chart["traces"]
    ]
    return {"data": data, "layout": {"title": {"text": words(chart["y"]["title"], language)}}}


def _readouts_html(spec: dict, frame: dict, language: str) -> str:
    rows = "".join(
        f'<div class="instrument__readout" data-readout="{html.escape(r["name"])}">'
        f'<dt>{html.escape(words(r["label"], language))}</dt>'
        f'<dd>{html.escape(format_readout(frame["readouts"][r["name"]], r, language))}</dd></div>'
        for r in spec["readouts"]
    )
    return f'<dl class="instrument__readouts">{rows}</dl>'


def _missing_engine_panel(engine: str, caption_html: str, language: str) -> str:
    # The engine is declared in instruments.ENGINES but its module is not
    # written yet: say so on the page rather than failing the whole site.
    return (
        f'<figure class="instrument instrument--pending" id="instrument-{engine}">'
        f'<p class="instrument__title">{html.escape(t("instrument.pending_title", language, engine=engine))}</p>'
        f'<p class="instrument__notice">{html.escape(t("instrument.pending", language))}</p>'
        f'<figcaption class="instrument__caption">{caption_html}</figcaption></figure>'
    )


def render_panel(engine: str, caption_html: str, language: str = DEFAULT_LANGUAGE) -> str:
    from instruments import ENGINES, load_engine
    from instruments._checks import frame_key

    if engine not in ENGINES:
        raise InstrumentError(f"instrument engine must be one of {', '.join(ENGINES)}; got {engine!r}")
    if not engine_exists(engine):
        return _missing_engine_panel(engine, caption_html, language)
    module = load_engine(engine)
    spec = module.SPEC
    baked = load_baked(engine)
    frame = baked["frames"][frame_key(spec)] if baked else module.frame(**default_controls(spec))

    ident = f"instrument-{engine}"
    title = panel_title(spec, language)
    settings = " · ".join(
        f"{words(c['label'], language)} {control_value_label(c, c['default'], language)}" for c in spec["controls"]
    )
    picture = figure_to_svg(static_figure(spec, frame, language),
                            label=f"{title}: {words(spec['chart']['y']['title'], language)}")
    return (
        f'<figure class="instrument" id="{ident}" data-engine="{engine}" '
        f'data-version="{engine_key(engine)}" aria-labelledby="{ident}-title">'
        f'<div class="instrument__head">'
        f'<p class="instrument__title" id="{ident}-title">{html.escape(title)}</p>'
        f'<p class="instrument__subtitle">{html.escape(words(spec["subtitle"], language))}</p></div>'
        f'<div class="instrument__controls">'
        f'<p class="instrument__settings">{html.escape(t("instrument.shown_at", language, settings=settings))}</p></div>'
        f'<div class="instrument__chart">{picture}</div>'
        f'<div class="instrument__live" aria-live="polite">{_readouts_html(spec, frame, language)}</div>'
        f'<figcaption class="instrument__caption">{caption_html}</figcaption></figure>'
    )
