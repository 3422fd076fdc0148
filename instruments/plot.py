"""Plotting for runnable cells: build Plotly figure dicts in plain Python.

Every helper returns a figure dict (``{"data": [...], "layout": {...}}``) and
hands it to the current *figure sink*. In the browser the sink posts the
figure to the page, which draws it with Plotly; natively the default sink
collects figures in ``FIGURES`` so tests can inspect them.

Pure Python on purpose: this module must import (and draw lists) in a fresh
Pyodide before numpy has been loaded. NumPy arrays work as inputs anyway,
because values are read one by one with ``float()``.

Helpers:

- ``plot_xy(x, y)`` — one line of y against x (the original cell API);
- ``line(x, ys)`` — one or several lines sharing x;
- ``scatter(x, y)`` — points, no connecting line;
- ``histogram(values, bins=20)`` — binned here in Python, drawn as bars.

Common keyword arguments: ``title``, ``xlabel``, ``ylabel``, ``log_x``,
``log_y``; several traces take ``names`` for the legend.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence  # not typing: cheaper to import in Pyodide

__all__ = ["plot_xy", "line", "scatter", "histogram", "Figure", "set_sink", "set_words", "FIGURES"]

#: The few words the helpers write on a chart themselves. The site replaces them
#: with its message catalogue's (keys plot.*, messages/<language>.yml), so a
#: chart drawn on a Spanish page is labelled in Spanish; elsewhere they are English.
WORDS = {"count": "count", "series": "series {number}", "untitled": "untitled"}


class Figure(dict):
    """A Plotly figure dict with a short repr.

    Cells often end with a plotting call; a notebook would then echo the whole
    dict. The chart is already drawn, so the repr only names it.
    """

    def __repr__(self) -> str:
        title = self.get("layout", {}).get("title", {}).get("text") or WORDS["untitled"]
        count = len(self.get("data", []))
        return f"<Figure {title!r}: {count} trace{'s' if count != 1 else ''}>"


FIGURES: list[dict] = []
_sink: Callable[[dict], None] = FIGURES.append


def set_sink(sink: Callable[[dict], None]) -> None:
    """Route every new figure to ``sink`` (the browser worker installs one)."""
    global _sink
    _sink = sink


def set_words(words: dict) -> None:
    """Use ``words`` for the helpers' own labels (same keys as ``WORDS``)."""
    unknown = set(words) - set(WORDS)
    if unknown:
        raise ValueError(f"words must use the keys {', '.join(sorted(WORDS))}; got {', '.join(sorted(unknown))}")
    WORDS.update({key: _text(value, key) for key, value in words.items()})


def _floats(values: Iterable, name: str) -> list:
    if isinstance(values, (str, bytes)) or not hasattr(values, "__iter__"):
        raise ValueError(f"{name} must be a sequence of numbers; got {type(values).__name__}")
    out = []
    for v in values:
        if v is None:  # a missing value, such as a training loss after divergence
            out.append(None)
            continue
        try:
            f = float(v)
        except (TypeError, ValueError):
            raise ValueError(f"{name} must hold numbers; got {v!r}") from None
        # JSON has no inf/nan; Plotly leaves a gap for null, which is honest.
        out.append(f if math.isfinite(f) else None)
    return out


def _text(value, name: str) -> str:
    if not isinstance(value, str):
        raise ValueError(f"{name} must be a string; got {type(value).__name__}")
    return value


def _layout(title: str, xlabel: str, ylabel: str, log_x: bool, log_y: bool, legend: bool) -> dict:
    return {
        "title": {"text": _text(title, "title")},
        "xaxis": {"title": {"text": _text(xlabel, "xlabel")}, "type": "log" if log_x else "linear"},
        "yaxis": {"title": {"text": _text(ylabel, "ylabel")}, "type": "log" if log_y else "linear"},
        "showlegend": legend,
    }


def _emit(data: list, layout: dict) -> Figure:
    figure = Figure(data=data, layout=layout)
    _sink(figure)
    return figure


def _series(ys, name: str) -> list[list]:
    """One series or several: [1, 2, 3] or [[1, 2], [3, 4]]."""
    if isinstance(ys, (str, bytes)) or not hasattr(ys, "__iter__"):
        raise ValueError(f"{name} must be a sequence of numbers or of sequences; got {type(ys).__name__}")
    items = list(ys)
    if items and all(hasattr(i, "__iter__") and not isinstance(i, (str, bytes)) for i in items):
        return [_floats(i, f"{name}[{k}]") for k, i in enumerate(items)]
    return [_floats(items, name)]


