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

Forward and backward passes are written out by hand; the tests compare the
gradients of every parameter with central finite differences.
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
# The target sits at 10 (unit spread around it) and the read-out starts
# small. Learning the offset makes the first updates large and aligned: every
# layer's gradient pushes the same output, so the rate at which they overshoot
# falls as layers are added. That depth dependence is what the instrument
# shows. (With a centred target, overshooting runs tend to kill their ReLUs
# and settle at the mean, which the divergence rule cannot tell from success.)
TARGET_MEAN = 10.0
READOUT_GAIN = 0.1     # read-out weight std is READOUT_GAIN / sqrt(WIDTH)
TASK_SEED = 7          # data; fixed so every setting sees the same task
WEIGHT_SEED = 0        # initial weights of the instrument's networks

DEPTHS = tuple(range(2, 21, 2))
# 20 rates, evenly spaced in log10 from 1e-3 to 3.
LEARNING_RATES = tuple(float(f"{10 ** (-3 + i * math.log10(3000) / 19):.4g}") for i in range(20))
# The reader starts where both runs still descend at the default depth of 10,
# one step below the rate at which the run without batch norm breaks.
DEFAULT_LEARNING_RATE = LEARNING_RATES[5]
MAX_DEPTH = 50
MAX_STEPS = 1000
LR_RANGE = (1e-6, 100.0)


def make_task(seed: int = TASK_SEED) -> tuple[np.ndarray, np.ndarray]:
    """Inputs x ~ N(0, I); target = TARGET_MEAN + a smooth nonlinear unit-variance part."""
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((BATCH, INPUT_DIM))
    direction = rng.standard_normal((INPUT_DIM, 2)) / math.sqrt(INPUT_DIM)
    projected = x @ direction
    y = np.sin(2.0 * projected[:, :1]) + projected[:, 1:] ** 2
    y = TARGET_MEAN + (y - y.mean()) / y.std()
    return x, y


# ---------------------------------------------------------------- the network

def init_params(depth: int, seed: int = WEIGHT_SEED) -> dict[str, np.ndarray]:
    """He-initialised weights, zero biases, gamma = 1 and beta = 0.

    Both variants start from this one dictionary: the no-BN network uses the
    biases b_l and ignores gamma/beta, the BN network does the opposite.
    Vectors are stored as 1-row matrices so that the same code also runs on
    a stack of networks (leading axis), as the learning-rate sweep does.
    """
    rng = np.random.default_rng(seed)
    params: dict[str, np.ndarray] = {}
    # Read-out first, then layers in order: a deeper network is a shallower
    # one with extra layers inserted before the same read-out, so comparing
    # depths compares depth, not a fresh draw of the read-out.
    params["W_out"] = rng.standard_normal((WIDTH, 1)) * (READOUT_GAIN / math.sqrt(WIDTH))
    params["b_out"] = np.zeros((1, 1))
    fan_in = INPUT_DIM
    for layer in range(1, depth + 1):
        params[f"W{layer}"] = rng.standard_normal((fan_in, WIDTH)) * math.sqrt(2.0 / fan_in)
        params[f"b{layer}"] = np.zeros((1, WIDTH))
        params[f"gamma{layer}"] = np.ones((1, WIDTH))
        params[f"beta{layer}"] = np.zeros((1, WIDTH))
        fan_in = WIDTH
    return params


def trainable_names(depth: int, use_bn: bool) -> list[str]:
    """The parameters one variant actually uses (and therefore updates)."""
    per_layer = ("W", "gamma", "beta") if use_bn else ("W", "b")
    names = [f"{p}{layer}" for layer in range(1, depth + 1) for p in per_layer]
    return names + ["W_out", "b_out"]


def _transpose(a: np.ndarray) -> np.ndarray:
    return np.swapaxes(a, -1, -2)


def _batch_sum(a: np.ndarray) -> np.ndarray:
    return a.sum(axis=-2, keepdims=True)


def batch_norm_forward(z: np.ndarray, gamma: np.ndarray, beta: np.ndarray):
    """EQ N1.6 with batch statistics; returns the output and what backward needs."""
    m = z.shape[-2]
    mean = _batch_sum(z) / m
    centred = z - mean
    var = _batch_sum(centred * centred) / m          # biased, 1/m
    inv_std = 1.0 / np.sqrt(var + BN_EPS)
    z_hat = centred * inv_std
    return gamma * z_hat + beta, (z_hat, inv_std)


