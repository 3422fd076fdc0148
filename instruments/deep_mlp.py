"""A small deep-MLP trainer for the labs: init, normalisation and residual ablations.

Not an instrument (no SPEC, no bake): the lab cells call ``train`` directly
and plot the loss curves. Everything is NumPy, forward and backward by hand.

The network classifies a fixed synthetic task (Gaussian inputs, labels from
a random linear teacher) with softmax cross-entropy:

    h_0 = x W_in + b_in                                    input projection
    h_l = block_l(h_{l-1}),  l = 1..depth                  (see below)
    logits = h_depth W_out + b_out

A block's branch is F(u) = phi(u W_l + b_l) (EQ N1.1). The ``residual``
option decides how it is wired, with N the chosen normalisation:

    none        h = phi(N(h W + b))       normalise before the nonlinearity
    pre-norm    h = h + F(N(h))           (EQ N1.7, normalise the branch input)
    post-norm   h = N(h + F(h))           normalise after the sum
    zero-init   h = h + a F(N(h)),  a = 0 at the start: every block begins
                as the identity and learns how much of its branch to add

Normalisations (each with a learnable gain gamma; batch and layer also a
shift beta):

    batch   standardise each feature over the batch       (EQ N1.6)
    layer   standardise each example over its features
    rms     divide each example by its root-mean-square (no centring)

A run *diverges* at the first step whose loss is not finite; training stops
there and the rest of the curve is reported as missing. ``classify`` sorts a
finished run into one of four plain words (trains, spikes, diverges,
stalls) by rules stated next to it, measured against the best constant
guess, so that a network which ignores its input is never called trained.
"""

from __future__ import annotations

import functools
import math
from dataclasses import asdict, dataclass, field

import numpy as np

from instruments._checks import check_choice, check_float, check_int, check_seed

ACTIVATIONS = ("relu", "tanh", "gelu")
INITS = ("naive", "uniform", "xavier", "he", "gelu-scaled")
NORMS = ("none", "batch", "layer", "rms")
RESIDUALS = ("none", "pre-norm", "post-norm", "zero-init")
OPTIMIZERS = ("sgd", "adam")
DTYPES = ("float32", "float64")
NORM_EPS = 1e-5
ADAM_BETAS = (0.9, 0.999)
ADAM_EPS = 1e-8
TASK_SEED = 11
OUTCOMES = ("trains", "spikes", "diverges", "stalls")
# A smooth run never raises its loss by more than this fraction in one step.
SMOOTH_RISE = 0.10
# A run has learned when its final loss is at most this fraction of the best
# constant guess's loss (the labels' entropy, see ``constant_guess_loss``).
LEARNED_FRACTION = 0.5


# ---------------------------------------------------------------- activations

_GELU_C = math.sqrt(2.0 / math.pi)


def _gelu(z):
    # the tanh form of GELU, z * Phi(z), accurate to ~1e-3
    # z * z * z rather than z**3: numpy's float32 power is many times slower
    return 0.5 * z * (1.0 + np.tanh(_GELU_C * (z + 0.044715 * (z * z * z))))


def _gelu_grad(z):
    u = _GELU_C * (z + 0.044715 * (z * z * z))
    t = np.tanh(u)
    return 0.5 * (1.0 + t) + 0.5 * z * (1.0 - t * t) * _GELU_C * (1.0 + 3 * 0.044715 * z * z)


def activate(z: np.ndarray, activation: str) -> np.ndarray:
    """phi(z)."""
    if activation == "relu":
        return np.maximum(z, 0)
    if activation == "tanh":
        return np.tanh(z)
    return _gelu(z)


def activation_grad(z: np.ndarray, activation: str) -> np.ndarray:
    """phi'(z), the diagonal of EQ N1.2's Jacobian factor."""
    if activation == "relu":
        return (z > 0).astype(z.dtype)
    if activation == "tanh":
        t = np.tanh(z)
        return 1 - t * t
    return _gelu_grad(z)


