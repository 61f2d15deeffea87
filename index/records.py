"""Each document's record (outline, tables, commitments), one JSON file per document.

Written while the document is ``adding`` in the manifest and removed with it, so the
records always describe exactly the documents that are indexed.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

from ingest import DocumentRecord


class RecordStore:
    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def _path(self, doc_id: str) -> Path:
        return self.folder / f"{doc_id}.json"

    def save(self, record: DocumentRecord) -> None:
        """Atomically: a temporary file in the same folder, flushed, then renamed."""
        self.folder.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".record-", suffix=".json", dir=self.folder)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                json.dump(record.to_dict(), handle, ensure_ascii=False)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(tmp, self._path(record.doc_id))
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    def load(self, doc_id: str) -> DocumentRecord | None:
        path = self._path(doc_id)
        if not path.exists():
            return None
        return DocumentRecord.from_dict(json.loads(path.read_text(encoding="utf-8")))

    def delete(self, doc_id: str) -> None:
        self._path(doc_id).unlink(missing_ok=True)

    def records(self, doc_ids: Iterator[str] | list[str]) -> Iterator[DocumentRecord]:
        for doc_id in doc_ids:
            record = self.load(doc_id)
            if record is not None:
                yield record
