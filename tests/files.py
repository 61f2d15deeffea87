"""Small real documents made with real libraries, for loader and ingest tests."""

from __future__ import annotations

from pathlib import Path

from council_qa.config import PROJECT_ROOT

# Real public meeting papers beside the project (their licences are unclear: used from
# there, never copied in). Tests that need them skip when the folder is absent.
CORPUS_REAL = PROJECT_ROOT.parent / "shared" / "corpus-real"

# Another council's minutes on a topic of Barnet's strategy ("Get everyone moving"): never
# evidence for Barnet's commitments.
OTHER_COUNCIL_MINUTES = """Bristol City Council

Minutes of the Communities Committee, 4 February 2026

5. Physical activity programme

The committee received a report on progress with getting everyone moving: the physical
activity programme has opened 12 new walking and cycling groups, and a deep dive into
physical activity was presented, with park gyms installed in every ward.
"""


def make_pdf(path: Path, pages: list[list[str]], table: list[list[str]] | None = None, title: str = "") -> Path:
    """A PDF with one text line per string; ``table`` is drawn with ruled cells on page 1."""
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.platypus import PageBreak, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    styles = getSampleStyleSheet()
    story = []
    for number, lines in enumerate(pages):
        if number:
            story.append(PageBreak())
        for line in lines:
            style = styles["Heading2"] if line.startswith("# ") else styles["BodyText"]
            story.append(Paragraph(line.removeprefix("# "), style))
            story.append(Spacer(1, 6))
        if number == 0 and table:
            grid = Table(table)
            grid.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.8, colors.black)]))
            story.append(grid)
    SimpleDocTemplate(str(path), pagesize=A4, title=title).build(story)
    return path


def make_image_only_pdf(path: Path) -> Path:
    """A PDF page with shapes and no text layer, like a scan."""
    from reportlab.pdfgen import canvas

    page = canvas.Canvas(str(path))
    page.rect(100, 500, 300, 200, fill=1)
    page.circle(250, 300, 80, fill=0)
    page.showPage()
    page.save()
    return path


def encrypt_pdf(source: Path, target: Path, password: str = "secret") -> Path:
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter()
    for page in PdfReader(str(source)).pages:
        writer.add_page(page)
    writer.encrypt(user_password=password, owner_password=password + "-owner")
    with target.open("wb") as handle:
        writer.write(handle)
    return target


def make_docx(path: Path, blocks: list[tuple[str, object]], title: str = "") -> Path:
    """``blocks``: ("title"|"h1"|"h2"|"p", text), ("table", rows) or ("pagebreak", None)."""
    import docx

    document = docx.Document()
    if title:
        document.core_properties.title = title
    for kind, value in blocks:
        if kind == "title":
            document.add_heading(str(value), level=0)
        elif kind in ("h1", "h2", "h3"):
            document.add_heading(str(value), level=int(kind[1]))
        elif kind == "p":
            document.add_paragraph(str(value))
        elif kind == "table":
            rows = value  # type: ignore[assignment]
            table = document.add_table(rows=len(rows), cols=len(rows[0]))
            for r, row in enumerate(rows):
                for c, cell in enumerate(row):
                    table.cell(r, c).text = cell
        elif kind == "pagebreak":
            document.add_page_break()
    document.save(str(path))
    return path
