from __future__ import annotations

from pathlib import Path

import pytest

from ingest import LoadError, detect_metadata, load_document, outline
from tests.files import encrypt_pdf, make_docx, make_image_only_pdf, make_pdf


def section_text(document, heading_suffix: str) -> str:
    parts = [document.text[s.start:s.end] for s in outline(document).sections if s.heading.endswith(heading_suffix)]
    assert parts, f"no section ending {heading_suffix!r}"
    return "\n".join(parts)


# -- PDF ---------------------------------------------------------------------


def test_pdf_pages_are_tracked_for_every_character(tmp_path: Path) -> None:
    pdf = make_pdf(
        tmp_path / "report.pdf",
        [["Adult social care report", "Page one talks about hospital discharge."],
         ["Page two covers the carers strategy refresh."],
         ["Page three lists the recommendations to the board."]],
    )
    document = load_document(pdf)
    assert [p.number for p in document.pages] == [1, 2, 3]
    carers = document.text.index("carers strategy")
    assert document.pages_for(carers, carers + 10) == (2, 2)
    first = document.text.index("hospital")
    last = document.text.index("recommendations")
    assert document.pages_for(first, last) == (1, 3)


def test_pdf_table_keeps_rows_and_columns(tmp_path: Path) -> None:
    pdf = make_pdf(
        tmp_path / "budget.pdf",
        [["Better Care Fund summary", "The fund is split as follows."]],
        table=[["Scheme", "Budget"], ["Discharge to assess", "£1.2m"], ["Carers breaks", "£300k"]],
    )
    text = load_document(pdf).text
    assert "Scheme | Budget" in text
    # Each value keeps its row label and its column heading.
    assert "Discharge to assess | Budget: £1.2m" in text
    assert "Carers breaks | Budget: £300k" in text
    assert text.index("The fund is split") < text.index("Scheme | Budget")


def test_pdf_title_metadata_is_a_hint(tmp_path: Path) -> None:
    pdf = make_pdf(tmp_path / "t.pdf", [["Some text about the board."]], title="Cabinet report")
    assert load_document(pdf).title_hint == "Cabinet report"


def test_encrypted_pdf_is_refused_with_reason(tmp_path: Path) -> None:
    plain = make_pdf(tmp_path / "plain.pdf", [["Confidential appendix text."]])
    locked = encrypt_pdf(plain, tmp_path / "locked.pdf")
    with pytest.raises(LoadError, match="encrypted PDF") as err:
        load_document(locked)
    assert "locked.pdf" in str(err.value)


