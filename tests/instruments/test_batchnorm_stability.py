"""N1.2: hand-written backprop, batch norm's defining properties, the outcome
rule (trains / too slow / collapsed / diverged), the ceiling as a threshold,
and the chart the instrument draws."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
from hypothesis import assume, given, settings, strategies as st

from instruments import batchnorm_stability as bs
from instruments._checks import readout

RATES = bs.LEARNING_RATES
OTHER_SEEDS = (1, 2, 3, 4)
SEEDS = (bs.WEIGHT_SEED, *OTHER_SEEDS)


def numeric_grad(params, name, index, x, y, depth, use_bn, eps=1e-6):
    plus = {k: v.copy() for k, v in params.items()}
    minus = {k: v.copy() for k, v in params.items()}
    plus[name][index] += eps
    minus[name][index] -= eps
    lp, _ = bs.loss_and_grads(plus, x, y, depth, use_bn)
    lm, _ = bs.loss_and_grads(minus, x, y, depth, use_bn)
    return (float(lp) - float(lm)) / (2 * eps)


@pytest.mark.parametrize("use_bn", [False, True])
def test_gradients_match_central_differences(use_bn):
    depth = 3
    x, y = bs.make_task()
    x, y = x[:16], y[:16]
    params = bs.init_params(depth, seed=4)
    rng = np.random.default_rng(1)
    # perturb gamma/beta/biases away from their 1/0 init so every term is exercised
    for name in params:
        if name[0] in "bg" or name.startswith("beta"):
            params[name] = params[name] + 0.3 * rng.standard_normal(params[name].shape)
    _, grads = bs.loss_and_grads(params, x, y, depth, use_bn)
    assert set(grads) == set(bs.trainable_names(depth, use_bn))
    for name in bs.trainable_names(depth, use_bn):
        for flat in rng.choice(params[name].size, size=min(6, params[name].size), replace=False):
            index = np.unravel_index(flat, params[name].shape)
            expected = numeric_grad(params, name, index, x, y, depth, use_bn)
            assert grads[name][index] == pytest.approx(expected, rel=1e-5, abs=1e-8), (name, index)


def test_init_params_holds_one_set_per_layer_he_scaled():
    """Both variants start from one dictionary: per layer W, b (no BN) and
    gamma, beta (BN), plus the read-out; nothing for layers the network does
    not have. Weights are He-scaled (EQ N1.5: variance 2 / fan-in), biases and
    beta zero, gamma one."""
    params = bs.init_params(2, seed=3)
    assert set(params) == {"W_out", "b_out", "W1", "b1", "gamma1", "beta1", "W2", "b2", "gamma2", "beta2"}
    assert params["W1"].shape == (bs.INPUT_DIM, bs.WIDTH) and params["W2"].shape == (bs.WIDTH, bs.WIDTH)
    assert params["W2"].std() == pytest.approx(math.sqrt(2 / bs.WIDTH), rel=0.1)      # 1024 draws
    for layer in (1, 2):
        assert not params[f"b{layer}"].any() and not params[f"beta{layer}"].any()
        assert (params[f"gamma{layer}"] == 1.0).all()


@settings(max_examples=60, deadline=None)
@given(
    m=st.integers(2, 40),
    features=st.integers(1, 6),
    scale=st.floats(1e-2, 1e3),
    shift=st.floats(-1e3, 1e3),
    seed=st.integers(0, 2**32),
)
def test_batch_norm_output_is_standardised_per_feature(m, features, scale, shift, seed):
    """With gamma = 1, beta = 0 every feature has mean 0 and variance
    var/(var + eps) (exactly 1 when eps = 0) — EQ N1.6 with biased variance."""
    z = shift + scale * np.random.default_rng(seed).standard_normal((m, features))
    var = z.var(axis=0)
    assume(not np.any(var < 1e-6 * scale**2))   # a (near) constant feature: excluded by definition
    out, _ = bs.batch_norm_forward(z, np.ones((1, features)), np.zeros((1, features)))
    assert np.allclose(out.mean(axis=0), 0.0, atol=1e-9)
    assert np.allclose(out.var(axis=0), var / (var + bs.BN_EPS), rtol=1e-9)


def test_batch_norm_identity_when_gamma_beta_undo_it():
    """gamma = sqrt(var + eps), beta = mean recovers the input (the chapter's
    'the network can undo the normalisation')."""
    z = np.random.default_rng(0).standard_normal((10, 3)) * 4 + 2
    gamma = np.sqrt(z.var(axis=0, keepdims=True) + bs.BN_EPS)
    beta = z.mean(axis=0, keepdims=True)
    out, _ = bs.batch_norm_forward(z, gamma, beta)
    assert np.allclose(out, z)


def test_chapter_quiz_batch():
    z = np.array([[2.0], [2.0], [6.0], [6.0]])
    eps, bs.BN_EPS = bs.BN_EPS, 0.0
    try:
        out, _ = bs.batch_norm_forward(z, np.ones((1, 1)), np.zeros((1, 1)))
    finally:
        bs.BN_EPS = eps
    # mean 4, biased variance 4: (6 - 4)/2 = 1 and 5 would map to 0.5
    assert out[:, 0].tolist() == [-1.0, -1.0, 1.0, 1.0]


# ---------------------------------------------------------------- the outcome rule

def test_best_constant_loss_is_half_the_variance_and_no_constant_beats_it():
    _, y = bs.make_task()
    assert bs.CONSTANT_LOSS == pytest.approx(0.5 * np.var(y)) == pytest.approx(0.5)
    constants = np.linspace(y.mean() - 3, y.mean() + 3, 601)
    losses = [0.5 * np.mean((c - y) ** 2) for c in constants]
    assert min(losses) >= bs.CONSTANT_LOSS - 1e-12


def test_best_constant_loss_of_a_small_target_by_hand():
    """y = (1, 2, 3, 6): mean 3, squared deviations 4, 1, 0, 9, biased
    variance 14/4; the best constant scores half of it."""
    assert bs.best_constant_loss(np.array([[1.0], [2.0], [3.0], [6.0]])) == 0.5 * 14 / 4
    assert bs.best_constant_loss(np.full((5, 1), 7.0)) == 0.0


@settings(max_examples=80, deadline=None)
@given(seed=st.integers(0, 2**32), spread=st.floats(0.0, 0.0999), shift=st.floats(-20, 20))
def test_a_collapsed_network_cannot_pass_the_training_bar(seed, spread, shift):
    """Predictions spread less than 10% as much as the target leave a loss of at
    least ½(1 − 0.1)²·Var(y) > the bar: 'collapsed' and 'trains' are disjoint."""
    _, y = bs.make_task()
    noise = np.random.default_rng(seed).standard_normal(y.shape)
    prediction = shift + spread * np.std(y) * (noise - noise.mean()) / noise.std()
    loss = 0.5 * np.mean((prediction - y) ** 2)
    assert loss >= 0.5 * (1 - bs.SPREAD_FLOOR) ** 2 * np.var(y) - 1e-12
    assert loss > bs.TRAINED_FRACTION * bs.CONSTANT_LOSS


DESCENT = [50.0 * 0.9**k for k in range(61)]          # ends near 0.09: trains
TARGET_STD = float(np.std(bs.make_task()[1]))
BAR = 0.5 * (0.5 * float(np.var(bs.make_task()[1])))    # half of the best constant's loss


@pytest.mark.parametrize("losses, live, spread, expected", [
    ([50.0, 10.0, float("nan")], 10, 1.0, "diverged"),            # not finite
    ([50.0, float("inf"), 0.1], 10, 1.0, "diverged"),
    ([50.0, 80.0, 60.0], 10, 1.0, "diverged"),                    # ends above the start
    ([50.0, 20.0, 0.5], 0, 0.0, "collapsed"),                     # no live unit
    ([50.0, 20.0, 0.5], 12, 0.05, "collapsed"),                   # live, but a near-constant output
    ([50.0, 20.0, 13.0], 8, 0.012, "collapsed"),                  # dying before it learned the mean
    (DESCENT, 20, 0.9, "trains"),
    ([50.0, 120.0, 5.0, 0.2], 4, 0.8, "trains"),                  # overshoots once, then trains
    ([50.0, 700.0, 50.0, 11.0], 2, 0.3, "diverged"),              # blew up and never recovered
    ([50.0, 20.0, 4.0, 1.6], 20, 2.0, "too_slow"),                # descends, not yet below the bar
    # the checks run in order: ending above the start is check 1, before a dead network (check 2)
    ([50.0, 40.0, 60.0], 0, 0.0, "diverged"),
    ([50.0, 40.0, 50.0], 10, 1.0, "too_slow"),                    # ends at its start: not above it
    ([50.0, 20.0, 0.1], 1, 1.0, "trains"),                        # one live unit is alive
    ([50.0, 20.0, 0.1], 10, 0.1 * TARGET_STD, "trains"),          # a spread of exactly 10% is not below it
    ([50.0, 20.0, BAR], 10, 1.0, "trains"),                       # exactly at the bar is "at most"
])
def test_classify_follows_the_documented_rule(losses, live, spread, expected):
    assert bs.classify(losses, live, spread) == expected


@pytest.mark.parametrize("losses, expected", [
    ([50.0, 40.0, 30.0], None),
    ([50.0, 40.0, 60.0, float("nan")], 2),
    ([50.0, float("nan")], 1),
    ([50.0, float("inf"), 20.0], 1),
    ([50.0, 50.0, 51.0], 2),                                      # equal to the start is not above it
])
def test_first_bad_step_is_the_first_loss_not_finite_or_above_the_start(losses, expected):
    assert bs.first_bad_step(losses) == expected


def test_outcome_words_live_in_one_mapping():
    assert set(bs.OUTCOMES) == {"trains", "too_slow", "collapsed", "diverged"}
    assert set(bs.FAILURES) <= set(bs.OUTCOMES)
    for depth in (2, 10):
        assert {r.outcome for r in bs.sweep(depth)} <= set(bs.OUTCOMES)


def test_health_counts_a_killed_network_as_dead():
    """Biases far below zero kill layer 1: no live unit, constant output."""
    x, _ = bs.make_task()
    depth = 3
    params = bs.init_params(depth)
    live, spread = bs.health(params, x, depth, use_bn=False)
    assert live > 0 and spread > 0
    params["b1"] = np.full_like(params["b1"], -1e3)
    live, spread = bs.health(params, x, depth, use_bn=False)
    assert live == 0 and spread == 0.0


def test_health_counts_a_constant_but_positive_layer_as_dead():
    """Zero weights and a positive bias: every unit of layer 1 is active on
    every example, yet outputs the same number for all of them, and so does
    everything above it. Active is not the same as live."""
    x, _ = bs.make_task()
    depth = 3
    params = bs.init_params(depth)
    params["W1"] = np.zeros_like(params["W1"])
    params["b1"] = np.full_like(params["b1"], 0.5)
    live, spread = bs.health(params, x, depth, use_bn=False)
    assert live == 0 and spread == pytest.approx(0.0, abs=1e-12)


def test_health_sees_a_dead_batch_norm_layer():
    x, _ = bs.make_task()
    depth = 3
    params = bs.init_params(depth)
    params["beta2"] = np.full_like(params["beta2"], -100.0)   # gamma·ẑ stays within ±8·gamma
    live, spread = bs.health(params, x, depth, use_bn=True)
    assert live == 0 and spread == 0.0


def test_health_counts_a_constant_unit_among_varying_ones_as_dead():
    """One hidden layer; unit 0 gets zero weights and a positive bias, so it
    outputs 0.5 for every input, while the others vary (and are zero on some
    inputs). Live units are those whose output varies across the batch,
    counted here directly from the layer's outputs."""
    x, _ = bs.make_task()
    params = bs.init_params(1)
    params["W1"][:, 0] = 0.0
    params["b1"][0, 0] = 0.5
    outputs = np.maximum(x @ params["W1"] + params["b1"], 0.0)
    varying = int(np.sum(outputs.max(axis=0) > outputs.min(axis=0)))
    assert varying == bs.WIDTH - 1 and outputs.min() == 0.0
    live, _ = bs.health(params, x, 1, use_bn=False)
    assert live == varying


