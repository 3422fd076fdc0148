"""The package cells import besides Pyodide's own: the ``instruments`` wheel and its lockfile.

Pyodide ships a project's package as a wheel listed in the distribution's
``pyodide-lock.json``: then ``import instruments`` in a cell is resolved by
Pyodide's loader from the lockfile's import names, numpy comes along as a
declared dependency, the download is checked against the listed sha256 and
cached by the browser like any other package. The prepare step writes both
into ``packages/`` of the generated folder:

    instruments-<version>-py3-none-any.whl   instruments/*.py and nothing else, built by
                                             flit_core with fixed file times (reproducible)
    pyodide-lock.json                        npm pyodide's lockfile plus that wheel, added by
                                             pyodide-lock's ``add-wheels`` (``pyodide lockfile``)

The wheel is named relative to the lockfile, so the site can live under any
address; Pyodide's own packages (numpy, ...) are named by their full URL under
the package URL (:func:`sitebuild.runtime.pyodide_package_url`), since the site
serves only Pyodide's core.

pyodide-lock reads Pyodide 314's lockfile from release 0.2 on, which needs
Python 3.12 or later; the project's venv may be 3.11. Rather than ask every
machine for a newer Python, the tool runs on the Python 3.14 every build
machine already has: Pyodide itself, from node_modules, in Node.js
(``pyodide_lockfile.mjs``). Its pure-Python wheels, pinned in
``pyodide-lock-tool.txt``, are installed once from PyPI into ``.build/``.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import subprocess
import sys
import tempfile
import tomllib
from pathlib import Path
from urllib.parse import urljoin

from . import NODE_MODULES, ROOT
from . import cache
from .runtime import pyodide_package_url

log = logging.getLogger("sitebuild.packages")

PACKAGE = "instruments"  # the distribution's name and the name cells import
SOURCE = ROOT / PACKAGE
# Zip's earliest time (1980-01-01): every file in the wheel gets it, so the
# bytes depend on the sources alone, not on when they were checked out.
SOURCE_DATE_EPOCH = "315532800"
UPSTREAM_LOCKFILE = NODE_MODULES / "pyodide" / "pyodide-lock.json"
TOOL_REQUIREMENTS = Path(__file__).with_name("pyodide-lock-tool.txt")
TOOL_SCRIPT = Path(__file__).with_name("pyodide_lockfile.mjs")
TOOL_HOME = ROOT / ".build" / "pyodide-lock"
LOCKFILE = "pyodide-lock.json"


class PackageBuildError(RuntimeError):
    """The wheel or the lockfile could not be made; the message says why and what to do."""


# ---------------------------------------------------------------- the wheel


def wheel_pyproject() -> str:
    """pyproject.toml of the ``instruments`` distribution, from the project's own metadata.

    Version, supported Pythons and the numpy requirement are the project's
    (pyproject.toml); the summary is the first line of the package docstring.
    """
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    summary = _docstring_summary(SOURCE / "__init__.py")
    fields = {
        "name": PACKAGE,
        "version": project["version"],
        "description": summary,
        "requires-python": project["requires-python"],
        "dependencies": project["dependencies"],
    }
    lines = [
        "[build-system]",
        'requires = ["flit_core>=4,<5"]',
        'build-backend = "flit_core.buildapi"',
        "",
        "[project]",
        # JSON strings and lists of strings are valid TOML.
        *(f"{key} = {json.dumps(value)}" for key, value in fields.items()),
    ]
    return "\n".join(lines) + "\n"


def _docstring_summary(module: Path) -> str:
    import ast

    docstring = ast.get_docstring(ast.parse(module.read_text(encoding="utf-8"))) or ""
    return docstring.split("\n", 1)[0]


def wheel_sources() -> list[Path]:
    """What goes into the wheel: the package's Python modules (no README, no caches)."""
    return sorted(SOURCE.glob("*.py"))


