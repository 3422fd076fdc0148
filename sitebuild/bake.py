"""Bake every instrument: all frames of its control grid, as compact JSON.

Each engine in ``instruments.ENGINES`` declares its controls in ``SPEC`` and
computes every frame natively in ``bake()``. The browser renderer then only
looks frames up, so a slider step never runs Python. Baking the init explorer
takes tens of seconds, so results are cached under a digest of everything the
numbers depend on (the engine's source, the shared helper modules, numpy's
version and this file's output format); an unchanged engine costs a file copy.
Engines whose cache is cold are baked in parallel worker processes.

Run on its own with ``python -m sitebuild prepare``.
"""

from __future__ import annotations

import functools
import gzip
import itertools
import json
import logging
import multiprocessing
import os
import platform
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from . import GENERATED, ROOT
from . import cache

log = logging.getLogger("sitebuild.bake")

# Bump when the layout of the written JSON changes, so old cache entries die.
BAKE_FORMAT = "1"
INSTRUMENTS_DIR = ROOT / "instruments"
CACHE_KIND = "instruments"
BUDGET_GZIP_BYTES = 150 * 1024
BUDGET_RAW_BYTES = 400 * 1024   # per instrument file, uncompressed (design.md budgets)


def out_dir() -> Path:
    """Where baked files go, published as assets/generated/instruments/<engine>.json."""
    return GENERATED / "instruments"


def engine_names() -> tuple[str, ...]:
    from instruments import ENGINES

    return ENGINES


def engine_exists(name: str) -> bool:
    """An engine listed in ENGINES may not be written yet; pages then show a notice."""
    return (INSTRUMENTS_DIR / f"{name}.py").exists()


def engine_sources(name: str) -> list[Path]:
    """Every source file whose change can change the engine's numbers.

    The engine module itself plus the package's shared helpers (``__init__``
    and private ``_*.py`` modules such as the validation/rounding helpers).
    """
    shared = [INSTRUMENTS_DIR / "__init__.py", *sorted(INSTRUMENTS_DIR.glob("_*.py"))]
    return [INSTRUMENTS_DIR / f"{name}.py", *dict.fromkeys(shared)]


def engine_key(name: str) -> str:
    """Cache key (and browser cache-buster) for one engine's baked data.

    Besides the sources, what decides the figures' last bits: numpy, the CPU
    family and the BLAS kernels chosen for it (sitebuild.same_blas_kernels_everywhere).
    """
    import numpy

    parts = [BAKE_FORMAT, name, numpy.__version__, platform.machine(), os.environ.get("OPENBLAS_CORETYPE", "")]
    for path in engine_sources(name):
        parts += [path.name, path.read_bytes()]
    return cache.digest(*parts)


def validate(name: str, baked: dict) -> None:
    """Check the engine honours the contract the renderer relies on.

    A mistake here would otherwise surface as a blank chart in some corner of
    the control grid, so the build fails instead, naming what is wrong.
    """
    spec, frames = baked.get("spec"), baked.get("frames")
    if not isinstance(spec, dict) or not isinstance(frames, dict):
        raise ValueError(f"{name}.bake() must return {{'spec': ..., 'frames': ...}}")
    from instruments._checks import bake_key, control_values, frame_key

    for control in spec["controls"]:
        values = control.get("values") if control.get("kind") == "slider" else control.get("choices")
        if control.get("kind") not in ("slider", "choice") or not values:
            raise ValueError(f"{name}: control {control.get('name')!r} needs kind slider/choice and values")
    for control, values in zip(spec["controls"], control_values(spec)):
        # The URL carries values as text: choices are words, sliders numbers (see value_from_text).
        wanted = str if control["kind"] == "choice" else (int, float)
        if not all(isinstance(v, wanted) and not isinstance(v, bool) for v in values):
            raise ValueError(f"{name}: control {control['name']!r} needs {'strings' if wanted is str else 'numbers'} as values")
    grid = {bake_key(indices) for indices in itertools.product(*(range(len(v)) for v in control_values(spec)))}
    if set(frames) != grid:
        stray = sorted(set(frames) - grid)[:3]
        raise ValueError(f"{name}: {len(frames)} frames baked, the control grid has {len(grid)}"
                         + (f"; keys off the grid: {stray}" if stray else ""))
    presets = spec.get("presets", [])
    if presets and not 2 <= len(presets) <= 4:
        raise ValueError(f"{name}: declare two to four presets, not {len(presets)}")
    for preset in presets:
        try:
            frame_key(spec, preset["settings"])  # every named value must be on the grid
        except (KeyError, ValueError) as error:
            raise ValueError(f"{name}: preset {preset.get('label')!r}: {error}") from None
    ghosts = spec["chart"].get("ghosts")
    if ghosts and ghosts["control"] not in {c["name"] for c in spec["controls"] if c["kind"] == "choice"}:
        raise ValueError(f"{name}: ghosts must follow a choice control, not {ghosts['control']!r}")
    series_names = {t[axis] for t in spec["chart"]["traces"] for axis in ("x", "y")}
    readout_names = {r["name"] for r in spec["readouts"]}
    for key, frame in frames.items():
        missing = series_names - set(frame.get("series", {}))
        missing |= readout_names - set(frame.get("readouts", {}))
        if missing:
            raise ValueError(f"{name}: frame {key} lacks {sorted(missing)}")


