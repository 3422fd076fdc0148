"""N1.1: the init explorer against EQ N1.3–N1.5 and exact expectations.

Conditioned on the previous layer, one layer multiplies the second moment
q = E[h^2] by an exact constant c in expectation: for Gaussian weights of
variance s^2 and pre-activation z ~ N(0, n s^2 q), E[relu(z)^2] = n s^2 q / 2
and E[z^2] = n s^2 q. So E[q_L / q_0] = c^L with

    naive + relu: c = n/2     xavier + relu: c = 1/2
    xavier + linear: c = 1    he + relu: c = 1.

Tolerances. Per row, q_l/q_{l-1} is a mean of n i.i.d. unit-mean terms with
relative variance v_1 = 5 (relu: E[relu^4]/E[relu^2]^2 - 1 = (3/2)/(1/4) - 1)
or 2 (linear: chi-square), so Var(q_L/q_0 / c^L) = (1 + v_1/n)^L - 1 per row.
The pooled batch ratio is a weighted mean of row ratios, whose variance is at
most that. Averaging S seeds divides it by S; we allow 4 standard errors.
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from instruments import init_explorer as ie
from tests.instruments.precision import readout_matches, series_match


def relative_sd_bound(per_unit_rel_var: float, width: int, depth: int, seeds: int) -> float:
    return math.sqrt(((1 + per_unit_rel_var / width) ** depth - 1) / seeds)


def mean_second_moment_ratio(init, activation, width, depth, batch, seeds):
    ratios = []
    for seed in range(seeds):
        r = ie.simulate(init, activation, width, depth, batch, seed)
        ratios.append(r.second_moment[depth] / r.second_moment[0])
    return float(np.mean(ratios))


@pytest.mark.parametrize(
    "init, activation, per_layer, rel_var",
    [
        ("he", "relu", lambda n: 1.0, 5.0),
        ("xavier", "relu", lambda n: 0.5, 5.0),
        ("naive", "relu", lambda n: n / 2, 5.0),
        ("xavier", "linear", lambda n: 1.0, 2.0),
    ],
)
def test_second_moment_multiplies_by_the_expected_factor(init, activation, per_layer, rel_var):
    width, depth, batch, seeds = 64, 4, 32, 300
    expected = per_layer(width) ** depth
    mean = mean_second_moment_ratio(init, activation, width, depth, batch, seeds)
    tol = 4 * relative_sd_bound(rel_var, width, depth, seeds)
    assert abs(mean / expected - 1) < tol, (mean, expected, tol)


def test_he_relu_preserves_second_moment_at_instrument_scale():
    """Width 256, depth 25: per-row log-variance ≈ 5L/n ≈ 0.49, so one seed can
    land far from 1; the mean over 30 seeds must be within 4 SE of 1 (the bound
    above gives a relative SE ≈ sqrt((1+5/256)^25 - 1)/sqrt(30) ≈ 0.14)."""
    width, depth, seeds = 256, 25, 30
    mean = mean_second_moment_ratio("he", "relu", width, depth, 8, seeds)
    assert abs(mean - 1) < 4 * relative_sd_bound(5.0, width, depth, seeds)


def test_xavier_linear_keeps_the_variance():
    r = ie.simulate("xavier", "linear", 512, 10, 1024, 3)
    # Variance of the pooled estimate is small at this size; log10 within 0.15
    # is ~ (1 + 2/512)^10 - 1 ≈ 0.04 relative variance at 3.5 sd.
    assert abs(math.log10(r.variance[10] / r.variance[0])) < 0.15


def test_relu_output_variance_is_a_fixed_fraction_of_the_preactivation():
    """For z ~ N(0, s^2): Var(relu z) = s^2 (1/2 - 1/(2 pi)) ≈ 0.3408 s^2.
    Layer 1 sees zero-mean Gaussian input, so its pre-activations are centred
    Gaussians; deeper layers see non-negative inputs, which give every unit its
    own mean offset and make the pooled ratio wander by several percent, so
    only layer 1 is held to the formula. Over 512 x 1024 values the estimate
    is good to about 1%; we allow 2.5%."""
    fraction = 0.5 - 1 / (2 * math.pi)
    for seed in range(4):
        r = ie.simulate("he", "relu", 512, 1, 1024, seed)
        assert r.variance[1] / r.preact_variance[1] == pytest.approx(fraction, rel=0.025)


def test_naive_relu_explodes_and_xavier_relu_vanishes_at_depth_25():
    assert ie.simulate("naive", "relu", 256, 25, 256, 0).verdict == "EXPLODES"
    assert ie.simulate("xavier", "relu", 256, 25, 256, 0).verdict == "VANISHES"
    assert ie.simulate("he", "relu", 256, 25, 256, 0).verdict == "STABLE"


def test_verdict_thresholds_are_strict():
    assert ie.verdict_from(1.0, 10.0) == "STABLE"
    assert ie.verdict_from(1.0, 10.0001) == "EXPLODES"
    assert ie.verdict_from(1.0, 0.1) == "STABLE"
    assert ie.verdict_from(1.0, 0.0999) == "VANISHES"
    assert ie.verdict_from(1.0, float("inf")) == "EXPLODES"


def test_overflow_is_flagged_not_nan_and_raises_no_warning():
    """Naive + linear multiplies the variance by n = 64 per layer, so log10 of
    the variance reaches the float64 limit (~308.3) near layer 308.3/1.806 ≈ 170.7.
    h*h overflows about one decade earlier (the largest of 4096 |h| is ~3.5 sd),
    and the chi-square fluctuations add up to about one decade (sd) over 170
    layers; each decade is 0.55 layer, so the flag must land in [165, 171]."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        r = ie.simulate("naive", "linear", 64, 200, 64, 0)
    assert r.overflow_layer is not None and 165 <= r.overflow_layer <= 171
    assert all(math.isfinite(v) for v in r.variance[: r.overflow_layer])
    assert all(v == math.inf for v in r.variance[r.overflow_layer:])
    assert r.verdict == "EXPLODES"
    frame = ie._frame_at_depth(r, 200)
    assert frame["readouts"]["var_final"] == "overflow"
    assert frame["series"]["log10_var"][r.overflow_layer] is None
    assert frame["marks"] == [{"trace": "log10_var", "x": float(r.overflow_layer),
                               "label": {"key": "instrument.mark.overflow_at_layer", "layer": r.overflow_layer}}]
    # cut exactly at the overflowing layer, the picture still says so
    at_edge = ie._frame_at_depth(r, r.overflow_layer)
    assert at_edge["readouts"]["var_final"] == "overflow" and len(at_edge["marks"]) == 1
    assert ie._frame_at_depth(r, r.overflow_layer - 1)["marks"] == []


