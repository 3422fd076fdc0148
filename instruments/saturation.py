"""Instrument L.1 — tanh saturation, layer by layer.

A tanh MLP (LAYERS hidden layers of WIDTH units, no bias) sees a batch of
random Gaussian inputs. Every weight matrix is Gaussian with standard
deviation ``weight_scale / sqrt(fan_in)``: a multiplier of 1 is the plain
1/sqrt(fan-in) rule, 5/3 is tanh's customary gain, and large multipliers push
pre-activations into tanh's flat tails. Optionally each layer batch-normalises
its pre-activations (EQ N1.6 with gamma = 1, beta = 0) before the tanh.

Per layer we report what the lesson asks the reader to watch:
  - a histogram of the tanh outputs on fixed bins over [-1, 1];
  - the fraction of saturated units, |tanh| > 0.97;
  - the mean local derivative 1 - tanh^2, the factor backprop multiplies by.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

import numpy as np

from instruments._checks import (
    bake_grid,
    check_choice,
    check_float,
    check_int,
    check_seed,
    readout,
    series,
)

LAYERS = 4
WIDTH = 100
BATCH = 1000
BINS = 40
SATURATION_THRESHOLD = 0.97
BN_EPS = 1e-5
BAKE_SEED = 0
# multipliers on 1/sqrt(fan_in), roughly log-spaced, with tanh's 5/3 included
WEIGHT_SCALES = (0.2, 0.3, 0.5, 0.75, 1.0, 1.25, 1.667, 2.0, 3.0, 4.0, 5.0)
BATCHNORM = ("off", "on")
MAX_LAYERS = 50
MAX_WIDTH = 4096
MAX_BATCH = 100_000


def tanh_derivative(x):
    """d tanh(x)/dx = 1 - tanh(x)^2: about 0.0707 at x = 2 and 0.0099 at x = 3."""
    t = np.tanh(x)
    return 1.0 - t * t


def bin_edges(bins: int = BINS) -> np.ndarray:
    """Equal-width bins covering tanh's whole range [-1, 1]."""
    return np.linspace(-1.0, 1.0, bins + 1)


def _standardise(z: np.ndarray) -> np.ndarray:
    # batch norm in training mode with gamma = 1, beta = 0 (EQ N1.6)
    mean = z.mean(axis=0)
    centred = z - mean
    return centred / np.sqrt((centred * centred).mean(axis=0) + BN_EPS)


@dataclass
class SaturationResult:
    weight_scale: float
    batchnorm: str
    layers: int
    width: int
    batch: int
    seed: int
    bin_edges: list[float]
    histograms: list[list[int]]          # per layer: counts of tanh outputs per bin
    saturated_fraction: list[float]      # per layer: share of |tanh| > 0.97
    mean_derivative: list[float]         # per layer: mean of 1 - tanh^2

    def to_dict(self) -> dict:
        return asdict(self)


def simulate(
    weight_scale: float = 1.0,
    batchnorm: str = "off",
    layers: int = LAYERS,
    width: int = WIDTH,
    batch: int = BATCH,
    seed: int = 0,
) -> SaturationResult:
    """Forward a Gaussian batch through the tanh stack and summarise each layer."""
    weight_scale = check_float("weight_scale", weight_scale, 0.0, 100.0)
    batchnorm = check_choice("batchnorm", batchnorm, BATCHNORM)
    layers = check_int("layers", layers, 1, MAX_LAYERS)
    width = check_int("width", width, 1, MAX_WIDTH)
    batch = check_int("batch", batch, 2, MAX_BATCH)
    seed = check_seed(seed)

    rng = np.random.default_rng(seed)
    h = rng.standard_normal((batch, width))
    edges = bin_edges()
    histograms, saturated, derivative = [], [], []
    for _ in range(layers):
        weights = rng.standard_normal((width, width)) * (weight_scale / math.sqrt(width))
        z = h @ weights
        if batchnorm == "on":
            z = _standardise(z)
        h = np.tanh(z)
        counts, _ = np.histogram(h, bins=edges)
        histograms.append([int(c) for c in counts])
        saturated.append(float(np.mean(np.abs(h) > SATURATION_THRESHOLD)))
        derivative.append(float(np.mean(1.0 - h * h)))
    return SaturationResult(
        weight_scale=weight_scale,
        batchnorm=batchnorm,
        layers=layers,
        width=width,
        batch=batch,
        seed=seed,
        bin_edges=[float(e) for e in edges],
        histograms=histograms,
        saturated_fraction=saturated,
        mean_derivative=derivative,
    )


