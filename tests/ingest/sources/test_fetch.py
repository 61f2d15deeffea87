from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from ingest.sources import Committee, CommitteeFetcher, Council, ModernGovSite, PoliteClient
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


def listing_with(*meetings: tuple[int, str, str]) -> str:
    """The real GetMeetings answer with more meetings (id, dd/mm/yyyy, status) listed first."""
    extra = "".join(f"<meeting><meetingid>{i}</meetingid><meetingdate>{d}</meetingdate>"
                    f"<meetingstatus>{status}</meetingstatus></meeting>\n" for i, d, status in meetings)
    return fixture("meetings.xml").replace("<meeting>", extra + "<meeting>", 1)


def nov_site(pdfs, **meetings) -> LoopbackSite:
    """The committee with a 25 November 2025 meeting whose minutes the web service gives."""
    return LoopbackSite(pdfs={**pdfs, 61860: pdfs[60860], 61909: pdfs[60909]},
                        meetings_xml=listing_with((4960, "25/11/2025", "Confirmed")), meetings={
        4960: earlier_meeting(fixture("meeting_with_minutes.xml"), 4960, "25/11/2025"),
        4966: fixture("meeting_no_minutes.xml"), 4967: fixture("meeting_with_minutes.xml"), **meetings})


def test_minutes_republished_on_the_next_agenda_are_fetched_once(tmp_path: Path, pdfs) -> None:
    site = nov_site(pdfs)
    with running(site) as base:
        report = fetcher(base, tmp_path).fetch(AUDIT, date(2025, 11, 1), UNTIL)
    assert (report.meetings, report.republished_minutes, report.errors) == (2, 1, [])
    assert site.count("/mgConvert2PDF.aspx?ID=60860") == 0  # the 25 Nov minutes come from the web service
    assert (tmp_path / "manchester" / "audit-committee" / "2025-11-25" / "minutes.html").is_file()


def test_minutes_an_earlier_run_fetched_are_not_fetched_again_as_a_pdf(tmp_path: Path, pdfs) -> None:
    site = nov_site(pdfs)
    with running(site) as base:
        fetcher(base, tmp_path).fetch(AUDIT, date(2025, 11, 1), UNTIL)
        later = fetcher(base, tmp_path).fetch(AUDIT, SINCE, UNTIL)  # a range without 25 November
    assert later.republished_minutes == 1 and site.count("/mgConvert2PDF.aspx?ID=60860") == 0


def test_undated_minutes_are_the_previous_meetings_and_other_bodies_minutes_are_not(tmp_path: Path, pdfs) -> None:
    xml = (fixture("meeting_with_minutes.xml").replace("6 - CHAIR APPROVED  Minutes Audit Committee 25 Nov 2025",
                                                       "CHAIR APPROVED minutes")
           .replace("<agendaitemtitle>Work Programme</agendaitemtitle>",
                    "<agendaitemtitle>Minutes of the Audit Sub-Committee</agendaitemtitle>")
           .replace("DRAFT WP  FEBRUARY 2026", "Sub-Committee minutes 12 Jan 2026"))
    site = LoopbackSite(pdfs=dict(pdfs), meetings={4966: fixture("meeting_no_minutes.xml"), 4967: xml,
                                                   4961: fixture("meeting_no_minutes.xml")},
                        meetings_xml=listing_with((4961, "02/12/2025", "Confirmed")))
    with running(site) as base:
        fetcher(base, tmp_path).fetch(AUDIT, SINCE, UNTIL)
    sidecars = {p.name.split("-")[0]: json.loads(p.read_text()) for p in tmp_path.rglob("6*.pdf.meta.json")}
    assert (sidecars["60860"]["doc_type"], sidecars["60860"]["meeting_date"]) == ("minutes", "2025-12-02")
    assert "doc_type" not in sidecars["60909"] and sidecars["60909"]["meeting_date"] == "2026-02-10"


