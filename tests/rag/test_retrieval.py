from __future__ import annotations

import pytest

from eval.metrics import holds_quote
from eval.runner import shown_text
from rag import Filters
from rag.lexical import QueryTerms
from rag.retrieval import MODES, item_reference

# A question naming a heading: only chunks under the strategy's own "Key Area 3" hold
# this passage (the evaluation set's section-003). Dense retrieval alone ranks it low;
# since the heading's words reach the chunk text, keyword retrieval finds it too.
PINNED = ("What are the commitments under Key Area 3 on coordinated and holistic care?",
          "Our commitments for ensuring delivery of coordinated and holistic care, when we need it "
          "Support digital transformation of services Enable carers health and wellbeing")


def rank_of(retrieved, quote: str) -> int:
    return next((i for i, hit in enumerate(retrieved.nodes, start=1)
                 if holds_quote(shown_text(hit.node.metadata["section"], hit.node.get_content()), quote)), 99)


def test_fusion_ranks_a_heading_named_passage_first(engine) -> None:
    question, quote = PINNED
    ranks = {mode: rank_of(engine.retriever.retrieve(question, mode=mode), quote)
             for mode in ("dense", "keyword", "hybrid")}
    assert ranks["hybrid"] == 1, ranks


@pytest.mark.parametrize("mode", MODES)
def test_every_mode_respects_filters(engine, mode) -> None:
    retrieved = engine.retriever.retrieve("physical activity deep dive", Filters(doc_type="minutes"), mode=mode)
    assert retrieved.nodes
    assert all(hit.node.metadata["doc_type"] == "minutes" for hit in retrieved.nodes)


def test_keyword_retrieval_returns_only_matching_chunks(engine) -> None:
    retrieved = engine.retriever.retrieve("xylophone quokka", mode="keyword")
    assert retrieved.nodes == []


def test_chunks_naming_the_place_asked_about_come_first(engine) -> None:
    # Fusion alone ranks three chunks about hospitals and care above the one naming Finchley.
    question = "What happens at Finchley Memorial Hospital?"
    names = QueryTerms.of(question, engine.index.keyword).proper_names
    holders = engine.index.keyword.holding(names)
    naming = [hit.node.node_id in holders for hit in engine.retriever.retrieve(question).nodes]
    assert names and naming[0] and naming == sorted(naming, reverse=True), naming


def test_filters_say_which_of_them_shuts_out_every_paper() -> None:
    papers = [("minutes", "Cabinet", "2025-03-04"), ("strategy", "", "")]
    assert Filters(body="Audit Committee").why_nothing(papers) == 'no indexed paper matches board "Audit Committee"'
    assert Filters(doc_type="strategy", body="Cabinet").why_nothing(papers) == \
        'no indexed paper matches type strategy and board "Cabinet" together'
    assert Filters(date_to="2025-12-31").why_nothing(papers) is None  # an undated strategy passes, as in the store
    assert Filters(doc_type="minutes,plan", date_from="2025-03-04").why_nothing(papers) is None
    assert Filters().why_nothing([]) is None
    assert Filters(body="Health and Wellbeing Board", date_from="2026-01-01").describe() == [
        'board "Health & Wellbeing Board"', "meetings from 2026-01-01"]


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("What is item 7 on the agenda?", [{("figure", 7)}]),
        ("What was agenda item XIV about?", [{("roman", 14)}]),
        ("What is item L.5?", [{("letter", 12), ("roman", 50)}, {("figure", 5)}]),
        ("Which item for approval came first?", None),
        ("Is the item I raised on the agenda?", None),
        ("Was the item 20% over budget?", None),
    ],
)
def test_an_item_named_by_its_number_is_read_from_the_question(question, expected) -> None:
    assert item_reference(question) == expected


@pytest.mark.parametrize(
    ("question", "words"),
    [
        ("What is item M.1 on the LADWP board agenda for 25 January 2022?", "CONFERENCE WITH LEGAL COUNSEL"),
        ("What was item 12 at the Bristol transport committee on 15 May 2025?", "Southern Gateway and Friary"),
        ("What is item XI on the Hermosa Beach City Council agenda of 10 January 2023?", "CONSENT CALENDAR"),
    ],
)
def test_an_item_asked_for_by_its_number_is_answered_with_that_item(real_engine, question, words) -> None:
    """Numbers are words no ranker weighs; the paper's own numbering finds the item."""
    answer = real_engine.ask(question)
    assert not answer.abstained
    assert words.lower() in answer.answer.lower()
    assert answer.citations and words.lower() in answer.citations[0].quote.lower() + answer.citations[0].section.lower()
