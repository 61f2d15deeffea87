from __future__ import annotations

import pytest
from llama_index.core.schema import TextNode

from council_qa.config import AnswerThresholds, Settings
from rag.backends.extractive import ExtractiveBackend, ScoredSentence, heading_label, named_sections
from rag.lexical import QueryTerms, content_terms
from rag.types import Sentence, Source

THRESHOLDS = AnswerThresholds()

AREA = "Key Area 2: Starting, Living and Ageing Well > Support a healthier workforce"


def source(n: int, section: str, text: str = "Some text.") -> Source:
    return Source(n=n, node=TextNode(text=text, metadata={"section": section}), score=1.0 / n)


def query(question: str, common: tuple[str, ...] = (), **fields) -> QueryTerms:
    """Question terms weighted as IDF would: words found everywhere (``common``) weigh little."""
    weights = {t: 0.1 if t in content_terms(" ".join(common)) else 1.0 for t in dict.fromkeys(content_terms(question))}
    return QueryTerms(weights, **fields)


def scored(src: Source, text: str, score: float, position: int = 0) -> ScoredSentence:
    return ScoredSentence(Sentence(src, position, text, set(content_terms(text))), score)


def cited(candidates: list[ScoredSentence], terms: QueryTerms, wants_list: bool = False) -> list[int]:
    """The sources of the sentences the backend chooses, in answer order."""
    return [c.source.n for c in ExtractiveBackend(Settings()).select(candidates, wants_list, terms)]


def test_a_question_naming_a_sub_heading_is_answered_from_that_section() -> None:
    sources = [
        source(1, AREA),
        source(2, f"{AREA} > What are we going to do next?"),
        source(3, f"{AREA} > What have we done so far?"),
        source(4, "Key Area 1 > Create a healthier environment > What have we done so far?"),
    ]
    terms = query("What has been done so far to support a healthier workforce?")
    assert named_sections(sources, terms, THRESHOLDS) == {3}


def test_a_stray_word_in_one_sub_heading_does_not_narrow_the_named_heading() -> None:
    sources = [
        source(1, "Our five principles > 1. Making health everyone's business"),
        source(2, "Our five principles > 2. Collaborative partnership"),
        source(3, "Our five principles > 4. Considering everyone's needs"),
        source(4, "Foreword"),
    ]
    terms = query("What are the five principles of the health strategy?", common=("health",))
    assert named_sections(sources, terms, THRESHOLDS) == {1, 2, 3}


def test_no_section_is_named_when_headings_hold_few_of_the_question_words() -> None:
    sources = [source(1, AREA), source(2, "Foreword")]
    assert named_sections(sources, query("Which employers signed the healthy workplace charter?"), THRESHOLDS) == set()


def test_other_sources_must_hold_the_kind_of_answer_asked_for() -> None:
    best, other, dated = source(1, "ICP"), source(2, "Other"), source(3, "History")
    terms = query("When was the partnership established?", answer_type="date", anchors=frozenset({"partnership"}))
    candidates = [
        scored(best, "The partnership was established in Autumn 2019.", 2.0),
        scored(other, "The partnership brings together hospitals, GPs and social care.", 1.9),
        scored(dated, "The partnership board first met in March 2020 to agree its terms.", 1.8),
    ]
    assert cited(candidates, terms) == [1, 3]


def test_another_source_is_cited_only_when_it_adds_to_the_answer() -> None:
    first, other = source(1, "Air quality"), source(2, "Air quality")
    best = scored(first, "We installed electric vehicle charge points to improve air quality.", 2.0)
    neighbour = scored(other, "The Air Quality Action Plan sets out measures for schools.", 1.8)
    # The neighbour holds "schools", which is asked and which the best sentence lacks.
    assert cited([best, neighbour], query("What is being done about air quality near schools?")) == [1, 2]
    # Asked only about air quality, it adds nothing: its citation would support nothing asked.
    plain = query("What is being done about air quality?")
    assert cited([best, neighbour], plain) == [1]
    # The same sentence from the other document is that document's side of the question.
    other.node.metadata["doc_id"] = "minutes"
    assert cited([best, neighbour], plain) == [1, 2]
    # A list question keeps every item, whatever words it repeats.
    other.node.metadata["doc_id"] = ""
    assert cited([best, neighbour], plain, wants_list=True) == [1, 2]


def test_a_question_that_names_a_heading_is_answered_from_that_section_even_when_not_a_list() -> None:
    developed, foreword = source(1, "How we developed this strategy"), source(2, "Foreword")
    sentences = [
        Sentence(foreword, 0, "This strategy was developed with residents and partners across Barnet.",
                 set(content_terms("This strategy was developed with residents and partners across Barnet.")), 0.9),
        Sentence(developed, 0, "The JSNA formed the basis for this strategy.",
                 set(content_terms("The JSNA formed the basis for this strategy.")), 0.5),
    ]
    terms = query("How was the strategy developed?")
    backend = ExtractiveBackend(Settings())
    chosen = backend.choose("How was the strategy developed?", [developed, foreword], terms, sentences)
    assert [c.source.n for c in chosen] == [1]


