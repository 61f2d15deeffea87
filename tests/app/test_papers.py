"""What a citation opens: the indexed PDF itself, or the passage in its section."""

from __future__ import annotations

from pathlib import Path

import pytest
from starlette.applications import Starlette
from starlette.testclient import TestClient

from council_qa.config import Settings
from tests.files import make_pdf

pytestmark = pytest.mark.slow

NOTES = """# Library Review

## Opening hours

The library opens at 10am on Sundays from April 2026. <script>alert(1)</script>

The Sunday opening costs £18,400 a year in staff time.
"""


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    import app as web
    from index import CouncilIndex, Indexer

    docs = tmp_path_factory.mktemp("docs")
    make_pdf(docs / "report.pdf", [["# Budget report", "Page one text about the budget."],
                                   ["# Savings", "The savings target for 2026/27 is £4.2m."]])
    (docs / "notes.md").write_text(NOTES, encoding="utf-8")
    settings = Settings.from_env(environ={}, home=tmp_path_factory.mktemp("home"))
    assert Indexer(settings).ingest([docs]).added == 2
    index = CouncilIndex(settings)
    client = TestClient(Starlette(routes=web.paper_routes(index)))
    by_name = {Path(e.sources[0]).name: (doc_id, e) for doc_id, e in index.manifest.ready().items()}
    return client, index, by_name, docs


def test_an_indexed_pdf_is_served_inline(served) -> None:
    client, _, by_name, docs = served
    doc_id, _ = by_name["report.pdf"]
    response = client.get(f"/cqa/papers/{doc_id}")
    assert response.status_code == 200 and response.content == (docs / "report.pdf").read_bytes()
    assert response.headers["content-type"] == "application/pdf"
    assert response.headers["content-disposition"].startswith("inline")


@pytest.mark.parametrize("path", ["/cqa/papers/{notes}", "/cqa/papers/0123456789abcdef", "/cqa/papers/..%2F..%2Fetc%2Fpasswd",
                                  "/cqa/papers/../../etc/passwd", "/cqa/passages/0123456789abcdef-0000"])
def test_nothing_but_indexed_pdfs_and_passages_is_served(served, path) -> None:
    client, _, by_name, _ = served
    response = client.get(path.format(notes=by_name["notes.md"][0]))
    assert response.status_code == 404
    assert "root:" not in response.text


def test_a_passage_opens_in_its_section_with_the_quote_marked(served) -> None:
    client, index, by_name, _ = served
    doc_id, _ = by_name["notes.md"]
    record = index.records.load(doc_id)
    section = next(s for s in record.sections if "Opening hours" in s.path)
    quote = "The Sunday opening costs £18,400 a year in staff time."
    response = client.get(f"/cqa/passages/{section.chunk_ids[0]}", params={"q": quote})
    assert response.status_code == 200
    assert '<span id="cited">' in response.text and f"<mark>{quote}</mark>" in response.text
    assert "<script>alert(1)</script>" not in response.text and "&lt;script&gt;alert(1)&lt;/script&gt;" in response.text
    assert "default-src 'none'" in response.headers["content-security-policy"]
    hostile = client.get(f"/cqa/passages/{section.chunk_ids[0]}", params={"q": "<img src=x onerror=alert(1)>"})
    assert "<img" not in hostile.text
