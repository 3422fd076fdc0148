"""Site build time with each builder, cold and warm.

Cold: no caches (bake, cells, KaTeX, Zensical's), no generated files, empty
output; warm: the same build again. Each time is the prepare step plus the
strict build of every language edition (English and /es/), reported apart too.
Budget (design.md): ≤ 60 s cold, ≤ 10 s with the caches warm.
Run: .venv/bin/python benchmarks/bench_build.py [--runs N] [--builders mkdocs zensical]
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
import time
from pathlib import Path

from _common import ROOT, save, summary

from tests.conftest import BUILDERS, build_site, prepare_site


def timed(step) -> float:
    start = time.perf_counter()
    done = step()
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(done.stdout + done.stderr)
    return elapsed


def timed_build(builder: str, target: Path) -> tuple[float, float]:
    """(prepare seconds, build seconds)."""
    return timed(prepare_site), timed(lambda: build_site(target, builder=builder))


def clear_caches() -> None:
    for folder in (ROOT / ".build" / "cache", ROOT / "docs" / "assets" / "generated", ROOT / ".cache"):
        shutil.rmtree(folder, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--builders", nargs="+", default=list(BUILDERS), choices=BUILDERS)
    args = parser.parse_args()
    report = {}
    for builder in args.builders:
        samples = {"cold_prepare": [], "cold_build": [], "warm_prepare": [], "warm_build": []}
        for _ in range(args.runs):
            clear_caches()
            # Zensical writes only inside the project.
            with tempfile.TemporaryDirectory(dir=ROOT / ".build") as tmp:
                for phase in ("cold", "warm"):
                    prep, build = timed_build(builder, Path(tmp) / phase)
                    samples[f"{phase}_prepare"].append(prep)
                    samples[f"{phase}_build"].append(build)
        totals = {phase: [p + b for p, b in zip(samples[f"{phase}_prepare"], samples[f"{phase}_build"])]
                  for phase in ("cold", "warm")}
        report[builder] = {k: summary(v) for k, v in {**samples, **{f"{k}_total": v for k, v in totals.items()}}.items()}
        for phase, budget in (("cold", 60), ("warm", 10)):
            r = report[builder]
            print(f"{builder} {phase}: median {r[f'{phase}_total']['median']:.1f} s "
                  f"(prepare {r[f'{phase}_prepare']['median']:.1f} s + build {r[f'{phase}_build']['median']:.1f} s) "
                  f"over {args.runs} runs (budget {budget} s)")
    print("saved", save("build", report))


if __name__ == "__main__":
    main()