def test_a_restricted_item_keeps_its_text_and_papers_out(tmp_path: Path, pdfs) -> None:
    xml = fixture("meeting_with_minutes.xml")
    work = xml.index("<agendaitemid>18833</agendaitemid>")
    xml = xml[:work] + xml[work:].replace("<isrestricted>False</isrestricted>", "<isrestricted>True</isrestricted>", 1)
    site = LoopbackSite(pdfs=dict(pdfs), meetings={4966: fixture("meeting_no_minutes.xml"), 4967: xml})
    with running(site) as base:
        report = fetcher(base, tmp_path).fetch(AUDIT, SINCE, UNTIL)
    minutes = next(tmp_path.rglob("minutes.html")).read_text()
    assert report.restricted == 1 and "Work Programme" not in minutes and "To approve the minutes" in minutes
    assert site.count("/mgConvert2PDF.aspx?ID=60909") == 0


def test_two_meetings_on_one_day_get_a_folder_each(tmp_path: Path, pdfs) -> None:
    site = LoopbackSite(pdfs={**pdfs, 61860: pdfs[60860], 61909: pdfs[60909]},
                        meetings_xml=listing_with((4968, "10/02/2026", "Confirmed")),
                        meetings={4966: fixture("meeting_no_minutes.xml"), 4967: fixture("meeting_with_minutes.xml"),
                                  4968: earlier_meeting(fixture("meeting_with_minutes.xml"), 4968, "10/02/2026")})
    with running(site) as base:
        fetcher(base, tmp_path).fetch(AUDIT, SINCE, UNTIL)
    folders = sorted(p.name for p in (tmp_path / "manchester" / "audit-committee").iterdir() if p.is_dir())
    assert folders == ["2026-02-10-4967", "2026-02-10-4968"]


def test_the_board_is_named_as_ingest_names_it(tmp_path: Path, pdfs) -> None:
    with running(quirky_site(pdfs)) as base:
        fetcher(base, tmp_path).fetch(Committee(144, "Health and Wellbeing Board"), SINCE, UNTIL)
    bodies = {json.loads(p.read_text())["body"] for p in tmp_path.rglob("*.meta.json")}
    assert bodies == {"Health & Wellbeing Board"}  # what a --body filter of either spelling matches


def test_links_to_other_sites_and_unreadable_formats_are_skipped(tmp_path: Path, pdfs) -> None:
    xml = fixture("meeting_with_minutes.xml").replace("<isurl>False</isurl>", "<isurl>True</isurl>", 1)
    site = LoopbackSite(pdfs={60909: b"\xd0\xcf\x11\xe0 an old Word file"},
                        meetings={4966: fixture("meeting_no_minutes.xml"), 4967: xml})
    with running(site) as base:
        report = fetcher(base, tmp_path).fetch(AUDIT, SINCE, UNTIL)
    assert (report.external, report.unsupported, report.errors) == (1, 1, [])
    assert not list(tmp_path.rglob("*.pdf")) and site.count("/mgConvert2PDF.aspx?ID=60860") == 0


def test_a_web_page_served_for_a_document_is_kept_as_one(tmp_path: Path, pdfs) -> None:
    site = LoopbackSite(pdfs={**pdfs, 60909: b"<!DOCTYPE html><html><body><h1>Work Programme</h1></body></html>"},
                        meetings={4966: fixture("meeting_no_minutes.xml"), 4967: fixture("meeting_with_minutes.xml")})
    with running(site) as base:
        fetcher(base, tmp_path).fetch(AUDIT, SINCE, UNTIL)
        again = fetcher(base, tmp_path).fetch(AUDIT, SINCE, UNTIL)
    assert [p.name for p in tmp_path.rglob("60909-*") if not p.name.endswith(".json")] == ["60909-draft-wp-february-2026.html"]
    assert again.unchanged == 4 and site.count("/mgConvert2PDF.aspx?ID=60909") == 1


def test_the_same_bytes_under_two_attachment_ids_are_stored_once(tmp_path: Path, pdfs) -> None:
    site = quirky_site({60860: pdfs[60909], 60909: pdfs[60909]})
    with running(site) as base:
        report = fetcher(base, tmp_path).fetch(AUDIT, SINCE, UNTIL)
        again = fetcher(base, tmp_path).fetch(AUDIT, SINCE, UNTIL)
    assert report.duplicates == 2 and len(list(tmp_path.rglob("*.pdf"))) == 1
    assert again.duplicates == 2 and site.count("/mgConvert2PDF.aspx?ID=60909") == 1  # not downloaded again