def test_the_collapsed_runs_named_in_issue_8():
    """Depth 2 without BN, rates 0.24 … 1.29: every unit dead, output constant,
    loss at the constant predictor's — reported as collapsed, not as stable."""
    runs = [r for r in bs.sweep(2) if 0.2 < r.learning_rate < 1.3]
    assert [r.learning_rate for r in runs] == [0.2394, 0.3648, 0.556, 0.8474, 1.292]
    for run in runs:
        assert run.outcome == "collapsed"
        assert run.live_units == 0 and run.prediction_spread < bs.SPREAD_FLOOR
        assert run.losses[-1] == pytest.approx(bs.CONSTANT_LOSS, abs=1e-3)
    depth_8 = {r.learning_rate: r for r in bs.sweep(8)}
    assert depth_8[0.02911].outcome == "collapsed"     # the old depth-8 ceiling


# ---------------------------------------------------------------- an independent re-run

def reference_run(depth: int, learning_rate: float, use_bn: bool, seed: int = bs.WEIGHT_SEED):
    """Plain gradient descent written out again, one 2-D network, batch norm's
    backward in the original chain-rule form of Ioffe & Szegedy (not the
    engine's compact one). Only the task and the initial weights come from
    the engine. Returns the losses, the fewest live units of any hidden layer
    and the spread of the final predictions."""
    x, y = bs.make_task()
    y = y[:, 0]
    start = bs.init_params(depth, seed)
    W = [start[f"W{k}"].copy() for k in range(1, depth + 1)]
    b = [np.zeros(bs.WIDTH) for _ in range(depth)]
    gamma = [np.ones(bs.WIDTH) for _ in range(depth)]
    beta = [np.zeros(bs.WIDTH) for _ in range(depth)]
    w_out, b_out = start["W_out"][:, 0].copy(), 0.0
    m, eps = len(y), bs.BN_EPS
    losses = []
    with np.errstate(all="ignore"):
        for step in range(bs.STEPS + 1):
            inputs, pre, normed, stats = [], [], [], []
            h = x
            for k in range(depth):
                inputs.append(h)
                z = h @ W[k]
                if use_bn:
                    mu, var = z.mean(axis=0), z.var(axis=0)
                    z_hat = (z - mu) / np.sqrt(var + eps)
                    a = gamma[k] * z_hat + beta[k]
                    stats.append((z, mu, var))
                    normed.append(z_hat)
                else:
                    a = z + b[k]
                pre.append(a)
                h = np.maximum(a, 0.0)
            prediction = h @ w_out + b_out
            error = prediction - y
            losses.append(float(0.5 * np.mean(error**2)))
            if step == bs.STEPS or not math.isfinite(losses[-1]):
                break
            d_pred = error / m
            g_w_out, g_b_out = h.T @ d_pred, d_pred.sum()
            d_h = np.outer(d_pred, w_out)
            for k in reversed(range(depth)):
                d_a = d_h * (pre[k] > 0)
                if use_bn:
                    z, mu, var = stats[k]
                    d_xhat = d_a * gamma[k]
                    d_var = np.sum(d_xhat * (z - mu) * -0.5 * (var + eps) ** -1.5, axis=0)
                    d_mu = np.sum(-d_xhat / np.sqrt(var + eps), axis=0) + d_var * np.mean(-2 * (z - mu), axis=0)
                    d_z = d_xhat / np.sqrt(var + eps) + d_var * 2 * (z - mu) / m + d_mu / m
                    gamma[k] = gamma[k] - learning_rate * np.sum(d_a * normed[k], axis=0)
                    beta[k] = beta[k] - learning_rate * np.sum(d_a, axis=0)
                else:
                    d_z = d_a
                    b[k] = b[k] - learning_rate * d_a.sum(axis=0)
                d_h = d_z @ W[k].T
                W[k] = W[k] - learning_rate * (inputs[k].T @ d_z)
            w_out, b_out = w_out - learning_rate * g_w_out, b_out - learning_rate * g_b_out
        losses += [float("nan")] * (bs.STEPS + 1 - len(losses))
        hidden = [np.maximum(a, 0.0) for a in pre]
        live = min(int(np.sum(np.ptp(h, axis=0) > 0)) for h in hidden)
        return losses, live, float(np.std(prediction))


