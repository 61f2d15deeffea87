"""BM25 keyword index, persisted beside the vector store and rebuilt only by ingest.

It carries the manifest generation it was built from, so a reader can tell when an
interrupted ingest left it behind the vector store.
"""

from __future__ import annotations

import json
import logging
import math
import re
import shutil
import threading
from collections import Counter
from collections.abc import Iterable, Iterator
from pathlib import Path

from llama_index.core.retrievers import BaseRetriever
from llama_index.core.schema import BaseNode, MetadataMode, NodeWithScore, QueryBundle
from llama_index.core.vector_stores.types import MetadataFilters
from llama_index.retrievers.bm25 import BM25Retriever

GENERATION_FILE = "generation.json"
FORMAT = 5  # bump when tokenisation changes: older indexes are rebuilt
TERMS_FILE = "document_frequencies.json"
CORPUS_FILE = "chunks.jsonl"
# Words of two or more characters, and lone digits ("Key Area 2").
TOKEN_PATTERN = r"(?u)\b(?:\w\w+|\d)\b"
_TOKEN = re.compile(TOKEN_PATTERN)

logging.getLogger("bm25s").setLevel(logging.WARNING)


class KeywordIndex:
    """A bm25s index over chunk text with its heading path (what the embedder sees)."""

    def __init__(self, bm25, generation: int, size: int, document_frequencies: dict[str, int] | None = None) -> None:
        self._bm25 = bm25
        self.generation = generation
        self.size = size
        self.document_frequencies = document_frequencies or {}

    def idf(self, term: str) -> float:
        """Inverse document frequency of a stemmed term (rarer terms weigh more)."""
        df = self.document_frequencies.get(term, 0)
        return math.log(1 + (self.size - df + 0.5) / (df + 0.5))

    @classmethod
    def build(cls, nodes: Iterable[BaseNode], generation: int) -> "KeywordIndex":
        node_list = list(nodes)
        if not node_list:
            return cls(None, generation, 0)
        retriever = BM25Retriever.from_defaults(nodes=node_list, similarity_top_k=1, token_pattern=TOKEN_PATTERN)
        retriever.bm25.corpus = retriever.corpus  # what a saved and reloaded index carries
        frequencies: Counter[str] = Counter()
        for node in node_list:
            frequencies.update(set(terms(node.get_content(metadata_mode=MetadataMode.EMBED))))
        return cls(retriever.bm25, generation, len(node_list), dict(frequencies))

    @classmethod
    def load(cls, path: Path) -> "KeywordIndex | None":
        info = _marker(path)
        if info is None:
            return None
        if info.get("size", 0) == 0:
            return cls(None, info["generation"], 0)
        import bm25s

        bm25 = bm25s.BM25.load(str(path), load_corpus=False)
        with (path / CORPUS_FILE).open(encoding="utf-8") as handle:
            bm25.corpus = [json.loads(line) for line in handle]
        frequencies = json.loads((path / TERMS_FILE).read_text(encoding="utf-8"))
        return cls(bm25, info["generation"], info["size"], frequencies)

    @staticmethod
    def stored_generation(path: Path) -> int | None:
        """The generation of the index saved at ``path``, read without loading it."""
        info = _marker(path)
        return None if info is None else info["generation"]

    def save(self, path: Path) -> None:
        """Write beside the old copy, then swap folders, so readers never see half of it."""
        staging = path.with_name(path.name + ".new")
        retired = path.with_name(path.name + ".old")
        shutil.rmtree(staging, ignore_errors=True)
        staging.mkdir(parents=True)
        if self._bm25 is not None:
            corpus, self._bm25.corpus = self._bm25.corpus, None  # bm25s would save it with a progress bar
            try:
                self._bm25.save(str(staging))
            finally:
                self._bm25.corpus = corpus
            with (staging / CORPUS_FILE).open("w", encoding="utf-8") as handle:
                for entry in corpus:
                    handle.write(json.dumps(entry, ensure_ascii=False) + "\n")
        (staging / TERMS_FILE).write_text(json.dumps(self.document_frequencies), encoding="utf-8")
        (staging / GENERATION_FILE).write_text(
            json.dumps({"generation": self.generation, "size": self.size, "format": FORMAT}), encoding="utf-8"
        )
        shutil.rmtree(retired, ignore_errors=True)
        if path.exists():
            path.rename(retired)
        staging.rename(path)
        shutil.rmtree(retired, ignore_errors=True)

    def chunks(self) -> Iterator[tuple[str, str]]:
        """Each chunk's heading path and text, as stored with the index."""
        for entry in self.entries():
            yield entry.get("section", ""), json.loads(entry.get("_node_content", "{}")).get("text", "")

    def texts(self) -> Iterator[str]:
        """Each chunk's text with its heading path, for word lists."""
        for section, text in self.chunks():
            yield text + " " + section

    def entries(self) -> list[dict]:
        """Every indexed chunk's metadata (LlamaIndex's flat node dict), in index order."""
        return list(self._bm25.corpus) if self._bm25 is not None else []

    def retrieve(self, query: str, top_k: int, filters: MetadataFilters | None = None) -> list[NodeWithScore]:
        if self._bm25 is None or top_k <= 0:
            return []
        return self.retriever(top_k, filters).retrieve(QueryBundle(query))

    def retriever(self, top_k: int, filters: MetadataFilters | None = None):
        """A LlamaIndex retriever sharing this index; cheap to make per query."""
        if self._bm25 is None:
            return EmptyRetriever()
        try:
            return MatchingBM25Retriever(existing_bm25=self._bm25, similarity_top_k=min(top_k, self.size),
                                         filters=filters, token_pattern=TOKEN_PATTERN)
        except ValueError:  # every chunk filtered out
            return EmptyRetriever()


def _marker(path: Path) -> dict | None:
    """The saved index's generation record, or None when it is missing or of an old format."""
    marker = path / GENERATION_FILE
    if not marker.exists() or not (path / TERMS_FILE).exists():
        return None
    info = json.loads(marker.read_text(encoding="utf-8"))
    return info if info.get("format") == FORMAT else None


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
    words = _TOKEN.findall(text.lower())
    return _stemmer().stemWords([IRREGULAR_FORMS.get(word, word) for word in words])


class MatchingBM25Retriever(BM25Retriever):
    """BM25 that returns only chunks sharing a word with the query (and passing the filters:
    bm25s scores filtered-out chunks 0 but can still list them to fill the top k)."""

    def _retrieve(self, query_bundle: QueryBundle) -> list[NodeWithScore]:
        return [hit for hit in super()._retrieve(query_bundle) if (hit.score or 0.0) > 0.0]


class EmptyRetriever(BaseRetriever):
    """Stands in when there is nothing to search."""

    def _retrieve(self, query_bundle: QueryBundle) -> list[NodeWithScore]:
        return []
