"""L.2: expected initial cross-entropy against its exact value at s = 0, its
monotonicity, and the second-order expansion log V + s^2 (1 - 1/V)/2."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from instruments import loss_at_init as li
from tests.instruments.precision import displayed, readout_matches, series_match


def test_uniform_baseline_for_27_characters():
    assert li.uniform_baseline(27) == pytest.approx(3.2958, abs=5e-5)
    assert li.uniform_baseline(27) == math.log(27)


@pytest.mark.parametrize("vocab", li.VOCAB_SIZES)
def test_scale_zero_is_exactly_log_v(vocab):
    r = li.simulate(0.0, vocab)
    assert r.expected_loss == math.log(vocab)
    assert r.excess == 0.0


@pytest.mark.parametrize("vocab", li.VOCAB_SIZES)
def test_loss_grows_monotonically_with_scale(vocab):
    curve = li.loss_curve(vocab)
    assert all(b > a for a, b in zip(curve, curve[1:])), curve


@pytest.mark.parametrize("vocab", [2, 10, 27, 1000])
@pytest.mark.parametrize("scale", [0.05, 0.1, 0.2])
def test_small_scale_expansion(vocab, scale):
    """loss - log V = s^2 S^2 / 2 + O(s^3), S^2 the 1/V-variance of the draw's
    V logits: E[S^2] = 1 - 1/V and Var(S^2) = 2(V-1)/V^2 for Gaussians. The
    mean over N draws therefore has SE s^2/2 sqrt(2(V-1)/V^2/N). The cubic term
    has mean zero (symmetry); it and the quartic term, O(s^4 (m4 + 3)/24) with
    E m4 ≤ 3, add at most s^3 + s^4/4. Tolerance: 4 SE + that remainder."""
    samples = li.default_samples(vocab)
    loss = li.simulate(scale, vocab, samples, seed=0).expected_loss
    se = scale**2 / 2 * math.sqrt(2 * (vocab - 1) / vocab**2 / samples)
    remainder = scale**3 / math.sqrt(samples) + scale**4 / 4
    assert abs(loss - li.small_scale_expansion(scale, vocab)) < 4 * se + remainder


def test_large_scale_approaches_scale_times_expected_gap_to_max():
    """For large s, loss ≈ s (E max_i eps_i - E eps_c); for V = 2 the gap is
    E|eps_1 - eps_2|/2 = 1/sqrt(pi), so loss/s → 1/sqrt(pi) ≈ 0.564."""
    r = li.simulate(100.0, 2, 200_000, 1)
    assert r.expected_loss / 100.0 == pytest.approx(1 / math.sqrt(math.pi), rel=0.01)


def test_estimator_agrees_with_plain_monte_carlo():
    """Scoring a draw against all classes equals the average of scoring it
    against each class in turn (independent computation with log-softmax)."""
    vocab, scale, samples, seed = 5, 2.0, 300, 3
    eps = np.random.default_rng(seed).standard_normal((samples, vocab))
    z = scale * eps
    log_softmax = z - (z.max(1, keepdims=True) + np.log(np.exp(z - z.max(1, keepdims=True)).sum(1, keepdims=True)))
    plain = float(-log_softmax.mean())
    assert li.simulate(scale, vocab, samples, seed).expected_loss == pytest.approx(plain, rel=1e-12)


def test_frame_is_the_simulation_rounded_for_display():
    """Readouts to 6 significant digits of simulate(); the curve's points are
    simulate() at each scale of the grid (4 digits), the baseline is log V."""
    for scale, vocab in [(5.0, 27), (0.0, 2), (10.0, 1000), (0.25, 100)]:
        r = li.simulate(scale, vocab, None, li.BAKE_SEED)
        f = li.frame(scale, vocab)
        assert readout_matches(f["readouts"]["initial_loss"], r.expected_loss)
        assert readout_matches(f["readouts"]["baseline"], math.log(vocab))
        assert readout_matches(f["readouts"]["excess"], r.expected_loss - math.log(vocab))
        assert f["series"]["scale"] == [0.25 * i for i in range(41)]
        curve = [li.simulate(s, vocab, None, li.BAKE_SEED).expected_loss for s in f["series"]["scale"]]
        assert series_match(f["series"]["expected_loss"], curve)
        assert f["series"]["baseline_x"] == [0.0, 10.0]
        assert series_match(f["series"]["baseline"], [math.log(vocab)] * 2)
        assert f["series"]["current_scale"] == [scale]
        assert series_match(f["series"]["current_loss"], [r.expected_loss])
        assert f["marks"] == []
        json.dumps(r.to_dict(), allow_nan=False)


def test_the_page_shows_the_baseline_for_27_characters_as_3_2958():
    """log 27 = 3.29583…: the readout, at the 4 decimals the panel shows, must
    read 3.2958 (a readout rounded to 3 significant digits would read 3.3000)."""
    how = next(r for r in li.SPEC["readouts"] if r["name"] == "baseline")
    assert displayed(li.frame(5.0, 27)["readouts"]["baseline"], how) == "3.2958"


def test_result_echoes_the_validated_settings():
    r = li.simulate(2, 7, 30, 9)
    assert (r.scale, r.vocab, r.samples, r.seed) == (2.0, 7, 30, 9) and type(r.scale) is float
    assert r.baseline == math.log(7) and r.excess == r.expected_loss - math.log(7)
    assert li.simulate(1.0, 20).samples == 50_000 // 20 and li.simulate(1.0, 1000).samples == 200
    assert li.expected_initial_loss(2, 7, 30, 9) == r.expected_loss


def test_two_classes_and_a_single_draw():
    """V = 2, one draw (e1, e2): the loss averaged over both labels is
    logsumexp(s e) - s (e1 + e2)/2, written out."""
    e1, e2 = np.random.default_rng(6).standard_normal((1, 2))[0]
    s = 1.5
    expected = math.log(math.exp(s * e1) + math.exp(s * e2)) - s * (e1 + e2) / 2
    assert li.simulate(s, 2, 1, 6).expected_loss == pytest.approx(expected, rel=1e-12)
    # one draw is a valid sample size for the curve too
    assert li.loss_curve(2, [s], 1, 6) == [pytest.approx(expected, rel=1e-12)]


def test_loss_curve_is_simulate_at_each_scale():
    scales = [0.0, 0.5, 3.0]
    curve = li.loss_curve(10, scales, 80, 2)
    assert curve == [li.simulate(s, 10, 80, 2).expected_loss for s in scales]
    assert li.loss_curve(10) == li.loss_curve(10, li.SCALES, li.default_samples(10), 0)


def test_a_bare_simulate_call_shows_the_instrument_default():
    """A reader who types ``simulate()`` in a cell sees the panel's first setting."""
    defaults = {c["name"]: c["default"] for c in li.SPEC["controls"]}
    assert li.simulate() == li.simulate(**defaults, seed=li.BAKE_SEED)
    assert li.expected_initial_loss(2.0) == li.simulate(2.0).expected_loss