def batch_norm_backward(d_out: np.ndarray, gamma: np.ndarray, cache):
    """Gradients of EQ N1.6 with respect to z, gamma and beta.

    Every example's zhat depends on the whole batch through the mean and the
    variance, hence the two batch-sum correction terms.
    """
    z_hat, inv_std = cache
    m = d_out.shape[-2]
    d_gamma = _batch_sum(d_out * z_hat)
    d_beta = _batch_sum(d_out)
    d_zhat = d_out * gamma
    d_z = (inv_std / m) * (m * d_zhat - _batch_sum(d_zhat) - z_hat * _batch_sum(d_zhat * z_hat))
    return d_z, d_gamma, d_beta


def loss_and_grads(
    params: dict[str, np.ndarray], x: np.ndarray, y: np.ndarray, depth: int, use_bn: bool
) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """Half mean squared error and its gradient for every trainable parameter.

    Works on one network (2-D weights, scalar loss) or on a stack of networks
    (a leading axis on every parameter, one loss per network).
    """
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
    m = x.shape[-2]
    loss = 0.5 * np.mean(error * error, axis=(-2, -1))

    grads: dict[str, np.ndarray] = {}
    d_pred = error / m
    grads["W_out"] = _transpose(h) @ d_pred
    grads["b_out"] = _batch_sum(d_pred)
    d_h = d_pred @ _transpose(params["W_out"])
    for layer in range(depth, 0, -1):
        h_in, a, bn_cache = caches[layer - 1]
        d_a = d_h * (a > 0)                          # relu'(a)
        if use_bn:
            d_z, grads[f"gamma{layer}"], grads[f"beta{layer}"] = batch_norm_backward(
                d_a, params[f"gamma{layer}"], bn_cache
            )
        else:
            d_z = d_a
            grads[f"b{layer}"] = _batch_sum(d_a)
        grads[f"W{layer}"] = _transpose(h_in) @ d_z
        if layer > 1:
            d_h = d_z @ _transpose(params[f"W{layer}"])
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


@functools.lru_cache(maxsize=256)
def _sweep_losses(depth: int, learning_rates: tuple[float, ...], use_bn: bool,
                  steps: int, seed: int) -> tuple[tuple[float, ...], ...]:
    # One stack of identical networks, one learning rate each: the same
    # arithmetic as separate runs, with a twentieth of the Python overhead.
    # Cached because the ceiling readout needs the whole sweep at one depth;
    # the arguments are immutable, so the cache cannot go stale.
    x, y = make_task()
    count = len(learning_rates)
    rates = np.asarray(learning_rates, dtype=float).reshape(count, 1, 1)
    names = trainable_names(depth, use_bn)
    params = {n: np.repeat(p[np.newaxis], count, axis=0) for n, p in init_params(depth, seed).items()
              if n in names}
    history = np.empty((steps + 1, count))
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        for step in range(steps):
            history[step], grads = loss_and_grads(params, x, y, depth, use_bn)
            for name in names:
                params[name] = params[name] - rates * grads[name]
        history[steps] = loss_and_grads(params, x, y, depth, use_bn)[0]
    runs = []
    for losses in history.T:
        losses = [float(v) for v in losses]
        first_bad = next((i for i, v in enumerate(losses) if not math.isfinite(v)), None)
        if first_bad is not None:
            # once a loss is inf or nan the run is over: report nothing after it
            losses[first_bad:] = [float("nan")] * (len(losses) - first_bad)
        runs.append(tuple(losses))
    return tuple(runs)


def _validate_run(depth, learning_rates, use_bn, steps, seed):
    depth = check_int("depth", depth, 1, MAX_DEPTH)
    rates = tuple(check_float("learning_rate", lr, *LR_RANGE) for lr in learning_rates)
    if not isinstance(use_bn, bool):
        raise ValueError(f"use_bn must be True or False; got {use_bn!r}")
    return depth, rates, use_bn, check_int("steps", steps, 1, MAX_STEPS), check_seed(seed)


def sweep(depth: int = 10, learning_rates=LEARNING_RATES, use_bn: bool = False,
          steps: int = STEPS, seed: int = WEIGHT_SEED) -> list[TrainResult]:
    """Gradient descent on the fixed task, one run per learning rate."""
    depth, rates, use_bn, steps, seed = _validate_run(depth, learning_rates, use_bn, steps, seed)
    results = []
    for lr, losses in zip(rates, _sweep_losses(depth, rates, use_bn, steps, seed)):
        losses = list(losses)
        first_bad = next((i for i, v in enumerate(losses) if not math.isfinite(v)), None)
        results.append(TrainResult(depth, lr, use_bn, losses, is_diverged(losses), first_bad))
    return results