# ---------------------------------------------------------------- compact file layout
# Many engines bake frames that are prefixes of a bigger frame: N1.1's network
# at depth 12 is the first 12 layers of its depth-50 run. The file then stores
# such a frame as {"prefix": <key of the full frame>, "n": <points>} plus its
# own readouts, and the reader (instruments.js: expandFrames, and expand()
# below) slices the full frame's series back out. The frames an engine bakes
# and the frames a reader sees are identical; only the file is smaller.

def _prefix_source(key: str, spec: dict) -> list[str]:
    """Keys of the frames that may hold ``key``'s series as a prefix: the
    same setting with one slider moved to its last value."""
    indices = key.split("|")
    out = []
    for at, control in enumerate(spec["controls"]):
        last = str(len(control.get("values", [])) - 1)
        if control["kind"] == "slider" and indices[at] != last:
            out.append("|".join(indices[:at] + [last] + indices[at + 1:]))
    return out


def compact(baked: dict) -> dict:
    """The file layout of ``baked``: frames whose every series is the first n
    points of another (literal) frame's become a reference to it."""
    spec, frames = baked["spec"], baked["frames"]
    out = {}
    for key, frame in frames.items():
        series = frame["series"]
        lengths = {len(v) for v in series.values()}
        for source in _prefix_source(key, spec):
            full = frames[source]["series"]
            if len(lengths) == 1 and full.keys() == series.keys() and all(
                    full[name][:len(values)] == values for name, values in series.items()):
                n = lengths.pop()
                rest = {k: v for k, v in frame.items() if k != "series" and not (k == "marks" and v == [])}
                out[key] = {"prefix": source, "n": n, **rest}
                break
        else:
            out[key] = frame
    return {**baked, "frames": out}


def expand(baked: dict) -> dict:
    """Undo ``compact``: every frame with its own series again."""
    frames = baked["frames"]
    out = {}
    for key, frame in frames.items():
        if "prefix" not in frame:
            out[key] = frame
            continue
        full = frames[frame["prefix"]]["series"]
        rest = {k: v for k, v in frame.items() if k not in ("prefix", "n")}
        out[key] = {"series": {name: values[:frame["n"]] for name, values in full.items()}, "marks": [], **rest}
    return {**baked, "frames": out}


def _single_threaded_blas() -> None:
    # Runs in a fresh worker before numpy is imported there.
    for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[var] = "1"


def _compute(name: str) -> tuple[dict, float]:
    """Bake one engine (in a worker process when several are cold)."""
    from instruments import load_engine

    start = time.perf_counter()
    baked = load_engine(name).bake()
    # Round-trip through JSON now: NaN/inf or numpy scalars fail here, loudly.
    baked = json.loads(json.dumps(baked, allow_nan=False))
    return baked, time.perf_counter() - start


@dataclass
class BakeReport:
    engine: str
    key: str
    cached: bool
    seconds: float
    raw_bytes: int
    gzip_bytes: int

    @property
    def within_budget(self) -> bool:
        return self.gzip_bytes <= BUDGET_GZIP_BYTES and self.raw_bytes <= BUDGET_RAW_BYTES


def bake_all(names: list[str] | None = None, jobs: int | None = None,
             target: Path | None = None) -> list[BakeReport]:
    """Write ``<engine>.json`` (into ``target``, default ``out_dir()``) for every
    engine that exists; return what happened."""
    names = [n for n in (names or engine_names()) if engine_exists(n)]
    keys = {n: engine_key(n) for n in names}
    cold = [n for n in names if not cache.is_cached(CACHE_KIND, keys[n])]

    # Cold engines bake in fresh worker processes, one per core, each with a
    # single-threaded BLAS: the engines multiply many small matrices, where
    # threaded BLAS spends more time waking threads than multiplying (see
    # tests/instruments/conftest.py), and an already-imported numpy in this
    # process could not be switched any more.
    computed: dict[str, tuple[dict, float]] = {}
    if cold:
        workers = jobs or min(len(cold), os.cpu_count() or 1)
        context = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(max_workers=workers, mp_context=context,
                                 initializer=_single_threaded_blas) as pool:
            computed = dict(zip(cold, pool.map(_compute, cold)))

    reports = []
    target = target or out_dir()
    target.mkdir(parents=True, exist_ok=True)
    for name in names:
        start = time.perf_counter()
        baked = cache.cached_json(CACHE_KIND, keys[name], lambda: computed[name][0])
        validate(name, baked)
        text = json.dumps(compact(baked), separators=(",", ":"), allow_nan=False).encode()
        path = target / f"{name}.json"
        if not path.exists() or path.read_bytes() != text:
            path.write_bytes(text)
        seconds = computed[name][1] if name in computed else time.perf_counter() - start
        report = BakeReport(name, keys[name], name not in computed, seconds,
                            len(text), len(gzip.compress(text, compresslevel=9)))
        log.info("instrument %s: %s in %.2f s, %.0f KB gzip", name,
                 "cache hit" if report.cached else "baked", seconds, report.gzip_bytes / 1024)
        reports.append(report)
    return reports


def load_baked(name: str) -> dict | None:
    """The baked data of one engine, if ``bake_all`` has written it (treat as read-only)."""
    path = out_dir() / f"{name}.json"
    if not path.exists():
        return None
    stat = path.stat()
    return _read_json(str(path), stat.st_mtime_ns, stat.st_size)


@functools.lru_cache(maxsize=8)
def _read_json(path: str, mtime_ns: int, size: int) -> dict:
    # Every page with an instrument needs its default frame; parse each file
    # once per build (the stat fields in the key notice a re-bake).
    return expand(json.loads(Path(path).read_text(encoding="utf-8")))
