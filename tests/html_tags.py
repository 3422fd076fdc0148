"""The start tags of an HTML page, for tests that read built pages without a browser."""

from __future__ import annotations

from html.parser import HTMLParser


class _StartTags(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags: list[tuple[str, dict]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


def tags(html: str) -> list[tuple[str, dict]]:
    """(tag, attributes) of every start tag, in document order."""
    parser = _StartTags()
    parser.feed(html)
    return parser.tags
