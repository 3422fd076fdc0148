"""Instrument N1.1 — how the initial weight scale moves activation variance.

A batch of unit-variance Gaussian inputs goes through L square layers with
no bias, h_l = phi(W_l h_{l-1}) (EQ N1.1 with b = 0). Each layer's weights are
fresh Gaussians whose variance is set by the init rule:

    naive   Var(W) = 1        (the raw N(0, 1) draw)
    xavier  Var(W) = 1/n      (EQ N1.4 for a square layer, n_in = n_out = n)
    he      Var(W) = 2/n      (EQ N1.5)

EQ N1.3 says that, in the linear regime, one layer multiplies the variance by
n * Var(W). ReLU then keeps half of the second moment, which is why He doubles
Xavier's variance. We record both the variance and the second moment
E[h^2] of every layer, because the second moment is what He preserves.

Weights are drawn one layer after another from a single seeded generator,
right after the input batch. A depth-L run is therefore exactly the first L
layers of any deeper run with the same settings (prefix consistency); the
bake uses this to run the deepest network once and slice it.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np

from instruments._checks import (
    bake_grid,
    check_choice,
    check_int,
    check_seed,
    readout,
    series,
)

INITS = ("naive", "xavier", "he")
ACTIVATIONS = ("relu", "tanh", "linear")
WIDTHS = (16, 32, 64, 128, 256, 512)
DEPTHS = tuple(range(1, 51))
MAX_WIDTH = 4096
MAX_DEPTH = 1000
MAX_BATCH = 8192

# The instrument's fixed batch and seed: 256 examples give each layer's
# variance from at least 256 * 16 numbers, plenty for a log-scale chart.
BAKE_BATCH = 256
BAKE_SEED = 0

EXPLODE_RATIO = 10.0
VANISH_RATIO = 0.1


@dataclass
class InitResult:
    """Per-layer statistics; index 0 is the input, index l is layer l."""

    init: str
    activation: str
    width: int
    depth: int
    batch: int
    seed: int
    variance: list[float]          # Var(h_l), pooled over batch and units
    second_moment: list[float]     # E[h_l^2]
    preact_variance: list[float]   # Var(z_l); index 0 repeats the input's variance
    overflow_layer: int | None     # first layer whose statistics are not finite
    var_layer1: float
    var_final: float
    verdict: str                   # EXPLODES, VANISHES or STABLE

    def to_dict(self) -> dict:
        return asdict(self)


def weight_std(init: str, width: int) -> float:
    """Standard deviation of one weight under ``init`` (EQ N1.4, N1.5)."""
    if init == "naive":
        return 1.0
    if init == "xavier":
        return float(np.sqrt(1.0 / width))
    return float(np.sqrt(2.0 / width))


def apply_activation(z: np.ndarray, activation: str) -> np.ndarray:
    """phi(z) for the three activations of the instrument, computed in place."""
    if activation == "relu":
        return np.maximum(z, 0.0, out=z)
    if activation == "tanh":
        return np.tanh(z, out=z)
    return z


def moments(a: np.ndarray) -> tuple[float, float]:
    """(variance, second moment) of all entries of ``a``, pooled.

    Var = E[a^2] - E[a]^2 from one sum and one dot product: two light passes
    over the array instead of the four or so that ``a.var()`` makes, which
    matters when the rest of a layer is a single matrix product.
    """
    flat = a.reshape(-1)
    mean = float(flat.sum()) / flat.size
    second = float(np.dot(flat, flat)) / flat.size
    return max(second - mean * mean, 0.0), second


def verdict_from(var_layer1: float, var_final: float) -> str:
    """EXPLODES if the final variance is >10x layer 1's, VANISHES if <0.1x."""
    if not np.isfinite(var_final):
        return "EXPLODES"
    if var_layer1 == 0.0:
        # Every unit of layer 1 is dead (only possible at tiny widths); with
        # no bias nothing can revive the signal, so it has vanished.
        return "VANISHES"
    ratio = var_final / var_layer1
    if ratio > EXPLODE_RATIO:
        return "EXPLODES"
    if ratio < VANISH_RATIO:
        return "VANISHES"
    return "STABLE"


