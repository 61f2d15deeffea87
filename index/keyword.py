"""BM25 keyword index, kept per document beside the vector store.

Each document's chunks are tokenised once, when the document is indexed, into a segment
of its own (term counts, chunk ids, the fields filters read); the index is its segments
put together. BM25 (Lucene's formula, as bm25s computes it) is scored at query time from
the term counts, so adding, changing or removing a paper tokenises that paper only and
never re-reads another, and memory holds counts and ids, not chunk text: the chunks a
query finds are read from the vector store.

The index records the manifest generation it was brought up to, so a reader can tell
when an interrupted ingest left it behind the vector store.
"""

from __future__ import annotations

import itertools
import json
import math
import os
import re
import shutil
import threading
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from llama_index.core.retrievers import BaseRetriever
from llama_index.core.schema import BaseNode, MetadataMode, NodeWithScore, QueryBundle
from llama_index.core.vector_stores.types import FilterCondition, FilterOperator, MetadataFilters

GENERATION_FILE = "generation.json"
SEGMENTS = "segments"
FORMAT = 7  # bump when tokenisation or the segment layout changes: older indexes are rebuilt
# Words of two or more characters, and lone digits ("Key Area 2").
TOKEN_PATTERN = r"(?u)\b(?:\w\w+|\d)\b"
_TOKEN = re.compile(TOKEN_PATTERN)
_WORD = re.compile(r"[A-Za-z]{3,}")  # the papers' own words, for spelling correction
# bm25s's English stop words: they count for nothing in BM25 (nor in a chunk's length).
BM25_STOP_WORDS = frozenset("""a an and are as at be but by for if in into is it no not of on or such that the
    their then there these they this to was will with""".split())
K1, B = 1.5, 0.75  # bm25s's (and Lucene's) defaults
FIELDS = ("doc_id", "doc_type", "body", "meeting_day")  # per chunk, for filters
READ_ATTEMPTS = 3  # a reader racing a writer's save reads the new marker again

Fetch = Callable[[Sequence[str]], list[BaseNode]]


_local = threading.local()


def _stemmer():
    """One stemmer per thread: PyStemmer objects are not safe to share."""
    if not hasattr(_local, "stemmer"):
        import Stemmer

        _local.stemmer = Stemmer.Stemmer("english")
    return _local.stemmer


# Past forms a suffix stemmer cannot join to their verb: "the board met" answers "when did it meet".
IRREGULAR_FORMS = dict(pair.split(":") for pair in """
    met:meet held:hold led:lead spent:spend built:build paid:pay made:make brought:bring bought:buy
    taught:teach thought:think sought:seek sent:send went:go gone:go gave:give given:give took:take
    taken:take began:begin begun:begin chose:choose chosen:choose wrote:write written:write ran:run
    grew:grow grown:grow knew:know known:know saw:see seen:see told:tell kept:keep won:win lost:lose
    fell:fall fallen:fall risen:rise drew:draw drawn:draw spoke:speak spoken:speak sold:sell
    understood:understand stood:stand heard:hear meant:mean struck:strike became:become
    undertook:undertake undertaken:undertake oversaw:oversee overseen:oversee withdrew:withdraw
    withdrawn:withdraw found:find""".split())


def terms(text: str) -> list[str]:
    """Lower-cased, stemmed word tokens (stop words kept), irregular past forms as their verb."""
    return _stems(_TOKEN.findall(text.lower()))


def _bm25_terms(text: str) -> list[str]:
    """The terms BM25 scores: ``terms`` less stop words."""
    return _stems([w for w in _TOKEN.findall(text.lower()) if w not in BM25_STOP_WORDS])


def _stems(words: list[str]) -> list[str]:
    return _stemmer().stemWords([IRREGULAR_FORMS.get(word, word) for word in words])


