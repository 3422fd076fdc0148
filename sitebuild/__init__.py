"""Build-side work for the site, shared by every builder (MkDocs, Zensical).

* ``python -m sitebuild prepare`` writes everything generated or vendored
  (baked instrument data, the editor bundle, KaTeX/Plotly/Pyodide files, the
  cells' Python package) into ``docs/assets/generated/``, which is git-ignored
  and published by any builder like the rest of ``docs/``;
* ``sitebuild.extension`` is the Python-Markdown extension both builders run
  (page headers and reading time from ``content.yml``, KaTeX at build time);
* ``sitebuild.fences`` holds the custom fences listed in mkdocs.base.yml;
* ``sitebuild.i18n`` turns message keys into words (``messages/<language>.yml``)
  and ``sitebuild.editions`` knows the language editions (mkdocs.yml for
  English at /, mkdocs.es.yml for Spanish at /es/).

Nothing here is imported by ``instruments/``.
"""

import os
import platform
from pathlib import Path


def same_blas_kernels_everywhere() -> None:
    """Make every x86-64 build and test machine multiply matrices with the same OpenBLAS kernels.

    OpenBLAS chooses its kernels by CPU, and an AVX-512 machine's kernels sum in
    another order than an AVX2 machine's. Some training runs behind the panels
    and the labs amplify that last-bit rounding into their second digit, so the
    baked data and the tests' figures would depend on the machine that built
    them. Haswell's kernels run on every x86-64 CPU with AVX2. Only takes effect
    before numpy is first imported in the process (its children inherit it).
    """
    if platform.machine().lower() in ("x86_64", "amd64"):
        os.environ.setdefault("OPENBLAS_CORETYPE", "Haswell")


same_blas_kernels_everywhere()

ROOT = Path(__file__).resolve().parent.parent
NODE_MODULES = ROOT / "node_modules"
DOCS = ROOT / "docs"
GENERATED = DOCS / "assets" / "generated"
