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

RUNNER = ROOT / "docs" / "assets" / "py" / "pycell_runner.py"


def _load_runner():
    spec = importlib.util.spec_from_file_location("pycell_runner", RUNNER)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def run(source: str, cell_id: str = "static") -> dict:
    from instruments import plot

    runner = _load_runner()
    plot.FIGURES.clear()
    pieces: list[str] = []
    result = runner.run_cell(source, cell_id, runner.new_namespace(), lambda stream, text: pieces.append(text))
    return {"stdout": "".join(pieces), "figures": list(plot.FIGURES), "value": result["value"], "error": result["error"]}


if __name__ == "__main__":
    print(json.dumps(run(sys.stdin.read()), allow_nan=False))
