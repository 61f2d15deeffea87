"""Embeddings and storage: the Chroma vector store, the BM25 keyword index, the manifest.

``Indexer`` writes (ingest); ``CouncilIndex`` is the read side that retrieval uses,
opened once per process and shared by every query.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator

from council_qa.config import Settings
from index.embedding import EmbeddingModel, load_embedding_model, wordpiece_counter
from index.indexer import IngestReport, Indexer, display_source, updated_keyword_index
from index.keyword import KeywordIndex, terms
from index.manifest import DocumentEntry, Manifest
from index.records import RecordStore
from index.store import ChunkStore, EmbeddingModelMismatch, StoreError, open_store


class CouncilIndex:
    """Everything a query needs, loaded once: model, vector store, keyword index."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.embedder: EmbeddingModel = load_embedding_model(settings)
        self.store: ChunkStore = open_store(settings, settings.embed_model_name, self.embedder.dimension)
        self.records = RecordStore(settings.records_path)
        self._lock = threading.Lock()
        self.keyword = KeywordIndex()
        self.manifest = Manifest.load(settings.manifest_path)
        self._manifest_stamp: tuple[int, int] | None = None
        # What later layers derive from the indexed documents (an outline), kept until the
        # manifest changes.
        self.derived: dict[str, object] = {}
        self.refresh()

    def refresh(self) -> None:
        """Pick up what another process (or an upload) ingested since this one opened.

        Called before every question, so it only reads the manifest when the file changed.
        """
        with self._lock:
            path = self.settings.manifest_path
            stamp = (path.stat().st_mtime_ns, path.stat().st_size) if path.exists() else None
            if stamp is not None and stamp == self._manifest_stamp:
                return
            self._manifest_stamp = stamp
            self.derived = {}
            manifest = Manifest.load(path)
            if manifest.generation != self.keyword.generation:
                path = self.settings.keyword_index_path
                if KeywordIndex.stored_generation(path) == manifest.generation:
                    self.keyword = KeywordIndex.load(path) or self.keyword
                else:  # an ingest was killed before it brought the keyword index up to date
                    self.keyword = updated_keyword_index(path, manifest, self.store)
            self.store.catch_up()
            self.manifest = manifest

    def chunks(self) -> Iterator[tuple[str, str]]:
        """Every indexed chunk's heading path and text, read from the vector store."""
        for node in self.store.iter_nodes():
            yield node.metadata.get("section", ""), node.get_content()

    @property
    def empty(self) -> bool:
        return not self.manifest.ready()


__all__ = [
    "ChunkStore", "CouncilIndex", "DocumentEntry", "EmbeddingModel", "EmbeddingModelMismatch",
    "IngestReport", "Indexer", "KeywordIndex", "Manifest", "RecordStore", "StoreError", "display_source",
    "load_embedding_model", "open_store", "terms", "wordpiece_counter",
]
