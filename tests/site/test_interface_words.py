"""The interface-words table: every language has every key, and placeholders agree."""

from __future__ import annotations

import re

from sitebuild.interface_words import WORDS, word

PLACEHOLDER = re.compile(r"\{(\w+)\}")


def test_every_language_has_every_key_with_the_same_placeholders():
    english = WORDS["en"]
    for language, table in WORDS.items():
        assert set(table) == set(english), language
        for key, text in table.items():
            assert text.strip(), (language, key)
            assert set(PLACEHOLDER.findall(text)) == set(PLACEHOLDER.findall(english[key])), (language, key)


def test_a_missing_language_falls_back_to_english_and_values_are_filled_in():
    assert word("cards.position", "xx", n=3, total=17) == "Card 3 of 17"
    assert word("cards.position", "es", n=3, total=17) == "Tarjeta 3 de 17"
