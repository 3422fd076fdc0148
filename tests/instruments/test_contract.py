"""Every instrument engine honours the contract with the browser renderer.

The renderer builds controls from SPEC, looks frames up by key and draws the
series named by the chart's traces; these tests check each of those promises
on the real bake output, so a renderer written against the README works.
"""

from __future__ import annotations

import functools
import gzip
import itertools
import json
import math
import random

import pytest

from instruments import load_engine
from sitebuild.i18n import words
from tests import instrument_native as native
from tests.instruments.precision import READOUT_DIGITS, SERIES_DIGITS, rounds_to

IMPLEMENTED = ["init_explorer", "residual_flow", "batchnorm_stability", "saturation", "loss_at_init"]

CONTROL_LABELS = {
    "init_explorer": ["Init", "Width", "Depth", "Activation"],
    "batchnorm_stability": ["Learning rate", "Depth"],
    "residual_flow": ["Gain", "Depth", "Branch scale"],
    "saturation": None,
    "loss_at_init": None,
}
READOUT_LABELS = {
    "init_explorer": ["VAR AT LAYER 1", "VAR AT FINAL LAYER", "VERDICT"],
    "batchnorm_stability": ["FINAL LOSS · NO BN", "FINAL LOSS · WITH BN", "STABLE η CEILING (NO BN)"],
    "residual_flow": ["GRAD AT LAYER 1 · PLAIN", "GRAD AT LAYER 1 · RESIDUAL", "RATIO (RESIDUAL / PLAIN)"],
    "saturation": None,
    "loss_at_init": None,
}
BUDGET_BYTES = 150 * 1024


@functools.lru_cache(maxsize=None)
def baked(name: str) -> dict:
    return load_engine(name).bake()


def test_load_engine_gives_the_engine_module_and_refuses_any_other_name():
    """The five instrument engines load by name; anything else (the labs'
    trainer, a typo) is refused with the list of names a caller can use."""
    from instruments import saturation

    assert load_engine("saturation") is saturation
    assert sorted(IMPLEMENTED) == sorted(__import__("instruments").ENGINES)
    for name in ("deep_mlp", "Saturation"):
        with pytest.raises(ValueError) as refused:
            load_engine(name)
        assert str(refused.value) == (
            "engine must be one of init_explorer, batchnorm_stability, residual_flow, saturation, loss_at_init;"
            f" got {name!r}")


def control_values(spec: dict) -> list[list]:
    return [
        [c["value"] for c in control["choices"]] if control["kind"] == "choice" else control["values"]
        for control in spec["controls"]
    ]


def is_message(ref) -> bool:
    """Words in a SPEC or a frame are message references: a key, or a key with values
    (tests/i18n checks every key has words in every language)."""
    if isinstance(ref, dict):
        return isinstance(ref.get("key"), str) and all(isinstance(v, (str, int, float)) for v in ref.values())
    return isinstance(ref, str) and ref.count(".") >= 2 and " " not in ref


def is_rounded(value: float, digits: int) -> bool:
    return value == float(f"{value:.{digits}g}")


@pytest.mark.parametrize("name", IMPLEMENTED)
def test_spec_shape(name):
    spec = load_engine(name).SPEC
    json.dumps(spec, allow_nan=False)
    assert spec["id"] == name
    assert isinstance(spec["label"], str) and spec["label"]  # "N1.1": a number, not words
    for key in ("title", "subtitle"):
        assert is_message(spec[key]), key
    names = set()
    for control in spec["controls"]:
        assert control["name"] not in names
        names.add(control["name"])
        assert is_message(control["label"])
        if control["kind"] == "choice":
            values = [c["value"] for c in control["choices"]]
            assert all(is_message(c["label"]) for c in control["choices"])
            assert len(set(values)) == len(values)
        else:
            assert control["kind"] == "slider"
            values = control["values"]
            assert values and all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in values)
            assert values == sorted(values) and len(set(values)) == len(values)
            assert control.get("scale", "linear") in ("linear", "log")
            assert "unit" not in control or is_message(control["unit"])
        assert control["default"] in values
    for item in spec["readouts"]:
        assert set(item) <= {"name", "label", "format", "digits"} and is_message(item["label"])
        assert item["format"] in ("sci", "fixed", "percent", "text")
    chart = spec["chart"]
    assert is_message(chart["x"]["title"]) and is_message(chart["y"]["title"])
    y_range = chart["y"].get("range")
    assert y_range is None or (len(y_range) == 2 and y_range[0] < y_range[1])
    assert chart["y"].get("type", "linear") in ("linear", "log")
    for trace in chart["traces"]:
        assert trace["kind"] in ("line", "bar", "marker")
        assert trace["role"] in ("primary", "secondary", "reference")
        assert is_message(trace["name"])
    for line in chart.get("hlines", []):
        assert isinstance(line["y"], (int, float)) and is_message(line["label"])


@pytest.mark.parametrize("name", IMPLEMENTED)
def test_labels_match_the_chapter_spec(name):
    spec = load_engine(name).SPEC
    if CONTROL_LABELS[name] is not None:
        assert [words(c["label"]) for c in spec["controls"]] == CONTROL_LABELS[name]
    if READOUT_LABELS[name] is not None:
        assert [words(r["label"]) for r in spec["readouts"]] == READOUT_LABELS[name]


