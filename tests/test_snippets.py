"""Run every runnable cell natively and check what it prints and plots.

Each cell in ``pysnippets/`` is executed as a script (as the browser does),
with stdout captured and ``instruments.plot.FIGURES`` emptied first. The
printed numbers are checked against theory computed here, independently of
the cell's code, and every figure is validated by Plotly itself.
"""

from __future__ import annotations

import contextlib
import io
import math
import re
import runpy
from pathlib import Path

import numpy as np
import plotly.graph_objects as go
import pytest

from instruments import plot
from tests import pages

ROOT = Path(__file__).resolve().parents[1]
PAGE = pages.chapter(1)
CHAPTER = pages.source(PAGE)
SNIPPETS = ROOT / "pysnippets" / PAGE.slug  # a page's cells live in pysnippets/<page slug>/


def run_cell(path: Path) -> tuple[str, list[dict]]:
    """Execute one cell as ``__main__``; return (stdout, figures)."""
    plot.FIGURES.clear()
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        runpy.run_path(str(path), run_name="__main__")
    return out.getvalue(), list(plot.FIGURES)


def numbers(line: str) -> list[float]:
    return [float(t) for t in re.findall(r"[-+]?\d+\.?\d*(?:e[-+]\d+)?", line)]


def row(stdout: str, first: str) -> list[float]:
    """Numbers on the table row whose first field is ``first``."""
    for line in stdout.splitlines():
        fields = line.split()
        if fields and fields[0] == first:
            return numbers(line)[1:]
    raise AssertionError(f"no row starting with {first!r} in:\n{stdout}")


def valid_figure(fig: dict) -> go.Figure:
    figure = go.Figure(fig)  # raises on anything Plotly does not accept
    assert len(figure.data) == 1
    return figure


CHAPTER_CELLS = sorted(SNIPPETS.glob("*.py"))
# The generic checks below hold for every registered page's cells (chapters, lessons).
ALL_CELLS = sorted(p for page in pages.registry().published() for p in (ROOT / "pysnippets" / page.slug).glob("*.py"))
# A lab's card may be about a run that diverges: tests/labs allows a printed nan
# only in the cell of a card whose answer is "diverges", and checks that rule.
LAB_CELLS = {p for page in pages.registry().pages("lab") for p in (ROOT / "pysnippets" / page.slug).glob("*.py")}


def test_there_are_cells():
    assert {p.name for p in CHAPTER_CELLS} >= {
        "init_variance.py",
        "batchnorm_forward.py",
        "residual_gradients.py",
    }


@pytest.mark.parametrize("path", ALL_CELLS, ids=lambda p: p.name)
def test_cell_runs_prints_and_plots_valid_figures(path):
    stdout, figures = run_cell(path)
    assert stdout.strip(), f"{path.name} printed nothing"
    if path not in LAB_CELLS:
        assert "nan" not in stdout.lower()
    for fig in figures:
        go.Figure(fig)  # raises on anything Plotly does not accept


# Lab cells have their own rules (built on the lab engine, seeded through it):
# tests/labs/test_lab_cells.py.
@pytest.mark.parametrize("path", sorted(set(ALL_CELLS) - LAB_CELLS), ids=lambda p: p.name)
def test_cell_is_numpy_only_and_seeded(path):
    source = path.read_text()
    imports = set(re.findall(r"^\s*(?:import|from)\s+([\w.]+)", source, re.M))
    assert imports <= {"numpy", "instruments.plot"}, imports
    assert "default_rng(seed=" in source


@pytest.mark.parametrize("path", ALL_CELLS, ids=lambda p: p.name)
def test_cell_is_deterministic(path):
    first, _ = run_cell(path)
    second, _ = run_cell(path)
    assert first == second


def test_every_included_cell_exists_and_every_cell_is_included():
    text = CHAPTER.read_text()
    included = re.findall(r'^--8<-- "([^"]+)"$', text, re.M)
    assert sorted(included) == sorted(f"{PAGE.slug}/{p.name}" for p in CHAPTER_CELLS)
    # each include sits directly inside a pycell fence
    for name in included:
        assert re.search(r'```pycell id="[\w-]+" title="[^"]+"\n--8<-- "' + re.escape(name) + '"\n```', text)