def reference_outcome(losses, live, spread) -> str:
    """The rule as the caption states it, written independently of classify()."""
    _, y = bs.make_task()
    if any(not math.isfinite(v) for v in losses) or losses[-1] > losses[0]:
        return "diverged"
    if live == 0 or spread < 0.1 * np.std(y):
        return "collapsed"
    if losses[-1] <= 0.5 * (0.5 * np.var(y)):
        return "trains"
    return "diverged" if max(losses) > losses[0] else "too_slow"


# (depth, rate index, use_bn): every outcome, the collapsed runs of issue 8,
# a run that overshoots and then trains, and runs on both sides of a ceiling.
SAMPLE = [
    (2, 0, False), (2, 10, False), (2, 12, False), (2, 13, False), (2, 15, False), (2, 17, False),
    (2, 18, False), (8, 4, False), (8, 5, False), (8, 6, False), (8, 8, False), (14, 1, False),
    (14, 2, False), (16, 2, False), (16, 3, False), (16, 5, False),
    (2, 0, True), (2, 9, True), (2, 13, True), (2, 14, True), (4, 14, True), (10, 12, True), (20, 13, True),
]


@pytest.mark.parametrize("depth, index, use_bn", SAMPLE)
def test_outcome_agrees_with_an_independent_re_run(depth, index, use_bn):
    rate = RATES[index]
    losses, live, spread = reference_run(depth, rate, use_bn)
    engine = bs.sweep(depth, RATES, use_bn)[index]
    assert engine.outcome == reference_outcome(losses, live, spread), (engine.outcome, losses[-1], live, spread)
    if engine.outcome != "diverged":
        assert engine.losses[-1] == pytest.approx(losses[-1], rel=1e-6, abs=1e-9)
        assert engine.live_units == live


