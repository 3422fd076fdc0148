"""The labs' deep-MLP trainer: hand-written backprop against finite
differences, the normalisations' defining properties, and the two
"predict before running" cards."""

from __future__ import annotations

import itertools
import json
import math
import warnings

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from instruments import deep_mlp as dm

COMBOS = list(itertools.product(dm.ACTIVATIONS, dm.NORMS, dm.RESIDUALS))


@pytest.mark.parametrize("activation, norm, residual", COMBOS)
def test_gradients_match_central_differences(activation, norm, residual):
    cfg = dm.Config(depth=3, width=5, activation=activation, init="xavier", norm=norm,
                    residual=residual, batch=6, input_dim=4, classes=3, dtype="float64", seed=1)
    x, labels = dm.make_task(cfg)
    p = dm.init_params(cfg)
    rng = np.random.default_rng(0)
    # move gains, shifts, gates and biases off their init so every path carries gradient
    for k in p:
        if k.startswith(("gamma", "beta", "gate", "b")):
            p[k] = p[k] + 0.5 * rng.standard_normal(p[k].shape)
    _, grads = dm.loss_and_grads(p, x, labels, cfg)
    assert set(grads) == set(p)
    eps = 1e-6
    for k in p:
        for flat in rng.choice(p[k].size, size=min(3, p[k].size), replace=False):
            idx = np.unravel_index(flat, p[k].shape)
            plus = {a: b.copy() for a, b in p.items()}
            minus = {a: b.copy() for a, b in p.items()}
            plus[k][idx] += eps
            minus[k][idx] -= eps
            numeric = (dm.loss_and_grads(plus, x, labels, cfg)[0]
                       - dm.loss_and_grads(minus, x, labels, cfg)[0]) / (2 * eps)
            # central differences are good to ~1e-9 absolute here (loss ~1, eps 1e-6)
            assert abs(grads[k][idx] - numeric) <= 1e-6 * abs(numeric) + 1e-8, (k, idx)


@pytest.mark.parametrize("activation", dm.ACTIVATIONS)
@pytest.mark.parametrize("norm, residual", [("none", "none"), ("batch", "post-norm"), ("rms", "zero-init")])
def test_a_float32_network_computes_in_float32(activation, norm, residual):
    """The labs compare float32 with float64 (cost, and how each overflows):
    every gradient of a float32 network is float32, so no step quietly
    computes in double precision (twice the bytes the cost note counts)."""
    cfg = dm.Config(depth=2, width=6, activation=activation, norm=norm, residual=residual, batch=8, input_dim=3,
                    classes=3, dtype="float32", seed=4)
    x, labels = dm.make_task(cfg)
    _, grads = dm.loss_and_grads(dm.init_params(cfg), x, labels, cfg)
    assert {k: g.dtype for k, g in grads.items()} == {k: np.dtype(np.float32) for k in grads}


arrays = st.tuples(st.integers(2, 12), st.integers(2, 12), st.floats(0.01, 100), st.integers(0, 2**32))


@settings(max_examples=40, deadline=None)
@given(shape=arrays)
def test_layer_and_rms_norm_properties(shape):
    rows, cols, scale, seed = shape
    x = scale * np.random.default_rng(seed).standard_normal((rows, cols)) + 3.0
    ones, zeros = np.ones((1, cols)), np.zeros((1, cols))
    ln, _ = dm.norm_forward(x, "layer", ones, zeros)
    var = x.var(axis=1, keepdims=True)
    assert np.allclose(ln.mean(axis=1), 0, atol=1e-9)
    assert np.allclose(ln.var(axis=1, keepdims=True), var / (var + dm.NORM_EPS), rtol=1e-9)
    rms, _ = dm.norm_forward(x, "rms", ones, zeros)
    ms = np.mean(x * x, axis=1, keepdims=True)
    assert np.allclose(np.mean(rms * rms, axis=1, keepdims=True), ms / (ms + dm.NORM_EPS), rtol=1e-9)
    # rms keeps the direction of each example: no centring
    assert np.allclose(rms * np.sqrt(ms + dm.NORM_EPS), x)
    bn, _ = dm.norm_forward(x, "batch", ones, zeros)
    bvar = x.var(axis=0)
    assert np.allclose(bn.mean(axis=0), 0, atol=1e-9)
    assert np.allclose(bn.var(axis=0), bvar / (bvar + dm.NORM_EPS), rtol=1e-9)