def _validate(init, activation, width, depth, batch, seed):
    return (
        check_choice("init", init, INITS),
        check_choice("activation", activation, ACTIVATIONS),
        check_int("width", width, 1, MAX_WIDTH),
        check_int("depth", depth, 1, MAX_DEPTH),
        check_int("batch", batch, 2, MAX_BATCH),
        check_seed(seed),
    )


def simulate(
    init: str = "he",
    activation: str = "relu",
    width: int = 256,
    depth: int = 25,
    batch: int = 1024,
    seed: int = 0,
) -> InitResult:
    """Push a Gaussian batch through ``depth`` layers; record EQ N1.3 in action.

    Overflow is never silent: as soon as a layer's statistics stop being
    finite, ``overflow_layer`` is set and the deeper layers are reported as
    inf (they are not computed, since inf - inf would only produce nan).
    """
    init, activation, width, depth, batch, seed = _validate(
        init, activation, width, depth, batch, seed
    )
    rng = np.random.default_rng(seed)
    h = rng.standard_normal((batch, width))
    std = weight_std(init, width)

    first_var, first_second = moments(h)
    variance = [first_var]
    second_moment = [first_second]
    preact_variance = [first_var]
    overflow_layer = None
    for layer in range(1, depth + 1):
        # Draw before checking for overflow so the generator's state, and
        # hence every later layer, does not depend on what happened upstream.
        weights = rng.standard_normal((width, width))
        if overflow_layer is not None:
            continue
        with np.errstate(over="ignore", invalid="ignore"):
            weights *= std
            z = h @ weights
            z_var, _ = moments(z)
            h = apply_activation(z, activation)      # z is not needed again
            h_var, h_second = moments(h)
        if not all(np.isfinite((z_var, h_var, h_second))):
            overflow_layer = layer
            continue
        preact_variance.append(z_var)
        variance.append(h_var)
        second_moment.append(h_second)

    missing = depth + 1 - len(variance)
    for values in (variance, second_moment, preact_variance):
        values.extend([float("inf")] * missing)
    var_layer1, var_final = variance[1], variance[depth]
    return InitResult(
        init=init,
        activation=activation,
        width=width,
        depth=depth,
        batch=batch,
        seed=seed,
        variance=variance,
        second_moment=second_moment,
        preact_variance=preact_variance,
        overflow_layer=overflow_layer,
        var_layer1=var_layer1,
        var_final=var_final,
        verdict=verdict_from(var_layer1, var_final),
    )


# ---------------------------------------------------------------- instrument

