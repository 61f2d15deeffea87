from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from ingest.sources import CommitteeFetcher, Committee, Council, ModernGovSite, PoliteClient
from tests.files import make_pdf
from tests.moderngov_site import FIXTURES, LoopbackSite, earlier_meeting, fixture, running, with_quirks

pytestmark = pytest.mark.skipif(not FIXTURES.is_dir(), reason=f"{FIXTURES} is absent (it lives beside the project)")

AUDIT = Committee(144, "Audit Committee")
SINCE, UNTIL = date(2026, 1, 1), date(2026, 3, 31)


@pytest.fixture(scope="module")
def pdfs(tmp_path_factory) -> dict[int, bytes]:
    folder = tmp_path_factory.mktemp("pdfs")
    minutes = make_pdf(folder / "m.pdf", [[
        "# Audit Committee", "Minutes of the meeting held on 25 November 2025",
        "# 5. Internal Audit Progress Report",
        "The Committee considered the Head of Internal Audit's progress report.",
        "RESOLVED - To note the report.",
    ]])
    programme = make_pdf(folder / "w.pdf", [["# Audit Committee Work Programme February 2026",
                                             "The annual governance statement comes to the committee in July."]])
    return {60860: minutes.read_bytes(), 60909: programme.read_bytes()}


def fetcher(base: str, folder: Path, retries: int = 3) -> CommitteeFetcher:
    site = ModernGovSite(Council("MAN", "manchester", base),
                         PoliteClient(min_interval=0, retries=retries, backoff=0.01, timeout=1.0))
    return CommitteeFetcher(site, folder)


def quirky_site(pdfs) -> LoopbackSite:
    return LoopbackSite(pdfs=dict(pdfs), meetings={4966: fixture("meeting_no_minutes.xml"),
                                                   4967: with_quirks(fixture("meeting_with_minutes.xml"))})


def test_a_committee_is_stored_by_council_committee_and_date_with_sidecars(tmp_path: Path, pdfs) -> None:
    site = quirky_site(pdfs)
    with running(site) as base:
        report = fetcher(base, tmp_path).fetch(AUDIT, SINCE, UNTIL)
    meeting = tmp_path / "manchester" / "audit-committee" / "2026-02-10"
    names = sorted(p.name for p in meeting.iterdir())
    assert names == sorted([
        "agenda.html", "agenda.html.meta.json", "minutes.html", "minutes.html.meta.json",
        "60860-6-chair-approved-minutes-audit-committee-25-nov-2025.pdf",
        "60860-6-chair-approved-minutes-audit-committee-25-nov-2025.pdf.meta.json",
        "60909-draft-wp-risk-register-february-2026.pdf", "60909-draft-wp-risk-register-february-2026.pdf.meta.json",
    ])
    assert (report.meetings, report.meetings_cancelled, report.written, report.restricted, report.duplicates) == (1, 1, 4, 1, 1)
    assert not report.errors
    assert site.count("/mgConvert2PDF.aspx?ID=60910") == 0  # restricted: never requested
    assert site.count("/mgConvert2PDF.aspx?ID=60909") == 1  # listed twice, fetched once

    programme = json.loads((meeting / "60909-draft-wp-risk-register-february-2026.pdf.meta.json").read_text())
    assert programme["title"] == "DRAFT WP & Risk Register FEBRUARY 2026"
    assert (programme["body"], programme["meeting_date"], programme["agenda_item"]) == \
        ("Audit Committee", "2026-02-10", "9. Work Programme")
    assert programme["source_url"] == f"{base}/mgConvert2PDF.aspx?ID=60909" and len(programme["sha256"]) == 64
    earlier = json.loads((meeting / "60860-6-chair-approved-minutes-audit-committee-25-nov-2025.pdf.meta.json").read_text())
    assert (earlier["doc_type"], earlier["meeting_date"]) == ("minutes", "2025-11-25")  # the record of 25 Nov, tabled on 10 Feb

    minutes = (meeting / "minutes.html").read_text()
    assert "<h2>9. Work Programme</h2>" in minutes and "future Work\nProgramme for the remainder" in minutes
    minutes_meta = json.loads((meeting / "minutes.html.meta.json").read_text())
    assert minutes_meta["source_url"] == f"{base}/ieListDocuments.aspx?CId=144&MId=4967"
    assert (minutes_meta["doc_type"], minutes_meta["meeting_date"]) == ("minutes", "2026-02-10")


