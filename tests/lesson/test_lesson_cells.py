"""The lesson's cells: small, and right about what they compute.

The generic checks (they run, print, plot valid figures, import numpy only,
are seeded and deterministic) are tests/test_snippets.py's, for every page.
Here: the lesson's size limit, and each cell's computation against an
independent one.
"""

from __future__ import annotations

import math
import runpy
from pathlib import Path

import numpy as np
import plotly.graph_objects as go
import pytest

from instruments import plot
from tests import pages, prose

ROOT = Path(__file__).resolve().parents[2]
LESSON = pages.lessons("foundations")[0]
SNIPPETS = ROOT / "pysnippets" / LESSON.slug
CELLS = sorted(SNIPPETS.glob("*.py"))
# Every edition's cells (the Spanish twins compute the same: tests/i18n/test_snippets_es.py).
EVERY_EDITION = sorted(p for e in prose.editions_of(LESSON).values() for p in e.snippets.glob("*.py"))
MAX_LINES = 25
MAX_WIDTH = 88  # what the editor shows on a laptop without wrapping


def test_the_lesson_has_a_cell_per_section():
    assert len(CELLS) >= 5 and len(EVERY_EDITION) == len(CELLS) * len(pages.LANGUAGES)


@pytest.mark.parametrize("path", EVERY_EDITION, ids=lambda p: p.relative_to(ROOT / "pysnippets").as_posix())
def test_cell_is_at_most_25_lines_of_at_most_88_characters(path):
    lines = path.read_text(encoding="utf-8").splitlines()
    assert len(lines) <= MAX_LINES, f"{path.name} has {len(lines)} lines"
    assert [n for n, line in enumerate(lines, 1) if len(line) > MAX_WIDTH] == [], f"{path.name}: lines too wide"


def test_histogram_cell_draws_one_normalised_histogram_per_layer():
    out = prose.cell_stdout(SNIPPETS / "activation_histograms.py")
    assert len(plot.FIGURES) == 1
    figure = go.Figure(plot.FIGURES[0])
    assert [t.name for t in figure.data] == [f"layer {k}" for k in range(1, 6)]
    for k, trace in enumerate(figure.data, start=1):
        centres, shares = np.array(trace.x), np.array(trace.y)
        assert len(centres) == 40 and -1 < centres.min() < centres.max() < 1
        assert shares.sum() == pytest.approx(1.0, abs=1e-9)  # every tanh output lies in [-1, 1]
        # the two outer bins hold |h| > 0.95, a superset of the printed |h| > 0.97
        saturated = float(prose.row(out, str(k))[1].rstrip("%")) / 100
        outer = shares[np.abs(centres) > 0.95].sum()
        assert saturated <= outer + 1e-3 < saturated + 0.1, (k, saturated, outer)
    assert "GAIN" in (SNIPPETS / "activation_histograms.py").read_text() and "gain 5" in figure.layout.title.text


def test_confident_start_scores_the_cross_entropy_of_the_softmax():
    """The cell's loss equals log-sum-exp minus the target logit, computed here without a softmax."""
    ns = runpy.run_path(str(SNIPPETS / "confident_start.py"), run_name="cell")
    logits = ns["h"] @ ns["W"]
    top = logits.max(axis=1)
    lse = top + np.log(np.exp(logits - top[:, None]).sum(axis=1))
    expected = float(np.mean(lse - logits[np.arange(len(logits)), ns["targets"]]))
    out = prose.cell_stdout(SNIPPETS / "confident_start.py")
    assert prose.row(out, "1.00")[2] == f"{expected:.3f}"


def test_batchnorm_cell_normalises_over_the_batch_and_tracks_running_statistics():
    ns = runpy.run_path(str(SNIPPETS / "batchnorm_caveats.py"), run_name="cell")
    rng = np.random.default_rng(11)
    z = 2.0 + 3.0 * rng.standard_normal((50, 4))
    out = ns["batch_norm"](z, eps=0.0)
    for j in range(4):
        col = z[:, j]
        mu = sum(col) / len(col)
        var = sum((c - mu) ** 2 for c in col) / len(col)  # biased 1/m, as in EQ N1.6
        assert out[:, j] == pytest.approx((col - mu) / math.sqrt(var))
    # EQ L.5 after 300 batches: the population statistics of z = x @ W with x ~ N(0, I),
    # mean 0 and variance the squared norm of each column of W
    W = ns["W"]
    assert np.abs(ns["mean"]).max() < 0.5 * np.sqrt((W**2).sum(axis=0)).min()
    assert ns["var"] == pytest.approx((W**2).sum(axis=0), rel=0.25)
    assert np.median(ns["var"] / (W**2).sum(axis=0)) == pytest.approx(1.0, abs=0.05)
