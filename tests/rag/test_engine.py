from __future__ import annotations

import json
import re

import pytest
from click.testing import CliRunner

from council_qa.cli import cli
from rag import REFUSAL, Filters, Turn
from rag.citations import MARKER, quote_occurs

SEND = "Special Educational Needs and Disabilities (SEND)"

KNOWN = [
    ("How much do independent SEND placements cost?", ["£80,000", "£110,000"], SEND),
    ("How many EHCPs are there in Barnet?", ["4,000"], SEND),
    ("How many trees did the Barnet Tree Policy commit to planting?", ["4,500"], "Create a healthier environment"),
    ("How big are the neighbourhoods used for neighbourhood health?", ["60,000"], "Neighbourhood Health"),
    ("Who from Healthwatch Barnet spoke under other business?", ["Sarah Campbell"], "Other Business"),
    ("What will the March meeting's deep dive cover?", ["physical activity"], "Forward Work Programme"),
    ("How much was invested in the two new leisure facilities?", ["£41.5m"], "Strengthen community capacity"),
    ("How many Social Prescribing Link Workers were recruited?", ["15"], "Strengthen community capacity"),
    ("How many electric vehicle charge points were installed?", ["100"], "Create a healthier environment"),
    ("What is the vision of the strategy?", ["London Borough of Health"], "Our vision"),
    ("How many primary care networks have been formed in Barnet?", ["seven"], "Primary Care Networks"),
    ("When was the Barnet Integrated Care Partnership established?", ["2019"], "Integrated Care Partnership"),
    ("What ban on junk food advertising near schools was negotiated?", ["200m"], "Create a healthier environment"),
    ("What share of places were taken up on the National Diabetes Prevention contract?", ["85%"],
     "Prevent long term conditions"),
    ("What did the board note about the Better Care Fund?", ["Better Care Fund"], "Better Care Fund"),
    ("What is planned to prevent cardiovascular disease?", ["cardiovascular disease (CVD) prevention programme"],
     "Prevent long term conditions"),
]

OUT_OF_CORPUS = [
    "What is the council tax rate in Barnet for 2026?",
    "What are the average A&E waiting times at Barnet Hospital?",
]
# Questions whose topic the papers hold but not the thing asked: a sum, a date, a count,
# or another council's board.
CLOSE_MISSES = [
    "What is the annual budget of the Barnet Flu programme?",
    "On what date will the new carers strategy be published?",
    "How many special school places is the council creating?",
    "What is the rate of hospital admissions per 100,000 older people in Barnet?",
    "What did Camden's Health and Wellbeing Board decide about carers?",
    "On what date in June will the Health and Wellbeing Board meet?",
    "Which company was awarded the council's advertising contract?",
    "How many young people took part in the CYP COVID-19 health impact assessment?",
]


def assert_well_cited(answer) -> None:
    numbers = sorted({int(n) for m in MARKER.finditer(answer.answer) for n in re.findall(r"\d+", m.group(1))})
    assert numbers == [c.n for c in answer.citations] == list(range(1, len(answer.citations) + 1))
    for citation in answer.citations:
        assert quote_occurs(citation.quote, citation.text), citation.quote
        assert citation.title and citation.source.startswith("data/corpus/")


@pytest.mark.parametrize(("question", "expected", "section"), KNOWN)
def test_known_answers_are_cited_to_their_section(engine, question, expected, section) -> None:
    answer = engine.ask(question)
    assert not answer.abstained, answer.answer
    for fact in expected:
        assert fact in answer.answer
    assert_well_cited(answer)
    holding = [c for c in answer.citations if all(f in " ".join(c.text.split()) for f in expected)]
    assert holding, "no citation holds the answer"
    assert section in holding[0].section


@pytest.mark.parametrize("question", OUT_OF_CORPUS)
def test_out_of_corpus_questions_abstain_with_related_passages(engine, question) -> None:
    answer = engine.ask(question)
    assert answer.abstained and answer.answer == REFUSAL
    assert answer.citations == []
    assert 1 <= len(answer.related) <= 3
    assert all(quote_occurs(r.quote, r.text) for r in answer.related)


@pytest.mark.parametrize("question", CLOSE_MISSES)
def test_close_misses_are_refused(engine, question) -> None:
    answer = engine.ask(question)
    assert answer.abstained and answer.citations == []
    assert answer.answer == REFUSAL or answer.answer.startswith("The passages I found do not mention")


@pytest.mark.parametrize(("question", "message"), [
    # Camden is in one chunk of Barnet's papers (the NCL boroughs), not in its SEND figures.
    ("How much do independent SEND placements cost in Camden?", REFUSAL),
    ("How many EHCPs are there in Enfield?", REFUSAL),
    ("What are the opening hours of Hendon Library?",
     "The passages I found do not mention Hendon Library, so the papers I have cannot answer this question."),
])
def test_a_place_the_answering_passages_do_not_name_is_refused(engine, question, message) -> None:
    answer = engine.ask(question)
    assert answer.abstained and answer.answer == message and answer.citations == []
    # Asked of Barnet, the same figures are answered.
    barnet = engine.ask(question.replace("Camden", "Barnet").replace("Enfield", "Barnet"))
    assert barnet.abstained == (question == "What are the opening hours of Hendon Library?")


def test_typos_are_corrected_before_retrieval(engine) -> None:
    answer = engine.ask("How many socail prescribing link wrokers were recruited?")
    assert answer.standalone_question == "How many social prescribing link workers were recruited?"
    assert not answer.abstained and "15" in answer.answer