def test_a_dry_run_lists_the_files_and_writes_nothing(tmp_path: Path, pdfs) -> None:
    site = quirky_site(pdfs)
    with running(site) as base:
        report = fetcher(base, tmp_path).fetch(AUDIT, SINCE, UNTIL, dry_run=True)
    assert [(f.kind, f.status) for f in report.files] == [
        ("minutes", "planned"), ("agenda", "planned"), ("attachment", "planned"), ("attachment", "planned")]
    assert not tmp_path.exists() or not any(tmp_path.iterdir())
    assert not [r for r in site.requests if "mgConvert2PDF" in r]


def test_a_resumed_run_fetches_only_what_failed(tmp_path: Path, pdfs) -> None:
    site = quirky_site(pdfs)
    site.failing["/mgConvert2PDF.aspx?ID=60909"] = 2  # one try and one retry, both 503
    with running(site) as base:
        first = fetcher(base, tmp_path, retries=1).fetch(AUDIT, SINCE, UNTIL)
        second = fetcher(base, tmp_path, retries=1).fetch(AUDIT, SINCE, UNTIL)
    assert [e["error"] for e in first.errors] == ["the site answered HTTP 503"]
    assert (first.written, first.retries) == (3, 1)
    assert (second.written, second.unchanged, second.errors) == (1, 3, [])
    assert site.count("/mgConvert2PDF.aspx?ID=60860") == 1  # fetched once across both runs
    assert not list(tmp_path.rglob(".partial-*"))


def test_a_changed_file_on_disk_is_fetched_again(tmp_path: Path, pdfs) -> None:
    with running(quirky_site(pdfs)) as base:
        fetcher(base, tmp_path).fetch(AUDIT, SINCE, UNTIL)
        damaged = next(tmp_path.rglob("60909-*.pdf"))
        damaged.write_bytes(b"truncated")
        again = fetcher(base, tmp_path).fetch(AUDIT, SINCE, UNTIL)
    assert (again.written, again.unchanged) == (1, 3)
    assert damaged.read_bytes() == pdfs[60909]


def test_minutes_republished_on_the_next_agenda_are_fetched_once(tmp_path: Path, pdfs) -> None:
    meetings = fixture("meetings.xml").replace(
        "<meeting>", "<meeting>\n<meetingid>4960</meetingid><meetingdate>25/11/2025</meetingdate>"
        "<meetingstatus>Confirmed</meetingstatus></meeting>\n<meeting>", 1)
    site = LoopbackSite(pdfs={**pdfs, 61860: pdfs[60860], 61909: pdfs[60909]}, meetings_xml=meetings, meetings={
        4960: earlier_meeting(fixture("meeting_with_minutes.xml"), 4960, "25/11/2025"),
        4966: fixture("meeting_no_minutes.xml"), 4967: fixture("meeting_with_minutes.xml")})
    with running(site) as base:
        report = fetcher(base, tmp_path).fetch(AUDIT, date(2025, 11, 1), UNTIL)
    assert (report.meetings, report.republished_minutes, report.errors) == (2, 1, [])
    assert site.count("/mgConvert2PDF.aspx?ID=60860") == 0  # the 25 Nov minutes come from the web service
    assert (tmp_path / "manchester" / "audit-committee" / "2025-11-25" / "minutes.html").is_file()


def test_the_same_bytes_under_two_attachment_ids_are_stored_once(tmp_path: Path, pdfs) -> None:
    site = quirky_site({60860: pdfs[60909], 60909: pdfs[60909]})
    with running(site) as base:
        report = fetcher(base, tmp_path).fetch(AUDIT, SINCE, UNTIL)
    assert report.duplicates == 2 and len(list(tmp_path.rglob("*.pdf"))) == 1
