"""Plotting for runnable cells: build Plotly figure dicts in plain Python.

Every helper returns a figure dict (``{"data": [...], "layout": {...}}``) and
hands it to the current *figure sink*. In the browser the sink posts the
figure to the page, which draws it with Plotly; natively the default sink
collects figures in ``FIGURES`` so tests can inspect them.
"""

from __future__ import annotations

from typing import Callable, Iterable

FIGURES: list[dict] = []
_sink: Callable[[dict], None] = FIGURES.append


def set_sink(sink: Callable[[dict], None]) -> None:
    """Route every new figure to ``sink`` (the browser worker installs one)."""
    global _sink
    _sink = sink


def _floats(values: Iterable, name: str) -> list:
    out = []
    for v in values:
        try:
            f = float(v)
        except (TypeError, ValueError):
            raise ValueError(f"{name} must hold numbers; got {v!r}") from None
        # JSON has no inf/nan; Plotly leaves a gap for null, which is honest.
        out.append(f if f == f and abs(f) != float("inf") else None)
    return out


def plot_xy(x, y, title: str = "", xlabel: str = "", ylabel: str = "", log_y: bool = False) -> dict:
    """Draw one line of y against x."""
    xs, ys = _floats(x, "x"), _floats(y, "y")
    if len(xs) != len(ys):
        raise ValueError(f"x and y must have the same length; got {len(xs)} and {len(ys)}")
    figure = {
        "data": [{"type": "scatter", "mode": "lines+markers", "x": xs, "y": ys}],
        "layout": {
            "title": {"text": title},
            "xaxis": {"title": {"text": xlabel}},
            "yaxis": {"title": {"text": ylabel}, "type": "log" if log_y else "linear"},
        },
    }
    _sink(figure)
    return figure