def test_gelu_gain_matches_direct_integration():
    z = np.linspace(-12, 12, 200_001)
    density = np.exp(-z * z / 2) / math.sqrt(2 * math.pi)
    direct = float(np.trapezoid(dm.activate(z, "gelu") ** 2 * density, z))
    assert dm.gelu_second_moment() == pytest.approx(direct, rel=1e-7)
    assert 0.42 < direct < 0.43


def gelu_second_moment_by_integration() -> float:
    """E[gelu(z)^2], z ~ N(0, 1), from GELU's exact form z Phi(z) (not the
    engine's tanh approximation) by the trapezoid rule on a fine grid."""
    z = np.linspace(-12, 12, 200_001)
    phi = 0.5 * (1 + np.vectorize(math.erf)(z / math.sqrt(2)))
    density = np.exp(-z * z / 2) / math.sqrt(2 * math.pi)
    return float(np.trapezoid((z * phi) ** 2 * density, z))


@pytest.mark.parametrize("fan_in, fan_out", [(32, 64), (64, 64), (256, 10), (7, 300)])
def test_weight_std_is_each_rules_closed_form(fan_in, fan_out):
    """EQ N1.4 (Xavier, averaged fans), EQ N1.5 (He, fan-in) and the GELU
    analogue Var(W) = 1/(fan_in E[gelu(z)^2]); naive is the raw N(0, 1) draw.
    Unequal fans tell fan-in, fan-out and their mean apart; the GELU moment
    comes from the exact GELU; the tanh form the engine uses moves it by
    about 7e-5 relative, so 2e-4 on the standard deviation is generous."""
    std = {init: dm.weight_std(init, fan_in, fan_out) for init in dm.INITS}
    assert std["naive"] == 1.0
    assert std["xavier"] == pytest.approx(math.sqrt(2 / (fan_in + fan_out)), rel=1e-15)
    assert std["he"] == pytest.approx(math.sqrt(2 / fan_in), rel=1e-15)
    assert std["gelu-scaled"] == pytest.approx(
        math.sqrt(1 / (fan_in * gelu_second_moment_by_integration())), rel=2e-4)
    assert std["uniform"] == pytest.approx(math.sqrt(1 / 3), rel=1e-15)   # U(-1, 1): a^2/3


@pytest.mark.parametrize("init", [i for i in dm.INITS if i != "uniform"])
def test_drawn_weights_are_standard_normals_times_the_rule(init):
    """The draw is N(0, 1) scaled by the rule's standard deviation: the same
    generator state gives exactly the standard draw times that constant."""
    fan_in, fan_out = 40, 24
    w = dm.draw_weights(np.random.default_rng(5), init, fan_in, fan_out)
    standard = np.random.default_rng(5).standard_normal((fan_in, fan_out))
    assert w.shape == (fan_in, fan_out)
    assert np.allclose(w, standard * dm.weight_std(init, fan_in, fan_out), rtol=1e-15, atol=0)


@pytest.mark.parametrize("norm, residual", [("none", "none"), ("batch", "pre-norm"), ("rms", "zero-init"),
                                            ("layer", "post-norm"), ("layer", "zero-init")])
def test_initial_parameters(norm, residual):
    """Weights drawn in order (input projection, blocks, read-out at
    1/sqrt(n)); biases and shifts 0, gains 1, gates 0. A final normalisation
    feeds the read-out only where the residual stream itself is never
    normalised (pre-norm and zero-init); rms has no shift. Width 7: at width
    6 He's 2/n would equal the uniform draw's variance 1/3 and hide a mix-up."""
    n = 7
    cfg = dm.Config(depth=3, width=n, init="he", norm=norm, residual=residual, input_dim=5, classes=4,
                    dtype="float32", seed=8)
    p = dm.init_params(cfg)
    rng = np.random.default_rng(8)
    expected = {"W_in": rng.standard_normal((5, n)) * math.sqrt(2 / 5), "b_in": np.zeros((1, n))}
    for l in (1, 2, 3):
        expected[f"W{l}"] = rng.standard_normal((n, n)) * math.sqrt(2 / n)
        expected[f"b{l}"] = np.zeros((1, n))
        if norm != "none":
            expected[f"gamma{l}"] = np.ones((1, n))
            if norm != "rms":
                expected[f"beta{l}"] = np.zeros((1, n))
        if residual == "zero-init":
            expected[f"gate{l}"] = np.zeros((1, 1))
    if norm != "none" and residual in ("pre-norm", "zero-init"):
        expected["gamma_out"] = np.ones((1, n))
        if norm != "rms":
            expected["beta_out"] = np.zeros((1, n))
    expected["W_out"] = rng.standard_normal((n, 4)) / math.sqrt(n)
    expected["b_out"] = np.zeros((1, 4))
    assert set(p) == set(expected)
    for k, v in expected.items():
        assert p[k].dtype == np.float32, k
        assert np.array_equal(p[k], v.astype(np.float32)), k


