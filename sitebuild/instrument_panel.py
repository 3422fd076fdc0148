"""Server-rendered HTML of an instrument panel, built from the engine's SPEC.

The panel works before (and without) JavaScript: it shows the title, the
setting it was drawn at, a static SVG picture and the readouts of the default
frame. ``docs/assets/js/instruments.js`` then replaces the settings line with
live controls and the picture with a Plotly chart, and keeps the readouts
(an ``aria-live`` region) up to date. Nothing here is specific to one
instrument: everything comes from ``SPEC`` and the baked frames.
"""

from __future__ import annotations

import html
import math

from .bake import engine_exists, engine_key, load_baked
from .svg_chart import figure_to_svg


class InstrumentError(ValueError):
    """A page names an unknown engine; the build stops on it."""


def format_number(value: float) -> str:
    """A readout number for humans: 3 significant digits, powers of ten when far from 1.

    Mirrors ``formatNumber`` in instruments.js; the browser tests check the
    two agree on the default frame.
    """
    if value == 0:
        return "0"
    if 1e-3 <= abs(value) < 1e4:
        plain = f"{float(f'{value:.3g}'):f}"
        return plain.rstrip("0").rstrip(".")
    mantissa, exponent = f"{value:.2e}".split("e")
    mantissa = mantissa.rstrip("0").rstrip(".")
    return f"{mantissa} × 10{_superscript(str(int(exponent)))}"


_SUPERSCRIPTS = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")


def _superscript(text: str) -> str:
    return text.translate(_SUPERSCRIPTS)


def format_readout(value, how: dict | None = None) -> str:
    """A readout as text, by its SPEC entry's ``format``.

    "sci" (and the default): see ``format_number``; "fixed": ``digits``
    decimals; "percent": a fraction shown as a percentage with ``digits``
    decimals (default 1). Lists are joined, words the engine chose
    ("overflow", "diverged", a verdict) pass through. Mirrors ``formatReadout``
    in instruments.js.
    """
    how = how or {}
    if isinstance(value, list):
        return " · ".join(format_readout(v, how) for v in value)
    if isinstance(value, bool) or value is None:
        return "—" if value is None else str(value)
    if not isinstance(value, (int, float)):
        return str(value)
    if not math.isfinite(value):
        return "overflow"
    kind = how.get("format", "sci")
    # Fixed decimals only for ordinary magnitudes, as in the browser.
    if kind == "fixed" and abs(value) < 1e15:
        return f"{value:.{how.get('digits', 3)}f}"
    if kind == "percent" and abs(value) < 1e13:
        return f"{value * 100:.{how.get('digits', 1)}f}%"
    return format_number(value)


def control_value_label(control: dict, value) -> str:
    if control["kind"] == "choice":
        return next(c["label"] for c in control["choices"] if c["value"] == value)
    shown = format_readout(value)
    return f"{shown} {control['unit']}" if control.get("unit") else shown


def panel_title(spec: dict) -> str:
    return f"INSTRUMENT {spec['label']} — {spec['title'].upper()}"


def default_controls(spec: dict) -> dict:
    return {c["name"]: c["default"] for c in spec["controls"]}


def static_figure(spec: dict, frame: dict) -> dict:
    """A Plotly-style figure dict of one frame, for the no-JavaScript picture."""
    chart = spec["chart"]
    data = [
        {"type": "bar" if t.get("kind") == "bar" else "scatter", "name": t["name"],
         "x": frame["series"][t["x"]], "y": frame["series"][t["y"]]}
        for t in chart["traces"]
    ]
    return {"data": data, "layout": {"title": {"text": chart["y"].get("title", "")}}}


def _readouts_html(spec: dict, frame: dict) -> str:
    rows = "".join(
        f'<div class="instrument__readout" data-readout="{html.escape(r["name"])}">'
        f'<dt>{html.escape(r["label"])}</dt>'
        f'<dd>{html.escape(format_readout(frame["readouts"][r["name"]], r))}</dd></div>'
        for r in spec["readouts"]
    )
    return f'<dl class="instrument__readouts">{rows}</dl>'


def _missing_engine_panel(engine: str, caption_html: str) -> str:
    # The engine is declared in instruments.ENGINES but its module is not
    # written yet: say so on the page rather than failing the whole site.
    return (
        f'<figure class="instrument instrument--pending" id="instrument-{engine}">'
        f'<p class="instrument__title">INSTRUMENT · {html.escape(engine)}</p>'
        f'<p class="instrument__notice">This instrument is being built; its simulation is not published yet.</p>'
        f'<figcaption class="instrument__caption">{caption_html}</figcaption></figure>'
    )


def render_panel(engine: str, caption_html: str) -> str:
    from instruments import ENGINES, load_engine
    from instruments._checks import frame_key

    if engine not in ENGINES:
        raise InstrumentError(f"instrument engine must be one of {', '.join(ENGINES)}; got {engine!r}")
    if not engine_exists(engine):
        return _missing_engine_panel(engine, caption_html)
    module = load_engine(engine)
    spec = module.SPEC
    baked = load_baked(engine)
    frame = baked["frames"][frame_key(spec)] if baked else module.frame(**default_controls(spec))

    ident = f"instrument-{engine}"
    title = panel_title(spec)
    settings = " · ".join(
        f"{html.escape(c['label'])} {html.escape(control_value_label(c, c['default']))}"
        for c in spec["controls"]
    )
    picture = figure_to_svg(static_figure(spec, frame), label=f"{title}: {spec['chart']['y'].get('title', '')}")
    return (
        f'<figure class="instrument" id="{ident}" data-engine="{engine}" '
        f'data-version="{engine_key(engine)}" aria-labelledby="{ident}-title">'
        f'<div class="instrument__head">'
        f'<p class="instrument__title" id="{ident}-title">{html.escape(title)}</p>'
        f'<p class="instrument__subtitle">{html.escape(spec.get("subtitle", ""))}</p></div>'
        f'<div class="instrument__controls">'
        f'<p class="instrument__settings">Shown at: {settings}.</p></div>'
        f'<div class="instrument__chart">{picture}</div>'
        f'<div class="instrument__live" aria-live="polite">{_readouts_html(spec, frame)}</div>'
        f'<figcaption class="instrument__caption">{caption_html}</figcaption></figure>'
    )
