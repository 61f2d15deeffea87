from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from ingest.sources import FetchError, PoliteClient
from tests.moderngov_site import FIXTURES, LoopbackSite, running

pytestmark = pytest.mark.skipif(not FIXTURES.is_dir(), reason=f"{FIXTURES} is absent (it lives beside the project)")

PDF = "/mgConvert2PDF.aspx?ID=1"


def site_with_pdf(**knobs) -> LoopbackSite:
    return LoopbackSite(pdfs={1: b"%PDF-1.4 a small file\n"}, **knobs)


def test_sends_a_browser_user_agent_that_sites_which_block_bots_accept() -> None:
    site = site_with_pdf()
    with running(site) as base:
        assert httpx.get(base + PDF, headers={"User-Agent": "python-httpx"}).status_code == 403
        with PoliteClient(min_interval=0) as client:
            assert client.get_bytes(base + PDF).startswith(b"%PDF")


def test_403_is_one_line_naming_the_url_and_not_retried() -> None:
    site = site_with_pdf(forbidden=True)
    with running(site) as base, PoliteClient(min_interval=0, retries=3, sleep=lambda s: None) as client:
        with pytest.raises(FetchError) as error:
            client.get_bytes(base + PDF)
    assert "HTTP 403" in str(error.value) and str(error.value).startswith(base + PDF)
    assert "\n" not in str(error.value)
    assert site.count(PDF) == 1


def test_a_timeout_is_retried_with_backoff(tmp_path: Path) -> None:
    site = site_with_pdf(delay_seconds=1.5)
    site.slow[PDF] = 1
    slept: list[float] = []
    with running(site) as base, PoliteClient(min_interval=0, timeout=0.5, backoff=0.25, sleep=slept.append) as client:
        digest = client.download(base + PDF, tmp_path / "a.pdf")
    assert (tmp_path / "a.pdf").read_bytes().startswith(b"%PDF")
    assert len(digest) == 64 and client.counts.retries == 1 and slept == [0.25]
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".partial")]


def test_503s_are_retried_then_reported(tmp_path: Path) -> None:
    site = site_with_pdf()
    site.failing[PDF] = 5
    with running(site) as base, PoliteClient(min_interval=0, retries=2, backoff=0.01) as client:
        with pytest.raises(FetchError, match="HTTP 503"):
            client.download(base + PDF, tmp_path / "a.pdf")
    assert site.count(PDF) == 3 and not list(tmp_path.iterdir())  # nothing half-written


def test_requests_are_spaced_by_the_rate_limit() -> None:
    slept: list[float] = []
    with running(site_with_pdf()) as base, PoliteClient(min_interval=0.2, sleep=slept.append) as client:
        for _ in range(3):
            client.get_bytes(base + PDF)
    assert len(slept) == 2 and all(0 < s <= 0.2 for s in slept)


def test_a_file_over_the_size_limit_is_refused(tmp_path: Path) -> None:
    site = LoopbackSite(pdfs={1: b"%PDF" + b"x" * 5000})
    with running(site) as base, PoliteClient(min_interval=0, max_bytes=1000) as client:
        with pytest.raises(FetchError, match="larger than"):
            client.download(base + PDF, tmp_path / "big.pdf")
    assert not list(tmp_path.iterdir())