# ------------------------------------------------------------------ cell 1


def init_table(stdout: str) -> dict[int, dict[str, float]]:
    table = {}
    for layer in (0, 1, 5, 10, 25):
        naive, xavier, he_var, he_msq = row(stdout, str(layer))
        table[layer] = {"naive": naive, "xavier": xavier, "he_var": he_var, "he_msq": he_msq}
    return table


def init_factors(stdout: str) -> dict[str, float]:
    return {m[0]: float(m[1]) for m in re.findall(r"^\s+(naive|xavier|he)\s+x\s+([\d.]+)$", stdout, re.M)}


def test_init_variance_factors_match_variance_propagation():
    stdout, _ = run_cell(SNIPPETS / "init_variance.py")
    n = 256
    factors = init_factors(stdout)
    # EQ N1.3 with the ReLU halving the second moment: n * Var(W) / 2
    assert factors["naive"] == pytest.approx(n * 1.0 / 2, rel=0.05)
    assert factors["xavier"] == pytest.approx(n * (1 / n) / 2, rel=0.05)
    assert factors["he"] == pytest.approx(n * (2 / n) / 2, rel=0.05)


def test_init_variance_he_sits_at_relu_variance_not_at_one():
    stdout, _ = run_cell(SNIPPETS / "init_variance.py")
    table = init_table(stdout)
    # Var(ReLU(z)) = (1/2 - 1/(2 pi)) Var(z), with Var(z) = 2 under He
    predicted = 2 * (0.5 - 0.5 / math.pi)
    assert table[1]["he_var"] == pytest.approx(predicted, abs=0.02)
    for layer in (1, 5, 10, 25):
        assert 0.4 < table[layer]["he_var"] < 1.0
        assert 0.6 < table[layer]["he_msq"] < 1.5
        # variance is a fixed fraction (about 1 - 1/pi) of the second moment
        assert table[layer]["he_var"] / table[layer]["he_msq"] == pytest.approx(predicted, abs=0.05)


def test_init_variance_naive_and_xavier_are_rescaled_he():
    """ReLU is positively homogeneous and the matrices are shared, so the
    three runs differ by exact powers of the variance ratio (n/2 and 1/2)."""
    stdout, _ = run_cell(SNIPPETS / "init_variance.py")
    table = init_table(stdout)
    for layer in (5, 10, 25):
        he = table[layer]["he_var"]
        assert table[layer]["naive"] / he == pytest.approx(128.0**layer, rel=0.01)
        assert table[layer]["xavier"] / he == pytest.approx(0.5**layer, rel=0.01)


def test_init_variance_figure_is_the_flat_he_curve():
    stdout, figures = run_cell(SNIPPETS / "init_variance.py")
    assert len(figures) == 1
    figure = valid_figure(figures[0])
    trace = figure.data[0]
    assert list(trace.x) == list(range(26))
    ys = list(trace.y)
    assert all(y is not None for y in ys)
    table = init_table(stdout)
    for layer in (1, 5, 10, 25):
        assert f"{ys[layer]:.3f}" == f"{table[layer]['he_var']:.3f}"
    assert max(ys[1:]) / min(ys[1:]) < 2.0  # flat: no exponential trend
    assert "He" in figure.layout.title.text
    assert figure.layout.xaxis.title.text == "layer"


# ------------------------------------------------------------------ cell 2


def bn_rows(stdout: str) -> dict[int, tuple[float, float, float, float]]:
    return {layer: tuple(row(stdout, str(layer))) for layer in (1, 4, 8, 12)}


def test_batchnorm_pins_relu_of_standard_normal():
    stdout, figures = run_cell(SNIPPETS / "batchnorm_forward.py")
    assert figures == []  # the prose promises a table, not a plot
    mean_ref = 1 / math.sqrt(2 * math.pi)
    std_ref = math.sqrt(0.5 - 0.5 / math.pi)
    for _, _, bn_mean, bn_std in bn_rows(stdout).values():
        assert bn_mean == pytest.approx(mean_ref, abs=0.03)
        assert bn_std == pytest.approx(std_ref, abs=0.03)
    ref_line = [l for l in stdout.splitlines() if l.startswith("ReLU of a standard normal")][0]
    assert numbers(ref_line) == pytest.approx([mean_ref, std_ref], abs=5e-4)


