"""PDFs through PDFium (pypdfium2): every character with its position, size and weight.

The page layout (``ingest.layout``) turns those into lines, table rows that keep their
row label and column headings (read from aligned figures, or from the rules the PDF draws
between rows: ``ingest.grid``), headings marked by their type, and running headers,
footers and page numbers, which are left out and counted.
"""

from __future__ import annotations

import ctypes
import dataclasses
import re
from pathlib import Path

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from ingest.document import ExtractedDocument, HeadingMark, LoadError, PageSpan, TableMark
from ingest.grid import horizontal_rules, ruled_tables
from ingest.layout import (
    Char, Line, Table, TypeStyle, body_style, build_lines, find_tables, furniture_keys, furniture_kind,
    heading_levels, heading_style, render_table,
)
from ingest.numbering import ListNesting, item_numbers
from ingest.sentences import CLAUSE_START
from ingest.textblocks import TextBuilder

_ABBREVIATION_END = re.compile(r"\b(?:[A-Za-z]\.){2,}$")  # "P.M.", "U.S."
_RANKS_PER_TYPE = 16  # room for lists nested 8 deep in one type, each with unnumbered headings
_FORCE_BOLD = 0x40000
_LOOSE_BOX_EMS = 1.15  # a font's ascent to descent, in ems, for common fonts
_BOLD_NAMES = ("bold", "black", "heavy", "semibold", "demi")


def pdf_page_count(path: Path) -> int:
    """Pages a PDF declares, read from its page tree without parsing any page (0 when it
    cannot be opened: loading it then reports why)."""
    try:
        pdf = pdfium.PdfDocument(str(path))
    except pdfium.PdfiumError:
        return 0
    try:
        return len(pdf)
    finally:
        pdf.close()


def load_pdf(path: Path) -> ExtractedDocument:
    with path.open("rb") as handle:
        if not handle.read(1024).lstrip().startswith(b"%PDF"):
            raise LoadError(path, "not a PDF file (no %PDF header)")
    try:
        pdf = pdfium.PdfDocument(str(path))
    except pdfium.PdfiumError as exc:
        raise _open_error(path, exc) from None
    try:
        if len(pdf) == 0:
            raise LoadError(path, "damaged or truncated PDF (no pages)")
        pages = [_page_lines(pdf, number) for number in range(len(pdf))]
        title = str((pdf.get_metadata_dict() or {}).get("Title") or "").strip()
    finally:
        pdf.close()
    if not any(pages):
        raise LoadError(path, f"no text layer on any of its {len(pages)} page(s) (scanned image?); OCR is not done")
    return _assemble(path, pages, title)


def _open_error(path: Path, exc: Exception) -> LoadError:
    detail = " ".join(str(exc).split())
    if "password" in detail.lower():
        return LoadError(path, "encrypted PDF: it needs a password to open")
    return LoadError(path, f"damaged or truncated PDF ({detail[:120] or type(exc).__name__})")


def _page_lines(pdf: pdfium.PdfDocument, index: int) -> list[Line]:
    page = pdf[index]
    textpage = page.get_textpage()
    try:
        height = page.get_height()
        chars = list(_chars(textpage.raw, height))
        boxes = [(left, height - top, right, height - bottom) for left, bottom, right, top in
                 (path.get_bounds() for path in page.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_PATH], max_depth=5))]
    finally:
        textpage.close()
        page.close()
    grids, chars = ruled_tables(chars, horizontal_rules(boxes), index + 1, height)
    lines = build_lines(chars, index + 1, height)
    for grid in grids:  # before the first line below the grid's top that it stands over
        at = next((n for n, ln in enumerate(lines) if ln.baseline > grid.baseline and ln.x0 < grid.x1
                   and grid.x0 < ln.x1), len(lines))
        lines.insert(at, grid)
    return lines