def build_wheel(out_dir: Path) -> Path:
    """Build the ``instruments`` wheel into ``out_dir`` and return its path.

    flit_core builds from a staging folder holding only the package's modules
    and the pyproject above; it stores files in sorted order, with
    permissions normalised and, given SOURCE_DATE_EPOCH, one fixed time.
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="instruments-wheel-") as tmp:
        stage = Path(tmp) / "src"
        (stage / PACKAGE).mkdir(parents=True)
        for module in wheel_sources():
            shutil.copyfile(module, stage / PACKAGE / module.name)
        (stage / "pyproject.toml").write_text(wheel_pyproject(), encoding="utf-8")
        built = Path(tmp) / "dist"
        done = subprocess.run(
            [sys.executable, "-m", "flit_core.wheel", str(stage), "--outdir", str(built)],
            env={**os.environ, "SOURCE_DATE_EPOCH": SOURCE_DATE_EPOCH},
            capture_output=True, text=True, check=False,
        )
        wheels = sorted(built.glob("*.whl"))
        if done.returncode != 0 or len(wheels) != 1:
            raise PackageBuildError(f"building the {PACKAGE} wheel with flit_core failed:\n{done.stdout}{done.stderr}")
        target = out_dir / wheels[0].name
        data = wheels[0].read_bytes()
        if not (target.exists() and target.read_bytes() == data):
            target.write_bytes(data)
        return target


def cached_wheel(out_dir: Path) -> Path:
    """:func:`build_wheel`, skipped when the sources and metadata are those of a cached build."""
    pyproject = wheel_pyproject()
    key = cache.digest(pyproject, *(p.name.encode() + p.read_bytes() for p in wheel_sources()))
    folder = cache.CACHE_DIR / "wheel" / key
    built = sorted(folder.glob("*.whl"))
    if len(built) != 1:
        built = [build_wheel(folder)]
    target = out_dir / built[0].name
    data = built[0].read_bytes()
    if not (target.exists() and target.read_bytes() == data):
        out_dir.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    return target


# ---------------------------------------------------------------- the lockfile tool (pyodide-lock on Pyodide)


def pyodide_python(lockfile: dict) -> str:
    """The Python version ("3.14") Pyodide's lockfile was made for: the one the tool runs on."""
    return ".".join(lockfile["info"]["python"].split(".")[:2])


def install_lock_tool(python: str) -> Path:
    """The folder holding pyodide-lock and its pure-Python dependencies for ``python``.

    Installed once per pin set (the folder is named by a hash of the pins),
    with the project's pip, as wheels for Pyodide's Python: pip is told that
    Python's version and to take wheels only, and since it checks
    ``Requires-Python`` against its own interpreter, to leave that to us.
    """
    pins = TOOL_REQUIREMENTS.read_bytes()
    target = TOOL_HOME / f"py{python}-{cache.digest(pins)}"
    if (target / "pyodide_lock").is_dir():
        return target
    partial = target.with_name(target.name + ".partial")
    shutil.rmtree(partial, ignore_errors=True)
    done = subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "--no-compile",
         "--target", str(partial), "--python-version", python, "--only-binary=:all:", "--no-deps",
         "--ignore-requires-python", "-r", str(TOOL_REQUIREMENTS)],
        capture_output=True, text=True, check=False,
    )
    if done.returncode != 0:
        shutil.rmtree(partial, ignore_errors=True)
        raise PackageBuildError(
            f"could not install pyodide-lock (pinned in {TOOL_REQUIREMENTS.relative_to(ROOT)}) from PyPI into "
            f"{target.relative_to(ROOT)}; it is needed once to add the {PACKAGE} wheel to Pyodide's lockfile.\n"
            f"{done.stdout}{done.stderr}"
        )
    partial.rename(target)
    return target


