"""Interface words added with the lesson: its header, quiz second chances, flashcards.

One table per language, in one place, until the site's message catalogue
takes these keys over. Fences and headers read it in Python; the browser
scripts get the words they need from a ``data-words`` attribute the fences
write, so no script holds a reader-facing string of its own.
"""

from __future__ import annotations

import html
import json

from .content import DEFAULT_LANGUAGE

WORDS: dict[str, dict[str, str]] = {
    "en": {
        # header of a lesson or a summary page
        "header.kind.lesson": "lesson",
        "header.kind.summary": "summary",
        "header.objectives": "After this lesson you can",
        "header.difficulty": "Difficulty",
        "header.practice_time": "Practice time",
        "header.prerequisites": "Prerequisites",
        "header.summary_link": "One-page summary",
        "header.summary_of": "Summary of",
        # quizzes: a hint and a second try before the worked solution
        "quiz.hint": "Hint",
        "quiz.wrong_first": "Not quite. A hint is open below the question: try once more.",
        "quiz.wrong_again": "Not this time either. The worked solution is open below.",
        # flashcards
        "cards.question": "Question",
        "cards.answer": "Answer",
        "cards.card": "Flashcard",
        "cards.flip": "Flip",
        "cards.previous": "Previous",
        "cards.next": "Next",
        "cards.knew": "Knew it",
        "cards.again": "Again",
        "cards.reset": "Reset progress",
        "cards.position": "Card {n} of {total}",
        "cards.progress": "{known} known · {again} to review · {unmarked} unmarked",
        "cards.mark.known": "known",
        "cards.mark.again": "review again",
        "cards.keys": "Click the card, or press Enter or Space on it, to flip it. The arrow keys ← and → move between cards.",
        "cards.saved": "Your marks are kept in this browser, so they are still here when you come back.",
        "cards.no_storage": "This browser does not let the page store anything, so your marks last only until you leave the page.",
        "cards.marked.known": "Marked as known.",
        "cards.marked.again": "Marked to review again.",
        "cards.reset_done": "Progress reset: every card is unmarked.",
    },
    "es": {
        "header.kind.lesson": "lección",
        "header.kind.summary": "resumen",
        "header.objectives": "Al terminar esta lección sabrás",
        "header.difficulty": "Dificultad",
        "header.practice_time": "Tiempo de práctica",
        "header.prerequisites": "Requisitos previos",
        "header.summary_link": "Resumen en una página",
        "header.summary_of": "Resumen de",
        "quiz.hint": "Pista",
        "quiz.wrong_first": "No exactamente. Debajo de la pregunta tienes una pista: inténtalo otra vez.",
        "quiz.wrong_again": "Tampoco esta vez. Debajo tienes abierta la solución resuelta.",
        "cards.question": "Pregunta",
        "cards.answer": "Respuesta",
        "cards.card": "Tarjeta",
        "cards.flip": "Girar",
        "cards.previous": "Anterior",
        "cards.next": "Siguiente",
        "cards.knew": "La sabía",
        "cards.again": "Otra vez",
        "cards.reset": "Borrar el progreso",
        "cards.position": "Tarjeta {n} de {total}",
        "cards.progress": "{known} sabidas · {again} por repasar · {unmarked} sin marcar",
        "cards.mark.known": "sabida",
        "cards.mark.again": "por repasar",
        "cards.keys": "Haz clic en la tarjeta, o pulsa Intro o la barra espaciadora sobre ella, para girarla. "
                      "Las flechas ← y → pasan de una tarjeta a otra.",
        "cards.saved": "Tus marcas se guardan en este navegador, así que seguirán aquí cuando vuelvas.",
        "cards.no_storage": "Este navegador no deja que la página guarde nada, así que tus marcas solo duran "
                            "hasta que salgas de ella.",
        "cards.marked.known": "Marcada como sabida.",
        "cards.marked.again": "Marcada para repasar.",
        "cards.reset_done": "Progreso borrado: ninguna tarjeta está marcada.",
    },
}


def word(key: str, language: str = DEFAULT_LANGUAGE, **values) -> str:
    """The words for ``key`` in ``language`` (English where not translated yet), filled in."""
    table = WORDS.get(language) or {}
    text = table.get(key) or WORDS[DEFAULT_LANGUAGE][key]
    return text.format(**values) if values else text


def data_words(prefix: str, language: str = DEFAULT_LANGUAGE) -> str:
    """A ``data-words`` attribute holding every ``prefix.*`` entry, for a browser script."""
    keys = [k for k in WORDS[DEFAULT_LANGUAGE] if k.startswith(prefix + ".")]
    found = {k[len(prefix) + 1:]: word(k, language) for k in keys}
    return f' data-words="{html.escape(json.dumps(found, ensure_ascii=False), quote=True)}"'
