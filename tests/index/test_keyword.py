"""The per-document BM25 index: tokens, the scores bm25s gives, updates that touch only
what changed, filters, and what is kept on disk."""

from __future__ import annotations

from pathlib import Path

import bm25s
import numpy as np
import pytest
from llama_index.core.schema import MetadataMode, TextNode
from llama_index.core.vector_stores.types import FilterOperator, MetadataFilter, MetadataFilters

from council_qa.config import BUNDLED_CORPUS
from index import terms
from index.keyword import SEGMENTS, KeywordIndex, Segment, _bm25_terms


def chunks(doc_id: str, texts: list[str], **fields: object) -> list[TextNode]:
    return [TextNode(id_=f"{doc_id}-{i:04d}", text=text,
                     metadata={"doc_id": doc_id, "chunk_index": i, "section": "", **fields},
                     excluded_embed_metadata_keys=["doc_id", "chunk_index", "section", *fields])
            for i, text in enumerate(texts)]


def paragraphs(name: str) -> list[str]:
    text = (BUNDLED_CORPUS / name).read_text(encoding="utf-8")
    return [p for p in (" ".join(p.split()) for p in text.split("\n\n")) if len(p.split()) > 5]


STRATEGY = chunks("strategy", paragraphs("barnet-jhws-2021-2025-strategy.txt"), doc_type="strategy",
                  body="Health & Wellbeing Board", meeting_day=20210101)
MEETING = chunks("meeting", paragraphs("barnet-hwbb-2026-01-22-meeting-summary.txt"), doc_type="minutes",
                 body="Health & Wellbeing Board", meeting_day=20260122)
def same(found: list[tuple[str, float]], expected: list[tuple[str, float]]) -> bool:
    return [i for i, _ in found] == [i for i, _ in expected] and np.allclose([s for _, s in found],
                                                                           [s for _, s in expected])


QUESTIONS = ["how many social prescribers are there", "council tax", "mental health support for young people",
             "when did the board meet in January", "healthy weight children obesity"]


def test_scores_are_those_of_bm25s_on_the_same_terms() -> None:
    nodes = STRATEGY + MEETING
    index = KeywordIndex.build(nodes, generation=1)
    texts = [_bm25_terms(n.get_content(metadata_mode=MetadataMode.EMBED)) for n in nodes]
    reference = bm25s.BM25()  # Lucene's BM25, k1 1.5, b 0.75
    reference.index(texts, show_progress=False)
    for question in QUESTIONS:
        expected = reference.get_scores(_bm25_terms(question))
        found = dict(index.search(question, top_k=len(nodes)))
        got = np.array([found.get(n.node_id, 0.0) for n in nodes])
        assert np.allclose(got, expected, atol=1e-4), question
        assert [i for i, _ in index.search(question, 5)] == [nodes[i].node_id for i in np.argsort(-expected, kind="stable")[:5]]


def test_an_update_tokenises_only_the_documents_that_changed(tmp_path: Path) -> None:
    path = tmp_path / "bm25"
    store = {"strategy": STRATEGY, "meeting": MEETING}
    fetched: list[str] = []

    def fetch(doc_id: str) -> list[TextNode]:
        fetched.append(doc_id)
        return store[doc_id]

    KeywordIndex.updated(path, {"strategy": "s1"}, fetch, generation=1).save(path)
    index = KeywordIndex.updated(path, {"strategy": "s1", "meeting": "m1"}, fetch, generation=2)
    index.save(path)
    assert fetched == ["strategy", "meeting"]  # the strategy was read back as saved, not tokenised again
    whole = KeywordIndex.build(STRATEGY + MEETING, generation=2)
    for question in QUESTIONS:
        assert same(index.search(question, 8), whole.search(question, 8)), question
    assert index.document_frequencies == whole.document_frequencies and index.words == whole.words

    # Removed: gone from results, statistics and disk, the other document untouched.
    index = KeywordIndex.updated(path, {"meeting": "m1"}, fetch, generation=3)
    index.save(path)
    assert fetched == ["strategy", "meeting"]
    assert all(node_id.startswith("meeting") for question in QUESTIONS for node_id, _ in index.search(question, 20))
    assert index.size == len(MEETING) and index.document_frequencies == KeywordIndex.build(MEETING, 3).document_frequencies
    assert sorted(p.name for p in (path / SEGMENTS).iterdir()) == [Segment.file_name_of("meeting", "m1")]
    loaded = KeywordIndex.load(path)
    assert loaded is not None and loaded.generation == 3 and loaded.stamps == {"meeting": "m1"}
    assert same(loaded.search("board meeting", 5), index.search("board meeting", 5))

    # A new stamp (its metadata corrected, its text edited) is tokenised again.
    store["meeting"] = chunks("meeting", paragraphs("barnet-hwbb-2026-01-22-meeting-summary.txt"), doc_type="report",
                              body="Cabinet", meeting_day=20260122)
    index = KeywordIndex.updated(path, {"meeting": "m2"}, fetch, generation=4)
    assert fetched[-1] == "meeting" and index.stamps == {"meeting": "m2"}
    cabinet = MetadataFilters(filters=[MetadataFilter(key="body", value="Cabinet", operator=FilterOperator.EQ)])
    assert index.search("board meeting", 3, cabinet)


