"""Readouts as the instrument panels print them, for cells that call an engine.

An instrument's "Open in Python" button writes a cell that calls the engine's
``frame`` at the panel's setting and ends with ``show(...)``: the cell then
prints each readout with the panel's label and the panel's number format, so
the reader can check the cell against the panel line by line. The site's
panels (sitebuild/instrument_panel.py) format with this same code; the
browser's twin is ``formatReadout`` in docs/assets/js/instruments.js.

Pure Python (no numpy), so it imports anywhere a cell runs.
"""

from __future__ import annotations

import math

__all__ = ["format_number", "format_readout", "show"]

_SUPERSCRIPTS = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")


def format_number(value: float) -> str:
    """3 significant digits; a power of ten when far from 1 (1.23 × 10⁻⁵)."""
    if value == 0:
        return "0"
    if 1e-3 <= abs(value) < 1e4:
        plain = f"{float(f'{value:.3g}'):f}"
        return plain.rstrip("0").rstrip(".")
    mantissa, exponent = f"{value:.2e}".split("e")
    mantissa = mantissa.rstrip("0").rstrip(".")
    return f"{mantissa} × 10{str(int(exponent)).translate(_SUPERSCRIPTS)}"


def format_readout(value, how: dict | None = None, *, words: dict | None = None, decimal_mark: str = ".") -> str:
    """One readout as text, by its SPEC entry's ``format``.

    "sci" (the default): ``format_number``; "fixed": ``digits`` decimals;
    "percent": a fraction shown as a percentage with ``digits`` decimals
    (default 1). A list is joined with " · "; a word the engine chose
    ("overflow", "EXPLODES") is looked up in ``words`` (lowercase keys) and
    shown as is when absent; a missing value is "—".
    """
    how = how or {}
    words = words or {}
    if isinstance(value, list):
        return " · ".join(format_readout(v, how, words=words, decimal_mark=decimal_mark) for v in value)
    if value is None:
        return "—"
    if isinstance(value, bool):
        return str(value)
    if not isinstance(value, (int, float)):
        return words.get(str(value).lower(), str(value))
    if not math.isfinite(value):
        return words.get("overflow", "overflow")
    kind = how.get("format", "sci")
    # Fixed decimals only for ordinary magnitudes, as in the browser.
    if kind == "fixed" and abs(value) < 1e15:
        text = f"{value:.{how.get('digits', 3)}f}"
    elif kind == "percent" and abs(value) < 1e13:
        text = f"{value * 100:.{how.get('digits', 1)}f}%"
    else:
        text = format_number(value)
    return text.replace(".", decimal_mark)


def show(frame: dict, spec: dict, labels: dict, *, words: dict | None = None, decimal_mark: str = ".") -> None:
    """Print every readout of ``frame`` as "label: value", in the panel's order.

    ``labels`` maps a readout's name to the words the panel shows for it.
    """
    for readout in spec["readouts"]:
        name = readout["name"]
        text = format_readout(frame["readouts"][name], readout, words=words, decimal_mark=decimal_mark)
        print(f"{labels.get(name, name)}: {text}")
