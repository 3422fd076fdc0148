"""Instrument N1.2 — batch normalisation and the largest learning rate that trains.

A toy deep ReLU network (He init, EQ N1.5) learns a fixed synthetic regression
task with plain gradient descent for a fixed number of steps. It is trained
twice from the same initial weights on the same data:

    no BN    z_l = h_{l-1} W_l + b_l,                 h_l = relu(z_l)
    with BN  z_l = h_{l-1} W_l,  a_l = gamma_l zhat_l + beta_l,  h_l = relu(a_l)

where zhat_l standardises z_l with the mini-batch mean and biased variance
(EQ N1.6, training-mode statistics). The output is a linear read-out and the
loss is half the mean squared error.

A run *diverges* when any recorded loss is not finite, or when the loss after
the last step is above the loss before the first step. The stable learning
rate ceiling (no BN) is the largest rate of the sweep whose no-BN run does not
diverge at the chosen depth.

Forward and backward passes are written out by hand; the tests compare every
gradient with central finite differences.
"""

from __future__ import annotations

import functools
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

# ---------------------------------------------------------------- the task

INPUT_DIM = 8
WIDTH = 32
BATCH = 64
STEPS = 60
BN_EPS = 1e-5
TASK_SEED = 7          # data; fixed so every setting sees the same task
WEIGHT_SEED = 0        # initial weights of the instrument's networks

DEPTHS = tuple(range(2, 21, 2))
# 20 rates, evenly spaced in log10 from 1e-3 to 3.
LEARNING_RATES = tuple(float(f"{10 ** (-3 + i * math.log10(3000) / 19):.4g}") for i in range(20))
MAX_DEPTH = 50
MAX_STEPS = 1000
LR_RANGE = (1e-6, 100.0)


def make_task(seed: int = TASK_SEED) -> tuple[np.ndarray, np.ndarray]:
    """Inputs x ~ N(0, I) and a smooth nonlinear target with unit variance."""
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((BATCH, INPUT_DIM))
    direction = rng.standard_normal((INPUT_DIM, 2)) / math.sqrt(INPUT_DIM)
    projected = x @ direction
    y = np.sin(2.0 * projected[:, :1]) + projected[:, 1:] ** 2
    y = (y - y.mean()) / y.std()
    return x, y


# ---------------------------------------------------------------- the network

def init_params(depth: int, seed: int = WEIGHT_SEED) -> dict[str, np.ndarray]:
    """He-initialised weights, zero biases, gamma = 1 and beta = 0.

    Both variants start from this one dictionary: the no-BN network uses the
    biases b_l and ignores gamma/beta, the BN network does the opposite.
    """
    rng = np.random.default_rng(seed)
    params: dict[str, np.ndarray] = {}
    # Read-out first, then layers in order: a deeper network is a shallower
    # one with extra layers inserted before the same read-out, so comparing
    # depths compares depth, not a fresh draw of the read-out.
    # Variance 1/fan_in keeps the initial prediction O(1).
    params["W_out"] = rng.standard_normal((WIDTH, 1)) * math.sqrt(1.0 / WIDTH)
    params["b_out"] = np.zeros(1)
    fan_in = INPUT_DIM
    for layer in range(1, depth + 1):
        params[f"W{layer}"] = rng.standard_normal((fan_in, WIDTH)) * math.sqrt(2.0 / fan_in)
        params[f"b{layer}"] = np.zeros(WIDTH)
        params[f"gamma{layer}"] = np.ones(WIDTH)
        params[f"beta{layer}"] = np.zeros(WIDTH)
        fan_in = WIDTH
    return params


def trainable_names(depth: int, use_bn: bool) -> list[str]:
    """The parameters one variant actually uses (and therefore updates)."""
    per_layer = ("W", "gamma", "beta") if use_bn else ("W", "b")
    names = [f"{p}{layer}" for layer in range(1, depth + 1) for p in per_layer]
    return names + ["W_out", "b_out"]


def batch_norm_forward(z: np.ndarray, gamma: np.ndarray, beta: np.ndarray):
    """EQ N1.6 with batch statistics; returns the output and what backward needs."""
    mean = z.mean(axis=0)
    centred = z - mean
    var = (centred * centred).mean(axis=0)          # biased, 1/m
    inv_std = 1.0 / np.sqrt(var + BN_EPS)
    z_hat = centred * inv_std
    return gamma * z_hat + beta, (z_hat, inv_std)


