"""Readouts as text: the rules the panel, the "Open in Python" cell and the
browser twin (``formatNumber``/``formatReadout`` in docs/assets/js/instruments.js)
share, with every expected string written out by hand at the rules' edges.

- sci: 3 significant digits in plain notation for 1e-3 <= |v| < 1e4,
  otherwise a mantissa of 3 significant digits (trailing zeros dropped)
  times a power of ten in superscript digits;
- fixed: ``digits`` decimals (3 by default) below 1e15;
- percent: the fraction times 100 with ``digits`` decimals (1 by default)
  below 1e13;
- lists joined with " · ", a missing value "—", a non-finite one the word
  "overflow", engine words looked up in lowercase.
"""

from __future__ import annotations

import pytest

from instruments.readouts import format_number, format_readout, show


@pytest.mark.parametrize("value, shown", [
    (0, "0"), (0.0, "0"),
    (0.001, "0.001"),                    # the lower edge is plain...
    (0.000999, "9.99 × 10⁻⁴"),           # ...just below it is not
    (-0.001, "-0.001"),
    (9990, "9990"),
    (9999.4, "10000"),                   # 3 digits of 9999.4, still below the upper edge
    (1e4, "1 × 10⁴"),                    # the upper edge itself is a power of ten
    (-1e4, "-1 × 10⁴"),
    (2.0, "2"), (100, "100"), (1.5, "1.5"), (0.0123456, "0.0123"), (3.14159, "3.14"),
    (150000, "1.5 × 10⁵"), (123456, "1.23 × 10⁵"), (100000, "1 × 10⁵"),
    (1.2e-10, "1.2 × 10⁻¹⁰"), (1e100, "1 × 10¹⁰⁰"),
])
def test_numbers_keep_three_significant_digits(value, shown):
    assert format_number(value) == shown


@pytest.mark.parametrize("value, how, shown", [
    (0.12345, {"format": "fixed"}, "0.123"),                 # 3 decimals unless told
    (0.12345, {"format": "fixed", "digits": 1}, "0.1"),
    (2.4, {"format": "fixed", "digits": 0}, "2"),
    (999999999999999.9, {"format": "fixed", "digits": 1}, "999999999999999.9"),
    (1e15, {"format": "fixed"}, "1 × 10¹⁵"),                 # fixed stops at 1e15
    (0.4231, {"format": "percent"}, "42.3%"),                # 1 decimal unless told
    (0.4231, {"format": "percent", "digits": 2}, "42.31%"),
    (9.99e12, {"format": "percent"}, "999000000000000.0%"),
    (1e13, {"format": "percent"}, "1 × 10¹³"),               # percent stops at 1e13
    (0.4231, {"format": "sci"}, "0.423"),
    (0.4231, {}, "0.423"),                                   # sci is the default
    (0.4231, None, "0.423"),
])
def test_each_declared_format(value, how, shown):
    assert format_readout(value, how) == shown


def test_values_that_are_not_plain_numbers():
    assert format_readout(None) == "—"
    assert format_readout(True) == "True" and format_readout(False) == "False"
    for value in (float("inf"), float("-inf"), float("nan")):
        assert format_readout(value) == "overflow"
        assert format_readout(value, words={"overflow": "desborde"}) == "desborde"
    assert format_readout("EXPLODES") == "EXPLODES"
    assert format_readout("EXPLODES", words={"explodes": "explota"}) == "explota"


def test_lists_pass_format_words_and_decimal_mark_to_every_item():
    value = [0.5, None, "EXPLODES", 0.25, float("inf")]
    how = {"format": "fixed", "digits": 2}
    assert format_readout(value, how) == "0.50 · — · EXPLODES · 0.25 · overflow"
    words = {"explodes": "explota", "overflow": "desborde"}
    assert (format_readout(value, how, words=words, decimal_mark=",")
            == "0,50 · — · explota · 0,25 · desborde")


def test_the_decimal_mark_replaces_the_point_in_every_format():
    assert format_readout(0.683, decimal_mark=",") == "0,683"
    assert format_readout(2.5e-7, decimal_mark=",") == "2,5 × 10⁻⁷"
    assert format_readout(0.4231, {"format": "percent"}, decimal_mark=",") == "42,3%"
    assert format_readout(3.2958, {"format": "fixed", "digits": 4}, decimal_mark=",") == "3,2958"
    assert format_readout(3.2958, {"format": "fixed", "digits": 4}) == "3.2958"


def test_show_prints_every_readout_in_the_panels_order(capsys):
    spec = {"readouts": [
        {"name": "loss", "format": "fixed", "digits": 4},
        {"name": "share", "format": "percent"},
        {"name": "verdict", "format": "text"},
        {"name": "unlabelled"},
    ]}
    frame = {"readouts": {"unlabelled": 12345678, "verdict": "EXPLODES", "share": 0.25, "loss": 3.295836866}}
    labels = {"loss": "Initial loss", "share": "Saturated", "verdict": "Verdict"}
    show(frame, spec, labels)
    assert capsys.readouterr().out == (
        "Initial loss: 3.2958\nSaturated: 25.0%\nVerdict: EXPLODES\nunlabelled: 1.23 × 10⁷\n")
    show(frame, spec, labels, words={"explodes": "explota"}, decimal_mark=",")
    assert capsys.readouterr().out == (
        "Initial loss: 3,2958\nSaturated: 25,0%\nVerdict: explota\nunlabelled: 1,23 × 10⁷\n")
