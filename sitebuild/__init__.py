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

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NODE_MODULES = ROOT / "node_modules"
DOCS = ROOT / "docs"
GENERATED = DOCS / "assets" / "generated"
