"""How a static host must serve the built site: the one place these rules live.

Every host's configuration is written from the tables below:

- ``_headers``, read by Netlify and Cloudflare Pages, is generated into the built
  folder by the publish step (:func:`headers_file`);
- the nginx and Caddy snippets shown in the README are printed by
  ``python -m sitebuild hosting nginx|caddy`` (:func:`nginx_snippet`,
  :func:`caddy_snippet`); a test keeps the README's copies equal to them.

What the rules are for:

- **Cross-origin isolation** (COOP + COEP) gives the page ``SharedArrayBuffer``,
  so Stop interrupts a running cell in place and keeps its variables. Without it
  Stop restarts Python (see the README's "Publishing" section).
- **Caching**: a file whose name carries a content hash (Material's bundles,
  ``bundle.a5f9d56c.min.js``) never changes under that name, so browsers keep it
  for a year. Everything else, HTML first, is revalidated on every use (a cheap
  304 with the host's ETag): our own scripts, the baked data and the vendored
  Pyodide keep their names across releases, and a browser mixing an old
  ``pyodide.asm.wasm`` with a new ``pyodide.mjs`` would fail to start Python.
- **Content types**: WebAssembly streaming compilation requires
  ``application/wasm``, module scripts and module workers are refused under a
  non-JavaScript type, the baked data and Pyodide's lockfile are JSON, and the
  ``instruments`` wheel cells import is a ZIP archive (PEP 427), which servers
  that do not know ``.whl`` would send as anonymous bytes.
"""

from __future__ import annotations

import re
from pathlib import Path

ISOLATION = {
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Embedder-Policy": "require-corp",
}

CONTENT_TYPES = {
    ".wasm": "application/wasm",
    ".mjs": "text/javascript",
    ".json": "application/json",
    ".whl": "application/zip",
}

LONG_CACHE = "public, max-age=31536000, immutable"
SHORT_CACHE = "public, max-age=0, must-revalidate"

# name.<8+ hex digits>.rest, the way Material (and most bundlers) fingerprint a file.
FINGERPRINT = r"\.[0-9a-f]{8,}\."

HEADERS_FILE = "_headers"
CACHE_CONTROL = "Cache-Control"


def is_fingerprinted(name: str) -> bool:
    return re.search(FINGERPRINT, name) is not None


def cache_control(name: str) -> str:
    """The Cache-Control value for a served file, from its name alone."""
    return LONG_CACHE if is_fingerprinted(name) else SHORT_CACHE


# ---------------------------------------------------------------- _headers (Netlify, Cloudflare Pages)


def cache_rules(site: Path) -> list[tuple[str, str]]:
    """(URL pattern, Cache-Control) rules covering every file of ``site`` exactly once.

    The two hosts disagree when one path matches several rules that set the
    same header (Netlify keeps the last value, Cloudflare joins them with
    commas), and ``_headers`` has no regular expressions. So the rules are
    disjoint by construction: a folder without fingerprinted files is one
    ``/folder/*`` rule; in a folder with some, each fingerprinted file and its
    companions (source map, precompressed copies) is one ``/name.<hash>.*``
    rule and every other file is listed by its exact path.
    """
    rules: list[tuple[str, str]] = []

    def visit(folder: Path, prefix: str) -> None:
        if (folder / "index.html").is_file():
            rules.append((prefix, SHORT_CACHE))  # a front page (/, /es/), asked for by its folder
        fingerprinted_stems = set()
        for path in sorted(p for p in folder.iterdir() if p.is_file()):
            if folder == site and path.name == HEADERS_FILE:
                continue
            match = re.search(FINGERPRINT, path.name)
            if match:
                stem = path.name[: match.end()]
                if stem not in fingerprinted_stems:
                    fingerprinted_stems.add(stem)
                    rules.append((f"{prefix}{stem}*", LONG_CACHE))
            else:
                rules.append((prefix + path.name, SHORT_CACHE))
        for sub in sorted(p for p in folder.iterdir() if p.is_dir()):
            if any(is_fingerprinted(p.name) for p in sub.rglob("*") if p.is_file()):
                visit(sub, f"{prefix}{sub.name}/")
            else:
                rules.append((f"{prefix}{sub.name}/*", SHORT_CACHE))

    visit(site, "/")
    return rules


def headers_file(site: Path) -> str:
    """The text of ``_headers`` for the built folder ``site``."""
    blocks = [
        "# Response headers for Netlify and Cloudflare Pages, written by the publish step\n"
        "# from sitebuild/hosting.py (edit the rules there, not here). Each header is set\n"
        "# by exactly one rule for any path: the two hosts merge repeated headers differently.",
        _block("/*", ISOLATION),
    ]
    blocks += [_block(f"/*{suffix}", {"Content-Type": kind}) for suffix, kind in CONTENT_TYPES.items()]
    blocks += [_block(pattern, {CACHE_CONTROL: value}) for pattern, value in cache_rules(site)]
    return "\n\n".join(blocks) + "\n"


def _block(pattern: str, headers: dict[str, str]) -> str:
    return "\n".join([pattern, *(f"  {name}: {value}" for name, value in headers.items())])


# ---------------------------------------------------------------- nginx, Caddy


def nginx_snippet() -> str:
    """Directives for the ``server { }`` block whose ``root`` is the published folder."""
    types = "\n".join(f"    {kind} {suffix.lstrip('.')};" for suffix, kind in CONTENT_TYPES.items())
    isolation = "\n".join(f"add_header {name} {value} always;" for name, value in ISOLATION.items())
    return f"""\
# In the server {{ }} block whose root is the published folder.
include mime.types;
types {{  # added to mime.types (nginx warns where they agree already)
{types}
}}
gzip_static on;    # serve file.gz where the publish step wrote one
brotli_static on;  # file.br likewise; needs ngx_brotli (Debian: libnginx-mod-http-brotli-static)
gzip_vary on;
{isolation}
set $cache_control "{SHORT_CACHE}";
if ($uri ~ "{FINGERPRINT}") {{
    set $cache_control "{LONG_CACHE}";
}}
add_header Cache-Control $cache_control always;
"""


def caddy_snippet() -> str:
    """A Caddyfile site block serving the published folder."""
    isolation = "\n".join(f"\t\t{name} {value}" for name, value in ISOLATION.items())
    types = "\n".join(
        f"\t@{suffix.lstrip('.')} path *{suffix}\n\theader @{suffix.lstrip('.')} Content-Type {kind}"
        for suffix, kind in CONTENT_TYPES.items()
    )
    return f"""\
# A Caddyfile site: your address, and root at the published folder.
example.org {{
\troot * /srv/encyclopedia
\tfile_server {{
\t\tprecompressed br gzip
\t}}
\theader {{
{isolation}
\t}}
\t@fingerprinted path_regexp {FINGERPRINT}
\theader @fingerprinted Cache-Control "{LONG_CACHE}"
\t@revalidated not path_regexp {FINGERPRINT}
\theader @revalidated Cache-Control "{SHORT_CACHE}"
{types}
}}
"""


SNIPPETS = {"nginx": nginx_snippet, "caddy": caddy_snippet}
