"""Every runnable cell against the 1.5 s budget, timed with numpy built without BLAS.

Pyodide's numpy has no optimised BLAS, so the PyPI wheel (OpenBLAS) would
flatter any cell that multiplies matrices. This benchmark runs each cell under
the no-BLAS build from ``noblas_numpy.py`` (built once, cached outside the
repository), one fresh process per cell, on one thread:

- every ``.py`` under ``pysnippets/`` (subfolders too: one per page) is a cell;
- numpy and ``instruments.plot`` are imported before the clock starts (in the
  browser they are loaded before the Run, behind a "Loading numpy…" status);
- each cell runs RUNS times in a fresh namespace, stdout captured; the median
  is compared with the budget. The verdict uses the process's CPU time: on
  this shared 2-core machine the wall clock mostly measures the other jobs,
  and a reader's browser gives the cell a whole core. Wall time is reported too;
- a cell that needs longer than the budget passes only if it shows progress:
  its first output and every later one come within the budget of the last
  ("longest silence").

Run: .venv/bin/python benchmarks/bench_cells.py [--runs N] [paths or folders …]
Writes benchmarks/results/cells_noblas.json and prints a Markdown table for
the README. The first run builds numpy (several minutes, niced).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
from pathlib import Path

from _common import ROOT, save
from noblas_numpy import BLAS_PROBE, NUMPY_VERSION, noblas_env

SNIPPETS = ROOT / "pysnippets"
BUDGET_S = 1.5
RUNS = 5

# Runs in the child process, with the no-BLAS numpy first on sys.path. Prints
# one JSON line: per run, the total time and the times of each stdout write.
TIME_ONE_CELL = r"""
import io, json, sys, time
import numpy
from instruments import plot

blas = HAS_BLAS
path, runs = sys.argv[1], int(sys.argv[2])
code = compile(open(path, encoding="utf-8").read(), path, "exec")


class Clocked(io.StringIO):
    def __init__(self, start):
        super().__init__()
        self.start, self.writes = start, []

    def write(self, text):
        if text.strip():
            self.writes.append(time.perf_counter() - self.start)
        return super().write(text)


samples = []
for _ in range(runs):
    plot.FIGURES.clear()
    start, cpu_start = time.perf_counter(), time.process_time()
    out = Clocked(start)
    saved, sys.stdout = sys.stdout, out
    try:
        exec(code, {"__name__": "__main__"})
    finally:
        sys.stdout = saved
    total, cpu = time.perf_counter() - start, time.process_time() - cpu_start
    samples.append({"seconds": total, "cpu_seconds": cpu, "writes": out.writes})
print(json.dumps({"numpy": numpy.__version__, "numpy_file": numpy.__file__, "has_blas": blas, "samples": samples}))
""".replace("HAS_BLAS", BLAS_PROBE)


def discover(targets: list[str]) -> list[Path]:
    """Every cell under the given files or folders (default: all of pysnippets/)."""
    found: list[Path] = []
    for target in targets or [str(SNIPPETS)]:
        path = Path(target).resolve()
        found += sorted(path.rglob("*.py")) if path.is_dir() else [path]
    return [p for p in found if p.name != "__init__.py" and "__pycache__" not in p.parts]


def longest_silence(sample: dict) -> float:
    """Longest stretch without output, from the Run to the end of the cell, in CPU seconds.

    Output times are wall-clock; they are scaled by the run's CPU/wall ratio
    so that load on the machine does not count as silence.
    """
    marks = [0.0, *sample["writes"], sample["seconds"]]
    scale = sample["cpu_seconds"] / sample["seconds"] if sample["seconds"] else 1.0
    return max(b - a for a, b in zip(marks, marks[1:])) * scale


def time_cell(path: Path, runs: int, env: dict) -> dict:
    done = subprocess.run([sys.executable, "-c", TIME_ONE_CELL, str(path), str(runs)],
                          env=env, cwd=ROOT, capture_output=True, text=True)
    if done.returncode != 0:
        return {"error": done.stderr.strip().splitlines()[-1] if done.stderr.strip() else "failed"}
    measured = json.loads(done.stdout.strip().splitlines()[-1])
    if measured["has_blas"]:
        raise SystemExit(f"{path}: numpy at {measured['numpy_file']} has a BLAS; the timing would flatter the cell")
    seconds = [s["cpu_seconds"] for s in measured["samples"]]
    wall = [s["seconds"] for s in measured["samples"]]
    median = statistics.median(seconds)
    silence = statistics.median(longest_silence(s) for s in measured["samples"])
    if median <= BUDGET_S:
        verdict = "within budget"
    elif silence <= BUDGET_S:
        verdict = "over budget, shows progress"
    else:
        verdict = "OVER BUDGET"
    return {"median_s": median, "min_s": min(seconds), "max_s": max(seconds), "runs": len(seconds),
            "wall_median_s": statistics.median(wall), "ratio_to_budget": median / BUDGET_S,
            "longest_silence_s": silence, "verdict": verdict}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("targets", nargs="*", help="cell files or folders (default: pysnippets/)")
    parser.add_argument("--runs", type=int, default=RUNS)
    args = parser.parse_args()

    env = noblas_env(extra_paths=[ROOT])
    load = os.getloadavg()
    cells = {}
    for path in discover(args.targets):
        name = str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)
        cells[name] = time_cell(path, args.runs, env)
        print(f"{name}: {cells[name]}", file=sys.stderr)

    print(f"\n| cell | no-BLAS, CPU median | × budget ({BUDGET_S} s) | wall median | verdict |\n"
          "| --- | --- | --- | --- | --- |")
    for name, result in cells.items():
        if "error" in result:
            print(f"| `{name}` | — | — | — | failed: {result['error']} |")
        else:
            print(f"| `{name}` | {result['median_s']:.2f} s | {result['ratio_to_budget']:.2f} "
                  f"| {result['wall_median_s']:.2f} s | {result['verdict']} |")
    report = {"budget_s": BUDGET_S, "numpy": f"{NUMPY_VERSION} built without BLAS", "runs": args.runs,
              "timed": "CPU seconds of the cell's process (median); wall seconds alongside",
              "load_average_before": load, "load_average_after": os.getloadavg(),
              "python": platform.python_version(), "cells": cells}
    print(f"load average {load[0]:.1f} before, {os.getloadavg()[0]:.1f} after; saved", save("cells_noblas", report))
    return 1 if any("error" in r or r["verdict"] == "OVER BUDGET" for r in cells.values()) else 0


if __name__ == "__main__":
    sys.exit(main())
