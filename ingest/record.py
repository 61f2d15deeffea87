"""What ingest learnt about a document, kept beside its chunks.

Later stages read the outline (heading paths as tuples, with the chunks under each
section), the tables, a strategy's commitments and a meeting's decisions from here, and
never parse the file again or split "a > b" strings back into headings.
"""

from __future__ import annotations

import bisect
from dataclasses import asdict, dataclass

from llama_index.core.schema import TextNode

from ingest.commitments import Commitment, extract_commitments
from ingest.decisions import VERSION as DECISIONS_VERSION
from ingest.decisions import Decision, extract_decisions
from ingest.document import ExtractedDocument, TableMark
from ingest.metadata import DocumentMetadata
from ingest.structure import Outline, Section

FORMAT = 3  # 2: decisions; 3: the council a paper is by


def is_current(raw: dict) -> bool:
    """Whether a stored record was written by this version (else it is written again)."""
    return raw.get("format") == FORMAT and raw.get("decisions_version") == DECISIONS_VERSION


@dataclass(frozen=True)
class SectionRecord(Section):
    """A section of the outline and the chunks it was cut into, in order."""

    chunk_ids: tuple[str, ...] = ()


@dataclass(frozen=True)
class DocumentRecord:
    doc_id: str
    metadata: DocumentMetadata
    sections: tuple[SectionRecord, ...]
    tables: tuple[TableMark, ...] = ()
    commitments: tuple[Commitment, ...] = ()
    decisions: tuple[Decision, ...] = ()

    def to_dict(self) -> dict:
        return {
            "format": FORMAT,
            "decisions_version": DECISIONS_VERSION,
            "doc_id": self.doc_id,
            "metadata": self.metadata.as_dict(),
            "sections": [asdict(s) for s in self.sections],
            "tables": [asdict(t) for t in self.tables],
            "commitments": [c.to_dict() for c in self.commitments],
            "decisions": [d.to_dict() for d in self.decisions],
        }

    @classmethod
    def from_dict(cls, raw: dict) -> "DocumentRecord":
        if raw.get("format") not in (2, FORMAT):  # a format 2 record lacks only the council
            raise ValueError(f"unknown document record format {raw.get('format')!r}")
        return cls(
            doc_id=raw["doc_id"],
            metadata=DocumentMetadata(**raw["metadata"]),
            sections=tuple(SectionRecord(tuple(s["path"]), s["start"], s["end"], tuple(s["chunk_ids"]))
                           for s in raw["sections"]),
            tables=tuple(TableMark(t["start"], t["end"], t["page"], tuple(t["headers"]),
                                   tuple(tuple(r) for r in t["rows"])) for t in raw["tables"]),
            commitments=tuple(Commitment.from_dict(c) for c in raw["commitments"]),
            decisions=tuple(Decision.from_dict(d) for d in raw["decisions"]),
        )


def document_record(
    document: ExtractedDocument, outline: Outline, metadata: DocumentMetadata, nodes: list[TextNode]
) -> DocumentRecord:
    """The record of one prepared document; commitments only for a strategy."""
    starts = [s.start for s in outline.sections]
    chunk_ids: list[list[str]] = [[] for _ in outline.sections]
    for node in nodes:
        index = bisect.bisect_right(starts, node.metadata["char_start"]) - 1
        chunk_ids[max(index, 0)].append(node.node_id)
    sections = tuple(SectionRecord(s.path, s.start, s.end, tuple(ids))
                     for s, ids in zip(outline.sections, chunk_ids))
    commitments = tuple(extract_commitments(document, outline)) if metadata.doc_type == "strategy" else ()
    decisions = tuple(extract_decisions(document, outline, metadata.doc_type))
    return DocumentRecord(document.doc_id, metadata, sections, tuple(document.tables), commitments, decisions)
