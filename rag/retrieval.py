"""Dense and keyword retrieval over the index, fused (by relative score unless set otherwise).

The vector index and the BM25 index are opened once per process; the LlamaIndex
retriever objects built per query are thin views over them (they carry the query's
filters and top-k), so nothing is rebuilt per query.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from llama_index.core import VectorStoreIndex
from llama_index.core.llms import MockLLM
from llama_index.core.retrievers import BaseRetriever, QueryFusionRetriever
from llama_index.core.schema import NodeWithScore, QueryBundle, TextNode
from llama_index.core.vector_stores.types import MetadataFilter, MetadataFilters

from council_qa.config import Settings
from index import CouncilIndex
from ingest import SECTION_SEPARATOR
from ingest.numbering import ItemNumber, item_numbers, number_readings
from rag.lexical import QueryTerms
from rag.meetings import without_dates
from rag.parts import question_parts
from rag.types import Filters

MODES = ("hybrid", "dense", "keyword")


@dataclass
class Retrieved:
    """Fused candidates plus each retriever's own score for them."""

    nodes: list[NodeWithScore]
    dense_cosine: dict[str, float] = field(default_factory=dict)
    keyword_score: dict[str, float] = field(default_factory=dict)
    query_embedding: list[float] | None = None
    item: OutlineItem | None = None  # the item the question names by number, when found

    @property
    def top_cosine(self) -> float:
        return max(self.dense_cosine.values(), default=0.0)


class _Recording(BaseRetriever):
    """Passes a retriever through and keeps the scores it gave, by node id."""

    def __init__(self, inner: BaseRetriever, scores: dict[str, float], to_cosine: bool = False) -> None:
        super().__init__()
        self._inner = inner
        self._scores = scores
        self._to_cosine = to_cosine

    def _retrieve(self, query_bundle: QueryBundle) -> list[NodeWithScore]:
        results = self._inner.retrieve(query_bundle)
        for hit in results:
            score = hit.score or 0.0
            if self._to_cosine:
                # ChromaVectorStore reports exp(-distance); with cosine distance this
                # recovers the cosine similarity.
                score = 1.0 + math.log(max(score, 1e-12))
            self._scores[hit.node.node_id] = score
        return results


def entry_filter(filters: MetadataFilters | None) -> Callable[[dict], bool] | None:
    """The metadata filters as a test on a chunk's flat metadata (None: keep everything)."""
    if filters is None:
        return None
    from llama_index.core.vector_stores.utils import build_metadata_filter_fn

    return build_metadata_filter_fn(lambda entry: entry, filters)


Key = tuple[str, tuple[str, ...]]  # a document and a heading path in it


@dataclass
class _Outline:
    chunks: dict[Key, list[dict]]  # every chunk under a heading, in document order
    by_section: dict[tuple[str, str], Key]  # a chunk's displayed heading path, back to its key


_FILTERED_FIELDS = ("doc_type", "body", "meeting_date", "meeting_day", "title")


def _build_outline(index: CouncilIndex) -> _Outline:
    """Every indexed document's outline, from the records ingest kept: heading paths as
    ingest recognised them, with the ids of the chunks under each."""
    chunks: dict[Key, list[dict]] = {}
    by_section: dict[tuple[str, str], Key] = {}
    ready = index.manifest.ready()
    for record in index.records.records(list(ready)):
        meta = record.metadata.as_dict() | {"meeting_day": record.metadata.meeting_day}
        filtered = {k: meta[k] for k in _FILTERED_FIELDS}  # what the query's filters test, per chunk
        order = 0
        for section in record.sections:
            path = section.path
            by_section[(record.doc_id, SECTION_SEPARATOR.join(path))] = (record.doc_id, path)
            entries = []
            for node_id in section.chunk_ids:
                entries.append({"node_id": node_id, "doc_id": record.doc_id, "path": path, "order": order,
                                **filtered})
                order += 1
            if not path:
                chunks.setdefault((record.doc_id, ()), []).extend(entries)
            for depth in range(len(path)):  # a heading's first appearance sets its place: document order
                chunks.setdefault((record.doc_id, path[: depth + 1]), []).extend(entries)
    return _Outline(chunks, by_section)


