"""Typeset every formula at build time with KaTeX (run by node).

Arithmatex (generic mode) leaves ``<span class="arithmatex">\\(..\\)</span>`` and
``<div class="arithmatex">\\[..\\]</div>`` in the HTML; we replace their contents
with KaTeX's HTML+MathML so the page ships KaTeX's CSS and fonts but no
JavaScript. A formula KaTeX cannot parse raises ``MathError`` and fails the build.
Results are cached by formula, so a warm build starts no node process at all.
"""

from __future__ import annotations

import html
import json
import re
import subprocess

from . import ROOT
from . import cache
from .runtime import npm_version

ARITHMATEX = re.compile(
    r'<(?P<tag>span|div) class="arithmatex">(?P<body>.*?)</(?P=tag)>', re.S
)
DELIMITERS = {"span": (r"\(", r"\)"), "div": (r"\[", r"\]")}
RENDERER = ROOT / "sitebuild" / "katex_render.mjs"
CACHE_KIND = "katex"


class MathError(ValueError):
    """A formula that KaTeX refused; the message names the page and the TeX."""


def _strip_delimiters(tag: str, body: str) -> str:
    tex = html.unescape(body).strip()
    opening, closing = DELIMITERS[tag]
    if tex.startswith(opening) and tex.endswith(closing):
        tex = tex[len(opening) : -len(closing)]
    elif tex.startswith("$$") and tex.endswith("$$"):
        tex = tex[2:-2]
    elif tex.startswith("$") and tex.endswith("$"):
        tex = tex[1:-1]
    return tex.strip()


def render_batch(formulas: list[tuple[str, bool]]) -> list[dict]:
    """KaTeX results for (tex, display) pairs, one node process per batch."""
    if not formulas:
        return []
    payload = json.dumps([{"tex": tex, "display": display} for tex, display in formulas])
    done = subprocess.run(
        ["node", str(RENDERER)], input=payload, capture_output=True, text=True, cwd=ROOT, check=False
    )
    if done.returncode != 0:
        raise MathError(f"the KaTeX renderer failed to run: {done.stderr.strip()}")
    return json.loads(done.stdout)


def _formula_key(tex: str, display: bool) -> str:
    return cache.digest(npm_version("katex"), "display" if display else "inline", tex)


def typeset(formulas: list[tuple[str, bool]]) -> list[dict]:
    """Like ``render_batch``, answering from the cache where it can (errors are not cached)."""
    keys = [_formula_key(tex, display) for tex, display in formulas]
    results: list[dict | None] = [cache.read_json(CACHE_KIND, key) for key in keys]
    missing = sorted({i for i, r in enumerate(results) if r is None})
    for i, result in zip(missing, render_batch([formulas[i] for i in missing])):
        results[i] = result
        if "error" not in result:
            cache.write_json(CACHE_KIND, keys[i], result)
    return results


def render_math(page_html: str, where: str = "page") -> str:
    """Return ``page_html`` with every arithmatex formula typeset by KaTeX."""
    matches = list(ARITHMATEX.finditer(page_html))
    formulas = [(_strip_delimiters(m["tag"], m["body"]), m["tag"] == "div") for m in matches]
    results = typeset(formulas)
    errors = [
        f"  {tex!r}: {res['error']}" for (tex, _), res in zip(formulas, results) if "error" in res
    ]
    if errors:
        raise MathError(f"KaTeX cannot render {len(errors)} formula(s) on {where}:\n" + "\n".join(errors))
    pieces, last = [], 0
    for match, result in zip(matches, results):
        pieces.append(page_html[last : match.start()])
        tag = match["tag"]
        pieces.append(f'<{tag} class="arithmatex">{result["html"]}</{tag}>')
        last = match.end()
    pieces.append(page_html[last:])
    return "".join(pieces)
