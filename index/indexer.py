"""Incremental, idempotent ingest: files in, chunks and vectors in the store.

Re-running on the same files adds nothing; a changed file replaces its document's
chunks; two files with the same text share one document; ``prune`` drops documents
whose files are gone. A file that fails to load is reported and leaves what was
already indexed untouched.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from pathlib import Path

from council_qa.config import PROJECT_ROOT, Settings
from index.embedding import load_embedding_model
from index.keyword import KeywordIndex
from index.manifest import ADDING, DELETING, READY, DocumentEntry, Manifest
from index.records import RecordStore
from index.store import ChunkStore, open_store
from ingest import (
    DocumentMetadata, IsolatedLoader, LoadError, PreparedDocument, StructuredChunker, discover_files, normalise_body,
    prepare_document,
)
from llama_index.core.schema import MetadataMode

EMBED_KEY = "embed_sha"  # a chunk's embedded text (title, heading, text; model and dtype) hashed: its vector's cache key
CORRECTION_RACES = 3  # times a file is read again when a user corrects its document meanwhile
CORRECTABLE = ("title", "doc_type", "body", "meeting_date", "issued", "council")  # what a user may correct by hand
CHUNKER_VERSION = 17  # bump when chunk boundaries change: documents are re-chunked on the next ingest
ProgressCallback = Callable[[int, int, str], None]


@dataclass
class IngestReport:
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    removed: int = 0
    chunks_total: int = 0
    failed: list[dict[str, str]] = field(default_factory=list)
    duplicates: list[dict[str, str]] = field(default_factory=list)
    documents: list[dict] = field(default_factory=list)  # each document added or updated, with its coverage
    chunks_embedded: int = 0
    chunks_reused: int = 0  # chunks whose exact text was embedded before: vector taken from the store
    left_out: list[str] = field(default_factory=list)  # files in a named folder that a user removed before
    embed_seconds: float = 0.0
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return not self.failed

    @property
    def incomplete(self) -> list[dict]:
        """Documents some of whose text reached no chunk."""
        return [d for d in self.documents if d["coverage"]["ratio"] < 1.0]

    def to_dict(self) -> dict:
        return {
            "added": self.added,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "removed": self.removed,
            "chunks_total": self.chunks_total,
            "failed": self.failed,
            "duplicates": self.duplicates,
            "documents": self.documents,
            "chunks_embedded": self.chunks_embedded,
            "chunks_reused": self.chunks_reused,
            "left_out": self.left_out,
            "embed_seconds": round(self.embed_seconds, 3),
            "seconds": round(self.seconds, 3),
        }


def display_source(path: Path) -> str:
    """Project-relative for the bundled corpus, else as absolute as needed to find it."""
    resolved = path.resolve()
    for base in (PROJECT_ROOT, Path.cwd()):
        try:
            return str(resolved.relative_to(base))
        except ValueError:
            continue
    return str(resolved)


class Indexer:
    def __init__(self, settings: Settings, store: ChunkStore | None = None) -> None:
        self.settings = settings
        # A parser child kept warm between ingests (an upload each), started before the
        # model loads so that its imports overlap the model's.
        self._parsers = [IsolatedLoader(settings.input_limits)]
        self._parsers[0].start()
        self._parsers_lock = threading.Lock()
        try:
            self.embedder = load_embedding_model(settings)
            self.store: ChunkStore = store or open_store(settings, settings.embed_model_name, self.embedder.dimension)
        except BaseException:  # no index to write to (a Chroma server that does not answer): no child left behind
            self.close()
            raise
        self.records = RecordStore(settings.records_path)
        self.chunker = StructuredChunker(
            chunk_tokens=settings.chunk_tokens,
            max_embed_tokens=min(settings.max_wordpieces, self.embedder.max_tokens),
            token_counter=self.embedder.count_tokens,
        )

    @contextmanager
    def _exclusive(self):
        """One ingest at a time per index home, across processes."""
        self.settings.home.mkdir(parents=True, exist_ok=True)
        with open(self.settings.home / ".ingest.lock", "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)

    def ingest(
        self,
        paths: Iterable[Path | str],
        prune: bool = False,
        overrides: dict | None = None,
        on_progress: ProgressCallback | None = None,
        force: bool = False,
    ) -> IngestReport:
        """Index the files under ``paths``. Files are parsed and embedded outside the index
        lock and written under it one document at a time, so another ingest (a second
        user's upload) waits for one write, not for this whole batch. ``force`` parses,
        chunks and embeds them again even when nothing changed (no vector is reused)."""
        started = time.perf_counter()
        report = IngestReport()
        roots = [Path(p) for p in paths]
        with self._exclusive():
            manifest = Manifest.load(self.settings.manifest_path)
            manifest.embed_model = self.settings.embed_model_name
            changed, interrupted, recovered = self._recover(manifest)
        files = list(discover_files(
            roots, on_error=lambda path, reason: report.failed.append({"path": str(path), "error": reason})))
        # A file a user removed stays out when its folder is ingested again; naming the file
        # itself (or force) brings it back.
        named_files = {r.resolve() for r in roots if not r.is_dir()}
        removed = set(manifest.removed)
        report.left_out = [str(p) for p in files if str(p.resolve()) in removed and p.resolve() not in named_files
                           and not force]
        files = [p for p in files if str(p) not in report.left_out]
        # A document an interrupted run left half-added is added again from its file.
        named = {p.resolve() for p in files}
        for source in interrupted:
            if Path(source).resolve() in named:
                continue
            if Path(source).is_file():
                files.append(Path(source))
            else:
                report.failed.append({"path": source, "error": "an interrupted ingest left it half-added and "
                                                               "its file is gone, so it could not be added again"})
        with self._parser() as load:
            for number, path in enumerate(files, start=1):
                if on_progress:
                    on_progress(number - 1, len(files), str(path))
                for attempt in range(1, CORRECTION_RACES + 1):
                    manifest = manifest.current()
                    corrections = self._corrections(path, manifest) or recovered.get(str(path.resolve()), {})
                    chosen = {**corrections, **{k: v for k, v in (overrides or {}).items() if v is not None}}
                    try:
                        prepared = prepare_document(path, self.chunker, chosen, source=display_source(path),
                                                    load=load)
                    except LoadError as exc:
                        report.failed.append({"path": str(path), "error": exc.reason})
                        break
                    if number < len(files):
                        load.prefetch(files[number])  # parsed by the child while this one embeds
                    if force or not self._indexed_already(prepared, str(path.resolve()), manifest):
                        self._embed(prepared, report, reuse=not force)  # the slow part, outside the lock
                    with self._exclusive():
                        manifest = manifest.current()
                        now = self._corrections(path, manifest)
                        if now and now != corrections and attempt < CORRECTION_RACES:
                            continue  # corrected while it was read: read it again, with the correction
                        changed |= self._add(path, prepared, manifest, report, force, corrections)
                    break
        if on_progress:
            on_progress(len(files), len(files), "")
        with self._exclusive():
            manifest = manifest.current()
            if prune:
                changed |= self._prune(roots, files, manifest, report)
            if changed or self._keyword_stale(manifest):
                manifest.generation += 1
                manifest.save()
                self.update_keyword_index(manifest)
            report.chunks_total = self.store.count()
        report.seconds = time.perf_counter() - started
        return report

    @contextmanager
    def _parser(self) -> Iterator[IsolatedLoader]:
        """The warm parser child when no other ingest of this indexer holds it, else a new
        one; the warm one is kept for the next ingest, a new one closed."""
        with self._parsers_lock:
            load = self._parsers.pop() if self._parsers else IsolatedLoader(self.settings.input_limits)
        try:
            yield load
        finally:
            with self._parsers_lock:
                if self._parsers:
                    load.close()
                else:
                    self._parsers.append(load)

    def close(self) -> None:
        """Stop the parser child (it also stops by itself when this process ends)."""
        with self._parsers_lock:
            for load in self._parsers:
                load.close()
            self._parsers.clear()

    def _indexed_already(self, prepared: PreparedDocument, key: str, manifest: Manifest) -> bool:
        """Whether the index holds this text already, so that at most the file joins it."""
        existing = manifest.documents.get(prepared.doc_id)
        if existing is None:
            return False
        return (existing.fingerprint == self._fingerprint(prepared.document.sha256, prepared.metadata)
                or manifest.doc_for_source(key) != prepared.doc_id)

    @staticmethod
    def _corrections(path: Path, manifest: Manifest) -> dict[str, str]:
        """The metadata a user corrected for the document this file held last time."""
        previous = manifest.doc_for_source(str(path.resolve()))
        return dict(manifest.documents[previous].corrections) if previous else {}

    def _add(self, path: Path, prepared: PreparedDocument, manifest: Manifest, report: IngestReport,
             force: bool = False, corrections: dict[str, str] | None = None) -> bool:
        """Write one prepared file into the index (under the lock); whether anything changed."""
        key = str(path.resolve())
        doc_id = prepared.doc_id
        previous = manifest.doc_for_source(key)
        existing = manifest.documents.get(doc_id)
        if key in manifest.removed:  # named again on purpose: it is wanted back
            manifest.removed.remove(key)
            manifest.save()
        if not force and self._indexed_already(prepared, key, manifest):
            assert existing is not None
            if previous == doc_id:
                if self.records.is_current(doc_id):
                    report.unchanged += 1
                    return False
                self.records.save(prepared.record)  # kept by an older version: the chunks stand
                report.updated += 1
                return True
            orphan = manifest.detach(key) if previous else None
            existing.sources.append(key)
            manifest.save()
            if orphan:
                self._delete(orphan, manifest)
            if previous:
                report.updated += 1
                return True
            report.duplicates.append({"path": str(path), "same_as": existing.sources[0]})
            report.unchanged += 1
            return False
        if existing:
            # Same file and text, new metadata or chunking settings: chunks are replaced.
            self.store.delete_document(doc_id)
        entry = DocumentEntry(
            title=prepared.metadata.title,
            doc_type=prepared.metadata.doc_type,
            body=prepared.metadata.body,
            meeting_date=prepared.metadata.meeting_date,
            sha256=prepared.document.sha256,
            fingerprint=self._fingerprint(prepared.document.sha256, prepared.metadata),
            chunks=len(prepared.nodes),
            sources=sorted(set((existing.sources if existing else []) + [key])),
            state=ADDING,
            ingested_at=datetime.now(timezone.utc).isoformat(timespec="seconds"),
            coverage=round(prepared.coverage.ratio, 4),
            furniture=prepared.coverage.furniture,
            corrections=dict(corrections or {}),
        )
        manifest.documents[doc_id] = entry
        manifest.save()
        self._embed(prepared, report, reuse=not force)  # done already unless another ingest changed the index meanwhile
        self.store.add(prepared.nodes)
        self.records.save(prepared.record)
        report.documents.append({"path": str(path), "doc_id": doc_id, "chunks": len(prepared.nodes),
                                 "coverage": prepared.coverage.to_dict()})
        entry.state = READY
        if previous and previous != doc_id:
            orphan = manifest.detach(key)
            manifest.save()
            if orphan:
                self._delete(orphan, manifest)
            report.updated += 1
        elif existing:
            report.updated += 1
        else:
            report.added += 1
        manifest.save()
        return True

    def _embed(self, prepared: PreparedDocument, report: IngestReport, reuse: bool = True) -> None:
        """Vectors for the document's chunks: taken from the store where the same embedded
        text (title, heading and text, same model and dtype) was embedded before, e.g. the
        unchanged paragraphs of an edited paper, and computed for the rest (all of them
        when ``reuse`` is off: indexing again on purpose)."""
        todo = [n for n in prepared.nodes if n.embedding is None]
        if not todo:
            return
        texts = [n.get_content(metadata_mode=MetadataMode.EMBED) for n in todo]
        for node, text in zip(todo, texts):
            model = f"{self.settings.embed_model_name} {self.settings.embed_dtype}"
            node.metadata[EMBED_KEY] = hashlib.sha256(f"{model}\n{text}".encode()).hexdigest()[:24]
            node.excluded_embed_metadata_keys.append(EMBED_KEY)  # a key, never part of any text
            node.excluded_llm_metadata_keys.append(EMBED_KEY)
        known = self.store.vectors_by(EMBED_KEY, [n.metadata[EMBED_KEY] for n in todo]) if reuse else {}
        missing = [(n, t) for n, t in zip(todo, texts) if n.metadata[EMBED_KEY] not in known]
        for node in todo:
            node.embedding = known.get(node.metadata[EMBED_KEY])
        report.chunks_reused += len(todo) - len(missing)
        if not missing:
            return
        started = time.perf_counter()
        vectors = self.embedder.embed_texts([t for _, t in missing])
        report.embed_seconds += time.perf_counter() - started
        report.chunks_embedded += len(missing)
        for (node, _), vector in zip(missing, vectors):
            node.embedding = vector

    def _fingerprint(self, sha256: str, metadata: DocumentMetadata) -> str:
        payload = json.dumps(
            [sha256, metadata.chunk_fields(), self.settings.chunk_tokens,
             self.chunker.max_embed_tokens, self.settings.embed_model_name, CHUNKER_VERSION],
            sort_keys=True,
        )
        return hashlib.sha256(payload.encode()).hexdigest()[:16]

    def remove(self, doc_id: str) -> bool:
        """Take a document out of the index: chunks, keyword index, record and manifest,
        crash-safe (an interrupted removal is finished by the next ingest). Files the app
        stored as uploads go too, so the document cannot come back by itself."""
        with self._exclusive():
            manifest = Manifest.load(self.settings.manifest_path)
            if doc_id not in manifest.documents:
                return False
            sources = list(manifest.documents[doc_id].sources)
            manifest.removed = sorted(set(manifest.removed) | set(sources))
            manifest.generation += 1  # saved with the first step: a crash leaves the keyword index stale, and seen
            self._delete(doc_id, manifest)
            self.update_keyword_index(manifest)
        uploads = self.settings.uploads_path.resolve()
        for source in sources:
            if _within(Path(source), uploads):
                Path(source).unlink(missing_ok=True)
        return True

    def correct_metadata(self, doc_id: str, changes: dict[str, str]) -> DocumentMetadata:
        """Set a document's title, type, board, meeting or issue date or council without
        re-embedding it. The correction is kept with the document, so re-ingesting its file
        keeps it too. While it is applied the document is ``adding``: a kill leaves it to be
        added again whole, corrected. Only fields that change are kept as corrections; a
        board is written as ingest writes boards ("Health & Wellbeing Board")."""
        with self._exclusive():
            manifest = Manifest.load(self.settings.manifest_path)
            entry = manifest.ready().get(doc_id)
            record = self.records.load(doc_id) if entry else None
            if entry is None or record is None:
                raise KeyError(doc_id)
            clean = {k: str(v).strip() for k, v in changes.items() if k in CORRECTABLE and v is not None}
            if clean.get("body"):
                clean["body"] = normalise_body(clean["body"]) or clean["body"]
            clean = {k: v for k, v in clean.items() if v != getattr(record.metadata, k)}  # only what changes
            metadata = record.metadata.merged(clean)  # ValueError on a bad type or date
            entry.corrections = {**entry.corrections, **clean}
            entry.state = ADDING  # with the correction: a kill now re-adds the document corrected
            manifest.save()
            self.store.set_metadata(doc_id, {
                "title": metadata.title, "doc_type": metadata.doc_type, "body": metadata.body,
                "meeting_date": metadata.meeting_date, "meeting_day": metadata.meeting_day, "issued": metadata.issued})
            self.records.save(replace(record, metadata=metadata))
            entry.title, entry.doc_type = metadata.title, metadata.doc_type
            entry.body, entry.meeting_date = metadata.body, metadata.meeting_date
            entry.fingerprint = self._fingerprint(entry.sha256, metadata)
            entry.state = READY
            manifest.generation += 1
            manifest.save()
            self.update_keyword_index(manifest)
            return metadata

    def _recover(self, manifest: Manifest) -> tuple[bool, list[str], dict[str, dict[str, str]]]:
        """Undo what an interrupted run left half-done: whether anything was, the files of
        the documents it was adding, to be added again (a half-deleted one stays deleted),
        and the corrections those files' documents carried, to be kept."""
        unfinished = [d for d, e in manifest.documents.items() if e.state in (ADDING, DELETING)]
        adding = [manifest.documents[d] for d in unfinished if manifest.documents[d].state == ADDING]
        corrections = {source: dict(entry.corrections) for entry in adding for source in entry.sources}
        for doc_id in unfinished:
            self._delete(doc_id, manifest)
        return bool(unfinished), list(corrections), corrections

    def _delete(self, doc_id: str, manifest: Manifest) -> None:
        manifest.documents[doc_id].state = DELETING
        manifest.save()
        self.store.delete_document(doc_id)
        self.records.delete(doc_id)
        del manifest.documents[doc_id]
        manifest.save()

    def _prune(self, roots: list[Path], files: list[Path], manifest: Manifest, report: IngestReport) -> bool:
        """Drop files that were under the named folders (or were named) and are gone."""
        present = {str(p.resolve()) for p in files}
        scopes = [r.resolve() for r in roots]
        gone = [
            source
            for entry in manifest.documents.values()
            for source in entry.sources
            if source not in present and any(_within(Path(source), scope) for scope in scopes)
        ]
        for source in gone:
            orphan = manifest.detach(source)
            manifest.save()
            if orphan:
                self._delete(orphan, manifest)
                report.removed += 1
        return bool(gone)

    def _keyword_stale(self, manifest: Manifest) -> bool:
        return KeywordIndex.stored_generation(self.settings.keyword_index_path) != manifest.generation

    def update_keyword_index(self, manifest: Manifest) -> KeywordIndex:
        """Bring the keyword index to the manifest: only documents added, changed or removed
        since it was saved are tokenised or dropped."""
        keyword = updated_keyword_index(self.settings.keyword_index_path, manifest, self.store)
        keyword.save(self.settings.keyword_index_path)
        return keyword


def updated_keyword_index(path: Path, manifest: Manifest, store: ChunkStore) -> KeywordIndex:
    """The keyword index saved at ``path`` brought to ``manifest``'s ready documents (not saved)."""
    wanted = {doc_id: entry.fingerprint for doc_id, entry in manifest.ready().items()}
    return KeywordIndex.updated(path, wanted, store.document_nodes, manifest.generation)


def _within(path: Path, scope: Path) -> bool:
    return path == scope or scope in path.parents
