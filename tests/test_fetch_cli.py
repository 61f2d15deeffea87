"""``council-qa fetch moderngov`` end to end: real responses served on loopback, fetched,
ingested with the real embedding model, and answered with citations that point home."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from council_qa.cli import cli
from tests.files import make_pdf
from tests.moderngov_site import FIXTURES, LoopbackSite, fixture, running, with_quirks

pytestmark = pytest.mark.skipif(not FIXTURES.is_dir(), reason=f"{FIXTURES} is absent (it lives beside the project)")


def run(*args: str, home: Path):
    return CliRunner().invoke(cli, ["--home", str(home), *args], catch_exceptions=False)


def fetch_args(base: str, *extra: str) -> list[str]:
    return ["fetch", "moderngov", "--council", base, "--committee", "Audit", "--since", "2026-01-01",
            "--until", "2026-03-31", "--delay", "0", *extra]


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> LoopbackSite:
    folder = tmp_path_factory.mktemp("pdfs")
    programme = make_pdf(folder / "w.pdf", [
        ["# Audit Committee Work Programme February 2026",
         "The annual governance statement comes to the committee in July 2026."],
        ["# Items to be scheduled",
         "A review of the council's counter-fraud arrangements is planned for the September meeting."],
    ])
    minutes = make_pdf(folder / "m.pdf", [[
        "# Audit Committee", "Minutes of the meeting held on 25 November 2025",
        "# 5. Internal Audit Progress Report",
        "The Committee considered the Head of Internal Audit's progress report on the 2025/26 audit plan.",
        "RESOLVED - To note the report.",
    ]])
    return LoopbackSite(pdfs={60860: minutes.read_bytes(), 60909: programme.read_bytes()},
                        meetings={4966: fixture("meeting_no_minutes.xml"),
                                  4967: with_quirks(fixture("meeting_with_minutes.xml"))})


def test_dry_run_lists_what_would_be_fetched(tmp_path: Path, site) -> None:
    with running(site) as base:
        result = run(*fetch_args(base, "--dry-run"), home=tmp_path / "home")
    assert result.exit_code == 0, result.output
    assert "Audit Committee (127.0.0.1:" in result.output and "1 meeting with papers, 1 cancelled" in result.output
    assert "would fetch 4 files" in result.output and "skipped 1 restricted, 1 duplicate," in result.output
    assert f"{base}/mgConvert2PDF.aspx?ID=60909" in result.output
    assert not (tmp_path / "home" / "papers").exists()


@pytest.mark.slow
def test_fetch_ingests_and_answers_cite_the_published_page(tmp_path: Path, site) -> None:
    home = tmp_path / "home"
    site.slow["/mgConvert2PDF.aspx?ID=60909"] = 1  # the first answer comes after the client's timeout
    with running(site) as base:
        first = run(*fetch_args(base, "--json", "--timeout", "1"), home=home)
        again = run(*fetch_args(base, "--json"), home=home)
    assert first.exit_code == 0, first.output
    summary = json.loads(first.output)
    fetched = summary["fetch"]
    assert (fetched["written"], fetched["restricted"], fetched["duplicates"]) == (4, 1, 1)
    assert fetched["retries"] >= 1 and site.count("/mgConvert2PDF.aspx?ID=60909") == 2  # timed out once, then fetched
    assert summary["ingest"]["added"] == 4 and not summary["ingest"]["failed"]
    print(f"\nfetch figures: {fetched['meetings']} meeting(s), {fetched['meetings_cancelled']} cancelled, "
          f"{fetched['written']} files written, {fetched['restricted']} restricted, {fetched['duplicates']} duplicate, "
          f"{fetched['retries']} retried, {summary['ingest']['chunks_total']} chunks indexed")
    resumed = json.loads(again.output)
    assert (resumed["fetch"]["written"], resumed["fetch"]["unchanged"], resumed["ingest"]["added"]) == (0, 4, 0)
    print(f"resumed run: {resumed['fetch']['unchanged']} files already there, {resumed['fetch']['requests']} requests")

    from council_qa.config import Settings
    from index import Manifest

    settings = Settings.from_env(environ={}, home=home)
    entries = Manifest.load(settings.manifest_path).ready().values()
    assert sorted((e.doc_type, e.body, e.meeting_date) for e in entries) == [
        ("agenda", "Audit Committee", "2026-02-10"), ("minutes", "Audit Committee", "2025-11-25"),
        ("minutes", "Audit Committee", "2026-02-10"), ("plan", "Audit Committee", "2026-02-10")]

    asked = run("ask", "When is the counter-fraud review planned?", "--json", home=home)
    citations = json.loads(asked.output)["citations"]
    assert citations and citations[0]["url"] == f"{base}/mgConvert2PDF.aspx?ID=60909#page=2"
    text = run("ask", "When is the counter-fraud review planned?", home=home).output
    assert f"{base}/mgConvert2PDF.aspx?ID=60909#page=2" in text

    asked = run("ask", "What future work programme did the Audit Committee consider?", "--json", home=home)
    urls = {c["url"] for c in json.loads(asked.output)["citations"]}
    assert f"{base}/ieListDocuments.aspx?CId=144&MId=4967" in urls

    register = json.loads(run("decisions", "--json", home=home).output)
    assert [(d["meeting_date"], d["outcome"], d["url"]) for d in register if "Internal Audit" in d["item_title"]] \
        == [("2025-11-25", "noted", f"{base}/mgConvert2PDF.aspx?ID=60860#page=1")]


def test_a_site_that_refuses_access_is_one_line(tmp_path: Path) -> None:
    with running(LoopbackSite(forbidden=True)) as base:
        result = CliRunner().invoke(cli, ["--home", str(tmp_path), *fetch_args(base)])
    assert result.exit_code == 1
    assert result.output.strip().count("\n") == 0
    assert "GetCommittees: the site refused access (HTTP 403)" in result.output


def test_listing_councils_and_committees(tmp_path: Path) -> None:
    listed = run("fetch", "moderngov", "--list-councils", "--council", "barnet", home=tmp_path)
    assert listed.output.split() == ["BNE", "barnet", "https://barnet.moderngov.co.uk"]
    with running(LoopbackSite()) as base:
        committees = run("fetch", "moderngov", "--council", base, "--list-committees", "--delay", "0", home=tmp_path)
        as_json = run("fetch", "moderngov", "--council", base, "--list-committees", "--json", "--delay", "0", home=tmp_path)
    assert "   144  Audit Committee" in committees.output and "(expired)" in committees.output
    assert json.loads(as_json.output)[2] == {"id": 144, "title": "Audit Committee", "category":
                                             "Governance and Decision Making Committees", "expired": False,
                                             "url": f"{base}/mgCommitteeDetails.aspx?ID=144"}
