"""Measure the simulation engines natively (a benchmark, not a test).

Reports, and writes to benchmarks/results/simulations.json:
  - each instrument's full bake time (median of a few runs where cheap) and
    the gzip size of its bake;
  - the init explorer at width 512 / depth 50 / batch 1024 as a ratio to the
    time of its matrix products alone (budget: <= 1.5), median of >= 5 runs.

Run: python benchmarks/bench_simulations.py [--runs N]
BLAS runs single-threaded unless OPENBLAS_NUM_THREADS is already set: on a
small shared machine threaded BLAS is slower for the engines' small products.
"""

from __future__ import annotations

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")

import argparse  # noqa: E402
import gzip  # noqa: E402
import importlib  # noqa: E402
import json  # noqa: E402
import platform  # noqa: E402
import statistics  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402

from instruments import ENGINES  # noqa: E402

BUDGET_BYTES = 150 * 1024
CHEAP_SECONDS = 5.0


def fresh_engine(name: str):
    """Reload the module so in-process caches (N1.2's sweeps) start empty."""
    return importlib.reload(importlib.import_module(f"instruments.{name}"))


def time_bake(name: str, runs: int) -> dict:
    times, size = [], None
    for i in range(runs):
        engine = fresh_engine(name)
        start = time.perf_counter()
        baked = engine.bake()
        times.append(time.perf_counter() - start)
        if size is None:
            text = json.dumps(baked, separators=(",", ":"), allow_nan=False)
            size = len(gzip.compress(text.encode()))
        if times[0] > CHEAP_SECONDS:
            break                                 # expensive: one run is enough
    return {
        "bake_seconds_median": statistics.median(times),
        "bake_runs": len(times),
        "frames": len(baked["frames"]),
        "gzip_bytes": size,
        "within_budget": size <= BUDGET_BYTES,
    }


def matmul_ratio(runs: int, width: int = 512, depth: int = 50, batch: int = 1024) -> dict:
    """init_explorer.simulate vs the same chain of matrix products alone."""
    from instruments import init_explorer as ie

    rng = np.random.default_rng(0)
    x = rng.standard_normal((batch, width))
    weights = [rng.standard_normal((width, width)) for _ in range(depth)]

    def products_only():
        h = x
        for w in weights:
            h = h @ w
        return h

    full, bare = [], []
    for _ in range(runs):
        start = time.perf_counter()
        ie.simulate("he", "relu", width, depth, batch, 0)
        full.append(time.perf_counter() - start)
        start = time.perf_counter()
        products_only()
        bare.append(time.perf_counter() - start)
    ratio = statistics.median(f / b for f, b in zip(full, bare))
    return {
        "width": width, "depth": depth, "batch": batch, "runs": runs,
        "simulate_seconds_median": statistics.median(full),
        "matmuls_seconds_median": statistics.median(bare),
        "ratio_median": ratio,
        "within_budget": ratio <= 1.5,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="bake runs for cheap engines")
    parser.add_argument("--ratio-runs", type=int, default=7, help="runs of the matmul ratio (>= 5)")
    args = parser.parse_args()

    results = {
        "machine": {"python": platform.python_version(), "numpy": np.__version__,
                    "cpus": os.cpu_count(), "openblas_threads": os.environ.get("OPENBLAS_NUM_THREADS")},
        "bakes": {},
    }
    total = 0.0
    for name in ENGINES:
        row = time_bake(name, args.runs)
        results["bakes"][name] = row
        total += row["bake_seconds_median"]
        print(f"{name:22s} bake {row['bake_seconds_median']:7.2f} s  ({row['bake_runs']} run(s), "
              f"{row['frames']} frames)  gzip {row['gzip_bytes'] / 1024:6.1f} KB"
              f"{'' if row['within_budget'] else '  OVER BUDGET'}")
    results["bake_seconds_total"] = total
    print(f"{'all five':22s} bake {total:7.2f} s")

    ratio = matmul_ratio(max(5, args.ratio_runs))
    results["init_explorer_matmul_ratio"] = ratio
    print(f"init explorer 512/50/1024: {ratio['simulate_seconds_median']:.3f} s vs matmuls "
          f"{ratio['matmuls_seconds_median']:.3f} s -> ratio {ratio['ratio_median']:.2f} (budget 1.5)")

    out = ROOT / "benchmarks" / "results" / "simulations.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=2) + "\n")
    print(f"wrote {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
