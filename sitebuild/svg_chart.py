"""A tiny static SVG drawing of a Plotly figure dict, for readers without JavaScript.

It draws line/scatter traces as polylines and bar traces as columns on shared
axes, with the axis ranges printed, a logarithmic y axis when the figure asks
for one, and a legend when several named traces share the chart; it is a
picture of the data, not a replacement for the interactive chart.
"""

from __future__ import annotations

import html
import math

from .i18n import DEFAULT_LANGUAGE, t

WIDTH, HEIGHT, PAD = 560, 220, 36
COLOURS = ("#2e7d6b", "#8a8f98", "#c2410c", "#4338ca", "#a16207")


def _finite_points(trace: dict, log_y: bool = False) -> list[tuple[float, float]]:
    """(x, y) pairs to draw; on a log axis y is log10(y), and y <= 0 has no place."""
    xs = trace.get("x") or list(range(len(trace.get("y") or [])))
    points = []
    for x, y in zip(xs, trace.get("y") or []):
        if isinstance(x, (int, float)) and isinstance(y, (int, float)) and math.isfinite(x) and math.isfinite(y):
            if log_y:
                if y <= 0:
                    continue
                y = math.log10(y)
            points.append((float(x), float(y)))
    return points


def _fmt(v: float) -> str:
    return f"{v:.3g}"


def _legend(traces: list[dict]) -> str:
    """A row of swatches and names above the plot, when several traces are named."""
    names = [str(t.get("name") or "") for t in traces]
    if len(traces) < 2 or not all(names):
        return ""
    items, x = [], PAD
    for i, name in enumerate(names):
        colour = COLOURS[i % len(COLOURS)]
        items.append(f'<line x1="{x}" y1="10" x2="{x + 16}" y2="10" stroke="{colour}" stroke-width="3"/>'
                     f'<text x="{x + 20}" y="14" font-size="11" fill="currentColor">{html.escape(name)}</text>')
        x += 30 + 6.5 * len(name)
    return "".join(items)


def _frame(traces: list[dict], log_y: bool = False) -> tuple[float, float, float, float]:
    """The data ranges (x0, x1, y0, y1) every trace fits in (y in log10 on a log axis); bars start from zero."""
    all_points = [p for t in traces for p in _finite_points(t, log_y)]
    x0, x1 = min(p[0] for p in all_points), max(p[0] for p in all_points)
    y0, y1 = min(p[1] for p in all_points), max(p[1] for p in all_points)
    if any(t.get("type") == "bar" for t in traces):
        y0 = min(y0, 0.0)
    return x0, (x1 if x1 > x0 else x0 + 1), y0, (y1 if y1 > y0 else y0 + 1)


def _shapes(traces: list[dict], ranges, width: float, height: float, pad: float, stroke: float,
            log_y: bool = False) -> list[str]:
    """Polylines and bars of ``traces`` drawn into a width x height box with ``pad`` around the plot."""
    x0, x1, y0, y1 = ranges

    def sx(x):
        return pad + (x - x0) / (x1 - x0) * (width - 2 * pad)

    def sy(y):
        return height - pad - (y - y0) / (y1 - y0) * (height - 2 * pad)

    shapes = []
    for i, trace in enumerate(traces):
        colour = COLOURS[i % len(COLOURS)]
        points = _finite_points(trace, log_y)
        if trace.get("type") == "bar":
            step = (width - 2 * pad) / max(len(points), 1) * 0.8
            for x, y in points:
                top, base = sy(max(y, 0)), sy(min(y, 0))
                shapes.append(
                    f'<rect x="{sx(x) - step / 2:.1f}" y="{top:.1f}" width="{step:.1f}" '
                    f'height="{base - top:.1f}" fill="{colour}" opacity="0.6"/>'
                )
        else:
            coords = " ".join(f"{sx(x):.1f},{sy(y):.1f}" for x, y in points)
            shapes.append(f'<polyline points="{coords}" fill="none" stroke="{colour}" stroke-width="{stroke}"/>')
    return shapes


