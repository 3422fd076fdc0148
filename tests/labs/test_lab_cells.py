"""The lab cells as cells: where they live, what they import, how long, what they draw.

Speed is a benchmark, not a test (benchmarks/bench_cells.py times every cell
under a NumPy built without BLAS); these tests pin what the budget rests on.
"""

from __future__ import annotations

import math
import re

import plotly.graph_objects as go
import pytest

from tests.labs.labs import SNIPPETS, all_cards, cells, lab_pages, run, run_fresh, slug

PAGE_CELLS = [(page, cell) for page in lab_pages() for cell in cells(page)]
CARD_CELLS = [(page, SNIPPETS / card.cell) for page, card in all_cards()]
ALL = [(page, cell.path) for page, cell in PAGE_CELLS] + CARD_CELLS
MAX_LINES = 25
DIVERGING_CARD_CELLS = {SNIPPETS / card.cell for _, card in all_cards() if card.outcome == "diverges"}


def test_each_lab_page_has_cells_and_the_folder_holds_no_stray_cell():
    for page in lab_pages():
        folder = SNIPPETS / slug(page)
        used = {path for p, path in ALL if p == page}
        assert used, f"{page} runs no cell"
        assert set(folder.glob("*.py")) == used, f"unused or missing cells in {folder}"


@pytest.mark.parametrize("page, cell", PAGE_CELLS, ids=[c.id for _, c in PAGE_CELLS])
def test_cell_ids_carry_the_page_slug(page, cell):
    assert cell.id.startswith(slug(page) + "-")
    assert cell.path.parent.name == slug(page)


@pytest.mark.parametrize("page, card", all_cards(), ids=[c.id for _, c in all_cards()])
def test_card_ids_and_cells_carry_the_page_slug(page, card):
    assert card.id.startswith(slug(page) + "-")
    assert (SNIPPETS / card.cell).parent.name == slug(page)


@pytest.mark.parametrize("page, path", ALL, ids=[p.name for _, p in ALL])
def test_cell_is_short_numpy_only_and_built_on_the_lab_engine(page, path):
    source = path.read_text(encoding="utf-8")
    assert len(source.splitlines()) <= MAX_LINES, f"{path.name} is longer than {MAX_LINES} lines"
    imports = set(re.findall(r"^\s*(?:import|from)\s+([\w.]+)", source, re.M))
    assert imports <= {"numpy", "math", "dataclasses", "instruments.deep_mlp", "instruments.plot",
                       "instruments.op_count"}, imports
    assert "instruments.deep_mlp" in imports, "readers should see the engine the labs share"


@pytest.mark.parametrize("page, path", ALL, ids=[p.name for _, p in ALL])
def test_cell_runs_deterministically_and_draws_valid_figures(page, path):
    first, _, figures = run(path)
    second, _, _ = run_fresh(path)
    assert first.strip() and first == second
    # "nan" only where the run diverged and said so: a diverging card prints its losses up to the end
    if "nan" in first.lower():
        assert path in DIVERGING_CARD_CELLS and "not a finite number" in first, "an unexplained nan"
    for figure in figures:
        checked = go.Figure(figure)  # raises on anything Plotly refuses
        names = [trace.name for trace in checked.data]
        if len(names) > 1:
            assert all(names), "a chart with several curves names them"
        assert checked.layout.xaxis.title.text and checked.layout.yaxis.title.text


def _figure(page_cells, cell_id):
    cell = next(c for c in page_cells if c.id == cell_id)
    _, namespace, figures = run(cell.path)
    assert len(figures) == 1
    return namespace, go.Figure(figures[0])


@pytest.mark.parametrize("page", lab_pages())
def test_training_charts_plot_the_runs_the_cell_printed(page):
    """Every loss chart draws exactly the printed runs' losses, one curve each."""
    for cell in cells(page):
        _, namespace, figures = run(cell.path)
        runs = namespace.get("runs")
        if not runs:
            continue
        (figure,) = figures
        checked = go.Figure(figure)
        assert len(checked.data) == len(runs)
        for trace, result in zip(checked.data, runs.values()):
            expected = [v if v is not None and math.isfinite(v) else None for v in result.losses]
            assert list(trace.y) == expected
            assert list(trace.x) == list(range(len(result.losses)))
        if any(max(v for v in r.losses if v is not None) > 1e6 for r in runs.values()):
            assert checked.layout.yaxis.type == "log", "losses spanning many decades need a log axis"