def test_a_question_the_papers_barely_know_names_no_heading() -> None:
    sources = [source(1, "Appendix I: implementation plan > Key Area 3"), source(2, "Foreword")]
    # "how many kids have an EHC plan rn?": only "plan" is a word of the papers.
    terms = QueryTerms({"plan": 0.4}, unknown_share=0.97)
    assert named_sections(sources, terms, THRESHOLDS) == set()
    assert named_sections(sources, QueryTerms({"plan": 0.4}), THRESHOLDS) == {1}


def test_the_best_sources_own_sentences_are_let_in_at_a_lower_score() -> None:
    best, other = source(1, "SEND"), source(2, "Neighbourhood Health")
    terms = query("When is the SEND inspection?")
    candidates = [
        scored(best, "The board discussed the Ofsted and CQC area inspection for SEND.", 2.0, position=0),
        scored(best, "It is scheduled between 2026 and spring 2027.", 1.2, position=1),
        scored(other, "The board received an update on neighbourhood health teams.", 1.2),
    ]
    chosen = ExtractiveBackend(Settings()).select(candidates, wants_list=False, terms=terms)
    assert [c.text for c in chosen] == [candidates[0].text, candidates[1].text]  # no second citation


def test_the_answer_shape_setting_sets_how_many_sentences_an_answer_gives() -> None:
    best = source(1, "SEND")
    terms = query("When is the SEND inspection?")
    said = ["The SEND inspection is due in spring.", "Ofsted and CQC will inspect together.",
            "Leaders prepared a self-evaluation.", "Parents were surveyed in January.", "Findings go to the board."]
    candidates = [scored(best, text, 2.0 - i / 10, position=i) for i, text in enumerate(said)]
    default = ExtractiveBackend(Settings()).select(candidates, wants_list=False, terms=terms)
    one = Settings.from_env({"COUNCIL_QA_ANSWER_SHAPE": '{"sentences": 1}'})
    assert len(default) == Settings().answer_shape.sentences == 3
    assert [c.text for c in ExtractiveBackend(one).select(candidates, wants_list=False, terms=terms)] == [
        candidates[0].text]


def test_an_item_answer_gives_its_title_and_a_leafs_opening_sentence() -> None:
    from rag.backends import AnswerContext
    from rag.retrieval import OutlineItem

    area = "Key Area 1: Creating a healthier place"
    leaf = source(1, f"{area} > Integrate", "We will put health in all policies. More detail follows here.")
    context = AnswerContext(terms=query("What is item 1.1?"),
                            item=OutlineItem("1. Integrate", (area, "Integrate"), [{"path": (area, "Integrate")}]))
    text = "".join(ExtractiveBackend(Settings()).generate("What is item 1.1?", [leaf], context))
    assert text == "Integrate: We will put health in all policies. [1]"
    assert context.quotes == {1: "We will put health in all policies."}
    parent = source(1, "Key Area 2: Ageing well > Get moving", "We will improve choices for activity.")
    context = AnswerContext(terms=query("What is item 2?"), item=OutlineItem(
        "Key Area 2: Ageing well", ("Key Area 2: Ageing well",), [{"path": ("Key Area 2: Ageing well", "Get")}]))
    assert "".join(ExtractiveBackend(Settings()).generate("What is item 2?", [parent], context)) == \
        "Key Area 2: Ageing well. [1]"


@pytest.mark.parametrize(("heading", "line"), [("2.1 Housing and homelessness", "Housing and homelessness."),
                                               ("5 ways to wellbeing", "5 ways to wellbeing."),
                                               ("3) Buses", "Buses.")])
def test_an_item_title_drops_its_numbering_but_not_numbers_that_are_words(heading, line) -> None:
    from rag.backends import AnswerContext
    from rag.retrieval import OutlineItem

    context = AnswerContext(terms=query("What is the item?"), item=OutlineItem(heading, (heading,), [{"path": (heading, "x")}]))
    text = "".join(ExtractiveBackend(Settings()).generate("What is the item?", [source(1, heading, "Text.")], context))
    assert text == f"{line} [1]"


def test_a_column_heading_names_its_parent_as_the_topic() -> None:
    column = source(1, f"{AREA} > What have we done so far?")
    assert column.topic == "Support a healthier workforce"
    assert heading_label(column) == "Support a healthier workforce (what have we done so far)"
    plain = source(2, "Neighbourhood Health")
    assert plain.topic == heading_label(plain) == "Neighbourhood Health"
    assert source(3, "").topic == heading_label(source(3, "")) == ""


