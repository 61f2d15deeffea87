"""Where chunks and their vectors live, behind a small interface.

``ChunkStore`` is what the rest of the product relies on; ``ChromaChunkStore`` keeps a
Chroma collection through LlamaIndex's ``ChromaVectorStore``. A Chroma server (for
shared deployments) is a different client behind the same interface.
"""

from __future__ import annotations

import fcntl
import logging
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Protocol

from llama_index.core.schema import TextNode
from llama_index.core.vector_stores.types import BasePydanticVectorStore
from llama_index.core.vector_stores.utils import metadata_dict_to_node

from council_qa.config import Settings, offline_environment


class StoreError(Exception):
    """The index cannot be opened or used as asked."""


class EmbeddingModelMismatch(StoreError):
    pass


class ChunkStore(Protocol):
    vector_store: BasePydanticVectorStore

    def add(self, nodes: Sequence[TextNode]) -> None: ...

    def delete_document(self, doc_id: str) -> None: ...

    def count(self) -> int: ...

    def iter_nodes(self, batch_size: int = 1000) -> Iterator[TextNode]: ...

    def get_nodes(self, node_ids: Sequence[str]) -> list[TextNode]: ...

    def document_nodes(self, doc_id: str) -> list[TextNode]: ...

    def set_metadata(self, doc_id: str, values: dict) -> int: ...

    def catch_up(self) -> None: ...

    def vectors_by(self, key: str, values: Sequence[str]) -> dict[str, list[float]]: ...


# Chroma keeps a small collection's vectors only in its log until this many records have
# come in; until then every process that opens the index replays the log and rewrites the
# vector files, and two opening at once could load them half-written (a search then
# silently missed chunks). Past it, the files are saved with their log position and
# readers leave them alone. 100 is Chroma's own batch size; it cost under 10% of the
# store's write time on 10,000 chunks (the embedding is the slow part of an ingest).
PERSIST_EVERY = 100
_WRITE_MARK = ".store.written"


