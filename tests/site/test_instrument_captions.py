"""Instrument captions make claims; the engines must bear them out.

Captions are prose written by several people and will be reworded, so these
tests do not pin wording. Each claim has a trigger (a pattern that shows the
caption makes that claim) and a check against the engine. Every caption must
trigger at least one claim, so a caption cannot drift out of reach of the tests.
"""

from __future__ import annotations

import math
import re
from pathlib import Path

import numpy as np
import pytest

from sitebuild.bake import engine_exists
from tests import pages

ROOT = Path(__file__).resolve().parents[2]
# Every page in the navigation (chapters come from the content registry).
PAGES = [pages.DOCS / path for _, path in pages.nav_entries()]
FENCE = re.compile(r'^```instrument engine="(\w+)"\n(.*?)^```', re.M | re.S)


def captions() -> list[tuple[str, str, str]]:
    found = []
    for page in PAGES:
        if page.exists():
            for engine, text in FENCE.findall(page.read_text(encoding="utf-8")):
                found.append((page.name, engine, " ".join(text.split())))
    return found


# ---------------------------------------------------------------- N1.1

def _init(init="he", activation="relu", width=256, depth=25):
    from instruments import init_explorer as e

    return e.simulate(init, activation, width, depth, e.BAKE_BATCH, e.BAKE_SEED)


def _per_layer_factor(values) -> float:
    values = np.asarray(values, dtype=float)
    return float(np.median(values[1:] / values[:-1]))


def check_verdict_rule():
    from instruments import init_explorer as e

    assert (e.EXPLODE_RATIO, e.VANISH_RATIO) == (10.0, 0.1)
    assert e.verdict_from(1.0, 10.5) == "EXPLODES" and e.verdict_from(1.0, 0.09) == "VANISHES"
    assert e.verdict_from(1.0, 9.5) == "STABLE" and e.verdict_from(1.0, 0.11) == "STABLE"


def check_relu_verdicts_by_init():
    assert [_init(i).verdict for i in ("naive", "he", "xavier")] == ["EXPLODES", "STABLE", "VANISHES"]


def check_naive_grows_by_n_over_2():
    for width in (64, 256):
        factor = _per_layer_factor(_init("naive", width=width).second_moment)
        assert math.isclose(factor, width / 2, rel_tol=0.1), (width, factor)


def check_xavier_halves_under_relu():
    assert math.isclose(_per_layer_factor(_init("xavier").second_moment), 0.5, rel_tol=0.05)


def check_he_layer1_near_one_minus_one_over_pi():
    assert math.isclose(_init("he").var_layer1, 1 - 1 / math.pi, abs_tol=0.03)


def check_linear_xavier_steady_he_doubles():
    assert _init("xavier", "linear").verdict == "STABLE"
    assert math.isclose(_per_layer_factor(_init("he", "linear").variance), 2.0, rel_tol=0.05)


def check_tanh_naive_reads_stable():
    assert _init("naive", "tanh").verdict == "STABLE"


def check_narrow_he_can_vanish():
    from instruments import init_explorer as e

    assert any(_init("he", width=w, depth=max(e.DEPTHS)).verdict == "VANISHES" for w in (16, 32))


# ---------------------------------------------------------------- N1.2

def _bn(learning_rate, depth):
    from instruments import batchnorm_stability as e

    return e.simulate(learning_rate, depth)


def check_no_bn_breaks_first(all_depths: bool = False):
    """From the default depth (where the caption starts the reader) and deeper."""
    from instruments import batchnorm_stability as e

    start = 0 if all_depths else next(c["default"] for c in e.SPEC["controls"] if c["name"] == "depth")
    for depth in (d for d in e.DEPTHS if d >= start):
        ceiling = _bn(e.LEARNING_RATES[0], depth).ceiling_no_bn
        above = [lr for lr in e.LEARNING_RATES if ceiling is None or lr > ceiling]
        assert above, f"depth {depth}: no-BN never diverges in the sweep"
        assert not _bn(above[0], depth).with_bn.diverged, f"depth {depth}: BN breaks as early as no-BN"


