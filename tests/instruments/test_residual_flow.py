"""N1.3: gradient norms through plain and residual stacks against theory.

For a fixed vector v and J with i.i.d. N(0, g/n) entries, ||J^T v||^2 / ||v||^2
is (g/n) chi-square(n): mean g, variance 2g^2/n. For the residual block,
||v + alpha J^T v||^2 / ||v||^2 = 1 + 2 alpha u + alpha^2 (g/n) chi2(n) with
u ~ N(0, g/n): mean 1 + alpha^2 g, variance 4 alpha^2 g/n + 2 alpha^4 g^2/n.
Successive layers' factors are independent (rotation invariance of J), so
the mean over K = seeds x L factors has standard error sqrt(variance / K);
tests allow 4 standard errors.
"""

from __future__ import annotations

import json
import math
import warnings

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from instruments import residual_flow as rf
from tests.instruments.precision import readout_matches, series_match


def per_layer_sq_factors(norms: list[float]) -> list[float]:
    # norms[l] = ||dL/dh_l||; block l+1 carries layer l+1's gradient to layer l
    return [(norms[l] / norms[l + 1]) ** 2 for l in range(len(norms) - 1)]


@pytest.mark.parametrize("gain", [0.5, 1.0, 1.5])
@pytest.mark.parametrize("branch_scale", ["none", "1/sqrt(L)"])
def test_per_layer_squared_norm_factors_match_expectation(gain, branch_scale):
    width, depth, seeds = 64, 20, 30
    plain, residual = [], []
    for seed in range(seeds):
        r = rf.simulate(gain, depth, branch_scale, width, seed)
        plain += per_layer_sq_factors(r.plain_norm)
        residual += per_layer_sq_factors(r.residual_norm)
    alpha = 1.0 if branch_scale == "none" else 1 / math.sqrt(depth)
    k = seeds * depth
    se_plain = math.sqrt(2 * gain**2 / width / k)
    se_res = math.sqrt((4 * alpha**2 * gain + 2 * alpha**4 * gain**2) / width / k)
    assert abs(np.mean(plain) - gain) < 4 * se_plain
    assert abs(np.mean(residual) - (1 + alpha**2 * gain)) < 4 * se_res


def test_scaled_residual_stays_near_exp_half_gain():
    """With alpha = 1/sqrt(L), E||dL/dh_0||^2 = (1 + g/L)^L <= e^g. Its relative
    variance is prod(1 + v_k) - 1 with v_k = (4g/L + 2g^2/L^2)/(n (1+g/L)^2),
    about e^{4g/n} - 1 ≈ 0.065 at g = 1, n = 64; 40 seeds give SE ≈ 0.04."""
    gain, depth, width, seeds = 1.0, 100, 64, 40
    sq = [rf.simulate(gain, depth, "1/sqrt(L)", width, s).residual_norm[0] ** 2 for s in range(seeds)]
    expected = (1 + gain / depth) ** depth
    assert expected < math.exp(gain)
    assert abs(np.mean(sq) / expected - 1) < 4 * math.sqrt((math.exp(4 * gain / width) - 1) / seeds)


def test_unscaled_residual_grows_and_plain_below_unit_gain_vanishes():
    r = rf.simulate(1.0, 50, "none", 64, 0)
    # expected squared norm doubles per block: 2^50; even a wide miss (half
    # the exponent) is far above 1, which is the claim the chapter makes.
    assert r.residual_norm[0] > 2 ** (50 / 4)
    p = rf.simulate(0.5, 50, "none", 64, 0)
    assert p.plain_norm[0] < 0.5 ** (50 / 4)


def test_norms_agree_with_an_explicit_matrix_product():
    gain, depth, width, seed = 0.8, 7, 16, 3
    rng = np.random.default_rng(seed)
    v = rng.standard_normal(width)
    v /= np.linalg.norm(v)
    jac = rng.standard_normal((depth, width, width)) * math.sqrt(gain / width)
    alpha = 1 / math.sqrt(depth)
    r = rf.simulate(gain, depth, "1/sqrt(L)", width, seed)
    eye = np.eye(width)
    for layer in range(depth + 1):
        # dL/dh_layer = (J_L ... J_{layer+1})^T v   (EQ N1.2), and with I + alpha J (EQ N1.8)
        plain = np.linalg.multi_dot([eye, eye] + [jac[k] for k in range(depth - 1, layer - 1, -1)])
        res = np.linalg.multi_dot([eye, eye] + [eye + alpha * jac[k] for k in range(depth - 1, layer - 1, -1)])
        assert r.plain_norm[layer] == pytest.approx(np.linalg.norm(plain.T @ v), rel=1e-10)
        assert r.residual_norm[layer] == pytest.approx(np.linalg.norm(res.T @ v), rel=1e-10)


def test_output_gradient_has_unit_norm_and_readouts_are_layer_one():
    r = rf.simulate(1.2, 30, "none", 64, 5)
    assert r.plain_norm[30] == 1.0 and r.residual_norm[30] == 1.0
    assert r.grad_layer1_plain == r.plain_norm[1]
    assert r.grad_layer1_residual == r.residual_norm[1]
    assert r.ratio == pytest.approx(r.residual_norm[1] / r.plain_norm[1], rel=1e-15)


