"""Baking instruments: the cache, the size budget, the contract with the renderer."""

from __future__ import annotations

import gzip
import json
import random

import pytest

from sitebuild import bake, cache
from instruments._checks import frame_key
from sitebuild.instrument_panel import format_readout, render_panel

PUBLISHED = [name for name in bake.engine_names() if bake.engine_exists(name)]
CHEAP = "residual_flow"  # the quickest engine to bake, for the cache tests


@pytest.fixture
def scratch(tmp_path, monkeypatch):
    """Bake into a temporary cache and output folder, never the real ones."""
    monkeypatch.setattr(cache, "CACHE_DIR", tmp_path / "cache")
    monkeypatch.setattr(bake, "out_dir", lambda: tmp_path / "out")
    return tmp_path


def test_cache_hit_skips_recomputation(scratch, monkeypatch):
    from instruments import load_engine

    (first,) = bake.bake_all([CHEAP])
    assert not first.cached
    written = (scratch / "out" / f"{CHEAP}.json").read_bytes()

    def must_not_run():
        raise AssertionError("the engine was baked again although its sources did not change")

    monkeypatch.setattr(load_engine(CHEAP), "bake", must_not_run)
    (second,) = bake.bake_all([CHEAP])
    assert second.cached and second.key == first.key
    assert (scratch / "out" / f"{CHEAP}.json").read_bytes() == written


def test_changed_source_invalidates_the_cache(scratch, monkeypatch):
    helper = scratch / "_helper.py"
    helper.write_text("SCALE = 1\n")
    sources = bake.engine_sources
    monkeypatch.setattr(bake, "engine_sources", lambda name: [*sources(name), helper])
    key = bake.engine_key(CHEAP)
    helper.write_text("SCALE = 2\n")
    assert bake.engine_key(CHEAP) != key
    # Every shared helper module counts, not only the engine's own file.
    assert any(p.name == "_checks.py" for p in sources(CHEAP))


def test_other_blas_kernels_invalidate_the_cache(monkeypatch):
    # Training runs behind the panels turn the kernels' last-bit rounding into
    # visible digits, so data baked under other kernels is not reused.
    monkeypatch.setenv("OPENBLAS_CORETYPE", "Haswell")
    haswell = bake.engine_key(CHEAP)
    monkeypatch.setenv("OPENBLAS_CORETYPE", "SandyBridge")
    assert bake.engine_key(CHEAP) != haswell
    monkeypatch.setenv("OPENBLAS_CORETYPE", "Haswell")
    assert bake.engine_key(CHEAP) == haswell


@pytest.fixture(scope="module")
def baked() -> dict[str, dict]:
    """The real baked files (uses and warms the build's own cache)."""
    bake.bake_all()
    return {name: bake.load_baked(name) for name in PUBLISHED}


@pytest.mark.parametrize("name", PUBLISHED)
def test_baked_json_within_budget(baked, name):
    raw = (bake.out_dir() / f"{name}.json").read_bytes()
    size = len(gzip.compress(raw, compresslevel=9))
    assert size <= bake.BUDGET_GZIP_BYTES, f"{name}: {size / 1024:.0f} KB gzip > 150 KB"
    assert len(raw) <= bake.BUDGET_RAW_BYTES, f"{name}: {len(raw) / 1024:.0f} KB uncompressed > 400 KB"
    compact = json.dumps(json.loads(raw), separators=(",", ":"), allow_nan=False).encode()
    assert raw == compact, "baked JSON should be compact and free of NaN/Infinity"


@pytest.mark.parametrize("name", PUBLISHED)
def test_baked_frames_equal_the_engine_frames(baked, name):
    """Spot-check: a baked frame is exactly what ``frame(**controls)`` returns."""
    from instruments import load_engine

    engine = load_engine(name)
    data = baked[name]
    rng = random.Random(0)
    keys = [frame_key(engine.SPEC), *rng.sample(sorted(data["frames"]), 3)]
    for key in keys:
        indices = [int(i) for i in key.split("|")]
        controls = {}
        for control, index in zip(engine.SPEC["controls"], indices):
            values = ([c["value"] for c in control["choices"]] if control["kind"] == "choice"
                      else control["values"])
            controls[control["name"]] = values[index]
        fresh = json.loads(json.dumps(engine.frame(**controls)))
        assert data["frames"][key] == fresh, f"{name} frame {key} differs from frame({controls})"


