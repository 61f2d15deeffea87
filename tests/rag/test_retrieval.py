from __future__ import annotations

from pathlib import Path

import pytest
from llama_index.core.schema import TextNode

from eval.metrics import holds_quote
from eval.runner import shown_text
from index import DocumentEntry, KeywordIndex, Manifest
from ingest import DocumentMetadata, DocumentRecord, SectionRecord
from rag import Filters
from rag.lexical import QueryTerms
from rag.retrieval import MODES, item_reference, outline_items

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


def headings(items) -> list[str]:
    return [item.heading for item in items]


def test_a_list_question_naming_a_heading_gets_its_sub_headings_in_order(engine) -> None:
    items = outline_items(engine.index, "What are the commitments under Key Area 1?")
    assert headings(items) == ["Integrate healthier places in all policies", "Create a healthier environment",
                               "Strengthen community capacity and secure investment to deliver healthier places"]
    assert all(item.leaf and item.path[0].startswith("Key Area 1:") for item in items)  # the body, not the appendix
    principles = outline_items(engine.index, "What were the five principles of the strategy?")
    assert len(principles) == 5 and principles[-1].heading == "5. Co-design approach"


def test_a_numbered_family_is_named_by_its_label_in_the_plural(engine) -> None:
    items = outline_items(engine.index, "What are the three Key Areas of focus?")
    assert [h.split(":")[0] for h in headings(items)] == ["Key Area 1", "Key Area 2", "Key Area 3"]
    assert not any(item.leaf for item in items)  # their chunks sit under sub-headings
    assert outline_items(engine.index, "Which area is named as a key area with over-reported crime?") == []


def test_question_style_sub_headings_are_not_an_outline(engine) -> None:
    # The appendix splits each commitment into "What have we done so far?" and the like.
    assert outline_items(engine.index, "What has been done so far to support a healthier workforce?") == []


def test_outline_respects_filters(engine) -> None:
    question = "What are the commitments under Key Area 1?"
    assert outline_items(engine.index, question, Filters(doc_type="minutes").to_metadata_filters()) == []


def test_a_restated_heading_is_the_same_heading_but_a_neighbour_is_not() -> None:
    from rag.retrieval import _same_heading

    assert _same_heading(("Key Area 3: Ensuring delivery of coordinated care",),
                         ("Appendix I", "Key Area 3: Ensuring coordinated care"))
    assert not _same_heading(("Key Area 1: Creating a healthier place",), ("Key Area 3: Creating a healthier place",))
    assert not _same_heading(("Our five principles",), ("Our vision and guiding principles",))


class _Outlines:
    """An index that holds only what the outline needs: each document's record (heading
    paths and chunk ids) and the keyword statistics of its chunks."""

    def __init__(self, entries: list[dict]) -> None:
        self.keyword = KeywordIndex.build(
            [TextNode(text=" ".join(e["path"]) + " " + e.get("text", ""), metadata={"doc_id": e["doc_id"]},
                      excluded_embed_metadata_keys=["doc_id"]) for e in entries], generation=0)
        by_doc: dict[str, list[dict]] = {}
        for e in entries:
            by_doc.setdefault(e["doc_id"], []).append(e)
        records = {
            doc_id: DocumentRecord(doc_id, DocumentMetadata(doc_id, found[0]["doc_type"]), tuple(
                SectionRecord(e["path"], i, i + 1, (f"{doc_id}-{i}",)) for i, e in enumerate(found)))
            for doc_id, found in by_doc.items()
        }
        self.manifest = Manifest(Path("unused"), generation=len(entries))
        self.manifest.documents = {d: DocumentEntry(d, "", "", "", "", "", 1, state="ready") for d in by_doc}
        self.records = _Records(records)
        self.derived: dict = {}


class _Records(dict):
    def records(self, doc_ids) -> list[DocumentRecord]:
        return [self[d] for d in doc_ids]


def two_councils() -> _Outlines:
    entries = []
    for doc_id, doc_type, names in (("m", "minutes", ("Rough sleeping", "Repairs")),
                                    ("s", "strategy", ("New homes", "Warm homes", "Empty homes"))):
        for i, name in enumerate(names):
            entries.append({"doc_id": doc_id, "doc_type": doc_type, "path": ("Priority 1: Housing", name),
                            "text": f"Our commitment is to work on {name.lower()}."})
        entries.append({"doc_id": doc_id, "doc_type": doc_type, "path": ("Priority 2: Transport", "Buses"),
                        "text": "We will run more buses."})
    entries += [{"doc_id": "x", "doc_type": "other", "path": (f"Budget {i}",), "text": "Money."}
                for i in range(30)]  # other chunks, so the housing words are rare
    return _Outlines(entries)


def test_filters_choose_the_heading_among_the_documents_they_keep() -> None:
    keyword = two_councils()
    question = "What are the commitments under Priority 1?"
    assert headings(outline_items(keyword, question, Filters(doc_type="strategy").to_metadata_filters())) == [
        "New homes", "Warm homes", "Empty homes"]
    assert headings(outline_items(keyword, question, Filters(doc_type="minutes").to_metadata_filters())) == [
        "Rough sleeping", "Repairs"]


def test_a_question_with_a_topic_of_its_own_is_not_answered_by_the_outline() -> None:
    keyword = two_councils()
    assert outline_items(keyword, "What are the commitments under Priority 1?")
    assert outline_items(keyword, "What are the commitments on rough sleeping under Priority 1?") == []
    assert outline_items(keyword, "What are the commitments on damp and mould under Priority 1?") == []


def test_families_numbered_by_letter_or_with_bare_labels_are_found() -> None:
    entries = [{"doc_id": "s", "doc_type": "strategy", "path": (section,), "text": "Our theme."}
               for section in ["Theme A: Homes", "Theme B: Jobs", "Theme C: Health", "Priority 1", "Priority 2"]]
    entries += [{"doc_id": "x", "doc_type": "other", "path": (f"Note {i}",), "text": "Text."} for i in range(20)]
    keyword = _Outlines(entries)
    assert headings(outline_items(keyword, "What are the themes?")) == ["Theme A: Homes", "Theme B: Jobs",
                                                                      "Theme C: Health"]
    assert headings(outline_items(keyword, "What are the priorities?")) == ["Priority 1", "Priority 2"]


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
