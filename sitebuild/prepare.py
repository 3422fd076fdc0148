"""Generate what the site needs beyond its Markdown, into .build/generated/.

Idempotent and cached: the editor bundle is rebuilt only when its sources
change, instrument data only when an engine's source changes.
"""

from __future__ import annotations

import subprocess

from . import GENERATED, ROOT
from .bake import bake_all
from .cache import digest

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


def prepare() -> None:
    GENERATED.mkdir(parents=True, exist_ok=True)
    build_editor_bundle()
    bake_all()