def figure_to_svg(figure: dict, label: str = "", language: str = DEFAULT_LANGUAGE) -> str:
    layout = figure.get("layout", {}) or {}
    log_y = (layout.get("yaxis") or {}).get("type") == "log"
    traces = [t for t in figure.get("data", []) if _finite_points(t, log_y)]
    if not traces:
        return ""
    ranges = _frame(traces, log_y)
    x0, x1, y0, y1 = ranges
    shapes = _shapes(traces, ranges, WIDTH, HEIGHT, PAD, 2, log_y)
    title = (figure.get("layout", {}).get("title") or {}).get("text", "") if isinstance(
        figure.get("layout", {}).get("title"), dict) else figure.get("layout", {}).get("title", "")
    name = html.escape(label or title or t("chart.fallback_name", language))
    y_text = (lambda v: f"{10 ** v:.3g}") if log_y else _fmt
    axes = (
        f'<line x1="{PAD}" y1="{HEIGHT - PAD}" x2="{WIDTH - PAD}" y2="{HEIGHT - PAD}" stroke="currentColor" opacity="0.4"/>'
        f'<line x1="{PAD}" y1="{PAD}" x2="{PAD}" y2="{HEIGHT - PAD}" stroke="currentColor" opacity="0.4"/>'
        f'<text x="{PAD}" y="{HEIGHT - 10}" font-size="11" fill="currentColor">{_fmt(x0)}</text>'
        f'<text x="{WIDTH - PAD}" y="{HEIGHT - 10}" font-size="11" text-anchor="end" fill="currentColor">{_fmt(x1)}</text>'
        f'<text x="4" y="{HEIGHT - PAD}" font-size="11" fill="currentColor">{y_text(y0)}</text>'
        f'<text x="4" y="{PAD - 6}" font-size="11" fill="currentColor">{y_text(y1)}</text>'
    ) + _legend(traces)
    return (
        f'<svg class="static-chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-label="{name}">'
        f"<title>{name}</title>{axes}{''.join(shapes)}</svg>"
    )


THUMB_WIDTH, THUMB_HEIGHT, THUMB_PAD = 240, 135, 10
THUMB_BACKGROUND, THUMB_AXIS = "#f6f8f9", "#9aa0a8"


def figure_to_thumbnail(figure: dict, y_range: list[float] | None = None, hlines: tuple[float, ...] = ()) -> str:
    """A small standalone SVG file of ``figure``: its curves on a light card, no text.

    ``y_range`` is the chart's declared range, if it has one; otherwise the
    curves and the reference lines ``hlines`` (drawn dashed) set it, as in the
    live chart. Without words the picture serves every language; it sits on
    its own background so it reads the same in the light and the dark scheme.
    """
    traces = [t for t in figure.get("data", []) if _finite_points(t)]
    if not traces:
        raise ValueError("a thumbnail needs at least one trace with finite points")
    w, h, pad = THUMB_WIDTH, THUMB_HEIGHT, THUMB_PAD
    x0, x1, y0, y1 = _frame(traces)
    if y_range:
        y0, y1 = y_range
    elif hlines:
        y0, y1 = min(y0, *hlines), max(y1, *hlines)
    shapes = _shapes(traces, (x0, x1, y0, y1), w, h, pad, 2.5)
    guides = "".join(
        f'<line x1="{pad}" x2="{w - pad}" y1="{h - pad - (y - y0) / (y1 - y0) * (h - 2 * pad):.1f}" '
        f'y2="{h - pad - (y - y0) / (y1 - y0) * (h - 2 * pad):.1f}" stroke="{THUMB_AXIS}" stroke-dasharray="4 3"/>'
        for y in hlines if y0 <= y <= y1
    )
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {w} {h}" width="{w}" height="{h}">'
        f'<rect width="{w}" height="{h}" rx="8" fill="{THUMB_BACKGROUND}"/>'
        f'<path d="M{pad} {pad}V{h - pad}H{w - pad}" fill="none" stroke="{THUMB_AXIS}" stroke-width="1"/>'
        + guides + "".join(shapes) + "</svg>\n"
    )
