"""A small static host for tests that applies a published folder's ``_headers``.

It reads the shipped file the way Netlify and Cloudflare Pages do (a line that
starts with ``/`` opens a rule, indented ``Name: value`` lines add headers, ``*``
matches any run of characters) and nothing about the rules is typed here, so a
header the browser sees is one the file set. Two stricter choices:

- a header that two matching rules both set is an error (the hosts disagree on
  what to do with it: Netlify keeps the last, Cloudflare joins them), and the
  request fails with 500;
- ``.wasm``, ``.mjs``, ``.json`` and ``.whl`` are served as ``application/octet-stream``
  unless a rule names their type, so a right type proves the file's rule.
"""

from __future__ import annotations

import functools
import http.server
import re
import threading
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

HEADERS_FILE = "_headers"
UNTYPED = (".wasm", ".mjs", ".json", ".whl")


@dataclass(frozen=True)
class Rule:
    pattern: str
    headers: tuple[tuple[str, str], ...]

    def matches(self, path: str) -> bool:
        regex = ".*".join(re.escape(part) for part in self.pattern.split("*"))
        return re.fullmatch(regex, path) is not None


class ConflictingRules(ValueError):
    """Two rules that match one path set the same header."""


def parse_headers_file(text: str) -> list[Rule]:
    rules: list[Rule] = []
    pattern, headers = None, []
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        if not line[0].isspace():
            if not line.startswith("/"):
                raise ValueError(f"line {number}: a rule must start with '/': {line!r}")
            if pattern is not None:
                rules.append(Rule(pattern, tuple(headers)))
            pattern, headers = line.strip(), []
        else:
            name, colon, value = line.strip().partition(":")
            if pattern is None or not colon:
                raise ValueError(f"line {number}: expected 'Name: value' under a rule: {line!r}")
            headers.append((name.strip(), value.strip()))
    if pattern is not None:
        rules.append(Rule(pattern, tuple(headers)))
    return rules


def headers_for(rules: list[Rule], path: str) -> dict[str, str]:
    """The headers every matching rule gives ``path`` (names lower-cased)."""
    found: dict[str, tuple[str, str]] = {}
    for rule in rules:
        if not rule.matches(path):
            continue
        for name, value in rule.headers:
            key = name.lower()
            if key in found:
                raise ConflictingRules(f"{path}: {name} is set by {found[key][0]} and by {rule.pattern}")
            found[key] = (rule.pattern, value)
    return {key: value for key, (_, value) in found.items()}


class HeadersFileHandler(http.server.SimpleHTTPRequestHandler):
    rules: list[Rule] = []

    def _rule_headers(self) -> dict[str, str]:
        return headers_for(self.rules, unquote(urlsplit(self.path).path))

    def send_head(self):
        try:
            self._rule_headers()
        except ConflictingRules as conflict:
            self.send_error(500, str(conflict))
            return None
        return super().send_head()

    def guess_type(self, path):
        named = self._rule_headers().get("content-type")
        if named:
            return named
        return "application/octet-stream" if str(path).endswith(UNTYPED) else super().guess_type(path)

    def end_headers(self):
        try:
            extra = self._rule_headers()
        except ConflictingRules:
            extra = {}
        for name, value in extra.items():
            if name != "content-type":
                self.send_header(name, value)
        super().end_headers()

    def log_message(self, *args):
        pass


def serve_with_headers_file(directory: Path) -> http.server.ThreadingHTTPServer:
    """Serve ``directory`` on 127.0.0.1 (a free port) with the rules of its ``_headers``."""
    rules = parse_headers_file((directory / HEADERS_FILE).read_text(encoding="utf-8"))
    handler = type("Handler", (HeadersFileHandler,), {"rules": rules})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(handler, directory=str(directory)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server