@dataclass(frozen=True)
class Segment:
    """One document's chunks, tokenised: all the keyword index holds of that document."""

    doc_id: str
    stamp: str  # the document's fingerprint when tokenised: a new one means new chunks
    ids: np.ndarray  # chunk node ids
    fields: dict[str, np.ndarray]  # per chunk, the values filters read (FIELDS)
    lengths: np.ndarray  # per chunk, its BM25 terms (its length for BM25)
    vocabulary: tuple[str, ...]  # the segment's own stemmed terms
    term_of: np.ndarray  # one entry per (term, chunk) pair: the term's place in ``vocabulary`` ...
    chunk_of: np.ndarray  # ... the chunk's place in ``ids`` ...
    counts: np.ndarray  # ... and how often the chunk holds the term
    scored: np.ndarray  # per pair: whether BM25 counts it (a stop word's term does not)
    words: tuple[str, ...]  # the papers' own words (lower-cased, 3+ letters) ...
    word_counts: np.ndarray  # ... and how often they occur

    @classmethod
    def of(cls, doc_id: str, stamp: str, nodes: Sequence[BaseNode]) -> "Segment":
        """Tokenise a document's chunks as the embedder sees them (title, heading, text)."""
        vocabulary: dict[str, int] = {}
        term_of, chunk_of, counts, scored = [], [], [], []
        lengths, words = [], Counter()
        for row, node in enumerate(nodes):
            text = node.get_content(metadata_mode=MetadataMode.EMBED)
            tokens = _TOKEN.findall(text.lower())
            stems = _stems(tokens)  # tokenised once: every term for the statistics, BM25's less stop words
            every = Counter(stems)
            scoring = Counter(stem for token, stem in zip(tokens, stems) if token not in BM25_STOP_WORDS)
            lengths.append(sum(scoring.values()))
            for term, count in every.items():
                term_of.append(vocabulary.setdefault(term, len(vocabulary)))
                chunk_of.append(row)
                counts.append(scoring.get(term, 0) or count)
                scored.append(term in scoring)
            words.update(w.lower() for w in _WORD.findall(text))
        fields = {key: np.array([_field(node, key) for node in nodes], dtype=np.int64 if key == "meeting_day" else str)
                  for key in FIELDS}
        return cls(doc_id, stamp, np.array([n.node_id for n in nodes], dtype=str), fields,
                   np.array(lengths, dtype=np.int32), tuple(vocabulary),
                   np.array(term_of, dtype=np.int32), np.array(chunk_of, dtype=np.int32),
                   np.array(counts, dtype=np.int32), np.array(scored, dtype=bool),
                   tuple(words), np.array(list(words.values()), dtype=np.int32))

    def save(self, path: Path) -> None:
        arrays = {f"field_{k}": v for k, v in self.fields.items()}
        with path.open("wb") as handle:
            # Word lists as one string each: fixed-width arrays would pad every word to the longest.
            np.savez(handle, doc_id=np.array(self.doc_id), stamp=np.array(self.stamp), ids=self.ids,
                     lengths=self.lengths, vocabulary=np.array("\n".join(self.vocabulary)), term_of=self.term_of,
                     chunk_of=self.chunk_of, counts=self.counts, scored=self.scored,
                     words=np.array("\n".join(self.words)), word_counts=self.word_counts, **arrays)

    @classmethod
    def load(cls, path: Path) -> "Segment":
        with np.load(path) as data:
            return cls(str(data["doc_id"]), str(data["stamp"]), data["ids"],
                       {k: data[f"field_{k}"] for k in FIELDS}, data["lengths"], _split(str(data["vocabulary"])),
                       data["term_of"], data["chunk_of"], data["counts"], data["scored"], _split(str(data["words"])),
                       data["word_counts"])

    @property
    def file_name(self) -> str:
        return self.file_name_of(self.doc_id, self.stamp)

    @staticmethod
    def file_name_of(doc_id: str, stamp: str) -> str:
        return f"{doc_id}-{stamp}.npz"


def _split(joined: str) -> tuple[str, ...]:
    return tuple(joined.split("\n")) if joined else ()


def _field(node: BaseNode, key: str) -> int | str:
    value = node.metadata.get(key)
    if key == "meeting_day":
        return int(value or 0)
    return "" if value is None else str(value)


