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
    words = dict(plot.WORDS)
    yield plot.FIGURES
    plot.FIGURES.clear()
    plot.WORDS.update(words)


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


def test_a_figure_repr_counts_traces_and_names_an_untitled_chart():
    assert repr(plot.line([0, 1], [[1, 2], [3, 4]], title="two")) == "<Figure 'two': 2 traces>"
    assert repr(plot.plot_xy([1], [2])) == "<Figure 'untitled': 1 trace>"
    # a figure a reader assembles by hand may lack the layout, its title or its traces
    assert repr(plot.Figure(data=[])) == "<Figure 'untitled': 0 traces>"
    assert repr(plot.Figure(layout={})) == "<Figure 'untitled': 0 traces>"
    assert repr(plot.Figure(layout={"title": {}}, data=[{}])) == "<Figure 'untitled': 1 trace>"


# What Plotly receives from a bare call: the documented defaults (no title or
# axis labels, linear axes, markers on lines, a legend only for several lines).
def axis(label: str = "", kind: str = "linear") -> dict:
    return {"title": {"text": label}, "type": kind}


def layout(title: str = "", x: dict | None = None, y: dict | None = None, legend: bool = False) -> dict:
    return {"title": {"text": title}, "xaxis": x or axis(), "yaxis": y or axis(), "showlegend": legend}


def test_bare_calls_draw_untitled_unlabelled_linear_charts():
    assert plot.plot_xy([1, 2], [3, 4]) == {
        "data": [{"type": "scatter", "mode": "lines+markers", "x": [1.0, 2.0], "y": [3.0, 4.0]}],
        "layout": layout()}
    assert plot.line([1, 2], [3, 4]) == {
        "data": [{"type": "scatter", "mode": "lines+markers", "x": [1.0, 2.0], "y": [3.0, 4.0], "name": ""}],
        "layout": layout()}
    assert plot.scatter([1, 2], [3, 4]) == {
        "data": [{"type": "scatter", "mode": "markers", "x": [1.0, 2.0], "y": [3.0, 4.0], "name": ""}],
        "layout": layout()}
    assert plot.histogram([0, 20]) == {      # 20 bins of width 1 over [0, 20]
        "data": [{"type": "bar", "x": [k + 0.5 for k in range(20)], "y": [1] + [0] * 18 + [1], "width": 1.0}],
        "layout": layout(y=axis("count")) | {"bargap": 0.04}}


def test_every_label_and_log_switch_reaches_its_own_axis():
    for draw in (plot.plot_xy, plot.scatter, plot.line):
        fig = draw([1, 2], [3, 4], title="T", xlabel="X", ylabel="Y", log_x=True)
        assert fig["layout"] == layout("T", axis("X", "log"), axis("Y")), draw.__name__
        fig = draw([1, 2], [3, 4], log_y=True)
        assert fig["layout"] == layout(y=axis(kind="log")), draw.__name__
    fig = plot.histogram([1, 2], bins=2, title="T", xlabel="X", ylabel="Y", log_y=True)
    assert fig["layout"] == layout("T", axis("X"), axis("Y", "log")) | {"bargap": 0.04}


def test_lines_without_markers_and_the_legend_rule():
    assert plot.line([1, 2], [3, 4], markers=False)["data"][0]["mode"] == "lines"
    one, two, three = (plot.line([0, 1], [[k, k]] * n) for k, n in ((1, 1), (2, 2), (3, 3)))
    assert [t["name"] for t in one["data"]] == [""] and not one["layout"]["showlegend"]
    assert [t["name"] for t in two["data"]] == ["series 1", "series 2"] and two["layout"]["showlegend"] is True
    assert [t["name"] for t in three["data"]] == ["series 1", "series 2", "series 3"]
    assert plot.line([0], [[1], [2]], names=("a", "b"))["layout"]["showlegend"] is True


def test_non_finite_values_become_gaps_in_every_helper():
    nan, inf = float("nan"), float("inf")
    assert plot.line([0, 1, 2], [[inf, 1, -inf], [1, nan, 2]])["data"][1]["y"] == [1.0, None, 2.0]
    assert plot.line([0, 1, 2], [inf, 1, -inf])["data"][0]["y"] == [None, 1.0, None]
    # None is a missing value already (a training loss after divergence)
    assert plot.plot_xy([0, 1, 2], [1, None, 2])["data"][0]["y"] == [1.0, None, 2.0]
    assert plot.scatter([nan, 1], [2, -inf])["data"][0] == {
        "type": "scatter", "mode": "markers", "x": [None, 1.0], "y": [2.0, None], "name": ""}
    # left out of a histogram's counts, not drawn as a bar at the edge
    assert plot.histogram([0, inf, 1, nan, -inf], bins=2)["data"][0]["y"] == [1, 1]