@contextmanager
def store_lock(folder: Path | None):
    """One process at a time loads or writes a local Chroma folder's vector files."""
    if folder is None:
        yield
        return
    with open(folder / ".store.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


class ChromaChunkStore:
    """A Chroma collection that records which embedding model built it.

    A local collection's vector files are read and written under a lock on its folder:
    Chroma is not safe for several processes (the web chat and a CLI command) at once.
    """

    def __init__(self, settings: Settings, embed_model_name: str, dimension: int) -> None:
        offline_environment()
        logging.getLogger("chromadb.telemetry").setLevel(logging.CRITICAL)
        from chromadb.config import Settings as ChromaSettings

        if settings.store != "persistent":
            raise StoreError(f"unknown store {settings.store!r}: only 'persistent' is available")
        self._settings, self._embed_model_name, self._dimension = settings, embed_model_name, dimension
        self._chroma_settings = ChromaSettings(anonymized_telemetry=False, allow_reset=False)
        self._folder: Path | None = None
        if settings.chroma_url:
            self._client = _server_client(settings.chroma_url, self._chroma_settings)
        else:
            try:
                settings.chroma_path.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise StoreError(f"cannot create the index in {settings.home}: {exc.strerror or exc}") from None
            self._folder = settings.chroma_path
        self._open()

    def _open(self) -> None:
        import chromadb
        from llama_index.vector_stores.chroma import ChromaVectorStore

        with self._locked():
            if self._folder is not None:
                self._client = chromadb.PersistentClient(path=str(self._folder), settings=self._chroma_settings)
            self._open_collection()
            self._seen_write = self._last_write()
        self.vector_store = ChromaVectorStore(chroma_collection=self._collection)

    def catch_up(self) -> None:
        """Load the vectors again when another process wrote since this one loaded them:
        Chroma keeps one copy per folder and process and never reloads it, so the chat would
        search a paper indexed from the command line by its words only. This process's own
        writes are in its copy already (a reload costs memory Chroma does not give back)."""
        if self._folder is None or self._last_write() == self._seen_write:
            return  # nothing new (and a server searches what every client wrote)
        from chromadb.api.shared_system_client import SharedSystemClient

        # Forgets the loaded copies without closing them: a search under way keeps its own.
        SharedSystemClient.clear_system_cache()
        self._open()

    def _last_write(self) -> str:
        """A token every write through a store replaces, so a reader can tell it changed."""
        if self._folder is None:
            return ""
        try:
            return (self._folder / _WRITE_MARK).read_text(encoding="utf-8")
        except OSError:
            return ""

    @contextmanager
    def _writing(self):
        with self._locked():
            behind = self._last_write() != self._seen_write  # another process wrote first
            yield
            if self._folder is not None:
                token = uuid.uuid4().hex
                (self._folder / _WRITE_MARK).write_text(token, encoding="utf-8")
                if not behind:
                    self._seen_write = token

    def _open_collection(self) -> None:
        settings, embed_model_name, dimension = self._settings, self._embed_model_name, self._dimension
        # Chroma's default embedding function downloads a model; vectors always come from us.
        wanted = {"ef_search": settings.dense_ef_search, "sync_threshold": PERSIST_EVERY}
        self._collection = self._client.get_or_create_collection(
            settings.collection,
            embedding_function=None,
            metadata={"embed_model": embed_model_name, "embed_dim": dimension},
            configuration={"hnsw": {"space": "cosine", "batch_size": PERSIST_EVERY, **wanted}},
        )
        recorded = (self._collection.metadata or {}).get("embed_model")
        if recorded != embed_model_name:
            raise EmbeddingModelMismatch(
                f"the index in {settings.home} was built with embedding model {recorded!r}, "
                f"not {embed_model_name!r}; use another COUNCIL_QA_HOME or delete the index"
            )
        # Older indexes take new settings here; Chroma reads them when it loads the index.
        changed = {key: value for key, value in wanted.items() if self._hnsw.get(key) != value}
        if changed:
            self._collection.modify(configuration={"hnsw": changed})
        if self._folder is not None and self._collection.count():
            # Load the vectors now, under the lock (Chroma would on the first search).
            self._collection.query(query_embeddings=[[1.0] + [0.0] * (dimension - 1)], n_results=1,
                                   include=[])

    def _locked(self):
        return store_lock(self._folder)

    @property
    def _hnsw(self) -> dict:
        return (self._collection.configuration or {}).get("hnsw") or {}

    @property
    def ef_search(self) -> int | None:
        return self._hnsw.get("ef_search")

    @property
    def sync_threshold(self) -> int | None:
        return self._hnsw.get("sync_threshold")

    def add(self, nodes: Sequence[TextNode]) -> None:
        if nodes:
            with self._writing():
                self.vector_store.add(list(nodes))

    def delete_document(self, doc_id: str) -> None:
        with self._writing():
            self._collection.delete(where={"doc_id": doc_id})

    def count(self) -> int:
        return self._collection.count()

    def iter_nodes(self, batch_size: int = 1000) -> Iterator[TextNode]:
        offset = 0
        while True:
            page = self._collection.get(include=["documents", "metadatas"], limit=batch_size, offset=offset)
            if not page["ids"]:
                return
            for text, metadata in zip(page["documents"], page["metadatas"]):
                yield metadata_dict_to_node(metadata, text=text)
            offset += len(page["ids"])

    def get_nodes(self, node_ids: Sequence[str]) -> list[TextNode]:
        if not node_ids:
            return []
        page = self._collection.get(ids=list(node_ids), include=["documents", "metadatas"])
        by_id = {
            node_id: metadata_dict_to_node(metadata, text=text)
            for node_id, text, metadata in zip(page["ids"], page["documents"], page["metadatas"])
        }
        return [by_id[i] for i in node_ids if i in by_id]

    def document_nodes(self, doc_id: str) -> list[TextNode]:
        """Every chunk of one document, in no set order."""
        page = self._collection.get(where={"doc_id": doc_id}, include=["documents", "metadatas"])
        return [metadata_dict_to_node(metadata, text=text)
                for text, metadata in zip(page["documents"], page["metadatas"])]

    def vectors_by(self, key: str, values: Sequence[str]) -> dict[str, list[float]]:
        """Stored vectors of chunks whose metadata ``key`` holds one of ``values``."""
        found: dict[str, list[float]] = {}
        wanted = list(dict.fromkeys(values))
        for start in range(0, len(wanted), 500):
            page = self._collection.get(where={key: {"$in": wanted[start:start + 500]}},
                                        include=["metadatas", "embeddings"])
            for metadata, vector in zip(page["metadatas"], page["embeddings"]):
                found.setdefault(metadata[key], list(vector))
        return found

    def set_metadata(self, doc_id: str, values: dict) -> int:
        """Change metadata fields of every chunk of a document, vectors untouched; how many."""
        from llama_index.core.vector_stores.utils import node_to_metadata_dict

        page = self._collection.get(where={"doc_id": doc_id}, include=["documents", "metadatas"])
        metadatas = []
        for text, metadata in zip(page["documents"], page["metadatas"]):
            node = metadata_dict_to_node(metadata, text=text)
            node.metadata.update(values)
            flat = node_to_metadata_dict(node, remove_text=True, flat_metadata=True)
            metadatas.append({k: "" if v is None else v for k, v in flat.items()})
        if page["ids"]:
            with self._writing():
                self._collection.update(ids=page["ids"], metadatas=metadatas)
        return len(page["ids"])


def _server_client(url: str, chroma_settings):
    """A client of the Chroma server at ``url``; a clear error when none answers there."""
    import chromadb
    from urllib.parse import urlsplit

    parts = urlsplit(url if "://" in url else f"http://{url}")
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise StoreError(f"COUNCIL_QA_CHROMA_URL={url!r} is not an http(s) address such as http://localhost:8000")
    port = parts.port or (443 if parts.scheme == "https" else 8000)
    try:
        client = chromadb.HttpClient(host=parts.hostname, port=port, ssl=parts.scheme == "https",
                                     settings=chroma_settings)
        client.heartbeat()
    except Exception as exc:  # chromadb raises several kinds for an absent or refusing server
        raise StoreError(f"no Chroma server answers at {url} ({type(exc).__name__}); start one with "
                         "`chroma run --path DIR --port PORT` or unset COUNCIL_QA_CHROMA_URL") from None
    return client


def open_store(settings: Settings, embed_model_name: str, dimension: int) -> ChunkStore:
    return ChromaChunkStore(settings, embed_model_name, dimension)
