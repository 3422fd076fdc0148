"""Instrument N1.2 — batch normalisation and the largest learning rate that trains.

A toy deep ReLU network (He init, EQ N1.5) learns a fixed synthetic regression
task with plain gradient descent for a fixed number of steps. It is trained
twice from the same initial weights on the same data:

    no BN    z_l = h_{l-1} W_l + b_l,                 h_l = relu(z_l)
    with BN  z_l = h_{l-1} W_l,  a_l = gamma_l zhat_l + beta_l,  h_l = relu(a_l)

where zhat_l standardises z_l with the mini-batch mean and biased variance
(EQ N1.6, training-mode statistics). The output is a linear read-out and the
loss is half the mean squared error.

Every run ends in one of four outcomes. The yardstick is the best constant
predictor: predicting the target's mean for every input scores ½·Var(y).
The checks are made in this order:

    1. diverged   some loss is not finite, or the final loss is above the
                  initial loss;
    2. collapsed  the network has died: after the last step some hidden layer
                  has no unit whose output varies across the batch, or the
                  predictions' spread (standard deviation over the batch) is
                  below SPREAD_FLOOR = 10% of the target's. It then predicts
                  (nearly) one number for every input, so it can do no better
                  than the constant predictor;
    3. trains     the final loss is at most TRAINED_FRACTION = ½ of ½·Var(y):
                  the network explains at least half of the target's variance;
    4. diverged   the loss rose above its initial value at some step and the
                  run did not recover to train (a run that overshoots once and
                  then trains, which happens near the edge, passed check 3);
    5. too slow   none of these: finite, alive, never worse than at the start,
                  but still above the bar of check 3 after the last step.

Checks 2 and 3 cannot both pass: predictions whose spread is below 10% of the
target's leave a loss of at least ½·(1 − 0.1)²·Var(y), 0.81 of the constant
predictor's, well above the bar of ½ of it.

The stable learning-rate ceiling at a depth is the largest rate of the sweep
such that neither it nor any smaller rate diverges or collapses: every rate at
or below the ceiling trains or is merely too slow.

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
# shows. Batch norm re-centres every layer, so in the BN network only the
# read-out can move the output's mean: it learns the offset more slowly, which
# is why it ends far higher than the plain network at the smallest rates.
TARGET_MEAN = 10.0
READOUT_GAIN = 0.1     # read-out weight std is READOUT_GAIN / sqrt(WIDTH)
TASK_SEED = 7          # data; fixed so every setting sees the same task
WEIGHT_SEED = 0        # initial weights of the instrument's networks

DEPTHS = tuple(range(2, 21, 2))
# 20 rates, evenly spaced in log10 from 1e-3 to 3.
LEARNING_RATES = tuple(float(f"{10 ** (-3 + i * math.log10(3000) / 19):.4g}") for i in range(20))
# The reader starts at the no-BN ceiling of the default depth 10: both runs
# are stable there, and one step up the run without batch norm diverges.
DEFAULT_LEARNING_RATE = LEARNING_RATES[4]
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


# ---------------------------------------------------------------- outcomes

def best_constant_loss(y: np.ndarray) -> float:
    """½·Var(y): half the mean squared error of predicting mean(y) for every
    input, the lowest loss any constant prediction can reach."""
    return 0.5 * float(np.var(y))


TRAINED_FRACTION = 0.5   # trains: final loss <= this fraction of best_constant_loss
SPREAD_FLOOR = 0.1       # collapsed: prediction std < this fraction of the target's
_TARGET = make_task()[1]
CONSTANT_LOSS = best_constant_loss(_TARGET)
TARGET_STD = float(np.std(_TARGET))

# Outcomes and marks by key; the words are the catalogue's (messages/<language>.yml):
# a failed run's readout shows instrument.word.<outcome>, a mark its message.
OUTCOMES = ("trains", "too_slow", "collapsed", "diverged")
FAILURES = ("collapsed", "diverged")
MARK_LABELS = {
    "diverged": "instrument.mark.diverged_at_step",
    "collapsed": "instrument.mark.collapsed",
    "off_chart": "instrument.mark.off_chart_at_step",
}


def classify(losses: list[float], live_units: int, prediction_spread: float) -> str:
    """The outcome key of one run, by the rules in the module docstring."""
    if not all(math.isfinite(v) for v in losses) or losses[-1] > losses[0]:
        return "diverged"
    if live_units == 0 or prediction_spread < SPREAD_FLOOR * TARGET_STD:
        return "collapsed"
    if losses[-1] <= TRAINED_FRACTION * CONSTANT_LOSS:
        return "trains"
    if max(losses) > losses[0]:
        return "diverged"
    return "too_slow"


def first_bad_step(losses: list[float]) -> int | None:
    """The first step whose loss is not finite or above the initial loss."""
    return next((i for i, v in enumerate(losses) if not math.isfinite(v) or v > losses[0]), None)


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


def forward(params: dict[str, np.ndarray], x: np.ndarray, depth: int, use_bn: bool):
    """The prediction, and per layer (input h, pre-activation a, BN cache) for backward."""
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
    return h @ params["W_out"] + params["b_out"], caches


def loss_and_grads(
    params: dict[str, np.ndarray], x: np.ndarray, y: np.ndarray, depth: int, use_bn: bool
) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """Half mean squared error and its gradient for every trainable parameter.

    Works on one network (2-D weights, scalar loss) or on a stack of networks
    (a leading axis on every parameter, one loss per network).
    """
    prediction, caches = forward(params, x, depth, use_bn)
    error = prediction - y
    m = x.shape[-2]
    loss = 0.5 * np.mean(error * error, axis=(-2, -1))

    grads: dict[str, np.ndarray] = {}
    d_pred = error / m
    h_last = np.maximum(caches[-1][1], 0.0)
    grads["W_out"] = _transpose(h_last) @ d_pred
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


def health(params: dict[str, np.ndarray], x: np.ndarray, depth: int, use_bn: bool):
    """Live units and prediction spread: is the network still alive?

    A unit is live when its output varies across the batch. A dead ReLU (zero
    for every example) is not live, and neither is a unit fed only by dead
    units: it outputs the same number for every input. Returns the fewest
    live units of any hidden layer and the standard deviation of the
    predictions over the batch (one of each per network on a stack).
    """
    prediction, caches = forward(params, x, depth, use_bn)
    fewest = None
    for _, a, _ in caches:
        h = np.maximum(a, 0.0)
        live = np.sum(h.max(axis=-2) > h.min(axis=-2), axis=-1)
        fewest = live if fewest is None else np.minimum(fewest, live)
    return fewest, np.std(prediction, axis=(-2, -1))


# ---------------------------------------------------------------- training

@dataclass
class TrainResult:
    depth: int
    learning_rate: float
    use_bn: bool
    losses: list[float]              # loss before step 1, ..., loss after the last step
    outcome: str                     # a key of OUTCOMES
    live_units: int                  # fewest live units in any hidden layer, at the end
    prediction_spread: float         # std of the final predictions over the batch
    first_bad_step: int | None       # first step whose loss is not finite or above the initial

    def to_dict(self) -> dict:
        return asdict(self)


@functools.lru_cache(maxsize=256)
def _sweep_runs(depth: int, learning_rates: tuple[float, ...], use_bn: bool,
                steps: int, seed: int) -> tuple[tuple[tuple[float, ...], int, float], ...]:
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
    running = np.arange(count)              # which runs of the sweep are still on the stack
    history = np.full((steps + 1, count), np.nan)
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        for step in range(steps + 1):
            losses, grads = loss_and_grads(params, x, y, depth, use_bn)
            history[step, running] = losses
            # Once a loss is inf or nan the run is over: it leaves the stack
            # and reports nothing after that step.
            finite = np.isfinite(losses)
            running, rates = running[finite], rates[finite]
            params = {n: p[finite] for n, p in params.items()}
            if step == steps or running.size == 0:
                break
            for name in names:
                params[name] = params[name] - rates * grads[name][finite]
        live_units, spread = np.zeros(count, dtype=int), np.full(count, np.nan)
        if running.size:
            live_units[running], spread[running] = health(params, x, depth, use_bn)
    return tuple((tuple(float(v) for v in losses), int(live), float(sd))
                 for losses, live, sd in zip(history.T, live_units, spread))


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
    for lr, (losses, live, spread) in zip(rates, _sweep_runs(depth, rates, use_bn, steps, seed)):
        losses = list(losses)
        results.append(TrainResult(depth, lr, use_bn, losses, classify(losses, live, spread),
                                   live, spread, first_bad_step(losses)))
    return results


def train(depth: int = 10, learning_rate: float = 0.01, use_bn: bool = False,
          steps: int = STEPS, seed: int = WEIGHT_SEED) -> TrainResult:
    """One run: the loss before every step and after the last one."""
    if isinstance(learning_rate, (list, tuple)):
        raise ValueError(f"learning_rate must be one number; got {learning_rate!r}")
    return sweep(depth, (learning_rate,), use_bn, steps, seed)[0]


def stable_ceiling(depth: int, learning_rates=LEARNING_RATES, steps: int = STEPS,
                   seed: int = WEIGHT_SEED, use_bn: bool = False) -> float | None:
    """Largest rate such that no rate at or below it diverges or collapses.

    Returns None when even the smallest rate fails.
    """
    runs = sorted(sweep(depth, learning_rates, use_bn, steps, seed), key=lambda r: r.learning_rate)
    ceiling = None
    for run in runs:
        if run.outcome in FAILURES:
            break
        ceiling = run.learning_rate
    return ceiling


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

# log10 loss. The bottom holds the lowest loss of any run of the grid (the BN
# runs reach about 1e-8.4); the top is 20 times the initial loss, so only a
# run that blows up leaves through it, and it is marked where it does.
Y_RANGE = [-9.0, 3.0]

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
    # "Try this": one-click settings that make the caption's points (labels are message keys).
    "presets": [
        {"label": "instrument.batchnorm_stability.preset.past_ceiling", "settings": {"learning_rate": 0.008223}},
        {"label": "instrument.batchnorm_stability.preset.deep", "settings": {"depth": 20}},
    ],
    "chart": {
        "x": {"title": "instrument.batchnorm_stability.x", "range": [0, STEPS], "point": "instrument.where.step"},
        "y": {"title": "instrument.batchnorm_stability.y", "range": Y_RANGE, "type": "linear"},
        "traces": [
            {"x": "step", "y": "log10_loss_no_bn", "name": "instrument.batchnorm_stability.trace.no_bn",
             "kind": "line", "role": "secondary"},
            {"x": "step", "y": "log10_loss_with_bn", "name": "instrument.batchnorm_stability.trace.with_bn",
             "kind": "line", "role": "primary"},
        ],
        "hlines": [{"y": round(math.log10(CONSTANT_LOSS), 4),
                    "label": "instrument.batchnorm_stability.hline.best_constant"}],
    },
}


def _log10_losses(losses: list[float]) -> list[float]:
    with np.errstate(divide="ignore", invalid="ignore"):
        return [float(v) for v in np.log10(np.asarray(losses, dtype=float))]


def _first_off_chart_step(run: TrainResult) -> int | None:
    """The first step whose loss is not finite or above the top of the chart."""
    top = 10 ** Y_RANGE[1]
    return next((i for i, v in enumerate(run.losses) if not v <= top), None)


def _marks(trace: str, run: TrainResult) -> list[dict]:
    """A diverged run is marked where it leaves the chart (or, if it stays on
    it, where its loss first rose above the initial loss); a collapsed run at
    its last step. Any other curve that leaves through the top gets an edge
    mark there."""
    off_chart = _first_off_chart_step(run)
    if run.outcome == "diverged":
        step = off_chart if off_chart is not None else run.first_bad_step
        return [{"trace": trace, "x": float(step), "label": {"key": MARK_LABELS["diverged"], "step": step}}]
    marks = []
    if off_chart is not None:
        marks.append({"trace": trace, "x": float(off_chart), "y": Y_RANGE[1],
                      "label": {"key": MARK_LABELS["off_chart"], "step": off_chart}})
    if run.outcome == "collapsed":
        marks.append({"trace": trace, "x": float(len(run.losses) - 1), "symbol": "x",
                      "label": {"key": MARK_LABELS["collapsed"]}})
    return marks


def _readout_loss(run: TrainResult) -> float | str:
    """The final loss, or the outcome (a word id) when the run failed."""
    return run.outcome if run.outcome in FAILURES else readout(run.losses[-1])


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
