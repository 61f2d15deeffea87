"""Tables for spreadsheets: CSV text whose cells stay text."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_text(header: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    """CSV with a header row. A text cell that a spreadsheet would run as a formula (a
    paper's quote starting "=HYPERLINK(...") gets a leading apostrophe; None is empty."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    for row in rows:
        writer.writerow(["" if cell is None else f"'{cell}" if isinstance(cell, str) and cell.startswith(_FORMULA_START)
                         else cell for cell in row])
    return buffer.getvalue()
