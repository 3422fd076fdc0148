"""What each instrument should show, computed natively from the engines' simulations.

The browser tests compare the page against these numbers. They call each
engine's ``simulate`` directly (not ``frame`` and not the baked JSON), so a
bug in baking, in frame slicing or in the renderer shows up as a mismatch.
Values are keyed like the engine's SPEC: series by series name, readouts by
readout name; non-finite series values are ``None``. ``spec(engine, language)``
is the SPEC as a reader of that language sees it (its message keys turned
into words), and readouts are compared in the page's language.
"""

from __future__ import annotations

import copy
import math
import re

from sitebuild.bake import engine_exists
from sitebuild.i18n import DEFAULT_LANGUAGE, t, words


def _log10(values) -> list[float | None]:
    out = []
    for v in values:
        v = float(v)
        out.append(math.log10(v) if math.isfinite(v) and v > 0 else None)
    return out


def init_explorer(init: str, width: int, depth: int, activation: str) -> dict:
    from instruments import init_explorer as engine

    r = engine.simulate(init, activation, width, depth, engine.BAKE_BATCH, engine.BAKE_SEED)
    return {
        "series": {"log10_var": _log10(r.variance), "log10_second_moment": _log10(r.second_moment)},
        "readouts": {
            "var_layer1": r.var_layer1,
            "var_final": "overflow" if r.overflow_layer is not None else r.var_final,
            "verdict": r.verdict,
        },
    }


def residual_flow(gain: float, depth: int, branch_scale: str) -> dict:
    from instruments import residual_flow as engine

    r = engine.simulate(gain, depth, branch_scale, engine.WIDTH, engine.BAKE_SEED)
    return {
        "series": {"log10_plain": _log10(r.plain_norm), "log10_residual": _log10(r.residual_norm)},
        "readouts": {
            "grad_layer1_plain": r.grad_layer1_plain,
            "grad_layer1_residual": r.grad_layer1_residual,
            "ratio": r.ratio,
        },
    }


def batchnorm_stability(learning_rate: float, depth: int) -> dict:
    from instruments import batchnorm_stability as engine

    r = engine.simulate(learning_rate, depth)

    def final(run):
        # a failed run reads its outcome (a word id), any other its final loss
        return run.outcome if run.outcome in ("diverged", "collapsed") else run.losses[-1]

    return {
        "series": {"log10_loss_no_bn": _log10(r.no_bn.losses), "log10_loss_with_bn": _log10(r.with_bn.losses)},
        "readouts": {
            "final_loss_no_bn": final(r.no_bn),
            "final_loss_with_bn": final(r.with_bn),
            "ceiling_no_bn": "none" if r.ceiling_no_bn is None else r.ceiling_no_bn,
        },
        "outcome_no_bn": r.no_bn.outcome,
        "first_bad_step_no_bn": r.no_bn.first_bad_step,
        "outcome_with_bn": r.with_bn.outcome,
    }


def saturation(weight_scale: float, batchnorm: str) -> dict:
    from instruments import saturation as engine

    r = engine.simulate(weight_scale, batchnorm, engine.LAYERS, engine.WIDTH, engine.BATCH, engine.BAKE_SEED)
    units = r.batch * r.width
    series = {"bin_centre": [(a + b) / 2 for a, b in zip(r.bin_edges, r.bin_edges[1:])]}
    readouts = {}
    for k, counts in enumerate(r.histograms, start=1):
        series[f"layer_{k}"] = [c / units for c in counts]       # share of all units per bin
        readouts[f"saturated_{k}"] = r.saturated_fraction[k - 1]
    for k, derivative in enumerate(r.mean_derivative, start=1):
        readouts[f"derivative_{k}"] = derivative
    return {"series": series, "readouts": readouts}


def loss_at_init(scale: float, vocab: int) -> dict:
    from instruments import loss_at_init as engine

    loss = engine.simulate(scale, vocab, None, engine.BAKE_SEED).expected_loss
    baseline = math.log(vocab)                                   # -log(1/V)
    # the curve point by point from simulate(), not from the bake's one-pass loss_curve
    curve = [engine.simulate(s, vocab, None, engine.BAKE_SEED).expected_loss for s in engine.SCALES]
    return {
        "series": {"expected_loss": curve, "baseline": [baseline, baseline], "current_loss": [loss]},
        "readouts": {"initial_loss": loss, "baseline": baseline, "excess": loss - baseline},
    }


NATIVE = {
    "init_explorer": init_explorer,
    "residual_flow": residual_flow,
    "batchnorm_stability": batchnorm_stability,
    "saturation": saturation,
    "loss_at_init": loss_at_init,
}