def test_the_shallowest_network_and_the_shortest_run_are_valid():
    """One hidden layer and one step are the smallest valid settings: the run
    is the independent re-run's first two losses."""
    for use_bn in (False, True):
        run = bs.train(1, RATES[6], use_bn, steps=1)
        assert run.losses == pytest.approx(reference_run(1, RATES[6], use_bn)[0][:2], rel=1e-9)


def test_the_sample_covers_every_outcome():
    outcomes = {bs.sweep(d, RATES, bn)[i].outcome for d, i, bn in SAMPLE}
    assert outcomes == set(bs.OUTCOMES)


# ---------------------------------------------------------------- the ceiling

@pytest.mark.parametrize("seed", SEEDS)
def test_the_ceiling_is_a_threshold_at_every_depth(seed):
    """Every rate at or below the no-BN ceiling trains or is merely too slow;
    the next rate up diverges or collapses."""
    for depth in bs.DEPTHS:
        runs = bs.sweep(depth, RATES, False, seed=seed)
        ceiling = bs.stable_ceiling(depth, seed=seed)
        assert ceiling is not None, (seed, depth)
        below = [r for r in runs if r.learning_rate <= ceiling]
        assert all(r.outcome in ("trains", "too_slow") for r in below), (seed, depth, ceiling)
        above = [r for r in runs if r.learning_rate > ceiling]
        assert above and above[0].outcome in bs.FAILURES, (seed, depth, ceiling)