@functools.cache
def _standard_normal_rule() -> tuple[np.ndarray, np.ndarray]:
    # Trapezoid nodes and weights for E[f(z)], z ~ N(0, 1), on [-12, 12] in
    # steps of 0.001: fine enough to resolve GELU's bend even when it is
    # squeezed to a width of 1/sqrt(variance) (Gauss–Hermite is not, past
    # variances of a few tens); exact to ~1e-12 here, computed once.
    z = np.linspace(-12.0, 12.0, 24_001)
    w = np.exp(-z * z / 2) / math.sqrt(2 * math.pi) * (z[1] - z[0])
    w[0] *= 0.5
    w[-1] *= 0.5
    return z, w


def gelu_second_moment(variance: float = 1.0) -> float:
    """E[gelu(z)^2] for z ~ N(0, variance), by numerical integration (≈ 0.425 at 1).

    He init keeps E[h^2] because E[relu(z)^2] = Var(z)/2 at every scale and
    Var(W) = 2/n undoes the half; for GELU the same argument asks for
    Var(W) = 1/(n E[gelu(z)^2]). But GELU is not positively homogeneous:
    E[gelu(z)^2]/Var(z) climbs from 1/4 (small z, where gelu(z) ≈ z/2) to 1/2
    (large z, where it is a ReLU), so that gain balances one scale only, and
    the balance is unstable (the variance-walk and init-ablation labs).
    """
    check_float("variance", variance, 0.0, 1e12)
    nodes, weights = _standard_normal_rule()
    values = _gelu(math.sqrt(variance) * nodes)
    return float(np.sum(weights * values * values))


GELU_GAIN_SQ = 1.0 / gelu_second_moment()


def weight_std(init: str, fan_in: int, fan_out: int) -> float:
    """Standard deviation of one weight under ``init`` (uniform handled apart)."""
    if init == "naive":
        return 1.0
    if init == "xavier":
        return math.sqrt(2.0 / (fan_in + fan_out))          # EQ N1.4
    if init == "he":
        return math.sqrt(2.0 / fan_in)                       # EQ N1.5
    if init == "gelu-scaled":
        return math.sqrt(GELU_GAIN_SQ / fan_in)
    return math.sqrt(1.0 / 3.0)                              # uniform[-1, 1]: a^2/3


def draw_weights(rng: np.random.Generator, init: str, fan_in: int, fan_out: int) -> np.ndarray:
    if init == "uniform":
        return rng.uniform(-1.0, 1.0, (fan_in, fan_out))
    return rng.standard_normal((fan_in, fan_out)) * weight_std(init, fan_in, fan_out)


# ---------------------------------------------------------------- normalisation

def _mean(x: np.ndarray, axis: int) -> np.ndarray:
    """x.mean(axis, keepdims=True) without np.mean's Python-level bookkeeping,
    which costs more than the sum itself on the small arrays of the lab cells."""
    return np.add.reduce(x, axis=axis, keepdims=True) / x.shape[axis]


def norm_forward(x: np.ndarray, kind: str, gamma: np.ndarray, beta: np.ndarray):
    """Normalise ``x`` (batch, features); returns the output and a cache."""
    if kind == "rms":
        inv = 1.0 / np.sqrt(_mean(x * x, -1) + NORM_EPS)
        x_hat = x * inv
        return gamma * x_hat, (x_hat, inv)
    axis = 0 if kind == "batch" else -1
    centred = x - _mean(x, axis)
    inv = 1.0 / np.sqrt(_mean(centred * centred, axis) + NORM_EPS)
    x_hat = centred * inv
    return gamma * x_hat + beta, (x_hat, inv)


def norm_backward(d_out: np.ndarray, kind: str, gamma: np.ndarray, cache):
    """Gradients with respect to the input, gamma and beta (None for rms).

    Every output shares the statistics it was normalised with, so the input
    gradient loses its mean along that axis (not for rms, which has no mean)
    and its component along x_hat.
    """
    x_hat, inv = cache
    d_gamma = np.sum(d_out * x_hat, axis=0, keepdims=True)
    d_hat = d_out * gamma
    axis = 0 if kind == "batch" else -1
    along = _mean(d_hat * x_hat, axis)
    if kind == "rms":                       # no shift, so no gradient for one
        return inv * (d_hat - x_hat * along), d_gamma, None
    d_beta = np.sum(d_out, axis=0, keepdims=True)
    mean = _mean(d_hat, axis)
    return inv * (d_hat - mean - x_hat * along), d_gamma, d_beta


# ---------------------------------------------------------------- configuration

