"""A small content-addressed cache under .build/cache, so warm builds skip work."""

from __future__ import annotations

import hashlib
import json
import os
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


def read_json(kind: str, key: str) -> object | None:
    """The value stored for (kind, key), or None."""
    path = cache_path(kind, key)
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else None


def write_json(kind: str, key: str, value: object) -> None:
    path = cache_path(kind, key)
    path.parent.mkdir(parents=True, exist_ok=True)
    # Write then rename: two builds running at once never read half a file.
    tmp = path.with_name(f"{path.stem}.{os.getpid()}.tmp")
    tmp.write_text(json.dumps(value, separators=(",", ":"), allow_nan=False), encoding="utf-8")
    tmp.replace(path)


def cached_json(kind: str, key: str, compute: Callable[[], object]) -> object:
    """Return the JSON value stored for (kind, key), computing it on a miss."""
    value = read_json(kind, key)
    if value is None:
        value = compute()
        write_json(kind, key, value)
    return value
