"""The cell plotting API: every helper yields a figure Plotly accepts, bad input is named."""

from __future__ import annotations

import math
import subprocess
import sys

import plotly.graph_objects as go
import pytest

from instruments import plot
from tests.conftest import ROOT


@pytest.fixture(autouse=True)
def collected():
    plot.FIGURES.clear()
    plot.set_sink(plot.FIGURES.append)
    yield plot.FIGURES
    plot.FIGURES.clear()


FIGURES = {
    "plot_xy": lambda: plot.plot_xy([0, 1, 2], [1, 4, 9], title="t", xlabel="x", ylabel="y", log_y=True),
    "line one": lambda: plot.line([0, 1, 2], [1, 2, 3], title="one"),
    "line several": lambda: plot.line([1, 10, 100], [[1, 2, 3], [3, 2, 1]], names=["up", "down"], log_x=True),
    "scatter": lambda: plot.scatter([1, 2, 3], [3, 1, 2], name="pts", xlabel="a", ylabel="b"),
    "histogram": lambda: plot.histogram([0.1, 0.2, 0.2, 0.9, 1.0], bins=3, title="h"),
}


@pytest.mark.parametrize("make", FIGURES.values(), ids=FIGURES.keys())
def test_every_helper_returns_a_valid_plotly_figure_and_sinks_it(make, collected):
    figure = make()
    go.Figure(figure)  # raises on anything Plotly would reject
    assert collected == [figure]
    assert figure["data"] and all(t["type"] in {"scatter", "bar"} for t in figure["data"])


def test_labels_and_log_axes_reach_the_layout():
    fig = plot.line([1, 10], [[1, 100], [2, 200]], names=["a", "b"], title="T", xlabel="X",
                    ylabel="Y", log_x=True, log_y=True)
    layout = go.Figure(fig).layout
    assert layout.title.text == "T" and layout.xaxis.title.text == "X" and layout.yaxis.title.text == "Y"
    assert layout.xaxis.type == "log" and layout.yaxis.type == "log"
    assert [t.name for t in go.Figure(fig).data] == ["a", "b"]


def test_histogram_bins_like_numpy():
    np = pytest.importorskip("numpy")
    values = [math.sin(k) * 3 for k in range(200)]
    fig = plot.histogram(values, bins=7)
    counts, edges = np.histogram(values, bins=7)
    assert fig["data"][0]["y"] == counts.tolist()
    assert fig["data"][0]["x"] == pytest.approx(((edges[:-1] + edges[1:]) / 2).tolist())


def test_numpy_arrays_are_accepted_and_non_finite_becomes_a_gap():
    np = pytest.importorskip("numpy")
    fig = plot.plot_xy(np.arange(3), np.array([1.0, np.inf, np.nan]))
    assert fig["data"][0]["y"] == [1.0, None, None]


def test_a_figure_repr_is_short():
    assert repr(plot.plot_xy([1], [2], title="k")) == "<Figure 'k': 1 trace>"


BAD = [
    (lambda: plot.plot_xy([1, 2], [1]), "x and y"),
    (lambda: plot.plot_xy([1, "a"], [1, 2]), "x must hold numbers"),
    (lambda: plot.plot_xy(5, [1]), "x must be a sequence"),
    (lambda: plot.plot_xy([1], [2], title=3), "title"),
    (lambda: plot.line([1, 2], [[1, 2], [1]]), "ys[1]"),
    (lambda: plot.line([1, 2], [[1, 2], [3, 4]], names=["one"]), "names"),
    (lambda: plot.scatter([1], ["b"]), "y must hold numbers"),
    (lambda: plot.histogram([1, 2], bins=0), "bins"),
    (lambda: plot.histogram([1, 2], bins=2.5), "bins"),
    (lambda: plot.histogram([], bins=3), "values"),
    (lambda: plot.histogram("abc"), "values"),
]


@pytest.mark.parametrize("call,argument", BAD, ids=[a for _, a in BAD])
def test_bad_input_raises_value_error_naming_the_argument(call, argument, collected):
    with pytest.raises(ValueError, match=argument.replace("[", r"\[").replace("]", r"\]")):
        call()
    assert collected == []


def test_plot_module_imports_without_numpy():
    # A fresh interpreter where importing numpy fails: the module and the
    # package must still import and draw lists (a fresh Pyodide has no numpy).
    code = (
        "import sys; sys.modules['numpy'] = None\n"
        "import instruments, instruments.plot as p\n"
        "from instruments.plot import plot_xy\n"
        "plot_xy([1, 2], [3, 4]); p.histogram([1, 2, 3], bins=2)\n"
        "print(len(p.FIGURES), 'numpy' in sys.modules and sys.modules['numpy'] is not None)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["2", "False"]
