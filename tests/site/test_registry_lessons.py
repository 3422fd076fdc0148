"""The registry's lesson fields: objectives, practice time, and summaries tied to their lesson."""

from __future__ import annotations

import pytest

from sitebuild import content
from tests import pages
from tests.conftest import ROOT


def _broken(tmp_path, old: str, new: str):
    text = (ROOT / content.REGISTRY_NAME).read_text(encoding="utf-8")
    assert old in text, f"fixture drifted: {old!r} is not in content.yml any more"
    path = tmp_path / content.REGISTRY_NAME
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


def test_every_lesson_has_five_objectives_a_practice_time_and_a_summary():
    lessons = pages.lessons()
    assert lessons, "content.yml lists no lesson"
    for lesson in lessons:
        assert len(lesson.items("objectives")) == 5, lesson.slug
        assert lesson.practice_minutes and lesson.text("difficulty") and lesson.text("prerequisites")
        summary = pages.summary(lesson)
        assert summary.part == lesson.part and summary.published == lesson.published


def test_words_and_lists_fall_back_to_english():
    lesson = pages.lessons()[0]
    assert lesson.items("objectives", "xx") == lesson.items("objectives", "en")
    assert lesson.text("difficulty", "xx") == lesson.text("difficulty", "en")
    with pytest.raises(KeyError):
        lesson.items("title")


@pytest.mark.parametrize(("old", "new", "complaint"), [
    ("summarises: why-deep-nets-wont-train", "summarises: no-such-lesson", "summarises 'no-such-lesson', which is no lesson"),
    ("        summarises: why-deep-nets-wont-train\n", "", "a summary page, and only a summary page, names the lesson"),
    ("practice_minutes: 20", "practice_minutes: twenty", "practice_minutes must be a whole number"),
    ("        objectives:\n          en:\n", "        objectives:\n          en: one\n          xx:\n",
     "objectives must be a list of words"),
], ids=["unknown-lesson", "summary-without-lesson", "practice-not-a-number", "objectives-not-a-list"])
def test_a_malformed_lesson_entry_is_refused(tmp_path, old, new, complaint):
    with pytest.raises(content.RegistryError) as caught:
        content.load(_broken(tmp_path, old, new))
    assert complaint in str(caught.value)