def _chars(raw, height: float):
    loose = pdfium_c.FS_RECTF()
    origin_x, origin_y = ctypes.c_double(), ctypes.c_double()
    name = ctypes.create_string_buffer(128)
    flags = ctypes.c_int()
    bold_by_font: dict[tuple[bytes, int], bool] = {}
    unicode, origin, loose_box = pdfium_c.FPDFText_GetUnicode, pdfium_c.FPDFText_GetCharOrigin, \
        pdfium_c.FPDFText_GetLooseCharBox
    font_info = pdfium_c.FPDFText_GetFontInfo
    for i in range(pdfium_c.FPDFText_CountChars(raw)):
        code = unicode(raw, i)
        if code in (0xFFFE, 0xFFFF) or (code < 32 and code not in (10, 13)):
            continue
        text = chr(code)
        origin(raw, i, origin_x, origin_y)
        # The nominal font size ignores the text matrix; the loose box (ascent to descent) does not.
        loose_box(raw, i, loose)
        size = (loose.top - loose.bottom) / _LOOSE_BOX_EMS or pdfium_c.FPDFText_GetFontSize(raw, i)
        font_info(raw, i, name, 128, flags)
        key = (name.value, flags.value)
        bold = bold_by_font.get(key)
        if bold is None:
            lowered = key[0].decode("latin-1").lower()
            bold = bool(key[1] & _FORCE_BOLD) or any(b in lowered for b in _BOLD_NAMES)
            bold_by_font[key] = bold
        if text.isspace():
            x0 = x1 = origin_x.value
        else:  # the loose box spans the advance width, so punctuation does not look spaced
            x0, x1 = loose.left, max(loose.right, loose.left)
        yield Char(text, x0, x1, height - origin_y.value, size, bold)


_RUNNING_KEPT = 20  # distinct running lines kept: a paper's own name and date are among the first


def _assemble(path: Path, pages: list[list[Line]], title: str) -> ExtractedDocument:
    repeated = furniture_keys(pages)
    removed: dict[str, int] = {}
    running: dict[str, None] = {}
    content: list[list[Line]] = []
    for lines in pages:
        kept = []
        for line in lines:
            kind = furniture_kind(line, repeated) if line.grid is None else None
            if kind:
                removed[kind] = removed.get(kind, 0) + sum(len(c.text.replace(" ", "")) for c in line.cells)
                if kind != "page number":
                    running.setdefault(" ".join(line.text.split()))
            else:
                kept.append(line)
        content.append(kept)
    body = body_style([ln for lines in content for ln in lines if ln.grid is None])
    styles = {id(ln): s for lines in content for ln in lines if ln.grid is None and (s := heading_style(ln, body))}
    levels = heading_levels(list(styles.values()))
    builder = TextBuilder()
    headings: list[HeadingMark] = []
    marks: list[TableMark] = []
    spans: list[PageSpan] = []
    carried: Table | None = None
    item_lines: list[HeadingMark] = []  # body-type lines that open with a capital item number
    for number, lines in enumerate(content, start=1):
        start = len(builder)
        builder.paragraph_break()
        tables = find_tables(lines, carried)
        carried = tables[-1] if tables else (carried if not lines else None)
        _write_page(builder, lines, tables, styles, levels, headings, marks, item_lines)
        spans.append(PageSpan(number, min(start + (2 if start else 0), len(builder)), len(builder)))
    if headings:  # a paper without typed headings has its outline read from its text
        below_every_type = max(levels.values()) + 1
        headings = sorted(headings + _body_items(item_lines, below_every_type), key=lambda mark: mark.start)
    return ExtractedDocument(
        source=path, text=builder.text(), format="pdf", pages=spans, headings=_nest_items(headings) or None,
        title_hint=title, removed=removed, tables=marks, running=tuple(running)[:_RUNNING_KEPT],
    )


def _write_page(
    builder: TextBuilder,
    lines: list[Line],
    tables: list[Table],
    styles: dict[int, TypeStyle],
    levels: dict[TypeStyle, int],
    headings: list[HeadingMark],
    marks: list[TableMark],
    item_lines: list[HeadingMark],
) -> None:
    table_at = {t.first: t for t in tables}
    in_table = {i for t in tables for i in range(t.first, t.last + 1)}
    emphasis: set[int] = set()  # lines in a heading's type that read as body text
    i = 0
    previous: Line | None = None
    while i < len(lines):
        table = table_at.get(i)
        if table is not None:
            start, end = builder.block(render_table(table))
            marks.append(TableMark(start, end, lines[table.first].page, tuple(table.headers),
                                   tuple(tuple(row) for row in table.rows)))
            i = table.last + 1
            previous = None
            continue
        line = lines[i]
        style = styles.get(id(line)) if i not in in_table else None
        if style is not None and i not in emphasis:
            run, is_heading = _heading_run(lines, i, in_table, styles)
            if not is_heading:
                emphasis.update(range(i, i + run))
        if style is not None and i not in emphasis:
            title = " ".join(ln.text for ln in lines[i:i + run])
            start, end = builder.block(title)
            headings.append(HeadingMark(start, end, levels[style], title))
            i += run
            previous = None
            continue
        if previous is None or _new_paragraph(previous, line):
            builder.paragraph_break()
        else:
            builder.line_break()
        builder.inline(line.text)
        if any(n.scheme.endswith("upper") for n in item_numbers(line.text)):
            title, end = " ".join(line.text.split()), len(builder) - line.text[-1:].isspace()
            item_lines.append(HeadingMark(end - len(title), end, 0, title))
        previous = line
        i += 1
    builder.paragraph_break()


