from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from ingest.sources import FetchError, PoliteClient
from tests.moderngov_site import FIXTURES, LoopbackSite, running

pytestmark = pytest.mark.skipif(not FIXTURES.is_dir(), reason=f"{FIXTURES} is absent (it lives beside the project)")

PDF = "/mgConvert2PDF.aspx?ID=1"
BODY = b"%PDF-1.4 a small file\n" + b"x" * 4000


def site_with_pdf(**knobs) -> LoopbackSite:
    return LoopbackSite(pdfs={1: BODY}, **knobs)


def test_sends_a_browser_user_agent_that_sites_which_block_bots_accept() -> None:
    site = site_with_pdf()
    with running(site) as base:
        assert httpx.get(base + PDF, headers={"User-Agent": "python-httpx"}).status_code == 403
        with PoliteClient(min_interval=0) as client:
            assert client.get_bytes(base + PDF) == BODY


def test_403_is_one_line_naming_the_url_and_not_retried() -> None:
    site = site_with_pdf(forbidden=True)
    with running(site) as base, PoliteClient(min_interval=0, retries=3, sleep=lambda s: None) as client:
        with pytest.raises(FetchError) as error:
            client.get_bytes(base + PDF)
    assert "HTTP 403" in str(error.value) and str(error.value).startswith(base + PDF)
    assert "\n" not in str(error.value) and error.value.status == 403
    assert site.count(PDF) == 1


def test_a_timeout_is_retried_with_backoff(tmp_path: Path) -> None:
    site = site_with_pdf(delay_seconds=1.5)
    site.slow[PDF] = 1
    slept: list[float] = []
    with running(site) as base, PoliteClient(min_interval=0, timeout=0.5, backoff=0.25, sleep=slept.append) as client:
        digest = client.download(base + PDF, tmp_path / "a.pdf")
    assert (tmp_path / "a.pdf").read_bytes() == BODY
    assert len(digest) == 64 and client.counts.retries == 1 and slept == [0.25]
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".partial")]


def test_a_body_cut_off_half_way_is_fetched_again_whole(tmp_path: Path) -> None:
    site = site_with_pdf()
    site.cut_short[PDF] = 1
    with running(site) as base, PoliteClient(min_interval=0, backoff=0.01) as client:
        client.download(base + PDF, tmp_path / "a.pdf")
        assert client.get_bytes(base + PDF) == BODY
    assert (tmp_path / "a.pdf").read_bytes() == BODY and site.count(PDF) == 3


def test_503s_are_retried_after_the_servers_retry_after_then_reported(tmp_path: Path) -> None:
    site = site_with_pdf(retry_after="2")
    site.failing[PDF] = 5
    slept: list[float] = []
    with running(site) as base, PoliteClient(min_interval=0, retries=2, sleep=slept.append) as client:
        with pytest.raises(FetchError, match="HTTP 503"):
            client.download(base + PDF, tmp_path / "a.pdf")
    assert site.count(PDF) == 3 and slept == [2.0, 2.0]
    assert not list(tmp_path.iterdir())  # nothing half-written


@pytest.mark.parametrize("header, expected", [("-1", 0.0), ("nan", 0.25), ("9999", 60.0),
                                              ("Wed, 21 Oct 2015 07:28:00 GMT", 0.0), ("soon", 0.25)])
def test_an_odd_retry_after_is_kept_within_bounds(header: str, expected: float) -> None:
    site = site_with_pdf(retry_after=header)
    site.failing[PDF] = 1
    slept: list[float] = []
    with running(site) as base, PoliteClient(min_interval=0, backoff=0.25, sleep=slept.append) as client:
        assert client.get_bytes(base + PDF) == BODY
    assert slept == [expected]


def test_requests_are_spaced_by_the_rate_limit() -> None:
    now = [100.0]
    slept: list[float] = []

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        now[0] += seconds

    with running(site_with_pdf()) as base, PoliteClient(min_interval=2.0, sleep=sleep, clock=lambda: now[0]) as client:
        client.get_bytes(base + PDF)
        now[0] += 0.5  # the caller's own work between requests counts towards the gap
        client.get_bytes(base + PDF)
        client.get_bytes(base + PDF)
    assert slept == [1.5, 2.0]


def test_errors_that_no_retry_would_mend_are_one_line_at_once() -> None:
    with PoliteClient(min_interval=0, retries=3, sleep=lambda s: pytest.fail("retried")) as client:
        for url in ("ftp://example.org/a.pdf", "http://[::1/a.pdf", "http:///a.pdf"):
            with pytest.raises(FetchError, match="cannot be fetched"):
                client.get_bytes(url)
    with pytest.raises(ValueError):
        PoliteClient(retries=-1)


def test_a_file_over_the_size_limit_is_refused(tmp_path: Path) -> None:
    site = LoopbackSite(pdfs={1: b"%PDF" + b"x" * 5000})
    with running(site) as base, PoliteClient(min_interval=0, max_bytes=1000) as client:
        with pytest.raises(FetchError, match="larger than"):
            client.download(base + PDF, tmp_path / "big.pdf")
    assert not list(tmp_path.iterdir())
