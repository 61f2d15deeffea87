"""A PDF page as a picture, and where a passage's words lie on it, so a reader can see a
quoted passage on the page it came from in any browser (a browser's own PDF viewer
opens a page but will not mark a passage on it)."""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from pathlib import Path

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from ingest.layout import as_printed

# Words as the page and the passage both have them: "£312,000" and "2026/27" compare by
# their parts, so a figure matches however its currency sign or punctuation was copied.
_WORD = re.compile(r"\d+(?:[.,]\d+)*|[^\W\d_]+")
MIN_RUN = 3  # words in a row that mark a place on the page (fewer match too much by chance)
MAX_RUNS = 12  # runs marked at most: a table row's cells, a sentence broken over lines


@dataclass(frozen=True)
class Box:
    """A marked rectangle as fractions of the page's width and height, from its top left."""

    left: float
    top: float
    right: float
    bottom: float


@dataclass(frozen=True)
class PageMatch:
    page: int  # 1-based
    boxes: tuple[Box, ...]
    words: int  # how many of the passage's words were found in order on the page


def page_png(path: Path, page: int, width_px: int = 1200) -> bytes:
    """Page ``page`` (1-based) drawn ``width_px`` wide, as PNG bytes."""
    pdf = pdfium.PdfDocument(str(path))
    try:
        if not 1 <= page <= len(pdf):
            raise IndexError(f"{path.name} has no page {page}")
        sheet = pdf[page - 1]
        image = sheet.render(scale=width_px / max(sheet.get_width(), 1.0)).to_pil()
        out = io.BytesIO()
        image.save(out, format="PNG", compress_level=3)  # measured: 5x faster than optimize=True, and smaller
        return out.getvalue()
    finally:
        pdf.close()


def find_passage(path: Path, first: int, last: int, passage: str) -> PageMatch | None:
    """The page among ``first``..``last`` (1-based) that holds most of ``passage``'s words
    in order, with boxes around each run of at least ``MIN_RUN`` of them; None when none
    does. A table row written as ``label | heading: value`` is looked for as printed."""
    wanted = [w.lower() for w in _WORD.findall(as_printed(passage))]
    if not wanted:
        return None
    pdf = pdfium.PdfDocument(str(path))
    try:
        best: PageMatch | None = None
        for number in range(max(first, 1), min(last, len(pdf)) + 1):
            found = _match_page(pdf[number - 1], number, wanted)
            if found and (best is None or found.words > best.words):
                best = found
        return best
    finally:
        pdf.close()


def _match_page(sheet: pdfium.PdfPage, number: int, wanted: list[str]) -> PageMatch | None:
    text = sheet.get_textpage()
    count = text.count_chars()
    # One character per PDFium character, so a match's offsets are PDFium's own indices.
    raw = "".join((chr(pdfium_c.FPDFText_GetUnicode(text.raw, i)).lower() or " ")[0] for i in range(count))
    words = [(m.group(), m.start(), m.end()) for m in _WORD.finditer(raw)]
    runs = _runs([w for w, _, _ in words], wanted)
    if not runs:
        return None
    width, height = sheet.get_size()
    boxes = []
    for start, length in runs:
        first_char, end_char = words[start][1], words[start + length - 1][2]
        for i in range(text.count_rects(first_char, end_char - first_char)):
            left, bottom, right, top = text.get_rect(i)
            boxes.append(Box(left / width, 1 - top / height, right / width, 1 - bottom / height))
    return PageMatch(number, tuple(_merged(boxes)), sum(length for _, length in runs))


def _merged(boxes: list[Box], gap: float = 0.02) -> list[Box]:
    """Boxes on one line that (nearly) touch joined into one: PDFium gives a box per
    character of spaced-out text. A table's cells, far apart, stay separate."""
    out: list[Box] = []
    for box in sorted(boxes, key=lambda b: (round(b.bottom, 3), b.left)):
        last = out[-1] if out else None
        if last and min(last.bottom, box.bottom) - max(last.top, box.top) > 0.5 * (box.bottom - box.top) \
                and box.left - last.right < gap:
            out[-1] = Box(min(last.left, box.left), min(last.top, box.top), max(last.right, box.right),
                          max(last.bottom, box.bottom))
        else:
            out.append(box)
    return out


def _runs(page: list[str], wanted: list[str]) -> list[tuple[int, int]]:
    """Runs of the passage's words on the page, longest first, each passage word used once:
    (first page word, length), in page order."""
    free = [True] * len(wanted)
    runs: list[tuple[int, int]] = []
    while len(runs) < MAX_RUNS:
        best = (0, 0, 0)  # length, page start, passage start
        previous = [0] * (len(wanted) + 1)
        for i, word in enumerate(page, start=1):
            current = [0] * (len(wanted) + 1)
            for j, other in enumerate(wanted, start=1):
                if word == other and free[j - 1]:
                    current[j] = previous[j - 1] + 1
                    if current[j] > best[0]:
                        best = (current[j], i - current[j], j - current[j])
            previous = current
        length, page_start, wanted_start = best
        if length < min(MIN_RUN, len(wanted)):
            break
        runs.append((page_start, length))
        free[wanted_start:wanted_start + length] = [False] * length
    return sorted(runs)