class KeywordIndex:
    """BM25 over every indexed chunk, put together from per-document segments."""

    def __init__(self, generation: int = -1, segments: Iterable[Segment] = (),
                 unsaved: Sequence[Segment] = ()) -> None:
        """``segments`` are read once, in turn (a generator loading them from disk keeps one
        in memory at a time); ``unsaved``, those of them ``save`` must write."""
        self.generation = generation
        self.stamps: dict[str, str] = {}  # each document as tokenised
        self._unsaved = list(unsaved)
        vocabulary: dict[str, int] = {}
        term_ids, chunk_ids, counts, scored, ids, lengths = [], [], [], [], [], []
        fields: dict[str, list[np.ndarray]] = {k: [] for k in FIELDS}
        words: Counter[str] = Counter()
        offset = 0
        for segment in segments:
            self.stamps[segment.doc_id] = segment.stamp
            local = np.array([vocabulary.setdefault(t, len(vocabulary)) for t in segment.vocabulary], dtype=np.int32)
            term_ids.append(local[segment.term_of] if len(local) else segment.term_of)
            chunk_ids.append(segment.chunk_of + offset)
            counts.append(segment.counts)
            scored.append(segment.scored)
            ids.append(segment.ids)
            lengths.append(segment.lengths)
            for key in FIELDS:
                fields[key].append(segment.fields[key])
            words.update(dict(zip(segment.words, segment.word_counts.tolist())))
            offset += len(segment.ids)
        self.size = offset
        term_of = _joined(term_ids, np.int32)
        df = np.bincount(term_of, minlength=len(vocabulary))
        kept = _joined(scored, bool)
        # Postings, term by term (chunks in order within each), so that a query reads only
        # its own terms': term t's chunks are chunks[starts[t]:starts[t + 1]].
        term_of = term_of[kept]
        order = np.argsort(term_of, kind="stable")
        self._chunks = _joined(chunk_ids, np.int32)[kept][order]
        self._counts = _joined(counts, np.int32)[kept][order].astype(np.float32)
        self._starts = np.zeros(len(vocabulary) + 1, dtype=np.int64)
        np.cumsum(np.bincount(term_of, minlength=len(vocabulary)), out=self._starts[1:])
        del term_of, order
        self._vocabulary = vocabulary
        self.document_frequencies: Mapping[str, int] = dict(zip(vocabulary, df.tolist()))
        self.ids = _joined(ids, str)
        self._fields = {k: _joined(v, np.int64 if k == "meeting_day" else str) for k, v in fields.items()}
        length = _joined(lengths, np.float32).astype(np.float32)
        average = float(length.mean()) if len(length) else 1.0
        self._norm = K1 * ((1 - B) + B * length / max(average, 1e-9))  # per chunk: BM25's length part
        self.words = words  # the papers' own words, for spelling correction

    def idf(self, term: str) -> float:
        """Inverse document frequency of a stemmed term (rarer terms weigh more)."""
        df = self.document_frequencies.get(term, 0)
        return math.log(1 + (self.size - df + 0.5) / (df + 0.5))

    # -- building and updating ----------------------------------------------------

    @classmethod
    def build(cls, nodes: Iterable[BaseNode], generation: int, stamps: Mapping[str, str] | None = None
              ) -> "KeywordIndex":
        """An index of ``nodes``, one segment per document (their ``doc_id``)."""
        by_doc: dict[str, list[BaseNode]] = {}
        for node in nodes:
            by_doc.setdefault(str(node.metadata.get("doc_id", "")), []).append(node)
        segments = [Segment.of(doc_id, (stamps or {}).get(doc_id, ""), sorted(found, key=_order))
                    for doc_id, found in by_doc.items()]
        return cls(generation, segments, unsaved=segments)

    @classmethod
    def updated(cls, path: Path, wanted: Mapping[str, str], fetch_document: Callable[[str], list[BaseNode]],
                generation: int) -> "KeywordIndex":
        """The index saved at ``path`` brought to ``wanted``, each document's id and stamp: a
        document gone or with a new stamp is dropped, one new or changed is read with
        ``fetch_document`` and tokenised, and every other segment is read back as saved.
        The new segments are written by ``save``."""
        tokenised: dict[tuple[str, str], Segment] = {}

        def fresh_segment(doc_id: str, stamp: str) -> Segment:
            if (doc_id, stamp) not in tokenised:
                tokenised[doc_id, stamp] = Segment.of(doc_id, stamp, sorted(fetch_document(doc_id), key=_order))
            return tokenised[doc_id, stamp]

        for _ in range(READ_ATTEMPTS):
            saved = _saved_segments(path)
            kept = [file for (doc_id, stamp), file in saved.items() if wanted.get(doc_id) == stamp]
            have = {file.name for file in kept}
            fresh = [fresh_segment(d, s) for d, s in wanted.items() if Segment.file_name_of(d, s) not in have]
            try:
                return cls(generation, itertools.chain(map(Segment.load, kept), fresh), unsaved=fresh)
            except FileNotFoundError:  # another process replaced the saved index meanwhile
                continue
        fresh = [fresh_segment(d, s) for d, s in wanted.items()]
        return cls(generation, fresh, unsaved=fresh)

    # -- on disk ------------------------------------------------------------------

    @classmethod
    def load(cls, path: Path) -> "KeywordIndex | None":
        """The saved index, or None when there is none (or it keeps changing under us)."""
        for _ in range(READ_ATTEMPTS):
            info = _marker(path)
            if info is None:
                return None
            try:
                return cls(info["generation"], map(Segment.load, _saved_segments(path).values()))
            except FileNotFoundError:  # another process replaced the saved index meanwhile
                continue
        return None

    @staticmethod
    def stored_generation(path: Path) -> int | None:
        """The generation of the index saved at ``path``, read without loading it."""
        info = _marker(path)
        return None if info is None else info["generation"]

    def save(self, path: Path) -> None:
        """Write the segments not on disk yet, then the marker that lists this generation's
        documents, swapped in whole; segment files no marker lists are removed last. A kill
        at any moment leaves the old marker or the new one, each with all its segments."""
        folder = path / SEGMENTS
        if _marker(path) is None and path.exists():  # an older format, or half of one
            shutil.rmtree(path)
        folder.mkdir(parents=True, exist_ok=True)
        for segment in self._unsaved:
            staging = folder / f".{segment.file_name}.new"
            segment.save(staging)
            os.replace(staging, folder / segment.file_name)
        self._unsaved = []
        marker = {"generation": self.generation, "size": self.size, "format": FORMAT, "documents": self.stamps}
        staging = path / f".{GENERATION_FILE}.new"
        staging.write_text(json.dumps(marker), encoding="utf-8")
        os.replace(staging, path / GENERATION_FILE)
        listed = {Segment.file_name_of(d, s) for d, s in self.stamps.items()}
        for stale in {p.name for p in folder.iterdir()} - listed:
            (folder / stale).unlink(missing_ok=True)

    # -- searching ----------------------------------------------------------------

    def holding(self, stems: Iterable[str]) -> frozenset[str]:
        """The ids of the chunks whose title, heading or text hold every one of ``stems``."""
        mask = np.ones(self.size, dtype=bool)
        for term in stems:
            row = self._vocabulary.get(term)
            found = np.zeros(self.size, dtype=bool)
            if row is not None:
                found[self._chunks[self._starts[row]:self._starts[row + 1]]] = True
            mask &= found
        return frozenset(self.ids[mask].tolist())

    def search(self, query: str, top_k: int, filters: MetadataFilters | None = None) -> list[tuple[str, float]]:
        """The ids and BM25 scores of the ``top_k`` chunks sharing a word with the query
        (and passing ``filters``), best first."""
        if not self.size or top_k <= 0:
            return []
        scores = np.zeros(self.size, dtype=np.float32)
        for term in _bm25_terms(query):
            row = self._vocabulary.get(term)
            if row is None:
                continue
            start, end = self._starts[row], self._starts[row + 1]
            chunks, counts = self._chunks[start:end], self._counts[start:end]
            df = end - start
            idf = math.log(1 + (self.size - df + 0.5) / (df + 0.5))
            scores[chunks] += idf * counts / (self._norm[chunks] + counts)
        mask = self._mask(filters)
        if mask is not None:
            scores[~mask] = 0.0
        found = np.flatnonzero(scores > 0)
        if len(found) > top_k:
            found = found[np.argpartition(-scores[found], top_k - 1)[:top_k]]
        found = found[np.lexsort((found, -scores[found]))]
        return [(str(self.ids[i]), float(scores[i])) for i in found]

    def retriever(self, top_k: int, filters: MetadataFilters | None, fetch: Fetch) -> BaseRetriever:
        """A LlamaIndex retriever over this index; ``fetch`` reads the chunks found by id."""
        return KeywordRetriever(self, top_k, filters, fetch)

    def _mask(self, filters: MetadataFilters | None) -> np.ndarray | None:
        """Which chunks pass ``filters`` (None: no filter)."""
        if filters is None or not filters.filters:
            return None
        masks = []
        for condition in filters.filters:
            if isinstance(condition, MetadataFilters):
                masks.append(self._mask(condition))
                continue
            column = self._fields.get(condition.key)
            if column is None:
                raise ValueError(f"the keyword index cannot filter on {condition.key!r} (only {', '.join(FIELDS)})")
            masks.append(_compare(column, condition.operator, condition.value))
        masks = [m for m in masks if m is not None]
        if not masks:
            return None
        combine = np.logical_or if filters.condition == FilterCondition.OR else np.logical_and
        return combine.reduce(masks)


