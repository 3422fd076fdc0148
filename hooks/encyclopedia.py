"""MkDocs hooks: a thin adapter that calls the standalone build steps in sitebuild/."""

from __future__ import annotations

import re
import sys
from pathlib import Path

from mkdocs.structure.files import File

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sitebuild import GENERATED  # noqa: E402
from sitebuild.math import render_math  # noqa: E402
from sitebuild.prepare import prepare  # noqa: E402
from sitebuild.reading_time import reading_minutes  # noqa: E402
from sitebuild.vendor import vendored_files  # noqa: E402


def on_pre_build(config):
    prepare()


def on_files(files, config):
    generated = [(p, p.relative_to(GENERATED).as_posix()) for p in sorted(GENERATED.rglob("*"))
                 if p.is_file() and not p.name.startswith(".")]
    for source, uri in vendored_files() + generated:
        files.append(File.generated(config, uri, abs_src_path=str(source)))
    return files


def on_page_markdown(markdown, page, config, files):
    page.meta["reading_time"] = reading_minutes(markdown)
    return markdown


ELEMENT_ID = re.compile(r'\sid="([^"]+)"')


def on_page_content(html, page, config, files):
    # Fences emit their HTML already stashed, so MkDocs' anchor check cannot see
    # their ids (equations, quizzes, references); register them so that strict
    # mode validates links to them like any heading.
    if page.present_anchor_ids is not None:
        page.present_anchor_ids.update(ELEMENT_ID.findall(html))
    return html


def on_post_page(output, page, config):
    return render_math(output, where=page.file.src_uri)