@dataclass(frozen=True)
class Config:
    depth: int = 10
    width: int = 64
    activation: str = "relu"
    init: str = "he"
    norm: str = "none"
    residual: str = "none"
    optimizer: str = "sgd"
    learning_rate: float = 0.01
    steps: int = 100
    batch: int = 64
    input_dim: int = 32
    classes: int = 10
    dtype: str = "float32"
    seed: int = 0

    def __post_init__(self):
        check_int("depth", self.depth, 1, 200)
        check_int("width", self.width, 1, 4096)
        check_choice("activation", self.activation, ACTIVATIONS)
        check_choice("init", self.init, INITS)
        check_choice("norm", self.norm, NORMS)
        check_choice("residual", self.residual, RESIDUALS)
        check_choice("optimizer", self.optimizer, OPTIMIZERS)
        check_float("learning_rate", self.learning_rate, 0.0, 100.0)
        check_int("steps", self.steps, 0, 100_000)
        check_int("batch", self.batch, 2, 100_000)
        check_int("input_dim", self.input_dim, 1, 4096)
        check_int("classes", self.classes, 2, 4096)
        check_choice("dtype", self.dtype, DTYPES)
        check_seed(self.seed)


def make_task(cfg: Config) -> tuple[np.ndarray, np.ndarray]:
    """Gaussian inputs; label = argmax of a fixed random linear teacher."""
    rng = np.random.default_rng(TASK_SEED)
    x = rng.standard_normal((cfg.batch, cfg.input_dim))
    teacher = rng.standard_normal((cfg.input_dim, cfg.classes))
    return x.astype(cfg.dtype), np.argmax(x @ teacher, axis=1)


def init_params(cfg: Config) -> dict[str, np.ndarray]:
    """Weights by ``cfg.init``; biases and shifts 0, gains 1, zero-init gates 0."""
    rng = np.random.default_rng(cfg.seed)
    n = cfg.width
    p = {"W_in": draw_weights(rng, cfg.init, cfg.input_dim, n), "b_in": np.zeros((1, n))}
    for l in range(1, cfg.depth + 1):
        p[f"W{l}"] = draw_weights(rng, cfg.init, n, n)
        p[f"b{l}"] = np.zeros((1, n))
        if cfg.norm != "none":
            p[f"gamma{l}"] = np.ones((1, n))
            if cfg.norm != "rms":
                p[f"beta{l}"] = np.zeros((1, n))
        if cfg.residual == "zero-init":
            p[f"gate{l}"] = np.zeros((1, 1))
    if _final_norm(cfg):
        p["gamma_out"] = np.ones((1, n))
        if cfg.norm != "rms":
            p["beta_out"] = np.zeros((1, n))
    # read-out at 1/sqrt(n): logits start O(1) when the last layer is O(1)
    p["W_out"] = rng.standard_normal((n, cfg.classes)) / math.sqrt(n)
    p["b_out"] = np.zeros((1, cfg.classes))
    return {k: v.astype(cfg.dtype) for k, v in p.items()}


# ---------------------------------------------------------------- forward and backward

def _final_norm(cfg: Config) -> bool:
    # Pre-norm stacks never normalise the residual stream itself, which grows
    # with depth; as in transformers, one last normalisation feeds the read-out.
    return cfg.norm != "none" and cfg.residual in ("pre-norm", "zero-init")


def _normalise(cfg, p, l, u):
    if cfg.norm == "none":
        return u, None
    return norm_forward(u, cfg.norm, p[f"gamma{l}"], p.get(f"beta{l}", 0.0))


def _denormalise(cfg, p, l, d_out, cache, grads):
    if cfg.norm == "none":
        return d_out
    d_in, d_gamma, d_beta = norm_backward(d_out, cfg.norm, p[f"gamma{l}"], cache)
    grads[f"gamma{l}"] = d_gamma
    if cfg.norm != "rms":
        grads[f"beta{l}"] = d_beta
    return d_in


