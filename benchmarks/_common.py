"""Helpers shared by the benchmarks: build the site, serve it, time things."""

from __future__ import annotations

import contextlib
import json
import statistics
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results"
sys.path.insert(0, str(ROOT))


@contextlib.contextmanager
def built_site():
    """Prepare, then build the site strictly (MkDocs) into a temporary folder; yield its path."""
    from tests.conftest import build_site, prepare_site

    with tempfile.TemporaryDirectory() as tmp:
        site = Path(tmp) / "site"
        done = prepare_site()
        if done.returncode == 0:
            done = build_site(site)
        if done.returncode != 0:
            raise SystemExit(done.stdout + done.stderr)
        yield site


@contextlib.contextmanager
def serving(directory: Path, isolated: bool = False):
    """Serve ``directory`` on 127.0.0.1 (the test server); yield its base URL."""
    from tests.conftest import _serve

    server = _serve(directory, isolated=isolated)
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()


def save(name: str, data: dict) -> Path:
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"{name}.json"
    path.write_text(json.dumps(data, indent=2))
    return path


def summary(samples: list[float]) -> dict:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))]
    return {"n": len(samples), "median": statistics.median(samples), "p95": p95,
            "min": ordered[0], "max": ordered[-1]}
