"""Counts in words and messages as sentences."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from auditor.words import plural, sentence


def test_plural_says_one_thing_and_many_things() -> None:
    assert plural(1, "audit") == "1 audit"
    assert plural(0, "audit") == "0 audits"
    assert plural(2_500, "case") == "2,500 cases"
    assert plural(1, "criterion") == "1 criterion" and plural(35, "criterion") == "35 criteria"
    assert plural(3, "history row", "history rows") == "3 history rows"


def test_sentence_capitalises_only_the_first_letter() -> None:
    assert sentence("no audit with id abc") == "No audit with id abc"
    assert sentence("RISK-01 is not answered") == "RISK-01 is not answered"
    assert sentence("") == "" and sentence("ßx") == "ßx"


@given(st.text())
def test_a_sentence_differs_from_its_text_only_in_the_first_letter(text: str) -> None:
    assert sentence(text)[1:] == text[1:]
    assert sentence(sentence(text)) == sentence(text)
