"""Page layout from positioned characters: lines, table rows, headings, page furniture.

A PDF carries no markup, but it does carry its own layout: where each character sits,
its size and weight. These functions read that layout instead of guessing from words:

- characters become lines, and a line's wide gaps split it into cells;
- aligned rows of cells are a table, printed row by row with the row label first and
  each value under its column heading ("Transport | Outturn £000s: 58,231");
- a line set apart by type (larger, or bold where the body is not) is a heading, its
  level given by its type;
- lines repeated at the same place on most pages are running headers and footers.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from statistics import median
from typing import NamedTuple

_CELL_GAP = 1.2  # a gap wider than this many ems between characters starts a new cell
# ... and wider than this beyond the line's usual letter gap, a new word where the PDF put
# no space: letters touch (their boxes span the advance width), a space is 0.1-0.33 em.
_WORD_GAP = 0.09
_MARGIN = 0.09  # share of the page height at the top and the bottom where furniture lives
_DIGITS = re.compile(r"\d+")
_PAGE_NUMBER = re.compile(r"^(page\s*)?[-\u2013 ]*\d{1,4}[-\u2013 ]*(of\s*\d{1,4})?$", re.IGNORECASE)
# A dot leader ("Introduction..........4"): drawn to guide the eye, not read; dozens of
# word pieces each that crowd a contents line into a chunk of its own.
_LEADER = re.compile(r"\s*(?:\.{4,}|\u2026{2,}|(?:\. ){3,}\.?)\s*")
_NUMERIC_CELL = re.compile(r"^[(\-\u2013\u2212]?[£$€]?\s?[\d.,]+%?\)?[kmb]?$|^(nil|n/?a|-|\u2013)$", re.IGNORECASE)


class Char(NamedTuple):  # a tuple: millions are made per corpus
    text: str
    x0: float
    x1: float
    baseline: float  # distance from the top of the page, growing downwards
    size: float
    bold: bool


@dataclass
class Cell:
    text: str
    x0: float
    x1: float


@dataclass
class Line:
    cells: list[Cell]
    baseline: float
    size: float
    bold: float  # share of the line's characters set in bold
    page: int = 0
    page_height: float = 0.0
    grid: Table | None = None  # a ruled table read whole from its cells (ingest.grid)

    @property
    def text(self) -> str:
        return render_table(self.grid) if self.grid is not None else " ".join(c.text for c in self.cells)

    @property
    def x0(self) -> float:
        return self.cells[0].x0

    @property
    def x1(self) -> float:
        return self.cells[-1].x1


def build_lines(chars: list[Char], page: int = 0, page_height: float = 0.0) -> list[Line]:
    """Characters in content order become lines (a new line where the baseline moves or the
    text runs back to the left); a drop cap joins the line it starts."""
    groups: list[list[Char]] = []
    current: list[Char] | None = None
    last: Char | None = None  # the last character with ink
    for ch in chars:
        if ch.text in "\r\n":
            continue  # PDFium's guess; position decides where a line ends
        if ch.text.isspace():  # a space never starts a line
            if current is not None:
                current.append(ch)
            continue
        if current is None or last is not None and (
                abs(ch.baseline - last.baseline) > 0.5 * min(last.size, ch.size) or ch.x0 < last.x1 - 2 * ch.size):
            current = []
            groups.append(current)
        current.append(ch)
        last = ch
    groups = _join_drop_caps([g for g in groups if any(not c.text.isspace() for c in g)])
    lines = [_line(g, page, page_height) for g in groups]
    return [ln for ln in lines if ln.cells]


def _join_drop_caps(groups: list[list[Char]]) -> list[list[Char]]:
    """A single large letter printed before a line of smaller type belongs to that line."""
    out: list[list[Char]] = []
    for i, group in enumerate(groups):
        ink = [c for c in group if not c.text.isspace()]
        if len(ink) == 1 and ink[0].text.isalpha() and i + 1 < len(groups):
            nxt = [c for c in groups[i + 1] if not c.text.isspace()]
            if nxt and ink[0].size > 1.6 * nxt[0].size and 0 <= nxt[0].x0 - ink[0].x1 < nxt[0].size:
                big = ink[0]
                groups[i + 1] = [Char(big.text, big.x0, big.x1, nxt[0].baseline, nxt[0].size, nxt[0].bold)] + groups[i + 1]
                continue
        out.append(group)
    return out


def _line(chars: list[Char], page: int, page_height: float) -> Line:
    ink = [c for c in chars if not c.text.isspace()]
    if not ink:
        return Line([], 0.0, 0.0, 0.0, page, page_height)
    size = median(c.size for c in ink) or 1.0
    cells: list[Cell] = []
    current: list[Cell] = []  # the words of the cell being built
    for word in _words(chars, size):
        if current:
            gap = word.x0 - current[-1].x1
            # Figures sit closer to their labels than prose words ever are to each other.
            numeric = is_numeric(word.text)
            if gap > _CELL_GAP * size or numeric and (gap > 0.8 * size or is_numeric(current[-1].text)):
                cells.append(_joined_words(current))
                current = []
        current.append(word)
    if current:
        cells.append(_joined_words(current))
    bold = sum(c.bold for c in ink) / len(ink)
    baseline = median(c.baseline for c in ink)
    return Line(cells, baseline, size, bold, page, page_height)


def _words(chars: list[Char], size: float) -> list[Cell]:
    """Words split at the PDF's own spaces, or at a gap where it put none.

    Characters keep their content order when it runs left to right; otherwise they are
    sorted by position and only gaps count (the spaces' positions are then unreliable).
    """
    ink = [c for c in chars if not c.text.isspace()]
    in_order = all(b.x0 >= a.x0 - 1 for a, b in zip(ink, ink[1:]))
    sequence = chars if in_order else sorted(ink, key=lambda c: c.x0)
    word_gap = (_WORD_GAP + max(0.0, _letter_gap(sequence, size) / size)) * size
    words: list[Cell] = []
    text, start, end = "", 0.0, 0.0
    spaced = False
    for ch in sequence:
        if ch.text.isspace():
            spaced = bool(text)
            continue
        if text and (spaced or ch.x0 - end > word_gap):
            words.append(Cell(text, start, end))
            text = ""
        if not text:
            start = ch.x0
        text += ch.text
        end = max(end, ch.x1) if len(text) > 1 else ch.x1
        spaced = False
    if text:
        words.append(Cell(text, start, end))
    return [Cell(_LEADER.sub(" \u2026 ", w.text).strip(), w.x0, w.x1) for w in words]


def _letter_gap(sequence: list[Char], size: float) -> float:
    """The median gap between neighbouring characters with no space between them, of
    those narrower than half an em: about zero, unless the line is letter-spaced (tracked
    capitals)."""
    gaps = [gap for a, b in zip(sequence, sequence[1:])
            if not (a.text.isspace() or b.text.isspace()) and (gap := b.x0 - a.x1) < 0.5 * size]
    return median(gaps) if gaps else 0.0


def _joined_words(words: list[Cell]) -> Cell:
    return Cell(" ".join(w.text for w in words), words[0].x0, words[-1].x1)


# ---------------------------------------------------------------- furniture


def furniture_keys(pages: list[list[Line]]) -> set[str]:
    """Texts (digits masked) printed in the page margins on at least half of the pages."""
    if len(pages) < 3:
        return set()
    seen: Counter[str] = Counter()
    for lines in pages:
        seen.update({_furniture_key(ln) for ln in lines if _in_margin(ln)})
    need = max(3, len(pages) // 2)
    return {key for key, n in seen.items() if n >= need}


def furniture_kind(line: Line, repeated: set[str]) -> str | None:
    """``running header``, ``running footer``, ``page number`` or None for content."""
    if not _in_margin(line):
        return None
    if _PAGE_NUMBER.match(line.text.strip()):
        return "page number"
    if _furniture_key(line) in repeated:
        return "running header" if line.baseline < line.page_height / 2 else "running footer"
    return None


def _in_margin(line: Line) -> bool:
    if not line.page_height:
        return False
    return line.baseline < _MARGIN * line.page_height or line.baseline > (1 - _MARGIN) * line.page_height


def _furniture_key(line: Line) -> str:
    return _DIGITS.sub("#", " ".join(line.text.lower().split()))


# ---------------------------------------------------------------- headings


@dataclass(frozen=True)
class TypeStyle:
    size: float
    bold: bool


def body_style(lines: list[Line]) -> TypeStyle:
    """The type most of the text is set in."""
    weight: Counter[TypeStyle] = Counter()
    for ln in lines:
        weight[_style(ln)] += len(ln.text)
    return weight.most_common(1)[0][0] if weight else TypeStyle(0.0, False)


def _style(line: Line) -> TypeStyle:
    return TypeStyle(round(line.size * 2) / 2, line.bold >= 0.85)


def heading_style(line: Line, body: TypeStyle) -> TypeStyle | None:
    """The line's style when its type sets it apart from the body as a heading."""
    style = _style(line)
    text = line.text
    if len(line.cells) > 2 or len(text.split()) > 18 or len(text) > 150 or not any(ch.isalpha() for ch in text):
        return None
    if text.rstrip()[-1:] in ",;" or _NUMERIC_CELL.match(text.strip()):
        return None
    larger = style.size >= body.size * 1.12
    bolder = style.bold and not body.bold and style.size >= body.size * 0.95
    return style if larger or bolder else None


def heading_levels(styles: list[TypeStyle]) -> dict[TypeStyle, int]:
    """Larger type ranks higher; at one size, bold ranks above regular."""
    ordered = sorted(set(styles), key=lambda s: (-s.size, not s.bold))
    return {style: min(level, 6) for level, style in enumerate(ordered, start=1)}


# ---------------------------------------------------------------- tables


@dataclass
class Table:
    """Rows of a table found in a run of lines: ``first`` and ``last`` index those lines."""

    first: int
    last: int
    headers: list[str]
    rows: list[list[str]] = field(default_factory=list)
    columns: list[tuple[float, float]] = field(default_factory=list)


def is_numeric(text: str) -> bool:
    return bool(_NUMERIC_CELL.match(text.replace(" ", "")))


def find_tables(lines: list[Line], carried: Table | None = None) -> list[Table]:
    """Runs of rows whose value cells line up in columns; a header above them names them.

    ``carried`` is the last table of the previous page: rows at the top of this page with
    the same columns continue it under the same headings.
    """
    tables: list[Table] = []
    i = 0
    while i < len(lines):
        grid = lines[i].grid
        if grid is not None:
            headers = grid.headers
            if not any(headers) and carried is not None and i == 0 and len(carried.headers) == len(headers):
                headers = carried.headers  # a ruled table continued from the page before
            tables.append(Table(i, i, headers, rows=grid.rows))
            i += 1
            continue
        if not _is_data_row(lines[i]):
            i += 1
            continue
        j = i
        columns = _value_columns([lines[i]])
        while j + 1 < len(lines):
            nxt = lines[j + 1]
            if _is_data_row(nxt) and _aligned(nxt, columns):
                j += 1
                columns = _value_columns([nxt], columns)
            elif _is_label_wrap(nxt, lines, j, columns):
                j += 1
            else:
                break
        data_rows = sum(_is_data_row(ln) for ln in lines[i:j + 1])
        if data_rows < 2:
            i = j + 1
            continue
        first, headers = _header_above(lines, i, j, columns, tables[-1].last if tables else -1)
        at_top = first == 0  # nothing but this table's rows above it on the page
        if not any(headers) and carried is not None and at_top and _same_columns(carried.columns, columns):
            headers = carried.headers
        table = Table(first, j, headers, columns=columns)
        table.rows = _rows(lines[i:j + 1], columns)
        tables.append(table)
        i = j + 1
    return tables


def _is_data_row(line: Line) -> bool:
    """A row with at least two cells, the last ones numbers (or nil)."""
    cells = line.cells
    return len(cells) >= 2 and sum(is_numeric(c.text) for c in cells[1:]) >= max(1, (len(cells) - 1) * 0.6)


def _value_columns(lines: list[Line], known: list[tuple[float, float]] = ()) -> list[tuple[float, float]]:
    """The x-ranges of the value columns: cells of several rows that overlap belong together.
    ``known`` columns (of the rows before) are widened by these lines' cells."""
    cells = [(c.x0, c.x1) for ln in lines if _is_data_row(ln) for c in ln.cells[1:] if is_numeric(c.text)]
    spans = sorted([*known, *cells])
    columns: list[list[float]] = []
    for x0, x1 in spans:
        if columns and x0 <= columns[-1][1] + 1:
            columns[-1][1] = max(columns[-1][1], x1)
        else:
            columns.append([x0, x1])
    return [(a, b) for a, b in columns]


def _aligned(line: Line, columns: list[tuple[float, float]]) -> bool:
    values = [c for c in line.cells[1:] if is_numeric(c.text)]
    hits = sum(any(c.x0 <= b + 2 and a - 2 <= c.x1 for a, b in columns) for c in values)
    return hits >= max(1, len(values) - 1)


def _is_label_wrap(line: Line, lines: list[Line], j: int, columns: list[tuple[float, float]]) -> bool:
    """A one-cell line left of the value columns, just before a row: a wrapped row label."""
    if len(line.cells) != 1 or line.grid is not None or not columns or line.x1 > columns[0][0]:
        return False
    return any(_is_data_row(ln) for ln in lines[j + 2:j + 12])


def _same_columns(a: list[tuple[float, float]], b: list[tuple[float, float]]) -> bool:
    return len(a) == len(b) and all(abs(x[1] - y[1]) < 6 for x, y in zip(a, b))


def _header_above(
    lines: list[Line], first_row: int, last_row: int, columns: list[tuple[float, float]], floor: int
) -> tuple[int, list[str]]:
    """Header fragments above the first row, each placed over the column it sits above.

    The lines are read nearest first by position, not in the PDF's content order: a heading
    centred on a two-line header ("TOTAL" beside "Market / Housing") may be printed last."""
    labels_end = max((c.x1 for ln in lines[first_row:last_row + 1] for c in ln.cells if c.x1 <= columns[0][0]),
                     default=columns[0][0])  # where the row labels end: headings right of it head figures
    headers = [""] * len(columns)
    label_header = ""
    top_row = lines[first_row]
    top = top_row.baseline
    above = [k for k in range(first_row - 1, max(floor, first_row - 30), -1)
             if lines[k].page == top_row.page and lines[k].baseline < top - 0.9 * top_row.size]  # not its own wraps
    taken: set[int] = set()
    for k in sorted(above, key=lambda k: -lines[k].baseline):
        line = lines[k]
        if top - line.baseline > 1.9 * top_row.size or line.grid is not None:
            break
        if len(line.cells) == 1 and len(line.text.split()) > 6:
            break  # prose above the table
        placed: list[tuple[int | None, str]] = []
        for cell in line.cells:
            column = _column_of(cell, columns)
            if column is None and cell.x0 > labels_end:
                column = _column_ending_after(cell, columns)
            if column is not None or cell.x1 <= columns[0][0]:
                placed.append((column, cell.text))
        if not placed:
            break
        for column, text in placed:
            if column is None:
                label_header = f"{text} {label_header}".strip()
            else:
                headers[column] = f"{text} {headers[column]}".strip()
        taken.add(k)
        top = min(top, line.baseline)
    if not any(headers):
        return first_row, [""] * (len(columns) + 1)
    first = first_row
    while first - 1 in taken:  # the header's lines run straight into the table
        first -= 1
    return first, [label_header] + headers


def _column_ending_after(cell: Cell, columns: list[tuple[float, float]]) -> int | None:
    """The column a heading right of every row label heads when it overlaps none: the
    first whose figures end after its centre (figures set right, "Market Housing" over
    "6,565" but printed to its left)."""
    centre = (cell.x0 + cell.x1) / 2
    return next((n for n, (_, end) in enumerate(columns) if centre <= end + 4), None)


def _column_of(cell: Cell, columns: list[tuple[float, float]]) -> int | None:
    centre = (cell.x0 + cell.x1) / 2
    best, distance = None, None
    for n, (a, b) in enumerate(columns):
        if a - 4 <= centre <= b + 4 or (cell.x0 <= b and a <= cell.x1):
            d = abs(centre - (a + b) / 2)
            if distance is None or d < distance:
                best, distance = n, d
    return best


def _rows(lines: list[Line], columns: list[tuple[float, float]]) -> list[list[str]]:
    """Each row as [label, value per column]; wrapped label lines join the row below."""
    rows: list[list[str]] = []
    pending = ""
    for line in lines:
        if not _is_data_row(line):
            pending = f"{pending} {line.text}".strip()
            continue
        values = [""] * len(columns)
        label_parts = [pending] if pending else []
        pending = ""
        for cell in line.cells:
            column = _column_of(cell, columns) if is_numeric(cell.text) else None
            if column is None:
                label_parts.append(cell.text)
            else:
                values[column] = f"{values[column]} {cell.text}".strip()
        rows.append([" ".join(label_parts)] + values)
    if pending:
        rows.append([pending] + [""] * len(columns))
    return rows


def render_table(table: Table) -> str:
    """The heading line (so no word of it is lost), then one line per row."""
    lines = [" | ".join(h for h in table.headers if h)] if any(table.headers) else []
    lines.extend(render_row(row, table.headers) for row in table.rows)
    return "\n".join(ln for ln in lines if ln)


def render_row(row: list[str], headers: list[str]) -> str:
    """``label | heading: value | ...``; a value without a heading stands alone."""
    parts = [row[0]] if row[0] else []
    for n, value in enumerate(row[1:], start=1):
        if not value:
            continue
        heading = headers[n] if n < len(headers) else ""
        parts.append(f"{heading}: {value}" if heading else value)
    return " | ".join(parts)


def as_printed(text: str) -> str:
    """Rows written by :func:`render_row` read back as the paper prints them, without the
    column headings between the figures (``label value ...``): how a quote copied from
    the PDF, or the PDF's own text, has them. Other lines are left as they are."""
    lines = []
    for line in text.splitlines():
        if " | " in line:
            label, *cells = line.split(" | ")
            line = " ".join([label] + [cell.partition(": ")[2] or cell for cell in cells])
        lines.append(line)
    return "\n".join(lines)