def check_order_flips_at_depth_2():
    """The captions say a 2-layer net copes without BN at rates that break the BN run."""
    from instruments import batchnorm_stability as e

    ceiling = _bn(e.LEARNING_RATES[0], 2).ceiling_no_bn
    assert ceiling is not None
    assert _bn(ceiling, 2).with_bn.diverged, "at depth 2 the BN run should break at the no-BN ceiling"
    assert not _bn(ceiling, 2).no_bn.diverged


def check_deeper_lowers_the_ceiling():
    from instruments import batchnorm_stability as e

    ceilings = [_bn(e.LEARNING_RATES[0], depth).ceiling_no_bn for depth in e.DEPTHS]
    assert None not in ceilings, ceilings
    assert ceilings[-1] < ceilings[0], ceilings
    assert all(b <= a for a, b in zip(ceilings, ceilings[1:])), f"ceiling should not rise with depth: {ceilings}"


# ---------------------------------------------------------------- N1.3

def _flow(gain, depth, branch="none"):
    from instruments import residual_flow as e

    return e.simulate(gain, depth, branch, e.WIDTH, e.BAKE_SEED)


def check_plain_falls_below_and_rises_above_unit_gain():
    assert _flow(0.7, 50).grad_layer1_plain < 1e-3
    assert _flow(1.3, 50).grad_layer1_plain > 10


def check_ratio_grows_with_depth_below_unit_gain():
    from instruments import residual_flow as e

    for gain in (0.5, 0.7):
        ratios = [_flow(gain, depth).ratio for depth in e.DEPTHS]
        assert all(b > a for a, b in zip(ratios, ratios[1:])), (gain, ratios)


def check_unscaled_residual_grows_like_one_plus_g():
    # (1 + g)^(L/2) at g = 1, L = 100 is 10^15.05; one random draw lands near it.
    assert abs(math.log10(_flow(1.0, 100).grad_layer1_residual) - 50 * math.log10(2)) < 1.0
    assert _flow(1.0, 100).grad_layer1_residual > 1e3 * _flow(1.0, 20).grad_layer1_residual


def check_scaled_residual_stays_near_e_to_g_over_2():
    from instruments import residual_flow as e

    norms = [_flow(1.0, depth, "1/sqrt(L)").grad_layer1_residual for depth in e.DEPTHS]
    assert all(0.5 < n < 2 * math.exp(0.5) for n in norms), norms


# ---------------------------------------------------------------- L.1, L.2

def _saturation(scale, batchnorm="off"):
    from instruments import saturation as e

    return e.simulate(scale, batchnorm, e.LAYERS, e.WIDTH, e.BATCH, e.BAKE_SEED)


def check_saturation_grows_with_scale():
    from instruments import saturation as e

    deepest = [_saturation(s).saturated_fraction[-1] for s in e.WEIGHT_SCALES]
    assert deepest[-1] > 0.5 > deepest[0], deepest
    assert all(b >= a - 0.02 for a, b in zip(deepest, deepest[1:])), deepest


def check_tanh_derivative_values():
    from instruments import saturation as e

    assert math.isclose(float(e.tanh_derivative(2.0)), 0.0707, abs_tol=5e-4)
    assert math.isclose(float(e.tanh_derivative(3.0)), 0.0099, abs_tol=5e-4)


def check_batchnorm_reduces_saturation():
    from instruments import saturation as e

    big = max(e.WEIGHT_SCALES)
    assert max(_saturation(big, "on").saturated_fraction) < min(_saturation(big, "off").saturated_fraction)


def check_uniform_baseline():
    from instruments import loss_at_init as e

    assert math.isclose(e.uniform_baseline(27), 3.2958, abs_tol=5e-5)
    assert math.isclose(e.simulate(0.0, 27, seed=e.BAKE_SEED).expected_loss, math.log(27), rel_tol=1e-9)