def _names(names: Sequence[str] | None, count: int) -> list[str]:
    if names is None:
        return [WORDS["series"].replace("{number}", str(k + 1)) for k in range(count)] if count > 1 else [""]
    names = list(names)
    if len(names) != count:
        raise ValueError(f"names must give one name per series; got {len(names)} for {count}")
    return [_text(n, "names") for n in names]


def line(x, ys, names: Sequence[str] | None = None, title: str = "", xlabel: str = "",
         ylabel: str = "", log_x: bool = False, log_y: bool = False, markers: bool = True) -> Figure:
    """Draw one or several lines sharing the same x values.

    ``ys`` is one sequence of y values or a sequence of them; ``names`` labels
    each line in the legend.
    """
    xs = _floats(x, "x")
    series = _series(ys, "ys")
    for k, s in enumerate(series):
        if len(s) != len(xs):
            label = "ys" if len(series) == 1 else f"ys[{k}]"
            raise ValueError(f"x and {label} must have the same length; got {len(xs)} and {len(s)}")
    labels = _names(names, len(series))
    mode = "lines+markers" if markers else "lines"
    data = [{"type": "scatter", "mode": mode, "x": xs, "y": s, "name": n} for s, n in zip(series, labels)]
    return _emit(data, _layout(title, xlabel, ylabel, log_x, log_y, legend=len(series) > 1))


def plot_xy(x, y, title: str = "", xlabel: str = "", ylabel: str = "",
            log_y: bool = False, log_x: bool = False) -> Figure:
    """Draw one line of y against x."""
    xs, ys = _floats(x, "x"), _floats(y, "y")
    if len(xs) != len(ys):
        raise ValueError(f"x and y must have the same length; got {len(xs)} and {len(ys)}")
    data = [{"type": "scatter", "mode": "lines+markers", "x": xs, "y": ys}]
    return _emit(data, _layout(title, xlabel, ylabel, log_x, log_y, legend=False))


def scatter(x, y, name: str = "", title: str = "", xlabel: str = "", ylabel: str = "",
            log_x: bool = False, log_y: bool = False) -> Figure:
    """Draw points (x, y) without connecting them."""
    xs, ys = _floats(x, "x"), _floats(y, "y")
    if len(xs) != len(ys):
        raise ValueError(f"x and y must have the same length; got {len(xs)} and {len(ys)}")
    data = [{"type": "scatter", "mode": "markers", "x": xs, "y": ys, "name": _text(name, "name")}]
    return _emit(data, _layout(title, xlabel, ylabel, log_x, log_y, legend=False))


def bin_counts(values: Sequence[float], bins: int) -> tuple[list[float], list[int], float]:
    """Equal-width bins over [min, max]: (bin centres, counts, bin width).

    The last bin is closed on the right, so the maximum is counted, as in
    ``numpy.histogram``.
    """
    finite = [v for v in values if v is not None]
    if not finite:
        raise ValueError("values must hold at least one finite number")
    lo, hi = min(finite), max(finite)
    if hi == lo:  # one distinct value: a single bar of width 1 centred on it
        lo, hi = lo - 0.5, hi + 0.5
    width = (hi - lo) / bins
    counts = [0] * bins
    for v in finite:
        counts[min(int((v - lo) / width), bins - 1)] += 1
    centres = [lo + (k + 0.5) * width for k in range(bins)]
    return centres, counts, width


def histogram(values, bins: int = 20, title: str = "", xlabel: str = "", ylabel: str | None = None,
              log_y: bool = False) -> Figure:
    """Count ``values`` in ``bins`` equal-width bins and draw the counts as bars.

    The y axis is titled ``ylabel``, by default "count" (``WORDS``).

    The Plotly bundle the site serves draws scatter and bar traces only, so
    the binning happens here. Non-finite values are left out.
    """
    if isinstance(bins, bool) or not isinstance(bins, int) or not 1 <= bins <= 1000:
        raise ValueError(f"bins must be an integer from 1 to 1000; got {bins!r}")
    centres, counts, width = bin_counts(_floats(values, "values"), bins)
    data = [{"type": "bar", "x": centres, "y": counts, "width": width}]
    layout = _layout(title, xlabel, WORDS["count"] if ylabel is None else ylabel, False, log_y, legend=False)
    layout["bargap"] = 0.04
    return _emit(data, layout)