def test_the_task_labels_come_from_a_fixed_linear_teacher():
    cfg = dm.Config(batch=50, input_dim=6, classes=3, dtype="float32")
    x, labels = dm.make_task(cfg)
    rng = np.random.default_rng(11)
    inputs = rng.standard_normal((50, 6))
    teacher = rng.standard_normal((6, 3))
    assert x.dtype == np.float32 and np.array_equal(x, inputs.astype(np.float32))
    assert np.array_equal(labels, np.argmax(inputs @ teacher, axis=1))
    assert set(labels) == {0, 1, 2}
    assert np.array_equal(dm.make_task(dm.Config(batch=50, input_dim=6, classes=3, seed=5))[1], labels)


def test_uniform_init_has_variance_one_third():
    w = dm.draw_weights(np.random.default_rng(0), "uniform", 400, 400)
    assert w.min() >= -1 and w.max() <= 1
    assert w.var() == pytest.approx(1 / 3, rel=0.01)   # 160 000 draws: SE 0.2%


def test_zero_init_blocks_start_as_the_identity():
    cfg = dm.Config(depth=4, width=8, residual="zero-init", norm="rms", dtype="float64")
    x, labels = dm.make_task(cfg)
    _, grads = dm.loss_and_grads(dm.init_params(cfg), x, labels, cfg)
    for l in range(1, 5):
        # the gate is 0, so the branch weights get no gradient yet, but the gate does
        assert not np.any(grads[f"W{l}"])
        assert np.any(grads[f"gate{l}"])


def no_spike(losses: list[float], tolerance: float = 0.05) -> bool:
    """No step's loss exceeds the previous step's by more than 5%."""
    return all(b <= a * (1 + tolerance) for a, b in zip(losses, losses[1:]))


def test_card_a_deep_gelu_rmsnorm_prenorm_residual_trains_smoothly():
    r = dm.train(depth=30, width=256, activation="gelu", init="gelu-scaled", norm="rms",
                 residual="pre-norm", optimizer="adam", learning_rate=1e-3, steps=40, batch=64)
    assert not r.diverged
    losses = r.losses
    assert all(v is not None and math.isfinite(v) for v in losses)
    # starts near the uniform baseline log 10 and ends well below it
    assert losses[0] < 2 * math.log(10)
    assert losses[-1] < 0.25 * losses[0]
    assert no_spike(losses)


def test_card_b_deep_relu_uniform_init_blows_up_within_50_steps():
    with warnings.catch_warnings():
        warnings.simplefilter("error")      # the blow-up is reported, not shouted by numpy
        r = dm.train(depth=30, width=256, activation="relu", init="uniform", norm="none",
                     residual="none", optimizer="sgd", learning_rate=0.01, steps=50, batch=64)
    assert r.diverged and r.diverged_at_step is not None and r.diverged_at_step <= 50
    # the forward pass has already blown up at step 0: Var(W) = 1/3 multiplies the
    # second moment by 256/3/2 ≈ 43 per ReLU layer, ~10^49 over 30 layers
    assert r.losses[0] > 1e10
    assert all(v is None for v in r.losses[r.diverged_at_step:])
    json.dumps(r.to_dict(), allow_nan=False)


# ---------------------------------------------------------------- optimisers

# Kingma & Ba (2015), Algorithm 1, with the paper's default constants.
ADAM_B1, ADAM_B2, ADAM_EPS = 0.9, 0.999, 1e-8
SMALL_PROBLEM = dict(depth=2, width=16, activation="tanh", init="xavier", norm="none", residual="none",
                     batch=32, input_dim=8, classes=4, dtype="float64", seed=3)


