"""L.1: tanh saturation per layer, checked against tanh's calculus and
against the effect of the weight scale and of batch norm."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from instruments import saturation as sat
from tests.instruments.precision import displayed, readout_matches, series_match


def test_tanh_derivative_values_from_the_lesson():
    assert sat.tanh_derivative(2.0) == pytest.approx(0.0707, abs=5e-5)
    assert sat.tanh_derivative(3.0) == pytest.approx(0.0099, abs=5e-5)
    assert sat.tanh_derivative(0.0) == 1.0


@settings(max_examples=50, deadline=None)
@given(x=st.floats(-8, 8))
def test_tanh_derivative_matches_a_central_difference(x):
    h = 1e-5
    numeric = (math.tanh(x + h) - math.tanh(x - h)) / (2 * h)
    assert sat.tanh_derivative(x) == pytest.approx(numeric, rel=1e-6, abs=1e-9)


def test_histograms_count_every_unit():
    r = sat.simulate(2.0, "off", 3, 50, 200, 1)
    for counts in r.histograms:
        assert sum(counts) == 50 * 200
    assert r.bin_edges[0] == -1.0 and r.bin_edges[-1] == 1.0


def test_statistics_agree_with_the_histogram_and_each_other():
    r = sat.simulate(3.0, "off", 4, 100, 500, 2)
    for k in range(4):
        # bins are 0.05 wide, so the outer bin [0.95, 1] holds every |tanh| > 0.97
        outer = r.histograms[k][0] + r.histograms[k][-1]
        assert r.saturated_fraction[k] <= outer / (100 * 500)
        # a unit with |t| > 0.97 has 1 - t^2 < 0.0591, the rest at most 1
        bound = r.saturated_fraction[k] * (1 - 0.97**2) + (1 - r.saturated_fraction[k])
        assert r.mean_derivative[k] <= bound


def test_larger_weight_scale_saturates_more():
    fractions = [sat.simulate(s, "off", 4, 100, 500, 0).saturated_fraction for s in sat.WEIGHT_SCALES]
    for layer in range(4):
        column = [f[layer] for f in fractions]
        assert column == sorted(column)
    assert fractions[-1][0] > 0.5 and fractions[0][0] == 0.0


def test_first_layer_matches_gaussian_theory():
    """Layer 1 pre-activations are ~ N(0, scale^2 q0) with q0 ≈ 1, so the
    saturated share is P(|z| > atanh 0.97) = erfc(atanh(0.97)/(scale sqrt 2))."""
    scale = 3.0
    r = sat.simulate(scale, "off", 1, 200, 2000, 0)
    expected = math.erfc(math.atanh(0.97) / (scale * math.sqrt(2)))
    # 400 000 values, correlated through the shared weights: allow 3%
    assert r.saturated_fraction[0] == pytest.approx(expected, rel=0.03)


def test_batchnorm_makes_the_scale_irrelevant():
    """BN standardises each unit's pre-activation, so the tanh input is N(0,1)
    whatever the weight scale: the share above atanh(0.97) ≈ 2.09 sd is
    erfc(2.092/sqrt 2) ≈ 0.0364 at every layer."""
    expected = math.erfc(math.atanh(0.97) / math.sqrt(2))
    for scale in (0.2, 1.0, 5.0):
        r = sat.simulate(scale, "on", 4, 100, 1000, 0)
        for f in r.saturated_fraction:
            assert f == pytest.approx(expected, rel=0.1)


def reference_forward(weight_scale, batchnorm, layers, width, batch, seed):
    """The tanh stack written out again: same draws, plain numpy statistics."""
    rng = np.random.default_rng(seed)
    h = rng.standard_normal((batch, width))
    outputs = []
    for _ in range(layers):
        z = h @ (rng.standard_normal((width, width)) * weight_scale / math.sqrt(width))
        if batchnorm == "on":    # EQ N1.6, gamma = 1, beta = 0, biased variance
            z = (z - z.mean(axis=0)) / np.sqrt(z.var(axis=0) + 1e-5)
        h = np.tanh(z)
        outputs.append(h)
    return outputs


@pytest.mark.parametrize("scale, bn", [(0.5, "off"), (3.0, "off"), (3.0, "on")])
def test_statistics_equal_an_independent_forward_pass(scale, bn):
    layers, width, batch, seed = 3, 30, 50, 4
    r = sat.simulate(scale, bn, layers, width, batch, seed)
    edges = np.linspace(-1, 1, 41)
    assert r.bin_edges == pytest.approx(list(edges), abs=1e-15)
    for k, h in enumerate(reference_forward(scale, bn, layers, width, batch, seed)):
        assert r.histograms[k] == list(np.histogram(h, bins=edges)[0])
        assert r.saturated_fraction[k] == pytest.approx(np.mean(np.abs(h) > 0.97), abs=1e-15)
        assert r.mean_derivative[k] == pytest.approx(np.mean(1 - h**2), rel=1e-12)


def test_frame_is_the_simulation_rounded_for_display():
    """Readouts to 6 significant digits of the full values, curves as the
    share of all units per bin (4 digits) at the bins' midpoints. On the page
    a share is a percentage with one decimal, a derivative three decimals."""
    how = {r["name"]: r for r in sat.SPEC["readouts"]}
    for scale, bn in [(1.0, "off"), (5.0, "on"), (0.2, "off")]:
        r = sat.simulate(scale, bn, sat.LAYERS, sat.WIDTH, sat.BATCH, sat.BAKE_SEED)
        f = sat.frame(scale, bn)
        assert series_match(f["series"]["bin_centre"], [-0.975 + 0.05 * i for i in range(40)])
        for k in range(1, sat.LAYERS + 1):
            share, derivative = r.saturated_fraction[k - 1], r.mean_derivative[k - 1]
            assert readout_matches(f["readouts"][f"saturated_{k}"], share)
            assert readout_matches(f["readouts"][f"derivative_{k}"], derivative)
            assert displayed(f["readouts"][f"saturated_{k}"], how[f"saturated_{k}"]) == f"{100 * share:.1f}%"
            assert displayed(f["readouts"][f"derivative_{k}"], how[f"derivative_{k}"]) == f"{derivative:.3f}"
            assert series_match(f["series"][f"layer_{k}"], [c / (sat.BATCH * sat.WIDTH) for c in r.histograms[k - 1]])
        assert f["marks"] == []
        json.dumps(r.to_dict(), allow_nan=False)


def test_the_smallest_settings_work_and_zero_weights_give_tanh_of_zero():
    """Weight scale 0 makes every pre-activation 0: tanh(0) = 0 lands in the
    bin [0, 0.05), nothing saturates and the local derivative is exactly 1.
    One layer of one unit and a batch of two are the smallest sensible net."""
    r = sat.simulate(0.0, "off", 1, 1, 2, 0)
    assert r.histograms == [[0] * 20 + [2] + [0] * 19]
    assert r.saturated_fraction == [0.0] and r.mean_derivative == [1.0]


def test_result_echoes_the_validated_settings():
    r = sat.simulate(2.0, "on", 2, 7, 9, 5)
    assert (r.weight_scale, r.batchnorm, r.layers, r.width, r.batch, r.seed) == (2.0, "on", 2, 7, 9, 5)
    assert len(r.histograms) == len(r.saturated_fraction) == len(r.mean_derivative) == 2


def test_a_bare_simulate_call_shows_the_instrument_default():
    defaults = {c["name"]: c["default"] for c in sat.SPEC["controls"]}
    assert sat.simulate() == sat.simulate(**defaults, seed=sat.BAKE_SEED)


@settings(max_examples=15, deadline=None)
@given(scale=st.floats(0, 10), bn=st.sampled_from(sat.BATCHNORM), seed=st.integers(0, 2**32))
def test_reruns_are_bit_identical(scale, bn, seed):
    assert sat.simulate(scale, bn, 2, 10, 20, seed) == sat.simulate(scale, bn, 2, 10, 20, seed)


@pytest.mark.parametrize(
    "kwargs, name",
    [
        ({"weight_scale": "1"}, "weight_scale"),
        ({"weight_scale": -1}, "weight_scale"),
        ({"batchnorm": "yes"}, "batchnorm"),
        ({"batchnorm": True}, "batchnorm"),
        ({"layers": 0}, "layers"),
        ({"width": 1.5}, "width"),
        ({"batch": 1}, "batch"),
    ],
)
def test_bad_input_names_the_parameter(kwargs, name):
    with pytest.raises(ValueError, match=rf"^{name} must be "):
        sat.simulate(**kwargs)
