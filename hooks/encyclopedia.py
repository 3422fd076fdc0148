"""MkDocs-only glue. The build itself is builder-neutral: ``python -m sitebuild
prepare`` generates files into docs/assets/generated/ and the Markdown
extension ``sitebuild.extension`` does the per-page work, under MkDocs and
Zensical alike. This hook does only what MkDocs needs and no extension can:

* tell the extension which page it converts (Zensical does so itself);
* register the ids inside fences for MkDocs' anchor validation (fences emit
  stashed HTML, which MkDocs does not scan; Zensical checks the final HTML);
* put the Material template fixes in ``overrides/mkdocs-material/`` in front of the
  theme (Zensical's own templates already have them);
* under ``mkdocs serve``, rerun the prepare step before each rebuild, so an
  edited engine is re-baked while you write;
* after the default (English) edition is built, build the other language
  editions into its site folder (``sitebuild/editions.py``), so ``mkdocs
  build``, ``serve`` and ``gh-deploy`` carry every language. Zensical has no
  hooks: ``sitebuild.editions.zensical_build`` runs it once per edition.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sitebuild.context import set_mkdocs_page  # noqa: E402
from sitebuild.i18n import DEFAULT_LANGUAGE  # noqa: E402

MATERIAL_FIXES = ROOT / "overrides" / "mkdocs-material"
ELEMENT_ID = re.compile(r'\sid="([^"]+)"')
_serving = False


def on_startup(command, dirty):
    global _serving
    _serving = command == "serve"


def on_config(config):
    config.theme.dirs.insert(0, str(MATERIAL_FIXES))
    return config


def on_pre_build(config):
    if _serving and _is_default_edition(config):
        from sitebuild.prepare import prepare

        prepare()


def on_page_markdown(markdown, page, config, files):
    set_mkdocs_page(page.file.src_uri, config.theme.get("language", DEFAULT_LANGUAGE), config.docs_dir)
    return markdown


def on_page_content(html, page, config, files):
    if page.present_anchor_ids is not None:
        page.present_anchor_ids.update(ELEMENT_ID.findall(html))
    return html


def on_post_build(config):
    if _is_default_edition(config):
        from sitebuild.editions import build_other_editions_with_mkdocs

        build_other_editions_with_mkdocs(config)


def _is_default_edition(config) -> bool:
    return config.theme.get("language", DEFAULT_LANGUAGE) == DEFAULT_LANGUAGE
