"""A cited sentence cannot carry a fact its source lacks (the LLM answer check)."""

from __future__ import annotations

import pytest
from llama_index.core.schema import TextNode

from rag.engine import ground
from rag.facts import numbers, unsupported_facts
from rag.types import Source
from tests.conftest import MEETING, STRATEGY


def paragraph(path, starts: str) -> str:
    return next(line for line in path.read_text(encoding="utf-8").splitlines() if line.startswith(starts))


SEND = paragraph(MEETING, "The board heard about the increasing complexity")
LEISURE = " ".join(STRATEGY.read_text(encoding="utf-8").split("Invested £41.5m")[1].split()[:20])
SOURCES = [Source(n=1, node=TextNode(text=SEND, metadata={"section": "Special Educational Needs (SEND)"}), score=1.0),
           Source(n=2, node=TextNode(text="Invested £41.5m " + LEISURE, metadata={"section": "Leisure"}), score=0.5)]

# Each states something the papers do not: a changed amount, count, name, place, year or polarity.
WRONG = [
    "Independent placements can range from £80,000 to £190,000 per child. [1]",
    "Independent placements cost up to £9.9 million per child. [1]",
    "Independent placements can cost £3.2m per child. [1]",
    "There are over 40,000 Education, Health, and Care Plans in Barnet. [1]",
    "There are over 4,500 EHCPs in Barnet. [1]",
    "Barnet has 400 Education, Health and Care Plans. [1]",
    "The rebuild of Oakley and Mappledown schools will never open. [1]",
    "The rebuild of Oakley and Mappledown schools was refused. [1]",
    "The board rejected the rebuild of Oakley and Mappledown schools. [1]",
    "There is no shortage of special school places in Barnet. [1]",
    "Early identification is not a strength in Barnet. [1]",
    "The board did not hear about the demand for SEND services. [1]",
    "The rebuild of Oakley and Hendon schools is still underway. [1]",
    "The rebuild of Colindale and Mappledown schools is still underway. [1]",
    "Camden is managing the high costs of independent placements. [1]",
    "Enfield has over 4,000 Education, Health, and Care Plans. [1]",
    "The NHS is managing the high costs of independent placements. [1]",
    "Ofsted found over 4,000 Education, Health, and Care Plans in Barnet. [1]",
    "Over 4,000 EHCPs were recorded in 2019 in Barnet. [1]",
    "Independent placements cost £80,000 to £110,000 per child in 2031. [1]",
    "Placements range from 80% to 110% of the budget per child. [1]",
    "Independent placements cost £8,000 to £11,000 per child. [1]",
    "The council is managing the low costs of 12 independent placements. [1]",
    "Invested £14.5m into 2 brand new leisure facilities. [2]",
    "Invested £41.5m into 3 brand new leisure facilities. [2]",
    "Invested £41.5bn into 2 brand new leisure facilities. [2]",
    "Harrow invested £41.5m into 2 brand new leisure facilities. [2]",
    "The council never invested £41.5m in leisure facilities. [2]",
    "Invested £41.5m into 2 brand new leisure facilities at Wembley. [2]",
    "The board refused to invest £41.5m into 2 brand new leisure facilities. [2]",
]
RIGHT = [
    "Independent placements can cost from £80,000 to £110,000 per child. [1]",
    "Independent placements can cost up to £110k per child. [1]",
    "There are over 4,000 Education, Health, and Care Plans (EHCPs) in Barnet. [1]",
    "The rebuild of Oakley and Mappledown schools is still underway. [1]",
    "Invested £41.5 million into 2 brand new leisure facilities. [2]",
]


def test_amounts_are_compared_as_values() -> None:
    assert numbers("£3.2m") == numbers("£3,200,000") == numbers("3.2 million") == {"3200000"}
    assert numbers("85%") == numbers("85 per cent") == {"85%"}
    assert numbers("£9.9 million") != numbers("£3.2 million")


@pytest.mark.parametrize("sentence", WRONG)
def test_no_wrong_sentence_is_kept(sentence) -> None:
    assert ground(sentence, SOURCES) == "", unsupported_facts(sentence, SEND)


def test_right_sentences_are_kept_and_a_wrong_citation_is_re_pointed() -> None:
    for sentence in RIGHT:
        assert ground(sentence, SOURCES) == sentence
    assert ground("Invested £41.5m into 2 brand new leisure facilities. [1]", SOURCES).endswith("[2]")
    mixed = " ".join(RIGHT[:2] + WRONG[:3])
    assert ground(mixed, SOURCES) == " ".join(RIGHT[:2])


class InventingBackend:
    """A model that states one true sentence of its source, then an invented one, token by token."""

    name = "inventing"

    def __init__(self, settings) -> None:
        pass

    def condense(self, question, history):
        return question

    def generate(self, question, sources, context):
        true = next(s for s in sources[0].node.get_content().split(". ") if len(s.split()) > 5)
        text = f"{true}. [1] The board will never meet again, having spent £9.9 million. [1] Camden agreed. [1]"
        for i in range(0, len(text), 4):
            yield text[i:i + 4]


def test_only_checked_text_is_ever_streamed(engine) -> None:
    from rag import register_backend
    from rag.types import Answer

    register_backend("inventing", InventingBackend)
    shown, answer = "", None
    for event in engine.stream("How much do independent SEND placements cost?", backend="inventing"):
        if isinstance(event, Answer):
            answer = event
        else:
            shown += event
    assert shown and "never" not in shown and "9.9" not in shown and "Camden" not in shown
    assert answer is not None and not answer.abstained
    assert "never" not in answer.answer and "Camden" not in answer.answer
    assert answer.answer.startswith(shown.strip())


class RamblingBackend:
    """A model that writes 200 claims the check drops ("... 9.9 billion ...")."""

    name = "rambling"
    written = 0
    closed = False

    def __init__(self, settings) -> None:
        pass

    def condense(self, question, history):
        return question

    def generate(self, question, sources, context):
        try:
            for _ in range(200):
                RamblingBackend.written += 1
                yield "Camden spent £9.9 billion. [1] "
        finally:
            RamblingBackend.closed = True


def test_closing_the_stream_ends_the_models_work_while_nothing_is_shown(engine) -> None:
    from rag import register_backend

    register_backend("rambling", RamblingBackend)
    events = engine.stream("How much do independent SEND placements cost?", backend="rambling")
    for event in events:
        if RamblingBackend.written >= 5:
            break
        assert event == ""  # every claim is dropped, but each token still comes back
    events.close()  # what the web chat's Stop does
    assert RamblingBackend.closed and RamblingBackend.written < 10