@pytest.mark.parametrize("name", IMPLEMENTED)
def test_bake_covers_the_full_grid_with_well_formed_frames(name):
    bake = baked(name)
    spec = bake["spec"]
    assert spec == load_engine(name).SPEC
    grids = control_values(spec)
    expected = {"|".join(map(str, idx)) for idx in itertools.product(*(range(len(g)) for g in grids))}
    assert set(bake["frames"]) == expected
    readout_names = [r["name"] for r in spec["readouts"]]
    traces = spec["chart"]["traces"]
    for key, frame in bake["frames"].items():
        assert set(frame) == {"series", "readouts", "marks"}
        for trace in traces:
            xs, ys = frame["series"][trace["x"]], frame["series"][trace["y"]]
            assert len(xs) == len(ys), key
        for values in frame["series"].values():
            for v in values:
                assert v is None or (isinstance(v, (int, float)) and math.isfinite(v) and is_rounded(v, 4))
        assert list(frame["readouts"]) == readout_names
        for v in frame["readouts"].values():
            assert isinstance(v, str) or (math.isfinite(v) and is_rounded(v, 6))
        series_names = set(frame["series"])
        for mark in frame["marks"]:
            assert mark["trace"] in series_names
            assert math.isfinite(mark["x"]) and is_message(mark["label"])
        # a gap in a drawn trace must be explained by a mark on that trace
        for trace in traces:
            if None in frame["series"][trace["y"]] and trace["role"] != "reference":
                assert any(m["trace"] == trace["y"] for m in frame["marks"]), key


@pytest.mark.parametrize("name", IMPLEMENTED)
def test_bake_is_strict_json_within_budget(name):
    text = json.dumps(baked(name), separators=(",", ":"), allow_nan=False)
    size = len(gzip.compress(text.encode()))
    assert size <= BUDGET_BYTES, f"{name}: {size} bytes gzip"


@pytest.mark.parametrize("name", IMPLEMENTED)
def test_baked_frames_equal_frame_calls(name):
    engine = load_engine(name)
    bake = baked(name)
    spec = bake["spec"]
    grids = control_values(spec)
    names = [c["name"] for c in spec["controls"]]
    keys = sorted(bake["frames"])
    picks = random.Random(0).sample(keys, min(6, len(keys))) + [keys[0], keys[-1]]
    for key in picks:
        indices = [int(i) for i in key.split("|")]
        controls = {n: g[i] for n, g, i in zip(names, grids, indices)}
        assert engine.frame(**controls) == bake["frames"][key], key


@pytest.mark.parametrize("name", IMPLEMENTED)
def test_baked_numbers_are_the_simulation_rounded_by_contract(name):
    """At a sample of settings, every readout and every simulated curve of the
    bake against the full-precision simulation (tests/instrument_native.py,
    which calls each engine's simulate()): readouts carry 6 significant
    digits, series 4. A bake that rounds coarser, or drifts from simulate(),
    fails here even when its numbers are well-formed."""
    bake = baked(name)
    spec = bake["spec"]
    grids = control_values(spec)
    names = [c["name"] for c in spec["controls"]]
    keys = sorted(bake["frames"])
    for key in random.Random(1).sample(keys, min(4, len(keys))) + [keys[-1]]:
        settings = {n: g[int(i)] for n, g, i in zip(names, grids, key.split("|"))}
        want = native.expected(name, settings)
        frame = bake["frames"][key]
        for readout, value in want["readouts"].items():
            shown = frame["readouts"][readout]
            if isinstance(value, str):
                assert shown == value, (key, readout)
            else:
                assert rounds_to(shown, value, READOUT_DIGITS), (key, readout, shown, value)
        for series, values in want["series"].items():
            shown = frame["series"][series]
            assert len(shown) == len(values), (key, series)
            for s, v in zip(shown, values):
                assert (s is None) if v is None else rounds_to(s, v, SERIES_DIGITS), (key, series, s, v)


def test_frame_keys_follow_the_readme_example():
    """instruments/README.md: for N1.1, "2|4|24|0" is He, width 256, depth 25, ReLU."""
    from instruments import init_explorer

    assert baked("init_explorer")["frames"]["2|4|24|0"] == init_explorer.frame("he", 256, 25, "relu")


@pytest.mark.parametrize("name", [n for n in IMPLEMENTED if hasattr(load_engine(n), "BAKE_SEED")])
def test_frames_are_drawn_with_the_bake_seed(name, monkeypatch):
    """The seed a frame is drawn with is the one named BAKE_SEED, so changing
    that constant changes every picture (and nothing else picks the seed)."""
    engine = load_engine(name)
    before = engine.frame()
    monkeypatch.setattr(engine, "BAKE_SEED", engine.BAKE_SEED + 1)
    after = engine.frame()
    assert after != before
    spec = engine.SPEC
    default_key = "|".join(str(control_values(spec)[i].index(c["default"])) for i, c in enumerate(spec["controls"]))
    assert engine.bake()["frames"][default_key] == after


@pytest.mark.parametrize("name", IMPLEMENTED)
def test_default_frame_is_the_frame_at_the_defaults(name):
    engine = load_engine(name)
    defaults = {c["name"]: c["default"] for c in engine.SPEC["controls"]}
    assert engine.frame() == engine.frame(**defaults)
