"""Which files of the pinned npm packages the site serves, and where.

Nothing is loaded from a CDN: KaTeX's stylesheet and fonts, the Plotly bundle
and Pyodide's core are copied from node_modules into the generated folder
(``vendor/`` inside ``docs/assets/generated/``).
"""

from __future__ import annotations

from pathlib import Path

from . import NODE_MODULES, ROOT

PYODIDE_CORE = (
    "pyodide.js",
    "pyodide.mjs",
    "pyodide.asm.mjs",
    "pyodide.asm.wasm",
    "python_stdlib.zip",
)
# Pyodide's pyodide-lock.json is not served as it is: the site's lockfile
# (sitebuild/packages.py) adds the instruments wheel to it.

RUNNER = ROOT / "docs" / "assets" / "py" / "pycell_runner.py"  # runs every cell in the worker


class MissingDependency(RuntimeError):
    """npm packages are not installed; the message says how to install them."""


def _need(path: Path) -> Path:
    if not path.exists():
        raise MissingDependency(f"{path} is missing: run `npm ci` in {ROOT}")
    return path


def vendored_files() -> list[tuple[Path, str]]:
    """(source file, path inside the generated folder) for every served third-party file."""
    katex = NODE_MODULES / "katex" / "dist"
    files = [(_need(katex / "katex.min.css"), "vendor/katex/katex.min.css")]
    # woff2 is all a browser that runs this site needs; KaTeX's CSS lists it first.
    files += [
        (font, f"vendor/katex/fonts/{font.name}")
        for font in sorted(_need(katex / "fonts").glob("*.woff2"))
    ]
    files.append(
        (
            _need(NODE_MODULES / "plotly.js-basic-dist-min" / "plotly-basic.min.js"),
            "vendor/plotly/plotly-basic.min.js",
        )
    )
    files += [
        (_need(NODE_MODULES / "pyodide" / name), f"vendor/pyodide/{name}")
        for name in PYODIDE_CORE
    ]
    return files
