"""Sentence units of a source, as answers choose among them."""

from __future__ import annotations

from llama_index.core.schema import TextNode

from ingest import sentence_spans
from rag.evidence import sentence_score, with_list_items, word_credit
from rag.lexical import QueryTerms, content_terms
from rag.types import Sentence, Source

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


def scored_sentence(text: str, cosine: float, question: str) -> float:
    source = Source(n=1, node=TextNode(text=text, metadata={"section": "Key Area 2"}), score=1.0)
    sentence = Sentence(source, 0, text, set(content_terms(text)), cosine=cosine)
    return sentence_score(sentence, QueryTerms({t: 1.0 for t in content_terms(question)}))


def test_shared_words_count_in_full_only_in_a_sentence_near_the_question_in_meaning() -> None:
    question = "What is being done to stop people taking their own lives?"
    # Shares "people" and "taking" but is about staff wellbeing; the other shares "lives".
    off_topic = scored_sentence("Help people keep their jobs by taking forward staff wellbeing.", 0.12, question)
    on_topic = scored_sentence("Develop a refreshed Suicide Prevention Strategy reviewing lives lost.", 0.38, question)
    assert on_topic > off_topic
    assert word_credit(0.12) < word_credit(0.38) < word_credit(0.6) == 1.0


def test_word_matches_keep_some_credit_however_far_the_meaning() -> None:
    assert word_credit(-0.2) == word_credit(0.0) > 0