def sgd_step(p, grads, t, state, lr):
    return {k: p[k] - lr * grads[k] for k in p}


def adam_step(p, grads, t, state, lr):
    out = {}
    for k in p:
        m, v = state.get(k, (0.0, 0.0))
        m = ADAM_B1 * m + (1 - ADAM_B1) * grads[k]
        v = ADAM_B2 * v + (1 - ADAM_B2) * grads[k] * grads[k]
        state[k] = (m, v)
        m_hat, v_hat = m / (1 - ADAM_B1 ** (t + 1)), v / (1 - ADAM_B2 ** (t + 1))
        out[k] = p[k] - lr * m_hat / (np.sqrt(v_hat) + ADAM_EPS)
    return out


def reference_losses(step, lr, steps, **options):
    """Train with an optimiser written out here; the engine supplies only the
    loss and its gradient (checked against finite differences above)."""
    cfg = dm.Config(**options, steps=steps)
    x, labels = dm.make_task(cfg)
    p, state, losses = dm.init_params(cfg), {}, []
    for t in range(steps):
        loss, grads = dm.loss_and_grads(p, x, labels, cfg)
        losses.append(loss)
        p = step(p, grads, t, state, lr)
    return losses


@pytest.mark.parametrize("dtype", dm.DTYPES)
@pytest.mark.parametrize("optimizer, step, lr", [("sgd", sgd_step, 0.5), ("adam", adam_step, 0.01)])
def test_each_optimiser_follows_its_update_rule(optimizer, step, lr, dtype):
    """Same arithmetic, same precision: a float32 run must stay in float32."""
    options = dict(SMALL_PROBLEM, residual="zero-init", norm="layer", dtype=dtype)
    ours = dm.train(**options, optimizer=optimizer, learning_rate=lr, steps=25).losses
    assert ours == pytest.approx(reference_losses(step, lr, 25, **options), rel=1e-12)


@pytest.mark.parametrize("optimizer, lr", [("sgd", 0.5), ("adam", 0.01)])
def test_each_optimiser_lowers_the_loss_on_a_small_well_posed_problem(optimizer, lr):
    """A shallow tanh net on a linearly separable task (labels from a linear
    teacher) at a moderate rate: the loss falls steadily, and a network that
    still predicts the same thing for every input would sit at log 4."""
    r = dm.train(**SMALL_PROBLEM, optimizer=optimizer, learning_rate=lr, steps=150)
    assert not r.diverged and r.config == {**SMALL_PROBLEM, "optimizer": optimizer, "learning_rate": lr, "steps": 150}
    # the largest step-to-step change is the mildest decrease, late in the run where the loss is small
    assert r.max_rise == pytest.approx(max(b / a - 1 for a, b in zip(r.losses, r.losses[1:])), rel=1e-12)
    assert r.losses[-1] < 0.5 * r.losses[0] and r.losses[-1] < 0.5 * math.log(4)
    assert sum(b < a for a, b in zip(r.losses, r.losses[1:])) >= 0.9 * 149


def test_first_steps_lower_the_loss_at_the_rate_first_order_theory_gives():
    """One step of size lr changes the loss by g . delta + O(lr^2): SGD moves
    delta = -lr g, so the loss drops by lr |g|^2; Adam's first step is
    delta = -lr g/(|g| + eps) (its moments equal g and g^2 after bias
    correction), so it drops by lr sum |g|. At lr = 1e-4 the O(lr^2) remainder
    is below 1 % of either."""
    cfg = dm.Config(**SMALL_PROBLEM)
    x, labels = dm.make_task(cfg)
    _, grads = dm.loss_and_grads(dm.init_params(cfg), x, labels, cfg)
    lr = 1e-4
    sq_norm = sum(float(np.sum(g * g)) for g in grads.values())
    abs_sum = sum(float(np.sum(np.abs(g) * np.abs(g) / (np.abs(g) + ADAM_EPS))) for g in grads.values())
    for optimizer, predicted in (("sgd", lr * sq_norm), ("adam", lr * abs_sum)):
        first, second = dm.train(**SMALL_PROBLEM, optimizer=optimizer, learning_rate=lr, steps=2).losses
        assert (first - second) / predicted == pytest.approx(1, abs=0.01), optimizer