def batch_norm_backward(d_out: np.ndarray, gamma: np.ndarray, cache):
    """Gradients of EQ N1.6 with respect to z, gamma and beta.

    Every example's zhat depends on the whole batch through the mean and the
    variance, hence the two batch-sum correction terms.
    """
    z_hat, inv_std = cache
    m = d_out.shape[0]
    d_gamma = (d_out * z_hat).sum(axis=0)
    d_beta = d_out.sum(axis=0)
    d_zhat = d_out * gamma
    d_z = (inv_std / m) * (
        m * d_zhat - d_zhat.sum(axis=0) - z_hat * (d_zhat * z_hat).sum(axis=0)
    )
    return d_z, d_gamma, d_beta


def loss_and_grads(
    params: dict[str, np.ndarray], x: np.ndarray, y: np.ndarray, depth: int, use_bn: bool
) -> tuple[float, dict[str, np.ndarray]]:
    """Half mean squared error and its gradient for every trainable parameter."""
    h = x
    caches = []
    for layer in range(1, depth + 1):
        z = h @ params[f"W{layer}"]
        if use_bn:
            a, bn_cache = batch_norm_forward(z, params[f"gamma{layer}"], params[f"beta{layer}"])
        else:
            a, bn_cache = z + params[f"b{layer}"], None
        caches.append((h, a, bn_cache))
        h = np.maximum(a, 0.0)
    prediction = h @ params["W_out"] + params["b_out"]
    error = prediction - y
    m = x.shape[0]
    loss = 0.5 * float(np.mean(error * error))

    grads: dict[str, np.ndarray] = {}
    d_pred = error / m
    grads["W_out"] = h.T @ d_pred
    grads["b_out"] = d_pred.sum(axis=0)
    d_h = d_pred @ params["W_out"].T
    for layer in range(depth, 0, -1):
        h_in, a, bn_cache = caches[layer - 1]
        d_a = d_h * (a > 0)                          # relu'(a)
        if use_bn:
            d_z, grads[f"gamma{layer}"], grads[f"beta{layer}"] = batch_norm_backward(
                d_a, params[f"gamma{layer}"], bn_cache
            )
        else:
            d_z = d_a
            grads[f"b{layer}"] = d_a.sum(axis=0)
        grads[f"W{layer}"] = h_in.T @ d_z
        if layer > 1:
            d_h = d_z @ params[f"W{layer}"].T
    return loss, grads


# ---------------------------------------------------------------- training

@dataclass
class TrainResult:
    depth: int
    learning_rate: float
    use_bn: bool
    losses: list[float]              # loss before step 1, ..., loss after the last step
    diverged: bool
    diverged_at_step: int | None     # first step whose loss is not finite

    def to_dict(self) -> dict:
        return asdict(self)


def is_diverged(losses: list[float]) -> bool:
    """Diverged = some loss is not finite, or the final loss exceeds the initial."""
    if not all(math.isfinite(v) for v in losses):
        return True
    return losses[-1] > losses[0]


@functools.lru_cache(maxsize=4096)
def _train_losses(depth: int, learning_rate: float, use_bn: bool, steps: int, seed: int) -> tuple[float, ...]:
    # Cached because the ceiling readout needs the whole sweep at one depth;
    # the inputs are plain immutable values, so the cache cannot go stale.
    x, y = make_task()
    params = init_params(depth, seed)
    names = trainable_names(depth, use_bn)
    losses = []
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        for _ in range(steps):
            loss, grads = loss_and_grads(params, x, y, depth, use_bn)
            losses.append(loss)
            if not math.isfinite(loss):
                break                                 # nothing sensible to learn from inf
            for name in names:
                params[name] = params[name] - learning_rate * grads[name]
        else:
            losses.append(loss_and_grads(params, x, y, depth, use_bn)[0])
    losses += [float("nan")] * (steps + 1 - len(losses))
    return tuple(losses)


def train(depth: int = 10, learning_rate: float = 0.01, use_bn: bool = False,
          steps: int = STEPS, seed: int = WEIGHT_SEED) -> TrainResult:
    """Gradient descent on the fixed task; returns the loss at every step."""
    depth = check_int("depth", depth, 1, MAX_DEPTH)
    learning_rate = check_float("learning_rate", learning_rate, *LR_RANGE)
    if not isinstance(use_bn, bool):
        raise ValueError(f"use_bn must be True or False; got {use_bn!r}")
    steps = check_int("steps", steps, 1, MAX_STEPS)
    seed = check_seed(seed)
    losses = list(_train_losses(depth, learning_rate, use_bn, steps, seed))
    first_bad = next((i for i, v in enumerate(losses) if not math.isfinite(v)), None)
    return TrainResult(depth, learning_rate, use_bn, losses, is_diverged(losses), first_bad)


