"""Word documents: headings from paragraph styles, tables row by row, explicit page breaks."""

from __future__ import annotations

import re
from pathlib import Path

import docx
from docx.oxml.ns import qn
from docx.table import Table
from docx.text.paragraph import Paragraph

from ingest.document import ExtractedDocument, HeadingMark, PageSpan
from ingest.textblocks import TextBuilder

_HEADING_STYLE = re.compile(r"^heading\s*(\d)$", re.IGNORECASE)


def load_docx(path: Path) -> ExtractedDocument:
    document = docx.Document(str(path))
    builder = TextBuilder()
    headings: list[HeadingMark] = []
    page_starts = [0]
    for block in document.iter_inner_content():
        if isinstance(block, Paragraph):
            if _breaks_page_before(block):
                page_starts.append(len(builder))
            text = " ".join(block.text.split())
            if text:
                start, end = builder.block(text)
                level = _heading_level(block)
                if level:
                    headings.append(HeadingMark(start, end, level, text))
            if _breaks_page_inside(block):
                page_starts.append(len(builder))
        elif isinstance(block, Table):
            for row in block.rows:
                cells = _unique_cells(row.cells)
                if any(cells):
                    builder.block(" | ".join(cells))
    text = builder.text()
    pages = _page_spans(page_starts, len(text))
    props = document.core_properties
    title = (props.title or "").strip() or next((h.title for h in headings if h.level <= 1), "")
    return ExtractedDocument(
        source=path, text=text, format="docx", pages=pages, headings=headings, title_hint=title
    )


def _heading_level(paragraph: Paragraph) -> int:
    name = (paragraph.style.name if paragraph.style is not None else "") or ""
    if name.lower() == "title":
        return 1
    match = _HEADING_STYLE.match(name.strip())
    if match:
        # "Title" is level 1, so Word's Heading 1 nests one below it.
        return int(match.group(1)) + 1
    return 0


def _breaks_page_before(paragraph: Paragraph) -> bool:
    ppr = paragraph._p.pPr
    return ppr is not None and ppr.find(qn("w:pageBreakBefore")) is not None


def _breaks_page_inside(paragraph: Paragraph) -> bool:
    return any(br.get(qn("w:type")) == "page" for br in paragraph._p.iter(qn("w:br")))


def _unique_cells(cells: list) -> list[str]:
    """Merged cells repeat in python-docx; keep each physical cell once."""
    seen: set[int] = set()
    texts = []
    for cell in cells:
        if id(cell._tc) in seen:
            continue
        seen.add(id(cell._tc))
        texts.append(" ".join(cell.text.split()))
    return texts


def _page_spans(starts: list[int], length: int) -> list[PageSpan]:
    bounds = sorted(set(min(s, length) for s in starts)) + [length]
    spans = []
    for number, (start, end) in enumerate(zip(bounds, bounds[1:]), start=1):
        spans.append(PageSpan(number, start, end))
    return spans or [PageSpan(1, 0, length)]