def test_a_segment_file_gone_under_a_reader_is_read_again_not_a_crash(tmp_path: Path) -> None:
    """A reader racing a writer may find a listed segment removed: it reads again, and
    what cannot be read back is tokenised afresh from the store."""
    path = tmp_path / "bm25"
    store = {"strategy": STRATEGY, "meeting": MEETING}
    KeywordIndex.updated(path, {"strategy": "s1", "meeting": "m1"}, store.__getitem__, generation=1).save(path)
    (path / SEGMENTS / Segment.file_name_of("meeting", "m1")).unlink()
    assert KeywordIndex.load(path) is None
    fetched: list[str] = []
    index = KeywordIndex.updated(path, {"strategy": "s1", "meeting": "m1"},
                                 lambda doc_id: fetched.append(doc_id) or store[doc_id], generation=2)
    assert sorted(set(fetched)) == ["meeting", "strategy"] and index.size == len(STRATEGY) + len(MEETING)
    index.save(path)
    assert KeywordIndex.load(path).size == index.size


def test_filters_read_the_chunks_own_fields() -> None:
    index = KeywordIndex.build(STRATEGY + MEETING, generation=1)

    def found(*conditions: MetadataFilter, **options: object) -> set[str]:
        filters = MetadataFilters(filters=list(conditions), **options)
        return {node_id.split("-")[0] for node_id, _ in index.search("health board", 100, filters)}

    assert found(MetadataFilter(key="doc_type", value="minutes")) == {"meeting"}
    assert found(MetadataFilter(key="doc_type", value=["minutes", "strategy"], operator=FilterOperator.IN)) \
        == {"meeting", "strategy"}
    assert found(MetadataFilter(key="meeting_day", value=20250101, operator=FilterOperator.GTE)) == {"meeting"}
    assert found(MetadataFilter(key="meeting_day", value=20250101, operator=FilterOperator.LTE)) == {"strategy"}
    assert found(MetadataFilter(key="body", value="Cabinet")) == set()
    assert found(MetadataFilter(key="doc_type", value="minutes"), MetadataFilter(key="doc_type", value="strategy"),
                 condition="or") == {"meeting", "strategy"}
    with pytest.raises(ValueError, match="cannot filter on 'title'"):
        found(MetadataFilter(key="title", value="x"))


def test_only_chunks_sharing_a_word_are_found_and_an_empty_index_finds_nothing() -> None:
    index = KeywordIndex.build(MEETING, generation=1)
    assert index.search("zzzz qqqq", 5) == [] and index.search("the and of", 5) == []  # stop words score nothing
    assert KeywordIndex().search("health", 5) == [] and KeywordIndex().size == 0


def test_the_chunks_holding_a_name_are_those_whose_words_hold_it() -> None:
    index = KeywordIndex.build(STRATEGY + MEETING, generation=1)
    named = {node.node_id for node in STRATEGY + MEETING if "finchley" in terms(node.get_content(MetadataMode.EMBED))}
    both = {node.node_id for node in STRATEGY + MEETING
            if {"carer", "young"} <= set(terms(node.get_content(MetadataMode.EMBED)))}
    assert named and index.holding(["finchley"]) == named
    assert both and index.holding(["carer", "young"]) == both and both < index.holding(["carer"])
    assert index.holding(["finchley", "zzzz"]) == frozenset() and KeywordIndex().holding(["finchley"]) == frozenset()


def test_irregular_past_forms_count_as_their_verb() -> None:
    assert terms("The board met in January") == terms("the board meet in January")
    assert "meet" in terms("meeting") and "meet" in terms("met")
    assert terms("funds were spent and held") == terms("funds were spend and hold")


def test_regular_words_are_stemmed_as_before() -> None:
    assert terms("Planting trees, planted tree") == ["plant", "tree", "plant", "tree"]
