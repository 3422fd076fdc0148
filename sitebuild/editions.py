"""The language editions of the site: one MkDocs config, one docs folder, one URL prefix each.

    edition   config           pages        published at     cells
    en        mkdocs.yml       docs/        /                pysnippets/<slug>/
    es        mkdocs.es.yml    docs/es/     /es/             pysnippets/es/<slug>/

Both configs inherit ``mkdocs.base.yml`` (theme, Markdown extensions,
fences, plugins, pins) and set only what differs by language: the name, the
nav, ``theme.language``, the palette toggles' labels, the language selector
(``extra.alternate``) and the asset paths. Zensical's INHERIT appends lists
where MkDocs replaces them, so a list is set either in the base or in the
editions, never in both (a test checks this). The Spanish edition's pages
link the root site's CSS, scripts and generated files (``../assets/...``):
Pyodide, Plotly and the baked data are published once.

A page keeps its path in every edition (``docs/es/`` mirrors ``docs/``), so
the registry's paths, slugs and cell ids hold in every language, and the
language selector lands on the same page. Under MkDocs, building the default
edition builds the others into its site folder (``hooks/encyclopedia.py``),
so ``mkdocs build``, ``mkdocs serve`` and ``mkdocs gh-deploy`` all carry every
language; Zensical runs no hooks, so :func:`zensical_build` runs it once per
edition.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from . import DOCS, ROOT
from .i18n import DEFAULT_LANGUAGE, languages

#: Where serve and test builds say they live (scripts/publish sets SITE_URL).
LOCAL_URL = "http://127.0.0.1:8000/"
SITE_URL_VARIABLE = "SITE_URL"
SITE_DIR_VARIABLE = "SITE_DIR"
SNIPPETS = ROOT / "pysnippets"


@dataclass(frozen=True)
class Edition:
    language: str

    @property
    def is_default(self) -> bool:
        return self.language == DEFAULT_LANGUAGE

    @property
    def prefix(self) -> str:
        """Its folder under the site root, the docs folder and pysnippets/: '' or 'es/'."""
        return "" if self.is_default else f"{self.language}/"

    @property
    def config(self) -> Path:
        return ROOT / ("mkdocs.yml" if self.is_default else f"mkdocs.{self.language}.yml")

    @property
    def docs_dir(self) -> Path:
        return DOCS / self.prefix if self.prefix else DOCS

    @property
    def snippets(self) -> Path:
        return SNIPPETS / self.prefix if self.prefix else SNIPPETS

    def source(self, path: str) -> Path:
        """The Markdown file of the page ``path`` (relative to a docs folder) in this edition."""
        return self.docs_dir / path


def editions() -> tuple[Edition, ...]:
    """Every edition, the default first (one per message catalogue)."""
    return tuple(Edition(language) for language in languages())


def edition(language: str) -> Edition:
    if language not in languages():
        raise ValueError(f"language must be one of {', '.join(languages())}; got {language!r}")
    return Edition(language)


def _with_slash(url: str) -> str:
    return url if url.endswith("/") else url + "/"


# ---------------------------------------------------------------- read by the configs' YAML tags

def site_url(language: str) -> str:
    """The edition's public address: $SITE_URL (default the local server) plus its prefix."""
    root = _with_slash(os.environ.get(SITE_URL_VARIABLE) or LOCAL_URL)
    return root + edition(language).prefix


def site_dir(language: str) -> str:
    """Where the edition is written: $SITE_DIR (default site/) plus its prefix."""
    root = os.environ.get(SITE_DIR_VARIABLE) or "site"
    prefix = edition(language).prefix
    return os.path.join(root, prefix.rstrip("/")) if prefix else root


# ---------------------------------------------------------------- building every edition

def build_other_editions_with_mkdocs(config) -> None:
    """After MkDocs built the default edition, build the others inside its site folder.

    Called by the hook; each edition inherits the default's address and
    folder, so a served or published site carries every language. The other
    editions' configs are taken beside the one being built (a test may build
    a copy of the project).
    """
    from mkdocs.commands.build import build
    from mkdocs.config import load_config

    folder = Path(config.config_file_path).parent
    for other in editions():
        if other.is_default:
            continue
        nested = load_config(
            str(folder / other.config.name),
            site_dir=os.path.join(config.site_dir, other.prefix.rstrip("/")),
            site_url=_with_slash(config.site_url or LOCAL_URL) + other.prefix,
        )
        nested.plugins.on_startup(command="build", dirty=False)
        try:
            build(nested)
        finally:
            nested.plugins.on_shutdown()


def zensical_build(target: Path, config: Path | None = None, extra_args: tuple[str, ...] = ("--strict", "--clean"),
                   env: dict | None = None) -> subprocess.CompletedProcess:
    """Build every edition with Zensical into ``target`` (inside the project), the default first.

    ``config`` is the default edition's config (mkdocs.yml); the others are
    taken beside it. Returns the first failed build, or the last one.
    """
    folder = (config or editions()[0].config).parent
    env = dict(env or os.environ, **{SITE_DIR_VARIABLE: str(target)})
    done = None
    for each in editions():
        command = [sys.executable, "-m", "zensical", "build", *extra_args, "-f", str(folder / each.config.name)]
        done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, env=env, check=False)
        if done.returncode != 0:
            return done
    return done


def zensical_serve(dev_addr: str, extra_args: list[str]) -> int:
    """``zensical serve`` for the default edition, with the other editions built into its folder.

    Zensical serves the default edition's site folder and empties it when it
    starts, so the other editions are built once its first build is there.
    Zensical live-reloads the default edition only: after editing another
    edition's page, run ``python -m sitebuild build-editions`` (it rebuilds them).
    """
    target = Path(site_dir(DEFAULT_LANGUAGE)).resolve()
    first_page = target / "index.html"
    started = time.time()
    server = subprocess.Popen([sys.executable, "-m", "zensical", "serve", "--dev-addr", dev_addr, *extra_args], cwd=ROOT)

    def stop(signum, frame):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop)  # a terminated wrapper takes its server down too
    try:
        while server.poll() is None and not (first_page.is_file() and first_page.stat().st_mtime >= started):
            time.sleep(0.5)
        if server.poll() is None:
            build_other_editions_with_zensical(target)
        return server.wait()
    except KeyboardInterrupt:
        server.terminate()
        return server.wait()


def build_other_editions_with_zensical(target: Path) -> None:
    """Build every edition but the default into ``target`` (the default edition's folder)."""
    env = dict(os.environ, **{SITE_DIR_VARIABLE: str(target)})
    for other in editions():
        if other.is_default:
            continue
        done = subprocess.run([sys.executable, "-m", "zensical", "build", "-f", str(other.config)],
                              cwd=ROOT, env=env, check=False)
        if done.returncode != 0:
            raise SystemExit(f"zensical build -f {other.config.name} failed (exit {done.returncode})")
