"""Embeddings and storage: the Chroma vector store, the BM25 keyword index, the manifest.

``Indexer`` writes (ingest); ``CouncilIndex`` is the read side that retrieval uses,
opened once per process and shared by every query.
"""

from __future__ import annotations

import json
import threading

from council_qa.config import Settings
from index.embedding import EmbeddingModel, load_embedding_model, wordpiece_counter
from index.indexer import IngestReport, Indexer, display_source
from index.keyword import KeywordIndex
from index.manifest import DocumentEntry, Manifest
from index.store import ChunkStore, EmbeddingModelMismatch, StoreError, open_store


class CouncilIndex:
    """Everything a query needs, loaded once: model, vector store, keyword index."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.embedder: EmbeddingModel = load_embedding_model(settings)
        self.store: ChunkStore = open_store(settings, settings.embed_model_name, self.embedder.dimension)
        self._lock = threading.Lock()
        self.keyword = KeywordIndex.load(settings.keyword_index_path) or KeywordIndex(None, -1, 0)
        self.manifest = Manifest.load(settings.manifest_path)
        self.refresh()

    def refresh(self) -> None:
        """Pick up what another process (or an upload) ingested since this one opened."""
        with self._lock:
            manifest = Manifest.load(self.settings.manifest_path)
            if manifest.generation != self.keyword.generation:
                marker = self.settings.keyword_index_path / "generation.json"
                on_disk = json.loads(marker.read_text())["generation"] if marker.exists() else None
                if on_disk == manifest.generation:
                    self.keyword = KeywordIndex.load(self.settings.keyword_index_path) or self.keyword
                else:  # an ingest was killed before it rebuilt the keyword index
                    self.keyword = KeywordIndex.build(self.store.iter_nodes(), manifest.generation)
            self.manifest = manifest

    @property
    def empty(self) -> bool:
        return not self.manifest.ready()


__all__ = [
    "ChunkStore", "CouncilIndex", "DocumentEntry", "EmbeddingModel", "EmbeddingModelMismatch",
    "IngestReport", "Indexer", "KeywordIndex", "Manifest", "StoreError", "display_source",
    "load_embedding_model", "open_store", "wordpiece_counter",
]