def _body_items(lines: list[HeadingMark], level: int) -> list[HeadingMark]:
    """Agenda items printed in body type ("I. ROLL CALL", "A. RESOLUTION (2019-37) ..."):
    lines opening with a capital letter or Roman numeral that count up from A or I, three
    items or more of one scheme in the paper. Figures are left alone: in body type they
    number resolutions and lists far more often than items."""
    runs: dict[str, list[list[HeadingMark]]] = {}  # per scheme, the runs that count up by one
    last: dict[str, int] = {}
    for mark in lines:
        readings = [n for n in item_numbers(mark.title) if n.scheme.endswith("upper")]
        follows = next((n for n in readings if last.get(n.scheme) == n.value - 1), None)
        reading = follows or next((n for n in readings if n.value == 1), None)
        if reading is None:
            continue
        if follows is None:
            runs.setdefault(reading.scheme, []).append([])
        runs[reading.scheme][-1].append(mark)
        last[reading.scheme] = reading.value
    items = []
    for scheme_runs in runs.values():
        listed = [mark for run in scheme_runs if len(run) >= 2 for mark in run]
        if len(listed) >= 3:
            items += listed
    return sorted((dataclasses.replace(mark, level=level, in_body_type=True) for mark in items),
                  key=lambda mark: mark.start)


def _nest_items(headings: list[HeadingMark]) -> list[HeadingMark]:
    """Headings in one type, ranked by their numbering: a list of another scheme that
    starts under an item ("L. Items for Approval", "1. ...") is nested in it, and where
    that type sets numbered items ("7 Annual Business Report"), a heading without a number
    sits under the item before it."""
    readings = [item_numbers(mark.title) for mark in headings]
    numbered: dict[int, int] = {}
    for mark, found in zip(headings, readings):
        numbered[mark.level] = numbered.get(mark.level, 0) + bool(found)
    lists: dict[int, ListNesting] = {}
    depth: dict[int, int] = {}  # the depth of the last item in each type
    out = []
    for mark, found in zip(headings, readings):
        rank = mark.level * _RANKS_PER_TYPE
        if found:
            depth[mark.level] = min(lists.setdefault(mark.level, ListNesting()).place(found), 7)
            rank += 2 * depth[mark.level]
        elif numbered[mark.level] >= 3 and mark.level in depth:
            rank += 2 * depth[mark.level] + 1
        out.append(dataclasses.replace(mark, level=rank))
    return out


def _heading_run(
    lines: list[Line], i: int, in_table: set[int], styles: dict[int, TypeStyle]
) -> tuple[int, bool]:
    """How many lines from ``i`` form one heading: a short run in one style that reads as a
    title. A longer run, or one that ends a clause, is emphasised body text."""
    style = styles[id(lines[i])]
    j = i
    while (j + 1 < len(lines) and j + 1 not in in_table and styles.get(id(lines[j + 1])) == style
           and 0 < lines[j + 1].baseline - lines[j].baseline < 2.2 * lines[j].size):
        j += 1
    title = " ".join(ln.text for ln in lines[i:j + 1])
    words = title.split()
    run = j - i + 1
    if (run > 3 or len(words) > 20 or title.rstrip().endswith((":", ":-", ",", ";")) or title[:1].islower()
            or CLAUSE_START.match(title)):
        return run, False
    # A numbered item's title may end in an abbreviation ("XIII. PUBLIC HEARINGS - TO
    # COMMENCE AT 6:30 P.M."), whose full stop ends no sentence.
    abbreviated_item = bool(_ABBREVIATION_END.search(title.rstrip()) and item_numbers(title))
    ends_sentence = title.rstrip().endswith(".") and not abbreviated_item
    return run, not (ends_sentence and len(words) >= 3)


def _new_paragraph(previous: Line, line: Line) -> bool:
    gap = line.baseline - previous.baseline
    return gap > 1.75 * max(previous.size, line.size) or gap < 0 or abs(line.size - previous.size) > 1.5