def check_loss_climbs_with_scale():
    from instruments import loss_at_init as e

    curve = e.loss_curve(27, e.SCALES, seed=e.BAKE_SEED)
    assert all(b > a for a, b in zip(curve, curve[1:])), curve
    assert curve[-1] > 3 * e.uniform_baseline(27)


# ---------------------------------------------------------------- triggers

CLAIMS = {
    "init_explorer": [
        (r"above 10.*below 0\.1|> ?10.*< ?0\.1", check_verdict_rule),
        (r"naive.*(He|he).*Xavier|EXPLODES.*STABLE.*VANISHES", check_relu_verdicts_by_init),
        (r"n ?/ ?2|n/2", check_naive_grows_by_n_over_2),
        (r"halve|\\log_\{10\} 2", check_xavier_halves_under_relu),
        (r"1/\\pi|0\.68", check_he_layer1_near_one_minus_one_over_pi),
        (r"linear", check_linear_xavier_steady_he_doubles),
        (r"tanh.*naive.*STABLE|naive drives every unit into saturation", check_tanh_naive_reads_stable),
        (r"width 16|width 16 or 32", check_narrow_he_can_vanish),
    ],
    "batchnorm_stability": [
        (r"(breaks?|diverge)\w*.*(first|before|long before)", check_no_bn_breaks_first),
        (r"deeper.*ceiling|ceiling.*(fall|come down|lower)", check_deeper_lowers_the_ceiling),
        (r"depth 2.*(flips|order)", check_order_flips_at_depth_2),
    ],
    "residual_flow": [
        (r"below 1.*(fall|fade)", check_plain_falls_below_and_rises_above_unit_gain),
        (r"ratio.*(climb|grow)|(climb|grow).*ratio", check_ratio_grows_with_depth_below_unit_gain),
        (r"grows?\b|climbs", check_unscaled_residual_grows_like_one_plus_g),
        (r"1/\\sqrt\{L\}|1/√L", check_scaled_residual_stays_near_e_to_g_over_2),
    ],
    "saturation": [
        (r"scale up.*(pile|±1|\\pm 1)", check_saturation_grows_with_scale),
        (r"0\.07.*0\.01", check_tanh_derivative_values),
        (r"batch ?norm", check_batchnorm_reduces_saturation),
    ],
    "loss_at_init": [
        (r"3\.2958|-\\log\(1/V\)", check_uniform_baseline),
        (r"(climbs|grows|far above)", check_loss_climbs_with_scale),
    ],
}

CASES = [(page, engine, text) for page, engine, text in captions() if engine in CLAIMS]


@pytest.mark.parametrize("page, engine, text", CASES, ids=[f"{p}:{e}" for p, e, _ in CASES])
def test_caption_claims_hold(page, engine, text):
    if not engine_exists(engine):
        pytest.skip(f"engine {engine} not merged yet")
    triggered = [check for pattern, check in CLAIMS[engine] if re.search(pattern, text, re.S)]
    assert triggered, f"{page}: the {engine} caption makes no claim these tests recognise"
    for check in triggered:
        check()


def test_every_drawn_instrument_has_a_caption_somewhere():
    engines = {engine for _, engine, _ in captions()}
    assert {"init_explorer", "batchnorm_stability", "residual_flow"} <= engines


def test_no_bn_breaks_first_from_depth_4():
    """Below the default depth too, down to 4 layers, the no-BN run breaks first."""
    if not engine_exists("batchnorm_stability"):
        pytest.skip("engine batchnorm_stability not merged yet")
    from instruments import batchnorm_stability as e

    for depth in (d for d in e.DEPTHS if d >= 4):
        ceiling = _bn(e.LEARNING_RATES[0], depth).ceiling_no_bn
        above = [lr for lr in e.LEARNING_RATES if lr > ceiling]
        assert above and not _bn(above[0], depth).with_bn.diverged, depth
