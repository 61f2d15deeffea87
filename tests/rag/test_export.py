import csv
import io

from rag.export import csv_text


def test_cells_a_spreadsheet_would_run_stay_text() -> None:
    text = csv_text(["quote", "votes", "note"], [['=HYPERLINK("http://evil.example","x")', 5, None],
                                                   ["-1+1", -3, "+44 20"], ["@SUM(A1)", 0, "plain, with comma"]])
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == ["quote", "votes", "note"]
    assert rows[1] == ['\'=HYPERLINK("http://evil.example","x")', "5", ""]
    assert rows[2] == ["'-1+1", "-3", "'+44 20"]  # numbers stay numbers
    assert rows[3] == ["'@SUM(A1)", "0", "plain, with comma"]