def expected(engine: str, settings: dict) -> dict:
    """Native values at ``settings``, from the engine's simulation. An engine
    without an adapter here fails: comparing the page with the engine's own
    ``frame`` would only check the bake against itself."""
    if engine not in NATIVE:
        raise KeyError(f"tests/instrument_native.py has no adapter for the {engine} engine; add one that calls "
                       "its simulate()")
    return NATIVE[engine](**settings)


def published(engine: str) -> bool:
    return engine_exists(engine)


def engines() -> tuple[str, ...]:
    from instruments import ENGINES

    return ENGINES


def spec(engine: str, language: str = DEFAULT_LANGUAGE) -> dict:
    """The engine's SPEC with every message reference turned into ``language``'s words."""
    from instruments import load_engine

    worded = copy.deepcopy(load_engine(engine).SPEC)
    for field in ("title", "subtitle"):
        worded[field] = words(worded[field], language)
    for control in worded["controls"]:
        control["label"] = words(control["label"], language)
        for choice in control.get("choices", []):
            choice["label"] = words(choice["label"], language)
        if control.get("unit"):
            control["unit"] = words(control["unit"], language)
    for readout in worded["readouts"]:
        readout["label"] = words(readout["label"], language)
    chart = worded["chart"]
    for axis in ("x", "y"):
        chart[axis]["title"] = words(chart[axis]["title"], language)
    for trace in chart["traces"]:
        trace["name"] = words(trace["name"], language)
    for line in chart.get("hlines", []):
        if line.get("label"):
            line["label"] = words(line["label"], language)
    if chart.get("ghosts"):
        chart["ghosts"]["label"] = words(chart["ghosts"]["label"], language)
    for preset in worded.get("presets", []):
        preset["label"] = words(preset["label"], language)
    return worded


def control_values(control: dict) -> list:
    return [c["value"] for c in control["choices"]] if control["kind"] == "choice" else control["values"]


def defaults(engine: str) -> dict:
    return {c["name"]: c["default"] for c in spec(engine)["controls"]}


SUPERSCRIPT = str.maketrans("⁻⁰¹²³⁴⁵⁶⁷⁸⁹", "-0123456789")


def parse_readout(text: str, language: str = DEFAULT_LANGUAGE) -> float | str:
    """'1.92 × 10⁷' -> 1.92e7, '0.683' -> 0.683 ('0,683' in Spanish); words stay words."""
    text = text.strip().replace(t("format.separators", language)[0], ".")
    match = re.fullmatch(r"(-?[\d.]+) × 10([⁻⁰¹²³⁴⁵⁶⁷⁸⁹]+)", text)
    if match:
        return float(match.group(1)) * 10 ** int(match.group(2).translate(SUPERSCRIPT))
    try:
        return float(text)
    except ValueError:
        return text


def _within_half_unit(value: float, expected: float, digits: int) -> bool:
    """``value`` is ``expected`` shown with ``digits`` significant digits. The
    bake first rounds readouts to 6 digits, hence the 5e-6 relative slack."""
    if expected == 0:
        return value == 0
    unit = 10.0 ** (math.floor(math.log10(abs(expected))) - digits + 1)
    return abs(value - expected) <= 0.5 * unit + 5e-6 * abs(expected)


def readout_matches(shown: str, expected, how: dict | None = None, language: str = DEFAULT_LANGUAGE) -> bool:
    """A displayed readout agrees with a native value to the digits its format shows:
    within half a unit of the last digit shown ("fixed" and "percent" show
    ``digits`` decimals, "sci" shows 3 significant digits); a word the engine
    chose is shown as ``language``'s catalogue writes it."""
    how = how or {}
    if isinstance(expected, list):
        parts = shown.split(" · ")
        return len(parts) == len(expected) and all(readout_matches(p, e, how, language) for p, e in zip(parts, expected))
    if isinstance(expected, str):
        return shown == t(f"instrument.word.{expected.lower()}", language)
    if expected is None:
        return shown == "—"
    if how.get("format") in ("fixed", "percent") and not isinstance(expected, str):
        percent = how["format"] == "percent"
        digits = how.get("digits", 1 if percent else 3)
        scale = 100 if percent else 1
        try:
            value = float(shown.removesuffix("%").replace(t("format.separators", language)[0], ".")) / scale
        except ValueError:
            return False
        half_unit = 0.5 * 10**-digits / scale
        return shown.endswith("%") == percent and abs(value - expected) <= half_unit + 5e-6 * abs(expected)
    value = parse_readout(shown, language)
    if isinstance(value, str):
        return False
    return _within_half_unit(value, expected, 3)
