"""The engine tests inside Pyodide, in a ``pyodide venv`` (issue 14's gated path).

``tests/test_engines_in_pyodide.py`` runs ``tests/instruments`` on Pyodide's
own Python and numpy when a cross-build environment is at hand:

    PYODIDE_XBUILDENV_URL   Pyodide's cross-build environment for the pinned version
                            (``xbuildenv-<version>.tar.bz2`` from Pyodide's release):
                            a local path, a file:// URL or, with a network, an http(s) URL
    PYODIDE_HOST_PYTHON     the host Python ``pyodide venv`` needs, of Pyodide's own
                            version (3.14 for Pyodide 314); default: python3.14 on PATH
    PYODIDE_FULL_DIST       optional: a full Pyodide distribution whose numpy wheel
                            the venv installs (otherwise pip asks PyPI)

Without the first two the test is skipped and says which is missing. A
variable that is set but names no archive is an error, raised before
anything is installed or downloaded. The steps, all under
``.build/pyodide-venv/``: a host venv with pyodide-build (pinned in
``tests/pyodide-build.txt``); ``pyodide xbuildenv install --url``; ``pyodide
venv``; pip installs the site's ``instruments`` wheel, numpy, pytest and
hypothesis into it; its python runs ``pytest tests/instruments``.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit
from urllib.request import url2pathname

from sitebuild import GENERATED, ROOT, packages
from sitebuild.runtime import npm_version

HOME = ROOT / ".build" / "pyodide-venv"
TOOLS = Path(__file__).with_name("pyodide-build.txt")
GENERATED_PACKAGES = GENERATED / "packages"
TEST_PACKAGES = ["pytest", "hypothesis"]
STEP_TIMEOUT = 1800  # seconds; a cold install of the xbuildenv and numpy on a slow line


class XbuildenvUnavailable(RuntimeError):
    """PYODIDE_XBUILDENV_URL is set but names nothing usable; the message says what."""


def pyodide_version() -> str:
    return npm_version("pyodide")


def pyodide_python() -> str:
    """Pyodide's Python as major.minor ("3.14"), from the pinned lockfile."""
    return packages.pyodide_python(json.loads(packages.UPSTREAM_LOCKFILE.read_text(encoding="utf-8")))


def host_python() -> str | None:
    """The host Python for ``pyodide venv``: PYODIDE_HOST_PYTHON, else python<major.minor> on PATH."""
    return os.environ.get("PYODIDE_HOST_PYTHON") or shutil.which(f"python{pyodide_python()}")


def skip_reason() -> str | None:
    """Why the gated tests cannot run here, or None when they can."""
    if not os.environ.get("PYODIDE_XBUILDENV_URL"):
        return (f"PYODIDE_XBUILDENV_URL is not set: the engine tests run inside Pyodide only with Pyodide "
                f"{pyodide_version()}'s cross-build environment (a local archive, or a URL with a network)")
    if host_python() is None:
        return (f"no Python {pyodide_python()} on this machine: `pyodide venv` needs a host Python of Pyodide's "
                f"own version (put python{pyodide_python()} on PATH or set PYODIDE_HOST_PYTHON)")
    return None


def archive_url(value: str) -> str:
    """The URL ``pyodide xbuildenv install --url`` gets for PYODIDE_XBUILDENV_URL's ``value``.

    A local archive must exist; a remote one must answer. Either failure is
    an :class:`XbuildenvUnavailable` naming the value, raised at once.
    """
    scheme = urlsplit(value).scheme
    if scheme in ("http", "https"):
        try:
            with urllib.request.urlopen(urllib.request.Request(value, method="HEAD"), timeout=20):
                return value
        except (urllib.error.URLError, OSError) as error:
            raise XbuildenvUnavailable(f"PYODIDE_XBUILDENV_URL={value} cannot be reached ({error})") from error
    path = Path(url2pathname(urlsplit(value).path)) if scheme == "file" else Path(value)
    if not path.is_file():
        raise XbuildenvUnavailable(
            f"PYODIDE_XBUILDENV_URL={value}: no archive at {path}. Point it at Pyodide {pyodide_version()}'s "
            f"cross-build environment (xbuildenv-{pyodide_version()}.tar.bz2), or unset it to skip these tests."
        )
    return path.resolve().as_uri()


def _run(args: list[str], log: list[str], **options) -> None:
    done = subprocess.run(args, capture_output=True, text=True, timeout=STEP_TIMEOUT, check=False, **options)
    log.append(f"$ {' '.join(args)}\n{done.stdout}{done.stderr}")
    if done.returncode != 0:
        raise RuntimeError(f"`{' '.join(args)}` failed:\n{done.stdout}{done.stderr}")


def run_engine_tests(pytest_args: list[str] | None = None) -> subprocess.CompletedProcess:
    """Set up the pyodide venv (once) and run ``tests/instruments`` in it; return pytest's process."""
    url = archive_url(os.environ.get("PYODIDE_XBUILDENV_URL", ""))
    python = host_python()
    if python is None:
        raise RuntimeError(skip_reason())
    wheels = sorted(GENERATED_PACKAGES.glob("instruments-*.whl"))
    if len(wheels) != 1:
        raise RuntimeError(f"no instruments wheel in {GENERATED_PACKAGES}: run `python -m sitebuild prepare` first")
    log: list[str] = []
    tools, xbuildenv, venv = HOME / "tools", HOME / "xbuildenv", HOME / "venv"
    pyodide = tools / "bin" / "pyodide"
    env = {**os.environ, "PYODIDE_XBUILDENV_PATH": str(xbuildenv)}
    if not pyodide.exists():
        _run([python, "-m", "venv", str(tools)], log)
        _run([str(tools / "bin" / "python"), "-m", "pip", "install", "--quiet", "-r", str(TOOLS)], log)
    _run([str(pyodide), "xbuildenv", "install", "--url", url], log, env=env)
    if not (venv / "bin" / "python").exists():
        _run([str(pyodide), "venv", str(venv)], log, env=env)
    find_links = ["--find-links", os.environ["PYODIDE_FULL_DIST"]] if os.environ.get("PYODIDE_FULL_DIST") else []
    _run([str(venv / "bin" / "pip"), "install", "--quiet", *find_links, str(wheels[0]), *TEST_PACKAGES], log, env=env)
    return subprocess.run(
        [str(venv / "bin" / "python"), "-m", "pytest", "tests/instruments", "-p", "no:cacheprovider", "-q",
         *(pytest_args or [])],
        cwd=ROOT, capture_output=True, text=True, timeout=STEP_TIMEOUT, check=False, env=env,
    )