_COMPARISONS = {
    FilterOperator.EQ: np.equal, FilterOperator.NE: np.not_equal, FilterOperator.GT: np.greater,
    FilterOperator.GTE: np.greater_equal, FilterOperator.LT: np.less, FilterOperator.LTE: np.less_equal,
}


def _compare(column: np.ndarray, operator: FilterOperator, value) -> np.ndarray:
    if operator in _COMPARISONS:
        return _COMPARISONS[operator](column, value)
    if operator in (FilterOperator.IN, FilterOperator.NIN):
        found = np.isin(column, list(value))
        return found if operator == FilterOperator.IN else ~found
    raise ValueError(f"the keyword index cannot filter with {operator.value!r}")


def _joined(arrays: list[np.ndarray], dtype) -> np.ndarray:
    return np.concatenate(arrays) if arrays else np.zeros(0, dtype)


def _order(node: BaseNode) -> int:
    return int(node.metadata.get("chunk_index", 0) or 0)


def _saved_segments(path: Path) -> dict[tuple[str, str], Path]:
    """The segment files the saved marker lists, by document id and stamp."""
    info = _marker(path)
    folder = path / SEGMENTS
    return {(d, s): folder / Segment.file_name_of(d, s) for d, s in (info["documents"] if info else {}).items()}


def _marker(path: Path) -> dict | None:
    """The saved index's generation record, or None when it is missing or of an old format."""
    marker = path / GENERATION_FILE
    if not marker.exists():
        return None
    info = json.loads(marker.read_text(encoding="utf-8"))
    return info if info.get("format") == FORMAT else None


class KeywordRetriever(BaseRetriever):
    """BM25 as a LlamaIndex retriever: only chunks sharing a word with the query and
    passing the filters, read from the vector store by id."""

    def __init__(self, keyword: KeywordIndex, top_k: int, filters: MetadataFilters | None, fetch: Fetch) -> None:
        super().__init__()
        self._keyword, self._top_k, self._filters, self._fetch = keyword, top_k, filters, fetch

    def _retrieve(self, query_bundle: QueryBundle) -> list[NodeWithScore]:
        hits = self._keyword.search(query_bundle.query_str, self._top_k, self._filters)
        nodes = {node.node_id: node for node in self._fetch([node_id for node_id, _ in hits])}
        return [NodeWithScore(node=nodes[node_id], score=score) for node_id, score in hits if node_id in nodes]