def test_batchnorm_plain_stack_matches_he_theory_at_layer_one():
    stdout, _ = run_cell(SNIPPETS / "batchnorm_forward.py")
    plain_mean, plain_std, _, _ = bn_rows(stdout)[1]
    # He: Var(z) = 2, so ReLU(z) has mean sqrt(2/(2 pi)) and std sqrt(1 - 1/pi)
    assert plain_mean == pytest.approx(1 / math.sqrt(math.pi), abs=0.03)
    assert plain_std == pytest.approx(math.sqrt(1 - 1 / math.pi), abs=0.03)


def test_batchnorm_statistics_are_computed_over_the_batch_axis():
    """The cell's own normaliser, checked against a from-scratch version."""
    ns = runpy.run_path(str(SNIPPETS / "batchnorm_forward.py"), run_name="cell")
    rng = np.random.default_rng(123)
    z = 3.0 + 5.0 * rng.standard_normal((64, 7))
    out = ns["batch_norm"](z, eps=0.0)
    for j in range(z.shape[1]):
        col = z[:, j]
        mu = sum(col) / len(col)
        var = sum((c - mu) ** 2 for c in col) / len(col)  # biased, 1/m
        assert out[:, j] == pytest.approx((col - mu) / math.sqrt(var))


# ------------------------------------------------------------------ cell 3


def residual_rows(stdout: str) -> dict[str, tuple[float, float]]:
    rows = {}
    for key, label in (("plain", "plain"), ("residual", "residual (I + J)"), ("scaled", "residual (I + J/sqrt(L))")):
        line = [l for l in stdout.splitlines() if l.startswith(label + " ") or l.startswith(label + "  ")][0]
        measured, theory = numbers(line.split(")")[-1])
        rows[key] = (measured, theory)
    return rows


def test_residual_theory_column_is_the_per_layer_factor_law():
    stdout, _ = run_cell(SNIPPETS / "residual_gradients.py")
    g, depth = 0.7, 50
    rows = residual_rows(stdout)
    # expected squared norm: x g (plain), x (1 + alpha^2 g) (residual) per layer
    assert rows["plain"][1] == pytest.approx(math.sqrt(g**depth), rel=1e-3)
    assert rows["residual"][1] == pytest.approx(math.sqrt((1 + g) ** depth), rel=1e-3)
    assert rows["scaled"][1] == pytest.approx(math.sqrt((1 + g / depth) ** depth), rel=1e-3)


def test_residual_measurements_follow_theory_in_direction_and_size():
    stdout, _ = run_cell(SNIPPETS / "residual_gradients.py")
    rows = residual_rows(stdout)
    for measured, theory in rows.values():
        assert abs(math.log10(measured / theory)) < 0.5  # within about x3
    assert rows["plain"][0] < 1e-3  # vanishes for gain < 1
    assert rows["residual"][0] > 1e4  # the unscaled skip grows it
    assert 0.5 < rows["scaled"][0] < 3.0  # bounded near e^{g/2}
    ratio = numbers([l for l in stdout.splitlines() if l.startswith("ratio")][0])[0]
    assert ratio == pytest.approx(rows["residual"][0] / rows["plain"][0], rel=0.01)
    per_layer = math.sqrt((1 + 0.7) / 0.7)
    assert abs(math.log10(ratio) - 50 * math.log10(per_layer)) < 1.0


def test_residual_figure_is_log10_of_the_plain_norm():
    stdout, figures = run_cell(SNIPPETS / "residual_gradients.py")
    assert len(figures) == 1
    figure = valid_figure(figures[0])
    xs, ys = list(figure.data[0].x), list(figure.data[0].y)
    assert xs == list(range(51))
    assert ys[-1] == pytest.approx(0.0, abs=1e-12)  # unit norm at the output
    assert ys[0] == pytest.approx(math.log10(residual_rows(stdout)["plain"][0]), abs=1e-3)
    slope = np.polyfit(xs, ys, 1)[0]
    # moving towards the output the log-norm rises by log10(1/g)/2 per layer
    assert slope == pytest.approx(-0.5 * math.log10(0.7), rel=0.3)
    assert "log10" in figure.layout.yaxis.title.text
