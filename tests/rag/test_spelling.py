"""Typos in questions corrected against the papers' own words."""

from __future__ import annotations

from rag.spelling import Speller

PAPERS = ["Recruited 15 Social Prescribing Link Workers.", "A new temporary cycle lane along the A1000.",
          "Introduce a Breastfeeding welcome scheme.", "All STP footprints should have an ICS."]


def test_typos_become_the_papers_words() -> None:
    speller = Speller.from_texts(PAPERS)
    assert speller.correct("how many socail prescribers?") == "how many social prescribers?"
    assert speller.correct("Breastfeeding Welcom scheme") == "Breastfeeding Welcome scheme"


def test_known_words_short_words_and_contractions_are_left_alone() -> None:
    speller = Speller.from_texts(PAPERS, dictionary=frozenset({"stops"}))
    assert speller.correct("what stops people cycling?") == "what stops people cycling?"  # a real word
    assert speller.correct("cyle lane") == "cyle lane"  # four letters: too many neighbours
    assert speller.correct("kids cant get help") == "kids cant get help"
    assert speller.correct("the zzzzzz scheme") == "the zzzzzz scheme"  # nothing close
