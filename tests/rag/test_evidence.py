"""Sentence units of a source, as answers choose among them."""

from __future__ import annotations

from llama_index.core.schema import TextNode

from rag.evidence import (evidence_features, naming_sources, numbers_held, sentence_score, source_sentences,
                          word_credit)
from rag.lexical import QueryTerms, answer_type, content_terms, numbers_in
from rag.types import Sentence, Source

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


def test_a_sentence_is_placed_by_its_neighbours_words() -> None:
    # A vote line names nothing the question asks about; the motion before it does.
    text = ("Recommendation 4c approves the removal of the free parking tariff in residents' parking schemes.\n\n"
            "On being put to the vote the recommendation was LOST (4 members voting in favour, 5 against).\n\n"
            "Recommendation 5 was moved by Councillor Plowden.\n\n"
            "Item 9 covered the library budget. On being put to the vote the recommendation was CARRIED unanimously.")
    source = Source(n=1, node=TextNode(text=text, metadata={"section": "7 Parking"}), score=1.0)
    sentences = source_sentences([source], None, None, None)
    terms = QueryTerms({t: 1.0 for t in content_terms("How did the vote on removing the free parking tariff go?")})
    scores = {s.text: sentence_score(s, terms) for s in sentences}
    lost = next(t for t in scores if "LOST" in t)
    carried = next(t for t in scores if "CARRIED" in t)
    assert scores[lost] > scores[carried]


def test_sentence_weights_are_settings_not_constants() -> None:
    import pytest

    from council_qa.config import Settings

    settings = Settings.from_env({"COUNCIL_QA_SENTENCE_WEIGHTS": '{"neighbour_words": 0.0, "neighbours": 0}'})
    assert settings.sentence_weights.neighbour_words == 0.0 and settings.sentence_weights.own_words == 0.8
    text = "The motion on parking charges was moved. On being put to the vote the motion was LOST."
    source = Source(n=1, node=TextNode(text=text, metadata={"section": "7 Parking"}), score=1.0)
    vote = source_sentences([source], None, None, None, neighbours=1)[1]
    terms = QueryTerms({t: 1.0 for t in content_terms("How did the vote on parking charges go?")})
    assert sentence_score(vote, terms) > sentence_score(vote, terms, settings.sentence_weights)
    with pytest.raises(ValueError, match="COUNCIL_QA_SENTENCE_WEIGHTS"):
        Settings.from_env({"COUNCIL_QA_SENTENCE_WEIGHTS": '{"no_such_weight": 1}'})


def test_a_question_one_year_off_finds_its_numbers_missing() -> None:
    text = "The revenue outturn for the Transport theme in 2025/26 was 14,652, against a budget of 15,750 (page 27)."
    paper = {"title": "Budget outturn report", "meeting_date": "2026-06-05"}
    source = Source(n=1, node=TextNode(text=text, metadata=paper), score=1.0)
    assert numbers_held(numbers_in("What was the Transport outturn for 2025-26?"), source) == 1.0
    # 2026 and 27 are both on the page, but not as the year asked for.
    assert numbers_held(numbers_in("What was the Transport outturn for 2026/27?"), source) == 0.0
    assert numbers_held(numbers_in("Was it 14,652 or 15750?"), source) == 1.0
    assert numbers_held(numbers_in("What did the 5 June 2026 meeting decide?"), source) == 1.0  # the paper's own date
    assert numbers_held(numbers_in("What did the 6 June 2026 meeting decide?"), source) == 0.5
    assert numbers_held(numbers_in("What was the Transport revenue outturn?"), source) == 1.0


def test_a_plan_asked_for_by_its_date_holds_that_year() -> None:
    # "MARCH 2025" is printed on the cover only; the paper's issued date carries it.
    text = "Submission (Regulation 22) October 2026"
    plan = {"title": "LOCAL DEVELOPMENT SCHEME", "meeting_date": "", "issued": "2025-03"}
    source = Source(n=1, node=TextNode(text=text, metadata=plan), score=1.0)
    question = numbers_in("In Fenland's March 2025 Local Development Scheme, when is Regulation 22 submission?")
    assert numbers_held(question, source) == 1.0
    assert numbers_held(numbers_in("In Fenland's March 2024 Local Development Scheme, when is it?"), source) == 0.0
    undated = Source(n=1, node=TextNode(text=text, metadata={"title": "LOCAL DEVELOPMENT SCHEME"}), score=1.0)
    assert numbers_held(question, undated) == 0.5


def test_a_table_row_is_read_with_the_lines_that_introduce_its_table() -> None:
    # The row holds the sum but few of the question's words; its lead-in holds the rest.
    text = ("Income for Kerbside Regulation and Permit Services in the financial year 2031/32 "
            "was as follows:\n\n"
            "Income 2031/32\n\n"
            "Description | Value £\nParking Income | Value £: 4,120,000.00\n"
            "Penalty Income | Value £: 880,500.00\nTotal Income | Value £: 5,000,500.00")
    source = Source(n=1, node=TextNode(text=text, metadata={"section": "Financial Information"}), score=1.0)
    sentences = source_sentences([source], None, None, None)
    question = "How much parking income did Kerbside Regulation and Permit Services record in 2031/32?"
    # As in a paper about parking: its row label's words are common, its lead-in's rare.
    asked = {t: 0.3 if t in content_terms("parking income") else 2.0 for t in content_terms(question)}
    terms = QueryTerms(asked, answer_type(question), anchors=frozenset(asked))
    assert evidence_features([source], sentences, terms, 0.8)["typed_answer"] == 1.0
    row = next(s for s in sentences if s.text.startswith("Parking Income"))
    assert set(content_terms("Kerbside Regulation")) <= row.frame - row.terms


def test_a_name_in_the_papers_title_is_found_where_sources_are_kept_for_it() -> None:
    # The rules' own name is their title; the passage that answers does not repeat it.
    text = "The agenda will be published on the Council's website not less than six clear working days before Full Council."
    rules = {"title": "Access to Information Procedure Rules", "meeting_date": ""}
    source = Source(n=1, node=TextNode(text=text, metadata=rules), score=1.0)
    question = "How much notice is given under the Access to Information Procedure Rules?"
    names = frozenset(content_terms("Procedure Rules"))
    kept, unnamed = naming_sources([source], [names])
    assert kept == [source] and not unnamed
    terms = QueryTerms({t: 1.0 for t in content_terms(question)}, names=names, proper_names=names)
    features = evidence_features(kept, source_sentences(kept, None, None, None), terms, 0.8)
    assert features["names_found"] == 1.0
    other = Source(n=1, node=TextNode(text=text, metadata={"title": "Council Procedure Rules"}), score=1.0)
    elsewhere = frozenset(content_terms("Enfield"))
    assert naming_sources([other], [elsewhere]) == ([], elsewhere)
    terms = QueryTerms({t: 1.0 for t in content_terms(question)}, names=elsewhere, proper_names=elsewhere)
    assert evidence_features([other], source_sentences([other], None, None, None), terms, 0.8)["names_found"] == 0.0