def test_the_ceiling_ignores_a_stable_rate_above_a_failure():
    """Depth 16: 0.00354 collapses, 0.00822 is stable again; the ceiling stops below the first failure."""
    runs = {r.learning_rate: r.outcome for r in bs.sweep(16)}
    assert runs[0.00354] == "collapsed" and runs[0.008223] == "too_slow"
    assert bs.stable_ceiling(16) == 0.002323


def test_ceiling_on_an_unsorted_sweep_and_none_when_everything_fails():
    assert bs.stable_ceiling(10, tuple(reversed(RATES))) == bs.stable_ceiling(10)
    assert bs.stable_ceiling(10, (2.0, 3.0)) is None


def test_new_ceilings_by_depth():
    """The instrument's numbers (seed 0), quoted in the captions."""
    assert [bs.stable_ceiling(d) for d in bs.DEPTHS] == [
        0.1571, 0.02911, 0.01253, 0.005395, 0.005395, 0.00354, 0.001524, 0.002323, 0.001, 0.001]
    assert {bs.stable_ceiling(d, use_bn=True) for d in bs.DEPTHS} == {0.2394}


# ---------------------------------------------------------------- what the chart and readouts say

def test_sweep_rows_equal_single_runs_bit_for_bit():
    rows = bs.sweep(6, RATES, True)
    for i in (0, 9, 19):
        single = bs.train(6, RATES[i], True)
        assert json.dumps(single.losses) == json.dumps(rows[i].losses)
        assert (single.outcome, single.live_units) == (rows[i].outcome, rows[i].live_units)


