from __future__ import annotations

from pathlib import Path

from ingest import DocumentRecord, StructuredChunker, prepare_document
from tests.conftest import STRATEGY
from tests.files import make_pdf


def test_a_pdfs_record_keeps_its_tables_and_every_chunk_under_its_heading(tmp_path: Path) -> None:
    pdf = make_pdf(tmp_path / "budget.pdf", [["# Better Care Fund", "The fund is split as follows."]],
                   table=[["Scheme", "Budget"], ["Discharge to assess", "£1.2m"], ["Carers breaks", "£300k"]])
    prepared = prepare_document(pdf, StructuredChunker())
    record = prepared.record
    assert [i for s in record.sections for i in s.chunk_ids] == [n.node_id for n in prepared.nodes]
    (table,) = record.tables
    assert table.headers[1] == "Budget" and ("Carers breaks", "£300k") in table.rows
    assert prepared.document.text[table.start:table.end].endswith("Carers breaks | Budget: £300k")
    assert DocumentRecord.from_dict(record.to_dict()) == record


def test_a_strategys_record_holds_its_commitments() -> None:
    prepared = prepare_document(STRATEGY, StructuredChunker())
    record = DocumentRecord.from_dict(prepared.record.to_dict())
    assert prepared.metadata.doc_type == "strategy"
    assert len(record.commitments) >= 10
    assert all(c.statement for c in record.commitments)
