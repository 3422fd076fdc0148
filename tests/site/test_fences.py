"""The fences' options are declared and checked, and no fence error is swallowed.

pymdownx.superfences drops a fence whose formatter raises an ordinary exception
and prints the fence as code; these tests hold the fences to failing loudly.
"""

from __future__ import annotations

import markdown
import pytest

from sitebuild import fences
from sitebuild.fences import FENCES, FenceError

QUIZ = '```quiz id="q1" kind="numeric" answer="0.5" tolerance="0.01" title="Quiz"\nHalf?\n--- solution ---\nYes.\n```\n'


def convert(text: str) -> str:
    custom = [{"name": name, "class": name, "format": getattr(fences, f"format_{name}"),
               "validator": fences.check_options} for name in FENCES]
    return markdown.markdown(text, extensions=["pymdownx.superfences"],
                             extension_configs={"pymdownx.superfences": {"custom_fences": custom}})


def test_a_well_formed_quiz_renders():
    html = convert(QUIZ)
    assert 'class="admonition question quiz" id="q1"' in html and 'data-tolerance="0.01"' in html


def test_every_fence_in_mkdocs_yml_is_declared_and_checked():
    from tests.pages import ROOT

    # The fences are listed once, in the config every language edition inherits.
    text = (ROOT / "mkdocs.base.yml").read_text(encoding="utf-8")
    listed = [line.split(":", 1)[1].strip() for line in text.splitlines() if line.strip().startswith("- name:")]
    assert sorted(listed) == sorted(FENCES)
    assert text.count("validator: !!python/name:sitebuild.fences.check_options") == len(FENCES)


@pytest.mark.parametrize(("old", "new", "message"), [
    ('tolerance="0.01"', 'tolerence="0.01"', "```quiz id=\"q1\" has an unknown option 'tolerence' (did you mean 'tolerance'?)"),
    ('answer="0.5" ', "", '```quiz id="q1" needs the option(s) answer'),
    ('answer="0.5"', 'answer="half"', "answer must be a number; got 'half'"),
    ('kind="numeric"', 'kind="multiple"', "kind must be one of numeric, truefalse"),
    ("--- solution ---\n", "", "needs a '--- solution ---' line"),
], ids=["misspelt", "missing", "bad-answer", "bad-kind", "no-solution"])
def test_a_faulty_fence_raises_naming_it(old, new, message):
    assert old in QUIZ
    with pytest.raises(FenceError) as caught:
        convert(QUIZ.replace(old, new, 1))
    assert message in str(caught.value)
