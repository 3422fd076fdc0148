"""A small content-addressed cache under .build/cache, so warm builds skip work."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Callable

from . import ROOT

CACHE_DIR = ROOT / ".build" / "cache"


def digest(*parts: str | bytes) -> str:
    h = hashlib.sha256()
    for part in parts:
        h.update(part.encode() if isinstance(part, str) else part)
        h.update(b"\0")
    return h.hexdigest()[:20]


def cache_path(kind: str, key: str) -> Path:
    # CACHE_DIR is read at call time so tests can point it at a temporary folder.
    return CACHE_DIR / kind / f"{key}.json"


def is_cached(kind: str, key: str) -> bool:
    return cache_path(kind, key).exists()


def cached_json(kind: str, key: str, compute: Callable[[], object]) -> object:
    """Return the JSON value stored for (kind, key), computing it on a miss."""
    path = cache_path(kind, key)
    if path.exists():
        return json.loads(path.read_text(encoding="utf-8"))
    value = compute()
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(value, separators=(",", ":"), allow_nan=False), encoding="utf-8")
    tmp.replace(path)
    return value
