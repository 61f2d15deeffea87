"""Sentence units of a source, as answers choose among them."""

from __future__ import annotations

from ingest import sentence_spans
from rag.evidence import with_list_items

TEXT = ("For the next four years the board will focus on three Key Areas. These key areas are:\n"
        "1. Creating a healthier place\n2. Starting, living and ageing well\n3. Ensuring coordinated care\n"
        "Within each of these areas we identified several priorities, which are described in the pages that follow "
        "with the actions we will take to deliver them.")


def units(text: str) -> list[str]:
    return [" ".join(text[s:e].split()) for s, e in with_list_items(text, sentence_spans(text))]


def test_a_sentence_introducing_a_list_carries_its_items() -> None:
    found = units(TEXT)
    assert ("These key areas are: 1. Creating a healthier place 2. Starting, living and ageing well "
            "3. Ensuring coordinated care") in found
    assert found[0].startswith("For the next four years") and found[-1].startswith("Within each of these areas")


def test_a_long_sentence_ends_the_list() -> None:
    text = ("Our aims are: 1. Fewer falls 2. Warmer homes. The council will publish a long account of how it asked "
            "residents in every ward of the borough for their views over the year.")
    found = units(text)
    assert found[0] == "Our aims are: 1. Fewer falls 2. Warmer homes."
    assert found[1].startswith("The council will publish") and len(found) == 2


def test_text_without_a_list_is_unchanged() -> None:
    text = "The board met in January. It noted the plan: approved."
    assert with_list_items(text, sentence_spans(text)) == sentence_spans(text)


def test_clock_times_and_ratios_do_not_introduce_lists() -> None:
    text = "The board will meet at 10:30. Papers are online. The ratio was 3:1. Minutes follow later."
    assert with_list_items(text, sentence_spans(text)) == sentence_spans(text)