def test_simulate_trains_both_networks_from_the_seed_it_is_given():
    """Seed 1's weights, not the instrument's: both curves match the
    independent re-run from seed 1 and differ from seed 0's, and so does the
    ceiling (0.0444 against 0.0291 at depth 4)."""
    rate, depth, seed = RATES[2], 4, 1
    r = bs.simulate(rate, depth, seed=seed)
    assert (r.depth, r.learning_rate) == (depth, rate)
    for run, use_bn in ((r.no_bn, False), (r.with_bn, True)):
        losses, _, _ = reference_run(depth, rate, use_bn, seed=seed)
        assert all(math.isfinite(v) for v in losses)
        assert run.losses == pytest.approx(losses, rel=1e-6, abs=1e-9)
        assert run.losses[-1] != pytest.approx(reference_run(depth, rate, use_bn)[0][-1], rel=1e-3)
    assert (r.final_loss_no_bn, r.final_loss_with_bn) == (r.no_bn.losses[-1], r.with_bn.losses[-1])
    assert r.ceiling_no_bn == bs.stable_ceiling(depth, seed=seed) != bs.stable_ceiling(depth)


def test_a_run_as_a_dict_holds_every_field():
    run = bs.train(2, RATES[0], False)
    assert run.to_dict() == {
        "depth": 2, "learning_rate": RATES[0], "use_bn": False, "losses": run.losses, "outcome": run.outcome,
        "live_units": run.live_units, "prediction_spread": run.prediction_spread,
        "first_bad_step": run.first_bad_step}
    json.dumps(run.to_dict(), allow_nan=False)


def test_frame_readouts_equal_simulate():
    for lr, depth in [(RATES[9], 10), (RATES[19], 20), (RATES[0], 2), (RATES[13], 2)]:
        r = bs.simulate(lr, depth)
        f = bs.frame(lr, depth)

        def expected(run):
            return run.outcome if run.outcome in ("diverged", "collapsed") else readout(run.losses[-1])

        assert f["readouts"] == {
            "final_loss_no_bn": expected(r.no_bn),
            "final_loss_with_bn": expected(r.with_bn),
            "ceiling_no_bn": readout(r.ceiling_no_bn),
        }
        json.dumps(r.to_dict())


@pytest.fixture(scope="module")
def baked():
    return bs.bake()


def test_readout_words_and_chart_marks_agree_everywhere(baked):
    """A run the chart marks diverged reads 'diverged', a collapsed one
    'collapsed'; a run that reads a number carries neither mark."""
    for key, frame in baked["frames"].items():
        for trace, name in (("log10_loss_no_bn", "final_loss_no_bn"), ("log10_loss_with_bn", "final_loss_with_bn")):
            labels = [m["label"]["key"] for m in frame["marks"] if m["trace"] == trace]
            shown = frame["readouts"][name]
            diverged = [k for k in labels if k == "instrument.mark.diverged_at_step"]
            collapsed = [k for k in labels if k == "instrument.mark.collapsed"]
            if shown == "diverged":
                assert len(diverged) == 1 and not collapsed, (key, labels)
            elif shown == "collapsed":
                assert len(collapsed) == 1 and not diverged, (key, labels)
            else:
                assert isinstance(shown, float) and not diverged and not collapsed, (key, shown, labels)


def test_a_collapsed_run_is_marked_with_its_own_symbol_at_its_last_step():
    f = bs.frame(RATES[13], 2)
    assert f["readouts"]["final_loss_no_bn"] == "collapsed"
    mark = next(m for m in f["marks"] if m["label"] == {"key": "instrument.mark.collapsed"})
    assert mark["trace"] == "log10_loss_no_bn" and mark["x"] == bs.STEPS and mark["symbol"] != "triangle-up"


def test_a_non_finite_run_is_marked_not_drawn_as_nan():
    f = bs.frame(RATES[-1], 20)
    run = bs.train(20, RATES[-1], False)
    first_nan = next(i for i, v in enumerate(run.losses) if not math.isfinite(v))
    assert run.outcome == "diverged"
    assert f["readouts"]["final_loss_no_bn"] == "diverged"
    assert f["series"]["log10_loss_no_bn"][first_nan] is None
    mark = next(m for m in f["marks"] if m["trace"] == "log10_loss_no_bn")
    assert mark["label"] == {"key": "instrument.mark.diverged_at_step", "step": int(mark["x"])}
    assert mark["x"] <= first_nan


def test_a_huge_finite_loss_reads_diverged_not_a_number():
    """Issue 8 saw 1.93×10¹²⁷ in a readout while the chart said diverged."""
    f = bs.frame(RATES[15], 10)
    run = bs.train(10, RATES[15], True)
    assert math.isfinite(run.losses[-1]) and run.losses[-1] > 1e100
    assert f["readouts"]["final_loss_with_bn"] == "diverged"