def _outline_for(index: CouncilIndex) -> _Outline:
    """Built once per state of the index: ``CouncilIndex.derived`` is emptied whenever the
    manifest changes (a re-ingested document's chunk ids mean other chunks then)."""
    if "outline" not in index.derived:
        index.derived["outline"] = _build_outline(index)
    return index.derived["outline"]


def chunks_under(index: CouncilIndex, doc_id: str, section: str) -> list[dict]:
    """Every chunk of a document under the heading path a chunk displays ("" = before any
    heading), in document order: its node id, heading path and the document's metadata."""
    outline = _outline_for(index)
    key = outline.by_section.get((doc_id, section)) if section else (doc_id, ())
    return list(outline.chunks.get(key, [])) if key else []


def nodes_of(index: CouncilIndex, entries: list[dict]) -> list[TextNode]:
    """The chunks themselves, from the store, in the entries' order."""
    return index.store.get_nodes([e["node_id"] for e in entries])


@dataclass(frozen=True)
class OutlineItem:
    """An item of a paper's outline (the one a question names by number), with the chunks
    under it in document order."""

    heading: str  # the heading's own words ("Create a healthier environment")
    path: tuple[str, ...]  # its whole heading path
    entries: list[dict]

    @property
    def leaf(self) -> bool:
        """Whether its first chunk sits directly under it (so its opening sentence says what it is)."""
        return bool(self.entries) and self.entries[0]["path"] == self.path


class _KeptChunks:
    """The chunks under a heading that pass the filters, worked out once per heading asked."""

    def __init__(self, outline: _Outline, filters: MetadataFilters | None) -> None:
        self._outline = outline
        self._keep = entry_filter(filters)
        self._cache: dict[Key, list[dict]] = {}

    def __call__(self, key: Key) -> list[dict]:
        found = self._outline.chunks.get(key, [])
        if self._keep is None:
            return found
        if key not in self._cache:
            self._cache[key] = [e for e in found if self._keep(e)]
        return self._cache[key]


# "item 16", "agenda item XIII", "item L.5": an item by the number its agenda gives it.
_ITEM_REFERENCE = re.compile(
    r"\b(?i:item)\s+(?:(?i:no)\.?\s*)?((?:\d{1,3}|[A-Z]|[IVXLC]{2,7})(?:\.(?:\d{1,3}|[A-Za-z]))*)(?![\w%£$])"
)
ITEM_CHUNKS = 2  # the opening chunks of an item named by its number: its title and what it is


def item_reference(question: str) -> list[set[tuple[str, int]]] | None:
    """The item number a question asks about, outermost first ("L.5" -> L, then 5), each
    as every (scheme, value) it could be read as; None when it names no item."""
    match = _ITEM_REFERENCE.search(question)
    if not match or (match.group(1) == "I" and re.match(r"\s+[a-z]", question[match.end():])):
        return None  # "the item I asked about"
    parts = [_readings(number_readings(token)) for token in match.group(1).split(".")]
    return parts if all(parts) else None


def _readings(numbers: list[ItemNumber]) -> set[tuple[str, int]]:
    return {(n.scheme.split("-")[0], n.value) for n in numbers}  # "XIII" names "xiii." too


def _numbered_as(path: tuple[str, ...], reference: list[set[tuple[str, int]]]) -> bool:
    """Whether the path's last headings carry the reference's numbers, in order."""
    if len(path) < len(reference):
        return False
    tail = path[len(path) - len(reference):]
    return all(_readings(item_numbers(title)) & wanted for title, wanted in zip(tail, reference))


def named_item(index: CouncilIndex, reference: list[set[tuple[str, int]]], ranked_docs: list[str],
               filters: MetadataFilters | None = None) -> OutlineItem | None:
    """The item a question names by number, with its opening chunks, in the best-ranked
    document that has such an item (an agenda item's number is unique only in its paper)."""
    outline = _outline_for(index)
    kept = _KeptChunks(outline, filters)
    rank = {doc: k for k, doc in enumerate(dict.fromkeys(ranked_docs))}
    found = [key for key in outline.chunks if key[0] in rank and _numbered_as(key[1], reference) and kept(key)]
    if not found:
        return None
    key = min(found, key=lambda k: (rank[k[0]], len(k[1])))
    own = [e for e in kept(key) if e["path"] == key[1]] or kept(key)
    return OutlineItem(key[1][-1], key[1], own[:ITEM_CHUNKS])


