"""Instrument N1.3 — gradient flow backwards through plain and residual stacks.

Each block k = 1..L has a random Jacobian J_k with i.i.d. entries of variance
g/n (g is the block gain, n the width). A gradient of unit norm at the output
h_L is carried back to the input h_0 in two ways:

    plain     dL/dh_{k-1} = J_k^T dL/dh_k                    (EQ N1.2)
    residual  dL/dh_{k-1} = (I + alpha J_k)^T dL/dh_k        (EQ N1.8)

with alpha = 1 ("none") or alpha = 1/sqrt(L). For a fixed vector v,
E||J^T v||^2 = g ||v||^2 and E||(I + alpha J)^T v||^2 = (1 + alpha^2 g) ||v||^2,
so the expected squared norm after m blocks is g^m (plain) and
(1 + alpha^2 g)^m (residual). Without scaling the residual gradient therefore
grows like (1 + g)^(L/2); with alpha = 1/sqrt(L) the growth over all L blocks
is (1 + g/L)^(L/2), which stays below e^(g/2).

Both stacks use the same matrices, and the matrices are the same standard
normal draws for every gain (J_k = sqrt(g/n) Z_k), so moving the gain slider
rescales one fixed network instead of drawing a new one.
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

BRANCH_SCALES = ("none", "1/sqrt(L)")
GAINS = tuple(round(0.5 + 0.1 * i, 1) for i in range(11))
# Depth grid: dense where the curves change fastest, sparse further out,
# to keep the baked frames well inside the size budget.
DEPTHS = (2, 3, 4, 5, 6, 8, 10, 12, 15, 20, 25, 30, 40, 50, 60, 70, 80, 90, 100)
WIDTH = 64
BAKE_SEED = 0
MAX_DEPTH = 1000
MAX_WIDTH = 1024
MAX_GAIN = 10.0
# The panel opens on its headline: below unit gain the plain gradient has
# vanished by layer 1 while the 1/sqrt(L)-scaled residual one stays of order 1.
DEFAULT_GAIN = 0.6
DEFAULT_BRANCH_SCALE = "1/sqrt(L)"


@dataclass
class FlowResult:
    """Gradient norms by layer; index l is ||dL/dh_l||, l = 0..L (L is the output)."""

    gain: float
    depth: int
    branch_scale: str
    alpha: float
    width: int
    seed: int
    plain_norm: list[float]
    residual_norm: list[float]
    overflow_layer: int | None   # deepest-to-shallowest: first layer whose norm is not finite
    grad_layer1_plain: float
    grad_layer1_residual: float
    ratio: float

    def to_dict(self) -> dict:
        return asdict(self)


def branch_alpha(branch_scale: str, depth: int) -> float:
    """alpha of EQ N1.8's residual branch: 1, or 1/sqrt(L)."""
    return 1.0 if branch_scale == "none" else 1.0 / math.sqrt(depth)


def expected_sq_factor_plain(gain: float) -> float:
    """E||J^T v||^2 / ||v||^2 for one plain block."""
    return gain


def expected_sq_factor_residual(gain: float, alpha: float) -> float:
    """E||(I + alpha J)^T v||^2 / ||v||^2 for one residual block."""
    return 1.0 + alpha * alpha * gain


def simulate(
    gain: float = DEFAULT_GAIN,
    depth: int = 50,
    branch_scale: str = DEFAULT_BRANCH_SCALE,
    width: int = WIDTH,
    seed: int = 0,
) -> FlowResult:
    """Carry a unit gradient from h_L back to h_0 through plain and residual blocks."""
    gain = check_float("gain", gain, 0.0, MAX_GAIN)
    depth = check_int("depth", depth, 1, MAX_DEPTH)
    branch_scale = check_choice("branch_scale", branch_scale, BRANCH_SCALES)
    width = check_int("width", width, 1, MAX_WIDTH)
    seed = check_seed(seed)

    rng = np.random.default_rng(seed)
    output_grad = rng.standard_normal(width)
    output_grad /= np.linalg.norm(output_grad)
    # Z[k-1] belongs to block k; drawn input side first so that the blocks of
    # a shallow stack are the first blocks of a deeper one.
    standard = rng.standard_normal((depth, width, width))
    jacobian_scale = math.sqrt(gain / width)
    alpha = branch_alpha(branch_scale, depth)

    plain = output_grad.copy()
    residual = output_grad.copy()
    plain_norm = [1.0] * (depth + 1)
    residual_norm = [1.0] * (depth + 1)
    overflow_layer = None
    with np.errstate(over="ignore", invalid="ignore"):
        for layer in range(depth - 1, -1, -1):      # block k = layer + 1
            jacobian = jacobian_scale * standard[layer]
            plain = jacobian.T @ plain
            residual = residual + alpha * (jacobian.T @ residual)
            plain_norm[layer] = float(np.linalg.norm(plain))
            residual_norm[layer] = float(np.linalg.norm(residual))
            if overflow_layer is None and not (
                math.isfinite(plain_norm[layer]) and math.isfinite(residual_norm[layer])
            ):
                overflow_layer = layer

    # Layer 1's weights learn from dL/dh_1, so that is the signal they see.
    at_plain, at_residual = plain_norm[1], residual_norm[1]
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = float(np.float64(at_residual) / np.float64(at_plain))
    return FlowResult(
        gain=gain,
        depth=depth,
        branch_scale=branch_scale,
        alpha=alpha,
        width=width,
        seed=seed,
        plain_norm=plain_norm,
        residual_norm=residual_norm,
        overflow_layer=overflow_layer,
        grad_layer1_plain=at_plain,
        grad_layer1_residual=at_residual,
        ratio=ratio,
    )


