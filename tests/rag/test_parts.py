from __future__ import annotations

import pytest
from llama_index.core.schema import NodeWithScore, TextNode

from rag.engine import interleave
from rag.parts import part_queries, question_parts


@pytest.mark.parametrize(("question", "parts"), [
    ("What has Barnet done with its Fit & Active Barnet framework, and when will the board next look at it?",
     ["What has Barnet done with its Fit & Active Barnet framework", "when will the board next look at it?"]),
    ("What is the board going to look at in March? Anything on exercise or food?",
     ["What is the board going to look at in March?", "Anything on exercise or food?"]),
    ("The strategy commits to care at neighbourhood level; how big are the neighbourhoods?",
     ["The strategy commits to care at neighbourhood level", "how big are the neighbourhoods?"]),
    ("What is Fit & Active Barnet and is the board still talking about it?",
     ["What is Fit & Active Barnet", "is the board still talking about it?"]),
])
def test_compound_questions_are_split_into_what_they_ask(question, parts) -> None:
    assert question_parts(question) == parts


@pytest.mark.parametrize("question", [
    "How many EHCPs are there in Barnet?",
    "What are the health and care needs of carers and young carers?",  # "and" joins nouns, not questions
    "Who approved the plan, and why?",  # too short to be a question of its own
    "SEND inspection",
])
def test_simple_questions_stay_whole(question) -> None:
    assert question_parts(question) == [question]


def test_later_parts_carry_the_first_parts_topic() -> None:
    queries = part_queries("What has Barnet done with its Fit & Active Barnet framework, and when will the board "
                           "next look at it?")
    assert queries[0] == "What has Barnet done with its Fit & Active Barnet framework"
    assert queries[1].startswith("when will the board next look at it?")
    assert "Fit" in queries[1] and "framework" in queries[1] and " its " not in queries[1]


def test_interleave_takes_each_rankings_next_best_in_turn_once() -> None:
    def ranking(*ids: str) -> list[NodeWithScore]:
        return [NodeWithScore(node=TextNode(id_=i, text=i), score=1.0) for i in ids]

    merged = interleave([ranking("a", "b", "c"), ranking("a", "d"), ranking("e")])
    assert [n.node.node_id for n in merged] == ["a", "e", "b", "d", "c"]


def test_when_a_part_stands_alone_is_a_setting() -> None:
    from council_qa.config import AnswerThresholds

    question = "How many trees were planted, and who from Healthwatch Barnet spoke under other business?"
    leaning = AnswerThresholds(part_standalone_terms=10)  # every later part counts as leaning on the first
    assert part_queries(question, leaning)[1].endswith("(trees planted)")
    assert question_parts("How many trees were planted, and where?") == ["How many trees were planted, and where?"]
    assert len(question_parts("How many trees were planted, and where?", AnswerThresholds(part_min_terms=0))) == 2


def test_a_part_that_stands_alone_keeps_its_own_words() -> None:
    queries = part_queries("How many trees were planted, and who from Healthwatch Barnet spoke under other business?")
    assert queries[1] == "who from Healthwatch Barnet spoke under other business?"
