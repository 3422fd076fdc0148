"""The shared helpers every engine relies on: validation, rounding, the bake loop.

Expected values are written out by hand from the contract in
instruments/README.md (4 significant digits for series, 6 for readouts, keys
joined with '|'), not computed with the helpers under test.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from instruments import _checks as checks


# ---------------------------------------------------------------- rounding

@pytest.mark.parametrize("value, digits, rounded", [
    (3.295836866004329, 6, 3.29584),       # log 27, the lesson's baseline
    (3.295836866004329, 4, 3.296),
    (0.00012345678, 4, 0.0001235),
    (-98765.4321, 6, -98765.4),
    (123456789.0, 4, 123500000.0),
    (1e-300, 6, 1e-300),
    (0.0, 6, 0.0),
])
def test_sig_keeps_the_asked_significant_digits(value, digits, rounded):
    assert checks.sig(value, digits) == rounded


@pytest.mark.parametrize("value", [math.inf, -math.inf, math.nan, np.float64("inf")])
def test_non_finite_values_become_gaps(value):
    assert checks.sig(value, 6) is None
    assert checks.series([1.0, value]) == [1.0, None]
    assert checks.readout(value) == "overflow"


def test_series_carry_four_and_readouts_six_significant_digits():
    assert checks.series([math.pi, -math.e, np.float32(2.5)]) == [3.142, -2.718, 2.5]
    assert checks.readout(math.pi) == 3.14159
    assert checks.readout(np.float64(1 / 3)) == 0.333333
    assert checks.readout("STABLE") == "STABLE"
    assert type(checks.readout(np.float32(0.5))) is float


# ---------------------------------------------------------------- validation

@pytest.mark.parametrize("value, expected", [(1, 1), (5, 5), (3.0, 3), (np.int64(4), 4), (np.float32(2.0), 2)])
def test_check_int_accepts_whole_numbers_in_range_inclusive(value, expected):
    result = checks.check_int("depth", value, 1, 5)
    assert result == expected and type(result) is int


@pytest.mark.parametrize("value", [0, 6, True, False, 2.5, math.nan, math.inf, "3", None, np.float64(2.5), [3],
                                   np.float32(2.5), np.float32("nan"), np.int64(6), np.bool_(True), np.str_("3")])
def test_check_int_refuses_anything_else(value):
    with pytest.raises(ValueError, match=r"^depth must be an integer in \[1, 5\]; got "):
        checks.check_int("depth", value, 1, 5)


@pytest.mark.parametrize("value", [0.0, 0.5, 1, 2.0, np.float32(1.5), np.int32(2)])
def test_check_float_accepts_finite_numbers_in_range_inclusive(value):
    result = checks.check_float("gain", value, 0.0, 2.0)
    assert result == float(value) and type(result) is float


@pytest.mark.parametrize("value", [-1e-9, 2.000001, math.nan, math.inf, True, "1", None, complex(1, 0)])
def test_check_float_refuses_anything_else(value):
    with pytest.raises(ValueError, match=r"^gain must be a number in \[0.0, 2.0\]; got "):
        checks.check_float("gain", value, 0.0, 2.0)


def test_check_choice_accepts_only_the_listed_strings():
    assert checks.check_choice("init", "he", ("naive", "he")) == "he"
    for bad in ("HE", "he ", "", None, 1, ["he"]):
        with pytest.raises(ValueError, match=r"^init must be (a string, )?one of naive, he; got "):
            checks.check_choice("init", bad, ("naive", "he"))


def test_seeds_are_non_negative_64_bit_integers():
    assert checks.check_seed(0) == 0 and checks.check_seed(2**63 - 1) == 2**63 - 1
    for bad in (-1, 2**63, 1.5, "0"):
        with pytest.raises(ValueError, match="^seed must be "):
            checks.check_seed(bad)


# ---------------------------------------------------------------- baking

SPEC = {"controls": [
    {"name": "init", "kind": "choice", "choices": [{"value": "a"}, {"value": "b"}]},
    {"name": "width", "kind": "slider", "values": [16, 32, 64]},
]}


def test_control_values_in_spec_order():
    assert checks.control_values(SPEC) == [["a", "b"], [16, 32, 64]]


def test_bake_key_joins_value_indices_with_a_bar():
    assert checks.bake_key((2, 4, 24, 0)) == "2|4|24|0"    # the README's example
    assert checks.bake_key([7]) == "7"


def test_bake_grid_calls_frame_once_per_combination_by_control_name():
    calls = []

    def frame(init, width):
        calls.append((init, width))
        return {"at": f"{init}{width}"}

    bake = checks.bake_grid(SPEC, frame)
    assert bake["spec"] is SPEC
    assert bake["frames"] == {f"{i}|{j}": {"at": f"{v}{w}"} for i, v in enumerate("ab")
                              for j, w in enumerate([16, 32, 64])}
    assert sorted(calls) == sorted((v, w) for v in "ab" for w in (16, 32, 64))


# ---------------------------------------------------------------- frame keys (instruments/README.md)

PANEL = {"id": "demo", "controls": [
    {"name": "init", "kind": "choice", "choices": [{"value": "a"}, {"value": "b"}], "default": "b"},
    {"name": "width", "kind": "slider", "values": [16, 32, 64], "default": 32},
    {"name": "rate", "kind": "slider", "values": [0.001, 0.5, 1000.0], "default": 0.5},
]}


def test_a_left_out_control_takes_its_default():
    assert checks.frame_key(PANEL) == checks.frame_key(PANEL, {}) == "1|1|1"
    assert checks.frame_key(PANEL, {"init": "a", "rate": 1000.0}) == "0|1|2"
    assert checks.frame_key(PANEL, {"width": 64, "init": "b", "rate": 0.001}) == "1|2|0"


def test_values_match_within_a_relative_1e9_or_an_absolute_1e9_below_one():
    """A number that went through URL text may lose its last digit, no more."""
    assert checks.frame_key(PANEL, {"width": 32.0}) == "1|1|1"
    assert checks.frame_key(PANEL, {"rate": 1000.0 * (1 + 0.5e-9)}) == "1|1|2"
    assert checks.frame_key(PANEL, {"rate": 1000.0 * (1 - 0.5e-9)}) == "1|1|2"
    assert checks.frame_key(PANEL, {"rate": 0.001 + 0.5e-9}) == "1|1|0"   # absolute below 1
    for off in (1000.0 * (1 + 2e-9), 1000.0 * (1 - 2e-9), 0.001 + 2e-9, 0.001 - 2e-9, 33):
        assert checks.value_index(PANEL["controls"][2 if off != 33 else 1], off) is None, off
    with pytest.raises(ValueError, match=r"^rate must be one of \[0.001, 0.5, 1000.0\]; got 1000.000002$"):
        checks.frame_key(PANEL, {"rate": 1000.000002})


@pytest.mark.parametrize("settings", [{"width": "32"}, {"width": True}, {"init": 0}, {"init": "A"},
                                      {"width": None}, {"init": None}])
def test_a_value_of_the_wrong_kind_is_off_the_grid(settings):
    (name, value), = settings.items()
    with pytest.raises(ValueError, match=f"^{name} must be one of "):
        checks.frame_key(PANEL, settings)


def test_the_tolerance_edge_is_inclusive_and_absolute_below_one():
    """|allowed - value| <= 1e-9 max(1, |allowed|), as instruments.js's sameValue
    writes it; around 0 the bound is exactly 1e-9, around 1.5 it is 1.5e-9."""
    zero = {"name": "shift", "kind": "slider", "values": [0.0, 1.5]}
    assert checks.value_index(zero, 1e-9) == 0 and checks.value_index(zero, -1e-9) == 0
    assert checks.value_index(zero, 1.5e-9) is None
    assert checks.value_index(zero, 1.5 + 1.4e-9) == 1 and checks.value_index(zero, 1.5 + 1.8e-9) is None


def test_booleans_are_not_the_numbers_one_and_zero():
    flags = {"name": "on", "kind": "slider", "values": [0, 1]}
    assert checks.value_index(flags, 1) == 1 and checks.value_index(flags, 0.0) == 0
    assert checks.value_index(flags, True) is None and checks.value_index(flags, False) is None
    assert checks.value_index({"name": "on", "kind": "slider", "values": [True]}, 1) is None


def test_value_index_finds_choices_by_exact_word():
    control = PANEL["controls"][0]
    assert [checks.value_index(control, v) for v in ("a", "b", "c", "a ")] == [0, 1, None, None]


def test_an_unknown_control_is_refused_by_name():
    with pytest.raises(ValueError, match="^demo has no control[(]s[)] colour, size$"):
        checks.frame_key(PANEL, {"size": 1, "colour": "red", "width": 16})
    with pytest.raises(ValueError, match="^instrument has no control"):
        checks.frame_key({"controls": PANEL["controls"]}, {"size": 1})


@pytest.mark.parametrize("text, value", [("32", 32.0), ("-1.5", -1.5), ("+.5", 0.5), ("3.", 3.0),
                                         ("1e-3", 0.001), ("2E+2", 200.0)])
def test_a_slider_value_in_a_url_is_a_plain_decimal_number(text, value):
    got = checks.value_from_text(PANEL["controls"][1], text)
    assert got == value and type(got) is float


@pytest.mark.parametrize("text", ["", "abc", "1,5", " 32", "32 ", "inf", "nan", "0x10", "1e", ".", "1_000", "--1"])
def test_anything_else_in_a_url_is_no_slider_value(text):
    assert checks.value_from_text(PANEL["controls"][1], text) is None


def test_a_choice_in_a_url_is_its_word():
    assert checks.value_from_text(PANEL["controls"][0], "b") == "b"
    assert checks.value_from_text(PANEL["controls"][0], "32") == "32"
