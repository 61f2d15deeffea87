"""45 hostile and careless files (``tests/hostile.py``): each is read or refused with a
one-line reason, within the time and memory caps, and one file's failure stops nothing."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from council_qa.config import InputLimits
from ingest import IsolatedLoader, LoadError, StructuredChunker, prepare_document
from tests.hostile import make_all

pytestmark = pytest.mark.slow

LIMITS = InputLimits(parse_seconds=60, parse_memory_mb=1536)
# Refused, and why (the start of the reason); every other file is read.
REFUSED = {
    "empty.txt": "empty file",
    "binary-nul.txt": "binary data, not text",
    "cp1252.txt": "not UTF-8 text",
    "over-text-limit-25mb.txt": "25 MB of text is over the 20 MB limit",
    "newlines-only.txt": "no text found",
    "script-only.html": "no text found",
    "zip-bomb-400mb.docx": "it unzips to 400 MB, over the 200 MB limit",
    "lying-sizes.docx": "cannot parse DOCX",
    "not-a-zip.docx": "cannot parse DOCX",
    "no-document-part.docx": "cannot parse DOCX",
    "billion-laughs.docx": "cannot parse DOCX",
    "deep-tables.docx": "no text found",
    "garbage.pdf": "damaged or truncated PDF",
    "truncated.pdf": "damaged or truncated PDF",
    "2000-pages.pdf": "2000 pages is over the 1500 page limit",
    "encrypted.pdf": "encrypted PDF",
    "circular-page-tree.pdf": "cannot parse PDF",
    "content-bomb.pdf": "",  # past the memory cap: how PDFium ends varies (MemoryError or abort)
    "spreadsheet.xlsx": "unsupported file type '.xlsx'",
    "sparse-150mb.pdf": "150 MB is over the 100 MB limit",
    "pipe.txt": "not a regular file",
    "folder.pdf": "not a regular file",
}


def test_every_hostile_file_is_read_or_refused_within_the_caps(tmp_path: Path) -> None:
    names = make_all(tmp_path)
    assert len(names) >= 40
    chunker = StructuredChunker()
    refused, read = {}, {}
    for name in names:
        with IsolatedLoader(LIMITS) as load:
            started = time.monotonic()
            try:
                prepared = prepare_document(tmp_path / name, chunker, load=load)
                read[name] = "\n".join(node.text for node in prepared.nodes)
            except LoadError as exc:
                assert "\n" not in str(exc), name
                refused[name] = exc.reason
            # The parse cap, plus outlining and chunking here (30 s at most measured).
            assert time.monotonic() - started < LIMITS.parse_seconds + 60, name
            peak = load.peak_memory_mb()
            assert peak is None or peak < LIMITS.parse_memory_mb, name
    assert set(refused) == set(REFUSED), sorted(set(refused) ^ set(REFUSED))
    for name, reason in REFUSED.items():
        assert refused[name].startswith(reason), (name, refused[name])
    assert "root:" not in read["external-entity.docx"]  # an XML external entity is never fetched
    assert "lol" not in read.get("billion-laughs.docx", "")
    assert all(text.strip() for text in read.values())
