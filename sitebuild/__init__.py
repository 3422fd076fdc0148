"""Build-side work for the site, usable with or without MkDocs.

Everything here is plain Python called by the thin MkDocs hook in
``hooks/encyclopedia.py`` (and runnable on its own, see ``python -m sitebuild``),
so that moving to another static-site engine only means calling these
functions from somewhere else. Nothing here is imported by ``instruments/``.
"""

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NODE_MODULES = ROOT / "node_modules"
GENERATED = ROOT / ".build" / "generated"