def test_largest_rise_is_the_worst_step_to_step_increase():
    r = dm.train(**SMALL_PROBLEM, optimizer="sgd", learning_rate=30.0, steps=30)
    finite = [v for v in r.losses if v is not None]
    assert r.max_rise == pytest.approx(max(b / a - 1 for a, b in zip(finite, finite[1:])), rel=1e-12)
    assert r.max_rise > 0   # this rate overshoots: some step raises the loss
    assert dm.train(**SMALL_PROBLEM, steps=1).max_rise is None


def test_the_smallest_settings_are_accepted():
    """One block of one unit, two examples, two classes, one input, rate 0:
    zero steps leave an empty curve, one step records the starting loss."""
    smallest = dict(depth=1, width=1, batch=2, input_dim=1, classes=2, learning_rate=0.0)
    assert dm.train(**smallest, steps=0).losses == []
    r = dm.train(**smallest, steps=1)
    assert len(r.losses) == 1 and math.isfinite(r.losses[0]) and not r.diverged


def test_a_batch_fitted_exactly_ends_at_zero_loss_without_breaking_the_rise():
    """Two examples, a generous Adam rate: the margins grow until every
    softmax is exactly one hot in float64 and the loss is exactly 0; a rise
    relative to a zero loss has no meaning and is left out, not divided by."""
    r = dm.train(depth=1, width=4, batch=2, input_dim=2, classes=2, activation="relu", init="he",
                 optimizer="adam", learning_rate=0.5, steps=100, dtype="float64", seed=1)
    assert not r.diverged and r.losses[-1] == 0.0
    assert r.max_rise == pytest.approx(max(b / a - 1 for a, b in zip(r.losses, r.losses[1:]) if a > 0), rel=1e-12)


def test_a_run_that_diverges_midway_stops_there_and_says_so():
    """A huge rate on naive ReLU weights in float32: the loss climbs ~1e9-fold
    per step until it passes float32's ~3.4e38 at step 3; steps 3 onwards are
    missing, the rises before are still reported."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")      # overflow is reported as divergence, not as numpy warnings
        r = dm.train(**dict(SMALL_PROBLEM, activation="relu", init="naive", dtype="float32"),
                     optimizer="sgd", learning_rate=100.0, steps=10)
    assert r.diverged and r.diverged_at_step == 3
    assert len(r.losses) == 10 and r.losses[3:] == [None] * 7
    assert all(math.isfinite(v) for v in r.losses[:3])
    assert r.max_rise == pytest.approx(max(r.losses[1] / r.losses[0], r.losses[2] / r.losses[1]) - 1, rel=1e-12)
    json.dumps(r.to_dict(), allow_nan=False)


def test_reruns_are_bit_identical():
    kwargs = dict(depth=5, width=16, activation="tanh", init="xavier", norm="layer",
                  residual="post-norm", optimizer="adam", learning_rate=1e-2, steps=10, batch=16)
    assert dm.train(**kwargs) == dm.train(**kwargs)


@pytest.mark.parametrize(
    "kwargs, name",
    [
        ({"depth": "3"}, "depth"),
        ({"depth": 0}, "depth"),
        ({"width": 0}, "width"),
        ({"width": 2.5}, "width"),
        ({"activation": "swish"}, "activation"),
        ({"init": "orthogonal"}, "init"),
        ({"norm": "group"}, "norm"),
        ({"residual": "dense"}, "residual"),
        ({"optimizer": "rmsprop"}, "optimizer"),
        ({"learning_rate": -0.1}, "learning_rate"),
        ({"learning_rate": "0.1"}, "learning_rate"),
        ({"dtype": "float16"}, "dtype"),
        ({"batch": 1}, "batch"),
        ({"steps": -1}, "steps"),
        ({"input_dim": 0}, "input_dim"),
        ({"classes": 1}, "classes"),
        ({"seed": -1}, "seed"),
    ],
)
def test_bad_input_names_the_parameter(kwargs, name):
    with pytest.raises(ValueError, match=rf"^{name} must be "):
        dm.train(**kwargs)


def test_unknown_option_is_refused():
    with pytest.raises(ValueError, match=r"^momentum is not an option; options are depth, width, activation, init, "):
        dm.train(momentum=0.9)
