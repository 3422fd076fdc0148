"""A numpy built without BLAS, cached outside the repository, for timing cells.

Pyodide's numpy has no optimised BLAS, so a matmul in the browser is tens of
times slower than with the OpenBLAS wheel from PyPI. Timing a cell natively
with that wheel flatters it; timing it with the same numpy version compiled
with ``-Dblas=none -Dlapack=none`` does not. The build takes several minutes
on a 2-core machine, so it happens once, under ``nice``, into

    ~/.cache/dl-encyclopedia/numpy-noblas-<version>-py<X.Y>/     (a --target dir)

(``$DL_ENCYCLOPEDIA_CACHE`` replaces ``~/.cache/dl-encyclopedia``). The build
tools live in a venv beside it, so the project's own venv is untouched.

Reuse from any benchmark:

    from noblas_numpy import noblas_env
    env = noblas_env()          # builds on first use, then returns at once
    subprocess.run([sys.executable, "my_timing.py"], env=env)

or from a shell: ``.venv/bin/python benchmarks/noblas_numpy.py`` builds it
and prints the ``PYTHONPATH`` to use.
"""

from __future__ import annotations

import os
import subprocess
import sys
import venv
from pathlib import Path

NUMPY_VERSION = "2.4.6"  # the version Pyodide 314 ships and pyproject pins natively
# Build tools for numpy's meson build; versions known to build NUMPY_VERSION.
BUILD_TOOLS = ["meson-python==0.22.1", "meson==1.12.1", "ninja==1.13.2", "cython==3.3.1"]
NOBLAS_ARGS = ["-Csetup-args=-Dallow-noblas=true", "-Csetup-args=-Dblas=none", "-Csetup-args=-Dlapack=none"]

PY_TAG = f"py{sys.version_info.major}.{sys.version_info.minor}"
# A Python expression, true when the imported numpy was linked against a BLAS
# (a build without one reports the dependency as {'name': 'none'}).
BLAS_PROBE = "numpy.show_config(mode='dicts')['Build Dependencies']['blas'].get('name', 'none') != 'none'"


def cache_root() -> Path:
    configured = os.environ.get("DL_ENCYCLOPEDIA_CACHE")
    return Path(configured) if configured else Path.home() / ".cache" / "dl-encyclopedia"


def target_dir() -> Path:
    return cache_root() / f"numpy-noblas-{NUMPY_VERSION}-{PY_TAG}"


def _tools_venv() -> Path:
    return cache_root() / f"numpy-build-tools-{PY_TAG}"


def _pip(python: Path, *args: str) -> None:
    # meson looks for `cython` and `ninja` on PATH: put the tools venv first.
    env = dict(os.environ, PATH=os.pathsep.join([str(python.parent), os.environ.get("PATH", "")]))
    # nice: the build saturates both cores for minutes; other work must go on.
    subprocess.run(["nice", "-n", "15", str(python), "-m", "pip", "--disable-pip-version-check", *args],
                   check=True, env=env)


def is_noblas(path: Path) -> bool:
    """True when the numpy under ``path`` reports that it was built without BLAS."""
    probe = f"import numpy; print(numpy.__file__); print({BLAS_PROBE})"
    done = subprocess.run([sys.executable, "-c", probe], env=_env_with(path), capture_output=True, text=True)
    if done.returncode != 0:
        return False
    location, has_blas = done.stdout.split()
    return Path(location).is_relative_to(path) and has_blas == "False"


def build(force: bool = False) -> Path:
    """Build (once) and return the folder holding the no-BLAS numpy."""
    target = target_dir()
    if not force and (target / ".complete").exists():
        return target
    print(f"building numpy {NUMPY_VERSION} without BLAS into {target} (several minutes, niced)…", file=sys.stderr)
    tools = _tools_venv()
    python = tools / "bin" / "python"
    if not python.exists():
        venv.create(tools, with_pip=True)
    _pip(python, "install", "--quiet", *BUILD_TOOLS)
    partial = target.with_name(target.name + ".partial")
    subprocess.run(["rm", "-rf", str(partial)], check=True)
    _pip(python, "install", "--quiet", "--no-binary", "numpy", "--no-build-isolation", "--no-deps",
         "--target", str(partial), f"numpy=={NUMPY_VERSION}", *NOBLAS_ARGS)
    if not is_noblas(partial):
        raise SystemExit(f"the numpy built in {partial} still reports a BLAS (or does not import)")
    subprocess.run(["rm", "-rf", str(target)], check=True)
    partial.rename(target)
    (target / ".complete").write_text(f"numpy {NUMPY_VERSION} without BLAS for {PY_TAG}\n")
    return target


def _env_with(path: Path, base: dict | None = None) -> dict:
    env = dict(os.environ if base is None else base)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(path), env.get("PYTHONPATH", "")) if p)
    # One thread, as in the browser (no BLAS means no threads anyway; this is belt and braces).
    env.update(OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1", MKL_NUM_THREADS="1")
    return env


def noblas_env(extra_paths: list[str | Path] = (), base: dict | None = None) -> dict:
    """Environment for a subprocess of this interpreter that imports the no-BLAS numpy first."""
    env = _env_with(build(), base)
    if extra_paths:
        env["PYTHONPATH"] = os.pathsep.join([env["PYTHONPATH"], *map(str, extra_paths)])
    return env


if __name__ == "__main__":
    folder = build(force="--force" in sys.argv)
    print(f"PYTHONPATH={folder}")
