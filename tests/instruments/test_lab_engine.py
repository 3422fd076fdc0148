"""The labs' additions to the engine: the outcome rules, the GELU second
moment at any scale, and the operation counter behind the cost note."""

from __future__ import annotations

import math

import numpy as np
import pytest

from instruments import deep_mlp as dm
from instruments.op_count import count_ops

# ------------------------------------------------------------------ outcomes


def test_constant_guess_loss_is_the_label_entropy():
    labels = np.array([0, 0, 1, 2, 2, 2, 2, 3])
    shares = np.array([2, 1, 4, 1]) / 8
    assert dm.constant_guess_loss(labels, 5) == pytest.approx(float(-(shares * np.log(shares)).sum()), rel=1e-12)
    assert dm.constant_guess_loss(np.arange(10), 10) == pytest.approx(math.log(10), rel=1e-12)
    assert dm.constant_guess_loss(np.zeros(7, int), 3) == 0.0


def dead_network_losses(steps: int = 300, lr: float = 0.5) -> tuple[list[float], float]:
    """A real network with every hidden unit silent (input layer zeroed), trained
    by the engine's own gradient: only the output bias can move, so the best it
    can learn is the label frequencies."""
    cfg = dm.Config(depth=3, width=16, activation="relu", init="he", batch=64, dtype="float64", seed=2)
    x, labels = dm.make_task(cfg)
    p = dm.init_params(cfg)
    p["W_in"][:] = 0.0
    losses = []
    for _ in range(steps):
        loss, grads = dm.loss_and_grads(p, x, labels, cfg)
        losses.append(loss)
        for k in p:
            p[k] = p[k] - lr * grads[k]
    return losses, dm.constant_guess_loss(labels, cfg.classes)


def test_a_dead_network_that_predicts_a_constant_has_not_trained():
    losses, floor = dead_network_losses()
    assert losses[-1] == pytest.approx(floor, abs=1e-3)      # it reached the constant-guess floor...
    assert losses[-1] < losses[0] and max(b / a - 1 for a, b in zip(losses, losses[1:])) <= 0
    # ...smoothly, so a rule that only asked "did the loss fall without spikes?" would say it trained
    assert dm.classify(losses, floor) == "stalls"


@pytest.mark.parametrize(
    "losses, outcome",
    [
        ([2.0, 1.5, 1.0, 0.6, 0.4], "trains"),
        ([2.0, 1.5, 1.64, 0.6, 0.4], "trains"),     # a 9.3% rise is within the smooth bound
        ([2.0, 1.5, 1.7, 0.6, 0.4], "spikes"),      # a 13% rise is not
        ([2.0, 9.0, 1.0, 0.5, 0.45], "spikes"),
        ([2.0, 1.9, 1.8, 1.7, 1.6], "stalls"),
        ([2.0, 1.0, 0.5, None, None], "diverges"),
        ([2.0, float("inf"), 1.0], "diverges"),
        ([1e24, 1e20, 1e18], "stalls"),
    ],
)
def test_classify_applies_the_stated_rules(losses, outcome):
    assert dm.classify(losses, baseline_loss=2.0) == outcome


def test_classify_thresholds_are_the_stated_ones():
    floor = 2.0
    assert dm.classify([3.0, floor * dm.LEARNED_FRACTION], floor) == "trains"
    assert dm.classify([3.0, floor * dm.LEARNED_FRACTION * 1.0001], floor) == "stalls"
    edge = [1.0, 1.0 * (1 + dm.SMOOTH_RISE), 0.5]
    assert dm.classify(edge, floor) == "trains"
    assert dm.classify([1.0, 1.0 * (1 + dm.SMOOTH_RISE) * 1.001, 0.5], floor) == "spikes"
    with pytest.raises(ValueError, match="^losses must hold at least one value$"):
        dm.classify([], floor)


