"""Runtime pins, read from the one file that sets them: package.json.

mkdocs.base.yml reads these through YAML tags (``!!python/object/apply:``), which
MkDocs and Zensical both evaluate when they load the config, so the Pyodide
version is written once::

    extra:
      pyodide:
        version: !!python/object/apply:sitebuild.runtime.npm_version [pyodide]
"""

from __future__ import annotations

import functools
import json
import os

from . import ROOT

PACKAGE_JSON = ROOT / "package.json"
PYODIDE_CDN = "https://cdn.jsdelivr.net/pyodide/v{version}/full/"


@functools.cache
def npm_version(package: str) -> str:
    """The exact version package.json pins for ``package``."""
    pins = json.loads(PACKAGE_JSON.read_text(encoding="utf-8"))
    pins = {**pins.get("dependencies", {}), **pins.get("devDependencies", {})}
    if package not in pins:
        raise KeyError(f"package.json pins no {package!r}")
    version = pins[package]
    if not version[:1].isdigit():
        raise ValueError(f"package.json must pin {package} exactly (e.g. 1.2.3); got {version!r}")
    return version


def pyodide_package_url() -> str:
    """Where cells fetch packages such as numpy: $PYODIDE_PACKAGE_URL, else the
    CDN folder of the pinned Pyodide (the site serves only Pyodide's core)."""
    return os.environ.get("PYODIDE_PACKAGE_URL") or PYODIDE_CDN.format(version=npm_version("pyodide"))
