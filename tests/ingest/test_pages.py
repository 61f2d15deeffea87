"""Where a quoted passage lies on its PDF page, and the page drawn as a picture."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from ingest import as_printed
from ingest.pages import find_passage, page_png
from tests.files import CORPUS_REAL, make_pdf


@pytest.fixture(scope="module")
def report(tmp_path_factory) -> Path:
    return make_pdf(tmp_path_factory.mktemp("pages") / "harbour.pdf", [
        ["# Harbour Budget Report 2026", "This report sets out the harbour budget for the year ahead."],
        ["# Dredging", "Dredging the Harbour channel costs £312,000 in 2026/27.",
         "Mooring fees rise by 4% from April."],
    ])


def test_a_passage_is_found_on_its_page_and_boxed_where_it_lies(report: Path) -> None:
    found = find_passage(report, 1, 2, "Dredging the Harbour channel costs £312,000 in 2026/27.")
    assert found is not None and found.page == 2 and found.words == 9
    (box,) = found.boxes  # one line of text: one box
    assert 0 < box.left < box.right < 1 and 0 < box.top < box.bottom < 0.5  # near the top of an A4 page
    fees = find_passage(report, 1, 2, "Mooring fees rise by 4% from April.")
    assert fees is not None and fees.boxes[0].top > box.bottom  # the next line down


def test_words_not_on_the_pages_mark_nothing(report: Path) -> None:
    assert find_passage(report, 1, 2, "The ferry runs every forty minutes in winter.") is None
    assert find_passage(report, 1, 1, "Dredging the Harbour channel costs £312,000 in 2026/27.") is None  # page 2's
    assert find_passage(report, 1, 2, "") is None


def test_a_table_row_is_found_as_the_paper_prints_it() -> None:
    paper = CORPUS_REAL / "weca_2026-06-05_budget-outturn-report.pdf"
    if not paper.is_file():
        pytest.skip(f"{paper} is absent: the real-papers corpus lives beside the project")
    row = ("Total Expenditure | Approved budget £000s: 173,889 | Current Budget £000s: 181,990 | "
           "Q1 Forecast £000s: 174,275 | Q2 Forecast £000s: 178,731")
    assert as_printed(row) == "Total Expenditure 173,889 181,990 174,275 178,731"
    found = find_passage(paper, 1, 4, row)
    assert found is not None and found.page == 2 and found.words == 6
    # The row's cells lie side by side on one line of the table.
    assert max(b.bottom for b in found.boxes) - min(b.top for b in found.boxes) < 0.02


def test_a_page_is_drawn_at_the_width_asked(report: Path) -> None:
    from PIL import Image

    image = Image.open(io.BytesIO(page_png(report, 2, width_px=600)))
    assert image.format == "PNG" and image.width == 600 and image.height > image.width  # portrait
    with pytest.raises(IndexError):
        page_png(report, 3)
