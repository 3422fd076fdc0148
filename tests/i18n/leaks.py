"""Find another language's interface words on a page: the English catalogue on a Spanish page.

A page's interface is built from its edition's catalogue; a word from the
English catalogue on a Spanish page means some code wrote English directly or
asked for the wrong language. Catalogue values are short and some are words
of both languages, so they are matched with care:

* only values that differ between the two catalogues count ("ReLU", "EQ {label}" do not);
* every value is matched against a whole piece of text (a text node, an
  attribute value, or a label Plotly drew), its {placeholders} standing for
  anything, ignoring case (panel titles are upper-cased);
* values of two or more words are also searched for inside longer text, as
  whole words.

Used on the built HTML (tests/i18n/test_editions.py) and on what the scripts
put into a live page (tests/i18n/test_spanish_browser.py).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from html.parser import HTMLParser

from sitebuild.i18n import PLACEHOLDER, catalogue

ATTRIBUTES = ("aria-label", "title", "placeholder", "alt", "aria-valuetext")
# Text a reader reads as content, not interface: math, code and program output.
SKIPPED_ELEMENTS = {"script", "style", "code", "math", "annotation"}


@dataclass(frozen=True)
class Phrase:
    key: str
    words: str
    whole: re.Pattern
    inside: re.Pattern | None


def _pattern(words: str, anchored: bool) -> re.Pattern:
    parts = PLACEHOLDER.split(words)
    # split() alternates literal text and placeholder names
    body = "".join(re.escape(part) if i % 2 == 0 else ".+?" for i, part in enumerate(parts))
    body = re.sub(r"(\\ )+$", r"\\s*.*", body)  # "Out: " is a prefix of what follows
    return re.compile(rf"^\s*{body}\s*$" if anchored else rf"(?<!\w){body}(?!\w)", re.I | re.S)


def foreign_phrases(language: str, foreign: str) -> list[Phrase]:
    """The ``foreign`` catalogue's words that ``language``'s catalogue does not share."""
    own, other = catalogue(language), catalogue(foreign)
    phrases = []
    for key, words in other.items():
        if words.strip().lower() == own[key].strip().lower():
            continue
        literal = PLACEHOLDER.sub("", words)
        several_words = len(re.findall(r"[^\W\d_]{2,}", literal)) >= 2
        phrases.append(Phrase(key, words, _pattern(words, True), _pattern(words, False) if several_words else None))
    return phrases


def leaks(texts: list[str], phrases: list[Phrase]) -> list[str]:
    """'key: text' for every text that shows a foreign phrase."""
    found = []
    for text in texts:
        if not text or not text.strip():
            continue
        for phrase in phrases:
            if phrase.whole.match(text) or (phrase.inside and phrase.inside.search(text)):
                found.append(f"{phrase.key} ({phrase.words!r}): {text.strip()[:120]!r}")
    return found


class _Texts(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.texts: list[str] = []
        self.skipping = 0
        self.stack: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        classes = (attrs.get("class") or "").split()
        skip = tag in SKIPPED_ELEMENTS or "katex" in classes or "pycell__stdout" in classes
        if tag not in VOID:
            self.stack.append(skip)
            self.skipping += skip
        if not self.skipping:
            self.texts += [attrs[name] for name in ATTRIBUTES if attrs.get(name)]

    def handle_endtag(self, tag):
        if tag not in VOID and self.stack:
            self.skipping -= self.stack.pop()

    def handle_data(self, data):
        if not self.skipping and data.strip():
            self.texts.append(data)


VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


def page_texts(html: str) -> list[str]:
    """The text nodes and labelling attributes of a page, content that is code or math left out."""
    parser = _Texts()
    parser.feed(html)
    return parser.texts