class HybridRetriever:
    def __init__(self, index: CouncilIndex, settings: Settings) -> None:
        self.index = index
        self.settings = settings
        self._vector_index = self._index_of(index.store.vector_store)
        self._llm = MockLLM()  # fusion generates no extra queries, so never calls it

    def _index_of(self, vector_store) -> VectorStoreIndex:
        return VectorStoreIndex.from_vector_store(vector_store, embed_model=self.index.embedder.model)

    def retrieve(self, query: str, filters: Filters | None = None, mode: str = "hybrid",
                 top_k: int | None = None, also: MetadataFilter | None = None) -> Retrieved:
        """The fused candidates for ``query`` among the chunks that pass ``filters`` and,
        if given, the extra condition ``also``."""
        if mode not in MODES:
            raise ValueError(f"unknown retrieval mode {mode!r} (use {', '.join(MODES)})")
        settings = self.settings
        metadata_filters = filters.to_metadata_filters() if filters else None
        if also is not None:
            metadata_filters = MetadataFilters(filters=[*(metadata_filters.filters if metadata_filters else []), also])
        meaning = query if settings.dense_query_dates else without_dates(query)
        embedding = self.index.embedder.embed_query(meaning) if mode != "keyword" else None
        bundle = QueryBundle(query_str=query, embedding=embedding)
        whole = embedding if meaning == query or embedding is None else self.index.embedder.embed_query(query)
        result = Retrieved(nodes=[], query_embedding=whole)
        retrievers: list[BaseRetriever] = []
        if mode in ("hybrid", "dense"):
            if self._vector_index.vector_store is not self.index.store.vector_store:  # reopened
                self._vector_index = self._index_of(self.index.store.vector_store)
            dense = self._vector_index.as_retriever(similarity_top_k=settings.dense_top_k, filters=metadata_filters)
            retrievers.append(_Recording(dense, result.dense_cosine, to_cosine=True))
        if mode in ("hybrid", "keyword"):
            keyword = self.index.keyword.retriever(settings.keyword_top_k, metadata_filters, self.index.store.get_nodes)
            retrievers.append(_Recording(keyword, result.keyword_score))
        fusion = QueryFusionRetriever(
            retrievers,
            llm=self._llm,
            mode=settings.fusion,
            similarity_top_k=top_k or settings.fusion_top_k,
            num_queries=1,
            use_async=False,
        )
        result.nodes = fusion.retrieve(bundle)
        names = QueryTerms.of(query, self.index.keyword, settings.answer_thresholds).proper_names
        one_part = len(question_parts(query, settings.answer_thresholds, settings.answer_shape.parts)) == 1
        if names and one_part and mode != "dense":  # a compound question's parts name theirs
            result.nodes = self._named_first(result.nodes, names)
        reference = item_reference(query)
        if reference and result.nodes:
            self._item_first(result, reference, metadata_filters)
        return result

    def _item_first(self, result: Retrieved, reference: list[set[tuple[str, int]]],
                    filters: MetadataFilters | None) -> None:
        """The opening chunks of the item asked for by its number ("item 16") first: the
        words of a number match nothing, so neither ranker finds an item by it."""
        ranked_docs = [hit.node.metadata.get("doc_id", "") for hit in result.nodes]
        result.item = named_item(self.index, reference, ranked_docs, filters)
        if result.item is None:
            return
        top = result.nodes[0].score
        front = [NodeWithScore(node=node, score=top) for node in nodes_of(self.index, result.item.entries)]
        ids = {hit.node.node_id for hit in front}
        result.nodes = front + [hit for hit in result.nodes if hit.node.node_id not in ids]

    def _named_first(self, nodes: list[NodeWithScore], names: frozenset[str]) -> list[NodeWithScore]:
        """The fused chunks that name every rare name the question asks about ("Charfield
        Station", "Norwalk") first, then the rest, each in fused order: only a chunk that
        names the place or scheme can answer for it, and a name held by a handful of chunks
        is easily outranked by talk of its topic. Chunks fusion did not find are not added:
        one that names the place in passing ("Camden" in a list of boroughs) would answer."""
        holders = self.index.keyword.holding(names)
        return sorted(nodes, key=lambda hit: hit.node.node_id not in holders)