def test_the_y_range_holds_every_point_or_the_curve_is_marked_where_it_leaves(baked):
    low, high = baked["spec"]["chart"]["y"]["range"]
    for key, frame in baked["frames"].items():
        for trace in baked["spec"]["chart"]["traces"]:
            ys = frame["series"][trace["y"]]
            finite = [v for v in ys if v is not None]
            assert min(finite) >= low, (key, trace["y"], min(finite))
            leaves = next((i for i, v in enumerate(ys) if v is None or v > high), None)
            if leaves is not None:
                xs = [m["x"] for m in frame["marks"] if m["trace"] == trace["y"]]
                assert float(leaves) in xs, (key, trace["y"], leaves, xs)


def test_an_edge_mark_only_where_a_curve_leaves_the_chart(baked):
    """Read from the drawn series and the chart's range alone: a curve that
    leaves through the top (or stops) is marked once, at the first point
    off the chart, at the top edge unless the mark says diverged; a curve
    that stays within the range gets no edge mark."""
    high = baked["spec"]["chart"]["y"]["range"][1]
    edge_key, diverged_key = bs.MARK_LABELS["off_chart"], bs.MARK_LABELS["diverged"]
    for key, frame in baked["frames"].items():
        for trace in baked["spec"]["chart"]["traces"]:
            ys = frame["series"][trace["y"]]
            leaves = next((i for i, v in enumerate(ys) if v is None or v > high), None)
            marks = [m for m in frame["marks"] if m["trace"] == trace["y"]]
            edge = [m for m in marks if m["label"]["key"] == edge_key]
            diverged = [m for m in marks if m["label"]["key"] == diverged_key]
            if leaves is None:
                assert not edge, (key, trace["y"], edge)
                continue
            assert len(edge) + len(diverged) == 1, (key, trace["y"], marks)
            (mark,) = edge + diverged
            assert mark["x"] == float(leaves) and mark["label"]["step"] == leaves, (key, trace["y"], mark, leaves)
            if edge:
                assert mark["y"] == high


def test_the_dashed_line_is_the_best_constant_predictor():
    (line,) = bs.SPEC["chart"]["hlines"]
    assert line["y"] == pytest.approx(math.log10(0.5 * np.var(bs.make_task()[1])), abs=1e-4)


@pytest.mark.parametrize(
    "call, name",
    [
        (lambda: bs.train(depth="3"), "depth"),
        (lambda: bs.train(depth=0), "depth"),
        (lambda: bs.train(learning_rate=-1.0), "learning_rate"),
        (lambda: bs.train(learning_rate="fast"), "learning_rate"),
        (lambda: bs.train(learning_rate=1e9), "learning_rate"),
        (lambda: bs.train(use_bn="yes"), "use_bn"),
        (lambda: bs.train(steps=0), "steps"),
        (lambda: bs.simulate(learning_rate=float("inf")), "learning_rate"),
        (lambda: bs.simulate(depth=51), "depth"),
        (lambda: bs.frame(depth=2.5), "depth"),
        (lambda: bs.train(learning_rate=[0.1]), "learning_rate"),
        (lambda: bs.train(steps=1001), "steps"),
        (lambda: bs.sweep(learning_rates=(0.1, "x")), "learning_rate"),
    ],
)
def test_bad_input_names_the_parameter(call, name):
    with pytest.raises(ValueError, match=rf"^{name} must be "):
        call()


def test_the_default_setting_sits_at_the_no_bn_ceiling():
    """The panel opens where both runs are stable; one step up the no-BN run
    diverges while the BN run trains."""
    controls = {c["name"]: c for c in bs.SPEC["controls"]}
    rate, depth = controls["learning_rate"]["default"], controls["depth"]["default"]
    here = bs.simulate(rate, depth)
    assert here.ceiling_no_bn == rate
    assert here.no_bn.outcome not in bs.FAILURES and here.with_bn.outcome == "trains"
    one_up = bs.simulate(RATES[RATES.index(rate) + 1], depth)
    assert one_up.no_bn.outcome == "diverged" and one_up.with_bn.outcome == "trains"


# ---------------------------------------------------------------- marks and words, from made-up runs

