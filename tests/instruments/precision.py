"""What a rounded number in a frame must still say about the full-precision value.

Written from the contract in instruments/README.md (series carry 4 significant
digits, readouts 6), not from the engines' rounding helpers, so a change to
those helpers is measured against the contract instead of against itself.
"""

from __future__ import annotations

import math

SERIES_DIGITS = 4
READOUT_DIGITS = 6


def rounds_to(shown: float | None, full: float, digits: int) -> bool:
    """``shown`` is ``full`` rounded to ``digits`` significant digits: within
    half a unit of the last kept digit (a non-finite value becomes null)."""
    if not math.isfinite(full):
        return shown is None
    if shown is None or isinstance(shown, bool) or not isinstance(shown, (int, float)):
        return False
    if full == 0:
        return shown == 0
    unit = 10.0 ** (math.floor(math.log10(abs(full))) - digits + 1)
    return abs(shown - full) <= 0.5 * unit * (1 + 1e-9)


def series_match(shown: list, full: list[float]) -> bool:
    return len(shown) == len(full) and all(rounds_to(s, f, SERIES_DIGITS) for s, f in zip(shown, full))


def readout_matches(shown, full: float) -> bool:
    return rounds_to(shown, full, READOUT_DIGITS)


def displayed(value: float, how: dict) -> str:
    """A fixed or percent readout as the page shows it (instruments/README.md):
    ``digits`` decimals (default 3), a percentage with 1 decimal by default."""
    if how["format"] == "fixed":
        return f"{value:.{how.get('digits', 3)}f}"
    if how["format"] == "percent":
        return f"{100 * value:.{how.get('digits', 1)}f}%"
    raise ValueError(f"no fixed display for format {how['format']!r}")
