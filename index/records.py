"""Each document's record (outline, tables, commitments), one JSON file per document.

Written while the document is ``adding`` in the manifest and removed with it, so the
records always describe exactly the documents that are indexed.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from pathlib import Path

from index.manifest import write_json_atomically
from ingest import DocumentRecord


class RecordStore:
    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def _path(self, doc_id: str) -> Path:
        return self.folder / f"{doc_id}.json"

    def save(self, record: DocumentRecord) -> None:
        write_json_atomically(self._path(record.doc_id), record.to_dict())

    def has(self, doc_id: str) -> bool:
        return self._path(doc_id).exists()

    def load(self, doc_id: str) -> DocumentRecord | None:
        path = self._path(doc_id)
        if not path.exists():
            return None
        return DocumentRecord.from_dict(json.loads(path.read_text(encoding="utf-8")))

    def delete(self, doc_id: str) -> None:
        self._path(doc_id).unlink(missing_ok=True)

    def records(self, doc_ids: Iterable[str]) -> Iterator[DocumentRecord]:
        for doc_id in doc_ids:
            record = self.load(doc_id)
            if record is not None:
                yield record