small = dict(
    init=st.sampled_from(ie.INITS),
    activation=st.sampled_from(ie.ACTIVATIONS),
    width=st.integers(1, 24),
    batch=st.integers(2, 24),
    seed=st.integers(0, 2**32),
)


@settings(max_examples=40, deadline=None)
@given(depth_short=st.integers(1, 12), extra=st.integers(0, 12), **small)
def test_prefix_consistency(init, activation, width, batch, seed, depth_short, extra):
    short = ie.simulate(init, activation, width, depth_short, batch, seed)
    deep = ie.simulate(init, activation, width, depth_short + extra, batch, seed)
    assert short.variance == deep.variance[: depth_short + 1]
    assert short.second_moment == deep.second_moment[: depth_short + 1]


@settings(max_examples=25, deadline=None)
@given(depth=st.integers(1, 10), **small)
def test_reruns_are_bit_identical(init, activation, width, batch, seed, depth):
    assert ie.simulate(init, activation, width, depth, batch, seed) == ie.simulate(
        init, activation, width, depth, batch, seed
    )


def test_frame_is_the_simulation_rounded_for_display():
    """Every number of a frame against the full-precision simulation: readouts
    to 6 significant digits, the log-variance curves to 4 (the contract)."""
    for init, width, depth, act in [("he", 256, 25, "relu"), ("naive", 32, 7, "tanh"), ("xavier", 128, 50, "linear")]:
        r = ie.simulate(init, act, width, depth, ie.BAKE_BATCH, ie.BAKE_SEED)
        f = ie.frame(init, width, depth, act)
        assert readout_matches(f["readouts"]["var_layer1"], r.var_layer1)
        assert readout_matches(f["readouts"]["var_final"], r.var_final)
        assert f["readouts"]["verdict"] == r.verdict
        assert f["series"]["layer"] == list(range(depth + 1))
        assert series_match(f["series"]["log10_var"], [math.log10(v) for v in r.variance])
        assert series_match(f["series"]["log10_second_moment"], [math.log10(v) for v in r.second_moment])
        assert f["marks"] == []


@pytest.mark.parametrize("width", [1, 16, 100, 512])
def test_weight_std_is_each_rules_closed_form(width):
    """EQ N1.4 for a square layer gives Var(W) = 1/n, EQ N1.5 gives 2/n."""
    assert ie.weight_std("naive", width) == 1.0
    assert ie.weight_std("xavier", width) == pytest.approx(1 / math.sqrt(width), rel=1e-15)
    assert ie.weight_std("he", width) == pytest.approx(math.sqrt(2) / math.sqrt(width), rel=1e-15)


