"""Tokens as the keyword index and the evidence scores see them."""

from __future__ import annotations

from index import terms


def test_irregular_past_forms_count_as_their_verb() -> None:
    assert terms("The board met in January") == terms("the board meet in January")
    assert "meet" in terms("meeting") and "meet" in terms("met")
    assert terms("funds were spent and held") == terms("funds were spend and hold")


def test_regular_words_are_stemmed_as_before() -> None:
    assert terms("Planting trees, planted tree") == ["plant", "tree", "plant", "tree"]
