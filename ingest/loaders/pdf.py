"""PDFs page by page; tables are kept as ``cell | cell`` rows in reading order."""

from __future__ import annotations

from pathlib import Path

import pdfplumber
from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect
from pdfplumber.utils.exceptions import PdfminerException

from ingest.document import ExtractedDocument, LoadError, PageSpan

_TABLE_SETTINGS = {"vertical_strategy": "lines", "horizontal_strategy": "lines"}


def load_pdf(path: Path) -> ExtractedDocument:
    with path.open("rb") as handle:
        if not handle.read(1024).lstrip().startswith(b"%PDF"):
            raise LoadError(path, "not a PDF file (no %PDF header)")
    try:
        pdf = pdfplumber.open(str(path))
        page_list = list(pdf.pages)
    except Exception as exc:
        raise _open_error(path, exc) from None
    parts: list[str] = []
    pages: list[PageSpan] = []
    offset = 0
    with pdf:
        if not page_list:
            raise LoadError(path, "damaged or truncated PDF (no pages)")
        for number, page in enumerate(page_list, start=1):
            text = _page_text(page).strip()
            if parts:
                parts.append("\n\n")
                offset += 2
            parts.append(text)
            pages.append(PageSpan(number, offset, offset + len(text)))
            offset += len(text)
        title = str((pdf.metadata or {}).get("Title") or "").strip()
    text = "".join(parts)
    if not text.strip():
        raise LoadError(path, f"no text layer on any of its {len(pages)} page(s) (scanned image?); OCR is not done")
    return ExtractedDocument(source=path, text=text, format="pdf", pages=pages, title_hint=title)


def _open_error(path: Path, exc: Exception) -> LoadError:
    cause = exc.args[0] if isinstance(exc, PdfminerException) and exc.args else exc
    if isinstance(cause, (PDFPasswordIncorrect, PDFEncryptionError)):
        return LoadError(path, "encrypted PDF: it needs a password to open")
    detail = " ".join(str(cause).split())[:120] or type(cause).__name__
    return LoadError(path, f"damaged or truncated PDF ({detail})")


def _page_text(page) -> str:
    """Text above, between and below the ruled tables, with each table as rows."""
    tables = sorted(page.find_tables(_TABLE_SETTINGS), key=lambda t: t.bbox[1])
    pieces: list[str] = []
    top = page.bbox[1]
    for table in tables:
        x0, t_top, x1, t_bottom = table.bbox
        if t_top > top:
            pieces.append(_band_text(page, top, t_top))
        rows = [" | ".join(" ".join((cell or "").split()) for cell in row) for row in table.extract()]
        pieces.append("\n".join(r for r in rows if r.strip(" |")))
        top = max(top, t_bottom)
    if top < page.bbox[3]:
        pieces.append(_band_text(page, top, page.bbox[3]))
    return "\n\n".join(p.strip() for p in pieces if p and p.strip())


def _band_text(page, top: float, bottom: float) -> str:
    x0, _, x1, _ = page.bbox
    band = page.crop((x0, top, x1, bottom), strict=False)
    return band.extract_text(x_tolerance=1.5) or ""