def test_a_preamble_is_cited_only_as_the_best_source() -> None:
    body, preamble = source(1, "Other Business"), source(2, "")
    terms = query("Is the board changing how it runs after the peer review?")
    summary = "The board met on 22 January to discuss children's services and the Better Care Fund."
    candidates = [
        scored(body, "The board discussed its own operation following a recent LGA peer review.", 2.0),
        scored(preamble, summary, 1.9),
    ]
    chosen = ExtractiveBackend(Settings()).select(candidates, wants_list=False, terms=terms)
    assert [c.text for c in chosen] == [candidates[0].text]
    first = ExtractiveBackend(Settings()).select([scored(preamble, summary, 2.0), candidates[0]], wants_list=False,
                                     terms=terms)
    assert [c.source.n for c in first] == [2, 1]  # the best source may be the preamble


def test_a_chosen_sentence_is_given_with_its_short_paragraph_but_a_long_one_is_not() -> None:
    from rag.backends.extractive import whole_records

    record_words = Settings().answer_shape.record_words

    motion = ("Recommendation 4C was moved by Councillor Plowden and seconded by Councillor Bryher.\n"
              "On being put to the vote the recommendation was LOST (4 members voting in favour, 5 against).")
    long = " ".join(["The committee discussed parking at length."] * (record_words // 5))
    src = source(1, "7 Parking", f"Earlier discussion of the item.\n\n{motion}\n\n{long}")
    chosen = whole_records([scored(src, "Recommendation 4C was moved by Councillor Plowden and seconded by "
                                        "Councillor Bryher.", 1.0),
                            scored(src, "On being put to the vote the recommendation was LOST (4 members voting "
                                        "in favour, 5 against).", 0.9),
                            scored(src, "The committee discussed parking at length.", 0.8)], record_words)
    assert [c.text for c in chosen] == [" ".join(motion.split()), "The committee discussed parking at length."]


def test_a_paragraph_given_whole_leaves_out_its_printed_number() -> None:
    from rag.backends.extractive import whole_records

    # As WECA's outturn report numbers its paragraphs: "53." is the paper's, not the answer's,
    # and quoted inline it would be read as a claim of its own ("General & Usable Reserves: 53.").
    paragraph = ("53. Major changes since 2025/26 budget setting include reductions for Bristol to Bath\n"
                 "Strategic Corridor (\u00a318.0m) and Charfield Station (\u00a38.5m).")
    src = source(1, "General & Usable Reserves (\u00a3000s)", f"Earlier text of the report.\n\n{paragraph}")
    sentence = ("Major changes since 2025/26 budget setting include reductions for Bristol to Bath Strategic "
                "Corridor (\u00a318.0m) and Charfield Station (\u00a38.5m).")
    chosen = whole_records([scored(src, sentence, 1.0)], Settings().answer_shape.record_words)
    assert [c.text for c in chosen] == [sentence]


def test_a_lead_in_ending_in_a_colon_is_quoted_without_a_full_stop_after_it() -> None:
    from rag.backends import AnswerContext

    text = "Recommendation: Staff recommends City Council:\n\n1. Award a contract for plan checks to Transtech."
    src = source(1, "Plan checking services", text)
    sentences = [Sentence(src, 0, "Recommendation: Staff recommends City Council:", {"recommend", "staff", "council"}),
                 Sentence(src, 1, "Award a contract for plan checks to Transtech.", {"award", "contract", "plan"})]
    for s in sentences:
        s.cosine = 0.6
    question = "What does staff recommend for plan checks?"
    answer = "".join(ExtractiveBackend(Settings()).generate(
        question, [src], AnswerContext(terms=query(question), sentences=sentences)))
    assert "Council: [1]" in answer and ":." not in answer
    # Given whole with its point, the number inside the paragraph is left out too.
    src = source(1, "Plan checking services", text.replace("\n\n", "\n"))
    for s in sentences:
        s.source = src
    answer = "".join(ExtractiveBackend(Settings()).generate(
        question, [src], AnswerContext(terms=query(question), sentences=sentences)))
    assert answer == "Recommendation: Staff recommends City Council: Award a contract for plan checks to Transtech. [1]"


def test_a_list_item_quoted_alone_drops_the_and_that_joined_it_to_the_next() -> None:
    from rag.backends import AnswerContext

    # Hermosa Beach's recommendation, item by item: "... (Attachment 6); and" was read back as "; and."
    item = "Award a contract for on-call plan check services to Bureau Veritas, Inc. (Attachment 6); and"
    src = source(1, "Plan checking services", f"Staff recommends City Council:\n\n1. {item}\n\n2. Authorize the City Manager.")
    sentence = Sentence(src, 1, item, {"award", "contract", "plan", "check"})
    sentence.cosine = 0.6
    question = "Who is the plan check contract awarded to?"
    answer = "".join(ExtractiveBackend(Settings()).generate(
        question, [src], AnswerContext(terms=query(question), sentences=[sentence])))
    assert "(Attachment 6); [1]" in answer and "and." not in answer