def test_train_reports_the_floor_and_the_outcome():
    r = dm.train(depth=2, width=16, activation="tanh", init="xavier", batch=32, input_dim=8, classes=4,
                 dtype="float64", seed=3, optimizer="adam", learning_rate=0.01, steps=150)
    _, labels = dm.make_task(dm.Config(batch=32, input_dim=8, classes=4))
    assert r.baseline_loss == dm.constant_guess_loss(labels, 4)
    assert r.outcome == dm.classify(r.losses, r.baseline_loss) == "trains"
    assert dm.train(depth=2, width=8, steps=0).outcome is None


def test_loss_text():
    assert dm.loss_text(None) == "nan"
    assert dm.loss_text(2.0467) == "2.05"
    assert dm.loss_text(2.0467, ".3f") == "2.047"
    # the huge and tiny losses of a run near divergence, as Python prints them
    assert dm.loss_text(2.5e10) == "2.5e+10" and dm.loss_text(1.234e-5) == "1.23e-05"


# ------------------------------------------------------------------ GELU at any scale


def gelu_exact(z):
    return z * 0.5 * (1 + np.vectorize(math.erf)(z / math.sqrt(2)))


def second_moment_by_trapezoid(variance: float) -> float:
    """E[gelu(z)^2] for z ~ N(0, variance), from GELU's exact form z Phi(z)."""
    s = math.sqrt(variance)
    z = np.linspace(-14 * s, 14 * s, 200_001)
    density = np.exp(-z * z / (2 * variance)) / math.sqrt(2 * math.pi * variance)
    return float(np.trapezoid(gelu_exact(z) ** 2 * density, z))


@pytest.mark.parametrize("variance", [1e-3, 0.1, 1.0, 5.5, 80.0])
def test_gelu_second_moment_at_any_variance(variance):
    # the engine uses GELU's tanh form, within ~1e-3 of z Phi(z); 2e-4 relative covers it here
    assert dm.gelu_second_moment(variance) == pytest.approx(second_moment_by_trapezoid(variance), rel=2e-4)


def test_gelu_second_moment_ratio_climbs_from_a_quarter_to_a_half():
    qs = np.logspace(-4, 4, 60)
    ratios = [dm.gelu_second_moment(q) / q for q in qs]
    assert ratios[0] == pytest.approx(0.25, rel=1e-3) and ratios[-1] == pytest.approx(0.5, rel=1e-3)
    assert all(b > a for a, b in zip(ratios, ratios[1:]))    # increasing: no fixed point is stable


def test_gelu_scaled_fixed_point_and_its_slope():
    """q = 1 maps to itself under the gelu-scaled gain, with slope ~1.144 (> 1: unstable)."""
    gain = 1 / second_moment_by_trapezoid(1.0)
    assert gain * second_moment_by_trapezoid(1.0) == pytest.approx(1.0)
    slope = gain * (second_moment_by_trapezoid(1.01) - second_moment_by_trapezoid(0.99)) / 0.02
    assert slope == pytest.approx(1.144, abs=2e-3)
    assert dm.GELU_GAIN_SQ == pytest.approx(gain, rel=2e-4)


def test_gelu_second_moment_refuses_a_negative_variance():
    with pytest.raises(ValueError, match="^variance must be "):
        dm.gelu_second_moment(-1.0)


# ------------------------------------------------------------------ the operation counter


def test_count_ops_on_known_operations():
    x = np.ones((4, 8), np.float32)
    y = np.ones((1, 8), np.float32)
    c = count_ops(lambda a, b: a * b + 1.0, x, y)
    assert c.flops == 32 + 32
    assert c.reads == (32 + 8) + 32 and c.writes == 32 + 32
    assert c.bytes_moved == 4 * (c.reads + c.writes)
    s = count_ops(lambda a: a.sum(axis=1), x)
    assert s.flops == 4 * 7 and s.reads == 32 and s.writes == 4
    m = count_ops(lambda a: np.mean(a, axis=0, keepdims=True), x)
    assert m.flops == 3 * 8 + 8 and m.operations == ["add.reduce", "divide"]


