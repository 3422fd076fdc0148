"""Site build time, cold (empty bake/cell cache, empty output) and warm.

Budget (design.md): ≤ 60 s cold, ≤ 10 s with the bake cache warm.
Run: .venv/bin/python benchmarks/bench_build.py [--runs N]
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
import time
from pathlib import Path

from _common import ROOT, save, summary

from tests.conftest import build_site


def timed_build(target: Path) -> float:
    start = time.perf_counter()
    done = build_site(target)
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(done.stdout + done.stderr)
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    cold, warm = [], []
    for _ in range(args.runs):
        shutil.rmtree(ROOT / ".build", ignore_errors=True)
        with tempfile.TemporaryDirectory() as tmp:
            cold.append(timed_build(Path(tmp) / "cold"))
            warm.append(timed_build(Path(tmp) / "warm"))
    report = {"cold_seconds": summary(cold), "warm_seconds": summary(warm)}
    print(f"cold build: median {report['cold_seconds']['median']:.2f} s over {len(cold)} runs (budget 60 s)")
    print(f"warm build: median {report['warm_seconds']['median']:.2f} s over {len(warm)} runs (budget 10 s)")
    print("saved", save("build", report))


if __name__ == "__main__":
    main()
