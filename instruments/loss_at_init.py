"""Instrument L.2 — the cross-entropy a network pays before it has learned anything.

A classifier over V classes that knows nothing should spread its bets evenly;
its loss is then the uniform baseline -log(1/V) = log V (log 27 ≈ 3.2958 for
27 characters). A freshly initialised network does something else: its
logits are random, here z_i = s * eps_i with eps_i ~ N(0, 1) i.i.d., and the
expected loss E[-log softmax(z)_c] is larger than log V and grows with the
logit scale s. Shrinking the output layer (s near 0) brings it back to the
baseline.

The expectation is estimated by Monte Carlo with a fixed seed. By symmetry
every class is equally likely to be the right one, so each draw of the
logits is scored against *all* V classes at once and averaged:

    loss(eps, s) = logsumexp(s * eps) - s * mean_i(eps_i)

This estimator is exactly log V at s = 0, and for every draw it is convex in
s with zero slope at s = 0, so the estimated curve never decreases with s.
For small s, loss ≈ log V + s^2 (1 - 1/V) / 2 (second-order expansion; the
factor is the expected 1/V-variance of V standard normals).
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

import numpy as np

from instruments._checks import (
    bake_grid,
    check_float,
    check_int,
    check_seed,
    readout,
    series,
)

SCALES = tuple(round(0.25 * i, 2) for i in range(41))        # 0, 0.25, ..., 10
VOCAB_SIZES = (2, 10, 27, 100, 1000)
DEFAULT_VOCAB = 27
DEFAULT_SCALE = 5.0       # the panel opens here, and a bare simulate() shows the same
# Draws per estimate: about 50 000 logits in all, so a small V gets many
# draws (its estimate is noisier per draw) and a large V a few hundred.
LOGITS_PER_ESTIMATE = 50_000
MIN_SAMPLES = 200
BAKE_SEED = 0
MAX_SCALE = 100.0
MAX_VOCAB = 100_000
MAX_SAMPLES = 1_000_000


def uniform_baseline(vocab: int) -> float:
    """-log(1/V): the loss of a model that predicts every class with 1/V."""
    vocab = check_int("vocab", vocab, 2, MAX_VOCAB)
    # -log(1/V) = log V; the second form avoids rounding 1/V first
    return math.log(vocab)


def small_scale_expansion(scale: float, vocab: int) -> float:
    """log V + s^2 (1 - 1/V) / 2, the expected loss to second order in s."""
    return math.log(vocab) + 0.5 * scale * scale * (1.0 - 1.0 / vocab)


def _logsumexp(z: np.ndarray) -> np.ndarray:
    # subtract the row maximum so exp never overflows, whatever the scale
    top = z.max(axis=-1, keepdims=True)
    return (top + np.log(np.exp(z - top).sum(axis=-1, keepdims=True)))[..., 0]


def default_samples(vocab: int) -> int:
    """How many draws of the V logits the instrument averages over."""
    return max(MIN_SAMPLES, LOGITS_PER_ESTIMATE // vocab)


def _standard_logits(vocab: int, samples: int, seed: int) -> np.ndarray:
    return np.random.default_rng(seed).standard_normal((samples, vocab))


def _losses_for(eps: np.ndarray, scales) -> list[float]:
    centre = eps.mean(axis=-1)
    out = []
    for s in scales:
        if s == 0.0:
            out.append(math.log(eps.shape[-1]))      # exact: softmax of zeros is uniform
        else:
            out.append(float(np.mean(_logsumexp(s * eps) - s * centre)))
    return out


@dataclass
class LossAtInitResult:
    scale: float
    vocab: int
    samples: int
    seed: int
    expected_loss: float
    baseline: float
    excess: float

    def to_dict(self) -> dict:
        return asdict(self)


def expected_initial_loss(scale: float, vocab: int = DEFAULT_VOCAB,
                          samples: int | None = None, seed: int = 0) -> float:
    """Monte Carlo estimate of E[-log softmax(s * eps)_c] (see module docstring)."""
    return simulate(scale, vocab, samples, seed).expected_loss


def simulate(scale: float = DEFAULT_SCALE, vocab: int = DEFAULT_VOCAB,
             samples: int | None = None, seed: int = 0) -> LossAtInitResult:
    """Expected initial loss at logit scale ``scale`` and its excess over log V."""
    scale = check_float("scale", scale, 0.0, MAX_SCALE)
    vocab = check_int("vocab", vocab, 2, MAX_VOCAB)
    samples = default_samples(vocab) if samples is None else check_int("samples", samples, 1, MAX_SAMPLES)
    seed = check_seed(seed)
    loss = _losses_for(_standard_logits(vocab, samples, seed), [scale])[0]
    baseline = uniform_baseline(vocab)
    return LossAtInitResult(scale, vocab, samples, seed, loss, baseline, loss - baseline)


def loss_curve(vocab: int = DEFAULT_VOCAB, scales=SCALES,
               samples: int | None = None, seed: int = 0) -> list[float]:
    """Expected loss at every scale, all from the same draws (a smooth curve)."""
    vocab = check_int("vocab", vocab, 2, MAX_VOCAB)
    scales = [check_float("scale", s, 0.0, MAX_SCALE) for s in scales]
    samples = default_samples(vocab) if samples is None else check_int("samples", samples, 1, MAX_SAMPLES)
    seed = check_seed(seed)
    return _losses_for(_standard_logits(vocab, samples, seed), scales)


# ---------------------------------------------------------------- instrument

SPEC = {
    "id": "loss_at_init",
    "label": "L.2",
    # Words are message keys (messages/<language>.yml); see instruments/README.md.
    "title": "instrument.loss_at_init.title",
    "subtitle": "instrument.loss_at_init.subtitle",
    "controls": [
        {"name": "scale", "label": "instrument.loss_at_init.control.scale", "kind": "slider",
         "values": list(SCALES), "default": DEFAULT_SCALE},
        {"name": "vocab", "label": "instrument.loss_at_init.control.vocab", "kind": "slider",
         "values": list(VOCAB_SIZES),
         "scale": "log", "default": DEFAULT_VOCAB},
    ],
    "readouts": [
        {"name": "initial_loss", "label": "instrument.loss_at_init.readout.initial_loss", "format": "fixed",
         "digits": 3},
        {"name": "baseline", "label": "instrument.loss_at_init.readout.baseline", "format": "fixed", "digits": 4},
        {"name": "excess", "label": "instrument.loss_at_init.readout.excess", "format": "fixed", "digits": 3},
    ],
    # "Try this": one-click settings that make the caption's points (labels are message keys).
    "presets": [
        {"label": "instrument.loss_at_init.preset.large", "settings": {"scale": 10.0}},
        {"label": "instrument.loss_at_init.preset.zero", "settings": {"scale": 0.0}},
    ],
    "chart": {
        # Fixed across the grid: the largest vocabulary at the largest scale stays below 35 nats.
        "x": {"title": "instrument.loss_at_init.x", "range": [0, max(SCALES)]},
        "y": {"title": "instrument.loss_at_init.y", "range": [0, 35]},
        "traces": [
            {"x": "scale", "y": "expected_loss", "name": "instrument.loss_at_init.trace.expected_loss",
             "kind": "line", "role": "primary"},
            {"x": "baseline_x", "y": "baseline", "name": "instrument.loss_at_init.trace.baseline", "kind": "line",
             "role": "reference", "dash": "dash"},
            {"x": "current_scale", "y": "current_loss", "name": "instrument.loss_at_init.trace.this_setting",
             "kind": "marker",
             "role": "secondary"},
        ],
        "hlines": [],
    },
}


def _frame(scale: float, vocab: int, curve: list[float], loss: float) -> dict:
    baseline = uniform_baseline(vocab)
    return {
        "series": {
            "scale": list(SCALES),
            "expected_loss": series(curve),
            "baseline_x": [SCALES[0], SCALES[-1]],
            "baseline": series([baseline, baseline]),
            "current_scale": [scale],
            "current_loss": series([loss]),
        },
        "readouts": {
            "initial_loss": readout(loss),
            "baseline": readout(baseline),
            "excess": readout(loss - baseline),
        },
        "marks": [],
    }


def frame(scale: float = DEFAULT_SCALE, vocab: int = DEFAULT_VOCAB) -> dict:
    """One JSON-ready frame: the curve for this V, its baseline, and this scale."""
    result = simulate(scale, vocab, None, BAKE_SEED)
    curve = loss_curve(result.vocab, SCALES, None, BAKE_SEED)
    return _frame(result.scale, result.vocab, curve, result.expected_loss)


def bake() -> dict:
    """Every frame of the scale × vocabulary grid, drawing each V's curve once.

    A point of the curve *is* simulate() at that scale (same draws, same
    arithmetic), so these frames equal frame()'s; the tests check it.
    """
    curves = {v: loss_curve(v, SCALES, None, BAKE_SEED) for v in VOCAB_SIZES}

    def fast_frame(scale: float, vocab: int) -> dict:
        return _frame(scale, vocab, curves[vocab], curves[vocab][SCALES.index(scale)])

    return bake_grid(SPEC, fast_frame)
