from __future__ import annotations

import pytest

from ingest.sources import Council, FetchError, Meeting, ModernGovSite, PoliteClient, find_committee, resolve_council
from ingest.sources.moderngov import clean_title
from tests.moderngov_site import FIXTURES, LoopbackSite, fixture, running, with_quirks

pytestmark = pytest.mark.skipif(not FIXTURES.is_dir(), reason=f"{FIXTURES} is absent (it lives beside the project)")


def test_councils_resolve_by_code_name_or_url() -> None:
    assert resolve_council("BNE").base_url == "https://barnet.moderngov.co.uk"
    assert resolve_council("barnet").code == "BNE"
    by_url = resolve_council("https://barnet.moderngov.co.uk/mgWebService.asmx/GetCommittees")
    assert (by_url.code, by_url.base_url) == ("BNE", "https://barnet.moderngov.co.uk")
    unknown = resolve_council("https://democracy.example.gov.uk/ieListMeetings.aspx?CId=1")
    assert unknown.base_url == "https://democracy.example.gov.uk" and unknown.code == ""
    with pytest.raises(ValueError, match="no council"):
        resolve_council("atlantis")


def test_a_name_that_fits_several_councils_lists_them() -> None:
    with pytest.raises(ValueError, match="several councils"):
        resolve_council("east")


def test_titles_escaped_twice_are_read_once_clean() -> None:
    assert clean_title("Audit &amp;amp; Risk  Committee ") == "Audit & Risk Committee"
    assert clean_title("Health &amp; Wellbeing") == "Health & Wellbeing"


def site_on(base: str) -> ModernGovSite:
    return ModernGovSite(Council("MAN", "manchester", base), PoliteClient(min_interval=0, sleep=lambda s: None))


def test_committees_meetings_and_a_meeting_from_the_real_responses() -> None:
    from datetime import date

    site_data = LoopbackSite(meetings={4967: with_quirks(fixture("meeting_with_minutes.xml"))})
    with running(site_data) as base:
        site = site_on(base)
        committees = site.committees()
        meetings = site.meetings(144, date(2026, 1, 1), date(2026, 3, 1))
        detail = site.meeting(Meeting(4967, "2026-02-10"))
    assert [c.title for c in committees] == [
        "Appointment Sub Committee for Director of Adult Social Services", "Art Galleries Committee", "Audit Committee"]
    assert committees[0].expired and not committees[2].expired
    assert [(m.id, m.date, m.cancelled) for m in meetings] == [(4966, "2026-01-13", True), (4967, "2026-02-10", False)]
    assert "sFromDate=01%2F01%2F2026" in site_data.requests[1] and "sToDate=01%2F03%2F2026" in site_data.requests[1]
    assert detail.date == "2026-02-10" and detail.has_minutes
    assert [(i.number, i.title) for i in detail.items] == [("1", "Minutes"), ("9", "Work Programme")]
    work = detail.items[1]
    assert [(a.id, a.title, a.restricted) for a in work.attachments] == [
        (60909, "DRAFT WP & Risk Register FEBRUARY 2026", False),  # listed twice: kept once
        (60910, "Exempt appendix: contract prices", True)]
    assert work.attachments[0].url == f"{base}/mgConvert2PDF.aspx?ID=60909"
    assert "future Work\nProgramme" in work.minutes_html


def test_dates_outside_the_range_asked_are_dropped_even_if_the_site_sends_them() -> None:
    from datetime import date

    with running(LoopbackSite()) as base:
        meetings = site_on(base).meetings(144, date(2026, 2, 1), date(2026, 2, 28))
    assert [m.id for m in meetings] == [4967]


def test_links_are_made_absolute_encoded_and_upgraded_on_the_sites_own_host() -> None:
    site = site_on("https://democracy.manchester.gov.uk")
    assert site.absolute_url("http://democracy.manchester.gov.uk/mgConvert2PDF.aspx?ID=1") == \
        "https://democracy.manchester.gov.uk/mgConvert2PDF.aspx?ID=1"
    assert site.absolute_url("documents/s60909/DRAFT WP  FEBRUARY 2026.pdf") == \
        "https://democracy.manchester.gov.uk/documents/s60909/DRAFT%20WP%20%20FEBRUARY%202026.pdf"
    assert site.absolute_url("mgConvert2PDF.aspx?ID=1&copy=2") == \
        "https://democracy.manchester.gov.uk/mgConvert2PDF.aspx?ID=1&copy=2"
    assert site.absolute_url("http://other.example.org/a.pdf") == "http://other.example.org/a.pdf"
    assert site.absolute_url("javascript:alert(1)") == site.absolute_url("mailto:a@b.c") == ""


@pytest.mark.parametrize("knobs", [{"not_moderngov": True}, {"status": {"/mgWebService.asmx": 404}}])
def test_a_site_that_is_not_moderngov_is_a_clear_error(knobs) -> None:
    with running(LoopbackSite(**knobs)) as base:
        with pytest.raises(FetchError, match="not a ModernGov site"):
            site_on(base).committees()


def test_items_the_site_does_not_publish_and_external_links_are_marked() -> None:
    xml = fixture("meeting_with_minutes.xml")
    work = xml.index("<agendaitemid>18833</agendaitemid>")
    xml = (xml[:work] + xml[work:].replace("<isminutepublished>True</isminutepublished>",
                                           "<isminutepublished>False</isminutepublished>", 1)
           .replace("<isurl>False</isurl>", "<isurl>True</isurl>", 1))
    xml = xml.replace("<agendapublished>True</agendapublished>", "<agendapublished>False</agendapublished>")
    with running(LoopbackSite(meetings={4967: xml})) as base:
        detail = site_on(base).meeting(Meeting(4967, "2026-02-10"))
    minutes, work = detail.items
    assert minutes.minutes_html and not work.minutes_html  # its minute is not published yet
    assert not minutes.text_html and not work.text_html  # nor is the agenda
    assert work.attachments[0].external and not minutes.attachments[0].external


def test_committees_are_found_by_id_title_or_a_unique_part() -> None:
    from ingest.sources import Committee

    committees = [Committee(1, "Audit Committee"), Committee(2, "Health Scrutiny Committee"),
                  Committee(3, "Health Scrutiny Committee (old)", expired=True)]
    assert find_committee(committees, "2").id == 2
    assert find_committee(committees, "audit committee").id == 1
    assert find_committee(committees, "scrutiny").id == 2  # the current one of two
    with pytest.raises(ValueError, match="several committees"):
        find_committee(committees, "committee")
    with pytest.raises(ValueError, match="no committee"):
        find_committee(committees, "Licensing")