def test_count_ops_leaves_results_and_inputs_alone():
    x = np.arange(6.0).reshape(2, 3)
    seen = {}

    def fn(a):
        seen["value"] = np.sqrt(a) * 2
        return seen["value"]

    count_ops(fn, x)
    assert np.array_equal(np.asarray(seen["value"]), np.sqrt(np.arange(6.0).reshape(2, 3)) * 2)
    assert type(x) is np.ndarray


def test_count_ops_passes_keywords_and_counts_two_output_ufuncs():
    """divmod yields two arrays: by the model, one flop and one write per
    element of each, one read per input element (the 3.0 is no array). The
    results come back as the pair numpy gives, still counted downstream, and an
    output buffer named for one of them is written, the other left to numpy."""
    x = np.arange(1.0, 33.0).reshape(4, 8)
    remainder = np.zeros((4, 8))
    seen = {}

    def fn(a, *, divisor):
        quotient, rest = np.divmod(a, divisor, out=(None, remainder))
        seen["quotient"], seen["rest"] = np.asarray(quotient), np.asarray(rest)
        return quotient * divisor + rest

    c = count_ops(fn, x, divisor=3.0)
    assert np.array_equal(seen["quotient"], np.floor(x / 3)) and np.array_equal(seen["rest"], x % 3)
    assert np.array_equal(remainder, x % 3)
    assert c.operations == ["divmod", "multiply", "add"]
    assert c.flops == 2 * 32 + 32 + 32
    assert c.reads == 32 + 32 + (32 + 32) and c.writes == 2 * 32 + 32 + 32


def test_count_ops_writes_in_place_updates_into_the_callers_array():
    """``a *= 2`` is a ufunc with ``out=(a,)``: the doubling must land in the
    array passed in, counted as one flop, one read and one write per element."""
    x = np.arange(6.0).reshape(2, 3)

    def double(a):
        a *= 2.0

    c = count_ops(double, x)
    assert np.array_equal(x, 2 * np.arange(6.0).reshape(2, 3))
    assert (c.flops, c.reads, c.writes) == (6, 6, 6)


def test_a_count_inside_a_count_leaves_the_outer_one_counting():
    """The inner call tallies its own operation; the outer one still sees
    what runs after the inner call returns (and not the inner operation)."""
    x = np.ones((3, 4))
    inner = {}

    def outer(a):
        inner["count"] = count_ops(lambda b: b + 1.0, a)
        return a * 2.0

    c = count_ops(outer, x)
    assert inner["count"].operations == ["add"] and inner["count"].flops == 12
    assert c.operations == ["multiply"] and c.flops == 12


@pytest.mark.parametrize("batch, width", [(3, 5), (64, 256)])
def test_normalisation_costs_match_hand_counts(batch, width):
    """Closed forms counted by hand from the code of norm_forward/norm_backward
    (see lab 3): flops and elements moved, float32."""
    B, n = batch, width
    rng = np.random.default_rng(0)
    x = rng.standard_normal((B, n)).astype(np.float32)
    d = rng.standard_normal((B, n)).astype(np.float32)
    gamma, beta = np.ones((1, n), np.float32), np.zeros((1, n), np.float32)
    expected = {
        # forward: flops, elements moved; backward: flops, elements moved
        "layer": (7 * B * n + 3 * B, 13 * B * n + 14 * B + 2 * n, 11 * B * n - 2 * n, 21 * B * n + 9 * B + 3 * n),
        "rms": (4 * B * n + 3 * B, 8 * B * n + 10 * B + n, 8 * B * n - n, 17 * B * n + 5 * B + 2 * n),
    }
    for kind, (f_flops, f_moved, b_flops, b_moved) in expected.items():
        forward = count_ops(dm.norm_forward, x, kind, gamma, beta)
        _, cache = dm.norm_forward(x, kind, gamma, beta)
        backward = count_ops(dm.norm_backward, d, kind, gamma, cache)
        assert (forward.flops, forward.reads + forward.writes) == (f_flops, f_moved), kind
        assert (backward.flops, backward.reads + backward.writes) == (b_flops, b_moved), kind
        assert forward.bytes_moved == 4 * f_moved and backward.bytes_moved == 4 * b_moved
