"""The one prepare step: everything the pages need beyond Markdown, into docs/assets/generated/.

Run before any builder (``python -m sitebuild prepare``; scripts/serve and
scripts/test do it). It writes:

    vendor/katex/, vendor/plotly/, vendor/pyodide/   copied from the pinned npm packages
    vendor/editor.js                                 the CodeMirror editor, bundled by esbuild
    py/pycell_runner.py                              the cell runner the worker imports
    packages/                                        the instruments wheel and the lockfile that lists it
                                                     with Pyodide's packages (sitebuild/packages.py)
    instruments/<engine>.json                        every instrument's baked frames
    thumbnails/<engine>.svg                          each instrument's default frame, small, for the front page

The folder is git-ignored and published by MkDocs and Zensical alike as part
of docs/. Nothing in it depends on the site's language, so a second language
edition publishes the same files. Idempotent and cached: an unchanged file is
not rewritten (a live-reloading server sees no change), the editor is rebundled
only when its sources change and an engine re-baked only when its source does.
Files the step no longer produces are removed.
"""

from __future__ import annotations

import logging
import shutil
import subprocess
import time
from pathlib import Path

from . import GENERATED, ROOT
from .bake import bake_all
from .cache import CACHE_DIR, digest
from .packages import write_packages
from .thumbnails import write_thumbnails
from .vendor import RUNNER, vendored_files

log = logging.getLogger("sitebuild.prepare")

EDITOR_SOURCES = ROOT / "docs" / "assets" / "src"


def write_if_changed(path: Path, data: bytes) -> None:
    if path.exists() and path.read_bytes() == data:
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


def copy_if_changed(source: Path, target: Path) -> None:
    if target.exists():
        a, b = source.stat(), target.stat()
        if a.st_size == b.st_size and a.st_mtime_ns == b.st_mtime_ns:
            return
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy2(source, target)


def build_editor_bundle(out: Path) -> None:
    """Bundle CodeMirror with our editor glue (esbuild), when the sources changed."""
    sources = sorted(EDITOR_SOURCES.glob("*.js"))
    lock = ROOT / "package-lock.json"
    key = digest(*(s.read_bytes() for s in sources), lock.read_bytes() if lock.exists() else b"")
    bundle = CACHE_DIR / "editor" / f"{key}.js"
    if not bundle.exists():
        bundle.parent.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            [str(ROOT / "node_modules" / ".bin" / "esbuild"), str(EDITOR_SOURCES / "editor.js"),
             "--bundle", "--minify", "--format=esm", f"--outfile={bundle}", "--log-level=warning"],
            cwd=ROOT, check=True,
        )
    write_if_changed(out, bundle.read_bytes())


def prepare() -> None:
    out = GENERATED
    start = time.perf_counter()
    out.mkdir(parents=True, exist_ok=True)
    produced = []
    for source, relative in vendored_files():
        copy_if_changed(source, out / relative)
        produced.append(out / relative)
    build_editor_bundle(out / "vendor" / "editor.js")
    produced.append(out / "vendor" / "editor.js")
    copy_if_changed(RUNNER, out / "py" / RUNNER.name)
    produced.append(out / "py" / RUNNER.name)
    produced += write_packages(out / "packages")
    # Readable sources for pages that link to an engine (the labs); cells load the wheel.
    for source in sorted((ROOT / "instruments").glob("*.py")):
        copy_if_changed(source, out / "py" / "instruments" / source.name)
        produced.append(out / "py" / "instruments" / source.name)
    reports = bake_all(target=out / "instruments")
    produced += [out / "instruments" / f"{r.engine}.json" for r in reports]
    produced += write_thumbnails(out, write_if_changed)
    _remove_all_but(out, set(produced))
    log.info("prepared %s in %.1f s", out.relative_to(ROOT), time.perf_counter() - start)


def _remove_all_but(folder: Path, keep: set[Path]) -> None:
    # An engine or an npm file that went away must not linger in the site.
    for path in sorted(folder.rglob("*"), reverse=True):
        if path.is_file() and path not in keep:
            path.unlink()
        elif path.is_dir() and not any(path.iterdir()):
            path.rmdir()
