"""Tables whose rows are ruled: the bands a PDF's own horizontal rules draw.

Where a table has text in several columns ("46 – Stopped where prohibited" beside its
count, a project's name beside its amount), aligned figures alone cannot tell its rows
apart, and a label that wraps leaves its figure on neither of its lines. The rules drawn
between the rows can: three or more rules of one width, stacked close, cut the table into
bands; each band is a row, its text in columns found from where the cells of every band
sit (the idea behind pdfplumber's and Camelot's lattice finders, reduced to rows).
"""

from __future__ import annotations

from dataclasses import dataclass
from statistics import median_high

from ingest.layout import Cell, Char, Line, Table, build_lines, is_numeric

_THIN = 3.0  # a drawn path thinner than this (points) is a rule
_JOIN = 2.0  # collinear rule pieces this close are one rule
_ALIGN = 4.0  # rules whose ends differ by less than this are of one width
_MAX_ROW_LINES = 6  # a band taller than this many lines of its text is not a table row
_MIN_COLUMNS = 3  # two columns are a form ("Decision maker | Cabinet"), read as lines


@dataclass(frozen=True)
class Rule:
    """A horizontal rule in page space, measured from the top of the page."""

    y: float
    x0: float
    x1: float


def horizontal_rules(boxes: list[tuple[float, float, float, float]]) -> list[Rule]:
    """Drawn paths' bounds (x0, top, x1, bottom) as horizontal rules: a thin path is one,
    a box (a cell's border or its shading) gives its top and bottom edges. Collinear pieces
    that touch are joined."""
    pieces = []
    for x0, top, x1, bottom in boxes:
        if x1 - x0 <= _THIN:
            continue
        if bottom - top <= _THIN:
            pieces.append(((top + bottom) / 2, x0, x1))
        else:
            pieces += [(top, x0, x1), (bottom, x0, x1)]
    pieces.sort()
    rules: list[Rule] = []
    rows: list[list[tuple[float, float, float]]] = []
    for piece in pieces:
        if rows and piece[0] - rows[-1][0][0] <= _JOIN / 2:
            rows[-1].append(piece)
        else:
            rows.append([piece])
    for row in rows:
        y = sum(p[0] for p in row) / len(row)
        spans = sorted((p[1], p[2]) for p in row)
        start, end = spans[0]
        for a, b in spans[1:]:
            if a <= end + _JOIN:
                end = max(end, b)
            else:
                rules.append(Rule(y, start, end))
                start, end = a, b
        rules.append(Rule(y, start, end))
    return rules


def ruled_tables(chars: list[Char], rules: list[Rule], page: int = 0, page_height: float = 0.0
                 ) -> tuple[list[Line], list[Char]]:
    """The page's tables with ruled rows, each as one line carrying its table (placed at
    its top), and the characters outside them."""
    size = _body_size(chars)
    found: list[Line] = []
    taken: set[int] = set()
    for stack in _stacks(rules, size):
        bands = [[] for _ in stack[1:]]
        members: list[int] = []
        for n, ch in enumerate(chars):
            if n in taken or not stack[0].x0 - 2 <= (ch.x0 + ch.x1) / 2 <= stack[0].x1 + 2:
                continue
            middle = ch.baseline - 0.3 * ch.size  # above the baseline, in the letter
            for k in range(len(stack) - 1):
                if stack[k].y < middle < stack[k + 1].y:
                    bands[k].append(ch)
                    members.append(n)
                    break
        line = _read(stack, bands, page, page_height)
        if line is not None:
            found.append(line)
            taken.update(members)
    if not found:
        return [], chars
    return found, [ch for n, ch in enumerate(chars) if n not in taken]


def _body_size(chars: list[Char]) -> float:
    sizes = [c.size for c in chars if not c.text.isspace()]
    return median_high(sizes) if sizes else 10.0


