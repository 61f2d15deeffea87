"""BM25 keyword index, persisted beside the vector store and rebuilt only by ingest.

It carries the manifest generation it was built from, so a reader can tell when an
interrupted ingest left it behind the vector store.
"""

from __future__ import annotations

import json
import logging
import shutil
from collections.abc import Iterable
from pathlib import Path

from llama_index.core.retrievers import BaseRetriever
from llama_index.core.schema import BaseNode, NodeWithScore, QueryBundle
from llama_index.core.vector_stores.types import MetadataFilters

GENERATION_FILE = "generation.json"

logging.getLogger("bm25s").setLevel(logging.WARNING)


class KeywordIndex:
    """A bm25s index over chunk text with its heading path (what the embedder sees)."""

    def __init__(self, bm25, generation: int, size: int) -> None:
        self._bm25 = bm25
        self.generation = generation
        self.size = size

    @classmethod
    def build(cls, nodes: Iterable[BaseNode], generation: int) -> "KeywordIndex":
        from llama_index.retrievers.bm25 import BM25Retriever

        node_list = list(nodes)
        if not node_list:
            return cls(None, generation, 0)
        retriever = BM25Retriever.from_defaults(nodes=node_list, similarity_top_k=1)
        retriever.bm25.corpus = retriever.corpus  # what a saved and reloaded index carries
        return cls(retriever.bm25, generation, len(node_list))

    @classmethod
    def load(cls, path: Path) -> "KeywordIndex | None":
        marker = path / GENERATION_FILE
        if not marker.exists():
            return None
        info = json.loads(marker.read_text(encoding="utf-8"))
        if info.get("size", 0) == 0:
            return cls(None, info["generation"], 0)
        import bm25s

        bm25 = bm25s.BM25.load(str(path), load_corpus=True)
        return cls(bm25, info["generation"], info["size"])

    def save(self, path: Path) -> None:
        """Write beside the old copy, then swap folders, so readers never see half of it."""
        staging = path.with_name(path.name + ".new")
        retired = path.with_name(path.name + ".old")
        shutil.rmtree(staging, ignore_errors=True)
        staging.mkdir(parents=True)
        if self._bm25 is not None:
            self._bm25.save(str(staging), corpus=self._bm25.corpus)
        (staging / GENERATION_FILE).write_text(
            json.dumps({"generation": self.generation, "size": self.size}), encoding="utf-8"
        )
        shutil.rmtree(retired, ignore_errors=True)
        if path.exists():
            path.rename(retired)
        staging.rename(path)
        shutil.rmtree(retired, ignore_errors=True)

    def retrieve(self, query: str, top_k: int, filters: MetadataFilters | None = None) -> list[NodeWithScore]:
        if self._bm25 is None or top_k <= 0:
            return []
        return self.retriever(top_k, filters).retrieve(QueryBundle(query))

    def retriever(self, top_k: int, filters: MetadataFilters | None = None):
        """A LlamaIndex retriever sharing this index; cheap to make per query."""
        from llama_index.retrievers.bm25 import BM25Retriever

        if self._bm25 is None:
            return EmptyRetriever()
        try:
            return BM25Retriever(existing_bm25=self._bm25, similarity_top_k=min(top_k, self.size), filters=filters)
        except ValueError:  # every chunk filtered out
            return EmptyRetriever()


class EmptyRetriever(BaseRetriever):
    """Stands in when there is nothing to search."""

    def _retrieve(self, query_bundle: QueryBundle) -> list[NodeWithScore]:
        return []