# ---------------------------------------------------------------- instrument

_DASHES = ("dot", "dashdot", "dash", "solid")

SPEC = {
    "id": "saturation",
    "label": "L.1",
    # Words are message keys (messages/<language>.yml), with their values where
    # a message takes one ({"key": ..., "layer": k}); see instruments/README.md.
    "title": "instrument.saturation.title",
    "subtitle": "instrument.saturation.subtitle",
    "controls": [
        {"name": "weight_scale", "label": "instrument.saturation.control.weight_scale", "kind": "slider",
         "values": list(WEIGHT_SCALES), "scale": "log", "default": 1.0},
        {"name": "batchnorm", "label": "instrument.saturation.control.batchnorm", "kind": "choice",
         "choices": [{"value": "off", "label": "instrument.saturation.choice.off"},
                     {"value": "on", "label": "instrument.saturation.choice.on"}], "default": "off"},
    ],
    "readouts": (
        [{"name": f"saturated_{k}", "label": {"key": "instrument.saturation.readout.saturated", "layer": k},
          "format": "percent"}
         for k in range(1, LAYERS + 1)]
        + [{"name": f"derivative_{k}", "label": {"key": "instrument.saturation.readout.derivative", "layer": k},
            "format": "fixed", "digits": 3}
           for k in range(1, LAYERS + 1)]
    ),
    # "Try this": one-click settings that make the caption's points (labels are message keys).
    "presets": [
        {"label": "instrument.saturation.preset.large", "settings": {"weight_scale": 3.0}},
        {"label": "instrument.saturation.preset.large_bn", "settings": {"weight_scale": 3.0, "batchnorm": "on"}},
    ],
    "chart": {
        # Fixed across the grid: tanh outputs live in [-1, 1]; no bin holds more than half.
        "x": {"title": "instrument.saturation.x", "range": [-1, 1]},
        "y": {"title": "instrument.saturation.y", "range": [0, 0.55]},
        "traces": [
            {"x": "bin_centre", "y": f"layer_{k}", "name": {"key": "instrument.saturation.trace.layer", "layer": k},
             "kind": "line",
             "role": "primary" if k == LAYERS else "secondary", "dash": _DASHES[k - 1]}
            for k in range(1, LAYERS + 1)
        ],
        "hlines": [],
    },
}


def frame(weight_scale: float = 1.0, batchnorm: str = "off") -> dict:
    """One JSON-ready frame: per-layer histograms (as shares) and readouts."""
    r = simulate(weight_scale, batchnorm, LAYERS, WIDTH, BATCH, BAKE_SEED)
    centres = [(a + b) / 2 for a, b in zip(r.bin_edges, r.bin_edges[1:])]
    total = r.batch * r.width
    out_series = {"bin_centre": series(centres)}
    for k, counts in enumerate(r.histograms, start=1):
        out_series[f"layer_{k}"] = series([c / total for c in counts])
    readouts = {}
    for k in range(1, r.layers + 1):
        readouts[f"saturated_{k}"] = readout(r.saturated_fraction[k - 1])
    for k in range(1, r.layers + 1):
        readouts[f"derivative_{k}"] = readout(r.mean_derivative[k - 1])
    return {"series": out_series, "readouts": readouts, "marks": []}


def bake() -> dict:
    """Every frame of the weight-scale × BatchNorm grid."""
    return bake_grid(SPEC, frame)
