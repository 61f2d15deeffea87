"""What a citation opens: a PDF's page with the quote marked, the PDF itself, or the
passage in its section."""

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
                                  "/cqa/papers/../../etc/passwd", "/cqa/passages/0123456789abcdef-0000",
                                  "/cqa/pages/{notes}/1", "/cqa/pages/{report}/3", "/cqa/pages/{report}/0/image",
                                  "/cqa/pages/0123456789abcdef/1/image", "/cqa/pages/..%2F..%2Fetc%2Fpasswd/1"])
def test_nothing_but_indexed_pdfs_and_passages_is_served(served, path) -> None:
    client, _, by_name, _ = served
    response = client.get(path.format(notes=by_name["notes.md"][0], report=by_name["report.pdf"][0]))
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


def test_a_pdf_page_opens_with_the_quote_marked_where_it_lies(served) -> None:
    client, _, by_name, _ = served
    doc_id, _ = by_name["report.pdf"]
    quote = "The savings target for 2026/27 is £4.2m."
    # The citation names the chunk's first page; the quote is found on the next.
    response = client.get(f"/cqa/pages/{doc_id}/1", params={"last": 2, "q": quote})
    assert response.status_code == 200
    assert "<title>Budget report, page 2</title>" in response.text
    assert response.text.count('class="mark"') == 1 and 'id="cited"' in response.text
    assert f"/cqa/papers/{doc_id}#page=2" in response.text and "<img src='2/image'" in response.text
    assert "img-src 'self'" in response.headers["content-security-policy"]
    image = client.get(f"/cqa/pages/{doc_id}/2/image")
    assert image.status_code == 200 and image.headers["content-type"] == "image/png"
    assert image.content.startswith(b"\x89PNG")
    # Words that are not on the page are said to be missing, never marked; hostile text stays text.
    missing = client.get(f"/cqa/pages/{doc_id}/1", params={"last": 99, "q": "<img src=x onerror=alert(1)>"})
    assert missing.status_code == 200 and 'class="mark"' not in missing.text
    assert "could not be placed" in missing.text and "<img src=x" not in missing.text