# ---------------------------------------------------------------- instrument

SPEC = {
    "id": "residual_flow",
    "label": "N1.3",
    # Words are message keys (messages/<language>.yml); see instruments/README.md.
    "title": "instrument.residual_flow.title",
    "subtitle": "instrument.residual_flow.subtitle",
    "controls": [
        {"name": "gain", "label": "instrument.residual_flow.control.gain", "kind": "slider",
         "values": list(GAINS), "default": DEFAULT_GAIN},
        {"name": "depth", "label": "instrument.residual_flow.control.depth", "kind": "slider",
         "values": list(DEPTHS), "default": 50},
        {
            "name": "branch_scale",
            "label": "instrument.residual_flow.control.branch_scale",
            "kind": "choice",
            "choices": [
                {"value": "none", "label": "instrument.residual_flow.choice.unscaled"},
                {"value": "1/sqrt(L)", "label": "instrument.residual_flow.choice.one_over_sqrt_depth"},
            ],
            "default": DEFAULT_BRANCH_SCALE,
        },
    ],
    "readouts": [
        {"name": "grad_layer1_plain", "label": "instrument.residual_flow.readout.grad_layer1_plain", "format": "sci"},
        {"name": "grad_layer1_residual", "label": "instrument.residual_flow.readout.grad_layer1_residual",
         "format": "sci"},
        {"name": "ratio", "label": "instrument.residual_flow.readout.ratio", "format": "sci"},
    ],
    # "Try this": one-click settings that make the caption's points (labels are message keys).
    "presets": [
        {"label": "instrument.residual_flow.preset.unscaled", "settings": {"branch_scale": "none"}},
        {"label": "instrument.residual_flow.preset.deep_unscaled", "settings": {"depth": 100, "branch_scale": "none"}},
        {"label": "instrument.residual_flow.preset.gain_up", "settings": {"gain": 1.3}},
    ],
    "chart": {
        # Fixed axes across the grid (log10 norms: geometric growth is a straight line).
        "x": {"title": "instrument.residual_flow.x", "range": [0, max(DEPTHS)], "point": "instrument.where.layer"},
        "y": {"title": "instrument.residual_flow.y", "range": [-16, 16]},
        # The other branch scale's residual curve, drawn faintly: plain, residual and
        # 1/sqrt(L)-scaled residual are on screen together.
        "ghosts": {"control": "branch_scale", "traces": ["log10_residual"],
                   "label": "instrument.residual_flow.ghosts"},
        "traces": [
            {"x": "layer", "y": "log10_plain", "name": "instrument.residual_flow.trace.plain",
             "kind": "line", "role": "secondary"},
            {"x": "layer", "y": "log10_residual", "name": "instrument.residual_flow.trace.residual",
             "kind": "line", "role": "primary"},
            {"x": "theory_layer", "y": "log10_theory_plain", "name": "instrument.residual_flow.trace.expected_plain",
             "kind": "line", "role": "reference", "dash": "dot"},
            {"x": "theory_layer", "y": "log10_theory_residual",
             "name": "instrument.residual_flow.trace.expected_residual",
             "kind": "line", "role": "reference", "dash": "dash"},
        ],
        "hlines": [{"y": 0, "label": "instrument.residual_flow.hline.unit_norm"}],
    },
}


def _log10(values: list[float]) -> list[float]:
    with np.errstate(divide="ignore", invalid="ignore"):
        return [float(v) for v in np.log10(np.asarray(values, dtype=float))]


def frame(gain: float = DEFAULT_GAIN, depth: int = 50, branch_scale: str = DEFAULT_BRANCH_SCALE) -> dict:
    """One JSON-ready frame: both norm curves, their expectations, the readouts."""
    result = simulate(gain, depth, branch_scale, WIDTH, BAKE_SEED)
    # sqrt of the expected squared norm after L blocks; a straight line in log10.
    with np.errstate(divide="ignore"):
        theory_plain = 0.5 * depth * float(np.log10(expected_sq_factor_plain(result.gain)))
    theory_residual = 0.5 * depth * math.log10(expected_sq_factor_residual(result.gain, result.alpha))
    marks = []
    if result.overflow_layer is not None:
        marks.append({"trace": "log10_residual", "x": float(result.overflow_layer),
                      "label": {"key": "instrument.mark.overflow_at_layer", "layer": result.overflow_layer}})
    return {
        "series": {
            "layer": list(range(depth + 1)),
            "log10_plain": series(_log10(result.plain_norm)),
            "log10_residual": series(_log10(result.residual_norm)),
            "theory_layer": [0, depth],
            "log10_theory_plain": series([theory_plain, 0.0]),
            "log10_theory_residual": series([theory_residual, 0.0]),
        },
        "readouts": {
            "grad_layer1_plain": readout(result.grad_layer1_plain),
            "grad_layer1_residual": readout(result.grad_layer1_residual),
            "ratio": readout(result.ratio),
        },
        "marks": marks,
    }


def bake() -> dict:
    """Every frame of the gain × depth × branch-scale grid."""
    return bake_grid(SPEC, frame)
