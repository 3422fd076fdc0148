"""Run one cell source natively and print {"stdout", "figures", "value", "error"} as JSON.

The build uses it for the static output under each cell (what a reader without
JavaScript sees). It runs the cell through the very runner the browser's
Pyodide worker uses (``docs/assets/py/pycell_runner.py``), in a fresh
interpreter, so the page's static output and a Run in the browser agree.
"""

from __future__ import annotations

import importlib.util
import json
import sys

from . import ROOT
from .i18n import DEFAULT_LANGUAGE

RUNNER = ROOT / "docs" / "assets" / "py" / "pycell_runner.py"


def _load_runner():
    spec = importlib.util.spec_from_file_location("pycell_runner", RUNNER)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def plot_words(language: str) -> dict[str, str]:
    """The plotting helpers' words in ``language``, from the message catalogue (keys plot.*)."""
    from .i18n import catalogue

    return {key.removeprefix("plot."): words for key, words in catalogue(language).items() if key.startswith("plot.")}


def run(source: str, cell_id: str = "static", language: str = DEFAULT_LANGUAGE) -> dict:
    from instruments import plot

    runner = _load_runner()
    runner.set_plot_words(plot_words(language))
    plot.FIGURES.clear()
    pieces: list[str] = []
    result = runner.run_cell(source, cell_id, runner.new_namespace(), lambda stream, text: pieces.append(text))
    return {"stdout": "".join(pieces), "figures": list(plot.FIGURES), "value": result["value"], "error": result["error"]}


if __name__ == "__main__":
    print(json.dumps(run(sys.stdin.read(), language=sys.argv[1] if len(sys.argv) > 1 else DEFAULT_LANGUAGE),
                     allow_nan=False))