def test_truncated_pdf_is_refused(tmp_path: Path) -> None:
    whole = make_pdf(tmp_path / "whole.pdf", [["A paragraph that will be cut off."] * 40])
    cut = tmp_path / "cut.pdf"
    cut.write_bytes(whole.read_bytes()[: whole.stat().st_size // 3])
    with pytest.raises(LoadError, match="damaged or truncated PDF|no text"):
        load_document(cut)


def test_binary_garbage_named_pdf_is_refused(tmp_path: Path) -> None:
    junk = tmp_path / "junk.pdf"
    junk.write_bytes(bytes(range(256)) * 20)
    with pytest.raises(LoadError, match="not a PDF file"):
        load_document(junk)


def test_pdf_without_text_layer_says_ocr_is_not_done(tmp_path: Path) -> None:
    scan = make_image_only_pdf(tmp_path / "scan.pdf")
    with pytest.raises(LoadError, match="no text layer.*OCR is not done"):
        load_document(scan)


# -- DOCX --------------------------------------------------------------------


def test_docx_headings_tables_and_page_breaks(tmp_path: Path) -> None:
    path = make_docx(
        tmp_path / "plan.docx",
        [
            ("title", "Carers Strategy 2024"),
            ("h1", "Our priorities"),
            ("p", "We will identify carers earlier through GP practices."),
            ("h2", "Young carers"),
            ("p", "Schools will have a named young carers lead."),
            ("table", [["Measure", "Target"], ["Carers assessed", "2,000"]]),
            ("pagebreak", None),
            ("h1", "Funding"),
            ("p", "The carers budget is £2.4m for 2024-25."),
        ],
    )
    document = load_document(path)
    assert document.title_hint == "Carers Strategy 2024"
    assert [h.title for h in document.headings or []] == [
        "Carers Strategy 2024", "Our priorities", "Young carers", "Funding"]
    assert "Measure | Target" in document.text and "Carers assessed | 2,000" in document.text
    budget = document.text.index("£2.4m")
    assert document.pages_for(budget, budget + 4) == (2, 2)
    lead = document.text.index("young carers lead")
    assert document.pages_for(lead, lead + 4) == (1, 1)
    doc_outline = outline(document)
    assert doc_outline.title == "Carers Strategy 2024"
    assert "Schools will have a named young carers lead." in section_text(document, "Our priorities > Young carers")
    assert "Carers assessed | 2,000" in section_text(document, "Young carers")
    assert "£2.4m" in section_text(document, "Funding")


def test_corrupt_docx_is_refused(tmp_path: Path) -> None:
    bad = tmp_path / "broken.docx"
    bad.write_bytes(b"PK\x03\x04 not really a zip archive")
    with pytest.raises(LoadError, match="cannot parse DOCX") as err:
        load_document(bad)
    assert "broken.docx" in str(err.value)


# -- HTML --------------------------------------------------------------------

PAGE = """<!doctype html><html><head><title>Cabinet - 4 March 2025</title>
<meta name="date" content="2025-03-04"></head><body>
<header><nav><a href="/">Home</a> <a href="/news">News</a></nav></header>
<div class="cookie-banner">We use cookies to improve this site. Accept all cookies</div>
<main>
<h1>Cabinet - Tuesday 4 March 2025</h1>
<p>Cabinet agreed the <b>housing</b> delivery plan.</p>
<h2>Libraries</h2>
<p>The library opening hours consultation will close in April.</p>
<ul><li>Three branches</li><li>Two mobile libraries</li></ul>
<div class="subscribe-box"><p>Subscribe to updates</p></div>
<table><tr><th>Ward</th><th>Visits</th></tr><tr><td>East</td><td>1,200</td></tr></table>
<script>alert('x')</script>
</main>
<footer>Copyright Council. Back to top</footer>
</body></html>"""


def test_html_keeps_content_and_headings_and_drops_furniture(tmp_path: Path) -> None:
    path = tmp_path / "cabinet.html"
    path.write_text(PAGE, encoding="utf-8")
    document = load_document(path)
    text = document.text
    assert "Cabinet agreed the housing delivery plan." in text
    assert "- Three branches" in text and "East | 1,200" in text
    for furniture in ("Subscribe to updates", "cookies", "Home", "Copyright", "alert("):
        assert furniture not in text
    assert [h.title for h in document.headings or []] == ["Cabinet - Tuesday 4 March 2025", "Libraries"]
    assert document.date_hint == "2025-03-04"
    assert "opening hours consultation" in section_text(document, "Libraries")


def test_an_html_pages_timestamp_gives_its_day(tmp_path: Path) -> None:
    path = tmp_path / "update.html"
    path.write_text('<html><head><meta property="article:published_time" content="2026-06-25T09:30:00+01:00">'
                    "</head><body><main><h1>Parking update</h1><p>In September 2024 the committee agreed a "
                    "study.</p></main></body></html>", encoding="utf-8")
    document = load_document(path)
    assert document.date_hint == "2026-06-25"
    # The page is dated by its markup, not by the first month its prose names.
    assert detect_metadata(document, outline(document)).issued == "2026-06-25"


# -- Markdown and text -------------------------------------------------------


def test_markdown_headings(tmp_path: Path) -> None:
    path = tmp_path / "notes.md"
    path.write_text("# Board notes\n\nIntro line.\n\n## Public health\n\nSmoking rates fell.\n\n"
                    "```\n# not a heading\n```\n", encoding="utf-8")
    document = load_document(path)
    assert [h.title for h in document.headings or []] == ["Board notes", "Public health"]
    assert "Smoking rates fell." in section_text(document, "Public health")


def test_plain_text_round_trips(tmp_path: Path) -> None:
    path = tmp_path / "a.txt"
    path.write_text("Minutes of the Cabinet\r\n\r\nRESOLVED that the plan be approved.\r\n", encoding="utf-8")
    document = load_document(path)
    assert document.text == "Minutes of the Cabinet\n\nRESOLVED that the plan be approved.\n"


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be", "utf-32"])
def test_unicode_text_saved_by_windows_tools_is_read(tmp_path: Path, encoding: str) -> None:
    path = tmp_path / "minutes.txt"
    path.write_text("Minutes\n\nThe board agreed £3.2m for Café Nero’s lease.\n", encoding=encoding)
    assert load_document(path).text == "Minutes\n\nThe board agreed £3.2m for Café Nero’s lease.\n"


def test_a_pipe_or_folder_named_like_a_document_is_refused_not_read(tmp_path: Path) -> None:
    import os

    os.mkfifo(tmp_path / "minutes.txt")  # reading it would wait for a writer forever
    (tmp_path / "agenda.pdf").mkdir()
    for name in ("minutes.txt", "agenda.pdf"):
        with pytest.raises(LoadError, match="not a regular file"):
            load_document(tmp_path / name)


def test_a_page_nested_fifty_thousand_elements_deep_is_read(tmp_path: Path) -> None:
    path = tmp_path / "deep.html"
    path.write_text("<html><body><nav>menu</nav>" + "<div><span>" * 25_000 + "The board agreed the plan."
                    + "</span></div>" * 25_000 + "</body></html>", encoding="utf-8")
    assert load_document(path).text.strip() == "The board agreed the plan."


def test_a_file_name_cannot_forge_a_second_error_line(tmp_path: Path) -> None:
    path = tmp_path / "a.txt: empty file\nerror: b.txt"
    path.write_bytes(b"")
    with pytest.raises(LoadError) as err:
        load_document(path)
    assert "\n" not in str(err.value)
    assert str(err.value).endswith("a.txt: empty file\\nerror: b.txt: empty file")


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("empty.txt", b"", "empty file"),
        ("latin1.txt", "Costs rose to £80,000 per child".encode("cp1252"), "not UTF-8 text"),
        ("nul.txt", b"abc\x00\x01\x02def", "binary data"),
        ("blank.md", b"   \n\n  \n", "no text found"),
        ("sheet.xlsx", b"PK\x03\x04", "unsupported file type '.xlsx'"),
    ],
)
def test_bad_text_inputs_fail_with_one_line_reason(tmp_path: Path, name: str, content: bytes, reason: str) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(LoadError) as err:
        load_document(path)
    message = str(err.value)
    assert reason in message
    assert message.startswith(str(path))
    assert "\n" not in message


