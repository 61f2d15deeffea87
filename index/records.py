"""Each document's record (outline, tables, commitments, decisions), one JSON file per document.

Written while the document is ``adding`` in the manifest and removed with it, so the
records always describe exactly the documents that are indexed.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from pathlib import Path

from index.manifest import write_json_atomically
from ingest import DocumentRecord
from ingest.record import is_current


class RecordStore:
    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def _path(self, doc_id: str) -> Path:
        return self.folder / f"{doc_id}.json"

    def save(self, record: DocumentRecord) -> None:
        write_json_atomically(self._path(record.doc_id), record.to_dict())

    def is_current(self, doc_id: str) -> bool:
        """Whether the record exists in this version's format (an older one lacks fields,
        e.g. the decisions register, and is written again from its document)."""
        path = self._path(doc_id)
        if not path.exists():
            return False
        try:
            return is_current(json.loads(path.read_text(encoding="utf-8")))
        except (OSError, ValueError):
            return False

    def load(self, doc_id: str) -> DocumentRecord | None:
        path = self._path(doc_id)
        if not path.exists():
            return None
        try:
            return DocumentRecord.from_dict(json.loads(path.read_text(encoding="utf-8")))
        except ValueError:
            return None  # an older version's record, until the next ingest writes it again

    def delete(self, doc_id: str) -> None:
        self._path(doc_id).unlink(missing_ok=True)

    def records(self, doc_ids: Iterable[str]) -> Iterator[DocumentRecord]:
        for doc_id in doc_ids:
            record = self.load(doc_id)
            if record is not None:
                yield record