def loss_and_grads(p: dict[str, np.ndarray], x: np.ndarray, labels: np.ndarray, cfg: Config):
    """Mean softmax cross-entropy and its gradient for every parameter."""
    h = x @ p["W_in"] + p["b_in"]
    tape = []
    for l in range(1, cfg.depth + 1):
        W, b = p[f"W{l}"], p[f"b{l}"]
        if cfg.residual == "none":
            z = h @ W + b
            a, nc = _normalise(cfg, p, l, z)
            tape.append((h, a, nc))
            h = activate(a, cfg.activation)
        elif cfg.residual == "post-norm":
            z = h @ W + b
            s = h + activate(z, cfg.activation)
            out, nc = _normalise(cfg, p, l, s)
            tape.append((h, z, nc))
            h = out
        else:                                    # pre-norm and zero-init
            u, nc = _normalise(cfg, p, l, h)
            z = u @ W + b
            branch = activate(z, cfg.activation)
            gate = p[f"gate{l}"] if cfg.residual == "zero-init" else None
            tape.append((u, z, nc, branch))
            h = h + (gate * branch if gate is not None else branch)
    out_cache = None
    if _final_norm(cfg):
        h, out_cache = _normalise(cfg, p, "_out", h)
    logits = h @ p["W_out"] + p["b_out"]

    # cross-entropy via log-softmax with the max subtracted (no overflow in exp)
    shifted = logits - logits.max(axis=1, keepdims=True)
    log_z = np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    log_probs = shifted - log_z
    m = x.shape[0]
    rows = np.arange(m)
    loss = float(-log_probs[rows, labels].mean())

    grads: dict[str, np.ndarray] = {}
    d_logits = np.exp(log_probs)
    d_logits[rows, labels] -= 1
    d_logits /= m
    grads["W_out"] = h.T @ d_logits
    grads["b_out"] = d_logits.sum(axis=0, keepdims=True)
    d_h = d_logits @ p["W_out"].T
    if out_cache is not None:
        d_h = _denormalise(cfg, p, "_out", d_h, out_cache, grads)
    for l in range(cfg.depth, 0, -1):
        W = p[f"W{l}"]
        if cfg.residual == "none":
            h_in, a, nc = tape[l - 1]
            d_a = d_h * activation_grad(a, cfg.activation)
            d_z = _denormalise(cfg, p, l, d_a, nc, grads)
            grads[f"W{l}"], grads[f"b{l}"] = h_in.T @ d_z, d_z.sum(axis=0, keepdims=True)
            d_h = d_z @ W.T
        elif cfg.residual == "post-norm":
            h_in, z, nc = tape[l - 1]
            d_s = _denormalise(cfg, p, l, d_h, nc, grads)
            d_z = d_s * activation_grad(z, cfg.activation)
            grads[f"W{l}"], grads[f"b{l}"] = h_in.T @ d_z, d_z.sum(axis=0, keepdims=True)
            d_h = d_s + d_z @ W.T                # skip path + branch path (EQ N1.8)
        else:
            u, z, nc, branch = tape[l - 1]
            d_branch = d_h
            if cfg.residual == "zero-init":
                gate = p[f"gate{l}"]
                grads[f"gate{l}"] = np.sum(d_h * branch).reshape(1, 1)
                d_branch = d_h * gate
            d_z = d_branch * activation_grad(z, cfg.activation)
            grads[f"W{l}"], grads[f"b{l}"] = u.T @ d_z, d_z.sum(axis=0, keepdims=True)
            d_u = d_z @ W.T
            d_h = d_h + _denormalise(cfg, p, l, d_u, nc, grads)
    grads["W_in"] = x.T @ d_h
    grads["b_in"] = d_h.sum(axis=0, keepdims=True)
    return loss, grads


# ---------------------------------------------------------------- training

@dataclass
class TrainResult:
    config: dict
    losses: list[float | None]          # loss before each update; None after divergence
    diverged: bool
    diverged_at_step: int | None        # first step whose loss is not finite
    max_rise: float | None = field(default=None)   # largest loss[t]/loss[t-1] - 1
    baseline_loss: float | None = None  # loss of the best constant guess on the task
    outcome: str | None = None          # one of OUTCOMES, see ``classify``

    def to_dict(self) -> dict:
        return asdict(self)


def loss_text(loss: float | None, spec: str = ".3g") -> str:
    """A loss for printing: formatted by ``spec``, or "nan" once it is not finite.

    "nan" rather than words, so a cell prints the same thing in every language.
    """
    return "nan" if loss is None else format(loss, spec)