def _stacks(rules: list[Rule], size: float) -> list[list[Rule]]:
    """Runs of three or more rules of one width, each within a few lines of the next."""
    stacks: list[list[Rule]] = []
    for rule in sorted(rules, key=lambda r: r.y):
        if rule.x1 - rule.x0 < 10 * size:
            continue  # an underline, a cell's own shading: not a row's rule
        for stack in stacks:
            last = stack[-1]
            if (abs(last.x0 - rule.x0) < _ALIGN and abs(last.x1 - rule.x1) < _ALIGN
                    and 0.8 * size < rule.y - last.y <= _MAX_ROW_LINES * 1.5 * size):
                stack.append(rule)
                break
        else:
            stacks.append([rule])
    return [s for s in stacks if len(s) >= 3]


def _read(stack: list[Rule], bands: list[list[Char]], page: int, page_height: float) -> Line | None:
    """The bands' text as rows in columns, the first row as the headings where it reads as
    them; None where fewer than three columns hold text."""
    band_lines = [sorted(build_lines(chars, page, page_height), key=lambda ln: (round(ln.baseline), ln.x0))
                  for chars in bands]
    # The first row may be headings whose cells run together over several columns.
    columns = _columns([c for lines in band_lines[1:] if _cell_count(lines) > 1 for ln in lines for c in ln.cells])
    if len(columns) < _MIN_COLUMNS:
        return None
    rows: list[list[str]] = []
    bold: list[float] = []
    for lines in band_lines:
        if not lines:
            continue
        row = [""] * len(columns)
        for ln in lines:
            for cell in ln.cells:
                n = _column_of(cell, columns)
                row[n] = f"{row[n]} {cell.text}".strip()
        rows.append(row)
        bold.append(sum(ln.bold for ln in lines) / len(lines))
    if sum(sum(bool(v) for v in row) >= 2 for row in rows) < 2:
        return None
    headers = [""] * len(columns)
    if _is_header(rows, bold):
        headers, rows = rows[0], rows[1:]
        # A column of text with no heading after the first continues the row label
        # ("General Needs Housing" then "1 bedroom").
        while len(headers) > 2 and not headers[1] and not any(is_numeric(row[1]) for row in rows if row[1]):
            headers = headers[:1] + headers[2:]
            rows = [[f"{row[0]} {row[1]}".strip()] + row[2:] for row in rows]
    size = median_high(ln.size for lines in band_lines for ln in lines)
    return Line([Cell("", stack[0].x0, stack[0].x1)], stack[0].y, size, 0.0, page, page_height,
                grid=Table(0, 0, headers, rows=rows))


def _cell_count(lines: list[Line]) -> int:
    return max((len(ln.cells) for ln in lines), default=0)


def _columns(cells: list[Cell]) -> list[tuple[float, float]]:
    """Columns as the x-ranges where cells of the rows overlap (rows of one cell, which
    span the table, left out)."""
    columns: list[list[float]] = []
    for x0, x1 in sorted((c.x0, c.x1) for c in cells):
        if columns and x0 <= columns[-1][1]:
            columns[-1][1] = max(columns[-1][1], x1)
        else:
            columns.append([x0, x1])
    return [(a, b) for a, b in columns]


def _column_of(cell: Cell, columns: list[tuple[float, float]]) -> int:
    centre = (cell.x0 + cell.x1) / 2
    inside = [n for n, (a, b) in enumerate(columns) if a <= centre <= b]
    if inside:
        return inside[0]
    return min(range(len(columns)), key=lambda n: min(abs(centre - columns[n][0]), abs(centre - columns[n][1])))


def _is_header(rows: list[list[str]], bold: list[float]) -> bool:
    """The first row names the columns: it is set in bold where the rows below are not, or
    it holds no figure where the rows below do."""
    if bold[0] > 0.5 and all(b < 0.5 for b in bold[1:]):
        return True
    figures = [sum(is_numeric(cell) for cell in row[1:]) for row in rows]
    return figures[0] == 0 and any(figures[1:])
