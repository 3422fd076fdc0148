"""Reading time from a page's own words, so the header can never go stale."""

from __future__ import annotations

import math
import re

WORDS_PER_MINUTE = 200
FRONT_MATTER = re.compile(r"\A---\n.*?\n---\n", re.S)
FENCE = re.compile(r"^(```|~~~).*?^\1\s*$", re.S | re.M)
DISPLAY_MATH = re.compile(r"\$\$.*?\$\$", re.S)
INLINE_MATH = re.compile(r"\$[^$\n]+\$")
WORD = re.compile(r"[A-Za-zÀ-ÿ0-9][A-Za-zÀ-ÿ0-9'’-]*")


def prose_words(markdown_text: str) -> int:
    """Words a reader reads: front matter, code, fences and math left out."""
    text = FRONT_MATTER.sub("", markdown_text)
    text = FENCE.sub(" ", text)
    text = DISPLAY_MATH.sub(" ", text)
    text = INLINE_MATH.sub(" math ", text)
    text = re.sub(r"\]\([^)]*\)", "]", text)  # link targets are not read
    text = re.sub(r"\{[^}\n]*\}", " ", text)  # attribute lists
    return len(WORD.findall(text))


def reading_minutes(markdown_text: str) -> int:
    """Whole minutes at 200 words per minute, at least 1."""
    return max(1, math.ceil(prose_words(markdown_text) / WORDS_PER_MINUTE))