def test_frame_is_the_simulation_rounded_for_display():
    for gain, depth, scale in [(1.0, 50, "none"), (0.5, 2, "1/sqrt(L)"), (1.5, 100, "1/sqrt(L)")]:
        r = rf.simulate(gain, depth, scale, rf.WIDTH, rf.BAKE_SEED)
        f = rf.frame(gain, depth, scale)
        assert readout_matches(f["readouts"]["grad_layer1_plain"], r.plain_norm[1])
        assert readout_matches(f["readouts"]["grad_layer1_residual"], r.residual_norm[1])
        assert readout_matches(f["readouts"]["ratio"], r.residual_norm[1] / r.plain_norm[1])
        assert f["series"]["layer"] == list(range(depth + 1))
        assert series_match(f["series"]["log10_plain"], [math.log10(v) for v in r.plain_norm])
        assert series_match(f["series"]["log10_residual"], [math.log10(v) for v in r.residual_norm])
        # sqrt of the expected squared norm after L blocks, g^L and (1 + alpha^2 g)^L
        alpha = 1.0 if scale == "none" else 1 / math.sqrt(depth)
        assert f["series"]["theory_layer"] == [0, depth]
        assert series_match(f["series"]["log10_theory_plain"], [depth / 2 * math.log10(gain), 0.0])
        assert series_match(f["series"]["log10_theory_residual"], [depth / 2 * math.log10(1 + alpha**2 * gain), 0.0])
        assert f["marks"] == []


def test_frame_marks_an_overflow_and_raises_no_warning():
    """Gain 10 multiplies the expected squared residual norm by 11 per block,
    so in a 1000-block stack the squared norm (the norm's own intermediate)
    passes the float64 limit, ~1e308, about 308 / log10(11) ≈ 296 blocks
    below the output. Per block the log factor fluctuates by a few percent,
    so the flag lands within 280–340 blocks; the curve stops there, marked."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        r = rf.simulate(10.0, 1000, "none", rf.WIDTH, rf.BAKE_SEED)
        f = rf.frame(10.0, 1000, "none")
        # 400 blocks: both norms at layer 1 are past the limit, so is their ratio
        shallower = rf.frame(10.0, 400, "none")
    assert set(shallower["readouts"].values()) == {"overflow"}
    k = r.overflow_layer
    assert k is not None and 280 <= 1000 - k <= 340
    assert f["marks"] == [{"trace": "log10_residual", "x": float(k),
                           "label": {"key": "instrument.mark.overflow_at_layer", "layer": k}}]
    assert f["series"]["log10_residual"][k] is None and f["series"]["log10_residual"][k + 1] is not None


def test_zero_gain_gives_zero_plain_gradient_without_warnings():
    """g = 0 makes every plain Jacobian zero (EQ N1.2): nothing reaches layer
    1, while the residual path carries the gradient unchanged (EQ N1.8 with
    J = 0). The ratio is then infinite, reported as overflow, not as a warning."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        r = rf.simulate(0.0, 5, "none", 8, 0)
        f = rf.frame(0.0, 5, "none")
    assert r.plain_norm[:5] == [0.0] * 5 and r.residual_norm == pytest.approx([1.0] * 6, rel=1e-12)
    assert r.ratio == math.inf and f["readouts"]["ratio"] == "overflow"


def test_a_single_block_of_width_one():
    """L = 1, n = 1: dL/dh_0 = J^T v with v = ±1, so the plain norm is |J|
    and the residual norm |1 + J| (alpha = 1/sqrt(1) = 1 either way)."""
    r = rf.simulate(2.0, 1, "1/sqrt(L)", 1, 4)
    rng = np.random.default_rng(4)
    rng.standard_normal(1)
    j = rng.standard_normal((1, 1, 1))[0, 0, 0] * math.sqrt(2.0)
    assert r.plain_norm == pytest.approx([abs(j), 1.0], rel=1e-12)
    assert r.residual_norm == pytest.approx([abs(1 + j), 1.0], rel=1e-12)


def test_result_echoes_the_validated_settings():
    r = rf.simulate(0.7, 9, "1/sqrt(L)", 12, 3)
    assert (r.gain, r.depth, r.branch_scale, r.width, r.seed) == (0.7, 9, "1/sqrt(L)", 12, 3)
    assert r.alpha == pytest.approx(1 / 3, rel=1e-15)
    assert rf.simulate(0.7, 9, "none", 12, 3).alpha == 1.0
    assert len(r.plain_norm) == len(r.residual_norm) == 10


def test_a_bare_simulate_call_shows_the_instrument_default():
    """A reader who types ``simulate()`` in a cell sees the panel's first picture."""
    defaults = {c["name"]: c["default"] for c in rf.SPEC["controls"]}
    assert rf.simulate() == rf.simulate(**defaults, width=rf.WIDTH, seed=rf.BAKE_SEED)


def test_overflow_is_flagged():
    r = rf.simulate(10.0, 1000, "none", 4, 0)
    assert r.overflow_layer is not None
    assert all(math.isfinite(v) for v in r.residual_norm[r.overflow_layer + 1:])


@settings(max_examples=25, deadline=None)
@given(gain=st.floats(0.0, 3.0), depth=st.integers(1, 30),
       scale=st.sampled_from(rf.BRANCH_SCALES), width=st.integers(1, 20), seed=st.integers(0, 2**32))
def test_reruns_are_bit_identical(gain, depth, scale, width, seed):
    a = rf.simulate(gain, depth, scale, width, seed)
    assert a == rf.simulate(gain, depth, scale, width, seed)
    json.dumps(a.to_dict())


@pytest.mark.parametrize(
    "kwargs, name",
    [
        ({"gain": "1"}, "gain"),
        ({"gain": -0.1}, "gain"),
        ({"gain": float("nan")}, "gain"),
        ({"depth": 0}, "depth"),
        ({"depth": 3.5}, "depth"),
        ({"branch_scale": "sqrt"}, "branch_scale"),
        ({"branch_scale": 1}, "branch_scale"),
        ({"width": 0}, "width"),
        ({"seed": -2}, "seed"),
    ],
)
def test_bad_input_names_the_parameter(kwargs, name):
    with pytest.raises(ValueError, match=rf"^{name} must be "):
        rf.simulate(**kwargs)
