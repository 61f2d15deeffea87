"""Ingest on real council papers nobody here wrote (../shared/corpus-real).

The documents' licences are unclear, so they are used from ``../shared`` and never copied
in; without that folder these tests skip. What is measured: every character of every
text-layer document reaches a chunk, scans fail with a clear reason, and the detected
metadata agrees with a table written by reading the documents (tests/data/).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from rapidfuzz import fuzz

from ingest import LoadError, PreparedDocument, StructuredChunker, prepare_document
from tests.files import CORPUS_REAL
EXPECTED = Path(__file__).resolve().parent.parent / "data" / "corpus_real_metadata.jsonl"
MIN_FIELD_ACCURACY = 0.9

pytestmark = pytest.mark.skipif(
    not CORPUS_REAL.is_dir(), reason=f"{CORPUS_REAL} is absent: the real-papers corpus lives beside the project"
)


def _expected() -> list[dict]:
    return [json.loads(line) for line in EXPECTED.read_text(encoding="utf-8").splitlines() if line.strip()]


@pytest.fixture(scope="module")
def prepared() -> dict[str, PreparedDocument | LoadError]:
    chunker = StructuredChunker()
    out: dict[str, PreparedDocument | LoadError] = {}
    for row in _expected():
        try:
            out[row["file"]] = prepare_document(CORPUS_REAL / row["file"], chunker)
        except LoadError as exc:
            out[row["file"]] = exc
    return out


def test_the_table_names_every_document() -> None:
    on_disk = {p.name for p in CORPUS_REAL.iterdir() if p.suffix in {".pdf", ".docx", ".html"}}
    assert {row["file"] for row in _expected()} == on_disk


def test_every_text_layer_document_reaches_the_chunks_whole(prepared) -> None:
    short = {
        name: (round(p.coverage.ratio, 4), p.coverage.missing_examples)
        for name, p in prepared.items()
        if isinstance(p, PreparedDocument) and p.coverage.ratio < 1.0
    }
    assert not short
    assert sum(isinstance(p, PreparedDocument) for p in prepared.values()) >= 35


def test_scans_fail_with_the_no_text_layer_reason_and_nothing_else_fails(prepared) -> None:
    for row in _expected():
        outcome = prepared[row["file"]]
        if row["scanned"]:
            assert isinstance(outcome, LoadError) and "no text layer" in outcome.reason
            assert row["file"] in str(outcome)
        else:
            assert isinstance(outcome, PreparedDocument), f"{row['file']}: {outcome}"


def _body_key(body: str) -> str:
    text = body.casefold().replace("&", " and ")
    return " ".join(w for w in re.findall(r"[a-z0-9]+", text) if w != "the")


def body_matches(detected: str, expected: str) -> bool:
    """Same name, spelling of "and" and "the" aside; a longer printed form counts when it
    ends with the expected name (or the reverse) and the shorter has three words or more."""
    a, b = _body_key(detected), _body_key(expected)
    if a == b:
        return True
    short, long = sorted((a, b), key=len)
    return len(short.split()) >= 3 and long.endswith(short)


def title_matches(detected: str, expected: str) -> bool:
    """Nearly the same words, neither a fragment of the other."""
    a, b = _body_key(detected).split(), _body_key(expected).split()
    if not a or not b or not 0.5 <= len(a) / len(b) <= 2.0:
        return False
    return fuzz.token_set_ratio(" ".join(a), " ".join(b)) >= 85


def test_field_matchers_tell_right_from_wrong() -> None:
    assert body_matches("Transport & Connectivity Policy Committee", "Transport and Connectivity Policy Committee")
    assert not body_matches("Scrutiny Committee", "Transport and Connectivity Policy Committee")
    assert not body_matches("Committee", "Transport and Connectivity Policy Committee")
    assert title_matches("Bristol City Council Minutes of the Transport & Connectivity Policy Committee",
                         "Minutes of the Transport & Connectivity Policy Committee")
    assert not title_matches("Agenda Template", "Minutes of the Transport & Connectivity Policy Committee")
    assert not title_matches("Question 1", "Public Questions and Mayor’s Responses")


def metadata_accuracy(prepared) -> tuple[dict[str, float], dict[str, list[str]]]:
    rows = [r for r in _expected() if not r["scanned"]]
    wrong: dict[str, list[str]] = {"doc_type": [], "body": [], "meeting_date": [], "title": []}
    for row in rows:
        got = prepared[row["file"]].metadata
        checks = {
            "doc_type": got.doc_type == row["doc_type"],
            "body": body_matches(got.body, row["body"]),
            "meeting_date": got.meeting_date == row["meeting_date"],
            "title": title_matches(got.title, row["title"]),
        }
        for field, ok in checks.items():
            if not ok:
                wrong[field].append(f"{row['file']}: {getattr(got, field)!r} (expected {row[field]!r})")
    accuracy = {field: 1 - len(misses) / len(rows) for field, misses in wrong.items()}
    return accuracy, wrong


def test_metadata_from_the_papers_own_words_is_right_per_field(prepared) -> None:
    accuracy, wrong = metadata_accuracy(prepared)
    failing = {f: wrong[f] for f, a in accuracy.items() if a < MIN_FIELD_ACCURACY}
    assert not failing, f"accuracy {accuracy}"


def test_a_web_pages_article_is_read_whatever_its_column_is_called(prepared) -> None:
    # The article sits in a column classed "bcc-has-sidebar"; the breadcrumb above it is furniture.
    text = prepared["bristol-city-council_2026-06-25_wpl-project-webpage.html"].document.text
    assert "No decision on whether to introduce a workplace parking levy scheme has been made yet." in text
    assert "Implementation and Operation, 2028 to 2029: 1 to 2 years" in text
    assert "For residents" not in text


@pytest.mark.parametrize(("name", "issued"), [
    ("fenland-district-council_2025-03_local-development-scheme.pdf", "2025-03"),  # "MARCH 2025"
    ("broxbourne-borough-council_2023-11_employment-skills-spd.pdf", "2023-11"),  # "November 2023"
    ("bristol-city-council_2026-01-21_forward-plan.pdf", "2026-01-20"),  # "This update published 20 January 2026"
    ("weca_2021-09_bus-strategy.pdf", "2020-06"),  # "Adopted June 2020"
    ("tewkesbury-borough-council_2025-09_local-green-space-form.docx", "2025-08"),  # signed "August 2025"
    # The cover prints no date; every page's running footer reads "MAY 2024 PART 4.2: ...".
    ("bristol-city-council_2024-05_constitution-access-to-information-rules.pdf", "2024-05"),
    ("bristol-city-council_2026-06-25_wpl-project-webpage.html", ""),  # a web page prints no date
    ("bristol-city-council_2024-09-12_printed-minutes.pdf", ""),  # a meeting paper has its meeting date
])
def test_a_paper_not_of_a_meeting_is_dated_by_its_front_page(prepared, name: str, issued: str) -> None:
    """A plan or strategy is asked for by its date ("Fenland's March 2025 Local Development
    Scheme"), which often only its cover, or its running footer, prints."""
    assert prepared[name].metadata.issued == issued


def test_the_council_a_paper_names_is_right_when_one_is_named(prepared) -> None:
    """A council is read only where one stands out in the paper; where read, it must be the
    issuer's (commitments take evidence only from their own council's papers)."""
    from ingest.metadata import council_key

    read = [(row["file"], p.metadata.council, row["council"]) for row in _expected()
            if isinstance(p := prepared[row["file"]], PreparedDocument) and p.metadata.council]
    right = [r for r in read if council_key(r[1]) == council_key(r[2])]
    print(f"\ncouncil read for {len(read)} of {len(prepared)} papers; right for {len(right)} "
          f"(precision {len(right) / len(read):.3f}); wrong: {[r for r in read if r not in right]}")
    assert len(right) / len(read) >= MIN_FIELD_ACCURACY
    assert len(read) >= 15


def _paths(prepared, name: str) -> list[tuple[str, ...]]:
    return [section.path for section in prepared[name].outline.sections]


def test_an_agendas_numbered_items_nest_under_its_lettered_and_roman_items(prepared) -> None:
    """One type sets "L. Items for Approval" and its "1." to "5.": the printed order nests
    them; an item with nothing printed under it ("XIII. PUBLIC HEARINGS - TO COMMENCE AT
    6:30 P.M.") is still a section of its own."""
    ladwp = _paths(prepared, "ladwp-board-of-commissioners_2022-01-25_agenda.pdf")
    under_l = [p[-1] for p in ladwp if len(p) >= 2 and p[-2] == "L. Items for Approval"]
    assert [t.split(".")[0] for t in under_l] == ["1", "2", "3", "4", "5"]
    assert under_l[-1] == "5. Recommended by Water System"
    assert any(p[-1] == "M. Closed Session" and "L. Items for Approval" not in p for p in ladwp)
    hermosa = _paths(prepared, "hermosa-beach-city-council_2023-01-10_agenda.pdf")
    assert any(p[-1] == "XIII. PUBLIC HEARINGS - TO COMMENCE AT 6:30 P.M." for p in hermosa)


def test_agenda_items_printed_in_body_type_are_sections_of_their_own(prepared) -> None:
    """"I. Call to Order & Roll Call" ... "VI. Adjournment" in the body's type, counting up
    from I: each is an item a question can name by its number."""
    illinois = _paths(prepared, "illinois-finance-authority_2020-12-08_agenda.pdf")
    items = [p[-1] for p in illinois if p and p[-1].split(".")[0] in {"I", "II", "III", "IV", "V", "VI"}]
    assert items[:3] == ["I. Call to Order & Roll Call",
                         "II. Review and Adoption of the Conduit Financing Committee Meeting Minutes",
                         "III. Presentation and Consideration of New Business Items (see attached)"]
    assert items[-1] == "VI. Adjournment"
    # Nothing is printed under them: the next page's table stays whole, not shared out.
    doc = prepared["illinois-finance-authority_2020-12-08_agenda.pdf"]
    for node in doc.nodes:
        title = node.metadata["section"].split(" > ")[-1]
        if title in items[:-1]:
            assert node.get_content().strip() == title
    # A lone capital-lettered line is no item list ("V. Within the Employment Areas ..." in a policy).
    broxbourne = _paths(prepared, "broxbourne-borough-council_2023-11_employment-skills-spd.pdf")
    assert not any(p and p[-1].startswith("V. ") for p in broxbourne)


def test_a_contents_page_lists_the_sections_without_holding_them(prepared) -> None:
    """Nottingham's "Contents", in larger type than its sections, held the whole report, and
    each line of the listing ("21 Changes during 2023/2024") was an empty section."""
    nottingham = _paths(prepared, "nottingham-city-council_2025-03_civil-enforcement-annual-report-2023-24.pdf")
    assert ("Contents",) in nottingham
    assert not any(p[:1] == ("Contents",) and len(p) > 1 for p in nottingham)
    assert not any(p and p[-1][:1].isdigit() for p in nottingham)  # no listing line is a heading
    assert ("Overview",) in nottingham
    assert any(p[:2] == ("The services we provide", "On Street Parking Permits") for p in nottingham)
    # Broxbourne prints its listing as text with dot leaders ("Introduction … 3").
    broxbourne = _paths(prepared, "broxbourne-borough-council_2023-11_employment-skills-spd.pdf")
    assert any(p[-1:] == ("Introduction",) for p in broxbourne)
    assert not any("Contents" in p[:-1] for p in broxbourne)
    assert not any(p and "\u2026" in p[-1] for p in broxbourne)  # no listing line is a heading


def test_dot_leaders_are_read_as_one_mark(prepared) -> None:
    """"Introduction.......4": each dot a word piece, so every contents line of the
    Buckinghamshire plan was a chunk of its own (30 of them)."""
    bucks = prepared["buckinghamshire-council_2025-09_draft-local-plan-part-a-spatial-strategy.pdf"]
    assert "1. Introduction \u2026 4" in bucks.document.text
    listing = [n for n in bucks.nodes if n.metadata["section"] == "Table of Contents"]
    assert 1 <= len(listing) <= 3
    texts = [n.get_content() for n in prepared_nodes(prepared)]
    assert not any(re.search(r"\.{4,}", text) for text in texts)


def prepared_nodes(prepared) -> list:
    return [node for doc in prepared.values() if isinstance(doc, PreparedDocument) for node in doc.nodes]


@pytest.mark.parametrize(("name", "row"), [
    # Headings printed to the left of right-set figures, and a two-line header whose
    # centred "TOTAL" the PDF draws last.
    ("buckinghamshire-council_2025-09-08_housing-needs-executive-summary.pdf",
     "General Needs Housing 1 bedroom | Market Housing: 6,565 | Affordable Housing: 8,047 | TOTAL: 14,612"),
    ("weca_2026-06-05_budget-outturn-report.pdf",
     "Money Market Funds | 31-Mar-25 Actual Portfolio £m: 39.3 | Net Movement £m: -12.9 | "
     "31-Mar-26 Actual Portfolio £m: 26.4 | 31-Mar-26 Average Rate %: 4.0"),
    # Words a narrow table font sets 0.1 em apart with no space character between them.
    ("weca_2026-06-05_budget-outturn-report.pdf",
     "Grant Management & Assurance | Approved budget £000s: 3,796 | Current Budget £000s: 7,147 | "
     "Q1 Forecast £000s: 7,327 | Q2 Forecast £000s: 9,003 | Q3 Forecast £000s: 6,303 | Outturn £000s: 5,995 | "
     "Outturn vs Current Budget %: 84%"),
    # Ruled rows: a label wrapped over two lines stays beside its count, text columns too.
    ("nottingham-city-council_2025-03_civil-enforcement-annual-report-2023-24.pdf",
     "14 – Parked in an electric vehicle charging place | 3 | 62 – Wheels on Footpath | 12"),
    ("bristol-city-council_2026-03-19_committee-report-wpl-update.pdf",
     "Surveys and data collection | October to November 2025 | November to early March 2026"),
])
def test_a_table_row_carries_its_column_headings(prepared, name: str, row: str) -> None:
    assert row in prepared[name].document.text.splitlines()