def test_validation_names_what_is_missing():
    spec = {"controls": [{"name": "a", "kind": "slider", "values": [1, 2]}],
            "readouts": [{"name": "r", "label": "R"}],
            "chart": {"traces": [{"x": "x", "y": "y"}]}}
    frame = {"series": {"x": [0], "y": [1]}, "readouts": {"r": 1}, "marks": []}
    bake.validate("demo", {"spec": spec, "frames": {"0": frame, "1": frame}})
    with pytest.raises(ValueError, match="grid has 2"):
        bake.validate("demo", {"spec": spec, "frames": {"0": frame}})
    with pytest.raises(ValueError, match="lacks"):
        bake.validate("demo", {"spec": spec, "frames": {"0": frame, "1": {**frame, "readouts": {}}}})


@pytest.mark.parametrize("value, shown", [
    (0, "0"), (0.683, "0.683"), (1.0, "1"), (1234.5, "1230"), (12345678, "1.23 × 10⁷"),
    (3.3e-4, "3.3 × 10⁻⁴"), (-2.5e-7, "-2.5 × 10⁻⁷"), (float("inf"), "overflow"),
    ("diverged", "diverged"), ([0.5, 2e-5], "0.5 · 2 × 10⁻⁵"),
])
def test_readouts_are_formatted_for_humans(value, shown):
    assert format_readout(value) == shown


@pytest.mark.parametrize("value, how, shown", [
    (3.295836866, {"format": "fixed", "digits": 4}, "3.2958"),
    (0.0707, {"format": "fixed", "digits": 3}, "0.071"),
    (0.4231, {"format": "percent"}, "42.3%"),
    (1.0, {"format": "percent", "digits": 0}, "100%"),
    ("STABLE", {"format": "text"}, "STABLE"),
])
def test_readouts_follow_their_declared_format(value, how, shown):
    assert format_readout(value, how) == shown


def test_panel_names_unknown_engines_and_flags_unwritten_ones(monkeypatch):
    with pytest.raises(ValueError, match="engine must be one of"):
        render_panel("no_such_engine", "")
    monkeypatch.setattr("sitebuild.instrument_panel.engine_exists", lambda name: False)
    html = render_panel(CHEAP, "<p>caption</p>")
    assert "not published yet" in html and "<p>caption</p>" in html


def test_compact_layout_round_trips_and_shrinks_prefix_frames():
    """A frame that is the first n points of a deeper one is stored as a
    reference, and expand() gives back exactly the frames the engine baked."""
    spec = {"controls": [{"name": "depth", "kind": "slider", "values": [1, 2, 3]}]}
    frames = {"0": {"series": {"x": [0, 1], "y": [5.0, 6.0]}, "readouts": {"r": 1}, "marks": []},
              "1": {"series": {"x": [0, 1, 2], "y": [5.0, 6.0, 7.5]}, "readouts": {"r": 2}, "marks": []},
              "2": {"series": {"x": [0, 1, 2, 3], "y": [5.0, 6.0, 7.5, 9.0]}, "readouts": {"r": 3}, "marks": []}}
    baked = {"spec": spec, "frames": frames}
    small = bake.compact(baked)
    assert small["frames"]["0"] == {"prefix": "2", "n": 2, "readouts": {"r": 1}}
    assert small["frames"]["2"] == frames["2"]
    assert bake.expand(small) == baked
    # Not a prefix (one value differs): stored as is.
    frames["1"]["series"]["y"][1] = 6.5
    assert bake.compact(baked)["frames"]["1"] == frames["1"]