def run_lock_tool(tool: Path, work: Path, args: list[str]) -> None:
    """Run ``pyodide lockfile ARGS`` on Pyodide's Python in Node.js; ``work`` is seen there as /work."""
    node = shutil.which("node")
    if node is None:
        raise PackageBuildError("node is not on PATH: the lockfile step runs pyodide-lock on Pyodide in Node.js")
    done = subprocess.run([node, str(TOOL_SCRIPT), str(tool), str(work), *args],
                          cwd=ROOT, capture_output=True, text=True, check=False, timeout=600)
    if done.returncode != 0:
        raise PackageBuildError(f"`pyodide lockfile {' '.join(args)}` failed:\n{done.stdout}{done.stderr}")


def lockfile_with(wheels: list[Path], upstream: Path = UPSTREAM_LOCKFILE) -> dict:
    """Pyodide's lockfile with ``wheels`` added by ``pyodide lockfile add-wheels``.

    The added wheels are named by their bare file name (relative to the
    lockfile); Pyodide's packages keep theirs, relative to its package folder.
    Cached by the inputs' bytes: the tool runs only when a wheel, the
    pinned Pyodide or the tool's pins change.
    """
    if not upstream.exists():
        raise PackageBuildError(f"{upstream} is missing: run `npm ci` in {ROOT}")
    inputs = [upstream.read_bytes(), TOOL_REQUIREMENTS.read_bytes(), TOOL_SCRIPT.read_bytes()]
    key = cache.digest(*inputs, *(w.name.encode() + w.read_bytes() for w in wheels))
    cached = cache.read_json("lockfile", key)
    if cached is not None:
        return cached
    tool = install_lock_tool(pyodide_python(json.loads(inputs[0])))
    with tempfile.TemporaryDirectory(prefix="pyodide-lock-") as tmp:
        work = Path(tmp)
        shutil.copyfile(upstream, work / "upstream.json")
        for wheel in wheels:
            shutil.copyfile(wheel, work / wheel.name)
        run_lock_tool(tool, work, [
            "add-wheels", "--input", "/work/upstream.json", "--output", "/work/out.json", "--base-path", "/work",
            *(f"/work/{wheel.name}" for wheel in wheels),
        ])
        lock = json.loads((work / "out.json").read_text(encoding="utf-8"))
    cache.write_json("lockfile", key, lock)
    return lock


def point_at_package_url(lock: dict, package_url: str, own: set[str]) -> dict:
    """``lock`` with every package but ``own`` named by its full URL under ``package_url``.

    The site's lockfile sits beside our wheel, so Pyodide resolves relative
    names there; its own packages live at the package URL (the CDN by default).
    """
    base = package_url if package_url.endswith("/") else package_url + "/"
    packages = {
        name: package if name in own else {**package, "file_name": urljoin(base, package["file_name"])}
        for name, package in lock["packages"].items()
    }
    return {**lock, "packages": packages}


def lockfile_text(lock: dict) -> str:
    # Sorted keys as pyodide-lock writes them; no indentation, since every
    # reader's first cell downloads this file.
    return json.dumps(lock, sort_keys=True, separators=(",", ":")) + "\n"


# ---------------------------------------------------------------- the prepare step's part


def write_lockfile(wheel: Path, package_url: str | None = None) -> dict:
    """Write the site's lockfile beside ``wheel``; ``package_url`` defaults to the configured one."""
    lock = lockfile_with([wheel])
    own = {name for name, package in lock["packages"].items() if package["file_name"] == wheel.name}
    site_lock = point_at_package_url(lock, package_url or pyodide_package_url(), own)
    target = wheel.parent / LOCKFILE
    text = lockfile_text(site_lock)
    if not (target.exists() and target.read_text(encoding="utf-8") == text):
        target.write_text(text, encoding="utf-8")
    return site_lock


def write_packages(out: Path) -> list[Path]:
    """Write the wheel and the site's lockfile into ``out``; return both paths."""
    wheel = cached_wheel(out)
    site_lock = write_lockfile(wheel)
    target = out / LOCKFILE
    log.info("%s: %s (%.1f KB), %s (%d packages)", out.name, wheel.name, wheel.stat().st_size / 1024,
             LOCKFILE, len(site_lock["packages"]))
    return [wheel, target]