SPEC = {
    "id": "init_explorer",
    "label": "N1.1",
    # Words are message keys (messages/<language>.yml); see instruments/README.md.
    "title": "instrument.init_explorer.title",
    "subtitle": "instrument.init_explorer.subtitle",
    "controls": [
        {
            "name": "init",
            "label": "instrument.init_explorer.control.init",
            "kind": "choice",
            "choices": [
                {"value": "naive", "label": "instrument.init_explorer.choice.naive"},
                {"value": "xavier", "label": "instrument.init_explorer.choice.xavier"},
                {"value": "he", "label": "instrument.init_explorer.choice.he"},
            ],
            "default": "he",
        },
        {"name": "width", "label": "instrument.init_explorer.control.width", "kind": "slider",
         "values": list(WIDTHS), "default": 256},
        {"name": "depth", "label": "instrument.init_explorer.control.depth", "kind": "slider",
         "values": list(DEPTHS), "default": 25},
        {
            "name": "activation",
            "label": "instrument.init_explorer.control.activation",
            "kind": "choice",
            "choices": [
                {"value": "relu", "label": "instrument.init_explorer.choice.relu"},
                {"value": "tanh", "label": "instrument.init_explorer.choice.tanh"},
                {"value": "linear", "label": "instrument.init_explorer.choice.linear"},
            ],
            "default": "relu",
        },
    ],
    "readouts": [
        {"name": "var_layer1", "label": "instrument.init_explorer.readout.var_layer1", "format": "sci"},
        {"name": "var_final", "label": "instrument.init_explorer.readout.var_final", "format": "sci"},
        {"name": "verdict", "label": "instrument.init_explorer.readout.verdict", "format": "text"},
    ],
    # "Try this": one-click settings that make the caption's points (labels are message keys).
    "presets": [
        {"label": "instrument.init_explorer.preset.naive", "settings": {"init": "naive"}},
        {"label": "instrument.init_explorer.preset.xavier", "settings": {"init": "xavier"}},
        {"label": "instrument.init_explorer.preset.narrow", "settings": {"width": 16, "depth": 50}},
    ],
    "chart": {
        # Fixed axes across the whole control grid: a change of setting moves the
        # curve, never the scale. log10 of the variance makes geometric growth a
        # straight line; a curve that leaves [-20, 20] is drawn to the edge and marked.
        "x": {"title": "instrument.init_explorer.x", "range": [0, max(DEPTHS)], "point": "instrument.where.layer"},
        "y": {"title": "instrument.init_explorer.y", "range": [-20, 20]},
        # The other inits, drawn faintly behind the selected one (a toggle hides them).
        "ghosts": {"control": "init", "traces": ["log10_var"], "label": "instrument.init_explorer.ghosts"},
        "traces": [
            {"x": "layer", "y": "log10_var", "name": "instrument.init_explorer.trace.variance",
             "kind": "line", "role": "primary"},
            {"x": "layer", "y": "log10_second_moment", "name": "instrument.init_explorer.trace.second_moment",
             "kind": "line", "role": "secondary", "dash": "dot"},
        ],
        "hlines": [{"y": 0, "label": "instrument.init_explorer.hline.unit_variance"}],
    },
}


def _log10(values: list[float]) -> list[float]:
    with np.errstate(divide="ignore"):
        return [float(v) for v in np.log10(np.asarray(values, dtype=float))]


def _frame_at_depth(result: InitResult, depth: int) -> dict:
    """The frame for the first ``depth`` layers of ``result`` (prefix slice)."""
    variance = result.variance[: depth + 1]
    var_final = variance[depth]
    overflowed = result.overflow_layer is not None and result.overflow_layer <= depth
    marks = []
    if overflowed:
        marks.append({"trace": "log10_var", "x": float(result.overflow_layer),
                      "label": {"key": "instrument.mark.overflow_at_layer", "layer": result.overflow_layer}})
    return {
        "series": {
            "layer": list(range(depth + 1)),
            "log10_var": series(_log10(variance)),
            "log10_second_moment": series(_log10(result.second_moment[: depth + 1])),
        },
        "readouts": {
            "var_layer1": readout(result.var_layer1),
            "var_final": "overflow" if overflowed else readout(var_final),
            "verdict": verdict_from(result.var_layer1, var_final),
        },
        "marks": marks,
    }


def frame(init: str = "he", width: int = 256, depth: int = 25, activation: str = "relu") -> dict:
    """One JSON-ready frame of the instrument for one setting of its controls."""
    result = simulate(init, activation, width, depth, BAKE_BATCH, BAKE_SEED)
    return _frame_at_depth(result, result.depth)


def bake() -> dict:
    """Every frame of the control grid, running each network once at full depth."""
    deepest = max(DEPTHS)
    cache: dict[tuple[str, int, str], InitResult] = {}

    def sliced_frame(init: str, width: int, depth: int, activation: str) -> dict:
        key = (init, width, activation)
        if key not in cache:
            cache[key] = simulate(init, activation, width, deepest, BAKE_BATCH, BAKE_SEED)
        return _frame_at_depth(cache[key], depth)

    return bake_grid(SPEC, sliced_frame)
