"""Generate what the site needs beyond its Markdown, into .build/generated/.

Idempotent and cached: the editor bundle is rebuilt only when its sources
change, instrument data only when an engine's source changes.
"""

from __future__ import annotations

import json
import subprocess

from . import GENERATED, ROOT
from .bake import bake_all
from .cache import digest
from .vendor import python_files

EDITOR_SOURCES = ROOT / "docs" / "assets" / "src"


def build_editor_bundle() -> None:
    """Bundle CodeMirror with our editor glue (esbuild), when the sources changed."""
    sources = sorted(EDITOR_SOURCES.glob("*.js")) if EDITOR_SOURCES.exists() else []
    if not sources:
        return
    out = GENERATED / "assets" / "vendor" / "editor.js"
    stamp = GENERATED / ".editor.stamp"
    lock = ROOT / "package-lock.json"
    key = digest(*(s.read_bytes() for s in sources), lock.read_bytes() if lock.exists() else b"")
    if out.exists() and stamp.exists() and stamp.read_text() == key:
        return
    out.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [str(ROOT / "node_modules" / ".bin" / "esbuild"), str(EDITOR_SOURCES / "editor.js"),
         "--bundle", "--minify", "--format=esm", f"--outfile={out}", "--log-level=warning"],
        cwd=ROOT, check=True,
    )
    stamp.write_text(key)


def write_python_manifest() -> None:
    """List the Python files the cell worker writes into Pyodide's file system.

    The browser cannot list a folder over HTTP, so the worker reads this
    manifest (paths relative to ``assets/py/``) to install the instruments
    package for ``import instruments`` in a cell.
    """
    out = GENERATED / "assets" / "py" / "manifest.json"
    files = sorted(uri.removeprefix("assets/py/") for _, uri in python_files())
    text = json.dumps({"files": files}, indent=1) + "\n"
    if not out.exists() or out.read_text(encoding="utf-8") != text:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(text, encoding="utf-8")


def prepare() -> None:
    GENERATED.mkdir(parents=True, exist_ok=True)
    build_editor_bundle()
    write_python_manifest()
    bake_all()
