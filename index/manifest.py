"""The record of what is indexed, written atomically so a kill never leaves it torn.

Each document is keyed by the hash of its text and lists the files that hold that
text. A document is ``adding`` while its chunks go in and ``deleting`` while they come
out; an interrupted run leaves that state behind and the next run finishes the job.
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import asdict, dataclass, field
from pathlib import Path

FORMAT = 1
READY, ADDING, DELETING = "ready", "adding", "deleting"


def write_json_atomically(path: Path, payload: object, indent: int | None = None) -> None:
    """Write to a temporary file in the same folder, flush it to disk, then rename: a kill
    leaves the old file or the new one, never half of one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.stem}-", suffix=".json", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(payload, handle, indent=indent, ensure_ascii=False)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


@dataclass
class DocumentEntry:
    title: str
    doc_type: str
    body: str
    meeting_date: str
    sha256: str
    fingerprint: str  # text, metadata and chunking settings: a change means re-index
    chunks: int
    sources: list[str] = field(default_factory=list)
    state: str = ADDING
    ingested_at: str = ""
    coverage: float = 1.0  # share of the extracted text (furniture aside) that reached a chunk
    furniture: dict[str, int] = field(default_factory=dict)  # characters left out on purpose, by kind
    corrections: dict[str, str] = field(default_factory=dict)  # metadata a user set; kept on re-ingest


@dataclass
class Manifest:
    path: Path
    embed_model: str = ""
    generation: int = 0
    documents: dict[str, DocumentEntry] = field(default_factory=dict)
    removed: list[str] = field(default_factory=list)  # files a user took out: a folder's ingest leaves them out
    stamp: tuple = field(default=(), compare=False, repr=False)  # the file as last read or written

    @classmethod
    def load(cls, path: Path) -> "Manifest":
        if not path.exists():
            return cls(path=path)
        raw = json.loads(path.read_text(encoding="utf-8"))
        if raw.get("format") != FORMAT:
            raise ValueError(f"{path}: unknown manifest format {raw.get('format')!r}")
        documents = {doc_id: DocumentEntry(**entry) for doc_id, entry in raw.get("documents", {}).items()}
        return cls(path=path, embed_model=raw.get("embed_model", ""), generation=raw.get("generation", 0),
                   documents=documents, removed=list(raw.get("removed", [])), stamp=_stamp(path))

    def current(self) -> "Manifest":
        """This manifest, or the file's newer one when another process wrote it since."""
        return self if _stamp(self.path) == self.stamp else Manifest.load(self.path)

    def save(self) -> None:
        payload = {
            "format": FORMAT,
            "embed_model": self.embed_model,
            "generation": self.generation,
            "documents": {doc_id: asdict(entry) for doc_id, entry in sorted(self.documents.items())},
            "removed": sorted(set(self.removed)),
        }
        write_json_atomically(self.path, payload, indent=1)
        self.stamp = _stamp(self.path)

    def doc_for_source(self, source: str) -> str | None:
        for doc_id, entry in self.documents.items():
            if source in entry.sources and entry.state != DELETING:
                return doc_id
        return None

    def ready(self) -> dict[str, DocumentEntry]:
        return {d: e for d, e in self.documents.items() if e.state == READY}

    def detach(self, source: str) -> str | None:
        """Remove a file from its document; returns the doc_id when none of its files is left."""
        doc_id = self.doc_for_source(source)
        if doc_id is None:
            return None
        entry = self.documents[doc_id]
        entry.sources.remove(source)
        if not entry.sources:
            entry.state = DELETING
            return doc_id
        return None


def _stamp(path: Path) -> tuple:
    try:
        stat = path.stat()
    except FileNotFoundError:
        return ()
    return stat.st_ino, stat.st_mtime_ns, stat.st_size  # a save replaces the file: a new inode
