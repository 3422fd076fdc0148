"""Small helpers shared by the engines: input validation, rounding, baking.

Every engine validates its inputs with these so that a bad value always
raises ``ValueError`` with a message that names the parameter and says what
is allowed. The rounding helpers turn NumPy results into plain JSON data.
"""

from __future__ import annotations

import itertools
import math
import re
from typing import Any, Callable, Sequence


# ---------------------------------------------------------------- validation

def check_choice(name: str, value: Any, allowed: Sequence[str]) -> str:
    """Return ``value`` if it is one of ``allowed`` (strings), else raise."""
    if not isinstance(value, str):
        raise ValueError(
            f"{name} must be a string, one of {', '.join(allowed)}; got {value!r}"
        )
    if value not in allowed:
        raise ValueError(f"{name} must be one of {', '.join(allowed)}; got {value!r}")
    return value


def check_int(name: str, value: Any, lo: int, hi: int) -> int:
    """Return ``value`` as an int if it is a whole number in [lo, hi], else raise.

    Booleans are refused on purpose: ``True`` is an int in Python but never a
    sensible width or depth.
    """
    if isinstance(value, bool) or not isinstance(value, (int, float)) and not _is_numpy_number(value):
        raise ValueError(f"{name} must be an integer in [{lo}, {hi}]; got {value!r}")
    if isinstance(value, float) or _is_numpy_float(value):
        if not math.isfinite(value) or value != int(value):
            raise ValueError(f"{name} must be an integer in [{lo}, {hi}]; got {value!r}")
    value = int(value)
    if not lo <= value <= hi:
        raise ValueError(f"{name} must be an integer in [{lo}, {hi}]; got {value}")
    return value


def check_float(name: str, value: Any, lo: float, hi: float) -> float:
    """Return ``value`` as a float if it is a finite number in [lo, hi], else raise."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) and not _is_numpy_number(value):
        raise ValueError(f"{name} must be a number in [{lo}, {hi}]; got {value!r}")
    value = float(value)
    if not math.isfinite(value) or not lo <= value <= hi:
        raise ValueError(f"{name} must be a number in [{lo}, {hi}]; got {value!r}")
    return value


def check_seed(value: Any) -> int:
    """A seed is any non-negative integer NumPy's generators accept."""
    return check_int("seed", value, 0, 2**63 - 1)


def _is_numpy_number(value: Any) -> bool:
    # numpy scalars (np.int64, np.float32, ...) are numbers too; avoid
    # importing numpy here so this module stays import-light.
    return type(value).__module__ == "numpy" and hasattr(value, "dtype") and value.dtype.kind in "iuf"


def _is_numpy_float(value: Any) -> bool:
    return _is_numpy_number(value) and value.dtype.kind == "f"


# ---------------------------------------------------------------- rounding

def sig(x: float, digits: int) -> float | None:
    """Round ``x`` to ``digits`` significant digits; non-finite becomes None.

    JSON has no inf or nan, and a chart should leave a gap rather than draw a
    made-up value, so the caller marks the gap separately.
    """
    x = float(x)
    if not math.isfinite(x):
        return None
    return float(f"{x:.{digits}g}")


def series(values: Sequence[float], digits: int = 4) -> list[float | None]:
    """Round a whole series for a frame (4 significant digits by contract)."""
    return [sig(v, digits) for v in values]


def readout(value: float | str, digits: int = 6) -> float | str:
    """Round a readout (6 significant digits) or pass a word through."""
    if isinstance(value, str):
        return value
    rounded = sig(value, digits)
    return "overflow" if rounded is None else rounded


# ---------------------------------------------------------------- baking

def control_values(spec: dict) -> list[list[Any]]:
    """The ordered list of allowed values of every control in ``spec``."""
    out = []
    for control in spec["controls"]:
        if control["kind"] == "choice":
            out.append([c["value"] for c in control["choices"]])
        else:
            out.append(list(control["values"]))
    return out


def bake_key(indices: Sequence[int]) -> str:
    """Frame key by contract: the control value indices joined with '|'."""
    return "|".join(str(i) for i in indices)


# The rules below are the contract with the browser renderer, which keeps a
# copy (docs/assets/js/instruments.js: valueFromText, indexOfValue,
# settingIndices); tests/browser/test_instruments_browser.py checks that they
# agree, tests/instruments/test_checks.py pins the rules themselves.

#: A slider value written in a URL: a plain decimal number, nothing else.
NUMBER_TEXT = re.compile(r"^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$")
#: Numbers closer than this (relative to the allowed value, or absolute below 1)
#: are the same value: a number that went through text may lose its last digit.
SAME_VALUE_TOLERANCE = 1e-9


def same_value(allowed: Any, value: Any) -> bool:
    numbers = (int, float)
    if (isinstance(allowed, numbers) and isinstance(value, numbers)
            and not isinstance(allowed, bool) and not isinstance(value, bool)):
        return abs(allowed - value) <= SAME_VALUE_TOLERANCE * max(1.0, abs(allowed))
    return isinstance(allowed, str) and isinstance(value, str) and allowed == value


def value_index(control: dict, value: Any) -> int | None:
    """Where ``value`` sits among the control's allowed values, or None if it is not one."""
    values = [c["value"] for c in control["choices"]] if control["kind"] == "choice" else control["values"]
    return next((i for i, allowed in enumerate(values) if same_value(allowed, value)), None)


def value_from_text(control: dict, text: str) -> Any:
    """A control value as written in a URL fragment (None when it cannot be one)."""
    if control["kind"] == "choice":
        return text
    return float(text) if NUMBER_TEXT.match(text) else None


def frame_key(spec: dict, settings: dict | None = None) -> str:
    """The key of the frame for ``settings`` (control name -> value); a control
    left out takes its default. A value off the control's grid raises ValueError."""
    settings = settings or {}
    unknown = sorted(set(settings) - {c["name"] for c in spec["controls"]})
    if unknown:
        raise ValueError(f"{spec.get('id', 'instrument')} has no control(s) {', '.join(unknown)}")
    indices = []
    for control in spec["controls"]:
        value = settings.get(control["name"], control["default"])
        index = value_index(control, value)
        if index is None:
            allowed = control_values({"controls": [control]})[0]
            raise ValueError(f"{control['name']} must be one of {allowed}; got {value!r}")
        indices.append(index)
    return bake_key(indices)


def bake_grid(spec: dict, frame: Callable[..., dict]) -> dict:
    """Compute ``frame`` for every combination of control values in ``spec``."""
    names = [c["name"] for c in spec["controls"]]
    values = control_values(spec)
    frames = {}
    for indices in itertools.product(*(range(len(v)) for v in values)):
        controls = {n: v[i] for n, v, i in zip(names, values, indices)}
        frames[bake_key(indices)] = frame(**controls)
    return {"spec": spec, "frames": frames}
