"""HTML for a runnable cell: highlighted source plus the output it gives natively.

The static output is what a reader without JavaScript sees, and what the
in-browser run should reproduce; it is computed at build time and cached by
the hash of the source and of the instruments package.
"""

from __future__ import annotations

import html
import json
import subprocess
import sys

from pygments import highlight
from pygments.formatters import HtmlFormatter
from pygments.lexers import PythonLexer

from . import ROOT
from .cache import cached_json, digest
from .i18n import DEFAULT_LANGUAGE, translator
from .run_snippet import RUNNER, plot_words
from .svg_chart import figure_to_svg


class CellError(RuntimeError):
    """A cell that fails natively: the page would teach something broken."""


def package_fingerprint() -> str:
    """Everything a cell's output depends on besides its source: the package and the runner."""
    files = sorted((ROOT / "instruments").glob("*.py")) + [RUNNER]
    return digest(*(f.read_bytes() for f in files))


def native_output(source: str, language: str = DEFAULT_LANGUAGE) -> dict:
    def compute():
        done = subprocess.run(
            [sys.executable, "-m", "sitebuild.run_snippet", language],
            input=source, capture_output=True, text=True, cwd=ROOT, timeout=300, check=False,
        )
        if done.returncode != 0:
            raise CellError(done.stderr)
        return json.loads(done.stdout)

    # The plotting helpers' default labels follow the page's language.
    words = json.dumps(plot_words(language), sort_keys=True)
    result = cached_json("cells", digest(source, package_fingerprint(), words), compute)
    if result["error"]:
        raise CellError(f"a cell fails when run natively:\n{result['error']}")
    return result


def render_cell(cell_id: str, title: str, source: str, language: str = DEFAULT_LANGUAGE) -> str:
    source = source.strip("\n") + "\n"
    output = native_output(source, language)
    w = translator(language)
    code = highlight(source, PythonLexer(), HtmlFormatter(nowrap=True))
    figures = "".join(figure_to_svg(fig, language=language) for fig in output["figures"])
    # A final expression's value, shown the way a Run in the browser shows it.
    value = (f'<pre class="pycell__value">{html.escape(w("cell.out_prompt"))}{html.escape(output["value"])}</pre>'
             if output.get("value") else "")
    return (
        f'<div class="pycell" id="{html.escape(cell_id)}" data-cell-id="{html.escape(cell_id)}" '
        f'data-source-hash="{digest(source)}">'
        f'<div class="pycell__bar"><span class="pycell__kind">{html.escape(w("cell.kind"))}</span>'
        f'<span class="pycell__title">{html.escape(title)}</span></div>'
        f'<div class="language-python highlight pycell__source"><pre><code>{code}</code></pre></div>'
        f'<div class="pycell__output" data-static="true">'
        f'<p class="pycell__output-note">{html.escape(w("cell.output_note"))}</p>'
        f'<pre class="pycell__stdout">{html.escape(output["stdout"])}</pre>{value}{figures}</div>'
        f"</div>"
    )