def made_up_run(losses, outcome, first_bad):
    """A run with the given loss curve; nothing is trained."""
    return bs.TrainResult(depth=2, learning_rate=RATES[0], use_bn=False, losses=losses, outcome=outcome,
                          live_units=3, prediction_spread=1.0, first_bad_step=first_bad)


CHART_TOP = bs.SPEC["chart"]["y"]["range"][1]          # log10 of the loss at the chart's top edge


def test_a_curve_that_crosses_the_top_edge_is_marked_on_the_edge_where_it_first_does():
    """The chart shows log10(loss) up to CHART_TOP = 3, i.e. losses up to 1000.
    900 (log10 2.95) is on the chart, 1100 (log10 3.04) is not: a run that
    overshoots there and comes back down is marked once, at step 2, on the top
    edge, with the step in its label; a curve that stays below 1000 is not."""
    assert 10 ** CHART_TOP == 1000.0
    run = made_up_run([50.0, 900.0, 1100.0, 20.0, 0.1], "trains", first_bad=1)
    assert bs._marks("log10_loss_no_bn", run) == [
        {"trace": "log10_loss_no_bn", "x": 2.0, "y": CHART_TOP,
         "label": {"key": "instrument.mark.off_chart_at_step", "step": 2}}]
    assert bs._marks("log10_loss_no_bn", made_up_run([50.0, 999.0, 20.0, 0.1], "trains", first_bad=1)) == []


def test_a_diverged_run_is_marked_where_it_leaves_the_chart_not_where_it_first_rose():
    """The loss first rises at step 1 (80 > 50) but leaves the chart at step 3
    (1500 > 1000): the one diverged mark sits at step 3. A run that diverges
    without leaving the chart (it ends above its start) is marked where it
    first rose."""
    run = made_up_run([50.0, 80.0, 400.0, 1500.0, float("inf")], "diverged", first_bad=1)
    assert bs._marks("t", run) == [{"trace": "t", "x": 3.0,
                                    "label": {"key": "instrument.mark.diverged_at_step", "step": 3}}]
    stays = made_up_run([50.0, 40.0, 70.0, 60.0], "diverged", first_bad=2)
    assert bs._marks("t", stays) == [{"trace": "t", "x": 2.0,
                                      "label": {"key": "instrument.mark.diverged_at_step", "step": 2}}]


def test_a_collapsed_run_is_marked_with_a_plotly_symbol_of_its_own():
    """instruments/README.md: a mark's `symbol` is a Plotly marker symbol, and
    the renderer draws `triangle-up` when there is none. Plotly's own marker
    validator is the judge of what it can draw."""
    import plotly.graph_objects as go

    (mark,) = bs._marks("t", made_up_run([50.0, 20.0, 13.0], "collapsed", first_bad=None))
    assert (mark["x"], mark["label"]) == (2.0, {"key": "instrument.mark.collapsed"})
    assert mark["symbol"] != "triangle-up"
    go.scatter.Marker(symbol=mark["symbol"])      # raises ValueError on a name Plotly does not know


def test_no_stable_rate_reads_the_word_none():
    """When even the smallest rate fails there is no ceiling: the readout is the
    catalogue's word for none, not a number and not a blank."""
    from sitebuild.i18n import words

    no_bn, with_bn = bs.train(2, RATES[0], False), bs.train(2, RATES[0], True)
    result = bs.StabilityResult(depth=2, learning_rate=RATES[0], no_bn=no_bn, with_bn=with_bn,
                                final_loss_no_bn=no_bn.losses[-1], final_loss_with_bn=with_bn.losses[-1],
                                ceiling_no_bn=None)
    shown = bs._frame(result)["readouts"]["ceiling_no_bn"]
    assert shown == "none" and words(f"instrument.word.{shown}") == "none"


def test_train_is_one_row_of_the_sweep_with_the_same_defaults():
    """train() is sweep() at a single rate: given only a rate, both run the
    panel's default network (its default depth, no batch norm, STEPS steps)."""
    depth = next(c["default"] for c in bs.SPEC["controls"] if c["name"] == "depth")
    rate = RATES[4]
    alone = bs.train(learning_rate=rate)
    assert alone == bs.sweep(learning_rates=(rate,))[0]
    assert (alone.depth, alone.use_bn, len(alone.losses)) == (depth, False, bs.STEPS + 1)
