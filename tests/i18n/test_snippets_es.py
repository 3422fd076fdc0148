"""Every cell has a Spanish twin that computes exactly what the English one does.

The Spanish edition includes ``pysnippets/es/<path>`` where the English page
includes ``pysnippets/<path>``. A twin may differ from its original only in
words (comments, docstrings, printed text, plot labels); its code, seeds and
therefore every printed number and every plotted point must be the same, so
the two editions can never teach different results.
"""

from __future__ import annotations

import ast
import contextlib
import io
import re
import runpy
from pathlib import Path

import pytest

from instruments import plot

ROOT = Path(__file__).resolve().parents[2]
SNIPPETS = ROOT / "pysnippets"
SPANISH = SNIPPETS / "es"

ENGLISH_CELLS = sorted(p.relative_to(SNIPPETS) for p in SNIPPETS.rglob("*.py") if SPANISH not in p.parents)
SPANISH_CELLS = sorted(p.relative_to(SPANISH) for p in SPANISH.rglob("*.py"))

# A number as a program prints it: sign, digits, optional fraction and exponent.
NUMBER = re.compile(r"[-+]?\d+(?:\.\d+)?(?:e[-+]?\d+)?")


def run(path: Path) -> tuple[str, list[dict]]:
    plot.FIGURES.clear()
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        runpy.run_path(str(path), run_name="__main__")
    return out.getvalue(), list(plot.FIGURES)


class _WordsRemoved(ast.NodeTransformer):
    """Blank every string constant: what is left is the computation."""

    def visit_Constant(self, node: ast.Constant) -> ast.Constant:
        return ast.Constant("") if isinstance(node.value, str) else node


def computation(path: Path) -> str:
    tree = _WordsRemoved().visit(ast.parse(path.read_text(encoding="utf-8")))
    return ast.dump(tree)


def plotted_numbers(figures: list[dict]) -> list[list]:
    return [[(trace.get("x"), trace.get("y")) for trace in fig["data"]] for fig in figures]


def test_there_are_cells_in_both_languages():
    assert len(ENGLISH_CELLS) >= 5 and SPANISH_CELLS


def test_every_cell_has_a_spanish_twin_and_vice_versa():
    assert SPANISH_CELLS == ENGLISH_CELLS


@pytest.mark.parametrize("rel", ENGLISH_CELLS, ids=str)
def test_twin_differs_only_in_words(rel):
    twin = SPANISH / rel
    if not twin.exists():
        pytest.fail(f"no Spanish twin {twin.relative_to(ROOT)}")
    assert computation(twin) == computation(SNIPPETS / rel), (
        f"{twin.relative_to(ROOT)} must be {rel} with only its strings and comments translated"
    )


@pytest.mark.parametrize("rel", ENGLISH_CELLS, ids=str)
def test_twin_prints_and_plots_the_same_numbers(rel):
    twin = SPANISH / rel
    if not twin.exists():
        pytest.fail(f"no Spanish twin {twin.relative_to(ROOT)}")
    english_out, english_figures = run(SNIPPETS / rel)
    spanish_out, spanish_figures = run(twin)
    english_numbers = NUMBER.findall(english_out)
    assert english_numbers, f"{rel} prints no number to compare"
    assert NUMBER.findall(spanish_out) == english_numbers
    assert plotted_numbers(spanish_figures) == plotted_numbers(english_figures)
    # the words did change: a twin that is a copy has not been translated
    assert spanish_out != english_out


def test_number_pattern_reads_what_cells_print():
    line = "  he      x 1.001   3.39e+52  -0.002 (√100 = 10)"
    assert NUMBER.findall(line) == ["1.001", "3.39e+52", "-0.002", "100", "10"]
