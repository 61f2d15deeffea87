"""Documents in: loaders, outline recovery, metadata and chunking.

``prepare_document`` runs the whole stage for one file and knows nothing of embeddings,
stores or questions.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from llama_index.core.schema import TextNode

from council_qa.config import InputLimits

from ingest.chunking import StructuredChunker, TokenCounter, tiktoken_counter
from ingest.coverage import Coverage, measure_coverage
from ingest.discover import discover_files
from ingest.document import ExtractedDocument, HeadingMark, LoadError, PageSpan, printable
from ingest.layout import as_printed
from ingest.loaders import load_document, register_loader, supported_extensions
from ingest.loaders.isolated import IsolatedLoader
from ingest.metadata import (DOC_TYPES, DocumentMetadata, detect_metadata, long_date, normalise_body, parse_date,
                             read_sidecar, spoken_issued)
from ingest.record import DocumentRecord, SectionRecord, document_record
from ingest.sentences import sentence_spans
from ingest.structure import SECTION_SEPARATOR, Outline, Section, outline


@dataclass
class PreparedDocument:
    document: ExtractedDocument
    outline: Outline
    metadata: DocumentMetadata
    nodes: list[TextNode]
    coverage: Coverage

    @property
    def doc_id(self) -> str:
        return self.document.doc_id

    @property
    def record(self) -> DocumentRecord:
        return document_record(self.document, self.outline, self.metadata, self.nodes)


def prepare_document(
    path: Path | str,
    chunker: StructuredChunker,
    overrides: dict | None = None,
    source: str | None = None,
    limits: InputLimits = InputLimits(),
    load: Callable[[Path], ExtractedDocument] | None = None,
) -> PreparedDocument:
    """Load, outline, describe and chunk one file; raises :class:`LoadError` on bad input.

    ``load`` replaces the in-process loader, e.g. with an :class:`IsolatedLoader`."""
    path = Path(path)
    document = load(path) if load else load_document(path, limits)
    document_outline = outline(document)
    if not document_outline.sections:
        raise LoadError(path, "no body text found (only headings or page furniture)")
    metadata = detect_metadata(document, document_outline)
    try:
        metadata = metadata.merged(read_sidecar(path)).merged(overrides or {})
    except ValueError as exc:
        raise LoadError(path, f"bad metadata: {exc}") from None
    nodes = chunker.chunk(document, document_outline, metadata, source or str(path))
    coverage = measure_coverage(
        document, document_outline,
        spans=[(n.metadata["char_start"], n.metadata["char_end"]) for n in nodes],
        headings=[part for section in document_outline.sections for part in section.path],
    )
    return PreparedDocument(document, document_outline, metadata, nodes, coverage)


__all__ = [
    "DOC_TYPES", "SECTION_SEPARATOR", "Coverage", "DocumentMetadata", "DocumentRecord", "SectionRecord", "ExtractedDocument", "HeadingMark",
    "IsolatedLoader", "LoadError", "Outline", "PageSpan", "PreparedDocument", "Section", "StructuredChunker",
    "TokenCounter", "as_printed", "detect_metadata", "discover_files", "document_record", "load_document", "measure_coverage", "normalise_body",
    "long_date", "outline", "parse_date", "prepare_document", "printable", "read_sidecar", "register_loader", "sentence_spans",
    "spoken_issued",
    "supported_extensions", "tiktoken_counter",
]
