"""Interface words of the reading layer, keyed as the message catalogue keys them.

Interim home until the message catalogue (``messages/<language>.yml``, read by
``sitebuild/i18n.py``) lands: each key below moves there unchanged and
``t`` becomes ``i18n.t``. Code names keys, never words.
"""

from __future__ import annotations

import re

WORDS = {
    "en": {
        "header.index": "index",
        "header.next": "next: {number} · {title}",
        "header.top_bar": "Chapter navigation",
        "xref.back": "Back to text",
        "reference.cited_in": "Cited in",
        "reference.backlink": "citation {n}, section {section}",
        "reference.publisher_page": "publisher's page",
        "print.solutions": "Quiz solutions",
        "front.path_label": "Reading path",
        "front.step.chapter": "chapter {number}",
        "front.step.lesson": "lesson",
        "front.step.lab": "lab {number}",
        "front.thumbnail_label": "{label} · {title}",
    },
}
_PLACEHOLDER = re.compile(r"\{([a-z_][a-z0-9_]*)\}")


def t(key: str, language: str = "en", **params) -> str:
    """The words for ``key`` in ``language`` (English until the catalogue has them), filled from ``params``."""
    message = WORDS.get(language, WORDS["en"]).get(key) or WORDS["en"][key]
    return _PLACEHOLDER.sub(lambda m: str(params[m.group(1)]), message)