@pytest.mark.parametrize("call, name", [
    (lambda: li.uniform_baseline(1), "vocab"),
    (lambda: li.loss_curve(vocab=1), "vocab"),
    (lambda: li.loss_curve(scales=[0.0, -0.5]), "scale"),
    (lambda: li.loss_curve(samples=0), "samples"),
    (lambda: li.expected_initial_loss(1.0, samples=0), "samples"),
])
def test_every_entry_point_names_a_bad_parameter(call, name):
    with pytest.raises(ValueError, match=rf"^{name} must be "):
        call()


@settings(max_examples=20, deadline=None)
@given(scale=st.floats(0, 20), vocab=st.integers(2, 60), seed=st.integers(0, 2**32))
def test_reruns_are_bit_identical_and_never_below_baseline(scale, vocab, seed):
    a = li.simulate(scale, vocab, 50, seed)
    assert a == li.simulate(scale, vocab, 50, seed)
    assert a.expected_loss >= a.baseline - 1e-12


@pytest.mark.parametrize(
    "kwargs, name",
    [
        ({"scale": "big"}, "scale"),
        ({"scale": -1.0}, "scale"),
        ({"scale": 1e6}, "scale"),
        ({"vocab": 1}, "vocab"),
        ({"vocab": 2.5}, "vocab"),
        ({"vocab": "27"}, "vocab"),
        ({"samples": 0}, "samples"),
        ({"seed": 1.5}, "seed"),
    ],
)
def test_bad_input_names_the_parameter(kwargs, name):
    with pytest.raises(ValueError, match=rf"^{name} must be "):
        li.simulate(**kwargs)


def test_frame_rejects_a_vocab_outside_the_grid_type():
    with pytest.raises(ValueError, match="^vocab must be "):
        li.frame(vocab=None)