def test_each_part_of_a_compound_question_is_answered_from_its_own_document(engine) -> None:
    answer = engine.ask("How many trees did the Tree Policy commit to planting, and who from Healthwatch Barnet "
                        "spoke under other business?")
    assert not answer.abstained
    assert "4,500" in answer.answer and "Sarah Campbell" in answer.answer
    assert_well_cited(answer)
    assert {c.doc_type for c in answer.citations} >= {"strategy", "minutes"}


def test_a_figure_missing_for_one_part_does_not_refuse_the_other_part(engine) -> None:
    # The whole question asks for a percentage the papers lack; its second part is answerable.
    question = "What percentage of carers were satisfied, and which special schools are being rebuilt in Barnet?"
    answer = engine.ask(question)
    assert answer.features["typed_answer"] == 1.0  # the missing percentage does not count against the whole
    alone = engine.ask("What percentage of carers were satisfied?")
    assert alone.abstained and alone.features["typed_answer"] == 0.0
    assert answer.evidence > 2 * alone.evidence
    # Whether it is answered is the calibrated model's call (0.416 against a cut of 0.420 as
    # fitted on 2026-12-06); answered, the schools part is the answer.
    forced = type(engine)(engine.settings.replace(abstain_threshold=0.0), index=engine.index).ask(question)
    assert "Oakley and Mappledown" in forced.answer
    assert_well_cited(forced)


def test_follow_up_is_rewritten_from_history(engine) -> None:
    history = [Turn("user", "What did the board note about the Better Care Fund plan?"),
               Turn("assistant", "The board noted the Barnet Better Care Fund (BCF) plan for 2025-26. [1]")]
    answer = engine.ask("and who approved it?", history=history)
    assert "Better Care Fund" in answer.standalone_question
    assert not answer.abstained
    assert any("Better Care Fund" in c.section for c in answer.citations)
    alone = engine.ask("and who approved it?")
    assert alone.standalone_question == "and who approved it?"


def test_filters_restrict_sources(engine) -> None:
    question = "What is being done about physical activity?"
    minutes = engine.ask(question, filters=Filters(doc_type="minutes"))
    assert minutes.retrieved and all(h.node.metadata["doc_type"] == "minutes" for h in minutes.retrieved)
    strategy = engine.ask(question, filters=Filters(doc_type="strategy"))
    assert all(h.node.metadata["doc_type"] == "strategy" for h in strategy.retrieved)
    dated = engine.ask(question, filters=Filters(date_from="2026-01-01", date_to="2026-01-31"))
    assert dated.retrieved and all(h.node.metadata["meeting_date"] == "2026-01-22" for h in dated.retrieved)
    none = engine.ask(question, filters=Filters(date_from="2027-01-01"))
    assert none.abstained and none.retrieved == []
    assert "no indexed paper matches meetings from 2027-01-01" in none.answer
    together = engine.ask(question, filters=Filters(doc_type="strategy", date_from="2026-01-01"))
    assert "no indexed paper matches type strategy and meetings from 2026-01-01 together" in together.answer
    board = engine.ask(question, filters=Filters(body="Health and Wellbeing Board", doc_type="minutes"))
    assert board.retrieved and all(h.node.metadata["body"] == "Health & Wellbeing Board" for h in board.retrieved)


def test_timings_are_reported(engine) -> None:
    answer = engine.ask("How many EHCPs are there in Barnet?")
    assert set(answer.timings_ms) >= {"retrieve", "rerank", "generate", "total"}
    assert answer.timings_ms["total"] >= answer.timings_ms["retrieve"] > 0


def test_ask_json_shape(corpus_settings) -> None:
    result = CliRunner().invoke(cli, ["--home", str(corpus_settings.home), "ask", "--json",
                                      "How much do independent SEND placements cost?"])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert set(payload) == {"answer", "abstained", "citations", "related", "timings_ms"}
    citation = payload["citations"][0]
    assert {"n", "doc_id", "title", "doc_type", "section", "page", "meeting_date", "source", "quote", "text",
            "score"} <= set(citation)
    assert set(payload["timings_ms"]) >= {"retrieve", "rerank", "generate", "total"}


def test_ask_file_answers_every_line_loading_once(corpus_settings, tmp_path) -> None:
    questions = tmp_path / "questions.txt"
    questions.write_text("How much do independent SEND placements cost?\n\nWhat is the capital of France?\n",
                         encoding="utf-8")
    result = CliRunner().invoke(cli, ["--home", str(corpus_settings.home), "ask", "--json", "--file", str(questions)])
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [line["question"] for line in lines] == ["How much do independent SEND placements cost?",
                                                    "What is the capital of France?"]
    assert "£80,000" in lines[0]["answer"] and lines[1]["abstained"]
    both = CliRunner().invoke(cli, ["--home", str(corpus_settings.home), "ask", "x", "--file", str(questions)])
    assert both.exit_code == 2 and "not both" in both.output


def test_ask_rejects_bad_filters(corpus_settings) -> None:
    result = CliRunner().invoke(cli, ["--home", str(corpus_settings.home), "ask", "x", "--filter", "colour=red"])
    assert result.exit_code == 2 and "bad filter" in result.output


def test_an_overlong_question_is_declined_without_any_retrieval(engine) -> None:
    question = "What did the board decide about carers? " * 200
    answer = engine.ask(question)
    assert answer.abstained and answer.citations == [] and answer.retrieved == []
    assert f"{engine.settings.max_question_chars:,} characters" in answer.answer
    assert "retrieve" not in answer.timings_ms