def reference_forward(init, activation, width, depth, batch, seed):
    """The simulation written out again: same draws, plain numpy statistics."""
    var_w = {"naive": 1.0, "xavier": 1.0 / width, "he": 2.0 / width}[init]
    phi = {"relu": lambda z: np.maximum(z, 0), "tanh": np.tanh, "linear": lambda z: z}[activation]
    rng = np.random.default_rng(seed)
    h = rng.standard_normal((batch, width))
    variance, second, preact = [h.var()], [np.mean(h * h)], [h.var()]
    for _ in range(depth):
        z = h @ (rng.standard_normal((width, width)) * math.sqrt(var_w))
        h = phi(z)
        preact.append(z.var())
        variance.append(h.var())
        second.append(np.mean(h * h))
    return variance, second, preact


@pytest.mark.parametrize("init", ie.INITS)
@pytest.mark.parametrize("activation", ie.ACTIVATIONS)
def test_statistics_equal_an_independent_forward_pass(init, activation):
    width, depth, batch, seed = 24, 6, 40, 7
    r = ie.simulate(init, activation, width, depth, batch, seed)
    variance, second, preact = reference_forward(init, activation, width, depth, batch, seed)
    assert r.variance == pytest.approx(variance, rel=1e-9)
    assert r.second_moment == pytest.approx(second, rel=1e-9)
    assert r.preact_variance == pytest.approx(preact, rel=1e-9)
    assert (r.var_layer1, r.var_final, r.overflow_layer) == (r.variance[1], r.variance[depth], None)
    ratio = variance[depth] / variance[1]
    assert r.verdict == ("EXPLODES" if ratio > 10 else "VANISHES" if ratio < 0.1 else "STABLE")


def test_a_dead_first_layer_is_reported_as_vanished():
    """Width 1 with ReLU: if the single unit is negative for the whole batch,
    layer 1 is all zeros and no later layer can revive it (no bias)."""
    dead = next(r for r in (ie.simulate("he", "relu", 1, 3, 2, seed) for seed in range(200)) if r.var_layer1 == 0)
    assert dead.verdict == "VANISHES"
    assert dead.variance[1:] == [0.0, 0.0, 0.0]
    with warnings.catch_warnings():
        warnings.simplefilter("error")     # log10(0) is -inf, quietly: the curve simply ends
        frame = ie._frame_at_depth(dead, 3)
    assert frame["series"]["log10_var"][1:] == [None, None, None]


def test_the_smallest_network_runs():
    """One unit, one layer, two examples (a variance needs two) is a network."""
    r = ie.simulate("he", "linear", 1, 1, 2, 0)
    assert len(r.variance) == 2 and r.verdict == "STABLE"    # a single layer is its own reference


def test_a_bare_simulate_call_shows_the_instruments_default_network():
    """A reader's ``simulate()`` runs the panel's default network (He, ReLU,
    width 256, depth 25) with the bake's seed; only its batch is larger."""
    defaults = {c["name"]: c["default"] for c in ie.SPEC["controls"]}
    r = ie.simulate()
    assert (r.init, r.activation, r.width, r.depth, r.seed) == (
        defaults["init"], defaults["activation"], defaults["width"], defaults["depth"], ie.BAKE_SEED)
    assert r.batch >= ie.BAKE_BATCH


def test_result_echoes_the_validated_settings():
    r = ie.simulate("xavier", "tanh", 20.0, 3, 10, 4)
    assert (r.init, r.activation, r.width, r.depth, r.batch, r.seed) == ("xavier", "tanh", 20, 3, 10, 4)
    assert type(r.width) is int
    assert len(r.variance) == len(r.second_moment) == len(r.preact_variance) == 4


def test_results_serialise_to_json():
    import json

    json.dumps(ie.simulate("he", "relu", 16, 3, 8, 0).to_dict(), allow_nan=False)


@pytest.mark.parametrize(
    "kwargs, name",
    [
        ({"init": 3}, "init"),
        ({"init": "lecun"}, "init"),
        ({"activation": "gelu"}, "activation"),
        ({"activation": None}, "activation"),
        ({"width": "64"}, "width"),
        ({"width": True}, "width"),
        ({"width": 0}, "width"),
        ({"width": 10_000}, "width"),
        ({"depth": 2.5}, "depth"),
        ({"depth": 0}, "depth"),
        ({"batch": 1}, "batch"),
        ({"seed": -1}, "seed"),
        ({"seed": "0"}, "seed"),
    ],
)
def test_bad_input_names_the_parameter(kwargs, name):
    with pytest.raises(ValueError, match=rf"^{name} must be "):
        ie.simulate(**kwargs)


def test_frame_rejects_bad_controls():
    with pytest.raises(ValueError, match="^width must be "):
        ie.frame(width=-3)
