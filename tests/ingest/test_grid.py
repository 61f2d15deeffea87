"""Tables with ruled rows (ingest/grid.py), from positioned characters and drawn rules."""

from __future__ import annotations

from ingest.grid import horizontal_rules, ruled_tables
from ingest.layout import Char

SIZE = 10.0


def _text(text: str, x: float, baseline: float, bold: bool = False) -> list[Char]:
    out = []
    for letter in text:
        out.append(Char(letter, x, x if letter == " " else x + 5.0, baseline, SIZE, bold))
        x += 5.0
    return out


def _row(cells: list[tuple[float, str]], baseline: float, bold: bool = False) -> list[Char]:
    return [ch for x, text in cells for ch in _text(text, x, baseline, bold)]


COLUMNS = (50.0, 250.0, 400.0)


def _table(rows: list[list[str]], first_bold: bool = False) -> tuple[list[Char], list[tuple]]:
    """Rows of three columns, each band 30 points tall between rules; a cell holding a
    newline wraps onto a second line in its band."""
    chars, boxes = [], [(40.0, 100.0, 540.0, 100.5)]
    for n, row in enumerate(rows):
        top = 100.0 + 30 * n
        for x, cell in zip(COLUMNS, row):
            for k, part in enumerate(cell.split("\n")):
                chars += _text(part, x, top + 12 + 11 * k, bold=first_bold and n == 0)
        boxes.append((40.0, top + 30, 540.0, top + 30.5))
    return chars, boxes


def test_a_wrapped_label_stays_in_its_row_beside_its_figures() -> None:
    chars, boxes = _table([["Parked in an electric\nvehicle charging place", "3", "12"], ["Wheels on footpath", "55", "7"]])
    tables, rest = ruled_tables(chars, horizontal_rules(boxes))
    assert [t.grid.rows for t in tables] == [[["Parked in an electric vehicle charging place", "3", "12"],
                                              ["Wheels on footpath", "55", "7"]]]
    assert rest == []


def test_a_first_row_in_bold_names_the_columns() -> None:
    chars, boxes = _table([["Stage", "Date", "Revised date"], ["Surveys", "October", "March"],
                           ["Modelling", "November", "April"]], first_bold=True)
    (table,), _ = ruled_tables(chars, horizontal_rules(boxes))
    assert table.text.splitlines() == ["Stage | Date | Revised date", "Surveys | Date: October | Revised date: March",
                                       "Modelling | Date: November | Revised date: April"]


def test_text_outside_the_rules_is_left_to_be_read_as_lines() -> None:
    chars, boxes = _table([["a", "1", "2"], ["b", "3", "4"]])
    outside = _text("Figure 1: costs", 50.0, 80.0)
    tables, rest = ruled_tables(outside + chars, horizontal_rules(boxes))
    assert len(tables) == 1 and "".join(c.text for c in rest) == "Figure 1: costs"


def test_rules_without_a_table_of_three_columns_are_no_table() -> None:
    form = [ch for n, (label, value) in enumerate([("Decision maker", "Cabinet"), ("Date", "12 March")])
            for ch in _row([(50.0, label), (250.0, value)], 112.0 + 30 * n)]
    boxes = [(40.0, 100.0 + 30 * n, 540.0, 100.5 + 30 * n) for n in range(3)]
    assert ruled_tables(form, horizontal_rules(boxes)) == ([], form)
    chars, _ = _table([["a", "1", "2"], ["b", "3", "4"]])
    assert ruled_tables(chars, horizontal_rules([(40.0, 100.0, 540.0, 100.5)])) == ([], chars)  # one rule