def train(depth: int = 10, learning_rate: float = 0.01, use_bn: bool = False,
          steps: int = STEPS, seed: int = WEIGHT_SEED) -> TrainResult:
    """One run: the loss before every step and after the last one."""
    if isinstance(learning_rate, (list, tuple)):
        raise ValueError(f"learning_rate must be one number; got {learning_rate!r}")
    return sweep(depth, (learning_rate,), use_bn, steps, seed)[0]


def stable_ceiling(depth: int, learning_rates=LEARNING_RATES, steps: int = STEPS,
                   seed: int = WEIGHT_SEED) -> float | None:
    """Largest rate in ``learning_rates`` whose no-BN run does not diverge."""
    stable = [r.learning_rate for r in sweep(depth, learning_rates, False, steps, seed) if not r.diverged]
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

Y_RANGE = [-4.0, 3.0]     # log10 loss: the BN runs reach ~1e-4; divergence leaves through the top

SPEC = {
    "id": "batchnorm_stability",
    "label": "N1.2",
    # Words are message keys (messages/<language>.yml); see instruments/README.md.
    "title": "instrument.batchnorm_stability.title",
    "subtitle": "instrument.batchnorm_stability.subtitle",
    "controls": [
        {"name": "learning_rate", "label": "instrument.batchnorm_stability.control.learning_rate", "kind": "slider",
         "values": list(LEARNING_RATES), "scale": "log", "default": DEFAULT_LEARNING_RATE},
        {"name": "depth", "label": "instrument.batchnorm_stability.control.depth", "kind": "slider",
         "values": list(DEPTHS), "default": 10},
    ],
    "readouts": [
        {"name": "final_loss_no_bn", "label": "instrument.batchnorm_stability.readout.final_loss_no_bn",
         "format": "sci"},
        {"name": "final_loss_with_bn", "label": "instrument.batchnorm_stability.readout.final_loss_with_bn",
         "format": "sci"},
        {"name": "ceiling_no_bn", "label": "instrument.batchnorm_stability.readout.ceiling_no_bn", "format": "sci"},
    ],
    "chart": {
        "x": {"title": "instrument.batchnorm_stability.x"},
        "y": {"title": "instrument.batchnorm_stability.y", "range": Y_RANGE, "type": "linear"},
        "traces": [
            {"x": "step", "y": "log10_loss_no_bn", "name": "instrument.batchnorm_stability.trace.no_bn",
             "kind": "line", "role": "secondary"},
            {"x": "step", "y": "log10_loss_with_bn", "name": "instrument.batchnorm_stability.trace.with_bn",
             "kind": "line", "role": "primary"},
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
                 "label": {"key": "instrument.mark.diverged_at_step", "step": run.diverged_at_step}}]
    if run.diverged:
        return [{"trace": trace, "x": float(len(run.losses) - 1),
                 "label": {"key": "instrument.mark.diverged_loss_rose"}}]
    return []


def _readout_loss(run: TrainResult) -> float | str:
    return "diverged" if run.diverged_at_step is not None else readout(run.losses[-1])


def _frame(result: StabilityResult) -> dict:
    ceiling = result.ceiling_no_bn
    return {
        "series": {
            "step": list(range(len(result.no_bn.losses))),
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


def frame(learning_rate: float = DEFAULT_LEARNING_RATE, depth: int = 10) -> dict:
    """One JSON-ready frame: both loss curves and the three readouts."""
    return _frame(simulate(learning_rate, depth))


def bake() -> dict:
    """Every frame of the learning-rate × depth grid, one batched sweep per depth.

    A row of a sweep is bit-for-bit the single run simulate() does (tested),
    so these frames equal frame()'s.
    """
    def swept_frame(learning_rate: float, depth: int) -> dict:
        i = LEARNING_RATES.index(learning_rate)
        no_bn = sweep(depth, LEARNING_RATES, False)[i]
        with_bn = sweep(depth, LEARNING_RATES, True)[i]
        return _frame(StabilityResult(
            depth=depth, learning_rate=learning_rate, no_bn=no_bn, with_bn=with_bn,
            final_loss_no_bn=no_bn.losses[-1], final_loss_with_bn=with_bn.losses[-1],
            ceiling_no_bn=stable_ceiling(depth),
        ))

    return bake_grid(SPEC, swept_frame)