def test_a_histogram_of_one_distinct_value_is_one_unit_wide_bar_centred_on_it():
    one = plot.histogram([2.5, 2.5, 2.5], bins=1)["data"][0]
    assert (one["x"], one["y"], one["width"]) == ([2.5], [3], 1.0)
    two = plot.histogram([2.5], bins=2)["data"][0]
    assert (two["x"], two["y"], two["width"]) == ([2.25, 2.75], [0, 1], 0.5)


def test_histogram_bins_run_from_1_to_1000_as_its_error_says():
    assert len(plot.histogram([0, 1], bins=1000)["data"][0]["y"]) == 1000
    for bad in (1001, 0, True):
        with pytest.raises(ValueError, match=f"^bins must be an integer from 1 to 1000; got {bad!r}$"):
            plot.histogram([0, 1], bins=bad)


def test_set_words_labels_the_helpers_own_words():
    plot.set_words({"count": "recuento", "series": "serie {number}", "untitled": "sin título"})
    assert plot.histogram([1, 2])["layout"]["yaxis"]["title"]["text"] == "recuento"
    assert [t["name"] for t in plot.line([0], [[1], [2]])["data"]] == ["serie 1", "serie 2"]
    assert repr(plot.plot_xy([1], [2])) == "<Figure 'sin título': 1 trace>"
    plot.set_words({"count": "n"})
    assert plot.WORDS == {"count": "n", "series": "serie {number}", "untitled": "sin título"}
    with pytest.raises(ValueError, match="^words must use the keys count, series, untitled; got colour, size$"):
        plot.set_words({"size": "big", "colour": "red", "count": "n"})
    with pytest.raises(ValueError, match="^count must be a string; got int$"):
        plot.set_words({"count": 3})
    assert plot.WORDS["count"] == "n"


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


# The whole message, so that each helper is seen to name the argument the reader passed.
MESSAGES = [
    (lambda: plot.plot_xy([1, 2], [1]), "x and y must have the same length; got 2 and 1"),
    (lambda: plot.scatter([1, 2], [1]), "x and y must have the same length; got 2 and 1"),
    (lambda: plot.line([1, 2], [1]), "x and ys must have the same length; got 2 and 1"),
    (lambda: plot.line([1, 2], [[1, 2], [1]]), "x and ys[1] must have the same length; got 2 and 1"),
    (lambda: plot.plot_xy(5, [1]), "x must be a sequence of numbers; got int"),
    (lambda: plot.plot_xy([1], b"a"), "y must be a sequence of numbers; got bytes"),
    (lambda: plot.scatter(None, [1]), "x must be a sequence of numbers; got NoneType"),
    (lambda: plot.scatter([1], "a"), "y must be a sequence of numbers; got str"),
    (lambda: plot.line(7, [1]), "x must be a sequence of numbers; got int"),
    (lambda: plot.line([1], 7), "ys must be a sequence of numbers or of sequences; got int"),
    (lambda: plot.line([1], "a"), "ys must be a sequence of numbers or of sequences; got str"),
    (lambda: plot.line([1], ["a"]), "ys must hold numbers; got 'a'"),
    (lambda: plot.line([1], [[1], ["a"]]), "ys[1] must hold numbers; got 'a'"),
    (lambda: plot.line(["a"], [1]), "x must hold numbers; got 'a'"),
    (lambda: plot.plot_xy([1], [object]), "y must hold numbers; got <class 'object'>"),
    (lambda: plot.scatter(["a"], [1]), "x must hold numbers; got 'a'"),
    (lambda: plot.histogram(3), "values must be a sequence of numbers; got int"),
    (lambda: plot.histogram([math.nan, math.inf]), "values must hold at least one finite number"),
    (lambda: plot.line([1, 2], [[1, 2], [3, 4]], names=["one"]), "names must give one name per series; got 1 for 2"),
    (lambda: plot.line([1], [[1], [2]], names=["a", 2]), "names must be a string; got int"),
    (lambda: plot.scatter([1], [1], name=1), "name must be a string; got int"),
]
MESSAGES += [
    (lambda draw=draw, label=label: draw([1], [1], **{label: 1.5}), f"{label} must be a string; got float")
    for draw in (plot.plot_xy, plot.line, plot.scatter) for label in ("title", "xlabel", "ylabel")
] + [(lambda label=label: plot.histogram([1], **{label: None}), f"{label} must be a string; got NoneType")
     for label in ("title", "xlabel")]


@pytest.mark.parametrize("call,message", MESSAGES, ids=[m for _, m in MESSAGES])
def test_error_messages_name_the_argument_and_what_was_given(call, message, collected):
    with pytest.raises(ValueError) as raised:
        call()
    assert str(raised.value) == message
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