def stable_ceiling(depth: int, learning_rates=LEARNING_RATES, steps: int = STEPS,
                   seed: int = WEIGHT_SEED) -> float | None:
    """Largest rate in ``learning_rates`` whose no-BN run does not diverge."""
    stable = [lr for lr in learning_rates if not train(depth, lr, False, steps, seed).diverged]
    return max(stable) if stable else None


@dataclass
class StabilityResult:
    depth: int
    learning_rate: float
    no_bn: TrainResult
    with_bn: TrainResult
    final_loss_no_bn: float
    final_loss_with_bn: float
    ceiling_no_bn: float | None

    def to_dict(self) -> dict:
        return asdict(self)


def simulate(learning_rate: float = 0.01, depth: int = 10, seed: int = WEIGHT_SEED) -> StabilityResult:
    """Both runs at one setting, plus the no-BN ceiling over the instrument's sweep."""
    no_bn = train(depth, learning_rate, False, STEPS, seed)
    with_bn = train(depth, learning_rate, True, STEPS, seed)
    return StabilityResult(
        depth=no_bn.depth,
        learning_rate=no_bn.learning_rate,
        no_bn=no_bn,
        with_bn=with_bn,
        final_loss_no_bn=no_bn.losses[-1],
        final_loss_with_bn=with_bn.losses[-1],
        ceiling_no_bn=stable_ceiling(no_bn.depth, LEARNING_RATES, STEPS, seed),
    )


# ---------------------------------------------------------------- instrument

Y_RANGE = [-3.0, 1.5]

SPEC = {
    "id": "batchnorm_stability",
    "label": "N1.2",
    "title": "BatchNorm & training stability",
    "subtitle": "Loss per step with and without batch norm · EQ N1.6",
    "controls": [
        {"name": "learning_rate", "label": "Learning rate", "kind": "slider",
         "values": list(LEARNING_RATES), "scale": "log", "default": LEARNING_RATES[9]},
        {"name": "depth", "label": "Depth", "kind": "slider", "values": list(DEPTHS), "default": 10},
    ],
    "readouts": [
        {"name": "final_loss_no_bn", "label": "FINAL LOSS · NO BN", "format": "sci"},
        {"name": "final_loss_with_bn", "label": "FINAL LOSS · WITH BN", "format": "sci"},
        {"name": "ceiling_no_bn", "label": "STABLE η CEILING (NO BN)", "format": "sci"},
    ],
    "chart": {
        "x": {"title": "SGD step"},
        "y": {"title": "log₁₀ loss", "range": Y_RANGE, "type": "linear"},
        "traces": [
            {"x": "step", "y": "log10_loss_no_bn", "name": "no BN", "kind": "line", "role": "secondary"},
            {"x": "step", "y": "log10_loss_with_bn", "name": "with BN", "kind": "line", "role": "primary"},
        ],
        "hlines": [],
    },
}


def _log10_losses(losses: list[float]) -> list[float]:
    with np.errstate(divide="ignore", invalid="ignore"):
        return [float(v) for v in np.log10(np.asarray(losses, dtype=float))]


def _marks(trace: str, run: TrainResult) -> list[dict]:
    if run.diverged_at_step is not None:
        return [{"trace": trace, "x": float(run.diverged_at_step),
                 "label": f"diverged at step {run.diverged_at_step}"}]
    if run.diverged:
        return [{"trace": trace, "x": float(len(run.losses) - 1),
                 "label": "diverged: final loss above initial"}]
    return []


def _readout_loss(run: TrainResult) -> float | str:
    return "diverged" if run.diverged_at_step is not None else readout(run.losses[-1])


def frame(learning_rate: float = LEARNING_RATES[9], depth: int = 10) -> dict:
    """One JSON-ready frame: both loss curves and the three readouts."""
    result = simulate(learning_rate, depth)
    ceiling = result.ceiling_no_bn
    return {
        "series": {
            "step": list(range(STEPS + 1)),
            "log10_loss_no_bn": series(_log10_losses(result.no_bn.losses)),
            "log10_loss_with_bn": series(_log10_losses(result.with_bn.losses)),
        },
        "readouts": {
            "final_loss_no_bn": _readout_loss(result.no_bn),
            "final_loss_with_bn": _readout_loss(result.with_bn),
            "ceiling_no_bn": "none" if ceiling is None else readout(ceiling),
        },
        "marks": _marks("log10_loss_no_bn", result.no_bn) + _marks("log10_loss_with_bn", result.with_bn),
    }


def bake() -> dict:
    """Every frame of the learning-rate × depth grid."""
    return bake_grid(SPEC, frame)