def _largest_rise(losses: list[float]) -> float | None:
    rises = [b / a - 1 for a, b in zip(losses, losses[1:]) if a > 0]
    return max(rises) if rises else None


def constant_guess_loss(labels: np.ndarray, classes: int) -> float:
    """Cross-entropy of the best prediction that ignores the input.

    A constant prediction q scores -sum_k p_k log q_k, where p is the share of
    each class among the labels; the best q is p itself, so the floor is the
    labels' entropy. A dead network (every unit silent, the output a learned
    bias) or one whose layers map every input to the same point can reach
    this floor and no lower: falling to it is not learning.
    """
    counts = np.bincount(np.asarray(labels), minlength=classes)
    shares = counts[counts > 0] / counts.sum()
    return float(-np.sum(shares * np.log(shares)))


def classify(losses: list[float | None], baseline_loss: float) -> str:
    """Sort a training curve into one of ``OUTCOMES``.

    - diverges: some loss is not finite (``None`` in the curve);
    - stalls: the last loss is above ``LEARNED_FRACTION`` times the best
      constant guess's loss: the network has not clearly beaten a guess that
      ignores the input, however smoothly its loss went down;
    - spikes: it learned, but some step raised the loss by more than
      ``SMOOTH_RISE`` (a tenth) over the step before;
    - trains: it learned and no step raised the loss by more than a tenth.
    """
    if not losses:
        raise ValueError("losses must hold at least one value")
    if any(v is None or not math.isfinite(v) for v in losses):
        return "diverges"
    if losses[-1] > LEARNED_FRACTION * baseline_loss:
        return "stalls"
    spiked = any(b > a * (1 + SMOOTH_RISE) for a, b in zip(losses, losses[1:]))
    return "spikes" if spiked else "trains"


def _flatten(p: dict[str, np.ndarray]) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """Every parameter in one vector; the returned dict holds views into it.

    An update of the vector in place updates every named array at once, so
    the optimiser takes a handful of whole-vector operations per step rather
    than a dozen per array: at the small widths of the lab cells that was
    most of a step's time.
    """
    flat = np.concatenate([v.ravel() for v in p.values()])
    views, start = {}, 0
    for k, v in p.items():
        views[k] = flat[start:start + v.size].reshape(v.shape)
        start += v.size
    return flat, views


def train(**options) -> TrainResult:
    """Train a deep MLP; every keyword is a ``Config`` field (validated there)."""
    known = Config.__dataclass_fields__
    for name in options:
        if name not in known:
            raise ValueError(f"{name} is not an option; options are {', '.join(known)}")
    cfg = Config(**options)
    x, labels = make_task(cfg)
    flat, p = _flatten(init_params(cfg))
    if cfg.optimizer == "adam":
        m1, m2 = np.zeros_like(flat), np.zeros_like(flat)   # Adam's moment estimates
    b1, b2 = ADAM_BETAS
    losses: list[float | None] = []
    first_bad = None
    with np.errstate(over="ignore", invalid="ignore", divide="ignore", under="ignore"):
        for step in range(cfg.steps):
            loss, grads = loss_and_grads(p, x, labels, cfg)
            if not math.isfinite(loss):
                first_bad = step
                break
            losses.append(loss)
            g = np.concatenate([grads[k].ravel() for k in p])
            if cfg.optimizer == "sgd":
                flat -= cfg.learning_rate * g
            else:
                m1 = b1 * m1 + (1 - b1) * g
                m2 = b2 * m2 + (1 - b2) * g * g
                # bias-corrected moments (Adam, Kingma & Ba 2015)
                m1_hat = m1 / (1 - b1 ** (step + 1))
                m2_hat = m2 / (1 - b2 ** (step + 1))
                flat -= cfg.learning_rate * m1_hat / (np.sqrt(m2_hat) + ADAM_EPS)
    finite = [float(v) for v in losses]
    padded: list[float | None] = finite + [None] * (cfg.steps - len(finite))
    baseline = constant_guess_loss(labels, cfg.classes)
    return TrainResult(
        config=asdict(cfg),
        losses=padded,
        diverged=first_bad is not None,
        diverged_at_step=first_bad,
        max_rise=_largest_rise(finite),
        baseline_loss=baseline,
        outcome=classify(padded, baseline) if padded else None,
    )
