"""Publish: build the site for its public address into a folder ready to upload.

``scripts/publish https://example.org/encyclopedia/`` (or ``SITE_URL=...``) runs
the prepare step, then a strict MkDocs build with that ``site_url``, so the
sitemap and the canonical links name the public address, then :func:`finish_site`. That second step only
post-processes a built folder, so it works after any builder
(``python -m sitebuild finish DIR`` after ``zensical build``):

- writes ``_headers`` for Netlify and Cloudflare Pages (rules in ``hosting.py``);
- writes gzip and Brotli copies (``file.gz``, ``file.br``) of the large text and
  WebAssembly files, for hosts that serve precompressed files (nginx
  ``gzip_static``/``brotli_static``, Caddy ``precompressed``).

``--gh-pages`` instead hands over to Material's own ``mkdocs gh-deploy``:
GitHub Pages cannot set headers, so the site runs there without cross-origin
isolation (Stop restarts Python) and needs neither of the files above.
"""

from __future__ import annotations

import gzip
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from . import ROOT
from . import cache
from .hosting import HEADERS_FILE, headers_file
from .prepare import prepare

SITE_URL_VARIABLE = "SITE_URL"

# Worth compressing: text and WebAssembly. Fonts (woff2) and images are compressed already.
PRECOMPRESSIBLE = {".html", ".css", ".js", ".mjs", ".json", ".wasm", ".map", ".svg", ".xml", ".txt", ".py", ".zip"}
MIN_BYTES = 1024  # below about a packet the saving does not pay for the extra file
MIN_SAVING = 0.10  # keep a copy only if it is at least 10% smaller (python_stdlib.zip is not)
BEST_BROTLI = 11


@dataclass(frozen=True)
class Compressed:
    """One precompressed file: its sizes in bytes (None where no copy was kept)."""

    path: str
    original: int
    gzip: int | None
    brotli: int | None


def public_url(value: str) -> str:
    """Check a public site address and give it the trailing slash MkDocs expects."""
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.query or parts.fragment:
        raise ValueError(
            f"site URL must be an absolute http(s) address such as https://example.org/encyclopedia/, got {value!r}"
        )
    return value if value.endswith("/") else value + "/"


# ---------------------------------------------------------------- post-processing (any builder)


def brotli_bytes(data: bytes, quality: int) -> bytes:
    """Brotli-compress ``data``, cached by content: quality 11 takes a minute on Pyodide's wasm."""
    import brotli

    path = cache.CACHE_DIR / "brotli" / f"{cache.digest(data, str(quality))}.br"
    if path.exists():
        return path.read_bytes()
    packed = brotli.compress(data, quality=quality)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_bytes(packed)
    tmp.replace(path)
    return packed


def precompress(site: Path, brotli_quality: int = BEST_BROTLI) -> list[Compressed]:
    """Write ``file.gz`` and ``file.br`` beside every large compressible file of ``site``."""
    done = []
    for path in sorted(p for p in site.rglob("*") if p.is_file()):
        if path.suffix not in PRECOMPRESSIBLE or path.stat().st_size < MIN_BYTES:
            continue
        data = path.read_bytes()
        sizes = {}
        for suffix, packed in ((".gz", gzip.compress(data, compresslevel=9, mtime=0)),
                               (".br", brotli_bytes(data, brotli_quality))):
            copy = path.with_name(path.name + suffix)
            if len(packed) <= (1 - MIN_SAVING) * len(data):
                copy.write_bytes(packed)
                sizes[suffix] = len(packed)
            else:
                copy.unlink(missing_ok=True)
        done.append(Compressed(path.relative_to(site).as_posix(), len(data), sizes.get(".gz"), sizes.get(".br")))
    return done


def finish_site(site: Path, brotli_quality: int = BEST_BROTLI) -> list[Compressed]:
    """Make a built folder ready to upload: precompressed copies, then ``_headers``.

    ``_headers`` comes last because its cache rules list the files, copies included.
    """
    compressed = precompress(site, brotli_quality)
    (site / HEADERS_FILE).write_text(headers_file(site), encoding="utf-8")
    return compressed


# ---------------------------------------------------------------- building


def _mkdocs(args: list[str], url: str) -> None:
    env = dict(os.environ, **{SITE_URL_VARIABLE: url, "NO_MKDOCS_2_WARNING": "1"})
    done = subprocess.run([sys.executable, "-m", "mkdocs", *args], cwd=ROOT, env=env, check=False)
    if done.returncode != 0:
        raise SystemExit(f"mkdocs {args[0]} failed (exit {done.returncode})")


def build_for(url: str, out: Path) -> None:
    """A strict MkDocs build whose sitemap and canonical links use ``url``."""
    _mkdocs(["build", "--strict", "--site-dir", str(out)], url)


def deploy_to_github_pages(url: str) -> None:
    """Material's own path: build and push to the gh-pages branch of ``origin``."""
    _mkdocs(["gh-deploy", "--strict"], url)


def _kb(size: int | None) -> str:
    return "-" if size is None else f"{size / 1000:,.0f} KB"


def report(url: str, out: Path, compressed: list[Compressed]) -> str:
    """What was published, with the sizes of the big files (100 KB and more)."""
    total = sum(p.stat().st_size for p in out.rglob("*") if p.is_file() and p.suffix not in (".gz", ".br"))
    big = sorted((c for c in compressed if c.original >= 100_000), key=lambda c: -c.original)
    width = max([len("file"), *(len(c.path) for c in big)])
    lines = [f"Published {url} into {out} ({total / 1e6:.1f} MB before compression).",
             f"{'file':<{width}} {'original':>10} {'gzip':>10} {'brotli':>10}"]
    lines += [f"{c.path:<{width}} {_kb(c.original):>10} {_kb(c.gzip):>10} {_kb(c.brotli):>10}" for c in big]
    lines.append(f"Upload the folder to any static host; {HEADERS_FILE} configures Netlify and Cloudflare Pages, "
                 "the README has nginx and Caddy settings.")
    return "\n".join(lines)


def publish(url: str | None, out: Path, *, gh_pages: bool = False, brotli_quality: int = BEST_BROTLI) -> None:
    raw = url or os.environ.get(SITE_URL_VARIABLE)
    if not raw:
        raise SystemExit(f"give the public address: scripts/publish https://example.org/encyclopedia/ "
                         f"(or set {SITE_URL_VARIABLE})")
    try:
        url = public_url(raw)
    except ValueError as error:
        raise SystemExit(str(error)) from None
    if gh_pages:
        prepare()
        deploy_to_github_pages(url)
        return
    prepare()
    build_for(url, out)
    print(report(url, out, finish_site(out, brotli_quality)))