MODERNGOV_PAGE = Path(__file__).resolve().parents[3] / "shared" / "fixtures" / "moderngov" / "modgov_decision_detail.html"


@pytest.mark.skipif(not MODERNGOV_PAGE.exists(), reason="needs ../shared/fixtures beside the project")
def test_real_moderngov_decision_page_from_another_council() -> None:
    document = load_document(MODERNGOV_PAGE)
    assert [h.title for h in document.headings or []][:2] == ["Decision details", "Minutes of Previous Meeting"]
    decision = section_text(document, "Decision:")
    assert "were approved as a correct record" in decision
    assert "Date of decision: 19/10/2015" in decision


def test_a_recorded_vote_stays_in_one_chunk_under_its_item(tmp_path: Path) -> None:
    from ingest import StructuredChunker, prepare_document

    names = lambda n, who: ", ".join(f"Mr {who}{i}" for i in range(n))  # noqa: E731
    pdf = make_pdf(tmp_path / "council.pdf", [[
        "# 289. Minutes of the last meeting",
        "The minutes of the meeting held on 12 February were agreed as a correct record.",
        "# 290. Section 25 Report",
        "The Section 151 Officer presented the report on the robustness of the estimates. " * 4,
        "Mr Hills moved and Mr Bird seconded an amendment to add a further reserve.",
        "<b>For (5)</b>", names(5, "F"),
        "<b>Against (3)</b>", names(3, "A"),
        "<b>Abstain (1)</b>", names(1, "B"),
        "Amendment lost.",
        "# 291. Revenue Budget 2026-27",
        "The Cabinet Member introduced the budget.",
    ]])
    prepared = prepare_document(pdf, StructuredChunker())
    holding = [n for n in prepared.nodes if "Against (3)" in n.text]
    assert len(holding) == 1
    vote = holding[0]
    assert all(part in vote.text for part in ("Mr Hills moved", "For (5)", "Mr A2", "Abstain (1)", "Amendment lost."))
    assert vote.metadata["section"].endswith("290. Section 25 Report")


def test_inputs_over_their_limits_are_refused_before_parsing(tmp_path: Path) -> None:
    import zipfile

    from council_qa.config import InputLimits

    limits = InputLimits(file_mb=1.0, text_mb=0.01, pdf_pages=2, unzipped_mb=1.0)
    text = tmp_path / "long.txt"
    text.write_text("The board met. " * 2000, encoding="utf-8")  # 30 kB
    with pytest.raises(LoadError, match=r"of text is over the 0.01 MB limit"):
        load_document(text, limits)
    bomb = tmp_path / "bomb.docx"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("word/document.xml", "<w/>" * 1_000_000)  # 4 MB of XML in a few kB
    assert bomb.stat().st_size < 100_000
    with pytest.raises(LoadError, match=r"unzips to 4 MB, over the 1 MB limit"):
        load_document(bomb, limits)
    pdf = tmp_path / "long.pdf"
    make_pdf(pdf, [["Page one text."], ["Page two text."], ["Page three text."]])
    with pytest.raises(LoadError, match=r"3 pages is over the 2 page limit"):
        load_document(pdf, limits)
    assert load_document(pdf, InputLimits()).text  # the default limits take it
